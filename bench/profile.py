"""``python -m bench.profile OPERATION [SIZE]``: where custmodel's time goes, by cProfile.

Builds a store like the benchmark's (smaller by default), runs custmodel's side of one
operation under :mod:`cProfile` and prints the entries with the most time of their own
("tottime"), then the most cumulative time. docs/benchmarks.md quotes these to explain each
missed target.

``--history off`` runs the book with its change history off. ``--statements`` lists the SQL
statements the operation ran instead: how often each ran (and with how many parameter sets),
its time in the driver, and that time's share of the operation's.

Operations: bulk, single, lookup, selection, status, statistics, merge, sweep, duplicates.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
from sqlalchemy import Engine, event  # noqa: TID251 - times statements by engine events

from bench import data
from bench.harness import format_seconds
from bench.operations.merge import _group_bookings, _members
from bench.operations.status import _SELECTION, _SET_FLAG
from bench.stores import SqliteFiles, load_sqlite
from custmodel import CustomerBook, CustomerKind, NewCustomer, Selection, StatisticsDimension
from custmodel.storage.sql import SqlStore

__all__ = ["main"]

_DEFAULT_SIZES = {
    "bulk": 20_000,
    "single": 500,
    "lookup": 100_000,
    "selection": 200_000,
    "status": 200_000,
    "statistics": 200_000,
    "merge": 50_000,
    "sweep": 200_000,
    "duplicates": 20_000,
}


@attrs.define
class _Statements:
    """The SQL statements run on an engine: per statement, how often, with how many parameter
    sets, and the seconds spent in the driver."""

    counts: dict[str, list[float]] = attrs.field(factory=dict)

    def listen(self, engine: Engine) -> None:
        def before(conn: Any, _cursor: Any, *_args: Any) -> None:
            conn.info["bench_started"] = time.perf_counter()

        def after(
            conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool
        ) -> None:
            seconds = time.perf_counter() - conn.info.pop("bench_started")
            text = re.sub(r"\s+", " ", statement).strip()
            text = re.sub(r"(\?, )+\?|(\(\?\), )+\(\?\)", "...", text)
            line = self.counts.setdefault(text[:160], [0, 0, 0.0])
            line[0] += 1
            line[1] += len(parameters) if many else 1
            line[2] += seconds

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)

    def report(self, total: float, top: int) -> str:
        lines = [f"{'runs':>6} {'param sets':>10} {'time':>9} {'share':>6}  statement"]
        ordered = sorted(self.counts.items(), key=lambda item: -item[1][2])
        for text, (runs, sets, seconds) in ordered[:top]:
            share = f"{seconds / total:.0%}"
            lines.append(
                f"{runs:>6,.0f} {sets:>10,.0f} {format_seconds(seconds):>9} {share:>6}  {text}"
            )
        spent = sum(line[2] for line in self.counts.values())
        lines.append(
            f"{sum(line[0] for line in self.counts.values()):>6,.0f} statements, "
            f"{format_seconds(spent)} in the driver of {format_seconds(total)} "
            f"({spent / total:.0%})"
        )
        return "\n".join(lines)


def _work(
    operation: str, size: int, files: SqliteFiles, book_of: Callable[[SqlStore], CustomerBook]
) -> Callable[[], object]:
    """Set up a store for ``operation`` and return custmodel's side, ready to run."""
    path = files.fresh(operation)
    if operation in ("bulk", "single"):
        records = [data.customer_fields(n) for n in range(1, size + 1)]
        book = book_of(files.store(path))
        if operation == "bulk":
            return lambda: book.register_many([NewCustomer(**r) for r in records])
        return lambda: [book.register(**r) for r in records]
    if operation == "merge":
        load_sqlite(path, 11, bookings=_group_bookings(1, 10, size))
        book = book_of(files.store(path))
        master, duplicates = _members(0, 10)
        return lambda: book.merge(master, duplicates)
    load_sqlite(
        path,
        size,
        bookings_per_customer=3 if operation in ("sweep", "statistics") else 0,
        erasure_share=0.01 if operation == "sweep" else 0.0,
    )
    book = book_of(files.store(path))
    if operation == "lookup":
        codes = [f"K{n:08d}" for n in range(1, size + 1, max(1, size // 2_000))]
        return lambda: [book.find_by_code1(code) for code in codes]
    if operation == "selection":
        selection = Selection(kind=CustomerKind.PRIVATE, status_all=frozenset({1}))
        return lambda: book.select(selection)
    if operation == "status":
        return lambda: book.set_status(_SELECTION, _SET_FLAG)
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
    parser.add_argument(
        "--history", choices=("on", "off"), default="on", help="the book's change history"
    )
    parser.add_argument(
        "--statements",
        action="store_true",
        help="list the SQL statements and their time instead of profiling",
    )
    args = parser.parse_args(argv)
    size = args.size or _DEFAULT_SIZES[args.operation]
    statements = _Statements()

    def book_of(store: SqlStore) -> CustomerBook:
        if args.statements:
            statements.listen(store.engine)
        return CustomerBook(store, history=args.history == "on")

    with tempfile.TemporaryDirectory(prefix="custmodel-profile-", dir=args.dir) as directory:
        work = _work(args.operation, size, SqliteFiles(Path(directory)), book_of)
        statements.counts.clear()  # the set-up's statements are not the operation's
        if args.statements:
            started = time.perf_counter()
            work()
            total = time.perf_counter() - started
            print(f"{args.operation}, size {size:,}, history {args.history}")
            print(statements.report(total, args.top))
            return
        profiler = cProfile.Profile()
        profiler.runcall(work)
    print(f"{args.operation}, size {size:,}, history {args.history}")
    stats = pstats.Stats(profiler)
    stats.strip_dirs()
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
