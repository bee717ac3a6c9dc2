"""SqlStore.purge: overwritten data leaves SQLite's files; secure_delete is on everywhere."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from custmodel import CustomerBook, CustomerKind, Settings
from custmodel.errors import StoreBusyError, StoreError
from custmodel.model import Selection, name_search_key
from custmodel.storage import _sqlschema as schema
from custmodel.storage.sql import SqlStore
from custmodel.storage.sql import _store as sql
from tests.sql.helpers import NOW


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """The path of a new SQLite database file."""
    return tmp_path / "purge.sqlite"


@pytest.fixture
def store(database: Path) -> Iterator[SqlStore]:
    """A store on an SQLite file with one registered customer (so the log has frames)."""
    store = SqlStore.from_url(f"sqlite:///{database}")
    CustomerBook(store, Settings(), clock=lambda: NOW).register(CustomerKind.PRIVATE, "Muster")
    yield store
    store.close()


def _secure_delete(connection: Any) -> int:
    """Return the secure_delete setting of a DBAPI connection."""
    cursor = connection.cursor()
    try:
        (state,) = cursor.execute("PRAGMA secure_delete").fetchone()
    finally:
        cursor.close()
    return int(state)


def test_purge_truncates_the_write_ahead_log(store: SqlStore, database: Path) -> None:
    """After purge the -wal file of an open store is empty: its old page versions are gone."""
    assert 0 < Path(f"{database}-wal").stat().st_size

    store.purge()

    assert 0 == Path(f"{database}-wal").stat().st_size


def test_every_pooled_connection_has_secure_delete_on(store: SqlStore) -> None:
    """Three connections open at once each report secure_delete = 1."""
    connections = [store.engine.raw_connection() for _ in range(3)]
    try:
        states = [_secure_delete(c) for c in connections]
    finally:
        for connection in connections:
            connection.close()

    assert [1, 1, 1] == states


def test_connections_of_other_threads_have_secure_delete_on(store: SqlStore) -> None:
    """A connection a store opens in another thread has secure_delete on, too."""
    states: list[int] = []

    def read_state() -> None:
        connection = store.engine.raw_connection()
        try:
            states.append(_secure_delete(connection))
        finally:
            connection.close()

    worker = threading.Thread(target=read_state)
    worker.start()
    worker.join(10)

    assert [1] == states


def test_purge_waits_for_a_reader_then_reports_busy(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader holding an old snapshot keeps the log; purge retries, then raises StoreBusyError."""
    monkeypatch.setattr(sql, "_CHECKPOINT_PATIENCE", 0.2)
    store = SqlStore.from_url(f"sqlite:///{database}?timeout=0.05")
    book = CustomerBook(store, Settings(), clock=lambda: NOW)
    book.register(CustomerKind.PRIVATE, "Muster")
    reader = SqlStore.from_url(f"sqlite:///{database}?timeout=0.05", upgrade=False)
    try:
        with reader.transaction(write=False) as tx:
            tx.count(Selection())
            book.register(CustomerKind.PRIVATE, "Beispiel")

            with pytest.raises(StoreBusyError):
                store.purge()
    finally:
        reader.close()
        store.close()


def test_purge_succeeds_once_the_reader_is_done(store: SqlStore, database: Path) -> None:
    """Once the reader's transaction ended, the same purge empties the log."""
    with store.transaction(write=False) as tx:
        tx.count(Selection())

    store.purge()

    assert 0 == Path(f"{database}-wal").stat().st_size


def test_purge_of_an_in_memory_database_does_nothing() -> None:
    """An in-memory SQLite database has no files; purge returns without error."""
    store = SqlStore.from_url("sqlite://")
    try:
        store.purge()
    finally:
        store.close()


def test_purge_of_a_closed_store_is_refused(database: Path) -> None:
    """A closed store refuses purge like every other use."""
    store = SqlStore.from_url(f"sqlite:///{database}")
    store.close()

    with pytest.raises(StoreError):
        store.purge()


@pytest.mark.server
@pytest.mark.parametrize("fixture", ["postgres_url", "mariadb_url"])
def test_purge_on_a_server_does_nothing(fixture: str, request: pytest.FixtureRequest) -> None:
    """On PostgreSQL and MariaDB purge sends no statement (old row versions are the server's)."""
    store = SqlStore.from_url(request.getfixturevalue(fixture))
    sent: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    try:
        store.purge()
    finally:
        store.close()

    assert [] == sent


def test_anonymization_blanks_the_search_name(sql_url: str) -> None:
    """The stored search_name of an anonymized customer is that of its dummy name only."""
    store = SqlStore.from_url(sql_url)
    book = CustomerBook(store, Settings(), clock=lambda: NOW)
    try:
        anna = book.register(CustomerKind.PRIVATE, "Schüßler", first_name="Anna", company="Ä")
        anonymous = book.anonymize(anna.number, "AG1", NOW.date()).customer
        with store.engine.connect() as connection:
            stored = connection.execute(
                sa.select(schema.customers.c.search_name).where(
                    schema.customers.c.number == anna.number
                )
            ).scalar_one()
    finally:
        store.close()

    assert name_search_key(anonymous) == stored
    assert "sch" not in stored


def test_a_busy_purge_gives_up_after_its_patience_not_the_busy_timeout(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the default 30 s busy timeout, a purge a reader blocks reports busy after its
    patience (0.2 s here), not after 30 s per attempt."""
    monkeypatch.setattr(sql, "_CHECKPOINT_PATIENCE", 0.2)
    store = SqlStore.from_url(f"sqlite:///{database}")
    book = CustomerBook(store, Settings(), clock=lambda: NOW)
    book.register(CustomerKind.PRIVATE, "Muster")
    reader = SqlStore.from_url(f"sqlite:///{database}", upgrade=False)
    try:
        with reader.transaction(write=False) as tx:
            tx.count(Selection())
            book.register(CustomerKind.PRIVATE, "Beispiel")
            started = time.monotonic()
            with pytest.raises(StoreBusyError):
                store.purge()
            waited = time.monotonic() - started
    finally:
        reader.close()
        store.close()

    assert waited < 5, f"waited {waited:.1f} s"
