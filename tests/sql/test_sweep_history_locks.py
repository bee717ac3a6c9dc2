"""An erasure sweep writes the history entries of exactly the customers it anonymized, when a
merge of one of them commits while it runs, on every SQL engine.

A sweep batch writes its anonymization entries with one ``INSERT ... SELECT`` over the batch's
customers, without looking them up again: they were read under the batch's locks. The
deterministic test holds a merge's commit open while the sweep runs; the race runs a merge and
a sweep in separate processes at once, 30 trials.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from typing import Any, cast

from custmodel import CustomerBook, CustomerKind, HistoryAction
from tests.sql import _workers_locks as work

TRIALS = 30


def _due(book: CustomerBook) -> int:
    """Register a customer without bookings whose erasure request is due on the sweep's day."""
    number = book.register(kind=CustomerKind.PRIVATE, last_name="Muster").number
    book.request_erasure(number, work.RECEIVED)
    return number


def _trio(book: CustomerBook, trial: int) -> tuple[int, int, int]:
    """A master that a blocking booking keeps from erasure, and two due customers, the second
    of which the master is to absorb."""
    master = book.register(kind=CustomerKind.PRIVATE, last_name="Muster").number
    book.record_booking(work.blocking_booking(f"M-{trial}", master))
    return master, _due(book), _due(book)


def _wrong_entries(book: CustomerBook, numbers: list[int]) -> list[str]:
    """What breaks "one anonymization entry for each anonymized customer of ``numbers``, none
    for the others, and no merged customer anonymized"."""
    # An anonymization's entry names its customer.
    entries = cast(
        list[int],
        [
            e.customer
            for e in book.iter_history(batch_size=500)
            if e.action is HistoryAction.ANONYMIZED
        ],
    )
    customers = [book.get(n) for n in numbers]
    anonymized = [c.number for c in customers if c.is_anonymized]
    problems = []
    if sorted(entries) != sorted(anonymized):
        problems.append(f"entries for {sorted(entries)}, anonymized {sorted(anonymized)}")
    problems += [
        f"{c.number} anonymized and merged"
        for c in customers
        if c.is_anonymized and not c.is_active
    ]
    return problems


def test_a_sweep_writes_no_entry_for_a_customer_merged_while_it_ran(
    url: str, book: CustomerBook
) -> None:
    """The sweep found both due customers before the merge committed; it waits for the merge,
    anonymizes the one still active and writes an entry for it alone. The merged one keeps its
    data and its entries, read with its master's history."""
    master, kept, merged = _trio(book, 0)

    swept = work.while_held(
        url,
        lambda held: held.merge(master, [merged]),
        lambda acting: acting.anonymize_due(work.AGENCY, work.TODAY).customers,
        reports=True,
    )

    assert (kept,) == swept
    assert [] == _wrong_entries(book, [master, kept, merged])
    tombstone = book.get(merged)
    assert (False, master) == (tombstone.is_anonymized, tombstone.merged_into)
    assert HistoryAction.MERGED_INTO in {e.action for e in book.history(master)}


def test_racing_merges_and_sweeps_leave_one_entry_per_anonymized_customer(
    pool: tuple[ProcessPoolExecutor, Any], url: str, book: CustomerBook
) -> None:
    """30 trials of a merge and a sweep at once: every anonymized customer has one
    anonymization entry, nobody else has one, and no tombstone is anonymized."""
    executor, manager = pool
    outcomes: dict[str, int] = {}
    numbers: list[int] = []
    for trial in range(TRIALS):
        master, kept, merged = _trio(book, trial)
        numbers += [master, kept, merged]
        start = manager.Barrier(2, timeout=60)
        # The merge starts 0 to 27 ms after the sweep, so that each side comes first in some
        # trials on a fast machine and a slow one alike.
        delay = (trial % 10) * 0.003
        merge = executor.submit(work.merge_in_race, url, master, merged, start, trial, delay)
        sweep = executor.submit(work.sweep_in_race, url, start, trial)
        outcome = merge.result(timeout=120)
        sweep.result(timeout=120)
        # Whose side the race fell on: the duplicate merged, or anonymized before the merge.
        side = "anonymized first" if book.get(merged).is_anonymized else "merged first"
        key = f"merge {outcome}, {side}"
        outcomes[key] = outcomes.get(key, 0) + 1

    wrong = _wrong_entries(book, numbers)

    print(f"outcomes of {TRIALS} trials: {outcomes}")
    assert [] == wrong, f"{wrong}; {outcomes}"
    assert TRIALS == sum(outcomes.values())
