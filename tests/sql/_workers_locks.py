"""Stores that hold a commit open, and the work the lock tests run in spawned processes."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any, TypeVar

from custmodel import Booking, CustomerBook, CustomerKind, NewCustomer
from custmodel.errors import (
    AnonymizedCustomerError,
    CustmodelError,
    DebtorAccountError,
    MergeRefusedError,
)
from custmodel.model import BookingKind
from custmodel.storage import CustomerStore, StoreTransaction
from custmodel.storage.sql import SqlStore

T = TypeVar("T")

#: The agency that sweeps; bookings of OTHER block its anonymizations (R9).
AGENCY = "AG1"
OTHER = "AG2"
#: The day every sweep runs on; erasure requests are received well before it.
TODAY = date(2026, 11, 24)
RECEIVED = TODAY - timedelta(days=60)
KINDS = (
    CustomerKind.PRIVATE,
    CustomerKind.CORPORATE,
    CustomerKind.TRAVEL_AGENCY,
    CustomerKind.PROSPECT,
)
#: Changes each settings worker makes, and the status flags each owns per kind.
CHANGES = 20
FLAGS_PER_WORKER = 16


def blocking_booking(reference: str, customer: int) -> Booking:
    """A firm booking sold by another agency, departing in the future: it blocks erasure."""
    return Booking(
        reference=reference,
        customer=customer,
        kind=BookingKind.BOOKING,
        departure=TODAY + timedelta(days=30),
        point_of_sale=OTHER,
    )


class HeldStore:
    """A store whose write transactions wait for ``release`` before they commit.

    ``ready`` is set when a write transaction's work is done and only its commit is left:
    whatever it locked stays locked, and what it wrote stays invisible to others, until then.
    """

    def __init__(self, store: CustomerStore, ready: threading.Event, release: threading.Event):
        self.store = store
        self.ready = ready
        self.release = release

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[StoreTransaction]:
        with self.store.transaction(write=write) as tx:
            yield tx
            if write:
                self.ready.set()
                self.release.wait(60)

    def purge(self) -> None:
        self.store.purge()

    def close(self) -> None:
        self.store.close()


class _Reporting:
    """A transaction that sets ``event`` once it has run the sweep's query of due customers."""

    def __init__(self, tx: StoreTransaction, event: threading.Event) -> None:
        self._tx = tx
        self._event = event

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    def due_erasures(self, *args: Any, **kwargs: Any) -> list[int]:
        found: list[int] = self._tx.due_erasures(*args, **kwargs)
        self._event.set()
        return found


class ReportingStore:
    """A store whose transactions set ``queried`` once the sweep found its due customers."""

    def __init__(self, store: CustomerStore, queried: threading.Event) -> None:
        self.store = store
        self.queried = queried

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[StoreTransaction]:
        with self.store.transaction(write=write) as tx:
            yield _Reporting(tx, self.queried)

    def purge(self) -> None:
        self.store.purge()

    def close(self) -> None:
        self.store.close()


class SlowCommitStore:
    """A store whose write transactions take a random moment before they commit.

    Stands for an application that does a little more work in the transaction; it widens the
    window in which a concurrent sweep can run between a writer's lock and its commit.
    """

    def __init__(self, store: CustomerStore, seed: int) -> None:
        self.store = store
        self.random = random.Random(seed)

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[StoreTransaction]:
        with self.store.transaction(write=write) as tx:
            yield tx
            if write:
                time.sleep(self.random.uniform(0, 0.015))

    def purge(self) -> None:
        self.store.purge()

    def close(self) -> None:
        self.store.close()


def while_held(
    url: str,
    hold: Callable[[CustomerBook], object],
    act: Callable[[CustomerBook], T],
    *,
    reports: bool = False,
) -> T:
    """Run ``hold`` on a book whose commit is held, ``act`` meanwhile; return what it returned.

    The commit is released a moment after ``act`` started, time for it to reach the lock it
    waits for; with ``reports`` (a sweep) only after its query found the due customers, or a
    second at most (on SQLite the sweep waits for the writer before it can read anything).
    """
    ready, release, queried = threading.Event(), threading.Event(), threading.Event()
    held_store = HeldStore(SqlStore.from_url(url, upgrade=False), ready, release)
    acting_store = ReportingStore(SqlStore.from_url(url, upgrade=False), queried)
    results: list[T] = []
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        try:
            action()
        except BaseException as error:
            errors.append(error)

    def acting() -> None:
        results.append(act(CustomerBook(acting_store)))

    writer = threading.Thread(target=run, args=(lambda: hold(CustomerBook(held_store)),))
    writer.start()
    actor = threading.Thread(target=run, args=(acting,))
    try:
        assert ready.wait(30)
        actor.start()
        if reports:
            queried.wait(1)
        actor.join(0.3)
    finally:
        release.set()
        writer.join(30)
    actor.join(30)
    held_store.close()
    acting_store.close()
    if errors:
        raise errors[0]
    return results[0]


_stores: dict[str, SqlStore] = {}


def _store(url: str) -> SqlStore:
    """One store per URL and process: the race runs many trials in the same workers."""
    if url not in _stores:
        _stores[url] = SqlStore.from_url(url, upgrade=False)
    return _stores[url]


def book_in_race(url: str, customer: int, reference: str, start: Any, seed: int) -> str:
    """Record a blocking booking of ``customer`` when all are ready; say how it ended."""
    book = CustomerBook(SlowCommitStore(_store(url), seed), retries=50)
    start.wait()
    try:
        book.record_booking(blocking_booking(reference, customer))
    except AnonymizedCustomerError:
        return "refused: anonymized"
    return "recorded"


def merge_in_race(
    url: str, master: int, duplicate: int, start: Any, seed: int, delay: float = 0.0
) -> str:
    """Merge ``duplicate`` into ``master`` ``delay`` seconds after all are ready; say how it
    ended."""
    book = CustomerBook(SlowCommitStore(_store(url), seed), retries=50)
    start.wait()
    time.sleep(delay)
    try:
        book.merge(master, [duplicate])
    except MergeRefusedError:
        return "refused"
    return "merged"


def sweep_in_race(url: str, start: Any, seed: int, day: date = TODAY) -> int:
    """Run the erasure sweep for ``day`` after a random moment once all are ready; return how
    many it anonymized."""
    book = CustomerBook(_store(url), retries=50)
    pause = random.Random(seed).uniform(0, 0.01)
    start.wait()
    time.sleep(pause)
    return book.anonymize_due(AGENCY, day).anonymized


def flag_of(worker: int, change: int) -> int:
    """The status flag a settings worker labels in a change: 16 flags of its own per kind."""
    return (worker // len(KINDS)) * FLAGS_PER_WORKER + change % FLAGS_PER_WORKER + 1


def label_of(worker: int, change: int) -> str:
    return f"Prozess {worker} Aenderung {change}"


def rename_labels(url: str, start: Any, worker: int) -> tuple[int, list[str]]:
    """Label flags of the worker's own kind, CHANGES times; return successes and errors.

    Workers w and w + 4 share a kind (so a kind's row), each with its own 16 flags.
    """
    book = CustomerBook(_store(url), retries=50)
    kind = KINDS[worker % len(KINDS)]
    done = 0
    errors: list[str] = []
    start.wait()
    for change in range(CHANGES):
        try:
            book.rename_status_label(kind, flag_of(worker, change), label_of(worker, change))
        except CustmodelError as error:
            errors.append(type(error).__name__)
        except Exception as error:
            errors.append(f"untyped {type(error).__name__}")
        else:
            done += 1
    return done, errors


def register_batch_in_race(url: str, name: str, count: int, start: Any, seed: int) -> list[int]:
    """Register ``count`` customers named ``name`` in one batch, with the history, once all are
    ready and a random moment later; return their numbers."""
    book = CustomerBook(SlowCommitStore(_store(url), seed), retries=50, history=True)
    pause = random.Random(seed).uniform(0, 0.01)
    start.wait()
    time.sleep(pause)
    drafts = [NewCustomer(kind=CustomerKind.PRIVATE, last_name=name) for _ in range(count)]
    return [customer.number for customer in book.register_many(drafts)]


def race_two_batches(
    pool: tuple[Any, Any], url: str, trial: int, count: int
) -> tuple[list[int], list[int]]:
    """Register a batch of ``count`` named ``A<trial>`` and one named ``B<trial>`` at once, each
    from a process of ``pool`` (an executor and a sync manager; see
    :func:`register_batch_in_race`); return the numbers of A's and of B's."""
    executor, manager = pool
    start = manager.Barrier(2, timeout=60)
    futures = [
        executor.submit(register_batch_in_race, url, f"A{trial}", count, start, trial),
        executor.submit(register_batch_in_race, url, f"B{trial}", count, start, trial + 1000),
    ]
    a, b = (future.result(timeout=120) for future in futures)
    return a, b


def register_unless_refused(url: str, name: str, count: int, start: Any, seed: int) -> str:
    """Register a batch like :func:`register_batch_in_race`; say "registered", or "refused"
    when a debtor account lies outside its kind's range."""
    try:
        register_batch_in_race(url, name, count, start, seed)
    except DebtorAccountError:
        return "refused"
    return "registered"


def lower_debtor_max(url: str, maximum: int, start: Any, seed: int) -> None:
    """Set the private customers' highest debtor account to ``maximum`` once all are ready and
    a random moment later."""
    book = CustomerBook(SlowCommitStore(_store(url), seed), retries=50)
    pause = random.Random(seed).uniform(0, 0.01)
    start.wait()
    time.sleep(pause)
    book.update_kind_settings(CustomerKind.PRIVATE, debtor_max=maximum)
