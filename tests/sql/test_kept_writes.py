"""Transactions on a SQLite file run on a connection each thread keeps (KeptWrites), which
reads the settings again only after a change (SettingsMemo)."""

from __future__ import annotations

import gc
import logging
import multiprocessing
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from sqlalchemy import Connection

from custmodel import (
    Customer,
    CustomerBook,
    CustomerKind,
    InvalidCategoryError,
    Selection,
    Settings,
    StoreError,
)
from custmodel.storage.sql import SqlStore
from tests.servers import migrated_sqlite_copy
from tests.sql.helpers import customer, register, statements_sent


@pytest.fixture
def store(sqlite_url: str) -> Iterator[SqlStore]:
    """A store on a SQLite file."""
    store = SqlStore.from_url(sqlite_url)
    yield store
    store.close()


def _driver(tx: object) -> sqlite3.Connection:
    """The driver's connection a transaction runs on."""
    connection: Connection = tx._conn  # type: ignore[attr-defined]
    driver: sqlite3.Connection = connection.connection.dbapi_connection  # type: ignore[assignment]
    return driver


def _connection(store: SqlStore, *, write: bool = True) -> sqlite3.Connection:
    """The driver's connection the calling thread's next transaction runs on."""
    with store.transaction(write=write) as tx:
        return _driver(tx)


def _closed(driver: sqlite3.Connection) -> bool:
    try:
        driver.execute("SELECT 1")
    except sqlite3.ProgrammingError:
        return True
    return False


def _open(store: SqlStore) -> int:
    writers: Any = store._writers
    return int(writers.open_connections())


def test_a_threads_transactions_run_on_one_kept_connection(store: SqlStore) -> None:
    """Write and read transactions of one thread run on the same connection, outside the
    pool's count."""
    first = _connection(store)
    register(store)
    assert (first, first) == (_connection(store), _connection(store, write=False))
    assert (1, 0) == (_open(store), store.engine.pool.checkedout())  # type: ignore[attr-defined]


def test_a_transaction_inside_another_gets_a_connection_of_its_own(store: SqlStore) -> None:
    """A transaction opened while the thread's transaction runs takes another connection,
    sees only what was committed, and leaves the kept one to the outer transaction."""
    kept = _connection(store)
    with store.transaction() as outer:
        outer.allocate_numbers(5)
        with store.transaction(write=False) as inner:
            inner_connection = _driver(inner)
            # The outer transaction's numbers are not committed yet.
            inner_sees = inner.get_settings()
        assert _driver(outer) is kept
    assert inner_connection is not kept
    assert inner_sees is None
    assert kept is _connection(store)
    with store.transaction() as tx:
        assert 6 == tx.allocate_numbers()


def test_an_error_in_a_transaction_closes_the_kept_connection(store: SqlStore) -> None:
    """After a transaction that raised, its connection is closed and the next one is new;
    nothing of the failed transaction was written."""
    failed_on = _connection(store)

    def fail() -> None:
        with store.transaction() as tx:
            tx.allocate_numbers(3)
            raise ValueError("bad")

    with pytest.raises(ValueError, match="bad"):
        fail()
    assert _closed(failed_on)
    with store.transaction() as tx:
        assert 1 == tx.allocate_numbers()
        assert _driver(tx) is not failed_on
    assert 1 == _open(store)


# -- transactions nobody watches: begun and committed on the driver ------------------------------


def _sqlalchemy(tx: object) -> Connection:
    """The SQLAlchemy connection a transaction runs on."""
    connection: Connection = tx._conn  # type: ignore[attr-defined]
    return connection


def _numbers(store: SqlStore) -> list[int]:
    with store.transaction(write=False) as tx:
        return [c.number for c in tx.select(Selection(include_merged=True))]


def test_an_unwatched_transaction_is_the_drivers_own(store: SqlStore) -> None:
    """Nobody watching, a thread's transactions begin and commit on the driver, on one
    SQLAlchemy connection kept with the driver's, which never begins one of its own."""
    with store.transaction() as first:
        number = first.allocate_numbers()
        state = (_driver(first).in_transaction, _sqlalchemy(first).in_transaction())
    with store.transaction() as second:
        again = _sqlalchemy(second) is _sqlalchemy(first)
        second.insert_customers([customer(number)])
    assert ((True, False), True) == (state, again)
    assert (False, [1]) == (_driver(first).in_transaction, _numbers(store))


def test_a_transaction_sqlalchemy_joins_commits_and_rolls_back_as_one(store: SqlStore) -> None:
    """A statement that goes through SQLAlchemy (a batch's savepoint) joins the transaction
    begun on the driver: all of it commits together, or on an error none of it stays."""
    with store.transaction() as tx:
        first = tx.allocate_numbers(2)
        tx.insert_customers([customer(first), customer(first + 1)])
        joined = _sqlalchemy(tx).in_transaction()

    def fail() -> None:
        with store.transaction() as tx:
            low = tx.allocate_numbers(2)
            tx.insert_customers([customer(low), customer(low + 1)])
            raise ValueError("bad")

    with pytest.raises(ValueError, match="bad"):
        fail()
    with store.transaction() as tx:
        after = tx.allocate_numbers()
        kept = _sqlalchemy(tx)
    assert (True, [1, 2], 3) == (joined, _numbers(store), after)
    assert (False, False) == (kept.in_transaction(), _connection(store).in_transaction)


def test_a_listener_of_transactions_sees_a_kept_connections_begin_and_end(
    store: SqlStore,
) -> None:
    """A listener of begin, commit and rollback on the engine sees every transaction of a
    kept connection: while someone listens they go through SQLAlchemy, each on a new
    SQLAlchemy connection, as the pool's do."""
    seen: list[str] = []

    def noting(name: str) -> Callable[..., None]:
        return lambda *_: seen.append(name)

    listeners = {name: noting(name) for name in ("begin", "commit", "rollback")}
    register(store)
    for name, listener in listeners.items():
        sa.event.listen(store.engine, name, listener)
    try:
        with store.transaction() as first:
            first.allocate_numbers()
        with pytest.raises(ValueError, match="bad"), store.transaction() as second:
            raise ValueError("bad")
        fresh = _sqlalchemy(first) is not _sqlalchemy(second)
    finally:
        for name, listener in listeners.items():
            sa.event.remove(store.engine, name, listener)
    register(store)
    assert (["begin", "commit", "begin", "rollback"], True) == (seen, fresh)
    assert [1, 3] == _numbers(store)


def test_a_read_transaction_on_the_driver_takes_no_write_lock(store: SqlStore) -> None:
    """A read transaction begun on the driver is deferred: another connection writes while it
    runs, and it goes on reading the snapshot it started with."""
    register(store)
    path = store.engine.url.database
    assert path is not None
    with store.transaction(write=False) as tx:
        before = [c.number for c in tx.select(Selection())]
        with sqlite3.connect(path, isolation_level=None, timeout=0) as other:
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE custmodel_counters SET value = value + 1")
            other.execute("COMMIT")
        during = _driver(tx).in_transaction
    assert ([1], True) == (before, during)


def test_threads_keep_connections_beyond_the_pools_size(sqlite_url: str) -> None:
    """Kept connections do not count against the pool: more threads than it holds each keep
    one, and none waits for a free one."""
    store = SqlStore.from_url(sqlite_url, pool_size=1, max_overflow=0, pool_timeout=1)
    book = CustomerBook(store)
    threads = 4
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []
    connections: list[sqlite3.Connection] = []

    def work() -> None:
        try:
            connections.append(_connection(store))
            barrier.wait(timeout=30)  # every thread holds its kept connection now
            register(store)
        except BaseException as error:
            errors.append(error)
            barrier.abort()

    try:
        workers = [threading.Thread(target=work) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert [] == errors
        assert threads == len({id(connection) for connection in connections})
        assert threads == book.count(Selection())
    finally:
        store.close()


def test_a_thread_that_ends_closes_its_kept_connection(store: SqlStore) -> None:
    """The connection of a thread that ended is closed, not kept for the store's lifetime."""
    seen: list[sqlite3.Connection] = []
    thread = threading.Thread(target=lambda: seen.append(_connection(store)))
    thread.start()
    thread.join(timeout=60)
    del thread
    gc.collect()
    assert (0, True) == (_open(store), _closed(seen[0]))


def test_close_closes_idle_connections_and_busy_ones_when_their_transaction_ends(
    store: SqlStore,
) -> None:
    """Closing the store closes the idle kept connections at once; a transaction running
    meanwhile on another thread still commits, and its connection closes after it."""
    idle = _connection(store)
    started = threading.Event()
    proceed = threading.Event()
    outcome: list[object] = []

    def work() -> None:
        try:
            with store.transaction() as tx:
                outcome.append(_driver(tx))
                tx.allocate_numbers()
                started.set()
                proceed.wait(timeout=30)
            outcome.append("committed")
        except BaseException as error:
            outcome.append(error)
            started.set()

    thread = threading.Thread(target=work)
    thread.start()
    assert started.wait(timeout=30)
    store.close()
    busy_was_open = not _closed(outcome[0])  # type: ignore[arg-type]
    proceed.set()
    thread.join(timeout=60)
    assert (True, True, "committed") == (_closed(idle), busy_was_open, outcome[1])
    assert (True, 0) == (_closed(outcome[0]), _open(store))  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="closed"), store.transaction():
        pass


def _in_child(store: SqlStore, inherited: int, answers: Any) -> None:
    """In a forked process: register a customer and say whether the inherited connection was
    used for it."""
    register(store)
    answers.put(id(_connection(store)) == inherited)


def test_a_forked_process_does_not_use_the_parents_connection(store: SqlStore) -> None:
    """A process forked while the parent kept a connection opens its own; the parent's goes
    on working."""
    register(store)
    kept = _connection(store)
    context = multiprocessing.get_context("fork")
    answers = context.SimpleQueue()
    child = context.Process(target=_in_child, args=(store, id(kept), answers))
    child.start()
    child.join(timeout=60)
    assert (0, False) == (child.exitcode, answers.get())
    register(store)
    assert kept is _connection(store)
    assert 3 == CustomerBook(store).count(Selection())


# -- the settings a kept connection read ----------------------------------------------------------

_SETTINGS_READ = "FROM custmodel_settings"


def _with_category(settings: Settings, category: str) -> Settings:
    kind = settings.kind(CustomerKind.PRIVATE)
    return settings.with_kind(
        CustomerKind.PRIVATE, attrs.evolve(kind, categories=(*kind.categories, category))
    )


def test_registrations_read_the_settings_again_only_after_a_change(store: SqlStore) -> None:
    """On its kept connection a thread reads the settings once; later registrations read
    them again only after they were stored anew."""
    book = CustomerBook(store, Settings(), history=False)
    changed = _with_category(book.settings, "Cruise")
    reads: list[int] = []
    with statements_sent(store) as sent:
        for operation in (
            lambda: book.register(CustomerKind.PRIVATE, "First"),
            lambda: book.register(CustomerKind.PRIVATE, "Second"),
            lambda: book.configure(changed),
            lambda: book.register(CustomerKind.PRIVATE, "Third", category="Cruise"),
            lambda: book.register(CustomerKind.PRIVATE, "Fourth", category="Cruise"),
        ):
            sent.clear()
            operation()
            reads.append(sum(_SETTINGS_READ in statement for statement, _ in sent))
    # book.settings read them before (on this thread's kept connection too).
    assert [0, 0, 0, 1, 0] == reads


def test_settings_another_store_stored_apply_to_the_next_registration(
    store: SqlStore, sqlite_url: str
) -> None:
    """Settings stored through another connection (another process, here another store) are
    seen by the next registration on the kept connection."""
    book = CustomerBook(store, Settings(), history=False)
    book.register(CustomerKind.PRIVATE, "Before")
    other = SqlStore.from_url(sqlite_url)
    try:
        other_book = CustomerBook(other)
        other_book.configure(
            attrs.evolve(_with_category(other_book.settings, "Cruise"), debtor_base=20_000)
        )
    finally:
        other.close()
    after = book.register(CustomerKind.PRIVATE, "After", category="Cruise")
    assert (after.category, after.debtor_account // 10_000) == ("Cruise", 2)


def test_an_empty_store_reads_the_first_settings_another_store_stored(
    store: SqlStore, sqlite_url: str
) -> None:
    """A registration that found no settings stored (the defaults apply) finds the first ones
    another connection stores afterwards."""
    book = CustomerBook(store, history=False)
    book.register(CustomerKind.PRIVATE, "Before")
    with pytest.raises(InvalidCategoryError):
        book.register(CustomerKind.PRIVATE, "Refused", category="Cruise")
    book.register(CustomerKind.PRIVATE, "Before too")
    other = SqlStore.from_url(sqlite_url)
    try:
        CustomerBook(other, _with_category(Settings(), "Cruise"))
    finally:
        other.close()
    assert "Cruise" == book.register(CustomerKind.PRIVATE, "After", category="Cruise").category


def test_a_logger_switched_on_later_sees_the_kept_connections_statements(
    store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    """SQLAlchemy's statement log, switched on after the thread's connection was opened,
    shows the statements of its next transaction, and stops when it is switched off."""
    register(store)
    with caplog.at_level(logging.INFO, logger="sqlalchemy.engine.Engine.custmodel"):
        register(store)
    logged = len(caplog.records)
    register(store)
    assert any(r.getMessage().startswith("INSERT INTO custmodel_customers") for r in caplog.records)
    assert logged == len(caplog.records)


# -- settings changed by another writer meanwhile -------------------------------------------------

#: The debtor base the other writer switches to: a registration's account shows which it used.
_NEW_BASE = 50_000
#: Repetitions of the race below.
TRIALS = 30


def _change_base_and_mark(store: SqlStore, hold: float, committing: threading.Event) -> int:
    """In one transaction: store the new debtor base and register a marker customer; hold
    the commit open for ``hold`` seconds. Returns the marker's number: every registration
    numbered after it committed after these settings."""
    with store.transaction() as tx:
        stored = tx.get_settings(lock="update") or Settings()
        tx.put_settings(attrs.evolve(stored, debtor_base=_NEW_BASE))
        number = tx.allocate_numbers()
        tx.insert_customers([customer(number, debtor_account=_NEW_BASE + number)])
        time.sleep(hold)
        committing.set()
    return number


def _bases(customers: list[Customer], marker: int) -> tuple[set[int], set[int]]:
    """The debtor bases of the customers numbered before and after ``marker``."""
    before = {c.debtor_account - c.number for c in customers if c.number < marker}
    after = {c.debtor_account - c.number for c in customers if c.number > marker}
    return before, after


def test_a_registration_waiting_for_a_settings_change_uses_the_new_settings(
    store: SqlStore,
) -> None:
    """Another writer changes the debtor base and holds its commit open; a registration on
    a kept connection that read the old settings before waits for it and uses the new base."""
    book = CustomerBook(store, Settings(), history=False)
    first = book.register(CustomerKind.PRIVATE, "Before")  # the memo holds the old settings
    committing = threading.Event()
    marker: list[int] = []
    writer = threading.Thread(
        target=lambda: marker.append(_change_base_and_mark(store, 0.5, committing))
    )
    writer.start()
    time.sleep(0.1)  # the writer holds SQLite's write lock now
    waited = book.register(CustomerKind.PRIVATE, "Waited")
    writer.join(timeout=30)
    assert committing.is_set()
    assert (first.debtor_account - first.number, waited.debtor_account - waited.number) == (
        Settings().debtor_base,
        _NEW_BASE,
    )
    assert waited.number > marker[0]


def _race(store: SqlStore) -> tuple[list[Customer], int]:
    """One trial: this thread registers customers one by one while another changes the
    debtor base with a marker; returns what was registered and the marker's number."""
    book = CustomerBook(store, Settings(), history=False)
    registered = [book.register(CustomerKind.PRIVATE, "First")]
    marker: list[int] = []
    go = threading.Barrier(2)

    def change() -> None:
        go.wait(timeout=30)
        time.sleep(random.uniform(0, 0.002))
        marker.append(_change_base_and_mark(store, 0.0, threading.Event()))

    writer = threading.Thread(target=change)
    writer.start()
    go.wait(timeout=30)
    for n in range(10):
        registered.append(book.register(CustomerKind.PRIVATE, f"Racing {n}"))
    writer.join(timeout=30)
    return registered, marker[0]


def test_registrations_racing_a_settings_change_never_use_the_old_settings_after_it(
    sqlite_url: str,
) -> None:
    """Repeated: a thread registers customers one by one while another thread changes the
    debtor base with a marker customer. Every registration numbered after the marker used the
    new base, every one before it the old."""
    outcomes = {"old and new": 0, "old only": 0, "new only": 0}
    for trial in range(TRIALS):
        store = SqlStore.from_url(sqlite_url if trial == 0 else _fresh(sqlite_url, trial))
        try:
            registered, marker = _race(store)
        finally:
            store.close()
        before, after = _bases(registered, marker)
        assert before <= {Settings().debtor_base}, (trial, before)
        assert after <= {_NEW_BASE}, (trial, after)
        outcomes["old and new" if before and after else "old only" if before else "new only"] += 1
    print(f"settings race, {TRIALS} trials: {outcomes}")
    assert TRIALS == sum(outcomes.values())


def _fresh(sqlite_url: str, trial: int) -> str:
    """A new migrated SQLite file beside the fixture's, for one trial."""
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    return migrated_sqlite_copy(path.with_name(f"trial-{trial}.sqlite"))
