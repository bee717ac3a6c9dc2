"""The very first settings of an empty store: a writer that read "none stored" loses nothing.

A label change reads the settings under a row lock, but an empty store has no row to lock. A
writer that read "no settings" before another one stored the first settings, and writes after
that one committed, must not overwrite them with its defaults: it is refused as busy, and its
retry reads what was committed. Held open on every SQL engine (SQLite serializes the writers).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any, cast

from custmodel import CustomerBook, CustomerKind, Settings
from custmodel.storage.ports import StoreTransaction
from custmodel.storage.sql import SqlStore


class _PauseAfterNoSettings:
    """A store whose first transaction waits after ``get_settings`` found none stored."""

    def __init__(self, store: SqlStore, read: threading.Event, go: threading.Event) -> None:
        self._store = store
        self._read = read
        self._go = go

    @contextlib.contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[StoreTransaction]:
        with self._store.transaction(write=write) as tx:
            yield cast("StoreTransaction", _Pausing(tx, self._read, self._go))

    def purge(self) -> None:
        self._store.purge()

    def close(self) -> None:
        self._store.close()


class _Pausing:
    def __init__(self, tx: StoreTransaction, read: threading.Event, go: threading.Event) -> None:
        self._tx = tx
        self._read = read
        self._go = go

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    def get_settings(self, **options: Any) -> Settings | None:
        found = self._tx.get_settings(**options)
        if found is None and options and not self._read.is_set():
            self._read.set()
            # SQLite holds its one write lock here, so the other writer cannot commit: the
            # wait times out and this transaction writes first.
            self._go.wait(2)
        return found


def test_a_writer_that_read_no_settings_keeps_the_first_ones_committed_meanwhile(
    url: str,
) -> None:
    """Label 1 is being set on an empty store, paused after it read "no settings"; label 2 is
    set and committed meanwhile. Both labels are kept."""
    read, go = threading.Event(), threading.Event()
    paused = CustomerBook(
        _PauseAfterNoSettings(SqlStore.from_url(url, upgrade=False), read, go),  # type: ignore[arg-type]
        retries=5,
    )
    other_store = SqlStore.from_url(url, upgrade=False)
    other = CustomerBook(other_store)
    errors: list[BaseException] = []

    def first() -> None:
        try:
            paused.rename_status_label(CustomerKind.PRIVATE, 1, "Newsletter")
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=first)
    thread.start()
    assert read.wait(30)
    other.rename_status_label(CustomerKind.PRIVATE, 2, "Single")
    go.set()
    thread.join(60)
    paused.store.close()
    labels = CustomerBook(other_store).settings.kind(CustomerKind.PRIVATE).status_labels
    other_store.close()
    assert ([], {1: "Newsletter", 2: "Single"}) == (errors, dict(labels))
