"""AsyncCustomerBook on real stores: the same results as the book, and a loop that keeps ticking.

The PostgreSQL case skips (or fails under ``CI=true``) without its server; see tests/servers.py.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from custmodel import (
    Booking,
    BookingKind,
    CustmodelError,
    CustomerBook,
    CustomerKind,
    LetterRun,
    MemoryStore,
    NewCustomer,
    Selection,
)
from custmodel.aio import AsyncCustomerBook, AsyncLetterRun
from custmodel.storage import CustomerStore
from custmodel.storage.sql import SqlStore
from custmodel.testing.contract._shared import AGENCY, NOW, SETTINGS
from custmodel.testing.snapshots import history_without_ids
from tests.servers import postgres_url

__all__ = ["postgres_url"]

Call = Callable[..., Awaitable[Any]]


async def scenario(call: Call) -> list[object]:
    """A day at the front desk through ``call(method, *args, **kwargs)``; every outcome."""
    outcomes: list[object] = []

    async def step(name: str, *args: Any, **kwargs: Any) -> Any:
        try:
            result = await call(name, *args, **kwargs)
        except CustmodelError as error:
            outcomes.append(type(error))
            return None
        outcomes.append(result)
        return result

    first = await step("register", CustomerKind.PRIVATE, "Muster", first_name="Max")
    await step(
        "register_many",
        [
            NewCustomer(kind=CustomerKind.PRIVATE, last_name="Muster", first_name="Maxi"),
            NewCustomer(kind=CustomerKind.CORPORATE, last_name="Reisen GmbH", category="A"),
        ],
    )
    await step("register", CustomerKind.PRIVATE, "Ohne", category="no such category")
    changed = await step("update", attrs.evolve(first, first_name="Moritz"))
    await step("update", attrs.evolve(first, first_name="Stale"))
    await step("rename_status_label", CustomerKind.PRIVATE, 4, "Kreuzfahrt")
    await step("set_status", Selection(kind=CustomerKind.PRIVATE), 4)
    await step("set_status", Selection(kind=CustomerKind.CORPORATE), 31)
    booking = Booking(
        reference="VG-1",
        customer=2,
        kind=BookingKind.BOOKING,
        departure=date(2026, 6, 1),
        point_of_sale=AGENCY,
        open_amount=Decimal("120.00"),
    )
    await step("record_booking", booking)
    await step("record_booking", attrs.evolve(booking, customer=3), replace=False)
    await step("merge", changed.number, [2], fill_blanks=True)
    await step("merge", changed.number, [2])
    await step("anonymize", 3, AGENCY, date(2026, 11, 24))
    await step("anonymize", 1, AGENCY, date(2026, 11, 24))
    await step("select", "every customer")
    await step("select", Selection(include_merged=True))
    await step("bookings", 1)
    await step("letters", None, "{Kunde-Nummer}: {Kunde-Name}", batch_size=1)
    await step("letters", None, "{Kunde-Unbekannt}")
    await step("iter_customers", Selection(include_merged=True), batch_size=2)
    await step("iter_bookings", None, batch_size=1)
    await step("iter_customers", None, batch_size=0)
    history = await call("history", 1)
    # Bulk runs carry random keys: compare the history without them.
    outcomes.append(history_without_ids(history))
    return outcomes


def twin_stores(kind: str, tmp_path: Path) -> Iterator[CustomerStore]:
    """Two fresh stores of one kind."""
    for twin in ("sync", "async"):
        if kind == "memory":
            yield MemoryStore()
        else:
            yield SqlStore.from_url(f"sqlite:///{tmp_path / f'{twin}.sqlite'}")


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_the_async_book_gives_what_the_book_gives(kind: str, tmp_path: Path) -> None:
    """The same scenario on twin stores: equal results and equal error types, step by step."""
    sync_store, async_store = twin_stores(kind, tmp_path)
    book = CustomerBook(sync_store, SETTINGS, clock=lambda: NOW)

    async def sync_call(name: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(book, name)(*args, **kwargs)
        if isinstance(result, LetterRun):
            return result.left_out, list(result)
        return list(result) if isinstance(result, Iterator) else result

    async def run_async() -> list[object]:
        twin = CustomerBook(async_store, SETTINGS, clock=lambda: NOW)
        async with AsyncCustomerBook(twin) as async_book:

            async def async_call(name: str, *args: Any, **kwargs: Any) -> Any:
                result = getattr(async_book, name)(*args, **kwargs)
                if isinstance(result, AsyncIterator):
                    return [item async for item in result]  # checks its arguments here
                result = await result
                if isinstance(result, AsyncLetterRun):
                    return result.left_out, [letter async for letter in result]
                return result

            return await scenario(async_call)

    try:
        expected = asyncio.run(scenario(sync_call))
        actual = asyncio.run(run_async())
    finally:
        for store in (sync_store, async_store):
            if isinstance(store, SqlStore):
                store.close()

    assert expected == actual
    # The scenario reaches its refusals: they are compared too, not only successes.
    assert sum(isinstance(outcome, type) for outcome in expected) >= 7


def registered_concurrently(url: str, tasks: int) -> list[tuple[int, int]]:
    """Numbers and debtor accounts of ``tasks`` registrations awaited at once on ``url``."""
    store = SqlStore.from_url(url)
    book = CustomerBook(store, SETTINGS)

    async def run() -> list[tuple[int, int]]:
        async with AsyncCustomerBook(book, max_workers=8) as async_book:
            registered = await asyncio.gather(
                *(async_book.register(CustomerKind.PRIVATE, f"Kunde {n}") for n in range(tasks))
            )
            return [(customer.number, customer.debtor_account) for customer in registered]

    try:
        return asyncio.run(run())
    finally:
        store.close()


def test_twenty_tasks_register_gap_free_on_an_sqlite_file(tmp_path: Path) -> None:
    """20 concurrent registrations on an SQLite file: numbers 1 to 20, accounts 10001 on."""
    registered = sorted(registered_concurrently(f"sqlite:///{tmp_path / 'aio.sqlite'}", 20))
    assert [(n, 10000 + n) for n in range(1, 21)] == registered


@pytest.mark.server
def test_twenty_tasks_register_gap_free_on_postgresql(postgres_url: str) -> None:
    """20 concurrent registrations on PostgreSQL: numbers 1 to 20, accounts 10001 on."""
    registered = sorted(registered_concurrently(postgres_url, 20))
    assert [(n, 10000 + n) for n in range(1, 21)] == registered


def test_a_write_waiting_for_a_lock_leaves_the_event_loop_free(tmp_path: Path) -> None:
    """Another connection holds SQLite's write lock for a second; a registration waits for it
    in a worker thread while a heartbeat task on the loop keeps ticking on time."""
    path = tmp_path / "locked.sqlite"
    store = SqlStore.from_url(f"sqlite:///{path}")
    book = CustomerBook(store, SETTINGS)
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    held = 1.0

    async def run() -> tuple[float, float, int]:
        lags: list[float] = []
        stop = asyncio.Event()

        async def heartbeat() -> None:
            while not stop.is_set():
                before = time.perf_counter()
                await asyncio.sleep(0.01)
                lags.append(time.perf_counter() - before - 0.01)

        async with AsyncCustomerBook(book, max_workers=2) as async_book:
            beats = asyncio.create_task(heartbeat())
            loop = asyncio.get_running_loop()
            loop.call_later(held, holder.execute, "COMMIT")
            started = time.perf_counter()
            customer = await async_book.register(CustomerKind.PRIVATE, "Wartend")
            waited = time.perf_counter() - started
            stop.set()
            await beats
        return waited, max(lags), customer.number

    try:
        waited, lag, number = asyncio.run(run())
    finally:
        holder.close()
        store.close()

    assert 1 == number
    assert waited >= held * 0.9  # the registration really waited for the lock ...
    assert lag < held / 4  # ... and the loop never stood still meanwhile (blocked: lag >= 1 s)


def test_the_pool_has_as_many_threads_as_the_store_has_pooled_connections(tmp_path: Path) -> None:
    """On an SQL store the default pool size is the engine's connection pool size."""
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'sized.sqlite'}")
    try:
        async_book = AsyncCustomerBook(CustomerBook(store))
        assert store.engine.pool.size() == async_book._workers.executor._max_workers  # type: ignore[attr-defined]
        asyncio.run(async_book.aclose())
    finally:
        store.close()
