"""At a large operator's scale: lookup, statistics and the erasure sweep on PostgreSQL with
``Sizes.scale_customers`` customers (ten million) and three bookings each (thirty million).

Not part of a plain run (the set-up took 38 minutes on two cores shared with other work, and
fills 9.5 GB):
``python -m bench --only scale``, or ``--size scale_customers=200000`` to try it small. The
store is loaded with COPY (:func:`bench.operations.large.large_postgres`); the set-up row states
how long that took and the disk the tables and their indexes take. The rows are the lookup,
statistics and sweep benchmarks' own (their ``rows_on``), measured on this store.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import closing
from typing import Any

from bench import raw
from bench.context import Benchmark, Context
from bench.harness import Contender, Row, Target, interleave
from bench.operations import lookup, statistics, sweep
from bench.operations.large import LOADED_TABLES, Large, large_postgres
from custmodel import CustomerBook

__all__ = ["SCALE", "disk_usage"]

#: The floor's statement: every column of the customers found, from the index on code1
#: (prepared once on its kept connection).
_FLOOR_LOOKUP = (
    "SELECT * FROM custmodel_customers WHERE code1 = %s AND merged_into IS NULL ORDER BY number"
)


def disk_usage(large: Large) -> dict[str, int]:
    """Bytes each loaded table takes with its indexes and TOAST (``pg_total_relation_size``)."""
    with closing(large.raw()) as connection:
        return {
            table: int(
                connection.execute("SELECT pg_total_relation_size(%s)", (table,)).fetchone()[0]
            )
            for table in LOADED_TABLES
        }


def _gigabytes(size: int) -> str:
    if size < 1024**3:
        return f"{size / 1024**2:,.0f} MB"
    return f"{size / 1024**3:,.1f} GB"


def _setup_row(large: Large) -> Row:
    usage = disk_usage(large)
    parts = ", ".join(f"{table} {_gigabytes(size)}" for table, size in usage.items())
    return Row(
        f"set-up: {large.customers:,} customers, {large.bookings:,} bookings by COPY, keys "
        "and indexes built after, ANALYZE",
        "PostgreSQL",
        note=(
            f"set up in {large.setup_seconds:,.0f} s (data generated in Python while copied); "
            f"disk {_gigabytes(sum(usage.values()))} with indexes ({parts})"
        ),
    )


def _sample_codes(large: Large, count: int) -> list[str]:
    """``count`` Code1 values of random customers, in a random order."""
    sample = random.Random(count).sample(range(1, large.customers + 1), count * 2)
    with closing(large.raw()) as connection:
        codes = [
            code
            for (code,) in connection.execute(
                "SELECT code1 FROM custmodel_customers WHERE code1 <> '' "
                "AND number = ANY(%s) LIMIT %s",
                (sample, count),
            )
        ]
    random.Random(0).shuffle(codes)
    return codes


def _same_numbers(evidence: list[Any]) -> None:
    first = evidence[0]
    for other in evidence[1:]:
        assert first == other, "custmodel and a baseline found different customers"


def lookup_row(ctx: Context, large: Large) -> Row:
    """``find_by_code1`` on ``large``: custmodel, the floor (a prepared statement on a kept
    connection) and the driver running the same SELECT unprepared."""
    codes = _sample_codes(large, min(ctx.sizes.lookups, large.customers // 2))
    store = large.store()
    book = CustomerBook(store)
    floor_connection = large.raw()
    raw_connection = large.raw()

    def custmodel_run(_state: None) -> list[list[int]]:
        return [[c.number for c in book.find_by_code1(code)] for code in codes]

    def floor_run(_state: None) -> list[list[int]]:
        cursor = floor_connection.cursor()
        found = []
        for code in codes:
            cursor.execute(_FLOOR_LOOKUP, (code,), prepare=True)
            found.append([row[0] for row in cursor.fetchall()])
        return found

    def raw_run(_state: None) -> list[list[int]]:
        cursor = raw_connection.cursor()
        statement = raw.FIND_BY_CODE1.replace("?", "%s")
        found = []
        for code in codes:
            cursor.execute(statement, (code,))
            found.append([row[0] for row in cursor.fetchall()])
        return found

    ctx.log(f"{len(codes):,} lookups by Code1 among {large.customers:,} customers on PostgreSQL")
    nothing: Callable[[], None] = lambda: None  # noqa: E731
    try:
        times = interleave(
            [
                Contender(custmodel_run, nothing),
                Contender(floor_run, nothing),
                Contender(raw_run, nothing),
            ],
            ctx.sizes.repeat,
            _same_numbers,
        )
    finally:
        store.close()
        floor_connection.close()
        raw_connection.close()
    return Row(
        f"find_by_code1 among {large.customers:,} customers ({len(codes):,} lookups)",
        "PostgreSQL",
        tuple(times[0]),
        tuple(times[2]),
        Target(max_ratio=1.5),
        operations=len(codes),
        floor=tuple(times[1]),
        floor_how="a prepared SELECT * by code1 on a kept psycopg connection",
    )


def _scale(ctx: Context) -> list[Row]:
    count = ctx.sizes.scale_customers
    large = large_postgres(ctx, count)
    if large is None:
        bookings = count * ctx.sizes.bookings_per_customer
        operation = f"{count:,} customers, {bookings:,} bookings"
        return [Row(operation, "PostgreSQL", skipped=ctx.postgres_problem)]
    rows = [_setup_row(large)]
    for module in (lookup, statistics, sweep):
        # Each measures its rows on a Large through rows_on; until lookup has one, its row
        # here is this module's own.
        rows_on: Callable[[Context, Large], list[Row]] | None = getattr(module, "rows_on", None)
        if rows_on is not None:
            rows.extend(rows_on(ctx, large))
        elif module is lookup:
            rows.append(lookup_row(ctx, large))
    return rows


SCALE = Benchmark("scale", _scale, opt_in=True)
