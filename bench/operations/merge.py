"""Merging a master and its duplicates that hold many bookings (R8).

The store holds groups of one master and ``merge_duplicates`` duplicates whose bookings
(``merge_bookings`` per group) are spread over the duplicates. Every run merges a group of its
own: custmodel calls ``CustomerBook.merge`` (plan, checks, booking move, tombstones, audit
record, all in one transaction); the baseline runs the UPDATE that moves the bookings and the
UPDATE that turns the duplicates into tombstones, in one transaction. Afterwards the master
must hold the same number of bookings and every duplicate must point to it.

The growth series merges groups holding 1/100 .. 1 times ``merge_bookings`` bookings.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import data, raw
from bench.context import Benchmark, Context, growth_sizes
from bench.harness import Contender, Growth, Row, Target, interleave, median
from bench.stores import SqliteFiles, load_sqlite, raw_sqlite
from custmodel import CustomerBook

__all__ = ["MERGE"]


def _group_bookings(groups: int, duplicates: int, bookings: int) -> Iterator[tuple[Any, ...]]:
    """Booking rows for every group, spread round-robin over the group's duplicates."""
    for group in range(groups):
        master = group * (duplicates + 1) + 1
        for index in range(bookings):
            yield (
                f"M{group:05d}-{index:07d}",
                master + 1 + index % duplicates,
                "booking",
                data.TODAY.replace(year=data.TODAY.year - 1).isoformat(),
                data.AGENCY,
                "Website",
                False,
                10_000,
                None,
                None,
                None,
            )


def _store(ctx: Context, groups: int, bookings: int) -> Path:
    duplicates = ctx.sizes.merge_duplicates
    path = ctx.sqlite.fresh(f"merge-{bookings}")
    load_sqlite(
        path,
        groups * (duplicates + 1),
        bookings=_group_bookings(groups, duplicates, bookings),
    )
    return path


def _members(group: int, duplicates: int) -> tuple[int, list[int]]:
    master = group * (duplicates + 1) + 1
    return master, list(range(master + 1, master + 1 + duplicates))


def _outcome(path: Path, group: int, duplicates: int) -> tuple[int, int]:
    """(bookings of the master, duplicates pointing to it) of a merged group."""
    master, dups = _members(group, duplicates)
    with closing(raw_sqlite(path)) as connection:
        (held,) = connection.execute(
            "SELECT count(*) FROM custmodel_bookings WHERE customer = ?", (master,)
        ).fetchone()
        (pointing,) = connection.execute(
            f"SELECT count(*) FROM custmodel_customers WHERE merged_into = ? "
            f"AND number IN ({raw.placeholders(len(dups))})",
            (master, *dups),
        ).fetchone()
    return int(held), int(pointing)


def _custmodel(
    book: CustomerBook, path: Path, groups: Iterator[int], duplicates: int
) -> Contender[Any]:
    def run(group: int) -> int:
        master, dups = _members(group, duplicates)
        return book.merge(master, dups).bookings_moved

    return Contender(
        run, lambda: next(groups), lambda g, moved: (moved, _outcome(path, g, duplicates))
    )


def _raw(
    connection: sqlite3.Connection, path: Path, groups: Iterator[int], duplicates: int
) -> Contender[Any]:
    def run(group: int) -> int:
        master, dups = _members(group, duplicates)
        connection.execute("BEGIN IMMEDIATE")
        moved = connection.execute(
            f"UPDATE custmodel_bookings SET customer = ? "
            f"WHERE customer IN ({raw.placeholders(len(dups))})",
            (master, *dups),
        ).rowcount
        raw.tombstone(connection, master, dups, raw.sqlite_time(datetime.now(UTC)))
        connection.execute("COMMIT")
        return int(moved)

    return Contender(
        run, lambda: next(groups), lambda g, moved: (moved, _outcome(path, g, duplicates))
    )


def _same_outcome(evidence: list[Any]) -> None:
    custmodel, baseline = evidence
    assert custmodel == baseline, "custmodel and the raw baseline merged differently"


def _merge(ctx: Context) -> list[Row]:
    sizes = ctx.sizes
    bookings, duplicates = sizes.merge_bookings, sizes.merge_duplicates
    path = _store(ctx, 2 * sizes.repeat, bookings)
    ctx.log(f"merges of {duplicates} duplicates holding {bookings:,} bookings")
    store = SqliteFiles.store(path)
    with closing(raw_sqlite(path)) as connection:
        times = interleave(
            [
                _custmodel(
                    CustomerBook(store), path, iter(range(0, 2 * sizes.repeat, 2)), duplicates
                ),
                _raw(connection, path, iter(range(1, 2 * sizes.repeat, 2)), duplicates),
            ],
            sizes.repeat,
            _same_outcome,
        )
    store.close()
    ctx.shared(f"merge seconds at {bookings}", lambda: median(times[0]), announce=False)
    SqliteFiles.remove(path)
    return [
        Row(
            f"merge master + {duplicates} duplicates holding {bookings:,} bookings",
            "SQLite",
            tuple(times[0]),
            tuple(times[1]),
            Target(max_ratio=2),
        )
    ]


def _growth(ctx: Context) -> list[Growth]:
    sizes = ctx.sizes
    steps = growth_sizes(sizes.merge_bookings)
    seconds = []
    for bookings in steps:

        def measure(bookings: int = bookings) -> float:
            ctx.log(f"growth: merges moving {bookings:,} bookings")
            path = _store(ctx, sizes.growth_repeat, bookings)
            store = SqliteFiles.store(path)
            groups = iter(range(sizes.growth_repeat))
            contender = _custmodel(CustomerBook(store), path, groups, sizes.merge_duplicates)
            times = interleave([contender], sizes.growth_repeat)
            store.close()
            SqliteFiles.remove(path)
            return median(times[0])

        seconds.append(ctx.shared(f"merge seconds at {bookings}", measure, announce=False))
    return [Growth("merge", "bookings moved", steps, tuple(seconds))]


MERGE = Benchmark("merge", _merge, _growth)
