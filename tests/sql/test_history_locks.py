"""A status run's history names exactly the customers it changed, on every SQL engine.

The run writes the entries of the customers it selected (INSERT ... SELECT), then sets the flag
on exactly those. Under READ COMMITTED a customer can leave the selection between the two
statements; the store then counts fewer changes than entries and the book runs the whole
operation again. The deterministic test holds such a change open while the run waits for it;
the race renames customers into and out of the selection while runs go on, 30 trials.
"""

from __future__ import annotations

from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import attrs

from custmodel import CustomerBook, CustomerKind, HistoryAction, HistoryEntry, Selection
from tests.sql import _workers_history as work
from tests.sql import _workers_locks as locks

TRIALS = 30


def _label(book: CustomerBook) -> None:
    book.update_kind_settings(CustomerKind.PRIVATE, status_labels={work.FLAG: "Rabattaktion"})


def _run_entries(book: CustomerBook, numbers: list[int]) -> dict[int, list[HistoryEntry]]:
    """Per customer, its entries of a status run."""
    return {
        n: [e for e in book.history(n) if e.action is HistoryAction.STATUS_SET] for n in numbers
    }


def _wrong(book: CustomerBook, numbers: list[int]) -> list[str]:
    """What breaks "the history names exactly the customers a run changed": a customer with
    the flag and no entry of a run, an entry without the flag, a run whose count differs from
    its customers' entries."""
    problems = []
    entries = _run_entries(book, numbers)
    for number in numbers:
        flagged = work.FLAG in book.get(number).status
        if flagged != bool(entries[number]) or len(entries[number]) > 1:
            problems.append(
                f"customer {number}: flag {flagged}, {len(entries[number])} entries "
                f"{[(e.id, e.operation, e.actor) for e in book.history(number)]}"
            )
    runs = [e for e in book.settings_history() if e.action is HistoryAction.STATUS_SET_ON_SELECTION]
    for run in runs:
        mine = sum(1 for found in entries.values() for e in found if e.operation == run.operation)
        if run.count != mine and mine:
            problems.append(f"run {run.id}: count {run.count}, {mine} customer entries")
    return problems


def test_a_customer_leaving_the_selection_meanwhile_gets_no_entry(
    url: str, book: CustomerBook
) -> None:
    """A rename out of the selection, committed while the run waits for the customer's row:
    the run neither flags that customer nor records it, and records the two it changed."""
    _label(book)
    numbers = [book.register(kind=CustomerKind.PRIVATE, last_name="Treffer").number for _ in "abc"]
    leaving = book.get(numbers[0])

    changed = locks.while_held(
        url,
        lambda held: held.update(attrs.evolve(leaving, last_name="Anders")),
        lambda running: running.set_status(Selection(name="Treffer"), work.FLAG),
    )

    entries = _run_entries(book, numbers)
    run = book.settings_history()[-1]
    assert (2, [0, 1, 1], 2, False) == (
        changed,
        [len(entries[n]) for n in numbers],
        run.count,
        work.FLAG in book.get(numbers[0]).status,
    )


def test_racing_renames_never_leave_a_run_naming_a_customer_it_did_not_change(
    pool: tuple[ProcessPoolExecutor, Any], url: str, book: CustomerBook
) -> None:
    """30 trials of a status run and renames into and out of its selection at once: every
    flagged customer has exactly one entry of the run, nobody else has one, counts agree."""
    executor, manager = pool
    _label(book)
    wrong: list[str] = []
    counted: list[int] = []
    for trial in range(TRIALS):
        numbers = [
            book.register(
                kind=CustomerKind.PRIVATE,
                last_name=f"{work.MATCH} {trial}" if n % 2 else f"Anders {trial}",
            ).number
            for n in range(8)
        ]
        start = manager.Barrier(2, timeout=60)
        futures: list[Future[Any]] = [
            executor.submit(work.run_status, url, trial, start),
            executor.submit(work.rename_in_race, url, numbers, trial, start, trial),
        ]
        counted.append(futures[0].result(timeout=120))
        futures[1].result(timeout=120)
        wrong.extend(_wrong(book, numbers))

    assert [] == wrong, f"{len(wrong)} problems in {TRIALS} trials (counts {counted}): {wrong}"
