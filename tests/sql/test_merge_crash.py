"""A merge is atomic on SQLite also when its process is killed at any moment (R8)."""

from __future__ import annotations

import multiprocessing
import random
import shutil
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from custmodel import CustomerBook, Settings
from custmodel.model import Booking, BookingKind, RequestKind, SalesChannel
from custmodel.storage import _sqlschema as schema
from custmodel.storage.sql import SqlStore, booking_to_row
from tests.sql import _workers
from tests.sql.helpers import NOW, customer

TRIALS = 32
BOOKINGS = 20_000
DUPLICATES = 5
#: Bookings of the master; the rest is spread evenly over the duplicates.
MASTER_BOOKINGS = 2_000
#: Children spawned ahead of the running trial, so their start-up overlaps it.
LOOKAHEAD = 2
#: The kill delays cover the measured merge time and this much beyond (the commit is near its end).
OVERSHOOT = 1.3
HOST_TABLE, HOST_COLUMN = "invoices", "customer_number"


@attrs.frozen
class State:
    """What a database file holds that a merge changes.

    Attributes:
        integrity: SQLite's ``PRAGMA integrity_check`` answer ("ok").
        bookings: Customer number -> how many bookings point at it.
        merged_into: Customer number -> its master, None while active.
        records: How many merge records the audit holds.
        invoices: The customer of each host invoice, by invoice id.
        requests: The customer of each erasure request, by request id.
    """

    integrity: str
    bookings: dict[int, int]
    merged_into: dict[int, int | None]
    records: int
    invoices: tuple[int, ...]
    requests: tuple[int, ...]


@attrs.frozen
class Prepared:
    """A database file with a master, its duplicates and their bookings, and its state."""

    path: Path
    master: int
    duplicates: tuple[int, ...]
    state: State


def _invoices() -> sa.TableClause:
    """The host table the merges must move along."""
    return sa.table(HOST_TABLE, sa.column("id"), sa.column(HOST_COLUMN))


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _state(path: Path, numbers: list[int]) -> State:
    """Read the state of the database file at ``path`` (recovering it first, as any open does)."""
    store = SqlStore.from_url(_url(path), upgrade=False)
    b = schema.bookings.c
    invoices = _invoices()
    try:
        with store.engine.connect() as connection:
            integrity = str(connection.exec_driver_sql("PRAGMA integrity_check").scalar_one())
            counts = connection.execute(sa.select(b.customer, sa.func.count()).group_by(b.customer))
            bookings = {int(n): int(count) for n, count in counts}
            invoiced = connection.execute(
                sa.select(invoices.c[HOST_COLUMN]).order_by(invoices.c.id)
            ).scalars()
            invoice_customers = tuple(int(n) for n in invoiced)
        with store.transaction(write=False) as tx:
            customers = tx.get_customers(numbers)
            records = len(tx.merge_records())
            requests = tuple(r.customer for r in tx.requests(open_only=False))
    finally:
        store.close()
    return State(
        integrity=integrity,
        bookings=bookings,
        merged_into={n: customers[n].merged_into for n in numbers},
        records=records,
        invoices=invoice_customers,
        requests=requests,
    )


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    """A master with 2,000 bookings and five duplicates with 18,000, an invoice for each of
    them in a host table, and an erasure request of the first duplicate."""
    path = tmp_path_factory.mktemp("merge-crash") / "prepared.sqlite"
    store = SqlStore.from_url(_url(path))
    CustomerBook(store, Settings())
    with store.transaction() as tx:
        master = tx.allocate_numbers(DUPLICATES + 1)
        duplicates = tuple(range(master + 1, master + 1 + DUPLICATES))
        tx.insert_customers([customer(n) for n in (master, *duplicates)])
        tx.add_request(RequestKind.ERASURE, duplicates[0], date(2024, 2, 1), NOW)
    owners = [master] * MASTER_BOOKINGS + [
        duplicates[i % DUPLICATES] for i in range(BOOKINGS - MASTER_BOOKINGS)
    ]
    rows = [
        booking_to_row(
            Booking(
                reference=f"B{i:06d}",
                customer=owner,
                kind=BookingKind.BOOKING,
                departure=date(2024, 5, 1),
                point_of_sale="AG1",
                channel=SalesChannel.own(),
            )
        )
        for i, owner in enumerate(owners)
    ]
    with store.engine.begin() as connection:
        connection.execute(sa.insert(schema.bookings), rows)
        connection.exec_driver_sql(
            f"CREATE TABLE {HOST_TABLE} (id INTEGER PRIMARY KEY, "
            f"{HOST_COLUMN} BIGINT NOT NULL REFERENCES custmodel_customers(number))"
        )
        connection.execute(
            sa.insert(_invoices()),
            [{"id": i, HOST_COLUMN: n} for i, n in enumerate((master, *duplicates), start=1)],
        )
    # Closing the last connection checkpoints the log into the file and deletes it, so
    # copying the one file copies the whole database.
    store.close()
    assert not Path(f"{path}-wal").exists()
    numbers = [master, *duplicates]
    return Prepared(path, master, duplicates, _state(path, numbers))


def _merged(prepared: Prepared) -> State:
    """The state a completed merge leaves."""
    master = prepared.master
    before = prepared.state
    return attrs.evolve(
        before,
        bookings={master: BOOKINGS},
        merged_into={master: None, **dict.fromkeys(prepared.duplicates, master)},
        records=1,
        invoices=tuple(master for _ in before.invoices),
        requests=tuple(master for _ in before.requests),
    )


class _Child:
    """A spawned process that merges a copy of the prepared database when told to."""

    def __init__(self, context: Any, prepared: Prepared, path: Path) -> None:
        shutil.copyfile(prepared.path, path)
        self.path = path
        self.ready = context.Event()
        self.go = context.Event()
        self.elapsed = context.Value("d", -1.0)
        self.process = context.Process(
            target=_workers.merge_on_signal,
            args=(
                str(path),
                prepared.master,
                list(prepared.duplicates),
                (HOST_TABLE, HOST_COLUMN),
                self.ready,
                self.go,
                self.elapsed,
            ),
        )
        self.process.start()

    def wait_ready(self) -> None:
        """Wait until the child has opened the database and waits for ``go``."""
        if not self.ready.wait(60):
            self.process.kill()
            raise AssertionError("the merging process did not start within 60 s")

    def run(self, kill_after: float | None) -> int | None:
        """Let it merge; kill it after ``kill_after`` seconds (None: let it finish).

        Returns:
            The exit code: 0 if it finished, -9 if the kill came first.
        """
        self.wait_ready()
        self.go.set()
        if kill_after is not None:
            time.sleep(kill_after)
            self.process.kill()
        self.process.join(60)
        exit_code: int | None = self.process.exitcode
        return exit_code


@pytest.fixture(scope="module")
def context() -> Any:
    """Processes are spawned: a fresh interpreter, as a real second program would be."""
    return multiprocessing.get_context("spawn")


def _children(context: Any, prepared: Prepared, directory: Path) -> Iterator[_Child]:
    """Yield TRIALS children, each started LOOKAHEAD trials before its turn.

    Each is yielded only when the ones after it have started up too, so no start-up competes
    with a merge for the processor and every merge takes about the measured time.
    """
    started: list[_Child] = []
    for trial in range(TRIALS):
        while len(started) <= LOOKAHEAD and trial + len(started) < TRIALS:
            number = trial + len(started)
            started.append(_Child(context, prepared, directory / f"trial-{number:02d}.sqlite"))
        for child in started:
            child.wait_ready()
        yield started.pop(0)


def test_an_unkilled_merge_completes(prepared: Prepared, context: Any, tmp_path: Path) -> None:
    """Without a kill the child's merge completes: the 'merged' state the trials compare with."""
    child = _Child(context, prepared, tmp_path / "unkilled.sqlite")

    exit_code = child.run(kill_after=None)

    numbers = [prepared.master, *prepared.duplicates]
    assert 0 == exit_code
    assert _merged(prepared) == _state(child.path, numbers)


def test_a_killed_merge_is_all_or_nothing(
    prepared: Prepared, context: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Killed at a random moment of the merge, the file holds the merge completely or not at all."""
    measuring = _Child(context, prepared, tmp_path / "measured.sqlite")
    assert 0 == measuring.run(kill_after=None)
    duration = float(measuring.elapsed.value)
    # Stratified: one delay in each of TRIALS equal slices of the window, in random order,
    # so the kills cover the whole merge and the moments after its commit.
    window = duration * OVERSHOOT
    delays = [window * (i + random.random()) / TRIALS for i in range(TRIALS)]
    random.shuffle(delays)
    numbers = [prepared.master, *prepared.duplicates]
    merged, unchanged = _merged(prepared), prepared.state
    outcomes: list[str] = []

    for delay, child in zip(delays, _children(context, prepared, tmp_path), strict=True):
        exit_code = child.run(kill_after=delay)
        state = _state(child.path, numbers)
        assert state in (merged, unchanged), (delay, exit_code, state)
        assert BOOKINGS == sum(state.bookings.values())
        outcomes.append("merged" if state == merged else "unchanged")
        child.path.unlink()

    split = {"merged": outcomes.count("merged"), "unchanged": outcomes.count("unchanged")}
    with capsys.disabled():
        print(f"\nmerge {duration:.3f} s, {TRIALS} kills within {window:.3f} s: {split}")
    assert TRIALS == sum(split.values())
