"""The erasure sweep writes set-based: as many statements for 3 due customers as for 300."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from custmodel import CustomerBook, CustomerKind, NewCustomer
from custmodel.storage.sql import SqlStore
from custmodel.testing.contract import SETTINGS
from tests.sql.helpers import reads_settings, statements_sent

AGENCY = "AG1"
TODAY = date(2026, 11, 24)
RECEIVED = date(2026, 9, 1)


@pytest.fixture
def store(sql_url: str) -> Iterator[SqlStore]:
    """A configured store."""
    store = SqlStore.from_url(sql_url)
    CustomerBook(store, SETTINGS)
    yield store
    store.close()


def _due(book: CustomerBook, count: int) -> None:
    """Register ``count`` customers, every third without e-mail and phone, and request their
    erasure."""
    registered = book.register_many(
        NewCustomer(
            kind=CustomerKind.PRIVATE,
            last_name=f"Muster{n}",
            email="" if n % 3 == 0 else f"m{n}@example.com",
            phone="" if n % 3 == 0 else f"0301234{n}",
        )
        for n in range(count)
    )
    for customer in registered:
        book.request_erasure(customer.number, RECEIVED)


def _sweep(store: SqlStore, count: int) -> list[tuple[str, int]]:
    """Sweep ``count`` due customers; return each statement sent but a read of the settings
    (see ``reads_settings``), its lists of numbers shortened, with its number of parameter
    sets."""
    book = CustomerBook(store)
    _due(book, count)
    with statements_sent(store) as sent:
        swept = book.anonymize_due(AGENCY, TODAY, retention=False)
    assert count == swept.anonymized
    return [
        (_short(statement), _sets(parameters))
        for statement, parameters in sent
        if not reads_settings(statement)
    ]


#: One bound parameter as the drivers' dialects render it: ``?``, ``%(name)s::BIGINT``, ``%s``.
_PARAMETER = r"(?:\?|%\(\w+\)s(?:::\w+)?|%s)"


def _short(statement: str) -> str:
    return re.sub(rf"\({_PARAMETER}(?:, {_PARAMETER})*\)", "(...)", statement)


def _sets(parameters: Any) -> int:
    many = isinstance(parameters, list) and parameters and isinstance(parameters[0], tuple | dict)
    return len(parameters) if many else 1


def test_sweeping_300_customers_sends_as_many_statements_as_sweeping_3(store: SqlStore) -> None:
    """The sweep sends the same statements for 300 due customers as for 3."""
    few = _sweep(store, 3)
    many = _sweep(store, 300)

    assert [s for s, _ in few] == [s for s, _ in many]


def test_the_sweep_anonymizes_a_batch_with_one_update_of_the_customers(store: SqlStore) -> None:
    """The customers of a batch are anonymized by one UPDATE with one set of parameters,
    not one row each, whichever of their fields were empty already."""
    sent = _sweep(store, 300)

    updates = [(s, n) for s, n in sent if s.startswith("UPDATE custmodel_customers")]
    assert [1] == [n for _, n in updates]


def test_the_sweep_writes_a_batchs_history_entries_with_one_insert(store: SqlStore) -> None:
    """The anonymization entries of a batch are one INSERT ... SELECT with one set of
    parameters, not one row each, and their customers, read and locked by the batch, are not
    looked up again before."""
    sent = _sweep(store, 300)

    inserts = [(s, n) for s, n in sent if s.startswith("INSERT INTO custmodel_history")]
    assert [1] == [n for _, n in inserts]
    assert "SELECT" in inserts[0][0]
    lookups = [s for s, _ in sent if s.startswith("SELECT custmodel_customers.number \nFROM")]
    assert [] == lookups


def test_on_postgresql_a_batchs_numbers_are_bound_as_array_text(store: SqlStore) -> None:
    """PostgreSQL gets a batch's customer numbers as one array's text ("{1,2,3}"), not a
    list the driver turns into an array value by value."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("the array's text is PostgreSQL's")
    book = CustomerBook(store)
    _due(book, 3)
    with statements_sent(store) as sent:
        book.anonymize_due(AGENCY, TODAY, retention=False)

    bound = [
        value
        for statement, parameters in sent
        if "= ANY (" in statement
        for value in dict(parameters).values()
    ]
    assert bound
    assert all(not isinstance(value, list) for value in bound)
    assert "{1,2,3}" in bound
