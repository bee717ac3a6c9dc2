"""When the erasure sweep purges old versions: after every batch, and once more if busy."""

from __future__ import annotations

from datetime import UTC, date, datetime

from custmodel import CustomerBook, CustomerKind, NewCustomer, Settings
from custmodel.errors import StoreBusyError
from custmodel.storage.memory import MemoryStore

NOW = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
AGENCY = "AG1"


class _PurgeCountingStore(MemoryStore):
    """A memory store that counts purges; the ones numbered in ``busy`` find it busy."""

    def __init__(self, busy: tuple[int, ...] = ()) -> None:
        super().__init__()
        self.purges = 0
        self._busy = busy

    def purge(self) -> None:
        self.purges += 1
        if self.purges in self._busy:
            raise StoreBusyError("readers kept it busy")


def _book_with_requests(store: MemoryStore, customers: int) -> CustomerBook:
    """A book whose first ``customers`` customers all asked for erasure, each due."""
    book = CustomerBook(store, Settings(), clock=lambda: NOW)
    drafts = [NewCustomer(kind=CustomerKind.PRIVATE, last_name="Kunde") for _ in range(customers)]
    for customer in book.register_many(drafts):
        book.request_erasure(customer.number, date(2024, 2, 1))
    return book


def test_a_sweep_purges_after_every_batch() -> None:
    """Three batches that anonymized are three purges, and none more."""
    store = _PurgeCountingStore()
    book = _book_with_requests(store, 5)

    sweep = book.anonymize_due(AGENCY, batch_size=2)

    assert (3, 3) == (sweep.batches, store.purges)


def test_a_dry_sweep_purges_nothing() -> None:
    """A dry run changes nothing, so it purges nothing."""
    store = _PurgeCountingStore()
    book = _book_with_requests(store, 5)

    book.anonymize_due(AGENCY, batch_size=2, dry_run=True)

    assert 0 == store.purges


def test_after_a_busy_purge_the_sweep_purges_once_at_its_end() -> None:
    """Busy after the first batch, the sweep skips the later batches' purges and tries again
    at its end: a store kept busy costs one more wait, not one per batch."""
    store = _PurgeCountingStore(busy=(1,))
    book = _book_with_requests(store, 7)

    sweep = book.anonymize_due(AGENCY, batch_size=2)

    assert (4, 2) == (sweep.batches, store.purges)
