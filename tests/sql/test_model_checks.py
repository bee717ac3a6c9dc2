"""The database refuses customer rows that break the model (revision 0010_model_checks), and
the migration refuses to add its checks while stored rows break them."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from custmodel import (
    CustomerBook,
    CustomerKind,
    CustomerType,
    Selection,
    StatusFlags,
    StoredRowsError,
)
from custmodel.model import ContactChannel, customer_fields
from custmodel.storage import _sqlschema as schema
from custmodel.storage.sql import SqlStore, customer_to_row
from tests.sql.helpers import NOW, customer, register
from tests.sql.test_migrations import _migrate, empty_url

__all__ = ["empty_url"]

checks = importlib.import_module("custmodel.storage.sql.migrations.versions.0010_model_checks")
_PREFIX = "ck_custmodel_customers_"


@pytest.fixture
def store(sql_url: str) -> Iterator[SqlStore]:
    """A migrated, empty store on each SQL engine."""
    store = SqlStore.from_url(sql_url)
    yield store
    store.close()


def test_the_checks_say_what_the_model_says() -> None:
    """The migration's kinds, types and text lengths are the model's (a change of the model
    needs a migration of its checks)."""
    lengths = {
        f.name: f.metadata["max_length"] for f in customer_fields() if "max_length" in f.metadata
    }
    model = (
        tuple(k.value for k in CustomerKind),
        tuple(t.value for t in CustomerType),
        lengths,
        len(ContactChannel),
    )
    assert model == (checks.KINDS, checks.TYPES, checks.LENGTHS, 4)


#: A value breaking each check that every engine can be sent, by column.
_BREAKING: dict[str, Any] = {
    "number": 0,
    "debtor_account": 0,
    "version": 0,
    "status": 2**32,
    "advertising_objections": 16,
    "kind": "wholesale",
    "customer_type": "occasional",
    **{column: "x" * (longest + 1) for column, longest in checks.LENGTHS.items()},
}
_STATUS_BELOW = -1


def _check_name(column: str) -> str:
    return f"{_PREFIX}{column}_length" if column in checks.LENGTHS else f"{_PREFIX}{column}"


def _refused(connection: sa.Connection, statement: sa.Executable, column: str) -> sa_exc.DBAPIError:
    with pytest.raises(sa_exc.DBAPIError) as refused:
        connection.execute(statement)
    return refused.value


def _names_the_check(store: SqlStore, column: str, error: sa_exc.DBAPIError) -> bool:
    """Whether the check itself refused: the VARCHAR of a server refuses long text first."""
    varchar = column in checks.LENGTHS and column != "notes"
    if varchar and store.engine.dialect.name != "sqlite":
        return True
    return _check_name(column) in str(error.orig)


@pytest.mark.parametrize("column", sorted(_BREAKING))
def test_each_check_refuses_an_update_behind_the_stores_back(store: SqlStore, column: str) -> None:
    """A raw UPDATE writing a value the model does not take is refused by the database."""
    stored = register(store)
    with store.engine.connect() as connection:
        statement = (
            sa.update(schema.customers)
            .where(schema.customers.c.number == stored.number)
            .values({column: _BREAKING[column]})
        )
        error = _refused(connection, statement, column)
    assert _names_the_check(store, column, error)


@pytest.mark.parametrize("column", ["kind", "status", "notes", "city", "merged_into"])
def test_each_check_refuses_an_insert_behind_the_stores_back(store: SqlStore, column: str) -> None:
    """A raw INSERT of a row holding a value the model does not take is refused."""
    register(store)
    dialect = store.engine.dialect.name
    row = customer_to_row(customer(99, debtor_account=10_099), aware_times=dialect == "postgresql")
    row[column] = _STATUS_BELOW if column == "status" else _BREAKING.get(column, 0)
    with store.engine.connect() as connection:
        _refused(connection, sa.insert(schema.customers).values(row), column)


@pytest.mark.parametrize(
    ("column", "value"),
    [("status", "many"), ("number", "one"), ("birth_date", "someday"), ("created_at", 17)],
)
def test_sqlite_refuses_values_of_the_wrong_type(
    sqlite_url: str, column: str, value: object
) -> None:
    """SQLite stores any type in any column; its checks refuse a value of the wrong type."""
    store = SqlStore.from_url(sqlite_url)
    try:
        stored = register(store)
        with store.engine.connect() as connection:
            driver = connection.connection.driver_connection
            assert driver is not None
            with pytest.raises(Exception, match=_PREFIX + column):
                driver.execute(
                    f"UPDATE custmodel_customers SET {column} = ? WHERE number = ?",  # noqa: S608
                    (value, stored.number),
                )
    finally:
        store.close()


def test_a_too_long_city_cannot_be_written_behind_the_stores_back(store: SqlStore) -> None:
    """Text longer than the model takes never enters the table, not even on SQLite."""
    stored = register(store)
    with store.engine.connect() as connection, pytest.raises(sa_exc.DBAPIError):
        connection.execute(
            sa.update(schema.customers)
            .where(schema.customers.c.number == stored.number)
            .values(city="x" * 256)
        )


def test_the_migration_refuses_a_database_with_a_breaking_row(empty_url: str) -> None:
    """Upgrading a database whose rows break a check raises StoredRowsError naming the check
    and the customer, not the value, and leaves the database at the revision before."""
    store = SqlStore.from_url(empty_url)
    try:
        stored = register(store, city="Secretville")
        _migrate(store, "downgrade", "0009")
        with store.engine.begin() as connection:
            connection.execute(
                sa.update(schema.customers)
                .where(schema.customers.c.number == stored.number)
                .values(status=2**32 + 1, city="Secretville")
            )
    finally:
        store.close()
    with pytest.raises(StoredRowsError) as refused:
        SqlStore.from_url(empty_url)
    message = str(refused.value)
    assert (True, True, False) == (
        f"{_PREFIX}status" in message,
        f"customers {stored.number}" in message,
        "Secretville" in message,
    )
    store = SqlStore.from_url(empty_url, upgrade=False)
    try:
        assert "0009" == store.schema_revision()
    finally:
        store.close()


def test_trusted_reads_return_what_was_stored(store: SqlStore) -> None:
    """A customer with every field set reads back equal, found and selected."""
    stored = register(
        store,
        code1="K1",
        city="Köln",
        category="Familie",
        notes="line one\nline two",
        status=StatusFlags.of([1, 32]),
        commission_scheme="S",
        fee_schedule="F",
        birth_date=date(1970, 5, 6),
        anonymized_at=NOW,
        advertising_objections=frozenset({ContactChannel.SMS}),
    )
    book = CustomerBook(store)
    assert [stored] == book.find_by_code1("K1") == book.select(Selection(code1="K1"))
