"""What the JSON file store promises beyond the port: the file keeps everything, failures
keep the file as it was."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custmodel import CustomerBook, CustomerKind, StoreError
from custmodel.testing import strategies as cst
from custmodel.testing.snapshots import take_snapshot
from travelshop import JsonFileStore

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


class _Abort(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised inside a transaction to make it fail after its writes."""


@settings(deadline=None)  # every write goes to disk, which takes what it takes
@given(st.data())
def test_a_reopened_store_holds_exactly_what_was_written(data: st.DataObject) -> None:
    """Settings, customers, bookings, a merge and an erasure request come back from the file."""
    settings = data.draw(cst.settings(), label="settings")
    population = data.draw(
        cst.customers_with_bookings(settings=settings, around=NOW.date(), max_size=4),
        label="population",
    )
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "customers.json"
        book = CustomerBook(JsonFileStore(path), settings, clock=lambda: NOW)
        book.register_many(draft for draft, _ in population)
        for _, bookings in population:
            for booking in bookings:
                book.record_booking(booking)
        if len(population) > 1:
            book.merge(1, [2])
        book.request_erasure(1, NOW.date())

        assert take_snapshot(book.store) == take_snapshot(JsonFileStore(path))


def test_a_failed_transaction_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    """A transaction that raises after writing changes neither the store nor its file."""
    path = tmp_path / "customers.json"
    book = CustomerBook(JsonFileStore(path))
    book.register(CustomerKind.PRIVATE, "Müller")
    before = path.read_bytes()

    def allocate_then_fail() -> None:
        with book.store.transaction() as tx:
            tx.allocate_numbers(5)
            raise _Abort

    with pytest.raises(_Abort):
        allocate_then_fail()

    assert before == path.read_bytes()
    assert 2 == book.register(CustomerKind.PRIVATE, "Meier").number


def test_a_file_that_is_no_customer_file_is_refused(tmp_path: Path) -> None:
    """Opening a file the store did not write raises StoreError."""
    path = tmp_path / "customers.json"
    path.write_text('{"something": "else"}', encoding="utf-8")

    with pytest.raises(StoreError):
        JsonFileStore(path)


def test_a_closed_store_refuses_transactions(tmp_path: Path) -> None:
    """After close the store is unusable."""
    store = JsonFileStore(tmp_path / "customers.json")
    store.close()

    with pytest.raises(StoreError), store.transaction():
        pass
