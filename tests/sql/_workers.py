"""Work the concurrency tests run in separate processes (spawned: importable, picklable)."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

from custmodel import CustomerBook, CustomerKind
from custmodel.errors import StoreBusyError
from custmodel.storage.sql import SqlStore
from tests.sql.helpers import customer

#: The plain table the unlocked allocator writes to: no key, no unique constraint.
UNLOCKED_TABLE = "unlocked_numbers"


class DeliberateFailureError(Exception):
    """Raised inside a registration's transaction after its number was allocated."""


def register_with_book(url: str, count: int, start: Any, worker: int) -> None:
    """Register ``count`` customers through CustomerBook, which retries while busy."""
    store = SqlStore.from_url(url, upgrade=False)
    book = CustomerBook(store, retries=50)
    start.wait()
    for i in range(count):
        book.register(kind=CustomerKind.PRIVATE, last_name=f"Prozess {worker} Nr. {i}")
    store.close()


def register_with_failures(url: str, count: int, start: Any, worker: int) -> None:
    """Register ``count`` customers through the port; every tenth fails after allocation."""
    store = SqlStore.from_url(url, upgrade=False)
    start.wait()
    for i in range(count):
        while True:
            try:
                with store.transaction() as tx:
                    number = tx.allocate_numbers()
                    tx.insert_customers([customer(number, last_name=f"Prozess {worker} Nr. {i}")])
                    if i % 10 == 9:
                        raise DeliberateFailureError(number)
            except StoreBusyError:
                time.sleep(0.01)
                continue
            except DeliberateFailureError:
                pass
            break
    store.close()


def allocate_without_lock(url: str, count: int, start: Any, worker: int) -> None:
    """Allocate max + 1 with no lock held between reading and writing: the broken way."""
    del worker
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    table = sa.table(UNLOCKED_TABLE, sa.column("number"))
    start.wait()
    with engine.connect() as connection:
        for _ in range(count):
            next_number = connection.execute(
                sa.select(sa.func.coalesce(sa.func.max(table.c.number), 0) + 1)
            ).scalar_one()
            connection.commit()
            # Widen the window between read and write so the race shows on every run.
            time.sleep(0.002)
            connection.execute(sa.insert(table).values(number=next_number))
            connection.commit()
    engine.dispose()


def merge_on_signal(
    path: str,
    master: int,
    duplicates: list[int],
    reference: tuple[str, str],
    ready: Any,
    go: Any,
    elapsed: Any,
) -> None:
    """Open the SQLite file, say ``ready``, merge when told to ``go``; time the merge.

    The parent kills this process at a random moment of the merge; everything slow (spawning,
    imports, opening the file) happens before ``ready`` so that the moment falls in the merge.
    """
    store = SqlStore.from_url(f"sqlite:///{path}", upgrade=False)
    store.register_reference(*reference)
    book = CustomerBook(store)
    book.get(master)  # opens the connection before the clock starts
    ready.set()
    go.wait()
    started = time.perf_counter()
    book.merge(master, duplicates)
    elapsed.value = time.perf_counter() - started
    store.close()
