"""Database servers for the SQL tests: fresh, isolated databases on PostgreSQL and MariaDB.

Point the tests at servers with two environment variables (``.ci/run`` sets both):

* ``CUSTMODEL_TEST_POSTGRES_URL``, e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``
* ``CUSTMODEL_TEST_MARIADB_URL``, e.g. ``mysql+pymysql://root@127.0.0.1:3306/test``

A test that needs a server the environment does not name, or cannot reach, is skipped with a
message saying what to set; under ``CI=true`` it fails instead, so CI never passes by skipping.

Isolation: on PostgreSQL each database is a uniquely named schema (the URL selects it through
``search_path``), on MariaDB a uniquely named database ``cm_<hex>``. Creating and migrating one
takes a few hundred milliseconds, so the per-test fixtures share one migrated database per
process and empty it before each test (a few milliseconds, on a connection kept open for the
process); tests that need a database with no tables at all use :func:`empty_database`.

SQLite: migrating a new database runs every migration (a tenth of a second or more), so each
process migrates one file and one in-memory database, and every test gets a copy
(:func:`migrated_sqlite_copy`, the ``sqlite_url`` fixture, :func:`sqlite_memory_store`). The
migrations themselves are tested on empty databases in ``tests/sql/test_migrations.py``.

Use from a test module or conftest::

    from tests.servers import sql_url, sqlite_url, postgres_url, mariadb_url  # fixtures
"""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from custmodel.storage._sqlschema import metadata

if TYPE_CHECKING:
    from custmodel.storage.sql import SqlStore

__all__ = [
    "ENGINES",
    "MARIADB_ENV",
    "POSTGRES_ENV",
    "SERVER_ENGINES",
    "cleared_database",
    "empty_database",
    "mariadb_url",
    "migrated_sqlite_copy",
    "postgres_url",
    "server_url",
    "sql_url",
    "sqlite_memory_store",
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
#: custmodel's tables (but the counters), children first, so deleting in this order satisfies
#: foreign keys; read from the schema, so that a new table is emptied too.
_TABLES: Final = tuple(
    table.name for table in reversed(metadata.sorted_tables) if table.name != "custmodel_counters"
)

_reachable: dict[str, str | None] = {}
_shared: dict[str, str] = {}
#: The engine emptying each shared server database: one open connection per process.
_clearing: dict[str, sa.Engine] = {}
#: This process's migrated SQLite file and in-memory database (its pages), made once.
_sqlite_templates: dict[str, Path | bytes] = {}


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
            # A DBAPIError names the driver's error; SQLAlchemy's own errors have none.
            _reachable[url] = type(getattr(error, "orig", None) or error).__name__
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


def cleared_database(engine: str) -> str:
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
    if engine not in _clearing:
        # Kept open: connecting anew for every test costs more than the deletes.
        _clearing[engine] = sa.create_engine(
            url, pool_size=1, pool_pre_ping=True, connect_args={"connect_timeout": 3}
        )
        atexit.register(_clearing[engine].dispose)
    with _clearing[engine].begin() as connection:
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
    return url


def _sqlite_template_file() -> Path:
    """This process's migrated SQLite file, closed (its write-ahead log folded in)."""
    template = _sqlite_templates.get("file")
    if template is None:
        from custmodel.storage.sql import SqlStore

        directory = Path(tempfile.mkdtemp(prefix="cm_template_"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        template = directory / "template.sqlite"
        SqlStore.from_url(f"sqlite:///{template}").close()
        if Path(f"{template}-wal").exists():  # pragma: no cover - closing removes it
            raise RuntimeError("the SQLite template kept its write-ahead log")
        _sqlite_templates["file"] = template
    assert isinstance(template, Path)
    return template


def migrated_sqlite_copy(path: Path) -> str:
    """Copy a migrated, empty custmodel database (SQLite) to ``path``; return its URL.

    The same file ``SqlStore.from_url`` makes on a new path, without running the migrations
    again: ``from_url`` finds the schema at head.
    """
    shutil.copyfile(_sqlite_template_file(), path)
    return f"sqlite:///{path}"


def _sqlite_memory_template() -> bytes:
    """The pages of a migrated, empty in-memory SQLite database."""
    template = _sqlite_templates.get("memory")
    if template is None:
        from custmodel.storage.sql import SqlStore

        store = SqlStore.from_url("sqlite://")
        with store.engine.connect() as connection:
            driver = connection.connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            template = driver.serialize()
        store.close()
        _sqlite_templates["memory"] = template
    assert isinstance(template, bytes)
    return template


def sqlite_memory_store() -> SqlStore:
    """``SqlStore.from_url("sqlite://")``, its migrated schema copied in instead of migrated.

    The store is opened without migrating, gets the pages of a migrated in-memory database,
    and then checks its schema as ``from_url`` does: at head, nothing runs.
    """
    from custmodel.storage.sql import SqlStore

    store = SqlStore.from_url("sqlite://", upgrade=False)
    with store.engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        driver.deserialize(_sqlite_memory_template())
    store.upgrade()
    return store


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated, empty custmodel database in a new SQLite file (a copy of a migrated one)."""
    return migrated_sqlite_copy(tmp_path / "custmodel.sqlite")


@pytest.fixture
def postgres_url() -> str:
    """A migrated, empty custmodel schema on the PostgreSQL test server."""
    return cleared_database("postgresql")


@pytest.fixture
def mariadb_url() -> str:
    """A migrated, empty custmodel database on the MariaDB test server."""
    return cleared_database("mariadb")


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
