"""Small builders shared by the SQL adapter tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from custmodel.model import Customer, CustomerKind
from custmodel.storage.ports import CustomerStore

#: A fixed moment, so stored and expected customers compare equal.
NOW = datetime(2024, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def customer(number: int, **fields: Any) -> Customer:
    """Return a private customer ``number`` with debtor account 10000 + number."""
    values: dict[str, Any] = {
        "kind": CustomerKind.PRIVATE,
        "debtor_account": 10000 + number,
        "last_name": f"Kunde {number}",
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    return Customer(number=number, **values)


def register(store: CustomerStore, **fields: Any) -> Customer:
    """Allocate the next number and insert a customer with it, in one transaction."""
    with store.transaction() as tx:
        number = tx.allocate_numbers()
        new = customer(number, **fields)
        tx.insert_customers([new])
    return new
