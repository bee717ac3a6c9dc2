"""The large store that the lookup, selection, statistics and erasure sweep benchmarks share.

``Sizes.customers`` customers (a million by default) with ``bookings_per_customer`` bookings
each on average and open erasure requests for ``erasure_share`` of them, loaded once per run.
"""

from __future__ import annotations

from pathlib import Path

from bench.context import Context
from bench.stores import load_sqlite

__all__ = ["large_store"]


def large_store(ctx: Context) -> Path:
    """The path of the run's large SQLite store, loaded on first use."""
    sizes = ctx.sizes

    def build() -> Path:
        path = ctx.sqlite.fresh("large")
        load_sqlite(
            path,
            sizes.customers,
            bookings_per_customer=sizes.bookings_per_customer,
            erasure_share=sizes.erasure_share,
        )
        return path

    return ctx.shared(
        f"the store of {sizes.customers:,} customers and "
        f"{sizes.customers * sizes.bookings_per_customer:,} bookings",
        build,
    )
