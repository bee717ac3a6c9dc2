"""Engines: URLs, SQLite's connection and begin hooks, checkpoints, the migration lock."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from sqlalchemy import (
    Connection,
    func,
    select,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url

from custmodel.errors import (
    InvalidInputError,
    StoreBusyError,
    StoreError,
)

#: SQLite's default busy timeout for stores opened by URL, in seconds (``?timeout=`` overrides).
_SQLITE_TIMEOUT: Final = 30.0
#: Names the session lock concurrent migrations queue on (PostgreSQL wants a number).
_MIGRATION_LOCK_KEY: Final = 0x637573746D6F64  # "custmod" in ASCII
_MIGRATION_LOCK_NAME: Final = "custmodel_migrations"
#: Execution option the SQLite ``begin`` hook reads to choose IMMEDIATE or deferred.
_WRITE_OPTION: Final = "custmodel_write"
#: How long one checkpoint attempt lets SQLite wait for readers, in milliseconds. The
#: connection's own busy timeout (30 s by default) would hold every attempt that long.
_CHECKPOINT_WAIT_MS: Final = 50

#: Default driver and the extra that installs it, per database.
_DRIVERS: Final = {
    "sqlite": ("sqlite", "sql"),
    "postgresql": ("postgresql+psycopg", "postgres"),
    "postgres": ("postgresql+psycopg", "postgres"),
    "mysql": ("mysql+pymysql", "mysql"),
    "mariadb": ("mariadb+pymysql", "mysql"),
}

# -- logging ------------------------------------------------------------------------------------

#: The ``logging_name`` of the engines :meth:`SqlStore.from_url` creates: SQLAlchemy logs
#: their statements to the logger ``sqlalchemy.engine.Engine.custmodel``.
_LOGGING_NAME: Final = "custmodel"


class _NoRowLogging(logging.Filter):
    """Drop SQLAlchemy's DEBUG records of custmodel's engines: they print whole result rows.

    At DEBUG, SQLAlchemy logs every row a statement returns (``Row (...)``) and the column
    names; at INFO it logs statements, whose parameters ``hide_parameters`` hides. Dropping
    the DEBUG level as a whole, not lines that look like rows, keeps working whatever words
    a SQLAlchemy version uses for them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


logging.getLogger(f"sqlalchemy.engine.Engine.{_LOGGING_NAME}").addFilter(_NoRowLogging())


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    """Prepare a new SQLite connection: custmodel emits BEGIN itself; FKs, WAL, secure delete."""
    # The driver's own BEGIN handling would start transactions late and always deferred.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        _secure_delete_on(cursor)
        (mode,) = cursor.execute("PRAGMA journal_mode").fetchone()
        # Switching needs a moment of exclusive access, so only when it is not WAL already;
        # in-memory databases stay "memory".
        if str(mode).lower() not in ("wal", "memory"):
            cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()


def _secure_delete_on(cursor: Any) -> None:
    """Switch ``secure_delete`` on and confirm it is on (R9: freed content is zeroed).

    Raises:
        StoreError: if this SQLite build keeps it off (compiled with it disabled).
    """
    cursor.execute("PRAGMA secure_delete=ON")
    (state,) = cursor.execute("PRAGMA secure_delete").fetchone()
    if int(state) != 1:
        raise StoreError("SQLite refused secure_delete; erased data could linger in the file")


def _sqlite_on_begin(connection: Connection) -> None:
    """Start an IMMEDIATE transaction for writers, a deferred one for readers."""
    if connection.get_execution_options().get(_WRITE_OPTION, True):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    # A deferred BEGIN takes no lock, so it cannot find the database busy. Sent straight to
    # the driver it skips SQLAlchemy's statement execution, a large part of a short read.
    driver = connection.connection.driver_connection
    try:
        driver.execute("BEGIN")  # type: ignore[union-attr]
    except connection.dialect.loaded_dbapi.Error as error:
        raise sa_exc.DBAPIError.instance(
            "BEGIN", None, error, connection.dialect.loaded_dbapi.Error, dialect=connection.dialect
        ) from error


def _checkpoint(cursor: Any, patience: float) -> None:
    """Copy the whole write-ahead log into the database and truncate the log to 0 bytes.

    Args:
        patience: How long to keep retrying while readers block it, in seconds (0: once).

    Raises:
        StoreBusyError: if readers still held old snapshots after the retries.
    """
    deadline = time.monotonic() + patience
    (saved,) = cursor.execute("PRAGMA busy_timeout").fetchone()
    cursor.execute(f"PRAGMA busy_timeout={_CHECKPOINT_WAIT_MS}")
    try:
        while True:
            # (busy, log frames, frames checkpointed); busy is 1 while a reader blocks it.
            busy, _, _ = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return
            if time.monotonic() >= deadline:
                raise StoreBusyError(
                    "checkpoint the write-ahead log: readers kept it busy; the changes are "
                    "committed, purge again later"
                )
            time.sleep(0.05)
    finally:
        cursor.execute(f"PRAGMA busy_timeout={int(saved)}")


@contextmanager
def _migration_lock(connection: Connection) -> Iterator[None]:
    """Hold a session lock that serializes concurrent migrations on a server database.

    The lock is taken before and released after the migration's transaction, so a second
    migrator waits until the first one's revision is committed and then finds nothing to do.
    SQLite needs none: the migration's ``BEGIN IMMEDIATE`` serializes it already.
    """
    name = connection.dialect.name
    if name == "postgresql":
        acquire = select(func.pg_advisory_lock(_MIGRATION_LOCK_KEY))
        release = select(func.pg_advisory_unlock(_MIGRATION_LOCK_KEY))
    elif name in ("mysql", "mariadb"):
        acquire = select(func.get_lock(_MIGRATION_LOCK_NAME, 300))
        release = select(func.release_lock(_MIGRATION_LOCK_NAME))
    else:
        yield
        return
    connection.execute(acquire)
    connection.commit()
    try:
        yield
    finally:
        connection.execute(release)
        connection.commit()


def _normalize_url(url: str | URL) -> tuple[URL, str]:
    """Return the SQLAlchemy URL with custmodel's default driver, and the extra it needs.

    Raises:
        InvalidInputError: for a malformed URL or an unsupported database.
    """
    try:
        parsed = make_url(url)
    except (sa_exc.ArgumentError, ValueError):
        # The parser's message quotes the URL, and with it any password: not chained.
        raise InvalidInputError("not a database URL") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend not in _DRIVERS:
        raise InvalidInputError(f"unsupported database {backend!r} (sqlite, postgresql, mysql)")
    default, extra = _DRIVERS[backend]
    if not driver:
        parsed = parsed.set(drivername=default)
    elif backend == "postgres":
        parsed = parsed.set(drivername=f"postgresql+{driver}")
    return parsed, extra
