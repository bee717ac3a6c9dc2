"""Engines: URLs, SQLite's connection and begin hooks, checkpoints, the migration lock."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any, Final

from sqlalchemy import (
    Connection,
    Engine,
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
#: Key in a connection's ``info`` while :func:`begin_on_driver`'s transaction is open on it.
_DRIVER_TRANSACTION: Final = "custmodel_driver_transaction"
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


def _unobserved(connection: Connection) -> bool:
    """True when nothing watches the statements ``connection`` executes: no listener of
    ``before_cursor_execute``, ``after_cursor_execute`` or ``handle_error``, and no echo.

    Then a statement may go straight to the driver (:func:`_on_driver`): nobody could tell
    the difference but the clock.
    """
    # A listener on the connection itself sets its ``_has_events`` (SQLAlchemy checks the
    # same flag before dispatching); without one only the engine's listeners count, which are
    # read without joining the two sets of listeners (a microsecond per statement).
    dispatch: Any = connection.dispatch if connection._has_events else connection.engine.dispatch
    return not (
        connection._echo  # what SQLAlchemy itself checks before it logs a statement
        or dispatch.before_cursor_execute
        or dispatch.after_cursor_execute
        or connection.dialect.dispatch.handle_error
    )


def driver_of(connection: Connection) -> Any:
    """The driver's own connection behind ``connection``.

    Also behind a connection detached from its pool (a thread's kept one, see
    :class:`~custmodel.storage.sql._kept.KeptWrites`), whose ``driver_connection`` SQLAlchemy
    no longer knows; with the synchronous drivers custmodel uses, the DB-API connection is the
    driver's own.
    """
    pooled = connection.connection
    driver = pooled.driver_connection
    return pooled.dbapi_connection if driver is None else driver


def _on_driver(
    connection: Connection, text: str, parameters: Any = None, *, fetch: bool = False
) -> list[Any] | None:
    """Run ``text`` on ``connection``'s driver connection, in its transaction; return all rows
    if ``fetch``.

    SQLAlchemy's execution of a statement (execution context, result metadata, event
    dispatch) cost several times what SQLite spends on the few short statements of a single
    registration. Where someone watches the statements (see :func:`_unobserved`), they go
    through SQLAlchemy as before. A driver error is raised as SQLAlchemy's, without the
    parameters; a lost connection is invalidated, so that the pool does not hand it out again.
    """
    if not _unobserved(connection):
        result = connection.exec_driver_sql(text, parameters)
        return list(result.all()) if fetch else None
    return _driver_execute(connection, text, parameters, fetch)


def _driver_execute(
    connection: Connection,
    text: str,
    parameters: Any = None,
    fetch: bool = False,
    driver: Any = None,
) -> list[Any] | None:
    """Run ``text`` on ``connection``'s driver connection (``driver``, where the caller has
    it), whether or not anyone watches; see :func:`_on_driver`."""
    if driver is None:
        driver = driver_of(connection)
    cursor = driver.cursor()
    try:
        if parameters is None:
            cursor.execute(text)
        else:
            cursor.execute(text, parameters)
        rows = cursor.fetchall() if fetch else None
        cursor.close()
    except Exception as error:
        dialect = connection.dialect
        dbapi_error = dialect.loaded_dbapi.Error
        if not isinstance(error, dbapi_error):
            raise
        lost = dialect.is_disconnect(error, driver, cursor)
        with suppress(dbapi_error):
            cursor.close()
        if lost:
            connection.invalidate(error)
        raise sa_exc.DBAPIError.instance(
            text,
            None,
            error,
            dbapi_error,
            hide_parameters=True,
            connection_invalidated=lost,
            dialect=dialect,
        ) from error
    # sqlite3 and psycopg fetch a list; PyMySQL a tuple.
    return rows if rows is None or type(rows) is list else list(rows)


class DriverStatements:
    """Statements a transaction sends to the driver (see :func:`_on_driver`), asking whether
    anyone watches once per transaction instead of once per statement.

    A listener added to the engine while a transaction runs sees its statements from the next
    transaction on, as it sees the transaction's begin and commit; one put on the transaction's
    own connection (by a host's function, which gets it) is seen from its next statement, since
    the question is asked again after every hand-over (:meth:`_handed_over`).
    """

    _conn: Connection
    #: Whether the transaction's statements go straight to the driver; None: ask first.
    _direct: bool | None = None
    _driver_connection: Any = None

    def _send(self, text: str, parameters: Any = None, *, fetch: bool = False) -> list[Any] | None:
        """Run ``text`` on the driver, as :func:`_on_driver` does; return all rows if ``fetch``."""
        direct = self._direct
        if direct is None:
            direct = self._direct = _unobserved(self._conn)
            self._driver_connection = driver_of(self._conn) if direct else None
        if direct:
            return _driver_execute(self._conn, text, parameters, fetch, self._driver_connection)
        return _on_driver(self._conn, text, parameters, fetch=fetch)

    def _handed_over(self) -> None:
        """The connection was handed to someone else's code: ask again before the next statement."""
        self._direct = None
        self._driver_connection = None


def _sqlite_on_begin(connection: Connection) -> None:
    """Start an IMMEDIATE transaction for writers, a deferred one for readers; nothing where
    :func:`begin_on_driver` began the driver's transaction already."""
    if connection.info.get(_DRIVER_TRANSACTION):
        return
    if connection.get_execution_options().get(_WRITE_OPTION, True):
        _on_driver(connection, "BEGIN IMMEDIATE")
        return
    # A deferred BEGIN takes no lock, so it cannot find the database busy. Sent straight to
    # the driver it skips SQLAlchemy's statement execution, a large part of a short read.
    driver = driver_of(connection)
    try:
        driver.execute("BEGIN")
    except connection.dialect.loaded_dbapi.Error as error:
        raise sa_exc.DBAPIError.instance(
            "BEGIN", None, error, connection.dialect.loaded_dbapi.Error, dialect=connection.dialect
        ) from error


def unwatched(engine: Engine) -> bool:
    """True when nobody watches ``engine``'s connections, statements or transactions: no
    listener of new connections, of statements, errors, or of begin, commit and rollback
    (custmodel's own ``begin`` hook aside), and no echo.

    Then a connection kept for a thread's transactions may serve one after the other, and
    begin and commit on the driver (:func:`begin_on_driver`): nobody could tell the
    difference but the clock.
    """
    dispatch = engine.dispatch
    if (
        dispatch.engine_connect
        or dispatch.before_cursor_execute
        or dispatch.after_cursor_execute
        or engine.dialect.dispatch.handle_error
        or dispatch.commit
        or dispatch.rollback
        or engine._should_log_info()
    ):
        return False
    begin = dispatch.begin
    if not begin:
        return True
    # Asked before every transaction: custmodel's hook alone, told from the engine's own
    # listeners without iterating over its and its class's (most of a microsecond).
    own = getattr(begin, "listeners", None)
    if own is not None:
        return len(begin) == 1 and _sqlite_on_begin in own
    return all(listener is _sqlite_on_begin for listener in begin)


def begin_on_driver(connection: Connection, *, write: bool) -> None:
    """Begin a transaction on ``connection``'s SQLite driver connection itself, where nobody
    watches (see :func:`unwatched`): ``BEGIN IMMEDIATE`` for writers, ``BEGIN`` for readers.

    A single registration is a short transaction, and SQLAlchemy's ``begin`` and ``commit``
    (its transaction object, the ``begin`` event) cost about a tenth of its time. SQLAlchemy
    does not know of the transaction: should a statement of it go through SQLAlchemy, which
    then begins its own, :func:`_sqlite_on_begin` leaves that to the one running, and
    :func:`end_transaction` ends whichever there is.
    """
    _driver_execute(connection, "BEGIN IMMEDIATE" if write else "BEGIN")
    connection.info[_DRIVER_TRANSACTION] = True


def end_transaction(connection: Connection, *, commit: bool) -> None:
    """Commit or roll back ``connection``'s transaction: SQLAlchemy's where it began one,
    otherwise the one :func:`begin_on_driver` began on the driver."""
    info = connection.info
    try:
        if connection.in_transaction():
            if commit:
                connection.commit()
            else:
                connection.rollback()
        elif info.get(_DRIVER_TRANSACTION):
            _driver_execute(connection, "COMMIT" if commit else "ROLLBACK")
    finally:
        info.pop(_DRIVER_TRANSACTION, None)


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


# -- engine options -------------------------------------------------------------------------------

#: ``create_engine`` arguments :meth:`SqlStore.from_url` sets itself because custmodel's
#: guarantees depend on them (privacy of logs and messages, locking, the in-memory pool), or
#: that it takes as keywords of its own.
_RESERVED_OPTIONS: Final = frozenset(
    {
        "creator",
        "echo",
        "hide_parameters",
        "isolation_level",
        "logging_name",
        "max_overflow",
        "pool",
        "pool_pre_ping",
        "pool_recycle",
        "pool_size",
        "pool_timeout",
        "poolclass",
    }
)


def _flag(value: object, what: str) -> bool:
    """Return ``value`` if it is True or False."""
    if not isinstance(value, bool):
        raise InvalidInputError(f"{what} is True or False")
    return value


def _whole(value: object, what: str, lowest: int) -> int:
    """Return ``value`` if it is a whole number of at least ``lowest``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
        raise InvalidInputError(f"{what} is a whole number of at least {lowest}")
    return value


def _seconds(value: object, what: str, *, never: bool = False) -> float:
    """Return ``value`` if it is a finite positive number of seconds (-1 too, with ``never``)."""
    valid = (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and (value > 0 or (never and value == -1))
    )
    if not valid:
        also = " (or -1 for never)" if never else ""
        raise InvalidInputError(f"{what} is a number of seconds above 0{also}")
    return value  # type: ignore[return-value]


def _pool_options(
    in_memory: bool,
    *,
    pool_size: int | None,
    max_overflow: int | None,
    pool_timeout: float | None,
    pool_recycle: float | None,
    pool_pre_ping: bool | None,
) -> dict[str, Any]:
    """Return the pool options given (None: not given), checked.

    Raises:
        InvalidInputError: for a malformed value, or any of them for a database in memory,
            whose one shared connection is no pool.
    """
    given = {
        name: value
        for name, value in (
            ("pool_size", pool_size),
            ("max_overflow", max_overflow),
            ("pool_timeout", pool_timeout),
            ("pool_recycle", pool_recycle),
            ("pool_pre_ping", pool_pre_ping),
        )
        if value is not None
    }
    if in_memory and given:
        raise InvalidInputError(
            f"{', '.join(given)}: a SQLite database in memory has one shared connection and "
            "no pool; use a file or a server database"
        )
    if pool_size is not None:
        _whole(pool_size, "pool_size", 0)
    if max_overflow is not None:
        _whole(max_overflow, "max_overflow", -1)
    if pool_timeout is not None:
        _seconds(pool_timeout, "pool_timeout")
    if pool_recycle is not None:
        _seconds(pool_recycle, "pool_recycle", never=True)
    if pool_pre_ping is not None:
        _flag(pool_pre_ping, "pool_pre_ping")
    return given


def _engine_options(value: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return further ``create_engine`` options, checked; ``connect_args`` a dict.

    Raises:
        InvalidInputError: for no mapping, a name that is no text, a reserved one, or
            ``connect_args`` that are no mapping.
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInputError("engine_options maps create_engine argument names to values")
    options = dict(value)
    for name in options:
        if not isinstance(name, str):
            raise InvalidInputError("engine_options maps create_engine argument names to values")
    reserved = sorted(_RESERVED_OPTIONS.intersection(options))
    if reserved:
        raise InvalidInputError(
            f"engine_options may not set {', '.join(reserved)}: custmodel sets it, or from_url "
            "takes it as a keyword of its own"
        )
    if "connect_args" in options:
        if not isinstance(options["connect_args"], Mapping):
            raise InvalidInputError("engine_options: connect_args is a mapping")
        options["connect_args"] = dict(options["connect_args"])
    return options
