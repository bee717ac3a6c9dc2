"""Fixtures of the SQL adapter tests: one database URL per test, on each engine."""

from tests.servers import mariadb_url, postgres_url, sql_url, sqlite_url

__all__ = ["mariadb_url", "postgres_url", "sql_url", "sqlite_url"]
