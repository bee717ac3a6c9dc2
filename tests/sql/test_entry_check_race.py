"""Racing processes: a refusing entry check stores a person once; a mark never names a tombstone.

The deterministic order is pinned in test_entry_check_locks.py; this races the two for real,
30 times per engine (PostgreSQL, MariaDB, a SQLite file), and prints the outcomes.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

from custmodel import (
    AlreadyMergedError,
    CustomerBook,
    CustomerKind,
    LikelyDuplicateError,
    Selection,
)
from custmodel.storage.sql import SqlStore
from tests.sql import _workers_entry as work
from tests.sql import _workers_locks as locks

TRIALS = 30


def test_racing_registrations_of_one_person_store_her_once(
    pool: tuple[ProcessPoolExecutor, Any], url: str
) -> None:
    """30 times two processes register the same person with duplicates="refuse" at once: each
    time exactly one is registered and the other refused with LikelyDuplicateError."""
    pytest.importorskip("rapidfuzz")
    executor, manager = pool
    start = manager.Barrier(2, timeout=120)
    futures = [executor.submit(work.register_twins, url, TRIALS, start) for _ in range(2)]
    first, second = (future.result(timeout=600) for future in futures)

    outcomes = Counter(zip(first, second, strict=True))
    print(f"outcomes over {TRIALS} trials: {dict(outcomes)}")
    refused = LikelyDuplicateError.__name__
    wrong = sum(
        count
        for pair, count in outcomes.items()
        if pair not in ((work.RETURNED, refused), (refused, work.RETURNED))
    )
    store = SqlStore.from_url(url, upgrade=False)
    try:
        stored = Counter(c.last_name for c in CustomerBook(store).select(Selection()))
    finally:
        store.close()
    assert (0, {f"Zwilling{t}": 1 for t in range(TRIALS)}) == (wrong, dict(stored))


def test_a_mark_racing_a_merge_never_names_a_merged_customer(
    pool: tuple[ProcessPoolExecutor, Any], url: str
) -> None:
    """30 times one process marks D and Y distinct while another merges D into X: the mark is
    either refused (D was merged) or moved to X with the merge; no mark names a tombstone."""
    store = SqlStore.from_url(url, upgrade=False)
    book = CustomerBook(store)
    try:
        made = [book.register(CustomerKind.PRIVATE, f"Kunde{n}").number for n in range(3 * TRIALS)]
    finally:
        store.close()
    trios = [(made[i], made[i + 1], made[i + 2]) for i in range(0, len(made), 3)]
    executor, manager = pool
    start = manager.Barrier(2, timeout=120)
    futures = [
        executor.submit(work.mark_or_merge, url, action, trios, start)
        for action in ("mark", "merge")
    ]
    marked, merged = (future.result(timeout=600) for future in futures)

    outcomes = Counter(zip(marked, merged, strict=True))
    print(f"outcomes over {TRIALS} trials: {dict(outcomes)}")
    store = SqlStore.from_url(url, upgrade=False)
    try:
        marks = {(m.low, m.high) for m in CustomerBook(store).distinct_marks()}
    finally:
        store.close()
    expected = {
        (min(x, y), max(x, y))
        for (x, _d, y), outcome in zip(trios, marked, strict=True)
        if outcome == work.RETURNED
    }
    assert ({work.RETURNED}, expected) == (set(merged), marks)
    assert set(marked) <= {work.RETURNED, AlreadyMergedError.__name__}


def test_a_mark_waits_for_a_merge_held_open_and_is_refused(url: str) -> None:
    """While a merge of 2 into 1 is held before its commit, marking 2 and 3 distinct waits for
    it, then is refused naming the master; the merge leaves no mark behind."""
    store = SqlStore.from_url(url, upgrade=False)
    book = CustomerBook(store)
    try:
        for name in ("Eins", "Zwei", "Drei"):
            book.register(CustomerKind.PRIVATE, name)
    finally:
        store.close()

    with pytest.raises(AlreadyMergedError) as refused:
        locks.while_held(
            url,
            lambda held: held.merge(1, [2]),
            lambda acting: acting.mark_distinct(2, 3),
        )

    store = SqlStore.from_url(url, upgrade=False)
    try:
        assert (2, 1, []) == (
            refused.value.number,
            refused.value.master,
            CustomerBook(store).distinct_marks(),
        )
    finally:
        store.close()
