"""Small builders shared by the SQL adapter tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa

from custmodel.model import Customer, CustomerKind
from custmodel.storage.ports import CustomerStore, StoreTransaction
from custmodel.storage.sql import SqlStore

#: A fixed moment, so stored and expected customers compare equal.
NOW = datetime(2024, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def customer(number: int, **fields: Any) -> Customer:
    """Return a private customer ``number`` with debtor account 10000 + number."""
    values: dict[str, Any] = {
        "kind": CustomerKind.PRIVATE,
        "debtor_account": 10000 + number,
        "last_name": f"Kunde {number}",
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    return Customer(number=number, **values)


def register(store: CustomerStore, **fields: Any) -> Customer:
    """Allocate the next number and insert a customer with it, in one transaction."""
    with store.transaction() as tx:
        number = tx.allocate_numbers()
        new = customer(number, **fields)
        tx.insert_customers([new])
    return new


#: The host application's table the host reference tests use, and the reference's name.
INVOICES = "invoices"
INVOICE_REFERENCE = "invoices.customer_number"


@contextmanager
def host_invoices(store: SqlStore, *, foreign_key: bool = True) -> Iterator[sa.Table]:
    """Create the host table invoices(id, customer_number) beside custmodel's; drop it after.

    Args:
        store: The store whose database gets the table.
        foreign_key: Whether customer_number references custmodel_customers.number.
    """
    host = sa.MetaData()
    sa.Table("custmodel_customers", host, sa.Column("number", sa.BigInteger, primary_key=True))
    references = [sa.ForeignKey("custmodel_customers.number")] if foreign_key else []
    invoices = sa.Table(
        INVOICES,
        host,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("customer_number", sa.BigInteger, *references, nullable=False),
        mysql_engine="InnoDB",
    )
    invoices.create(store.engine)
    try:
        yield invoices
    finally:
        invoices.drop(store.engine)


def add_invoices(store: SqlStore, invoices: sa.Table, customers: Sequence[int]) -> None:
    """Insert one invoice per entry of ``customers``, numbered from 1."""
    with store.engine.begin() as connection:
        connection.execute(
            sa.insert(invoices),
            [{"id": i, "customer_number": n} for i, n in enumerate(customers, start=1)],
        )


def invoice_customers(store: SqlStore, invoices: sa.Table) -> list[int]:
    """Return the customer number of every invoice, ordered by invoice id."""
    with store.engine.connect() as connection:
        statement = sa.select(invoices.c.customer_number).order_by(invoices.c.id)
        return [int(n) for n in connection.execute(statement).scalars()]


def query_plan(store: SqlStore, statement: str, parameters: Any, tables: Sequence[str]) -> str:
    """Return the engine's plan for ``statement`` as one text, after analyzing ``tables``.

    On MariaDB the text lists only the index each step chose, not the ones it considered.
    """
    dialect = store.engine.dialect.name
    with store.engine.connect() as connection:
        if dialect == "sqlite":
            connection.exec_driver_sql("ANALYZE")
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        elif dialect == "postgresql":
            connection.exec_driver_sql(f"ANALYZE {', '.join(tables)}")
            rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
        else:
            connection.exec_driver_sql(f"ANALYZE TABLE {', '.join(tables)}")
            rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            return "\n".join(str(row["key"]) for row in rows.mappings())
        return "\n".join(" ".join(str(v) for v in row) for row in rows)


@contextmanager
def statements_sent(store: SqlStore) -> Iterator[list[tuple[str, Any]]]:
    """Collect (statement, parameters) of everything sent to the driver while in use."""
    sent: list[tuple[str, Any]] = []

    def capture(
        _conn: object, _cursor: object, statement: str, parameters: Any, *_: object
    ) -> None:
        sent.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", capture)
    try:
        yield sent
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", capture)


def reads_settings(statement: str) -> bool:
    """Whether ``statement`` reads the stored settings.

    On SQLite a transaction on a thread's kept connection reads them only where they may have
    changed since that connection read them last (``SettingsMemo``): a test comparing the
    statements of two operations leaves these reads out.
    """
    return "FROM custmodel_settings" in statement


class PausingStore:
    """A store whose transactions pause once, after ``method`` returned what ``pauses`` picks.

    The first such call sets ``read`` and waits for ``go`` (2 s at most: SQLite holds its one
    write lock there, so the other writer cannot commit, and this transaction writes first).
    The test runs the other side meanwhile, then sets ``go``.
    """

    def __init__(
        self,
        store: SqlStore,
        method: str,
        pauses: Callable[[Any, dict[str, Any]], bool],
        read: threading.Event,
        go: threading.Event,
    ) -> None:
        self._store = store
        self._method = method
        self._pauses = pauses
        self.read = read
        self.go = go

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[StoreTransaction]:
        with self._store.transaction(write=write) as tx:
            yield cast("StoreTransaction", _Pausing(tx, self))

    def purge(self) -> None:
        self._store.purge()

    def close(self) -> None:
        self._store.close()


class _Pausing:
    def __init__(self, tx: StoreTransaction, store: PausingStore) -> None:
        self._tx = tx
        self._store = store

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._tx, name)
        if name != self._store._method:
            return found

        def pausing(*args: Any, **options: Any) -> Any:
            result = found(*args, **options)
            store = self._store
            if store._pauses(result, options) and not store.read.is_set():
                store.read.set()
                store.go.wait(2)
            return result

        return pausing
