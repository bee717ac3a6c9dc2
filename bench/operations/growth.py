"""How the cost of a lookup, a selection and statistics grows with the store (SQLite).

Each series measures custmodel alone (as the merge and sweep series do) on stores of
``growth_sizes(Sizes.customers)`` customers, loaded as the large store is (the largest is the
large store itself), ``Sizes.growth_repeat`` times at every size:

- a lookup by Code1: seconds per lookup over the customers in the store; the exponent should
  be near 0 (an index lookup costs the same among ten thousand as among a million);
- the broad selection (private customers with flag 1): seconds over the customers selected;
- the statistics of the statistics benchmark: seconds over the bookings counted.

Selection and statistics should grow at most linearly in the rows they read (exponent <= 1.05).
The series attach to the lookup, selection and statistics benchmarks
(:mod:`bench.operations`), so ``--only lookup`` measures the lookup series.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Final

from bench.context import Context, growth_sizes
from bench.harness import Contender, Growth, interleave, median
from bench.operations.large import large_sqlite
from bench.stores import SqliteFiles, load_sqlite, raw_sqlite
from custmodel import (
    CustomerBook,
    CustomerKind,
    DeparturePeriod,
    Selection,
    StatisticsDimension,
)

__all__ = ["lookup_growth", "selection_growth", "statistics_growth"]

#: An index lookup's cost should not depend on the store's size; allow for the deeper B-tree.
LOOKUP_MAX_EXPONENT: Final = 0.1
#: A scan, a sort or a join of n rows: at most linear, give or take the sort's log n.
LINEAR_MAX_EXPONENT: Final = 1.05
#: The broad selection of the selection benchmark.
_BROAD: Final = Selection(kind=CustomerKind.PRIVATE, status_all=frozenset({1}))
#: The last full year before the sweep's day, as the statistics benchmark counts it.
_YEAR: Final = 2025


def _store_path(ctx: Context, customers: int) -> Path:
    """A SQLite store of ``customers`` customers, loaded as the large store is; shared by the
    series of one run (the largest is the large store)."""
    sizes = ctx.sizes
    if customers == sizes.customers:
        path = large_sqlite(ctx).path
        assert path is not None
        return path

    def build() -> Path:
        ctx.log(f"growth: a store of {customers:,} customers")
        path = ctx.sqlite.fresh(f"growth-{customers}")
        load_sqlite(
            path,
            customers,
            bookings_per_customer=sizes.bookings_per_customer,
            erasure_share=sizes.erasure_share,
        )
        return path

    return ctx.shared(f"growth store of {customers}", build, announce=False)


def _measure(ctx: Context, path: Path, run: Callable[[CustomerBook], object]) -> float:
    """custmodel's median seconds of ``run`` on the store at ``path``."""
    store = SqliteFiles.store(path)
    try:
        book = CustomerBook(store)
        times = interleave([Contender(lambda _: run(book), lambda: None)], ctx.sizes.growth_repeat)
    finally:
        store.close()
    return median(times[0])


def _codes(path: Path, count: int) -> list[str]:
    """Up to ``count`` Code1 values of random customers of the store, in a random order."""
    with closing(raw_sqlite(path)) as connection:
        (highest,) = connection.execute("SELECT max(number) FROM custmodel_customers").fetchone()
        sample = random.Random(count).sample(range(1, highest + 1), min(count * 2, highest))
        codes = [
            code
            for (code,) in connection.execute(
                "SELECT code1 FROM custmodel_customers WHERE code1 <> '' AND number IN "
                f"(SELECT value FROM json_each(?)) LIMIT {count}",
                (str(sample),),
            )
        ]
    random.Random(0).shuffle(codes)
    return codes


def lookup_growth(ctx: Context) -> list[Growth]:
    """Seconds per ``find_by_code1`` over the customers in the store."""
    steps = growth_sizes(ctx.sizes.customers)
    seconds = []
    for customers in steps:
        path = _store_path(ctx, customers)
        codes = _codes(path, ctx.sizes.lookups)
        ctx.log(f"growth: {len(codes):,} lookups among {customers:,} customers")

        def run(book: CustomerBook, codes: list[str] = codes) -> object:
            return [book.find_by_code1(code) for code in codes]

        seconds.append(_measure(ctx, path, run) / len(codes))
    return [
        Growth(
            "find_by_code1",
            "customers in the store",
            steps,
            tuple(seconds),
            LOOKUP_MAX_EXPONENT,
            per="lookup",
        )
    ]


def selection_growth(ctx: Context) -> list[Growth]:
    """Seconds of the broad selection over the customers it selects."""
    selected = []
    seconds = []
    for customers in growth_sizes(ctx.sizes.customers):
        path = _store_path(ctx, customers)
        ctx.log(f"growth: the broad selection among {customers:,} customers")
        seconds.append(_measure(ctx, path, lambda book: list(book.select(_BROAD))))
        store = SqliteFiles.store(path)
        try:
            selected.append(CustomerBook(store).count(_BROAD))
        finally:
            store.close()
    return [
        Growth(
            "select kind private + flag 1",
            "customers selected",
            tuple(selected),
            tuple(seconds),
            LINEAR_MAX_EXPONENT,
        )
    ]


def statistics_growth(ctx: Context) -> list[Growth]:
    """Seconds of the statistics benchmark's two evaluations over the bookings they count."""
    evaluations = (
        (
            "statistics: private customers by category",
            Selection(kind=CustomerKind.PRIVATE),
            StatisticsDimension.CATEGORY,
            DeparturePeriod(),
        ),
        (
            f"statistics: by travel type, {_YEAR}",
            Selection(),
            StatisticsDimension.TRAVEL_TYPE,
            DeparturePeriod.year(_YEAR),
        ),
    )
    series = []
    for label, selection, dimension, period in evaluations:
        counted = []
        seconds = []
        for customers in growth_sizes(ctx.sizes.customers):
            path = _store_path(ctx, customers)
            ctx.log(f"growth: {label} among {customers:,} customers")

            def run(
                book: CustomerBook,
                selection: Selection = selection,
                dimension: StatisticsDimension = dimension,
                period: DeparturePeriod = period,
            ) -> object:
                return book.statistics(selection, dimension, period)

            seconds.append(_measure(ctx, path, run))
            store = SqliteFiles.store(path)
            try:
                totals = CustomerBook(store).statistics(selection, dimension, period).totals
            finally:
                store.close()
            counted.append(totals.firm_bookings + totals.offers)
        series.append(
            Growth(label, "bookings counted", tuple(counted), tuple(seconds), LINEAR_MAX_EXPONENT)
        )
    return series
