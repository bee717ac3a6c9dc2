"""Reading customers builds validated objects, and a reader's BEGIN fails as a StoreError."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from custmodel import (
    Customer,
    CustomerBook,
    CustomerKind,
    InvalidInputError,
    Selection,
    StatusFlags,
    StoreError,
)
from custmodel.dedupe import CandidateKeys
from custmodel.storage import _sqlschema as schema
from custmodel.storage._sqlschema import customers as customers_table
from custmodel.storage.sql import SqlStore, _customer_from_table_row, customer_to_row
from custmodel.storage.sql._rows import customers_reader
from custmodel.testing import strategies as cst
from tests.sql.helpers import customer, register

#: How each engine's driver hands timestamps over: SQLite's as naive ISO text, PostgreSQL's
#: aware (in UTC, or in the session's zone), MariaDB's naive.
_TIME_FORMS = ("sqlite", "utc", "zone", "naive")
_TIMES = ("created_at", "updated_at", "anonymized_at")


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


def test_a_duplicate_checks_candidates_refuse_a_corrupt_row(store: SqlStore) -> None:
    """A candidate row that breaks the model's rules is refused, not scored."""
    stored = register(store, postal_code="10115")
    _corrupt_city(store, stored.number)

    with pytest.raises(InvalidInputError, match="city"), store.transaction(write=False) as tx:
        tx.duplicate_candidates(CandidateKeys(postal_codes=("10115",)), 20)


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


def _driver_row(stored: Customer, form: str) -> tuple[Any, ...]:
    """The full table row of ``stored`` as a driver returns it, timestamps in ``form``."""
    row = customer_to_row(stored, aware_times=form in ("utc", "zone"))
    for name in _TIMES:
        value: datetime | None = row[name]
        if value is None:
            continue
        if form == "sqlite":
            row[name] = f"{value:%Y-%m-%d %H:%M:%S.%f}"
        elif form == "zone":
            row[name] = value.astimezone(ZoneInfo("Europe/Berlin"))
    if form == "sqlite" and row["birth_date"] is not None:
        row["birth_date"] = row["birth_date"].isoformat()
    return tuple(row[column.name] for column in customers_table.columns)


@st.composite
def _runs_of_customers(draw: st.DrawFn) -> list[Customer]:
    """Customers in a row, some registered or changed at the same time as the one before, some
    never changed since their registration."""
    run: list[Customer] = []
    for stored in draw(st.lists(cst.customers(), max_size=4)):
        same_creation: bool = draw(st.booleans())
        if run and same_creation:
            stored = attrs.evolve(stored, created_at=run[-1].created_at)
        same_update: bool = draw(st.booleans())
        if run and same_update:
            stored = attrs.evolve(stored, updated_at=run[-1].updated_at)
        if draw(st.booleans()):
            stored = attrs.evolve(stored, updated_at=stored.created_at)
        run.append(stored)
    return run


@settings(max_examples=25, deadline=None)
@given(_runs_of_customers(), st.sampled_from(_TIME_FORMS))
def test_trusted_reading_builds_what_validated_construction_builds(
    run: list[Customer], form: str
) -> None:
    """Rows read without validation give the customers validated construction gives."""
    validated = [_customer_from_table_row(_driver_row(stored, "naive")) for stored in run]

    trusted = customers_reader(text_times=form == "sqlite")([_driver_row(s, form) for s in run])

    assert run == validated == trusted
    assert all(c.created_at.tzinfo is UTC and c.updated_at.tzinfo is UTC for c in trusted)


def test_a_large_read_sets_off_no_collection_of_the_garbage_collector() -> None:
    """The reader drops each row as soon as its customer is built: the collector counts one
    object freed for each made and does not run while 5,000 customers are built (it would run
    about seven times if the rows stayed until the end), and the customers come in row order."""
    at = datetime(2026, 1, 2, tzinfo=UTC)
    rows = [
        _driver_row(
            Customer(
                number=n,
                kind=CustomerKind.PRIVATE,
                debtor_account=10_000 + n,
                last_name=f"Muster {n}",
                created_at=at,
                updated_at=at,
            ),
            "utc",
        )
        for n in range(1, 5_001)
    ]
    passes: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            passes.append(info["generation"])

    read = customers_reader(text_times=False)
    gc.collect()
    gc.callbacks.append(count)
    try:
        built = read(rows)
    finally:
        gc.callbacks.remove(count)

    assert (passes, rows) == ([], [])
    assert [c.number for c in built] == list(range(1, 5_001))
