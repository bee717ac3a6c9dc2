"""At a large operator's scale: lookup, statistics and the erasure sweep on PostgreSQL with
``Sizes.scale_customers`` customers (ten million) and three bookings each (thirty million).

Not part of a plain run (the set-up took 38 to 59 minutes on two cores shared with other work,
and fills 13 GB with the indexes of revision 0011):
``python -m bench --only scale``, or ``--size scale_customers=200000`` to try it small. The
store is loaded with COPY (:func:`bench.operations.large.large_postgres`); the set-up row states
how long that took and the disk the tables and their indexes take. The rows are the lookup,
statistics and sweep benchmarks' own (their ``rows_on``), measured on this store.
"""

from __future__ import annotations

from contextlib import closing

from bench.context import Benchmark, Context
from bench.harness import Row
from bench.operations import lookup, statistics, sweep
from bench.operations.large import LOADED_TABLES, Large, large_postgres

__all__ = ["SCALE", "disk_usage"]


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


def _scale(ctx: Context) -> list[Row]:
    count = ctx.sizes.scale_customers
    large = large_postgres(ctx, count)
    if large is None:
        bookings = count * ctx.sizes.bookings_per_customer
        operation = f"{count:,} customers, {bookings:,} bookings"
        return [Row(operation, "PostgreSQL", skipped=ctx.postgres_problem)]
    return [
        _setup_row(large),
        *lookup.rows_on(ctx, large),
        *statistics.rows_on(ctx, large),
        *sweep.rows_on(ctx, large),
    ]


SCALE = Benchmark("scale", _scale, opt_in=True)
