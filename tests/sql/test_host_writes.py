"""``SqlStore.hold_customer``: the active customer's number, locked in the caller's transaction.

Every test runs on a SQLite file, PostgreSQL and MariaDB, with a SQLAlchemy connection or a
DB-API connection. What the lock does against concurrent merges is proven in
``test_host_write_races.py``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pymysql  # type: ignore[import-untyped]
import pytest
import sqlalchemy as sa

from custmodel import CustomerBook
from custmodel.errors import (
    CustomerNotFoundError,
    InvalidInputError,
    StoreBusyError,
    StoreError,
)
from custmodel.model import MAX_NUMBER
from custmodel.storage.sql import SqlStore
from custmodel.testing.snapshots import take_snapshot
from tests.sql._workers_host import PAYMENT_COLUMN, PAYMENTS
from tests.sql.host_payments import (
    book,
    pay,
    payers,
    payments,
    payments_table,
    register,
    store,
)

__all__ = ["book", "payments", "store"]


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[SqlStore]:
    """A store on a SQLite file, payments registered as a host reference."""
    SqlStore.from_url(sqlite_url).close()
    with payments_table(sqlite_url):
        store = SqlStore.from_url(sqlite_url, upgrade=False)
        store.register_reference(PAYMENTS, PAYMENT_COLUMN)
        yield store
        store.close()


def _driver_connection(store: SqlStore) -> Any:
    """A new connection of the store's driver itself (sqlite3, psycopg, PyMySQL)."""
    dialect = store.engine.dialect
    arguments, options = dialect.create_connect_args(store.engine.url)
    return dialect.loaded_dbapi.connect(*arguments, **options)


def _autocommit(driver: Any) -> None:
    """Switch a driver connection to autocommit mode."""
    if isinstance(driver, sqlite3.Connection):
        driver.isolation_level = None
    elif callable(driver.autocommit):  # PyMySQL
        driver.autocommit(True)
    else:  # psycopg
        driver.autocommit = True


# -- the call ---------------------------------------------------------------------------------


def test_hold_returns_an_active_customers_own_number(store: SqlStore, book: CustomerBook) -> None:
    """Holding an active customer returns its own number."""
    (number,) = register(book, 1)

    with store.engine.begin() as connection:
        held = store.hold_customer(connection, number)

    assert number == held


def test_hold_follows_a_merge_to_the_master(store: SqlStore, book: CustomerBook) -> None:
    """Holding a merged customer returns its master's number."""
    master, duplicate = register(book, 2)
    book.merge(master, [duplicate])

    with store.engine.begin() as connection:
        held = store.hold_customer(connection, duplicate)

    assert master == held


def test_hold_follows_a_chain_of_merges(store: SqlStore, book: CustomerBook) -> None:
    """A customer merged into one that was merged in turn resolves to the last master."""
    first, second, third = register(book, 3)
    book.merge(second, [first])
    book.merge(third, [second])

    with store.engine.begin() as connection:
        held = store.hold_customer(connection, first)

    assert third == held


@pytest.mark.parametrize("number", [1, 99, MAX_NUMBER, MAX_NUMBER + 1, 0, -5])
def test_hold_of_an_unknown_number_raises_customer_not_found(store: SqlStore, number: int) -> None:
    """A number no customer has (also beyond 64 bits) raises CustomerNotFoundError."""
    with (
        pytest.raises(CustomerNotFoundError, match=rf"customer {number} not found"),
        store.engine.begin() as connection,
    ):
        store.hold_customer(connection, number)


@pytest.mark.parametrize("number", ["1", 1.0, True, None])
def test_hold_of_something_else_than_a_number_is_refused(store: SqlStore, number: Any) -> None:
    """A customer number that is no int raises InvalidInputError."""
    with (
        pytest.raises(InvalidInputError, match="customer number"),
        store.engine.begin() as connection,
    ):
        store.hold_customer(connection, number)


def test_hold_changes_nothing(store: SqlStore, book: CustomerBook) -> None:
    """Holding writes nothing: the store is unchanged after the transaction commits."""
    master, duplicate = register(book, 2)
    book.merge(master, [duplicate])
    before = take_snapshot(store)

    with store.engine.begin() as connection:
        store.hold_customer(connection, duplicate)

    assert before == take_snapshot(store)


def test_hold_works_on_a_pooled_dbapi_connection(store: SqlStore, book: CustomerBook) -> None:
    """A DB-API connection from the store's pool holds and follows merges too."""
    master, duplicate = register(book, 2)
    book.merge(master, [duplicate])
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if store.engine.dialect.name == "sqlite":
            cursor.execute("BEGIN IMMEDIATE")  # the store's connections leave BEGIN to it
        held = store.hold_customer(raw, duplicate)
        raw.commit()
    finally:
        raw.close()

    assert master == held


def test_hold_works_on_the_drivers_own_connection(store: SqlStore, book: CustomerBook) -> None:
    """A connection made by the driver itself (sqlite3, psycopg, PyMySQL) holds too."""
    master, duplicate = register(book, 2)
    book.merge(master, [duplicate])
    driver = _driver_connection(store)
    try:
        held = store.hold_customer(driver, duplicate)
        driver.commit()
    finally:
        driver.close()

    assert master == held


def test_hold_in_autocommit_mode_is_refused(store: SqlStore, book: CustomerBook) -> None:
    """A driver connection in autocommit mode (the lock would end at once) is refused."""
    (number,) = register(book, 1)
    driver = _driver_connection(store)
    try:
        _autocommit(driver)
        with pytest.raises(InvalidInputError, match="autocommit"):
            store.hold_customer(driver, number)
    finally:
        driver.close()


def test_hold_works_on_a_connection_of_the_hosts_own_engine(
    store: SqlStore, book: CustomerBook
) -> None:
    """A SQLAlchemy connection of an engine the host made itself holds too."""
    master, duplicate = register(book, 2)
    book.merge(master, [duplicate])
    engine = sa.create_engine(store.engine.url, poolclass=sa.NullPool)
    try:
        with engine.begin() as connection:
            held = store.hold_customer(connection, duplicate)
    finally:
        engine.dispose()

    assert master == held


def test_hold_on_a_sqlalchemy_autocommit_connection_is_refused(
    store: SqlStore, book: CustomerBook
) -> None:
    """A SQLAlchemy connection with the isolation level AUTOCOMMIT is refused."""
    (number,) = register(book, 1)
    engine = sa.create_engine(store.engine.url, poolclass=sa.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection, pytest.raises(InvalidInputError, match="autocommit"):
            store.hold_customer(connection, number)
    finally:
        engine.dispose()


@pytest.mark.parametrize("connection", [object(), "sqlite:///x.sqlite", None])
def test_hold_on_something_else_than_a_connection_is_refused(
    store: SqlStore, connection: Any
) -> None:
    """Anything but a SQLAlchemy or driver connection raises InvalidInputError."""
    with pytest.raises(InvalidInputError, match="connection"):
        store.hold_customer(connection, 1)


def test_hold_on_another_databases_driver_is_refused(store: SqlStore) -> None:
    """A connection of another database's driver raises InvalidInputError."""
    if store.engine.dialect.name == "sqlite":
        # PyMySQL makes its connection object without a server when told to connect later.
        other: Any = pymysql.connections.Connection(defer_connect=True)
    else:
        other = sqlite3.connect(":memory:")
    try:
        with pytest.raises(InvalidInputError, match="connection"):
            store.hold_customer(other, 1)
    finally:
        other.close()


def test_hold_on_a_closed_store_is_refused(url: str) -> None:
    """A closed store raises StoreError."""
    closed = SqlStore.from_url(url, upgrade=False)
    closed.close()

    with pytest.raises(StoreError, match="closed"), closed.engine.begin() as connection:
        closed.hold_customer(connection, 1)


def test_a_deferred_sqlite_transaction_is_upgraded_to_the_write_lock(
    sqlite_store: SqlStore,
) -> None:
    """On SQLite, holding in a deferred transaction takes the write lock until it ends."""
    (number,) = register(CustomerBook(sqlite_store), 1)
    other = _driver_connection(sqlite_store)
    other.isolation_level = None
    other.execute("PRAGMA busy_timeout = 0")
    try:
        with sqlite_store.engine.connect() as connection:
            connection.execution_options(custmodel_write=False)  # a deferred BEGIN
            with connection.begin():
                sqlite_store.hold_customer(connection, number)
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()


def test_a_deferred_sqlite_transaction_that_read_before_a_merge_is_refused_busy(
    sqlite_store: SqlStore,
) -> None:
    """On SQLite, a deferred transaction whose snapshot a merge outdated gets StoreBusyError."""
    book = CustomerBook(sqlite_store)
    master, duplicate = register(book, 2)
    with sqlite_store.engine.connect() as connection:
        connection.execution_options(custmodel_write=False)
        with connection.begin():
            connection.execute(sa.text("SELECT count(*) FROM custmodel_customers")).scalar_one()
            book.merge(master, [duplicate])
            with pytest.raises(StoreBusyError):
                sqlite_store.hold_customer(connection, duplicate)


def test_a_number_resolved_before_the_transaction_can_name_a_tombstone(
    store: SqlStore, book: CustomerBook
) -> None:
    """Control: resolving first and inserting later strands the row if a merge ran between."""
    master, duplicate = register(book, 2)

    resolved = book.resolve(duplicate).number
    book.merge(master, [duplicate])
    with store.engine.begin() as connection:
        pay(connection, resolved)

    assert [duplicate] == payers(store)
