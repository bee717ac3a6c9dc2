"""customer_number_column: host tables that name customers, without a stand-in table."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from custmodel import CustomerBook, CustomerKind, Settings
from custmodel.errors import InvalidInputError
from custmodel.storage.sql import SqlStore, customer_number_column


@pytest.fixture
def store(sql_url: str) -> Iterator[SqlStore]:
    """A migrated store on each engine."""
    store = SqlStore.from_url(sql_url)
    yield store
    store.close()


@pytest.fixture
def host(store: SqlStore) -> Iterator[tuple[sa.MetaData, sa.Table, sa.Table]]:
    """The host's own MetaData with payments (foreign key, NOT NULL) and vouchers (nullable,
    no key), created with create_all and dropped afterwards."""
    metadata = sa.MetaData()
    payments = sa.Table(
        "host_payments",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        customer_number_column("payer"),
        mysql_engine="InnoDB",
    )
    vouchers = sa.Table(
        "host_vouchers",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        customer_number_column("holder", nullable=True, foreign_key=False, index=False),
        mysql_engine="InnoDB",
    )
    metadata.create_all(store.engine)
    try:
        yield metadata, payments, vouchers
    finally:
        metadata.drop_all(store.engine)


def test_the_host_metadata_holds_only_the_hosts_tables(
    host: tuple[sa.MetaData, sa.Table, sa.Table],
) -> None:
    """No stand-in of custmodel's customers table is added to the host's MetaData."""
    metadata, _payments, _vouchers = host
    assert {"host_payments", "host_vouchers"} == set(metadata.tables)


def test_the_column_has_the_type_of_custmodels_customer_number(
    store: SqlStore, host: tuple[sa.MetaData, sa.Table, sa.Table]
) -> None:
    """The created column's type is exactly that of custmodel_customers.number, as MariaDB's
    foreign keys demand."""
    inspector = sa.inspect(store.engine)
    types = {
        table: {c["name"]: str(c["type"]) for c in inspector.get_columns(table)}[column]
        for table, column in (("custmodel_customers", "number"), ("host_payments", "payer"))
    }
    assert types["custmodel_customers"] == types["host_payments"]


def test_the_foreign_key_refers_to_the_customer_number(
    store: SqlStore, host: tuple[sa.MetaData, sa.Table, sa.Table]
) -> None:
    """The database lists the column among the unregistered references to the customers,
    indexed, and refuses a number no customer has."""
    _metadata, payments, _vouchers = host
    with store.transaction(write=False) as tx:
        assert ["host_payments.payer"] == tx.unregistered_references()
    indexed = [i["column_names"] for i in sa.inspect(store.engine).get_indexes("host_payments")]
    assert ["payer"] in indexed
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as connection:
        connection.execute(sa.insert(payments).values(id=1, payer=404))


def test_a_merge_moves_the_rows_of_host_tables_built_with_it(
    store: SqlStore, host: tuple[sa.MetaData, sa.Table, sa.Table]
) -> None:
    """Registered, both columns move to the master with a merge."""
    _metadata, payments, vouchers = host
    book = CustomerBook(store, Settings())
    master, twin = (book.register(CustomerKind.PRIVATE, "Kunde").number for _ in range(2))
    with store.engine.begin() as connection:
        connection.execute(sa.insert(payments), [{"id": 1, "payer": twin}])
        connection.execute(
            sa.insert(vouchers), [{"id": 1, "holder": twin}, {"id": 2, "holder": None}]
        )
    store.register_reference("host_payments", "payer")
    store.register_reference("host_vouchers", "holder")

    report = book.merge(master, [twin])

    assert {"host_payments.payer": 1, "host_vouchers.holder": 1} == report.references_moved
    with store.engine.connect() as connection:
        holders = connection.execute(sa.select(vouchers.c.holder).order_by(vouchers.c.id)).all()
        payers = connection.execute(sa.select(payments.c.payer)).scalars().all()
    assert ([master], [(master,), (None,)]) == (payers, holders)


@pytest.mark.parametrize("name", ["", None, 5])
def test_a_column_needs_a_name(name: object) -> None:
    """An empty name, or none, is refused."""
    with pytest.raises(InvalidInputError):
        customer_number_column(name)  # type: ignore[arg-type]
