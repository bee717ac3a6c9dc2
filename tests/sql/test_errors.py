"""Driver errors reach callers as custmodel errors, and a failed transaction writes nothing."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import attrs
import pytest

from custmodel.errors import (
    ConcurrentUpdateError,
    CustomerNotFoundError,
    DebtorAccountError,
    InvalidInputError,
    StoreBusyError,
    StoreError,
)
from custmodel.model import Booking, BookingKind, Customer, Selection, Settings
from custmodel.storage.ports import StoreTransaction
from custmodel.storage.sql import SqlStore
from tests.sql.helpers import NOW, customer, register

#: A name that must never appear in an error message (R9).
PERSONAL_NAME = "Geheimrat Verschwiegen"


@pytest.fixture
def store(sql_url: str) -> Iterator[SqlStore]:
    """A migrated, empty store on each SQL engine."""
    store = SqlStore.from_url(sql_url)
    yield store
    store.close()


def _in_thread(work: Callable[[], object]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # the test inspects it
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def test_taken_debtor_account_on_insert_is_a_debtor_account_error(store: SqlStore) -> None:
    """Inserting a customer whose debtor account is stored raises DebtorAccountError."""
    register(store)

    with pytest.raises(DebtorAccountError, match="10001"), store.transaction() as tx:
        tx.insert_customers([customer(2, debtor_account=10001)])


def test_taken_customer_number_on_insert_is_invalid_input(store: SqlStore) -> None:
    """Inserting a customer under a stored number raises InvalidInputError."""
    register(store)

    with pytest.raises(InvalidInputError, match="number 1"), store.transaction() as tx:
        tx.insert_customers([customer(1, debtor_account=20001)])


def test_debtor_account_taken_concurrently_is_a_debtor_account_error(store: SqlStore) -> None:
    """A unique violation from a concurrent insert translates to DebtorAccountError."""
    inserted = threading.Event()

    def first() -> None:
        with store.transaction() as tx:
            tx.insert_customers([customer(1)])
            inserted.set()
            # Let the second transaction pass its checks and wait on our row before we commit.
            time.sleep(0.5)

    thread, errors = _in_thread(first)
    assert inserted.wait(10)
    with pytest.raises(DebtorAccountError) as raised, store.transaction() as tx:
        tx.insert_customers([customer(2, debtor_account=10001, last_name=PERSONAL_NAME)])
    thread.join()

    assert [] == errors
    assert PERSONAL_NAME not in str(raised.value)
    assert PERSONAL_NAME not in str(raised.value.__cause__)


def test_stale_version_is_a_concurrent_update_error(store: SqlStore) -> None:
    """Updating from an old version raises ConcurrentUpdateError with both versions."""
    original = register(store)
    with store.transaction() as tx:
        tx.update_customers([attrs.evolve(original, city="Köln")])

    with pytest.raises(ConcurrentUpdateError) as raised, store.transaction() as tx:
        tx.update_customers([attrs.evolve(original, city="Bonn")])

    assert (1, 1, 2) == (raised.value.number, raised.value.expected, raised.value.actual)


def test_updating_a_missing_customer_is_not_found(store: SqlStore) -> None:
    """Updating a number that is not stored raises CustomerNotFoundError."""
    with pytest.raises(CustomerNotFoundError), store.transaction() as tx:
        tx.update_customers([customer(7)])


def test_failed_batch_update_writes_none_of_the_batch(store: SqlStore) -> None:
    """When one customer of a batch is stale, the others stay unchanged even if caught."""
    first, second = register(store), register(store)
    with store.transaction() as tx:
        tx.update_customers([attrs.evolve(second, city="Köln")])

    # The caller catches the error and commits what the transaction holds.
    with store.transaction() as tx, pytest.raises(ConcurrentUpdateError):
        tx.update_customers([attrs.evolve(first, city="Bonn"), second])

    with store.transaction(write=False) as tx:
        assert first == tx.get_customer(first.number)


def test_booking_of_a_missing_customer_is_not_found(store: SqlStore) -> None:
    """A booking for a customer that does not exist raises CustomerNotFoundError."""
    booking = Booking("AB-000001", 99, BookingKind.BOOKING, date(2024, 5, 1), "AG1")

    with pytest.raises(CustomerNotFoundError), store.transaction() as tx:
        tx.put_booking(booking)


def test_failing_transaction_leaves_nothing_written(store: SqlStore) -> None:
    """When the block raises, numbers, customers, bookings and settings are as before."""
    booking = Booking("AB-000001", 1, BookingKind.BOOKING, date(2024, 5, 1), "AG1")

    def write_everything(tx: StoreTransaction) -> None:
        tx.put_settings(Settings(debtor_base=50000))
        tx.insert_customers([customer(tx.allocate_numbers(), last_name=PERSONAL_NAME)])
        tx.put_booking(booking)
        tx.set_status(Selection(), 3, True, NOW)
        raise RuntimeError("the caller's own failure")

    with pytest.raises(RuntimeError), store.transaction() as tx:
        write_everything(tx)

    with store.transaction() as tx:
        assert (None, 0, None, 1) == (
            tx.get_settings(),
            tx.count(Selection(include_merged=True)),
            tx.get_booking("AB-000001"),
            tx.allocate_numbers(),
        )


def test_messages_carry_no_personal_data(store: SqlStore) -> None:
    """Neither custmodel's message nor the chained driver error quotes a customer's name."""
    register(store, last_name=PERSONAL_NAME)

    with pytest.raises(DebtorAccountError) as raised, store.transaction() as tx:
        tx.insert_customers([customer(2, debtor_account=10001, last_name=PERSONAL_NAME)])

    assert PERSONAL_NAME not in str(raised.value)


def test_closed_store_refuses_transactions(store: SqlStore) -> None:
    """A closed store raises StoreError instead of reconnecting."""
    store.close()

    with pytest.raises(StoreError, match="closed"), store.transaction():
        pass


def test_unreachable_server_is_a_store_error() -> None:
    """Opening a server that does not answer raises StoreError, not a driver exception."""
    with pytest.raises(StoreError):
        SqlStore.from_url("postgresql://postgres@127.0.0.1:9/test?connect_timeout=2")


def test_locked_sqlite_is_store_busy(tmp_path: Path) -> None:
    """A write lock held by another connection past the busy timeout raises StoreBusyError."""
    path = tmp_path / "locked.sqlite"
    store = SqlStore.from_url(f"sqlite:///{path}?timeout=0.1")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")

        with pytest.raises(StoreBusyError), store.transaction() as tx:
            tx.allocate_numbers()
    finally:
        other.close()
        store.close()


def test_sqlite_readers_are_not_blocked_by_a_writer(tmp_path: Path) -> None:
    """In WAL mode a read transaction sees the last commit while another writer holds the lock."""
    path = tmp_path / "wal.sqlite"
    store = SqlStore.from_url(f"sqlite:///{path}?timeout=0.1")
    stored = register(store)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE custmodel_customers SET city = 'x'")

        with store.transaction(write=False) as tx:
            assert stored == tx.get_customer(1)
    finally:
        other.close()
        store.close()


@pytest.fixture(
    params=[
        pytest.param("postgres_url", marks=pytest.mark.server),
        pytest.param("mariadb_url", marks=pytest.mark.server),
    ]
)
def server_url(request: pytest.FixtureRequest) -> str:
    """An empty custmodel database on each server engine (SQLite writers cannot deadlock)."""
    url: str = request.getfixturevalue(request.param)
    return url


def test_server_deadlock_is_store_busy(server_url: str) -> None:
    """Two transactions locking two customers in opposite order: the victim gets StoreBusyError."""
    store = SqlStore.from_url(server_url)
    first, second = register(store), register(store)
    both_hold_one = threading.Barrier(2, timeout=10)

    def lock_in_order(a: Customer, b: Customer) -> Callable[[], None]:
        def work() -> None:
            with store.transaction() as tx:
                tx.update_customers([a])
                both_hold_one.wait()
                tx.update_customers([b])

        return work

    try:
        one, one_errors = _in_thread(lock_in_order(first, second))
        two, two_errors = _in_thread(lock_in_order(second, first))
        one.join(30)
        two.join(30)
    finally:
        store.close()

    errors = one_errors + two_errors
    assert [StoreBusyError] == [type(e) for e in errors], errors
