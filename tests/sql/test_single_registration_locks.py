"""Single registrations at the same time get one number each, one after the other, with one
history entry each, on every SQL engine.

On a SQLite file a thread's transactions run on its kept connection and, while nobody
watches the engine, begin and commit on the driver itself, as the registration's statements
and its history entry go to the driver. The deterministic test holds one
registration's commit open while another waits for the counter; the race registers two at
once, 30 trials.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from typing import Any

from custmodel import CustomerBook, CustomerKind, HistoryAction, Selection
from tests.sql import _workers_locks as locks

TRIALS = 30


def _entries(book: CustomerBook, number: int) -> int:
    return sum(e.action is HistoryAction.REGISTERED for e in book.history(number))


def test_a_registration_waits_for_the_one_holding_the_counter(url: str, book: CustomerBook) -> None:
    """A registration made while another's commit is held open waits for it, then takes the
    next number; both are stored once, with one entry each."""
    later = locks.while_held(
        url,
        lambda holding: holding.register(CustomerKind.PRIVATE, "Erste"),
        lambda acting: acting.register(CustomerKind.PRIVATE, "Zweite").number,
    )

    (first,) = book.select(Selection(name="Erste"))
    assert (1, 2) == (first.number, later)
    assert (1, 1) == (_entries(book, 1), _entries(book, 2))
    assert 2 == book.count()


def test_racing_registrations_get_one_number_each_and_one_entry_each(
    pool: tuple[ProcessPoolExecutor, Any], url: str, book: CustomerBook
) -> None:
    """30 trials of two registrations at once from two processes: the two numbers follow
    each other without a gap, and each customer has one entry."""
    wrong: list[str] = []
    first_a = 0
    for trial in range(TRIALS):
        (a,), (b,) = locks.race_two_batches(pool, url, trial, 1)
        first_a += a < b
        if sorted([a, b]) != [2 * trial + 1, 2 * trial + 2]:
            wrong.append(f"trial {trial}: {a} and {b}")
        if (_entries(book, a), _entries(book, b)) != (1, 1):
            wrong.append(f"trial {trial}: entries {_entries(book, a)}, {_entries(book, b)}")

    assert [] == wrong, f"{len(wrong)} problems in {TRIALS} trials ({first_a} A first): {wrong}"
    print(f"single race: {first_a} of {TRIALS} trials A first, {TRIALS - first_a} B first")
