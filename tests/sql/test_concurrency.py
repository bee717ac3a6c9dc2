"""Concurrent registrations from separate processes get every number exactly once, no gaps."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa

from custmodel.model import Selection
from custmodel.storage.sql import SqlStore
from tests.sql import _workers

PROCESSES = 8
PER_PROCESS = 250
PER_UNLOCKED = 20


@pytest.fixture(scope="module")
def pool() -> Iterator[tuple[ProcessPoolExecutor, Any]]:
    """PROCESSES spawned worker processes, started once for the module, and a sync manager.

    Spawning and importing SQLAlchemy costs about a second per process on a small machine, so
    the tests share the workers instead of paying that for every run.
    """
    context = multiprocessing.get_context("spawn")
    with (
        context.Manager() as manager,
        ProcessPoolExecutor(PROCESSES, mp_context=context) as executor,
    ):
        yield executor, manager


def _run(
    pool: tuple[ProcessPoolExecutor, Any],
    work: Callable[..., None],
    url: str,
    per_process: int,
) -> None:
    """Run ``work`` in every worker process at once; re-raise the first worker's error."""
    executor, manager = pool
    # Waiting for each other makes every task run in its own process, all at the same time.
    start = manager.Barrier(PROCESSES, timeout=120)
    futures = [
        executor.submit(work, url, per_process, start, worker) for worker in range(PROCESSES)
    ]
    for future in futures:
        future.result(timeout=300)


def _numbers_and_accounts(url: str) -> tuple[list[int], list[int]]:
    store = SqlStore.from_url(url, upgrade=False)
    try:
        with store.transaction(write=False) as tx:
            customers = tx.select(Selection(include_merged=True))
    finally:
        store.close()
    return [c.number for c in customers], [c.debtor_account for c in customers]


def test_concurrent_registrations_get_every_number_once(
    pool: tuple[ProcessPoolExecutor, Any], url: str
) -> None:
    """8 processes x 250 registrations: customers 1..2000, each debtor account once."""
    _run(pool, _workers.register_with_book, url, PER_PROCESS)

    numbers, accounts = _numbers_and_accounts(url)

    total = PROCESSES * PER_PROCESS
    assert list(range(1, total + 1)) == numbers
    assert [10000 + n for n in range(1, total + 1)] == sorted(accounts)


def test_rolled_back_registrations_leave_no_gaps(
    pool: tuple[ProcessPoolExecutor, Any], url: str
) -> None:
    """When every tenth registration fails after allocating, the committed numbers are 1..N."""
    per_process = 50
    _run(pool, _workers.register_with_failures, url, per_process)

    numbers, _ = _numbers_and_accounts(url)

    committed = PROCESSES * (per_process - per_process // 10)
    assert list(range(1, committed + 1)) == numbers


def test_allocator_without_lock_hands_out_duplicates(
    pool: tuple[ProcessPoolExecutor, Any], url: str
) -> None:
    """Negative control: max + 1 read without a lock gives two processes the same number."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    table = sa.Table(_workers.UNLOCKED_TABLE, sa.MetaData(), sa.Column("number", sa.BigInteger))
    table.create(engine)
    try:
        _run(pool, _workers.allocate_without_lock, url, PER_UNLOCKED)

        with engine.connect() as connection:
            numbers = connection.execute(sa.select(table.c.number)).scalars().all()
    finally:
        table.drop(engine)
        engine.dispose()

    duplicates = sum(n - 1 for n in Counter(numbers).values())
    assert PROCESSES * PER_UNLOCKED == len(numbers)
    assert duplicates > 0
