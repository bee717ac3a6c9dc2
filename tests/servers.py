"""Database servers for the SQL tests: fresh, isolated databases on PostgreSQL and MariaDB.

Point the tests at servers with two environment variables (``.ci/run`` sets both):

* ``CUSTMODEL_TEST_POSTGRES_URL``, e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``
* ``CUSTMODEL_TEST_MARIADB_URL``, e.g. ``mysql+pymysql://root@127.0.0.1:3306/test``

A test that needs a server the environment does not name, or cannot reach, is skipped with a
message saying what to set; under ``CI=true`` it fails instead, so CI never passes by skipping.

Isolation: on PostgreSQL each database is a uniquely named schema (the URL selects it through
``search_path``), on MariaDB a uniquely named database ``cm_<hex>``. Creating and migrating one
takes a few hundred milliseconds, so the per-test fixtures share one migrated database per
process and empty it before each test (a few milliseconds); tests that need a database with no
tables at all use :func:`empty_database`.

Use from a test module or conftest::

    from tests.servers import sql_url, sqlite_url, postgres_url, mariadb_url  # fixtures
"""

from __future__ import annotations

import atexit
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

__all__ = [
    "ENGINES",
    "MARIADB_ENV",
    "POSTGRES_ENV",
    "SERVER_ENGINES",
    "empty_database",
    "mariadb_url",
    "postgres_url",
    "server_url",
    "sql_url",
    "sqlite_url",
]

POSTGRES_ENV: Final = "CUSTMODEL_TEST_POSTGRES_URL"
MARIADB_ENV: Final = "CUSTMODEL_TEST_MARIADB_URL"
#: Every SQL engine the adapter supports, as ``sql_url`` parametrizes them.
ENGINES: Final = ("sqlite", "postgresql", "mariadb")
SERVER_ENGINES: Final = ("postgresql", "mariadb")
_ENV: Final = {"postgresql": POSTGRES_ENV, "mariadb": MARIADB_ENV}
_EXAMPLES: Final = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/test",
}
#: custmodel's tables, children first, so deleting in this order satisfies foreign keys.
_TABLES: Final = (
    "custmodel_history",
    "custmodel_marketing_choices",
    "custmodel_distinct_marks",
    "custmodel_merge_duplicates",
    "custmodel_merges",
    "custmodel_requests",
    "custmodel_bookings",
    "custmodel_customers",
    "custmodel_kind_settings",
    "custmodel_settings",
)

_reachable: dict[str, str | None] = {}
_shared: dict[str, str] = {}


def _unavailable(message: str) -> None:
    """Skip the test, or fail it under CI, where a missing server must never go unnoticed."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true: a missing database server fails the run)")
    pytest.skip(message)


def _engine(url: str | URL) -> sa.Engine:
    """Return an engine for administration (no pooling: every use is short)."""
    return sa.create_engine(url, poolclass=sa.NullPool, connect_args={"connect_timeout": 3})


def server_url(engine: str) -> str:
    """Return the base URL of ``engine``'s test server, checked to be reachable.

    Skips (or fails under ``CI=true``) when its variable is unset or the server unreachable.
    """
    variable = _ENV[engine]
    url = os.environ.get(variable, "").strip()
    if not url:
        _unavailable(
            f"set {variable} (e.g. {_EXAMPLES[engine]}) to run the {engine} tests; .ci/run sets it"
        )
    if url not in _reachable:
        try:
            admin = _engine(url)
            with admin.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            admin.dispose()
            _reachable[url] = None
        except sa.exc.SQLAlchemyError as error:
            _reachable[url] = type(error.orig or error).__name__
    problem = _reachable[url]
    if problem is not None:
        _unavailable(
            f"the {engine} server named by {variable} is unreachable ({problem}); "
            "start it or fix the variable (.ci/run sets it)"
        )
    return url


def _create(engine: str, base: str) -> tuple[str, str]:
    """Create a uniquely named schema or database; return its name and URL."""
    name = f"cm_{uuid.uuid4().hex[:16]}"
    admin = _engine(base)
    with admin.begin() as connection:
        if engine == "postgresql":
            connection.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        else:
            connection.execute(
                sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin")
            )
    admin.dispose()
    parsed = make_url(base)
    if engine == "postgresql":
        url = parsed.update_query_dict({"options": f"-csearch_path={name}"})
    else:
        url = parsed.set(database=name)
    return name, url.render_as_string(hide_password=False)


def _drop(engine: str, base: str, name: str) -> None:
    admin = _engine(base)
    with admin.begin() as connection:
        if engine == "postgresql":
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        else:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
    admin.dispose()


@contextmanager
def empty_database(engine: str, tmp_path: Path | None = None) -> Iterator[str]:
    """Yield the URL of a new database without tables; drop it afterwards.

    Args:
        engine: "sqlite", "postgresql" or "mariadb".
        tmp_path: Directory for the SQLite file (required for "sqlite").
    """
    if engine == "sqlite":
        if tmp_path is None:
            raise ValueError("an SQLite database needs a directory")
        yield f"sqlite:///{tmp_path / f'cm_{uuid.uuid4().hex[:8]}.sqlite'}"
        return
    base = server_url(engine)
    name, url = _create(engine, base)
    try:
        yield url
    finally:
        _drop(engine, base, name)


def _cleared_server_database(engine: str) -> str:
    """Return this process's migrated database on ``engine``'s server, emptied."""
    base = server_url(engine)
    if engine not in _shared:
        from custmodel.storage.sql import SqlStore

        name, url = _create(engine, base)
        # A process that dies leaves its database behind; one that ends drops it.
        atexit.register(_drop, engine, base, name)
        SqlStore.from_url(url).close()
        _shared[engine] = url
    url = _shared[engine]
    admin = _engine(url)
    with admin.begin() as connection:
        # MariaDB checks foreign keys row by row: cut the tombstones loose before deleting.
        connection.execute(
            sa.update(sa.table("custmodel_customers", sa.column("merged_into"))).values(
                merged_into=None
            )
        )
        for table in _TABLES:
            connection.execute(sa.delete(sa.table(table)))
        connection.execute(
            sa.update(sa.table("custmodel_counters", sa.column("value"))).values(value=0)
        )
    admin.dispose()
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A new SQLite database file (no tables yet; ``SqlStore.from_url`` migrates it)."""
    return f"sqlite:///{tmp_path / 'custmodel.sqlite'}"


@pytest.fixture
def postgres_url() -> str:
    """A migrated, empty custmodel schema on the PostgreSQL test server."""
    return _cleared_server_database("postgresql")


@pytest.fixture
def mariadb_url() -> str:
    """A migrated, empty custmodel database on the MariaDB test server."""
    return _cleared_server_database("mariadb")


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.server),
        pytest.param("mariadb", marks=pytest.mark.server),
    ]
)
def sql_url(request: pytest.FixtureRequest) -> str:
    """An empty custmodel database on each SQL engine in turn."""
    fixture = {"sqlite": "sqlite_url", "postgresql": "postgres_url", "mariadb": "mariadb_url"}
    url: str = request.getfixturevalue(fixture[request.param])
    return url
