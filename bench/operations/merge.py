"""Merging a master and its duplicates that hold many bookings (R8), on SQLite and PostgreSQL.

The store holds groups of one master and ``merge_duplicates`` duplicates whose bookings
(``merge_bookings`` per group) are spread over the duplicates. Every run merges a group of its
own. custmodel calls ``CustomerBook.merge`` (plan, checks, booking move, tombstones, requests,
advertising ledger, marks, audit record and history, all in one transaction).

The floor is the fastest correct hand-written merge on a kept driver connection, in one
transaction: the UPDATE that turns the duplicates into tombstones (exactly as custmodel stores
them) only where they are still active, refusing unless every one was; the master checked
active (and locked on PostgreSQL); the UPDATE that moves the bookings; the duplicates'
requests and advertising ledger moved; the audit record written. The benchmark registers no
host references, so there are none to move. The raw driver runs the two UPDATEs custmodel's
merge cannot do without (bookings, tombstones) as the second reference.

Afterwards every side's master must hold the same number of bookings, and the duplicates must
be the same tombstones pointing at it; custmodel and the floor must have written the same
audit record.

The growth series merges groups holding 1/100 .. 1 times ``merge_bookings`` bookings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

from bench import data, raw
from bench.context import Benchmark, Context, growth_sizes
from bench.harness import Contender, Growth, Row, Target, interleave, median
from bench.stores import PostgresSchema, SqliteFiles, load_sqlite, postgres_schema, raw_sqlite
from custmodel import CustomerBook
from custmodel.storage.sql import SqlStore

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


#: The columns a merged duplicate is compared on: everything but what differs from group to
#: group (number, kind, type, account, timestamps); ``merged_into`` relative to the master.
_TOMBSTONE_COLUMNS = [
    c
    for c in data.CUSTOMER_COLUMNS
    if c
    not in (
        "number",
        "kind",
        "customer_type",
        "debtor_account",
        "created_at",
        "updated_at",
        "merged_into",
    )
]

_FLOOR_HOW = (
    "one transaction on a kept connection: tombstone UPDATE guarded by 'still active' "
    "(refused unless every duplicate), master checked active (locked on PostgreSQL), one "
    "UPDATE of the bookings, requests and advertising ledger moved, audit record inserted"
)


class _RefusedError(Exception):
    """The floor's merge found a duplicate or the master no longer active."""


@attrs.frozen
class _Engine:
    """How the hand-written sides talk to one engine.

    Attributes:
        name: The row's backend.
        mark: The driver's placeholder.
        begin: The statement that opens a write transaction.
        lock: What the master's check appends to lock the row.
        now: The merge time as the driver stores it.
    """

    name: str
    mark: str
    begin: str
    lock: str
    now: Callable[[], Any]


_SQLITE = _Engine("SQLite", "?", "BEGIN IMMEDIATE", "", lambda: raw.sqlite_time(datetime.now(UTC)))
_POSTGRES = _Engine("PostgreSQL", "%s", "BEGIN", " FOR UPDATE", lambda: datetime.now(UTC))


def _outcome(cursor: Any, engine: _Engine, group: int, duplicates: int) -> tuple[Any, ...]:
    """(bookings of the master, the duplicates' rows, the master's audit records) of a group."""
    master, dups = _members(group, duplicates)
    m = engine.mark
    (held,) = cursor.execute(
        f"SELECT count(*) FROM custmodel_bookings WHERE customer = {m}", (master,)
    ).fetchone()
    tombstones = cursor.execute(
        f"SELECT {', '.join(_TOMBSTONE_COLUMNS)}, merged_into - {m} FROM custmodel_customers "
        f"WHERE number IN ({raw.placeholders(len(dups), m)}) ORDER BY number",
        (master, *dups),
    ).fetchall()
    audit = cursor.execute(
        f"SELECT bookings_moved, duplicates, references_moved FROM custmodel_merges "
        f"WHERE master = {m}",
        (master,),
    ).fetchall()
    # Duplicates by their place in the group: the groups' numbers differ.
    records = [
        (moved, [n - master for n in json.loads(listed)], references)
        for moved, listed, references in audit
    ]
    return int(held), [tuple(row) for row in tombstones], records


def _custmodel(
    book: CustomerBook, cursor: Any, engine: _Engine, groups: Iterator[int], duplicates: int
) -> Contender[Any]:
    def run(group: int) -> int:
        master, dups = _members(group, duplicates)
        return book.merge(master, dups).bookings_moved

    return Contender(
        run,
        lambda: next(groups),
        lambda g, moved: (moved, _outcome(cursor, engine, g, duplicates)),
    )


def _in_transaction(cursor: Any, engine: _Engine, work: Callable[[], int]) -> int:
    cursor.execute(engine.begin)
    try:
        done = work()
    except BaseException:
        cursor.execute("ROLLBACK")
        raise
    cursor.execute("COMMIT")
    return done


def _floor(cursor: Any, engine: _Engine, groups: Iterator[int], duplicates: int) -> Contender[Any]:
    m = engine.mark

    def merge(master: int, dups: list[int]) -> int:
        listed = raw.placeholders(len(dups), m)
        when = engine.now()
        if raw.tombstone(cursor, master, dups, when, mark=m) != len(dups):
            raise _RefusedError
        active = cursor.execute(
            f"SELECT number FROM custmodel_customers WHERE number = {m} "
            f"AND merged_into IS NULL AND anonymized_at IS NULL{engine.lock}",
            (master,),
        ).fetchone()
        if active is None:
            raise _RefusedError
        moved = int(
            cursor.execute(
                f"UPDATE custmodel_bookings SET customer = {m} WHERE customer IN ({listed})",
                (master, *dups),
            ).rowcount
        )
        for table in ("custmodel_requests", "custmodel_marketing_choices"):
            cursor.execute(
                f"UPDATE {table} SET customer = {m} WHERE customer IN ({listed})", (master, *dups)
            )
        (record,) = cursor.execute(
            "UPDATE custmodel_counters SET value = value + 1 WHERE name = 'merge_record' "
            "RETURNING value"
        ).fetchone()
        cursor.execute(
            "INSERT INTO custmodel_merges (id, merged_at, master, duplicates, bookings_moved, "
            f"references_moved, actor) VALUES ({raw.placeholders(7, m)})",
            (record, when, master, json.dumps(dups), moved, "{}", None),
        )
        cursor.executemany(
            f"INSERT INTO custmodel_merge_duplicates (merge_id, customer) VALUES ({m}, {m})",
            [(record, n) for n in dups],
        )
        return moved

    def run(group: int) -> int:
        master, dups = _members(group, duplicates)
        return _in_transaction(cursor, engine, lambda: merge(master, dups))

    return Contender(
        run,
        lambda: next(groups),
        lambda g, moved: (moved, _outcome(cursor, engine, g, duplicates)),
    )


def _raw(cursor: Any, engine: _Engine, groups: Iterator[int], duplicates: int) -> Contender[Any]:
    m = engine.mark

    def merge(master: int, dups: list[int]) -> int:
        moved = cursor.execute(
            f"UPDATE custmodel_bookings SET customer = {m} "
            f"WHERE customer IN ({raw.placeholders(len(dups), m)})",
            (master, *dups),
        ).rowcount
        raw.tombstone(cursor, master, dups, engine.now(), mark=m)
        return int(moved)

    def run(group: int) -> int:
        master, dups = _members(group, duplicates)
        return _in_transaction(cursor, engine, lambda: merge(master, dups))

    return Contender(
        run,
        lambda: next(groups),
        lambda g, moved: (moved, _outcome(cursor, engine, g, duplicates)),
    )


def _same_outcome(evidence: list[Any]) -> None:
    """custmodel and the floor did the same merge, audit record included; the raw driver the
    same moves and tombstones (it writes no audit record)."""
    custmodel, floor, baseline = evidence
    moved, (held, tombstones, audit) = custmodel
    assert moved == held > 0, "the merge moved no bookings, or not all of them"
    assert len(audit) == 1, "custmodel wrote no audit record"
    assert custmodel == floor, "custmodel and the floor merged differently"
    assert (moved, held, tombstones, []) == (baseline[0], *baseline[1]), (
        "custmodel and the raw baseline merged differently"
    )


def _contenders(
    book: CustomerBook, cursor: Any, engine: _Engine, repeat: int, duplicates: int
) -> list[Contender[Any]]:
    """custmodel, the floor and the raw driver, each merging every third group."""
    return [
        _custmodel(book, cursor, engine, iter(range(0, 3 * repeat, 3)), duplicates),
        _floor(cursor, engine, iter(range(1, 3 * repeat, 3)), duplicates),
        _raw(cursor, engine, iter(range(2, 3 * repeat, 3)), duplicates),
    ]


def _row(ctx: Context, backend: str, times: list[list[float]]) -> Row:
    sizes = ctx.sizes
    return Row(
        f"merge master + {sizes.merge_duplicates} duplicates holding "
        f"{sizes.merge_bookings:,} bookings",
        backend,
        tuple(times[0]),
        tuple(times[2]),
        Target(max_ratio=1.5),
        floor=tuple(times[1]),
        floor_how=_FLOOR_HOW,
    )


def _merge_sqlite(ctx: Context) -> Row:
    sizes = ctx.sizes
    bookings, duplicates = sizes.merge_bookings, sizes.merge_duplicates
    path = _store(ctx, 3 * sizes.repeat, bookings)
    ctx.log(f"merges of {duplicates} duplicates holding {bookings:,} bookings on SQLite")
    store = SqliteFiles.store(path)
    with closing(raw_sqlite(path)) as connection:
        times = interleave(
            _contenders(
                CustomerBook(store), connection.cursor(), _SQLITE, sizes.repeat, duplicates
            ),
            sizes.repeat,
            _same_outcome,
        )
    store.close()
    ctx.shared(f"merge seconds at {bookings}", lambda: median(times[0]), announce=False)
    SqliteFiles.remove(path)
    return _row(ctx, "SQLite", times)


def _load_postgres(schema: PostgresSchema, groups: int, duplicates: int, bookings: int) -> None:
    """Fill a fresh schema with the merge groups, by COPY (set-up, not measured)."""
    customers = groups * (duplicates + 1)
    with closing(schema.raw()) as connection, connection.cursor() as cursor:
        columns = ", ".join(data.CUSTOMER_COLUMNS)
        with cursor.copy(f"COPY custmodel_customers ({columns}) FROM STDIN") as copy:
            for number in range(1, customers + 1):
                copy.write_row(
                    data.customer_row(number, data.customer_fields(number), sqlite=False)
                )
        columns = ", ".join(data.BOOKING_COLUMNS)
        with cursor.copy(f"COPY custmodel_bookings ({columns}) FROM STDIN") as copy:
            for row in _group_bookings(groups, duplicates, bookings):
                copy.write_row(row)
        cursor.execute(
            "UPDATE custmodel_counters SET value = %s WHERE name = 'customer_number'",
            (customers,),
        )
        cursor.execute("VACUUM ANALYZE custmodel_customers")
        cursor.execute("VACUUM ANALYZE custmodel_bookings")


def _merge_postgres(ctx: Context) -> Row:
    sizes = ctx.sizes
    bookings, duplicates = sizes.merge_bookings, sizes.merge_duplicates
    if ctx.postgres_problem is not None:
        return attrs.evolve(_row(ctx, "PostgreSQL", [[], [], []]), skipped=ctx.postgres_problem)
    ctx.log(f"merges of {duplicates} duplicates holding {bookings:,} bookings on PostgreSQL")
    with postgres_schema() as schema:
        _load_postgres(schema, 3 * sizes.repeat, duplicates, bookings)
        store = SqlStore.from_url(schema.url, upgrade=False)
        with closing(schema.raw()) as connection, connection.cursor() as cursor:
            times = interleave(
                _contenders(CustomerBook(store), cursor, _POSTGRES, sizes.repeat, duplicates),
                sizes.repeat,
                _same_outcome,
            )
        store.close()
    return _row(ctx, "PostgreSQL", times)


def _merge(ctx: Context) -> list[Row]:
    return [_merge_sqlite(ctx), _merge_postgres(ctx)]


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
            with closing(raw_sqlite(path)) as connection:
                contender = _custmodel(
                    CustomerBook(store),
                    connection.cursor(),
                    _SQLITE,
                    groups,
                    sizes.merge_duplicates,
                )
                times = interleave([contender], sizes.growth_repeat)
            store.close()
            SqliteFiles.remove(path)
            return median(times[0])

        seconds.append(ctx.shared(f"merge seconds at {bookings}", measure, announce=False))
    return [Growth("merge", "bookings moved", steps, tuple(seconds), max_exponent=1.05)]


MERGE = Benchmark("merge", _merge, _growth)
