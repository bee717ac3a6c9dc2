"""Reading customers builds validated objects, and a reader's BEGIN fails as a StoreError."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from custmodel import (
    CustomerBook,
    CustomerKind,
    InvalidInputError,
    Selection,
    StatusFlags,
    StoreError,
)
from custmodel.storage import _sqlschema as schema
from custmodel.storage._sqlschema import customers as customers_table
from custmodel.storage.sql import SqlStore, _customer_from_table_row, customer_to_row
from tests.sql.helpers import customer, register


@pytest.fixture
def store(sql_url: str) -> Iterator[SqlStore]:
    """A migrated, empty store on each SQL engine."""
    store = SqlStore.from_url(sql_url)
    yield store
    store.close()


def _corrupt_city(store: SqlStore, number: int) -> None:
    """Write a city with a control character behind the store's back, as a host could."""
    with store.engine.begin() as connection:
        connection.execute(
            sa.update(schema.customers)
            .where(schema.customers.c.number == number)
            .values(city="Bad\x07Town")
        )


def test_find_by_code1_refuses_a_corrupt_row(store: SqlStore) -> None:
    """A row that breaks the model's rules is refused by find_by_code1, not returned."""
    stored = register(store, code1="ABC")
    _corrupt_city(store, stored.number)

    with pytest.raises(InvalidInputError, match="city"):
        CustomerBook(store).find_by_code1("ABC")


def test_select_refuses_a_corrupt_row(store: SqlStore) -> None:
    """A row that breaks the model's rules is refused by select, not returned."""
    stored = register(store)
    _corrupt_city(store, stored.number)

    with pytest.raises(InvalidInputError, match="city"):
        CustomerBook(store).select(Selection(kind=CustomerKind.PRIVATE))


def test_find_by_code1_returns_the_stored_customer(store: SqlStore) -> None:
    """The prepared Code1 lookup returns exactly the customer that was stored."""
    stored = register(store, code1="ABC")
    register(store, code1="XYZ")

    assert [stored] == CustomerBook(store).find_by_code1("ABC")


def test_failing_read_begin_is_a_store_error() -> None:
    """A BEGIN the SQLite driver refuses in a read transaction raises StoreError."""
    store = SqlStore.from_url("sqlite://")
    try:
        # The in-memory store shares one connection; a transaction left open on it makes
        # the store's own BEGIN fail.
        with store.engine.connect() as connection:
            driver = connection.connection.driver_connection
            assert driver is not None
            driver.execute("BEGIN")
            try:
                with pytest.raises(StoreError), store.transaction(write=False):
                    pass
            finally:
                if driver.in_transaction:
                    driver.execute("ROLLBACK")
    finally:
        store.close()


def test_a_table_row_reads_back_as_the_customer_it_stores() -> None:
    """A full row in column order, as customer_to_row made it, rebuilds the same customer."""
    stored = customer(7, code1="ABC", city="Bonn", status=StatusFlags.of([1, 3]))
    row = customer_to_row(stored, aware_times=False)
    in_column_order = tuple(row[column.name] for column in customers_table.columns)

    assert stored == _customer_from_table_row(in_column_order)
