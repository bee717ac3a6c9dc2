"""The project's own stores against the shipped contract suite, and nothing else.

Each class only says how to make a fresh store; every test comes from
:class:`custmodel.testing.contract.StoreContract`, the suite third parties run against their
adapters. The server classes skip (or fail under ``CI=true``) when their server is not
configured; see ``tests/servers.py``.
"""

from __future__ import annotations

import pytest

from custmodel.storage import CustomerStore
from custmodel.storage.memory import MemoryStore
from custmodel.storage.sql import SqlStore
from custmodel.testing.contract import StoreContract

# Fixtures of tests/servers.py, made available to getfixturevalue in this module.
from tests.servers import mariadb_url, migrated_sqlite_copy, postgres_url, sqlite_memory_store

__all__ = ["mariadb_url", "postgres_url"]


class TestMemoryStore(StoreContract):
    """The in-memory store."""

    def make_store(self) -> CustomerStore:
        return MemoryStore()


class TestSqliteMemoryStore(StoreContract):
    """The SQL store on an in-memory SQLite database (a copy of a migrated one)."""

    def make_store(self) -> CustomerStore:
        return sqlite_memory_store()


class TestSqliteFileStore(StoreContract):
    """The SQL store on an SQLite database file (a copy of a migrated one)."""

    def make_store(self) -> CustomerStore:
        tmp_path = self.request.getfixturevalue("tmp_path")
        return SqlStore.from_url(migrated_sqlite_copy(tmp_path / "contract.sqlite"))


@pytest.mark.server
class TestPostgresStore(StoreContract):
    """The SQL store on the PostgreSQL test server (an emptied schema per test)."""

    def make_store(self) -> CustomerStore:
        return SqlStore.from_url(self.request.getfixturevalue("postgres_url"))


@pytest.mark.server
class TestMariadbStore(StoreContract):
    """The SQL store on the MariaDB test server (an emptied database per test)."""

    def make_store(self) -> CustomerStore:
        return SqlStore.from_url(self.request.getfixturevalue("mariadb_url"))
