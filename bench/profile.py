"""``python -m bench.profile OPERATION [SIZE]``: where custmodel's time goes, by cProfile.

Builds a store like the benchmark's (smaller by default), runs custmodel's side of one
operation under :mod:`cProfile` and prints the entries with the most time of their own
("tottime"), then the most cumulative time. docs/benchmarks.md quotes these to explain each
missed target.

Operations: bulk, single, lookup, selection, statistics, merge, sweep, duplicates.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench import data
from bench.operations.merge import _group_bookings, _members
from bench.stores import SqliteFiles, load_sqlite
from custmodel import CustomerBook, CustomerKind, NewCustomer, Selection, StatisticsDimension

__all__ = ["main"]

_DEFAULT_SIZES = {
    "bulk": 20_000,
    "single": 500,
    "lookup": 100_000,
    "selection": 200_000,
    "statistics": 200_000,
    "merge": 50_000,
    "sweep": 200_000,
    "duplicates": 20_000,
}


def _work(operation: str, size: int, files: SqliteFiles) -> Callable[[], object]:
    """Set up a store for ``operation`` and return custmodel's side, ready to run."""
    path = files.fresh(operation)
    if operation in ("bulk", "single"):
        records = [data.customer_fields(n) for n in range(1, size + 1)]
        book = CustomerBook(files.store(path))
        if operation == "bulk":
            return lambda: book.register_many([NewCustomer(**r) for r in records])
        return lambda: [book.register(**r) for r in records]
    if operation == "merge":
        load_sqlite(path, 11, bookings=_group_bookings(1, 10, size))
        book = CustomerBook(files.store(path))
        master, duplicates = _members(0, 10)
        return lambda: book.merge(master, duplicates)
    load_sqlite(
        path,
        size,
        bookings_per_customer=3 if operation in ("sweep", "statistics") else 0,
        erasure_share=0.01 if operation == "sweep" else 0.0,
    )
    book = CustomerBook(files.store(path))
    if operation == "lookup":
        codes = [f"K{n:08d}" for n in range(1, size + 1, max(1, size // 2_000))]
        return lambda: [book.find_by_code1(code) for code in codes]
    if operation == "selection":
        selection = Selection(kind=CustomerKind.PRIVATE, status_all=frozenset({1}))
        return lambda: book.select(selection)
    if operation == "statistics":
        private = Selection(kind=CustomerKind.PRIVATE)
        return lambda: book.statistics(private, StatisticsDimension.CATEGORY)
    if operation == "sweep":
        return lambda: book.anonymize_due(data.AGENCY, data.TODAY)
    return lambda: book.find_duplicates()


def main(argv: list[str] | None = None) -> None:
    """Profile one operation and print its top entries."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("operation", choices=sorted(_DEFAULT_SIZES))
    parser.add_argument("size", nargs="?", type=int, help="records (bookings for merge)")
    parser.add_argument("--top", type=int, default=15, help="entries per listing")
    parser.add_argument(
        "--dir", type=Path, help="directory for the database (e.g. /dev/shm: no fsync cost)"
    )
    args = parser.parse_args(argv)
    size = args.size or _DEFAULT_SIZES[args.operation]
    with tempfile.TemporaryDirectory(prefix="custmodel-profile-", dir=args.dir) as directory:
        work = _work(args.operation, size, SqliteFiles(Path(directory)))
        profiler = cProfile.Profile()
        profiler.runcall(work)
    print(f"{args.operation}, size {size:,}")
    stats = pstats.Stats(profiler)
    stats.strip_dirs()
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
