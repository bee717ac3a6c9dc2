"""Fixtures of the SQL adapter tests: one database URL per test, on each engine; a book on it;
spawned worker processes for the races."""

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

from custmodel import CustomerBook, Settings
from custmodel.storage.sql import SqlStore
from tests.servers import mariadb_url, postgres_url, sql_url, sqlite_url

__all__ = ["book", "mariadb_url", "pool", "postgres_url", "sql_url", "sqlite_url", "url"]


@pytest.fixture(
    params=[
        "sqlite_url",
        pytest.param("postgres_url", marks=pytest.mark.server),
        pytest.param("mariadb_url", marks=pytest.mark.server),
    ]
)
def url(request: pytest.FixtureRequest) -> str:
    """A migrated, empty database on each SQL engine (SQLite: a file), reachable from other
    processes: what the concurrency tests share between their threads and processes."""
    url: str = request.getfixturevalue(request.param)
    SqlStore.from_url(url).close()
    return url


@pytest.fixture
def book(url: str) -> Iterator[CustomerBook]:
    """A book on the database, with the default settings stored."""
    store = SqlStore.from_url(url, upgrade=False)
    yield CustomerBook(store, Settings())
    store.close()


@pytest.fixture(scope="module")
def pool() -> Iterator[tuple[ProcessPoolExecutor, Any]]:
    """Two spawned worker processes, started once for the module, and a sync manager."""
    context = multiprocessing.get_context("spawn")
    with (
        context.Manager() as manager,
        ProcessPoolExecutor(2, mp_context=context) as executor,
    ):
        yield executor, manager
