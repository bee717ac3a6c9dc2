"""Every store the project ships agrees with the memory store under random operations.

Each test case comes from :func:`custmodel.testing.stateful.make_agreement_test`, which third
parties use for their own adapters. ``make_store`` runs once per hypothesis example: SQLite gets
a new in-memory database or a new file in a new directory (each a copy of a migrated one), the
servers the process's migrated schema (PostgreSQL) or database (MariaDB), emptied (see
``tests/servers.py``).
"""

from __future__ import annotations

import shutil
import tempfile
import unittest
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
import sqlalchemy as sa

from custmodel.storage import CustomerStore, StoreTransaction
from custmodel.storage.memory import MemoryStore
from custmodel.storage.sql import SqlStore
from custmodel.testing.stateful import make_agreement_test
from tests import servers
from tests.sql.helpers import INVOICE_REFERENCE, INVOICES


class _DisposableStore:
    """A store that also removes its database (file, schema) when it is closed."""

    def __init__(self, store: CustomerStore, dispose: Callable[[], None]) -> None:
        self._store = store
        self._dispose = dispose

    def transaction(self, *, write: bool = True) -> AbstractContextManager[StoreTransaction]:
        return self._store.transaction(write=write)

    def purge(self) -> None:
        self._store.purge()

    def close(self) -> None:
        try:
            self._store.close()
        finally:
            self._dispose()


def _sqlite_file_store(setup: Callable[[SqlStore], None] | None = None) -> CustomerStore:
    directory = Path(tempfile.mkdtemp(prefix="custmodel-agreement-"))
    store = SqlStore.from_url(servers.migrated_sqlite_copy(directory / "agreement.sqlite"))
    if setup is not None:
        setup(store)
    return _DisposableStore(store, lambda: shutil.rmtree(directory, ignore_errors=True))


def _server_store(engine: str) -> Callable[[], CustomerStore]:
    def make() -> CustomerStore:
        return SqlStore.from_url(servers.cleared_database(engine))

    return make


TestMemoryAgreement = make_agreement_test(MemoryStore)
TestSqliteMemoryAgreement = make_agreement_test(servers.sqlite_memory_store)
TestSqliteFileAgreement = make_agreement_test(_sqlite_file_store)


def _server_agreement(engine: str) -> type[unittest.TestCase]:
    """The agreement test on ``engine``'s server, skipped (failed under CI) before hypothesis
    starts when the server is not configured or unreachable."""
    agreement = make_agreement_test(_server_store(engine))

    class ServerAgreement(agreement):  # type: ignore[valid-type,misc]
        def setUp(self) -> None:
            servers.server_url(engine)

    ServerAgreement.__name__ = ServerAgreement.__qualname__ = agreement.__name__
    marked: type[unittest.TestCase] = pytest.mark.server(ServerAgreement)
    return marked


TestPostgresAgreement = _server_agreement("postgresql")
TestMariadbAgreement = _server_agreement("mariadb")


def _no_invoices(customers: frozenset[int], master: int | None) -> int:
    """The mover of a host whose invoices point at none of the customers."""
    del customers, master
    return 0


def _register_invoices(store: MemoryStore) -> None:
    """Register the host table invoices' reference on a memory store, under its SQL name."""
    store.register_reference(INVOICE_REFERENCE, _no_invoices)


def _add_invoices(store: SqlStore) -> None:
    """Create the host table invoices beside the store's and register its customer_number."""
    host = sa.MetaData()
    sa.Table("custmodel_customers", host, sa.Column("number", sa.BigInteger, primary_key=True))
    sa.Table(
        INVOICES,
        host,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_number", sa.BigInteger, sa.ForeignKey("custmodel_customers.number")),
    ).create(store.engine)
    store.register_reference(INVOICES, "customer_number")


# A store with a registered host reference agrees with a memory store given the same reference.
TestSqliteFileAgreementWithInvoices = make_agreement_test(
    lambda: _sqlite_file_store(_add_invoices), register_references=_register_invoices
)
