"""Translating driver errors into custmodel errors that carry no personal data."""

from __future__ import annotations

import re
from types import TracebackType
from typing import Final, NoReturn

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL

from custmodel.errors import (
    CustmodelError,
    CustomerNotFoundError,
    DebtorAccountError,
    InvalidInputError,
    StoreBusyError,
    StoreError,
    StoreUnavailableError,
)
from custmodel.storage.sql import _schema as schema

_SQLITE_BUSY_CODES: Final = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED (primary codes)
_PG_BUSY_STATES: Final = frozenset({"40001", "40P01", "55P03"})
#: Lock wait timeout, deadlock, and "failed to read auto-increment value": InnoDB reports a
#: deadlock or timeout met while an INSERT ... SELECT waits for a table's AUTO-INC lock so.
_MYSQL_BUSY_ERRNOS: Final = frozenset({1205, 1213, 1467})
_MYSQL_FK_ERRNOS: Final = frozenset({1216, 1217, 1451, 1452})
_TABLE: Final = re.compile(r"custmodel_[a-z_]+")
#: SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_NOTADB: the file cannot be written, opened or read.
_SQLITE_UNAVAILABLE_CODES: Final = frozenset({8, 14, 26})
#: SQLSTATE classes and codes of a connection or login refused: connection exception, invalid
#: authorization, no such database, the server is starting or shutting down.
_PG_UNAVAILABLE_STATES: Final = ("08", "28", "3D000", "57P01", "57P02", "57P03")
#: No access to the database, login refused, unknown database, cannot connect, unknown host,
#: server gone away, connection lost.
_MYSQL_UNAVAILABLE_ERRNOS: Final = frozenset({1044, 1045, 1049, 2002, 2003, 2005, 2006, 2013})


def _sqlstate(orig: BaseException | None) -> str | None:
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return state if isinstance(state, str) else None


def _mysql_errno(orig: BaseException | None) -> int | None:
    args = getattr(orig, "args", ())
    if type(orig).__module__.startswith(("pymysql", "MySQLdb", "mysql", "mariadb")) and args:
        first = args[0]
        return first if isinstance(first, int) else None
    return None


def _is_busy(error: sa_exc.DBAPIError) -> bool:
    orig = error.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _SQLITE_BUSY_CODES:
        return True
    text = str(orig)
    return (
        _sqlstate(orig) in _PG_BUSY_STATES
        or _mysql_errno(orig) in _MYSQL_BUSY_ERRNOS
        or "database is locked" in text
        or "database table is locked" in text
    )


def _unavailable_reason(error: sa_exc.DBAPIError) -> str | None:
    """Why the database cannot be opened or reached, in the driver's words; None when
    ``error`` is about something else.

    These messages name a host, a port, a database, a user or a file, never a row, so unlike
    other driver messages they may be shown. A connection error has no statement, and
    PostgreSQL's driver gives it no SQLSTATE.
    """
    orig = error.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return str(orig) if code & 0xFF in _SQLITE_UNAVAILABLE_CODES else None
    errno = _mysql_errno(orig)
    if errno is not None:
        if errno not in _MYSQL_UNAVAILABLE_ERRNOS:
            return None
        args: tuple[object, ...] = getattr(orig, "args", ())
        text = str(args[1]) if len(args) > 1 else ""
        return f"{text} (errno {errno})" if text else f"errno {errno}"
    state = _sqlstate(orig)
    connecting = (
        state is None
        and isinstance(error, sa_exc.OperationalError)
        and (error.statement is None or error.connection_invalidated)
    )
    if connecting or (state is not None and state.startswith(_PG_UNAVAILABLE_STATES)):
        return " ".join(str(orig).removeprefix("connection failed: ").split())
    return None


def _integrity(error: sa_exc.IntegrityError, action: str) -> CustmodelError:
    """Translate a constraint violation; see :func:`_translate`."""
    orig = error.orig
    text = str(orig)
    state = _sqlstate(orig)
    errno = _mysql_errno(orig)
    if state == "23503" or errno in _MYSQL_FK_ERRNOS or "FOREIGN KEY constraint failed" in text:
        return CustomerNotFoundError(f"{action}: a referenced customer does not exist")
    unique = state == "23505" or errno == 1062 or "UNIQUE constraint failed" in text
    if unique and "debtor_account" in text:
        return DebtorAccountError(f"{action}: a debtor account is taken")
    found = _TABLE.search(error.statement or "")
    table = found.group(0) if found else None
    if unique and table == schema.customers.name:
        return InvalidInputError(f"{action}: a customer number is taken")
    if unique and table in (schema.bookings.name, schema.counters.name):
        # A concurrent transaction inserted the same booking or counter row first; the retry
        # sees that row and updates it.
        return StoreBusyError(f"{action}: a concurrent transaction inserted the same row")
    return StoreError(f"{action}: the database refused the data ({type(orig).__name__})")


def _translate(error: sa_exc.SQLAlchemyError, action: str) -> CustmodelError:
    """Return the custmodel error for a SQLAlchemy error raised while doing ``action``.

    The message names the action and the driver's exception class, never the driver's text,
    which can quote the values of a row; only a database that cannot be opened or reached is
    described in the driver's words (see :func:`_unavailable_reason`). Raise it with
    :func:`_raise_translated`, which chains a :class:`DriverError` instead of ``error``.
    """
    if isinstance(error, sa_exc.DBAPIError):
        if _is_busy(error):
            return StoreBusyError(f"{action}: the database is busy, try again")
        reason = _unavailable_reason(error)
        if reason is not None:
            return StoreUnavailableError(
                f"{action}: the database cannot be opened or reached: {reason}", reason=reason
            )
        if isinstance(error, sa_exc.IntegrityError):
            return _integrity(error, action)
        return StoreError(f"{action}: database error ({type(error.orig).__name__})")
    return StoreError(f"{action}: database error ({type(error).__name__})")


class DriverError(CustmodelError):
    """What a database error was, without anything it said about the data.

    The SQL store raises custmodel errors with this as their cause and context, never the
    driver's exception: SQLAlchemy's exception keeps the statement and its parameters (the
    values of a row, the text searched for), and the driver's message can quote values too
    (PostgreSQL's ``DETAIL: Key (...)=(...)``, MariaDB's ``Duplicate entry '...'``). A
    logger's ``exc_info`` or a printed traceback thus shows the error class and code, which is
    what a diagnosis needs, and no personal data. The store never raises this error itself.

    Attributes:
        error_class: The driver's exception class, with its module, e.g.
            ``"psycopg.errors.UniqueViolation"``.
        sqlstate: The SQLSTATE code (PostgreSQL), or None.
        errno: The MySQL/MariaDB error number, or None.
        sqlite_error: SQLite's extended result code name, e.g. ``"SQLITE_CONSTRAINT_UNIQUE"``,
            or None.
        constraint: The constraint the database names (PostgreSQL), or None.
    """

    def __init__(
        self,
        error_class: str,
        *,
        sqlstate: str | None = None,
        errno: int | None = None,
        sqlite_error: str | None = None,
        constraint: str | None = None,
    ) -> None:
        details = [
            f"{name} {value}"
            for name, value in (
                ("SQLSTATE", sqlstate),
                ("errno", errno),
                ("SQLite", sqlite_error),
                ("constraint", constraint),
            )
            if value is not None
        ]
        super().__init__(f"{error_class} ({', '.join(details)})" if details else error_class)
        self.error_class = error_class
        self.sqlstate = sqlstate
        self.errno = errno
        self.sqlite_error = sqlite_error
        self.constraint = constraint

    @classmethod
    def of(cls, error: BaseException) -> DriverError:
        """Summarize ``error`` (a SQLAlchemy error, or the driver's own) without its text."""
        orig = getattr(error, "orig", None) if isinstance(error, sa_exc.StatementError) else None
        cause = orig if isinstance(orig, BaseException) else error
        diag = getattr(cause, "diag", None)
        constraint = getattr(diag, "constraint_name", None)
        sqlite_error = getattr(cause, "sqlite_errorname", None)
        return cls(
            f"{type(cause).__module__}.{type(cause).__qualname__}",
            sqlstate=_sqlstate(cause),
            errno=_mysql_errno(cause),
            sqlite_error=sqlite_error if isinstance(sqlite_error, str) else None,
            constraint=constraint if isinstance(constraint, str) else None,
        )


def _raise_with_cause(error: CustmodelError, cause: DriverError) -> NoReturn:
    """Raise ``error`` with ``cause`` as its ``__cause__`` and its ``__context__``.

    ``raise error from cause`` inside an ``except`` block would keep the exception being
    handled as ``__context__``, where tracebacks, loggers and error trackers still find it.
    """
    try:
        raise error from cause
    except CustmodelError as raised:
        raised.__context__ = cause
        raise


def _raise_translated(error: sa_exc.SQLAlchemyError, action: str) -> NoReturn:
    """Raise the custmodel error for ``error`` (see :func:`_translate`), chained to a
    :class:`DriverError` instead of ``error``."""
    _raise_with_cause(_translate(error, action), DriverError.of(error))


def _raise_unavailable(error: StoreUnavailableError, url: URL) -> NoReturn:
    """Raise ``error`` again as the failure to open the database at ``url``, shown without
    its password, with the same cause."""
    reason = error.reason
    password = str(url.password or "")
    if len(password) > 3:  # drivers do not quote it; a short one would garble the message
        reason = reason.replace(password, "***")
    shown = url.render_as_string(hide_password=True)
    cause = error.__cause__
    again = StoreUnavailableError(f"cannot open the database {shown}: {reason}", reason=reason)
    if isinstance(cause, DriverError):
        _raise_with_cause(again, cause)
    raise again from None


class _Translating:
    """The context manager :func:`_translating` returns.

    A class, not a generator: every store method enters one or more, a single registration
    about ten, and a generator's set-up and close cost a microsecond each time.
    """

    __slots__ = ("_action",)

    def __init__(self, action: str) -> None:
        self._action = action

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is None:
            return
        if isinstance(error, sa_exc.SQLAlchemyError):
            _raise_translated(error, self._action)
        if isinstance(error, UnicodeEncodeError):
            # Drivers encode text as UTF-8 while sending it; lone surrogates cannot be. The
            # error's ``object`` is the whole text, so it is not chained either.
            _raise_with_cause(
                InvalidInputError(f"{self._action}: text that is not valid Unicode"),
                DriverError.of(error),
            )


def _translating(action: str) -> _Translating:
    """Translate SQLAlchemy errors raised in the block; custmodel's own errors pass through."""
    return _Translating(action)
