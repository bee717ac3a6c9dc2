"""Batches registered at the same time get consecutive numbers each, and one history entry
per customer, on every SQL engine.

A batch takes its run of numbers from the counter row, which stays locked until it commits,
and its customers are made and written while the COPY (PostgreSQL) or the INSERT runs. The
deterministic test holds one batch's commit open while another waits for the counter; the
race registers two batches at once, 30 trials.
"""

from __future__ import annotations

from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from custmodel import (
    CustomerBook,
    CustomerKind,
    DebtorAccountError,
    HistoryAction,
    NewCustomer,
    Selection,
)
from tests.sql import _workers_locks as locks

TRIALS = 30
#: Customers per batch in the race; the held batch is larger than one statement's chunk.
RACING = 40
HELD = 600


def _batch(name: str, count: int) -> list[NewCustomer]:
    return [NewCustomer(kind=CustomerKind.PRIVATE, last_name=name) for _ in range(count)]


def _registered_entries(book: CustomerBook, numbers: list[int]) -> list[int]:
    """How many REGISTERED entries each of ``numbers`` has."""
    return [
        sum(e.action is HistoryAction.REGISTERED for e in book.history(number))
        for number in numbers
    ]


def test_a_batch_waits_for_the_batch_holding_the_counter(url: str, book: CustomerBook) -> None:
    """A batch registered while another's commit is held open waits for it, then takes the
    numbers after it: both runs are consecutive, every customer is stored once with one
    entry."""
    later = locks.while_held(
        url,
        lambda holding: holding.register_many(_batch("Erste", HELD)),
        lambda acting: [c.number for c in acting.register_many(_batch("Zweite", HELD))],
    )

    first = [c.number for c in book.select(Selection(name="Erste"))]
    entries = _registered_entries(book, first[:3] + later[:3])
    assert (list(range(1, HELD + 1)), list(range(HELD + 1, 2 * HELD + 1))) == (first, later)
    assert [1] * 6 == entries
    assert 2 * HELD == book.count()


def test_racing_batches_get_consecutive_numbers_and_one_entry_each(
    pool: tuple[ProcessPoolExecutor, Any], url: str, book: CustomerBook
) -> None:
    """30 trials of two batches registered at once: each gets a run of consecutive numbers,
    the two runs follow each other without a gap, and every customer has one entry."""
    wrong: list[str] = []
    first_a = 0
    for trial in range(TRIALS):
        a, b = locks.race_two_batches(pool, url, trial, RACING)
        low = 2 * RACING * trial + 1
        runs = sorted([a, b])
        first_a += a == runs[0]
        if runs != [list(range(low, low + RACING)), list(range(low + RACING, low + 2 * RACING))]:
            wrong.append(f"trial {trial}: {a[0]}..{a[-1]} and {b[0]}..{b[-1]}")
        counted = _registered_entries(book, a + b)
        if counted != [1] * (2 * RACING):
            wrong.append(f"trial {trial}: entries {sorted(set(counted))}")

    assert [] == wrong, f"{len(wrong)} problems in {TRIALS} trials ({first_a} A first): {wrong}"
    print(f"batch race: {first_a} of {TRIALS} trials A first, {TRIALS - first_a} B first")


def _ranges_agree(book: CustomerBook, name: str) -> list[str]:
    """What breaks "a batch's accounts are judged on the settings it registers under": a batch
    written in part, or written after the change that puts its accounts out of range (its
    entries come after the change's, or an account lies above the maximum then in force)."""
    numbers = [c.number for c in book.select(Selection(name=name))]
    if not numbers:
        return []
    if len(numbers) != RACING:
        return [f"{name}: {len(numbers)} of {RACING} registered"]
    change = book.settings_history()[-1]
    entries = [e.id for n in numbers for e in book.history(n)]
    accounts = [book.get(n).debtor_account for n in numbers]
    maximum = book.settings.kind(CustomerKind.PRIVATE).debtor_max
    if max(entries) > change.id and maximum is not None and max(accounts) > maximum:
        return [f"{name}: registered after the change, accounts up to {max(accounts)}"]
    return []


def test_a_batch_waits_for_a_settings_change_and_is_judged_on_it(
    url: str, book: CustomerBook
) -> None:
    """A batch registered while a change lowering its kind's highest debtor account is held
    open waits for it, then checks its accounts against the new range: refused, nothing
    written, no number used up."""
    maximum = book.register(CustomerKind.PRIVATE, "Erste").debtor_account

    def registering(acting: CustomerBook) -> str:
        try:
            acting.register_many(_batch("Zweite", RACING))
        except DebtorAccountError:
            return "refused"
        return "registered"

    outcome = locks.while_held(
        url,
        lambda holding: holding.update_kind_settings(CustomerKind.PRIVATE, debtor_max=maximum),
        registering,
    )

    assert ("refused", 1) == (outcome, book.count())
    assert 2 == book.register(CustomerKind.CORPORATE, "Danach").number


def test_racing_a_batch_and_a_lowered_range_never_registers_out_of_range(
    pool: tuple[ProcessPoolExecutor, Any], url: str, book: CustomerBook
) -> None:
    """30 trials of a batch and a change lowering its kind's highest account to the last one
    stored, at once: the batch is registered whole before the change, or refused after it."""
    executor, manager = pool
    wrong: list[str] = []
    outcomes: list[str] = []
    for trial in range(TRIALS):
        book.update_kind_settings(CustomerKind.PRIVATE, debtor_max=None)
        last = book.register(CustomerKind.PRIVATE, f"Vorher {trial}").debtor_account
        start = manager.Barrier(2, timeout=60)
        name = f"Stapel {trial}"
        futures: list[Future[Any]] = [
            executor.submit(locks.register_unless_refused, url, name, RACING, start, trial),
            executor.submit(locks.lower_debtor_max, url, last, start, trial + 1000),
        ]
        outcomes.append(futures[0].result(timeout=120))
        futures[1].result(timeout=120)
        registered = book.count(Selection(name=name))
        if outcomes[-1] == "refused" and registered:
            wrong.append(f"trial {trial}: refused, yet {registered} registered")
        wrong.extend(_ranges_agree(book, name))

    counts = {o: outcomes.count(o) for o in ("registered", "refused")}
    assert [] == wrong, f"{len(wrong)} problems in {TRIALS} trials ({counts}): {wrong}"
    print(f"range race: {counts['registered']} registered first, {counts['refused']} refused")
