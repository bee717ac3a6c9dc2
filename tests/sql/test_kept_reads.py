"""One-statement reads run on a driver connection each thread keeps (SqlStore.single_read)."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from custmodel import CustomerBook, Selection, StoreError
from custmodel.storage.sql import SqlStore
from tests.sql.helpers import register


@pytest.fixture
def store(url: str) -> Iterator[SqlStore]:
    """A store on a database file or server, which other stores can open too."""
    store = SqlStore.from_url(url, upgrade=False)
    yield store
    store.close()


def _kept(store: SqlStore) -> Any:
    kept = store._kept
    assert kept is not None
    return kept


def _driver(store: SqlStore) -> Any:
    """The calling thread's kept driver connection."""
    return _kept(store)._held().driver


def test_a_kept_connection_sees_what_another_connection_committed(
    store: SqlStore, url: str
) -> None:
    """A read after another store's commit finds what it committed: no snapshot is kept."""
    book = CustomerBook(store)
    assert [] == book.find_by_code1("NEW")
    assert 0 == book.count(Selection())
    other = SqlStore.from_url(url, upgrade=False)
    try:
        stored = register(other, code1="NEW")
    finally:
        other.close()
    assert ([stored], 1) == (book.find_by_code1("NEW"), book.count(Selection()))


def test_a_kept_connection_recovers_after_an_error(store: SqlStore) -> None:
    """After its connection failed, the thread's next read runs on a new one."""
    stored = register(store, code1="ABC")
    book = CustomerBook(store)
    assert [stored] == book.find_by_code1("ABC")
    broken = _driver(store)
    broken.close()
    # A lost connection may surface once; it must not stay lost.
    with contextlib.suppress(StoreError):
        book.find_by_code1("ABC")
    assert ([stored], True) == (book.find_by_code1("ABC"), _driver(store) is not broken)


class _Refused:
    """A statement every database refuses, in place of a compiled one."""

    sql = "SELECT no_such_column FROM custmodel_customers"

    def parameters(self, _given: object) -> tuple[()]:
        return ()


def test_a_failing_statement_leaves_the_thread_a_working_connection(store: SqlStore) -> None:
    """A statement the database refuses is a StoreError; the connection it failed on is
    closed, and the next read works on a new one."""
    stored = register(store, code1="ABC")
    kept = _kept(store)
    failed_on = _driver(store)
    with pytest.raises(StoreError):
        kept._rows(_Refused(), {}, "refused")
    assert ([stored], False) == (
        CustomerBook(store).find_by_code1("ABC"),
        _driver(store) is failed_on,
    )


def test_two_threads_read_on_different_connections(store: SqlStore) -> None:
    """Each thread reads on a connection of its own."""
    register(store, code1="ABC")
    book = CustomerBook(store)
    barrier = threading.Barrier(2)
    drivers: list[int] = []

    def read() -> None:
        book.find_by_code1("ABC")
        drivers.append(id(_driver(store)))
        barrier.wait(timeout=30)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert 2 == len(set(drivers))


def test_a_thread_that_ends_closes_its_connection(store: SqlStore) -> None:
    """The connection of a thread that ended is closed, not kept for the store's lifetime."""
    book = CustomerBook(store)
    thread = threading.Thread(target=lambda: book.count(Selection()))
    thread.start()
    thread.join(timeout=60)
    del thread
    gc.collect()
    assert 0 == _kept(store).open_connections()


def test_close_closes_the_kept_connections(url: str) -> None:
    """Closing the store closes every kept connection, and reads fail afterwards."""
    store = SqlStore.from_url(url, upgrade=False)
    book = CustomerBook(store)
    book.count(Selection())
    driver = _driver(store)
    store.close()
    with pytest.raises(Exception):  # noqa: B017, PT011 (the driver's own error)
        driver.cursor().execute("SELECT 1")
    with pytest.raises(StoreError, match="closed"):
        book.count(Selection())
    assert 0 == _kept(store).open_connections()
