"""The shipped Alembic migrations create exactly the schema the adapter's metadata describes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import alembic.command
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from custmodel import ContactChannel, CustomerBook, DistinctMark, HistoryAction, Settings
from custmodel.dedupe import CandidateKeys
from custmodel.errors import StoreBusyError, StoreError
from custmodel.model import (
    Booking,
    BookingKind,
    Customer,
    CustomerKind,
    RequestKind,
    SubjectRequest,
)
from custmodel.storage import _sqlschema as schema
from custmodel.storage._sqlschema import HEAD_REVISION, VERSION_TABLE, metadata
from custmodel.storage.sql import SqlStore, customer_to_row
from tests.servers import empty_database, migrated_sqlite_copy, sqlite_memory_store

#: The newest revision of the shipped migrations.
HEAD = "0011_statistics_indexes"

ENGINE_PARAMS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.server),
    pytest.param("mariadb", marks=pytest.mark.server),
]


@pytest.fixture(params=ENGINE_PARAMS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database without any table, on each SQL engine."""
    with empty_database(request.param, tmp_path) as url:
        yield url


def _custmodel_only(name: str | None, type_: str, _parents: object) -> bool:
    return type_ != "table" or (name or "").startswith("custmodel_")


def _schema_diff(store: SqlStore) -> list[object]:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": _custmodel_only,
                "version_table": VERSION_TABLE,
            },
        )
        return list(compare_metadata(context, metadata))


def _tables(store: SqlStore) -> set[str]:
    return set(sa.inspect(store.engine).get_table_names())


def _revision(store: SqlStore) -> str:
    with store.engine.connect() as connection:
        version: Any = sa.select(sa.column("version_num")).select_from(sa.table(VERSION_TABLE))
        return str(connection.execute(version).scalar_one())


def test_migrations_create_the_metadata(empty_url: str) -> None:
    """Upgrading an empty database yields a schema autogenerate finds no difference in."""
    store = SqlStore.from_url(empty_url)
    try:
        assert [] == _schema_diff(store)
    finally:
        store.close()


def test_version_table_is_custmodels_own(empty_url: str) -> None:
    """Alembic records custmodel's revision in custmodel_alembic_version, not alembic_version."""
    store = SqlStore.from_url(empty_url)
    try:
        expected = {
            "custmodel_alembic_version",
            "custmodel_bookings",
            "custmodel_counters",
            "custmodel_customers",
            "custmodel_distinct_marks",
            "custmodel_requests",
            "custmodel_kind_settings",
            "custmodel_marketing_choices",
            "custmodel_history",
            "custmodel_merge_duplicates",
            "custmodel_merges",
            "custmodel_settings",
        }
        assert expected == _tables(store)
        assert HEAD == _revision(store)
    finally:
        store.close()


def test_upgrade_twice_is_a_no_op(empty_url: str) -> None:
    """A second upgrade changes neither the schema, the revision nor the data."""
    store = SqlStore.from_url(empty_url)
    now = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    try:
        with store.transaction() as tx:
            number = tx.allocate_numbers()
            customer = Customer(
                number=number,
                kind=CustomerKind.PRIVATE,
                debtor_account=10000 + number,
                last_name="Muster",
                created_at=now,
                updated_at=now,
            )
            tx.insert_customers([customer])
        tables = _tables(store)

        store.upgrade()

        assert tables == _tables(store)
        assert HEAD == _revision(store)
        assert [] == _schema_diff(store)
        with store.transaction(write=False) as tx:
            assert customer == tx.get_customer(number)
            assert number + 1 == tx.allocate_numbers()
    finally:
        store.close()


def test_host_tables_survive_and_may_reference_customers(empty_url: str) -> None:
    """A host table with a foreign key to custmodel_customers.number is left alone by upgrades."""
    store = SqlStore.from_url(empty_url)
    host = sa.MetaData()
    invoices = sa.Table(
        "host_invoices",
        host,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer", sa.BigInteger, sa.ForeignKey("custmodel_customers.number")),
    )
    sa.Table("custmodel_customers", host, sa.Column("number", sa.BigInteger, primary_key=True))
    try:
        invoices.create(store.engine)

        store.upgrade()

        assert "host_invoices" in _tables(store)
        assert [] == _schema_diff(store)
    finally:
        store.close()


def test_concurrent_upgrades_of_an_empty_database_succeed(empty_url: str) -> None:
    """Six stores opened at once on an empty database all succeed; the schema is made once."""
    errors: list[BaseException] = []

    def open_and_close() -> None:
        try:
            SqlStore.from_url(empty_url).close()
        except BaseException as error:  # the test inspects it
            errors.append(error)

    threads = [threading.Thread(target=open_and_close) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    store = SqlStore.from_url(empty_url, upgrade=False)
    try:
        assert [] == errors
        assert HEAD == _revision(store)
        assert [] == _schema_diff(store)
    finally:
        store.close()


def test_an_upgrade_that_finds_the_database_busy_tries_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite refuses some lock requests at once (a new file switching to WAL while another
    connection opens it): the upgrade tries again instead of failing the store's opening."""
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'busy.sqlite'}", upgrade=False)
    real = SqlStore._upgrade_once
    attempts: list[int] = []

    def busy_twice(self: SqlStore) -> None:
        attempts.append(1)
        if len(attempts) <= 2:
            raise StoreBusyError("migrate the database schema: the database is busy, try again")
        real(self)

    monkeypatch.setattr(SqlStore, "_upgrade_once", busy_twice)
    try:
        store.upgrade()
        assert (3, HEAD) == (len(attempts), _revision(store))
    finally:
        store.close()


def test_an_upgrade_gives_up_when_the_database_stays_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After its patience an upgrade raises StoreBusyError, the schema unchanged."""
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'busy.sqlite'}", upgrade=False)

    def always_busy(_self: SqlStore) -> None:
        raise StoreBusyError("migrate the database schema: the database is busy, try again")

    monkeypatch.setattr(SqlStore, "_upgrade_once", always_busy)
    monkeypatch.setattr("custmodel.storage.sql._store._UPGRADE_PATIENCE", 0.3)
    try:
        with pytest.raises(StoreBusyError):
            store.upgrade()
        assert None is store.schema_revision()
    finally:
        store.close()


def _migrate(store: SqlStore, direction: str, revision: str) -> None:
    """Run custmodel's migrations up or down to ``revision``, as an older custmodel would."""
    from alembic import command
    from alembic.config import Config

    from custmodel.storage import sql

    config = Config()
    config.set_main_option("script_location", str(Path(sql.__file__).with_name("migrations")))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, direction)(config, revision)


def _insert_as_before_0005(store: SqlStore, *customers: Customer) -> None:
    """Store customers as a release before 0005 did: without the entry check's key columns
    (and without the objection bits of 0008)."""
    with store.engine.begin() as connection:
        for customer in customers:
            row = customer_to_row(customer, aware_times=connection.dialect.name == "postgresql")
            del row["search_last"], row["search_email"], row["advertising_objections"]
            table = sa.table("custmodel_customers", *(sa.column(name) for name in row))
            connection.execute(sa.insert(table).values(row))
        connection.execute(
            sa.update(sa.table("custmodel_counters", sa.column("name"), sa.column("value")))
            .where(sa.column("name") == "customer_number")
            .values(value=len(customers))
        )


def test_upgrade_from_0001_keeps_the_data_and_adds_the_id_counters(empty_url: str) -> None:
    """A database at 0001 with a customer upgrades to head with the customer and id counters."""
    store = SqlStore.from_url(empty_url, upgrade=False)
    now = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    counters = sa.table("custmodel_counters", sa.column("name"), sa.column("value"))
    try:
        _migrate(store, "upgrade", "0001")
        customer = Customer(
            number=1,
            kind=CustomerKind.PRIVATE,
            debtor_account=10001,
            last_name="Muster",
            created_at=now,
            updated_at=now,
        )
        _insert_as_before_0005(store, customer)

        store.upgrade()

        with store.engine.connect() as connection:
            rows = connection.execute(sa.select(counters.c.name, counters.c.value))
            expected = {"customer_number": 1, "erasure_request": 0, "merge_record": 0}
            assert expected == {str(name): int(value) for name, value in rows}
        with store.transaction(write=False) as tx:
            assert customer == tx.get_customer(1)
        assert HEAD == _revision(store)
        assert [] == _schema_diff(store)
    finally:
        store.close()


def test_downgrade_to_0001_removes_the_audit_and_erasure_tables(empty_url: str) -> None:
    """Downgrading to 0001 drops the tables added since and their counters; upgrading restores."""
    store = SqlStore.from_url(empty_url)
    new_tables = {
        "custmodel_distinct_marks",
        "custmodel_requests",
        "custmodel_marketing_choices",
        "custmodel_history",
        "custmodel_merge_duplicates",
        "custmodel_merges",
    }
    try:
        with_head = _tables(store)

        _migrate(store, "downgrade", "0001")

        with store.engine.connect() as connection:
            counters = connection.execute(sa.text("SELECT name FROM custmodel_counters"))
            assert ["customer_number"] == [str(name) for (name,) in counters]
        assert with_head - new_tables == _tables(store)
        store.upgrade()
        assert with_head == _tables(store)
        assert [] == _schema_diff(store)
    finally:
        store.close()


def test_downgrade_to_0003_removes_the_distinct_marks(empty_url: str) -> None:
    """Downgrading to 0003 drops the marks' table and keeps the customers; upgrading again
    restores the schema."""
    store = SqlStore.from_url(empty_url)
    now = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    try:
        with store.transaction() as tx:
            tx.allocate_numbers(2)
            tx.insert_customers(
                [Customer(n, CustomerKind.PRIVATE, 10000 + n, "Muster", now, now) for n in (1, 2)]
            )
            tx.add_distinct_mark(DistinctMark(1, 2, marked_at=now))
        tables = _tables(store)

        _migrate(store, "downgrade", "0003")

        before_0006 = tables - {"custmodel_requests"} | {"custmodel_erasure_requests"}
        added_since = {
            "custmodel_distinct_marks",
            "custmodel_marketing_choices",
            "custmodel_history",
        }
        assert before_0006 - added_since == _tables(store)
        store.upgrade()
        with store.transaction(write=False) as tx:
            assert ([1, 2], []) == (sorted(tx.get_customers([1, 2])), tx.distinct_marks())
        assert [] == _schema_diff(store)
    finally:
        store.close()


def test_upgrade_to_0005_fills_the_entry_check_keys(empty_url: str) -> None:
    """Customers stored before 0005 get their folded last name and e-mail as lookup keys, and
    the entry check finds them."""
    store = SqlStore.from_url(empty_url, upgrade=False)
    now = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    stored = [
        Customer(n, CustomerKind.PRIVATE, 10000 + n, last, now, now, email=mail)
        for n, last, mail in ((1, "Müller", " JM@Example.org"), (2, "STRAßE", ""))
    ]
    try:
        _migrate(store, "upgrade", "0004")
        _insert_as_before_0005(store, *stored)

        store.upgrade()

        keys = sa.select(
            schema.customers.c.number,
            schema.customers.c.search_last,
            schema.customers.c.search_email,
        ).order_by(schema.customers.c.number)
        with store.engine.connect() as connection:
            found = [tuple(row) for row in connection.execute(keys)]
        assert [(1, "müller", "jm@example.org"), (2, "strasse", "")] == found
        with store.transaction(write=False) as tx:
            candidates = tx.duplicate_candidates(CandidateKeys(name_keys=("Strasse",)), 5)
        assert [stored[1]] == candidates
        assert [] == _schema_diff(store)
    finally:
        store.close()


_OLD_REQUESTS = sa.table(
    "custmodel_erasure_requests",
    *map(sa.column, ("id", "customer", "received_on", "recorded_at", "completed_at")),
)


def test_upgrade_to_0006_keeps_the_erasure_requests_as_requests_of_kind_erasure(
    empty_url: str,
) -> None:
    """Erasure requests stored at 0005 are requests of kind erasure after the upgrade, with
    their ids, days and completion, and the next request takes the next id."""
    store = SqlStore.from_url(empty_url, upgrade=False)
    now = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    try:
        _migrate(store, "upgrade", "0005")
        store.upgrade()
        with store.transaction() as tx:
            tx.allocate_numbers(2)
            tx.insert_customers(
                [Customer(n, CustomerKind.PRIVATE, 10000 + n, "Muster", now, now) for n in (1, 2)]
            )
        _migrate(store, "downgrade", "0005")
        aware = store.engine.dialect.name == "postgresql"
        stamp = now if aware else now.replace(tzinfo=None)
        with store.engine.begin() as connection:
            connection.execute(
                sa.insert(_OLD_REQUESTS),
                [
                    {
                        "id": 1,
                        "customer": 1,
                        "received_on": date(2024, 1, 1),
                        "recorded_at": stamp,
                        "completed_at": None,
                    },
                    {
                        "id": 2,
                        "customer": 2,
                        "received_on": date(2024, 1, 2),
                        "recorded_at": stamp,
                        "completed_at": stamp,
                    },
                ],
            )
            connection.execute(
                sa.update(sa.table("custmodel_counters", sa.column("name"), sa.column("value")))
                .where(sa.column("name") == "erasure_request")
                .values(value=2)
            )

        store.upgrade()

        with store.transaction() as tx:
            stored = tx.requests(open_only=False)
            added = tx.add_request(RequestKind.ACCESS, 1, date(2024, 1, 3), now)
        assert [
            SubjectRequest(1, 1, date(2024, 1, 1), now, kind=RequestKind.ERASURE),
            SubjectRequest(2, 2, date(2024, 1, 2), now, now, kind=RequestKind.ERASURE),
        ] == stored
        assert (3, HEAD, []) == (added.id, _revision(store), _schema_diff(store))
    finally:
        store.close()


def test_downgrade_to_0005_keeps_the_erasure_requests_only(empty_url: str) -> None:
    """Downgrading to 0005 brings back custmodel_erasure_requests with the erasure requests;
    requests of other kinds did not exist then. Upgrading again restores the schema."""
    store = SqlStore.from_url(empty_url)
    now = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    try:
        with store.transaction() as tx:
            tx.allocate_numbers()
            tx.insert_customers([Customer(1, CustomerKind.PRIVATE, 10001, "Muster", now, now)])
            tx.add_request(RequestKind.ACCESS, 1, date(2024, 1, 1), now)
            erasure = tx.add_request(RequestKind.ERASURE, 1, date(2024, 1, 1), now)

        _migrate(store, "downgrade", "0005")

        with store.engine.connect() as connection:
            ids = connection.execute(sa.select(_OLD_REQUESTS.c.id)).scalars().all()
        assert ([erasure.id], False) == (ids, "custmodel_requests" in _tables(store))
        store.upgrade()
        with store.transaction(write=False) as tx:
            assert [erasure] == tx.requests(open_only=False)
        assert [] == _schema_diff(store)
    finally:
        store.close()


def _booking_columns(store: SqlStore) -> set[str]:
    return {c["name"] for c in sa.inspect(store.engine).get_columns("custmodel_bookings")}


def _booking_indexes(store: SqlStore) -> set[str]:
    indexes = sa.inspect(store.engine).get_indexes("custmodel_bookings")
    return {str(index["name"]) for index in indexes}


_STATISTICS_COLUMNS = {"revenue_cents", "travel_type", "destination"}
_DEPARTURE_INDEX = "ix_custmodel_bookings_departure"


def test_upgrade_from_0002_keeps_bookings_with_unknown_statistics_fields(empty_url: str) -> None:
    """A booking stored at 0002 reads back after the upgrade to head, with None in the new
    fields, and a booking stored afterwards keeps them."""
    store = SqlStore.from_url(empty_url, upgrade=False)
    now = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    old_row = {
        "reference": "B-1",
        "customer": 1,
        "kind": "booking",
        "departure": date(2024, 5, 1),
        "point_of_sale": "AG1",
        "channel_name": "own",
        "channel_external": False,
        "open_amount_cents": 12345,
    }
    try:
        _migrate(store, "upgrade", "0002")
        _insert_as_before_0005(store, Customer(1, CustomerKind.PRIVATE, 10001, "Muster", now, now))
        with store.engine.begin() as connection:
            connection.execute(
                sa.insert(sa.table("custmodel_bookings", *map(sa.column, old_row))), [old_row]
            )

        store.upgrade()

        new = Booking(
            "B-2",
            1,
            BookingKind.BOOKING,
            date(2025, 5, 1),
            "AG1",
            revenue=Decimal("1999.99"),
            travel_type="Kreuzfahrt",
            destination="Kreta",
        )
        with store.transaction() as tx:
            tx.put_booking(new)
        with store.transaction(write=False) as tx:
            expected = [
                Booking(
                    "B-1",
                    1,
                    BookingKind.BOOKING,
                    date(2024, 5, 1),
                    "AG1",
                    open_amount=Decimal("123.45"),
                ),
                new,
            ]
            assert expected == tx.bookings_of([1])
        assert HEAD == _revision(store)
        assert [] == _schema_diff(store)
    finally:
        store.close()


def test_downgrade_to_0002_removes_the_statistics_fields(empty_url: str) -> None:
    """Downgrading to 0002 drops the three booking columns and the departure index, keeping
    the bookings; upgrading again restores the schema."""
    store = SqlStore.from_url(empty_url)
    now = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    try:
        with store.transaction() as tx:
            tx.allocate_numbers()
            tx.insert_customers([Customer(1, CustomerKind.PRIVATE, 10001, "Muster", now, now)])
            tx.put_booking(
                Booking(
                    "B-1",
                    1,
                    BookingKind.OFFER,
                    date(2025, 5, 1),
                    "AG1",
                    revenue=Decimal("10.00"),
                    destination="Kreta",
                )
            )
        columns = _booking_columns(store)

        _migrate(store, "downgrade", "0002")

        assert (columns - _STATISTICS_COLUMNS, False) == (
            _booking_columns(store),
            _DEPARTURE_INDEX in _booking_indexes(store),
        )
        with store.engine.connect() as connection:
            references = connection.execute(sa.text("SELECT reference FROM custmodel_bookings"))
            assert ["B-1"] == [str(r) for (r,) in references]
        store.upgrade()
        assert columns == _booking_columns(store)
        assert _DEPARTURE_INDEX in _booking_indexes(store)
        assert [] == _schema_diff(store)
    finally:
        store.close()


def test_schema_revision_of_a_database_never_migrated_is_none(empty_url: str) -> None:
    """schema_revision() reads None from a database custmodel has not migrated yet."""
    store = SqlStore.from_url(empty_url, upgrade=False)
    try:
        assert None is store.schema_revision()
    finally:
        store.close()


def test_schema_revision_after_upgrade_is_the_head(empty_url: str) -> None:
    """After upgrade() the database is at head_revision(), the newest shipped revision."""
    store = SqlStore.from_url(empty_url)
    try:
        assert (HEAD, HEAD) == (store.schema_revision(), SqlStore.head_revision())
    finally:
        store.close()


def test_the_head_revision_constant_is_alembics_head() -> None:
    """HEAD_REVISION, which opening a store compares with, is the newest shipped migration."""
    assert (HEAD, SqlStore.head_revision()) == (HEAD_REVISION, HEAD_REVISION)


def _sqlite_state(store: SqlStore) -> tuple[object, ...]:
    """A new SQLite store as its tests see it: schema, rows and its connection's settings."""
    with store.engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        objects = driver.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
        ).fetchall()
        rows = {
            name: driver.execute(f'SELECT * FROM "{name}"').fetchall()  # noqa: S608 (own names)
            for kind, name, _table, _sql in objects
            if kind == "table"
        }
        pragmas = [
            driver.execute(f"PRAGMA {name}").fetchone()
            for name in ("foreign_keys", "secure_delete", "journal_mode", "auto_vacuum")
        ]
    return objects, rows, pragmas


@pytest.mark.parametrize("kind", ["file", "memory"])
def test_the_sqlite_copies_the_tests_start_from_are_migrated_databases(
    kind: str, tmp_path: Path
) -> None:
    """tests/servers.py copies one migrated SQLite database per process instead of migrating
    one per test: a copy has the schema, rows and connection settings migrating gives."""
    if kind == "file":
        migrated = SqlStore.from_url(f"sqlite:///{tmp_path / 'migrated.sqlite'}")
        copy = SqlStore.from_url(migrated_sqlite_copy(tmp_path / "copy.sqlite"))
    else:
        migrated, copy = SqlStore.from_url("sqlite://"), sqlite_memory_store()
    try:
        assert _sqlite_state(migrated) == _sqlite_state(copy)
    finally:
        migrated.close()
        copy.close()


def test_opening_a_store_at_head_runs_no_migration(
    empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store already at head opens without Alembic's upgrade command being run."""
    SqlStore.from_url(empty_url).close()

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("Alembic ran on a store at head")

    monkeypatch.setattr(alembic.command, "upgrade", refuse)
    store = SqlStore.from_url(empty_url)
    try:
        assert HEAD == store.schema_revision()
    finally:
        store.close()


def test_opening_a_store_at_head_does_not_import_alembic(tmp_path: Path) -> None:
    """In a new process, opening a SQLite store at head leaves Alembic unimported."""
    url = f"sqlite:///{tmp_path / 'head.sqlite'}"
    SqlStore.from_url(url).close()
    script = (
        "import sys\n"
        "from custmodel.storage.sql import SqlStore\n"
        f"SqlStore.from_url({url!r}).close()\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'alembic'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert "[]" == result.stdout.strip()


def test_a_store_behind_head_is_still_upgraded(empty_url: str) -> None:
    """A store at an older revision is migrated to head when opened."""
    store = SqlStore.from_url(empty_url)
    try:
        _migrate(store, "downgrade", "0002")
    finally:
        store.close()
    store = SqlStore.from_url(empty_url)
    try:
        assert (HEAD, []) == (store.schema_revision(), _schema_diff(store))
    finally:
        store.close()


def test_a_store_from_a_newer_custmodel_is_refused(empty_url: str) -> None:
    """A version table naming a revision this custmodel does not ship is a StoreError."""
    SqlStore.from_url(empty_url).close()
    store = SqlStore.from_url(empty_url, upgrade=False)
    try:
        with store.engine.begin() as connection:
            version = sa.table(VERSION_TABLE, sa.column("version_num"))
            connection.execute(sa.update(version).values(version_num="9999"))
        with pytest.raises(StoreError):
            store.upgrade()
    finally:
        store.close()


def test_downgrade_to_0007_removes_the_ledger_and_upgrading_starts_without_objections(
    empty_url: str,
) -> None:
    """Downgrading to 0007 drops the ledger and the objection bits; upgrading again gives every
    stored customer no objection and an empty ledger."""
    store = SqlStore.from_url(empty_url)
    now = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    try:
        with store.transaction() as tx:
            tx.allocate_numbers(1)
            tx.insert_customers(
                [
                    Customer(
                        1,
                        CustomerKind.PRIVATE,
                        10001,
                        "Muster",
                        now,
                        now,
                        advertising_objections=[ContactChannel.SMS],
                    )
                ]
            )
        tables = _tables(store)

        _migrate(store, "downgrade", "0007")

        assert tables - {"custmodel_marketing_choices", "custmodel_history"} == _tables(store)
        store.upgrade()
        with store.transaction(write=False) as tx:
            assert frozenset() == tx.get_customers([1])[1].advertising_objections
            assert [] == tx.marketing_choices([1])
        assert [] == _schema_diff(store)
    finally:
        store.close()


def test_downgrade_to_0008_removes_the_history_and_upgrading_starts_it_empty(
    empty_url: str,
) -> None:
    """0009 adds the change history: downgrading drops it with its entries, customers stay;
    upgrading again gives an empty history and the schema of the metadata."""
    store = SqlStore.from_url(empty_url)
    try:
        book = CustomerBook(store, Settings())
        number = book.register(kind=CustomerKind.PRIVATE, last_name="Muster").number
        assert [HistoryAction.REGISTERED] == [e.action for e in book.history(number)]
        tables = _tables(store)

        _migrate(store, "downgrade", "0008")

        assert tables - {"custmodel_history"} == _tables(store)
        store.upgrade()
        assert ("Muster", []) == (book.get(number).last_name, book.history(number))
        assert [] == _schema_diff(store)
    finally:
        store.close()
