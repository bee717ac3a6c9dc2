"""The erasure sweep decides on the requests and bookings it re-reads, not only on the store's
query."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any, cast

from custmodel import CustomerBook, CustomerKind, NewCustomer, Settings
from custmodel.storage import StoreTransaction
from custmodel.storage.memory import MemoryStore
from tests.booksupport import CountingStore, firm_booking, offer

NOW = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
AGENCY = "AG1"


class _CarelessTransaction:
    """A transaction whose ``due_erasures`` ignores the receipt day it is given."""

    def __init__(self, tx: StoreTransaction) -> None:
        self._tx = tx

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    def due_erasures(
        self, acting_agency: str, cutoff: date, after: int, limit: int, *, received_by: date
    ) -> list[int]:
        return self._tx.due_erasures(acting_agency, cutoff, after, limit, received_by=date.max)


class _CarelessStore(MemoryStore):
    """A memory store whose query for due erasures forgets the receipt day."""

    @contextlib.contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[StoreTransaction]:
        with super().transaction(write=write) as tx:
            yield cast("StoreTransaction", _CarelessTransaction(tx))


def test_a_sweep_rechecks_the_receipt_day_of_the_requests_it_locked() -> None:
    """A store that reports a request received after the sweep's day as due still sees the
    customer left alone: the book re-reads the requests and judges their receipt day."""
    book = CustomerBook(_CarelessStore(), Settings(), clock=lambda: NOW)
    customer = book.register_many([NewCustomer(kind=CustomerKind.PRIVATE, last_name="Kunde")])[0]
    book.request_erasure(customer.number, date(2024, 2, 20))

    sweep = book.anonymize_due(AGENCY, today=date(2024, 2, 19))

    assert (0, False) == (sweep.anonymized, book.get(customer.number).is_anonymized)


def test_a_sweep_reads_only_the_bookings_that_can_block() -> None:
    """A due customer's old own bookings and offers cannot block: the sweep re-reads only the
    blocking ones under its lock, one read per batch, and none through bookings_of."""
    store = CountingStore()
    book = CustomerBook(store, Settings(), clock=lambda: NOW)
    customer = book.register_many([NewCustomer(kind=CustomerKind.PRIVATE, last_name="Kunde")])[0]
    book.record_booking(firm_booking("A", customer.number, date(2023, 6, 1)))
    book.record_booking(offer("B", customer.number, date(2024, 2, 1), point_of_sale="AG2"))
    book.request_erasure(customer.number, date(2024, 2, 1))
    store.calls.clear()

    sweep = book.anonymize_due(AGENCY, today=date(2024, 2, 19), retention=False)

    assert (1, 0, 1) == (
        sweep.anonymized,
        store.calls["bookings_of"],
        store.calls["blocking_bookings"],
    )
