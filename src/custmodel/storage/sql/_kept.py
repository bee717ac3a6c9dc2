"""Single-statement reads of customers on a driver connection kept per thread.

A lookup by Code1 through a transaction spent most of its time on the way, not in the
database: checking a connection out of the pool, BEGIN and COMMIT, SQLAlchemy's execution of
the statement. A read that is one statement needs none of that for its consistency: each
thread keeps one driver connection in autocommit mode, so every statement reads what was
committed before it started (its own snapshot, never one kept from an earlier read), and runs
SQL compiled once per statement shape.

The connection is the thread's own; after a driver error it is closed and the next read opens
a new one (a read after a lost connection is tried once more on a new one). The store closes
all of them when it is closed, and a thread's connection is closed when the thread ends.
Reads of several statements stay in a transaction (:meth:`SqlStore.transaction`).
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Generic, TypeVar

from sqlalchemy import BigInteger, Connection, Engine, bindparam, func, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement

from custmodel.errors import StoreError
from custmodel.model._customer import Customer
from custmodel.model._selection import Selection
from custmodel.storage.sql import _schema as schema
from custmodel.storage.sql._errors import _raise_translated
from custmodel.storage.sql._queries import FIELD_COLUMNS, _c, _storable, selection_clause
from custmodel.storage.sql._rows import field_rows_reader
from custmodel.storage.sql._transaction import SettingsMemo

__all__ = ["KeptReads", "KeptWriter", "KeptWrites"]

#: Statement shapes compiled per dialect and kept (selections differ in their shape).
_COMPILED_SHAPES: Final = 256
#: What a store keeps of each open connection.
_Open = TypeVar("_Open")


class _Compiled:
    """A statement compiled for one dialect: its SQL and how to bind its parameters."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        self.sql = str(compiled)
        self._defaults = dict(compiled.params)
        self._order: tuple[str, ...] | None = (
            tuple(getattr(compiled, "positiontup", None) or ()) if dialect.positional else None
        )

    def parameters(self, given: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        values = {**self._defaults, **given} if given else self._defaults
        if self._order is None:
            return values
        return tuple(values[name] for name in self._order)


@functools.lru_cache(maxsize=_COMPILED_SHAPES)
def _compiled(shape: str, selection: Selection | None, dialect: Dialect) -> _Compiled:
    """The compiled statement of one shape: "code1", "select", "page" or "count"."""
    statement: ClauseElement
    if shape == "code1":
        statement = (
            select(*FIELD_COLUMNS)
            .where(_c.code1 == bindparam("code1"), _c.merged_into.is_(None))
            .order_by(_c.number)
        )
    else:
        assert selection is not None  # noqa: S101 (the callers pass one)
        clause = selection_clause(selection)
        if shape == "count":
            statement = select(func.count()).select_from(schema.customers).where(clause)
        elif shape == "page":
            statement = (
                select(*FIELD_COLUMNS)
                .where(clause, _c.number > bindparam("after"))
                .order_by(_c.number)
                .limit(bindparam("limit", type_=BigInteger))
            )
        else:
            statement = select(*FIELD_COLUMNS).where(clause).order_by(_c.number)
    return _Compiled(statement, dialect)


class _Held:
    """One thread's kept connection (the pool's, detached from it)."""

    def __init__(self, pooled: Any) -> None:
        self.pooled = pooled
        self.driver = pooled.driver_connection


def _close(pooled: Any) -> None:
    # A connection that fails to close is gone anyway.
    with contextlib.suppress(Exception):
        pooled.close()


def _postgres_session(driver: Any) -> None:
    """Autocommit, and timestamps in UTC: psycopg then returns them with ``datetime.UTC``
    itself, which the reader takes as they are (a server's ``Etc/UTC`` or any other zone
    costs a conversion per value). What is read does not change: ``timestamptz`` is an
    instant, and the reads compare no time of day."""
    driver.autocommit = True
    driver.execute("SET TIME ZONE 'UTC'")


class _PerThread(Generic[_Open]):
    """What both kinds of kept connections share: the engine, each thread's own connection
    (in ``_local``), and the open ones by key, for the store's ``close``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._local = threading.local()
        self._guard = threading.Lock()
        self._open: dict[int, _Open] = {}
        self._closed = False

    def open_connections(self) -> int:
        """How many kept connections are open (for tests)."""
        with self._guard:
            return len(self._open)


class KeptReads(_PerThread[Any]):
    """The single-statement reads of customers of one store: see the module's docstring."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._dialect = engine.dialect
        self._error = engine.dialect.loaded_dbapi.Error
        name = engine.dialect.name
        self._read = field_rows_reader(text_times=name == "sqlite")
        self._autocommit: Callable[[Any], None]
        if name == "sqlite":
            # The store's connect hook leaves the driver in autocommit mode already.
            self._autocommit = lambda _driver: None
        elif name == "postgresql":
            self._autocommit = _postgres_session
        else:
            self._autocommit = lambda driver: driver.autocommit(True)

    def find_by_code1(self, code1: str) -> list[Customer]:
        """Return active customers whose Code1 equals ``code1``, by number."""
        if not _storable(code1):
            return []
        rows = self._rows(_compiled("code1", None, self._dialect), {"code1": code1}, "code1")
        return self._read(rows)

    def select(self, selection: Selection) -> list[Customer]:
        """Return the customers ``selection.matches``, ordered by number."""
        rows = self._rows(_compiled("select", selection, self._dialect), {}, "select")
        return self._read(rows)

    def select_page(self, selection: Selection, after: int, limit: int) -> list[Customer]:
        """Return at most ``limit`` selected customers numbered above ``after``, by number."""
        if limit < 1:
            return []
        compiled = _compiled("page", selection, self._dialect)
        rows = self._rows(compiled, {"after": after, "limit": limit}, "select a page of")
        return self._read(rows)

    def count(self, selection: Selection) -> int:
        """Return how many customers ``selection.matches``."""
        ((count,),) = self._rows(_compiled("count", selection, self._dialect), {}, "count")
        return int(count)

    def _rows(self, compiled: _Compiled, given: Mapping[str, Any], what: str) -> list[Any]:
        """Run a statement on the thread's connection and fetch all its rows."""
        parameters = compiled.parameters(given)
        for attempt in (1, 2):
            held = self._held()
            cursor = None
            try:
                cursor = held.driver.cursor()
                cursor.execute(compiled.sql, parameters)
                rows: list[Any] = cursor.fetchall()
                cursor.close()
            except self._error as error:
                lost = self._dialect.is_disconnect(error, held.driver, cursor)
                self._discard(held)
                if lost and attempt == 1:
                    continue
                wrapped = sa_exc.DBAPIError.instance(
                    compiled.sql,
                    None,
                    error,
                    self._error,
                    hide_parameters=True,
                    dialect=self._dialect,
                )
                _raise_translated(wrapped, f"read customers ({what})")
            except BaseException:
                self._discard(held)
                raise
            return rows
        raise AssertionError("unreachable")  # pragma: no cover

    def _held(self) -> _Held:
        """The calling thread's connection, opened on its first read."""
        if self._closed:
            raise StoreError("the store is closed")
        held: _Held | None = getattr(self._local, "held", None)
        if held is not None:
            return held
        try:
            pooled = self._engine.raw_connection()
        except sa_exc.SQLAlchemyError as error:
            _raise_translated(error, "open a connection")
        held = _Held(pooled)
        pooled.detach()
        try:
            # Whatever the pool's check of the connection began ends before autocommit.
            held.driver.rollback()
            self._autocommit(held.driver)
        except self._error:
            _close(pooled)
            raise
        with self._guard:
            if self._closed:
                _close(pooled)
                raise StoreError("the store is closed")
            self._open[id(held)] = pooled
        # Closed when the thread ends and its locals go, or with the store.
        weakref.finalize(held, self._forget, id(held))
        self._local.held = held
        return held

    def _forget(self, key: int) -> None:
        with self._guard:
            pooled = self._open.pop(key, None)
        if pooled is not None:
            _close(pooled)

    def _discard(self, held: _Held) -> None:
        """Close the thread's connection after an error; the next read opens a new one."""
        self._local.held = None
        self._forget(id(held))

    def close(self) -> None:
        """Close every thread's connection; reads fail from now on."""
        with self._guard:
            self._closed = True
            connections = list(self._open.values())
            self._open.clear()
        for pooled in connections:
            _close(pooled)


class KeptWriter:
    """One thread's kept connection for transactions, whether a transaction uses it, and the
    settings it last read."""

    def __init__(self, engine: Engine, pooled: Any) -> None:
        self._engine = engine
        # The pool's connection, detached from it: closing it closes the driver's connection.
        self.pooled = pooled
        self.busy = False
        self.settings = SettingsMemo()
        # A process forked while it was open must not use it: the file handle is the parent's.
        self.pid = os.getpid()
        self._connection: Connection | None = None

    def connect(self, *, keep: bool) -> Connection:
        """A SQLAlchemy connection on the kept one, for one transaction.

        With ``keep`` (nobody watches the engine, see
        :func:`~custmodel.storage.sql._engine.unwatched`) it is the same one every time:
        making it cost a registration about a twentieth of its time. Otherwise it is new for
        every transaction, as the pool's would be, so that what is watched is what a pooled
        connection shows: a listener of new connections is called, the savepoint names start
        afresh, echo is read anew. It is not closed afterwards; that would close the kept one.
        """
        connection = self._connection
        if connection is None or not keep:
            connection = Connection(self._engine, self.pooled)
            self._connection = connection if keep else None
        return connection


class KeptWrites(_PerThread["weakref.ref[KeptWriter]"]):
    """A connection per thread for the transactions of a SQLite file store.

    A single registration is a short transaction: taking a connection from the pool and
    giving it back (with the pool's rollback) cost about as much as SQLite's work on the
    registration itself. So each thread keeps one driver connection for its transactions,
    detached from the pool, and begins and commits on it.

    - A transaction opened inside another on the same thread gets none (:meth:`take` returns
      None) and uses the pool's, as before: the kept one is in use.
    - After any error in a transaction the connection is closed (:meth:`drop`); the thread's
      next transaction opens a new one. Nothing an error left behind reaches another.
    - A process forked from this one does not use the connections it inherited.
    - The store's :meth:`close` closes the idle ones at once and each busy one when its
      transaction ends; a thread's connection is closed when the thread ends.

    Only SQLite files: a connection there is a file handle. On PostgreSQL and MariaDB each
    kept connection would hold a server connection per thread beyond the pool's limit.
    """

    def take(self) -> KeptWriter | None:
        """The calling thread's kept connection, marked busy, opened on its first use; None
        while a transaction of the thread uses it.

        Raises:
            StoreError: if the store is closed.
            sqlalchemy.exc.SQLAlchemyError: if no connection could be opened.
        """
        writer: KeptWriter | None = getattr(self._local, "writer", None)
        if writer is not None and writer.pid == os.getpid():
            with self._guard:
                if self._closed:
                    raise StoreError("the store is closed")
                if writer.busy:
                    return None
                writer.busy = True
            return writer
        pooled = self._engine.raw_connection()
        # The pool neither counts it nor hands it out again: closing it closes it.
        pooled.detach()
        writer = KeptWriter(self._engine, pooled)
        writer.busy = True
        with self._guard:
            if self._closed:
                _close(pooled)
                raise StoreError("the store is closed")
            # Weakly: a writer goes with its thread's locals, and its finalizer closes it then.
            self._open[id(writer)] = weakref.ref(writer)
        # Closed when the thread ends and its locals go, or with the store.
        weakref.finalize(writer, self._forget, id(writer), pooled)
        self._local.writer = writer
        return writer

    def give_back(self, writer: KeptWriter) -> None:
        """End a transaction's use of ``writer``: the transaction ended without error."""
        with self._guard:
            writer.busy = False
            if not self._closed:
                return
        self.drop(writer)

    def drop(self, writer: KeptWriter) -> None:
        """Close ``writer`` (after an error); the thread's next transaction opens another."""
        if getattr(self._local, "writer", None) is writer:
            self._local.writer = None
        self._forget(id(writer), writer.pooled)

    def _forget(self, key: int, pooled: Any) -> None:
        with self._guard:
            self._open.pop(key, None)
        _close(pooled)

    def close(self) -> None:
        """Close the idle connections now; a busy one closes when its transaction ends."""
        with self._guard:
            self._closed = True
            writers = [w for w in (ref() for ref in self._open.values()) if w is not None]
            idle = [w for w in writers if not w.busy]
            for writer in idle:
                del self._open[id(writer)]
        for writer in idle:
            _close(writer.pooled)
