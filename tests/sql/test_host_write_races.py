"""Host rows written under ``SqlStore.hold_customer`` never stay on a merged customer.

The call locks the customer row in the host's own transaction against merges (PostgreSQL
``FOR SHARE``, MariaDB ``LOCK IN SHARE MODE``, SQLite's write lock), and a merge locks master
and duplicates (``FOR NO KEY UPDATE``, ``FOR UPDATE``, ``BEGIN IMMEDIATE``). Deterministic
tests hold one side's commit open; the race runs writers and merges in separate processes on
a SQLite file, PostgreSQL and MariaDB.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa

from custmodel import CustomerBook
from custmodel.storage.sql import SqlStore
from tests.background import Background
from tests.sql import _workers_host
from tests.sql._workers_host import HOLD, PAYMENT_COLUMN, PAYMENTS, RESOLVE
from tests.sql.host_payments import book, pay, payers, payments, register, store

__all__ = ["book", "payments", "store"]

#: Race: trials per engine, and trials of the control (which strands payments in each).
TRIALS = 30
CONTROL_TRIALS = 6
#: Race: writer processes, and how many payments each writes at least per trial.
WRITERS = 3
LEAST = 12
#: Race: each trial registers four customers and merges them into the first, in this order
#: (offsets from the first number): two pairs, then a chain (3 -> 2 -> 0).
MERGES = [(0, 1), (2, 3), (0, 2)]
#: How long a SQLite test waits before it takes the other side as blocked (no lock views).
SQLITE_PAUSE = 0.5
#: How long a test waits at most for the other side.
PATIENCE = 10.0


# -- one side's commit held open --------------------------------------------------------------


def _session_id(connection: sa.Connection) -> int:
    """The server's id of the connection's session."""
    if connection.dialect.name == "postgresql":
        query = "SELECT pg_backend_pid()"
    else:
        query = "SELECT CONNECTION_ID()"
    return int(connection.exec_driver_sql(query).scalar_one())


def _blocked_by(store: SqlStore, holder: int) -> bool:
    """Whether some session waits for a lock the session ``holder`` holds."""
    with store.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            statement = sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE :holder = ANY(pg_blocking_pids(pid))"
            )
        else:
            statement = sa.text(
                "SELECT count(*) FROM information_schema.INNODB_LOCK_WAITS AS w "
                "JOIN information_schema.INNODB_TRX AS t ON t.trx_id = w.blocking_trx_id "
                "WHERE t.trx_mysql_thread_id = :holder"
            )
        return bool(connection.execute(statement, {"holder": holder}).scalar_one())


def _waiting(store: SqlStore, session: int) -> bool:
    """Whether the session ``session`` waits for a lock."""
    with store.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            statement = sa.text("SELECT cardinality(pg_blocking_pids(:session))")
        else:
            statement = sa.text(
                "SELECT count(*) FROM information_schema.INNODB_TRX "
                "WHERE trx_mysql_thread_id = :session AND trx_state = 'LOCK WAIT'"
            )
        return bool(connection.execute(statement, {"session": session}).scalar_one())


def _eventually(check: Callable[[], bool]) -> None:
    """Wait until ``check()`` holds; fail after PATIENCE seconds."""
    deadline = time.monotonic() + PATIENCE
    while not check():
        assert time.monotonic() < deadline, "the other side never waited for the lock"
        # MariaDB refreshes its lock views only when nobody read them for 0.1 seconds.
        time.sleep(0.15)


def test_a_merge_waits_for_a_held_customer_and_then_moves_the_row(
    store: SqlStore, book: CustomerBook
) -> None:
    """A merge of a customer held by an open host transaction waits, then moves its row."""
    master, duplicate = register(book, 2)
    sqlite = store.engine.dialect.name == "sqlite"

    with store.engine.begin() as connection:
        held = store.hold_customer(connection, duplicate)
        pay(connection, held)
        holder = None if sqlite else _session_id(connection)
        merge = Background(lambda: book.merge(master, [duplicate]))
        if holder is None:
            time.sleep(SQLITE_PAUSE)
        else:
            _eventually(lambda: _blocked_by(store, holder))
        assert not merge.done
    merge.result()

    assert (duplicate, [master]) == (held, payers(store))


def test_a_held_customer_waits_for_a_merge_and_then_names_the_master(
    url: str, store: SqlStore, book: CustomerBook
) -> None:
    """A host transaction holding a customer whose merge commits waits, then gets the master."""
    master, duplicate = register(book, 2)
    sqlite = store.engine.dialect.name == "sqlite"
    merging = SqlStore.from_url(url, upgrade=False)
    merging.register_reference(PAYMENTS, PAYMENT_COLUMN)
    merger = CustomerBook(merging)
    committing, release = threading.Event(), threading.Event()

    def hold_the_commit(_connection: sa.Connection) -> None:
        committing.set()
        release.wait(PATIENCE)

    sa.event.listen(merging.engine, "commit", hold_the_commit)
    try:
        merge = Background(lambda: merger.merge(master, [duplicate]))
        assert committing.wait(PATIENCE)
        sessions: list[int] = []

        def write() -> int:
            with store.engine.begin() as connection:
                if not sqlite:
                    sessions.append(_session_id(connection))
                held = store.hold_customer(connection, duplicate)
                pay(connection, held)
            return held

        writer = Background(write)
        if sqlite:
            time.sleep(SQLITE_PAUSE)
        else:
            _eventually(lambda: bool(sessions) and _waiting(store, sessions[0]))
        assert not writer.done
        release.set()
        merge.result()
        held = writer.result()
    finally:
        release.set()
        merging.close()

    assert (master, [master]) == (held, payers(store))


# -- the race ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pool() -> Iterator[tuple[ProcessPoolExecutor, Any]]:
    """WRITERS + 1 spawned worker processes for the module, and a sync manager."""
    context = multiprocessing.get_context("spawn")
    with (
        context.Manager() as manager,
        ProcessPoolExecutor(WRITERS + 1, mp_context=context) as executor,
    ):
        yield executor, manager


def _stranded(store: SqlStore) -> int:
    """How many payments name a merged customer."""
    payments = sa.table(PAYMENTS, sa.column(PAYMENT_COLUMN))
    customers = sa.table("custmodel_customers", sa.column("number"), sa.column("merged_into"))
    statement = (
        sa.select(sa.func.count())
        .select_from(payments.join(customers, customers.c.number == payments.c[PAYMENT_COLUMN]))
        .where(customers.c.merged_into.is_not(None))
    )
    with store.engine.connect() as connection:
        return int(connection.execute(statement).scalar_one())


def _race(
    pool: tuple[ProcessPoolExecutor, Any], store: SqlStore, mode: str, trials: int
) -> dict[str, int]:
    """Run ``trials`` races of WRITERS writers against a merger; count what they did."""
    executor, manager = pool
    url = store.engine.url.render_as_string(hide_password=False)
    book = CustomerBook(store)
    counts = {"trials": trials, "payments": 0, "merges": 0, "stranded": 0, "wrong trials": 0}
    for trial in range(trials):
        numbers = register(book, 4)
        merges = [(numbers[master], numbers[duplicate]) for master, duplicate in MERGES]
        start = manager.Barrier(WRITERS + 1, timeout=120)
        done = manager.Event()
        merger = executor.submit(_workers_host.merge_customers, url, merges, start, done)
        writers = [
            executor.submit(
                _workers_host.write_payments, url, mode, numbers, LEAST, start, done, seed
            )
            for seed in range(trial * WRITERS, (trial + 1) * WRITERS)
        ]
        counts["merges"] += merger.result(timeout=300)
        counts["payments"] += sum(writer.result(timeout=300) for writer in writers)
        stranded = _stranded(store)
        counts["wrong trials"] += stranded > counts["stranded"]
        counts["stranded"] = stranded
    return counts


def test_held_payments_never_stay_on_a_merged_customer(
    pool: tuple[ProcessPoolExecutor, Any], store: SqlStore
) -> None:
    """30 races of 3 holding writers against 3 merges each: no payment names a tombstone."""
    counts = _race(pool, store, HOLD, TRIALS)

    print(f"hold_customer on {store!r}: {counts}")
    assert counts["payments"] >= 1000
    assert counts["merges"] >= 50
    assert 0 == counts["stranded"]


def test_payments_of_resolved_numbers_do_stay_on_merged_customers(
    pool: tuple[ProcessPoolExecutor, Any], store: SqlStore
) -> None:
    """Control: in the same race, writers that resolve first and insert later strand payments."""
    counts = _race(pool, store, RESOLVE, CONTROL_TRIALS)

    print(f"resolve, then insert on {store!r}: {counts}")
    assert counts["stranded"] > 0
