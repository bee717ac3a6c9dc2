"""The host's personal columns: registered with a reference, blanked by anonymization (R9)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
import sqlalchemy as sa

from custmodel import CustomerBook, HostVeto, NotEligibleError, Settings
from custmodel.errors import InvalidInputError
from custmodel.storage.sql import SqlStore
from custmodel.testing.snapshots import take_snapshot
from tests.sql.helpers import customer

DAY = date(2026, 11, 24)
#: The customer of each note, by note id 1..4.
NOTED = [1, 1, 2, 3]


@pytest.fixture
def store(sql_url: str) -> Iterator[SqlStore]:
    """A store with customers 1 to 3."""
    store = SqlStore.from_url(sql_url)
    with store.transaction() as tx:
        first = tx.allocate_numbers(3)
        tx.insert_customers([customer(n) for n in range(first, first + 3)])
    yield store
    store.close()


@pytest.fixture
def notes(store: SqlStore) -> Iterator[sa.Table]:
    """The host table notes(id, customer_number, text NOT NULL, phone) with four notes."""
    host = sa.MetaData()
    sa.Table("custmodel_customers", host, sa.Column("number", sa.BigInteger, primary_key=True))
    table = sa.Table(
        "notes",
        host,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column(
            "customer_number",
            sa.BigInteger,
            sa.ForeignKey("custmodel_customers.number"),
            nullable=False,
        ),
        sa.Column("text", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(40)),
        mysql_engine="InnoDB",
    )
    table.create(store.engine)
    with store.engine.begin() as connection:
        connection.execute(
            sa.insert(table),
            [
                {"id": i, "customer_number": n, "text": f"Notiz {i}", "phone": f"0711 {i}"}
                for i, n in enumerate(NOTED, start=1)
            ],
        )
    try:
        yield table
    finally:
        table.drop(store.engine)


def _rows(store: SqlStore, notes: sa.Table) -> list[tuple[object, ...]]:
    with store.engine.connect() as connection:
        statement = sa.select(notes.c.customer_number, notes.c.text, notes.c.phone)
        return [tuple(row) for row in connection.execute(statement.order_by(notes.c.id))]


@pytest.mark.parametrize(
    ("personal", "named"),
    [
        ({"remark": ""}, "notes.remark"),
        ({"customer_number": 0}, "notes.customer_number"),
        ({"text": None}, "notes.text"),
        ("text", "notes"),
    ],
)
def test_bad_personal_columns_are_refused_naming_the_column(
    store: SqlStore, notes: sa.Table, personal: object, named: str
) -> None:
    """An unknown column, the reference column, None for NOT NULL, no mapping: refused."""
    with pytest.raises(InvalidInputError) as refused:
        store.register_reference("notes", "customer_number", personal=personal)  # type: ignore[arg-type]
    assert named in str(refused.value)
    assert [] == store.references


def test_personal_columns_of_custmodels_own_table_are_refused(store: SqlStore) -> None:
    """custmodel's own tables are no host references, with or without personal columns."""
    with pytest.raises(InvalidInputError):
        store.register_reference("custmodel_bookings", "customer", personal={"remarks": ""})


def test_anonymize_blanks_the_personal_columns_of_the_customers_rows(
    store: SqlStore, notes: sa.Table
) -> None:
    """Only the anonymized customer's rows get the dummy values; the report counts them."""
    store.register_reference("notes", "customer_number", personal={"text": "", "phone": None})
    report = CustomerBook(store, Settings()).anonymize(1, "AG1", DAY)
    assert (
        {"notes.customer_number": 2},
        [(1, "", None), (1, "", None), (2, "Notiz 3", "0711 3"), (3, "Notiz 4", "0711 4")],
    ) == (dict(report.host_rows), _rows(store, notes))
    assert {"text": "", "phone": None} == store.references[0].personal


def test_one_update_per_reference_however_many_customers(store: SqlStore, notes: sa.Table) -> None:
    """erase_host_data is set-based: one UPDATE of the host table for all the customers."""
    store.register_reference("notes", "customer_number", personal={"text": "-"})
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    sa.event.listen(store.engine, "before_cursor_execute", record)
    try:
        with store.transaction() as tx:
            erased = tx.erase_host_data([1, 2, 3])
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", record)
    assert {"notes.customer_number": 4} == erased
    assert 1 == sum("notes" in s and s.lstrip().upper().startswith("UPDATE") for s in statements)


def test_a_failing_eraser_leaves_the_host_rows_and_the_customer(
    store: SqlStore, notes: sa.Table
) -> None:
    """The personal columns were blanked first; an eraser that fails rolls all of it back."""
    store.register_reference("notes", "customer_number", personal={"text": ""})

    def failing(connection: sa.Connection, customers: frozenset[int]) -> int:
        connection.execute(sa.delete(notes).where(notes.c.customer_number.in_(customers)))
        raise RuntimeError("archive down")

    store.register_eraser("archive", failing)
    book = CustomerBook(store, Settings())
    book.update_settings()  # stored before the snapshot
    before = (take_snapshot(store), _rows(store, notes))
    with pytest.raises(RuntimeError):
        book.anonymize(1, "AG1", DAY)
    assert before == (take_snapshot(store), _rows(store, notes))


def test_the_eraser_and_the_veto_work_on_the_anonymizing_transaction(
    store: SqlStore, notes: sa.Table
) -> None:
    """Both get the store's connection: the eraser sees the customer already anonymized,
    the veto reads the host's table; an eraser's rows are reported under its name."""
    seen: list[object] = []

    def eraser(connection: sa.Connection, customers: frozenset[int]) -> int:
        seen.append(
            connection.execute(
                sa.text("SELECT last_name FROM custmodel_customers WHERE number = 1")
            ).scalar_one()
        )
        return connection.execute(
            sa.delete(notes).where(notes.c.customer_number.in_(customers))
        ).rowcount

    def veto(connection: sa.Connection, customers: frozenset[int]) -> dict[int, str]:
        rows = connection.execute(
            sa.select(notes.c.customer_number).where(
                notes.c.customer_number.in_(customers), notes.c.phone == "0711 3"
            )
        )
        return {number: "open claim" for (number,) in rows}

    store.register_eraser("notes archive", eraser)
    store.register_veto("claims", veto)
    book = CustomerBook(store, Settings())
    with pytest.raises(NotEligibleError) as refused:
        book.anonymize(2, "AG1", DAY)
    report = book.anonymize(1, "AG1", DAY)
    assert (
        (HostVeto("claims", "open claim"),),
        {"notes archive": 2},
        ["Anonymisiert"],
        [(2, "Notiz 3", "0711 3"), (3, "Notiz 4", "0711 4")],
        ["claims"],
        ["notes archive"],
    ) == (
        refused.value.eligibility.vetoes,
        dict(report.host_rows),
        seen,
        _rows(store, notes),
        store.vetoes,
        store.erasers,
    )


def test_the_eraser_and_the_veto_get_a_connection_in_the_stores_transaction(
    store: SqlStore, notes: sa.Table
) -> None:
    """On every engine, and on a SQLite file whose transaction began on the driver, the host
    gets a connection SQLAlchemy knows to be in a transaction: a ``begin`` of its own is
    refused, and the anonymization goes on as one transaction."""
    seen: list[tuple[str, bool]] = []

    def probe(name: str, connection: sa.Connection) -> None:
        try:
            connection.begin()
        except sa.exc.InvalidRequestError:
            seen.append((name, connection.in_transaction()))

    def eraser(connection: sa.Connection, customers: frozenset[int]) -> int:
        probe("eraser", connection)
        return 0

    def veto(connection: sa.Connection, customers: frozenset[int]) -> dict[int, str]:
        probe("veto", connection)
        return {}

    store.register_eraser("archive", eraser)
    store.register_veto("claims", veto)
    # Asked first thing in a transaction, before any statement of the store's own.
    with store.transaction() as tx:
        tx.host_vetoes([2])
    with store.transaction() as tx:
        tx.erase_host_data([2])
    book = CustomerBook(store, Settings())
    book.anonymize(1, "AG1", DAY)
    assert [("veto", True), ("eraser", True)] * 2 == seen
    assert book.get(1).anonymized_at is not None


def test_registrations_are_refused_twice(store: SqlStore, notes: sa.Table) -> None:
    """A name is registered once, for an eraser and for a reference with personal columns."""
    store.register_reference("notes", "customer_number", personal={"text": ""})
    store.register_veto("claims", lambda connection, customers: {})
    registrations: tuple[Callable[[], object], ...] = (
        lambda: store.register_eraser("notes.customer_number", lambda c, n: 0),
        lambda: store.register_veto("claims", lambda c, n: {}),
    )
    for register in registrations:
        with pytest.raises(InvalidInputError):
            register()
