"""The large store that the lookup, selection, statistics and erasure sweep benchmarks share.

``Sizes.customers`` customers (a million by default) with ``bookings_per_customer`` bookings
each on average and open erasure requests for ``erasure_share`` of them, loaded once per run,
on SQLite (:func:`large_sqlite`) and with the same rows on PostgreSQL (:func:`large_postgres`).

A benchmark module measures its rows on either through ``rows_on(ctx, large)``, with the
:class:`Large` it is handed: custmodel's store on it, a raw driver connection, the backend.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path
from typing import Any

import attrs

from bench import data
from bench.context import Context
from bench.stores import PostgresSchema, SqliteFiles, load_sqlite, postgres_schema, raw_sqlite
from custmodel.storage.sql import SqlStore

__all__ = ["Large", "large_postgres", "large_sqlite", "large_store"]

#: The tables the loaders fill, whose keys and indexes are dropped while they do.
LOADED_TABLES = ("custmodel_customers", "custmodel_bookings", "custmodel_requests")


@attrs.frozen
class Large:
    """One large store: its backend, its size and how to open it.

    Attributes:
        backend: "SQLite" or "PostgreSQL" (the Row's backend column).
        customers: Customers in it.
        bookings: Bookings in it.
        path: The SQLite file, or None on PostgreSQL.
        schema: The PostgreSQL schema, or None on SQLite.
        setup_seconds: How long loading it took.
    """

    backend: str
    customers: int
    bookings: int
    path: Path | None
    schema: PostgresSchema | None
    setup_seconds: float = 0.0

    def store(self) -> SqlStore:
        """A new custmodel store on it (its schema is current: no migration runs); the caller
        closes it."""
        if self.path is not None:
            return SqliteFiles.store(self.path)
        assert self.schema is not None
        return SqlStore.from_url(self.schema.url, upgrade=False)

    def raw(self) -> Any:
        """A new DB-API connection in autocommit mode: sqlite3 with custmodel's pragmas
        (:func:`bench.stores.raw_sqlite`), or psycopg with the schema on its search path."""
        if self.path is not None:
            return raw_sqlite(self.path)
        assert self.schema is not None
        return self.schema.raw()


def large_store(ctx: Context) -> Path:
    """The path of the run's large SQLite store, loaded on first use."""
    path = large_sqlite(ctx).path
    assert path is not None
    return path


def large_sqlite(ctx: Context) -> Large:
    """The run's large SQLite store, loaded on first use."""
    sizes = ctx.sizes
    bookings = sizes.customers * sizes.bookings_per_customer

    def build() -> Large:
        started = time.perf_counter()
        path = ctx.sqlite.fresh("large")
        load_sqlite(
            path,
            sizes.customers,
            bookings_per_customer=sizes.bookings_per_customer,
            erasure_share=sizes.erasure_share,
        )
        return Large("SQLite", sizes.customers, bookings, path, None, time.perf_counter() - started)

    return ctx.shared(
        f"the store of {sizes.customers:,} customers and {bookings:,} bookings", build
    )


def large_postgres(ctx: Context, customers: int | None = None) -> Large | None:
    """The run's large PostgreSQL store of ``customers`` (default ``Sizes.customers``), loaded
    on first use; None when PostgreSQL is not available (``ctx.postgres_problem`` says why).

    It holds the same rows as the SQLite store of that size (the same generators in
    :mod:`bench.data`), in a schema of its own that custmodel created and that is dropped when
    the run ends; loaded with COPY, its keys and indexes built afterwards, then ANALYZEd.
    """
    if ctx.postgres_problem is not None:
        return None
    sizes = ctx.sizes
    count = sizes.customers if customers is None else customers
    bookings = count * sizes.bookings_per_customer

    def build() -> Large:
        started = time.perf_counter()
        schema = ctx.enter(postgres_schema())
        load_postgres(
            schema,
            count,
            bookings_per_customer=sizes.bookings_per_customer,
            erasure_share=sizes.erasure_share,
        )
        return Large("PostgreSQL", count, bookings, None, schema, time.perf_counter() - started)

    return ctx.shared(
        f"the PostgreSQL store of {count:,} customers and {bookings:,} bookings", build
    )


def _copy(cursor: Any, table: str, columns: Iterable[str], rows: Iterable[tuple[Any, ...]]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        write = copy.write_row
        for row in rows:
            write(row)


def load_postgres(
    schema: PostgresSchema,
    customers: int,
    *,
    bookings_per_customer: int = 0,
    erasure_share: float = 0.0,
) -> None:
    """Fill a fresh schema (:func:`bench.stores.postgres_schema`) as :func:`load_sqlite` fills
    a SQLite file: customers 1..``customers``, their bookings, open erasure requests.

    The keys, foreign keys and indexes of the loaded tables are dropped first and made again
    from their own definitions afterwards (one sort each instead of one insert per row), so the
    tables end as custmodel made them; a foreign key made again checks every row.
    """
    with closing(schema.raw()) as connection:
        tables = list(LOADED_TABLES)
        foreign_keys = connection.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND connamespace = %s::regnamespace "
            "AND (conrelid::regclass::text = ANY(%s) OR confrelid::regclass::text = ANY(%s))",
            (schema.name, tables, tables),
        ).fetchall()
        keys = connection.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype IN ('p', 'u') AND connamespace = %s::regnamespace "
            "AND conrelid::regclass::text = ANY(%s)",
            (schema.name, tables),
        ).fetchall()
        indexes = connection.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = %s "
            "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = format('%%I.%%I', i.schemaname, i.indexname)::regclass)",
            (schema.name, tables),
        ).fetchall()
        with connection.transaction():
            cursor = connection.cursor()
            for table, name, _ in foreign_keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for table, name, _ in keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            chunk = 50_000
            for start in range(1, customers + 1, chunk):
                rows = (
                    data.customer_row(n, data.customer_fields(n), sqlite=False)
                    for n in range(start, min(start + chunk, customers + 1))
                )
                _copy(cursor, "custmodel_customers", data.CUSTOMER_COLUMNS, rows)
            if bookings_per_customer:
                _copy(
                    cursor,
                    "custmodel_bookings",
                    data.BOOKING_COLUMNS,
                    data.booking_rows(customers, bookings_per_customer, sqlite=False),
                )
            requests = (
                data.erasure_request_rows(customers, erasure_share, sqlite=False)
                if erasure_share
                else []
            )
            _copy(
                cursor,
                "custmodel_requests",
                ("id", "customer", "kind", "received_on", "recorded_at"),
                requests,
            )
            for table, name, definition in keys:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for _, definition in indexes:
                cursor.execute(definition)
            for table, name, definition in foreign_keys:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            cursor.execute(
                "UPDATE custmodel_counters SET value = %s WHERE name = 'customer_number'",
                (customers,),
            )
            cursor.execute(
                "UPDATE custmodel_counters SET value = %s WHERE name = 'erasure_request'",
                (len(requests),),
            )
        for table in tables:
            connection.execute(f"VACUUM ANALYZE {table}")
