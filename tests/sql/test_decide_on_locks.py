"""The erasure sweep and settings changes decide on what they locked, on every SQL engine.

Deterministic tests hold one side's commit open while the other runs; race tests run real
processes at once and count the outcomes the rules forbid.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from custmodel import CustomerBook, CustomerKind, RetentionRule
from custmodel.model import Booking
from custmodel.storage.sql import SqlStore
from tests.sql import _workers_locks as work

TRIALS = 30
SETTINGS_WORKERS = 8


@pytest.fixture(scope="module")
def pool() -> Iterator[tuple[ProcessPoolExecutor, Any]]:
    """Spawned worker processes shared by the module's race tests, and a sync manager."""
    context = multiprocessing.get_context("spawn")
    with (
        context.Manager() as manager,
        ProcessPoolExecutor(SETTINGS_WORKERS, mp_context=context) as executor,
    ):
        yield executor, manager


def _due_customer(book: CustomerBook) -> int:
    """Register a customer without bookings whose erasure request is due today."""
    number = book.register(kind=CustomerKind.PRIVATE, last_name="Muster").number
    book.request_erasure(number, work.RECEIVED)
    return number


def _sweep(book: CustomerBook) -> int:
    return book.anonymize_due(work.AGENCY, work.TODAY).anonymized


def test_a_sweep_waits_for_a_booking_committed_while_it_runs(url: str, book: CustomerBook) -> None:
    """A blocking booking committed while the sweep runs keeps its customer from erasure."""
    number = _due_customer(book)

    swept = work.while_held(
        url,
        lambda held: held.record_booking(work.blocking_booking("R-1", number)),
        _sweep,
        reports=True,
    )

    assert (0, False, ["R-1"]) == (
        swept,
        book.get(number).is_anonymized,
        [b.reference for b in book.bookings(number)],
    )


def test_a_sweep_waits_for_a_merge_committed_while_it_runs(url: str, book: CustomerBook) -> None:
    """A merge that moves a blocking booking to the master while the sweep runs keeps it."""
    master = _due_customer(book)
    duplicate = book.register(kind=CustomerKind.PRIVATE, last_name="Muster").number
    book.record_booking(work.blocking_booking("R-2", duplicate))

    swept = work.while_held(url, lambda held: held.merge(master, [duplicate]), _sweep, reports=True)

    assert (0, False, ["R-2"]) == (
        swept,
        book.get(master).is_anonymized,
        [b.reference for b in book.bookings(master)],
    )


def test_a_retention_sweep_waits_for_a_booking_committed_while_it_runs(
    url: str, book: CustomerBook
) -> None:
    """A customer idle long enough is due by retention; a firm booking committed while the
    sweep runs (it ends the idleness, and another agency sold it) keeps it from erasure."""
    book.update_kind_settings(CustomerKind.PRIVATE, retention=(RetentionRule.prospect_idle(1),))
    number = book.register(kind=CustomerKind.PRIVATE, last_name="Muster").number
    later = datetime.now(UTC).date() + timedelta(days=120)
    assert [number] == list(book.anonymize_due(work.AGENCY, later, dry_run=True).customers)

    swept = work.while_held(
        url,
        lambda held: held.record_booking(work.blocking_booking("R-3", number)),
        lambda sweeping: sweeping.anonymize_due(work.AGENCY, later).anonymized,
        reports=True,
    )

    assert (0, False, ["R-3"]) == (
        swept,
        book.get(number).is_anonymized,
        [b.reference for b in book.bookings(number)],
    )


def _blocked_but_anonymized(book: CustomerBook, numbers: list[int]) -> list[int]:
    """The customers anonymized although a firm booking of another agency blocks them."""
    wrong = []
    for number in numbers:
        bookings: list[Booking] = book.bookings(number)
        if book.get(number).is_anonymized and any(b.point_of_sale == work.OTHER for b in bookings):
            wrong.append(number)
    return wrong


def test_racing_sweeps_never_anonymize_a_customer_the_rule_protects(
    pool: tuple[ProcessPoolExecutor, Any], url: str, book: CustomerBook
) -> None:
    """30 trials of a booking, a merge and a sweep at once: nobody anonymized against R9."""
    executor, manager = pool
    booked_ones: list[int] = []
    masters: list[int] = []
    outcomes: dict[str, int] = {}
    for trial in range(TRIALS):
        booked = _due_customer(book)
        master = _due_customer(book)
        duplicate = book.register(kind=CustomerKind.PRIVATE, last_name="Muster").number
        book.record_booking(work.blocking_booking(f"D-{trial}", duplicate))
        booked_ones.append(booked)
        masters.append(master)
        start = manager.Barrier(3, timeout=60)
        futures: list[Future[Any]] = [
            executor.submit(work.book_in_race, url, booked, f"B-{trial}", start, trial),
            executor.submit(work.merge_in_race, url, master, duplicate, start, trial),
            executor.submit(work.sweep_in_race, url, start, trial),
        ]
        for future in futures[:2]:
            outcome = future.result(timeout=120)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        futures[2].result(timeout=120)

    wrong = (
        _blocked_but_anonymized(book, booked_ones),
        _blocked_but_anonymized(book, masters),
    )

    assert ([], []) == wrong, (
        f"anonymized against the rule: {len(wrong[0])} of {TRIALS} booked, "
        f"{len(wrong[1])} of {TRIALS} merge masters; {outcomes}"
    )


def test_racing_retention_sweeps_never_anonymize_a_customer_booked_meanwhile(
    pool: tuple[ProcessPoolExecutor, Any], url: str, book: CustomerBook
) -> None:
    """30 trials of a blocking booking and a retention sweep at once: nobody anonymized
    against R9 (the booking ends the idleness and another agency sold it)."""
    executor, manager = pool
    book.update_kind_settings(CustomerKind.PRIVATE, retention=(RetentionRule.prospect_idle(1),))
    later = datetime.now(UTC).date() + timedelta(days=120)
    booked_ones: list[int] = []
    outcomes: dict[str, int] = {}
    for trial in range(TRIALS):
        booked = book.register(kind=CustomerKind.PRIVATE, last_name="Muster").number
        booked_ones.append(booked)
        start = manager.Barrier(2, timeout=60)
        booking = executor.submit(work.book_in_race, url, booked, f"T-{trial}", start, trial)
        sweep = executor.submit(work.sweep_in_race, url, start, trial, later)
        outcome = booking.result(timeout=120)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        sweep.result(timeout=120)

    wrong = _blocked_but_anonymized(book, booked_ones)

    assert [] == wrong, f"anonymized against the rule: {len(wrong)} of {TRIALS}; {outcomes}"


def test_concurrent_settings_changes_are_all_kept(
    pool: tuple[ProcessPoolExecutor, Any], url: str
) -> None:
    """8 processes x 20 label changes from an empty store: every call succeeds, none is lost."""
    executor, manager = pool
    start = manager.Barrier(SETTINGS_WORKERS, timeout=120)
    futures = [
        executor.submit(work.rename_labels, url, start, worker)
        for worker in range(SETTINGS_WORKERS)
    ]
    results = [future.result(timeout=300) for future in futures]

    store = SqlStore.from_url(url, upgrade=False)
    settings = CustomerBook(store).settings
    store.close()
    expected: dict[tuple[CustomerKind, int], str] = {}
    for worker in range(SETTINGS_WORKERS):
        for change in range(work.CHANGES):
            kind = work.KINDS[worker % len(work.KINDS)]
            expected[kind, work.flag_of(worker, change)] = work.label_of(worker, change)
    lost = sum(
        1
        for (kind, flag), label in expected.items()
        if settings.kind(kind).status_labels.get(flag) != label
    )
    errors = [error for _, worker_errors in results for error in worker_errors]
    succeeded = sum(done for done, _ in results)

    assert (0, [], SETTINGS_WORKERS * work.CHANGES) == (lost, errors, succeeded), (
        f"lost {lost} of {len(expected)} final labels; {len(errors)} failed calls"
    )
