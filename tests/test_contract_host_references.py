"""The contract suite on stores set up as an application runs them: with a host reference.

An application registers its host references (columns of its own tables that hold customer
numbers) when it makes its store, and names them in ``host_references``; the merge tests then
expect each of them, with no row moved, in every plan, report and merge record. The memory store
runs the whole suite with a registered mover; the SQL stores run the parts whose tests see host
references (merges and their records; on SQLite also the requests merges fold and the comparison
with a memory store), with a host table whose foreign key points at the customers.
"""

from __future__ import annotations

import contextlib

import pytest

from custmodel.storage import CustomerStore
from custmodel.storage.memory import MemoryStore
from custmodel.storage.sql import SqlStore
from custmodel.testing.contract import (
    BadInputContract,
    ErasureRequestContract,
    HostReferenceContract,
    MergeContract,
    StoreContract,
)

# Fixtures of tests/servers.py, made available to getfixturevalue in this module.
from tests.servers import mariadb_url, postgres_url, sqlite_url
from tests.sql.helpers import INVOICE_REFERENCE, INVOICES, host_invoices

__all__ = ["mariadb_url", "postgres_url", "sqlite_url"]


def _no_invoices(customers: frozenset[int], master: int | None) -> int:
    """The mover of a host whose invoices point at none of the customers."""
    del customers, master
    return 0


class TestMemoryStoreWithAMover(StoreContract):
    """The memory store with a host reference's mover registered."""

    def make_store(self) -> CustomerStore:
        store = MemoryStore()
        store.register_reference("invoices.customer", _no_invoices)
        return store

    def host_references(self) -> list[str]:
        return ["invoices.customer"]


class _SqlStoreWithInvoices(MergeContract, HostReferenceContract):
    """A SQL store beside the host table invoices, whose customer_number is registered."""

    __test__ = False
    #: The fixture giving the database's URL.
    url_fixture: str
    _host: contextlib.ExitStack

    def make_store(self) -> CustomerStore:
        store = SqlStore.from_url(self.request.getfixturevalue(self.url_fixture))
        self._host = contextlib.ExitStack()
        self._host.enter_context(host_invoices(store))
        store.register_reference(INVOICES, "customer_number")
        return store

    def close_store(self, store: CustomerStore) -> None:
        self._host.close()
        store.close()

    def host_references(self) -> list[str]:
        return [INVOICE_REFERENCE]


class TestSqliteFileStoreWithInvoices(
    _SqlStoreWithInvoices, ErasureRequestContract, BadInputContract
):
    """The SQL store on an SQLite database file; also the parts that fold requests and compare
    with a memory store."""

    url_fixture = "sqlite_url"


@pytest.mark.server
class TestPostgresStoreWithInvoices(_SqlStoreWithInvoices):
    """The SQL store on the PostgreSQL test server."""

    url_fixture = "postgres_url"


@pytest.mark.server
class TestMariadbStoreWithInvoices(_SqlStoreWithInvoices):
    """The SQL store on the MariaDB test server."""

    url_fixture = "mariadb_url"
