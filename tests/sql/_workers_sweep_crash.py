"""Processes the sweep crash tests spawn: they anonymize on an SQLite file and kill themselves.

Spawned, so they are plain importable functions with picklable arguments.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from custmodel import CustomerBook, rules
from custmodel.model import RequestKind
from custmodel.storage.ports import StoreTransaction
from custmodel.storage.sql import SqlStore
from tests.sql.helpers import NOW


def _die() -> None:
    """End this process the way a power cut or the OOM killer would: no cleanup at all."""
    os.kill(os.getpid(), signal.SIGKILL)


class _KillingTransaction:
    """A transaction that calls ``then`` after it completed erasure requests."""

    def __init__(self, tx: StoreTransaction, then: Callable[[], None]) -> None:
        self._tx = tx
        self._then = then

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    def complete_requests(
        self, kind: RequestKind, customers: Collection[int], when: datetime
    ) -> int:
        completed = self._tx.complete_requests(kind, customers, when)
        self._then()
        return completed


class _KillingStore:
    """A store that kills its process inside the ``kill_in``-th batch, before it commits."""

    def __init__(self, store: SqlStore, kill_in: int) -> None:
        self._store = store
        self._kill_in = kill_in
        self._batches = 0

    def _batch_written(self) -> None:
        self._batches += 1
        if self._batches == self._kill_in:
            _die()

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[StoreTransaction]:
        with self._store.transaction(write=write) as tx:
            yield _KillingTransaction(tx, self._batch_written)

    def purge(self) -> None:
        self._store.purge()

    def close(self) -> None:
        self._store.close()


def sweep_until_killed(path: str, agency: str, today: date, batch_size: int, kill_in: int) -> None:
    """Sweep the due erasure requests in batches; die inside the ``kill_in``-th batch."""
    store = SqlStore.from_url(f"sqlite:///{path}", upgrade=False)
    book = CustomerBook(_KillingStore(store, kill_in), clock=lambda: NOW)
    book.anonymize_due(agency, today, batch_size=batch_size)
    store.close()


def anonymize_then_die(path: str, numbers: list[int]) -> None:
    """Anonymize ``numbers`` in one committed transaction, then die before any purge."""
    store = SqlStore.from_url(f"sqlite:///{path}", upgrade=False)
    with store.transaction() as tx:
        customers = tx.get_customers(numbers)
        tx.update_customers([rules.anonymized(customers[n], NOW)[0] for n in numbers])
        tx.erase_history(numbers, NOW)  # as anonymization does, in the same transaction
    _die()
