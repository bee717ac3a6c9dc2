"""Work the host write race tests run in separate processes (spawned: importable, picklable)."""

from __future__ import annotations

import random
import time
from typing import Any, Final

import sqlalchemy as sa

from custmodel import CustomerBook
from custmodel.errors import StoreBusyError
from custmodel.storage.sql import SqlStore

#: The host table the writers fill and the merges move: payments(id, customer_number).
PAYMENTS: Final = "payments"
PAYMENT_COLUMN: Final = "customer_number"
#: How the writers find the customer number they write.
HOLD, RESOLVE = "hold", "resolve"

_payments = sa.table(PAYMENTS, sa.column("id"), sa.column(PAYMENT_COLUMN))
#: One store and book per database and process, kept across trials: opening costs more than
#: a trial's writes.
_opened: dict[str, tuple[SqlStore, CustomerBook]] = {}


def _open(url: str) -> tuple[SqlStore, CustomerBook]:
    """Return this process's store on ``url`` (payments registered) and a book over it."""
    if url not in _opened:
        store = SqlStore.from_url(url, upgrade=False)
        store.register_reference(PAYMENTS, PAYMENT_COLUMN)
        _opened[url] = (store, CustomerBook(store, retries=50))
    return _opened[url]


def _write_held(store: SqlStore, target: int) -> None:
    """Write one payment the safe way: hold the customer in the writing transaction."""
    with store.engine.begin() as connection:
        number = store.hold_customer(connection, target)
        connection.execute(sa.insert(_payments).values({PAYMENT_COLUMN: number}))


def _write_resolved(store: SqlStore, book: CustomerBook, target: int) -> None:
    """Write one payment as the docs used to say: resolve first, then insert."""
    number = book.resolve(target).number
    with store.engine.begin() as connection:
        connection.execute(sa.insert(_payments).values({PAYMENT_COLUMN: number}))


def write_payments(
    url: str, mode: str, targets: list[int], least: int, start: Any, done: Any, seed: int
) -> int:
    """Write payments of random ``targets`` until the merges are ``done``, at least ``least``.

    At most four times ``least``: SQLite's lock favours whoever retries first, and a stream
    of short writers could keep a merge waiting for long.

    Returns:
        How many payments this process wrote.
    """
    store, book = _open(url)
    rng = random.Random(seed)
    written = 0
    start.wait()
    while written < least or (written < 4 * least and not done.is_set()):
        target = rng.choice(targets)
        for _ in range(100):
            try:
                if mode == HOLD:
                    _write_held(store, target)
                else:
                    _write_resolved(store, book, target)
            except StoreBusyError:  # a deadlock or lock timeout rolled the payment back
                time.sleep(rng.uniform(0.001, 0.01))
                continue
            break
        else:  # pragma: no cover - the database stayed busy
            raise RuntimeError("a payment could not be written in 100 attempts")
        written += 1
        # A breath between payments: the merger gets its turn at SQLite's lock sooner.
        time.sleep(rng.uniform(0, 0.002))
    return written


def merge_customers(url: str, merges: list[tuple[int, int]], start: Any, done: Any) -> int:
    """Merge each (master, duplicate) in turn while the writers write; then say ``done``.

    Returns:
        How many merges ran.
    """
    _, book = _open(url)
    start.wait()
    try:
        for master, duplicate in merges:
            book.merge(master, [duplicate])
    finally:
        done.set()
    return len(merges)
