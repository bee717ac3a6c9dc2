"""The host table payments, stores with it registered, and helpers for the host write tests.

Use from a test module::

    from tests.sql.host_payments import book, payments, store  # fixtures

(``url``, the database on each engine, comes from tests/sql/conftest.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from custmodel import CustomerBook, CustomerKind, NewCustomer
from custmodel.storage.sql import SqlStore
from tests.sql._workers_host import PAYMENT_COLUMN, PAYMENTS

__all__ = [
    "book",
    "pay",
    "payers",
    "payments",
    "payments_table",
    "register",
    "store",
]


@contextmanager
def payments_table(url: str) -> Iterator[sa.Table]:
    """Create payments(id, customer_number) with a foreign key to the customers; drop it after."""
    host = sa.MetaData()
    sa.Table("custmodel_customers", host, sa.Column("number", sa.BigInteger, primary_key=True))
    table = sa.Table(
        PAYMENTS,
        host,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            PAYMENT_COLUMN,
            sa.BigInteger,
            sa.ForeignKey("custmodel_customers.number"),
            nullable=False,
        ),
        mysql_engine="InnoDB",
    )
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    table.create(engine)
    try:
        yield table
    finally:
        table.drop(engine)
        engine.dispose()


@pytest.fixture
def payments(url: str) -> Iterator[sa.Table]:
    """The host table payments in the database, empty."""
    with payments_table(url) as table:
        yield table


@pytest.fixture
def store(url: str, payments: sa.Table) -> Iterator[SqlStore]:
    """A store on the database, payments registered as a host reference."""
    store = SqlStore.from_url(url, upgrade=False)
    store.register_reference(PAYMENTS, PAYMENT_COLUMN)
    yield store
    store.close()


@pytest.fixture
def book(store: SqlStore) -> CustomerBook:
    """A book over the store."""
    return CustomerBook(store)


def register(book: CustomerBook, count: int) -> list[int]:
    """Register ``count`` customers in one transaction; return their numbers."""
    drafts = [NewCustomer(kind=CustomerKind.PRIVATE, last_name=f"Kunde {i}") for i in range(count)]
    return [customer.number for customer in book.register_many(drafts)]


def pay(connection: sa.Connection, number: int) -> None:
    """Insert a payment of customer ``number`` in the connection's transaction."""
    payments = sa.table(PAYMENTS, sa.column(PAYMENT_COLUMN))
    connection.execute(sa.insert(payments).values({PAYMENT_COLUMN: number}))


def payers(store: SqlStore) -> list[int]:
    """The customer number of every payment, by payment id."""
    payments = sa.table(PAYMENTS, sa.column("id"), sa.column(PAYMENT_COLUMN))
    with store.engine.connect() as connection:
        statement = sa.select(payments.c[PAYMENT_COLUMN]).order_by(payments.c.id)
        return [int(n) for n in connection.execute(statement).scalars()]
