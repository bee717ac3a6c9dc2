"""The errors of the SQL store chain no personal data, and SQLAlchemy's logs print no rows.

A refused statement's SQLAlchemy exception keeps the statement's parameters, and the driver's
message can quote a row (PostgreSQL's ``DETAIL: Key (last_name)=(...)``, MariaDB's
``Duplicate entry '...'``). Neither may be reachable from the error custmodel raises: not as
its ``__cause__``, not as its ``__context__``, not in a printed traceback.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from custmodel import CustmodelError, CustomerBook, CustomerKind, Selection
from custmodel.storage.sql import DriverError, SqlStore
from tests.privacy import error_texts
from tests.servers import empty_database

#: Planted in every personal field a test writes or searches; it must never come back.
MARKER = "Geheimrat Mxyzptlk"
EMAIL = "mxyzptlk@example.org"

ENGINE_PARAMS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.server),
    pytest.param("mariadb", marks=pytest.mark.server),
]


@pytest.fixture(params=ENGINE_PARAMS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    """A store of its own on each SQL engine, whose schema the test may change."""
    with empty_database(request.param, tmp_path) as url:
        store = SqlStore.from_url(url)
        try:
            yield store
        finally:
            store.close()


def _unique_last_names(store: SqlStore) -> None:
    """Add what a host could add: a unique index on the last name."""
    customers = sa.Table("custmodel_customers", sa.MetaData(), autoload_with=store.engine)
    with store.engine.begin() as connection:
        sa.Index("host_unique_last_name", customers.c.last_name, unique=True).create(connection)


def _refused_registration(store: SqlStore) -> CustmodelError:
    """Register the marked customer twice; the unique index refuses the second one."""
    book = CustomerBook(store)
    _unique_last_names(store)
    book.register(CustomerKind.PRIVATE, MARKER, email=EMAIL)
    with pytest.raises(CustmodelError) as raised:
        book.register(CustomerKind.PRIVATE, MARKER, email=EMAIL)
    return raised.value


def _failed_search(store: SqlStore) -> CustmodelError:
    """Search for the marker in a table whose search column went missing."""
    book = CustomerBook(store)
    with store.engine.begin() as connection:
        connection.execute(
            sa.text("ALTER TABLE custmodel_customers RENAME COLUMN search_name TO lost_name")
        )
    with pytest.raises(CustmodelError) as raised:
        book.select(Selection(name=MARKER))
    return raised.value


#: A way to make the store refuse a statement that carries the marker.
Failure = Callable[[SqlStore], CustmodelError]


@pytest.mark.parametrize("failure", [_refused_registration, _failed_search])
def test_the_error_chain_holds_no_personal_data(store: SqlStore, failure: Failure) -> None:
    """Nothing reachable from the error (cause, context, their attributes) holds the marker."""
    error = failure(store)

    assert [] == [text for text in error_texts(error) if "mxyzptlk" in text.lower()]


@pytest.mark.parametrize("failure", [_refused_registration, _failed_search])
def test_the_cause_and_the_context_are_the_driver_error_summary(
    store: SqlStore, failure: Failure
) -> None:
    """The error's cause and context are one DriverError, which chains nothing further."""
    error = failure(store)

    cause = error.__cause__
    assert (True, True, None, None) == (
        isinstance(cause, DriverError),
        error.__context__ is cause,
        cause.__cause__ if cause else None,
        cause.__context__ if cause else None,
    )


def test_the_traceback_of_a_refused_statement_holds_no_personal_data(store: SqlStore) -> None:
    """A printed traceback (what logging's exc_info writes) never shows the marker."""
    error = _refused_registration(store)

    printed = "".join(traceback.format_exception(error))

    assert ("mxyzptlk" in printed.lower(), "DriverError" in printed) == (False, True)


def test_the_driver_error_keeps_the_error_class_and_code(store: SqlStore) -> None:
    """The summary names the driver's exception class and its code on each engine."""
    cause = _refused_registration(store).__cause__
    assert isinstance(cause, DriverError)

    expected = {
        "sqlite": ("sqlite3.IntegrityError", None, None, "SQLITE_CONSTRAINT_UNIQUE"),
        "postgresql": ("psycopg.errors.UniqueViolation", "23505", None, None),
        "mysql": ("pymysql.err.IntegrityError", "23000", 1062, None),
    }[store.engine.dialect.name]
    assert expected == (cause.error_class, cause.sqlstate, cause.errno, cause.sqlite_error)


class _Records(logging.Handler):
    """Keeps every record's message."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def sqlalchemy_debug_log() -> Iterator[_Records]:
    """SQLAlchemy's engine logging at DEBUG, collected."""
    records = _Records()
    root = logging.getLogger("sqlalchemy")
    engine = logging.getLogger("sqlalchemy.engine")
    level = engine.level
    root.addHandler(records)
    engine.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        engine.setLevel(level)
        root.removeHandler(records)


def test_sqlalchemy_logs_no_customer_row_at_debug(
    store: SqlStore, sqlalchemy_debug_log: _Records
) -> None:
    """At DEBUG, SQLAlchemy logs the statements of a register and a select, no row values."""
    book = CustomerBook(store)
    book.register(CustomerKind.PRIVATE, MARKER, email=EMAIL)
    found = book.select(Selection(name=MARKER))

    messages = sqlalchemy_debug_log.messages
    assert (1, True, []) == (
        len(found),
        any("SELECT" in message for message in messages),
        [message for message in messages if "mxyzptlk" in message.lower()],
    )
