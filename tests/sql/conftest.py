"""Fixtures of the SQL adapter tests: one database URL per test, on each engine."""

import pytest

from custmodel.storage.sql import SqlStore
from tests.servers import mariadb_url, postgres_url, sql_url, sqlite_url

__all__ = ["mariadb_url", "postgres_url", "sql_url", "sqlite_url", "url"]


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
