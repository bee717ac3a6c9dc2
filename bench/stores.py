"""Databases for the benchmarks: SQLite files in a temporary directory, PostgreSQL schemas.

custmodel creates every schema itself (``SqlStore.from_url`` runs its migrations), so the raw
baselines work on the very tables and indexes custmodel uses. The loaders fill them with raw
``executemany`` (SQLite: with the indexes dropped and created again afterwards, from their own
DDL), which keeps the set-up of a million customers short; set-up is never measured.

Raw SQLite connections get the pragmas custmodel's own connections get (foreign keys and
``secure_delete`` on; the file is in WAL mode already), so both sides pay for the same checks.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, Final

from bench import data
from custmodel import CustomerBook
from custmodel.storage.sql import SqlStore

__all__ = [
    "POSTGRES_URL_VARIABLE",
    "PostgresSchema",
    "SqliteFiles",
    "drop_history_after",
    "history_mark",
    "load_sqlite",
    "postgres_problem",
    "postgres_schema",
    "raw_sqlite",
]

POSTGRES_URL_VARIABLE: Final = "CUSTMODEL_BENCH_POSTGRES_URL"
DEFAULT_POSTGRES_URL: Final = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def raw_sqlite(path: Path) -> sqlite3.Connection:
    """A DB-API connection to ``path`` in autocommit mode, with custmodel's pragmas."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA secure_delete=ON")
    return connection


class SqliteFiles:
    """SQLite databases in one temporary directory, made from one migrated template.

    The template has custmodel's schema and :func:`bench.data.bench_settings`; :meth:`fresh`
    copies it, which is faster than migrating every new database.
    """

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._template: Path | None = None

    def path(self, name: str) -> Path:
        """A new file name in the directory (the file is not created)."""
        return self._directory / f"{name}-{uuid.uuid4().hex[:8]}.sqlite"

    def fresh(self, name: str) -> Path:
        """A new database with custmodel's schema and the benchmark settings, no customers."""
        if self._template is None:
            self._template = self._directory / "template.sqlite"
            store = SqlStore.from_url(f"sqlite:///{self._template}")
            CustomerBook(store, data.bench_settings())
            store.purge()  # the log copied into the file: one file to copy
            store.close()
        target = self.path(name)
        shutil.copyfile(self._template, target)
        return target

    @staticmethod
    def store(path: Path) -> SqlStore:
        """custmodel's store on ``path`` (its schema is current: no migration runs)."""
        return SqlStore.from_url(f"sqlite:///{path}", upgrade=False)

    @staticmethod
    def remove(path: Path) -> None:
        """Delete the database and its write-ahead log files."""
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def history_mark(connection: sqlite3.Connection) -> int:
    """The highest history entry id so far (0 for none): what :func:`drop_history_after` keeps."""
    (mark,) = connection.execute("SELECT coalesce(max(id), 0) FROM custmodel_history").fetchone()
    return int(mark)


def drop_history_after(connection: sqlite3.Connection, mark: int) -> int:
    """Delete the history entries written after ``mark``, undoing a run's; return how many.

    A benchmark that restores the rows a run changed removes the run's entries as well, so
    that every repetition writes into the same history (and a later sweep finds none to erase).
    """
    deleted = connection.execute("DELETE FROM custmodel_history WHERE id > ?", (mark,))
    return int(deleted.rowcount)


def _insert(connection: sqlite3.Connection, table: str, columns: Iterable[str], rows: Any) -> None:
    names = list(columns)
    connection.executemany(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        rows,
    )


def load_sqlite(
    path: Path,
    customers: int,
    *,
    bookings_per_customer: int = 0,
    bookings: Iterable[tuple[Any, ...]] = (),
    erasure_share: float = 0.0,
) -> None:
    """Fill a fresh benchmark database with customers 1..``customers`` and their bookings.

    Args:
        path: A database made by :meth:`SqliteFiles.fresh`.
        customers: How many customers (see :func:`bench.data.customer_fields`).
        bookings_per_customer: Bookings per customer on average, spread at random.
        bookings: Further booking rows (:data:`bench.data.BOOKING_COLUMNS` order, SQLite
            values).
        erasure_share: The share of customers with an open erasure request.
    """
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        # Durability does not matter while loading; the measured connections use the defaults.
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA foreign_keys=OFF")
        indexes = [
            (name, sql)
            for name, sql in connection.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND tbl_name IN ('custmodel_customers', 'custmodel_bookings', "
                "'custmodel_requests')"
            )
        ]
        connection.execute("BEGIN")
        for name, _ in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        chunk = 50_000
        for start in range(1, customers + 1, chunk):
            count = min(chunk, customers + 1 - start)
            rows = (
                data.customer_row(n, data.customer_fields(n), sqlite=True)
                for n in range(start, start + count)
            )
            _insert(connection, "custmodel_customers", data.CUSTOMER_COLUMNS, rows)
        if bookings_per_customer:
            _insert(
                connection,
                "custmodel_bookings",
                data.BOOKING_COLUMNS,
                data.booking_rows(customers, bookings_per_customer, sqlite=True),
            )
        _insert(connection, "custmodel_bookings", data.BOOKING_COLUMNS, bookings)
        requests = data.erasure_request_rows(customers, erasure_share, sqlite=True)
        if erasure_share:
            _insert(
                connection,
                "custmodel_requests",
                ("id", "customer", "kind", "received_on", "recorded_at"),
                requests,
            )
        for _name, sql in indexes:
            connection.execute(sql)
        connection.execute(
            "UPDATE custmodel_counters SET value = ? WHERE name = 'customer_number'", (customers,)
        )
        connection.execute(
            "UPDATE custmodel_counters SET value = ? WHERE name = 'erasure_request'",
            (len(requests) if erasure_share else 0,),
        )
        connection.execute("COMMIT")
        connection.execute("ANALYZE")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def postgres_url() -> str:
    """The PostgreSQL server URL the benchmarks use (``CUSTMODEL_BENCH_POSTGRES_URL``)."""
    return os.environ.get(POSTGRES_URL_VARIABLE, "").strip() or DEFAULT_POSTGRES_URL


def postgres_problem() -> str | None:
    """Why the PostgreSQL benchmarks cannot run, or None when the server answers."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[bench]')"
    try:
        with closing(psycopg.connect(_libpq(postgres_url()), connect_timeout=3)) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return f"{POSTGRES_URL_VARIABLE} server unreachable ({type(error).__name__})"
    return None


def _libpq(url: str) -> str:
    """The libpq form of a database URL: ``postgresql+psycopg://...`` -> ``postgresql://...``."""
    _scheme, _, rest = url.partition("://")
    return f"postgresql://{rest}"


def _with_search_path(url: str, schema: str) -> str:
    """``url`` with the libpq option that puts ``schema`` first on the ``search_path``."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


class PostgresSchema:
    """A schema of its own on the benchmark server, with custmodel's tables.

    Attributes:
        name: The schema's name.
        url: SQLAlchemy URL whose ``search_path`` is the schema.
        dsn: The same for psycopg.
    """

    def __init__(self, name: str, url: str, dsn: str) -> None:
        self.name = name
        self.url = url
        self.dsn = dsn

    def raw(self) -> Any:
        """A psycopg connection with the schema on its ``search_path``, in autocommit mode,
        its session's time zone UTC.

        As custmodel's kept read connections: psycopg then returns timestamps with
        ``datetime.UTC`` itself, where a server's ``Etc/UTC`` costs a conversion per value
        (the broad selection's fetch took 532 ms with the server's zone, 446 ms with UTC).
        The same instants either way; the floors take the faster.
        """
        import psycopg

        connection = psycopg.connect(self.dsn, autocommit=True)
        connection.execute("SET TIME ZONE 'UTC'")
        return connection


@contextmanager
def postgres_schema() -> Iterator[PostgresSchema]:
    """Create a uniquely named schema with custmodel's tables and settings; drop it afterwards."""
    import psycopg

    base = postgres_url()
    name = f"cm_bench_{uuid.uuid4().hex[:12]}"
    with closing(psycopg.connect(_libpq(base), autocommit=True)) as admin:
        admin.execute(f'CREATE SCHEMA "{name}"')
    try:
        rendered = _with_search_path(base, name)
        store = SqlStore.from_url(rendered)
        CustomerBook(store, data.bench_settings())
        store.close()
        yield PostgresSchema(name, rendered, _libpq(rendered))
    finally:
        with closing(psycopg.connect(_libpq(base), autocommit=True)) as admin:
            admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
