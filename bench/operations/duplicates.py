"""Finding duplicate customers (German-aware blocking and fuzzy scoring), and its memory.

There is no raw-driver baseline: SQL has no Kölner Phonetik. The row reports custmodel's time
for ``CustomerBook.find_duplicates()`` over the whole store and the peak memory of a process
running it once; the growth series shows that blocking keeps the cost near-linear.
"""

from __future__ import annotations

from pathlib import Path

from bench.child import measure_peak
from bench.context import Benchmark, Context, growth_sizes
from bench.harness import Contender, Growth, Row, Target, interleave, median
from bench.stores import SqliteFiles, load_sqlite
from custmodel import CustomerBook

__all__ = ["DUPLICATES"]


def _store(ctx: Context, customers: int) -> Path:
    path = ctx.sqlite.fresh(f"duplicates-{customers}")
    load_sqlite(path, customers)
    return path


def _times(path: Path, repeat: int) -> tuple[list[float], int]:
    store = SqliteFiles.store(path)
    book = CustomerBook(store)
    groups: list[int] = []
    contender: Contender[None] = Contender(
        lambda _state: groups.append(len(book.find_duplicates())), lambda: None
    )
    times = interleave([contender], repeat)
    store.close()
    assert len(set(groups)) == 1, "find_duplicates found different groups on the same data"
    return times[0], groups[0]


def _duplicates(ctx: Context) -> list[Row]:
    customers = ctx.sizes.duplicates
    path = _store(ctx, customers)
    ctx.log(f"duplicate finding among {customers:,} customers")
    times, groups = _times(path, ctx.sizes.repeat)
    ctx.shared(f"duplicate seconds at {customers}", lambda: median(times), announce=False)
    peak = measure_peak("duplicates", path)
    SqliteFiles.remove(path)
    return [
        Row(
            f"find duplicates among {customers:,} customers ({groups:,} groups)",
            "SQLite",
            tuple(times),
            target=Target(),
            peak_memory_mb=peak["peak_mib"],
            note=(
                f"peak resident memory of a process finding them {peak['peak_mib']:,.0f} MiB, "
                f"{peak['before_mib']:,.0f} MiB of it before the search began; VmHWM"
            ),
        )
    ]


def _growth(ctx: Context) -> list[Growth]:
    steps = growth_sizes(ctx.sizes.duplicates)
    seconds = []
    for customers in steps:

        def measure(customers: int = customers) -> float:
            ctx.log(f"growth: duplicate finding among {customers:,} customers")
            path = _store(ctx, customers)
            times, _ = _times(path, ctx.sizes.growth_repeat)
            SqliteFiles.remove(path)
            return median(times)

        seconds.append(ctx.shared(f"duplicate seconds at {customers}", measure, announce=False))
    return [Growth("find duplicates", "customers in the store", steps, tuple(seconds))]


DUPLICATES = Benchmark("duplicates", _duplicates, _growth)
