"""An objection to advertising recorded while a merge of the same customer runs is never lost.

The objection's use case locks the customer before it writes the ledger: a merge holding the
customer makes it wait and then record on the master; an objection holding it makes the merge
wait and then move the new entry. Held-open tests pin both orders on a SQLite file,
PostgreSQL and MariaDB; a race of real processes runs them at once, 30 times per engine.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from custmodel import ContactChannel, CustomerBook, CustomerKind, rules
from tests.sql import _workers_locks as locks
from tests.sql import _workers_objections as work

TRIALS = 30
EMAIL = frozenset({ContactChannel.EMAIL})


def _pair(book: CustomerBook) -> tuple[int, int]:
    """Register a master and its duplicate, neither objecting to anything."""
    master = book.register(kind=CustomerKind.PRIVATE, last_name="Muster").number
    duplicate = book.register(kind=CustomerKind.PRIVATE, last_name="Muster").number
    return master, duplicate


def _objections(book: CustomerBook, master: int) -> tuple[frozenset[ContactChannel], ...]:
    """The master's stored objections and what its ledger says."""
    return (
        book.get(master).advertising_objections,
        rules.current_objections(book.marketing_choices(master)),
    )


def _object(number: int) -> Any:
    return lambda b: b.object_to_advertising(number, "email", given_on=work.GIVEN, source="Brief")


def test_an_objection_on_a_duplicate_waits_for_its_merge_and_lands_on_the_master(
    url: str, book: CustomerBook
) -> None:
    """Merge held open, objection on the duplicate meanwhile: recorded on the master."""
    master, duplicate = _pair(book)

    recorded = locks.while_held(
        url, lambda held: held.merge(master, [duplicate]), _object(duplicate)
    )

    assert (master, [master], EMAIL, EMAIL) == (
        recorded.customer.number,
        [c.customer for c in recorded.choices],
        *_objections(book, master),
    )


def test_a_merge_waits_for_an_objection_on_its_duplicate_and_keeps_it(
    url: str, book: CustomerBook
) -> None:
    """Objection on the duplicate held open, merge meanwhile: the master objects by e-mail."""
    master, duplicate = _pair(book)

    report = locks.while_held(url, _object(duplicate), lambda b: b.merge(master, [duplicate]))

    ledger = book.marketing_choices(master)
    assert (master, EMAIL, EMAIL, {master}) == (
        report.master.number,
        *_objections(book, master),
        {c.customer for c in ledger},
    )


def test_racing_objections_and_merges_never_lose_an_objection(
    pool: tuple[ProcessPoolExecutor, Any], url: str, book: CustomerBook
) -> None:
    """30 times an objection on the duplicate and the merge at once: the master objects by
    e-mail every time, and its ledger agrees."""
    executor, manager = pool
    masters: list[int] = []
    outcomes: Counter[tuple[str, str]] = Counter()
    for trial in range(TRIALS):
        master, duplicate = _pair(book)
        masters.append(master)
        start = manager.Barrier(2, timeout=60)
        objected = executor.submit(work.object_in_race, url, duplicate, start, trial)
        merged = executor.submit(work.merge_in_race, url, master, duplicate, start, trial)
        outcomes[objected.result(timeout=120), merged.result(timeout=120)] += 1

    lost = sum(1 for master in masters if _objections(book, master) != (EMAIL, EMAIL))
    print(f"objections lost: {lost} of {TRIALS}; outcomes {dict(outcomes)}")

    assert (0, {("recorded", "merged"): TRIALS}) == (lost, dict(outcomes))
