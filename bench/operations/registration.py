"""Registering customers: in bulk (SQLite and PostgreSQL), and one transaction at a time.

All sides start from the same customer records (dicts of field values, what an import or a
form delivers): custmodel builds ``NewCustomer`` drafts from them and calls
``register_many``/``register``. The floor is the fastest correct way to the same rows on a
connection kept open: the counter row advanced by one ``UPDATE ... RETURNING`` and the rows
(with their derived search columns) written by one ``executemany`` of tuples on SQLite, by
``COPY`` on PostgreSQL, all in one transaction; single registrations commit each one
(``BEGIN IMMEDIATE`` / counter / ``INSERT`` / ``COMMIT``) with ``synchronous=FULL``. The raw
baseline, the second reference, does the same through a connection opened for the run.
Afterwards the databases must hold the same customers.

The bulk and single rows are measured twice, custmodel with its change history off and on
(see :func:`bench.harness.with_history`). The bulk rows keep one floor for both, which writes
no history. A single registration's result with the history on includes its REGISTERED entry,
so that row's floor writes the entry too, in the same transaction (two more pages for each
commit to sync); the databases must then also hold the same entries.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import data, raw
from bench.context import Benchmark, Context
from bench.harness import Contender, Row, Target, interleave, with_history
from bench.stores import PostgresSchema, SqliteFiles, postgres_schema, raw_sqlite
from custmodel import CustomerBook, DuplicateMode, NewCustomer
from custmodel.storage.sql import SqlStore

__all__ = ["BULK", "CHECKED", "SINGLE"]


def _records(count: int) -> list[dict[str, Any]]:
    return [data.customer_fields(n) for n in range(1, count + 1)]


def _same_customers(evidence: list[Any]) -> None:
    first, *others = evidence
    assert all(first == other for other in others), (
        "custmodel, the floor and the raw baseline stored different customers"
    )


def _same_customers_and_entries(evidence: list[Any]) -> None:
    """All stored the same customers; custmodel with its history on and the floor that
    writes the entries wrote the same entries, one for each customer; the others none."""
    _same_customers([customers for customers, _ in evidence])
    entries = [entries for _, entries in evidence]
    on, floor_on = entries[1], entries[4]
    assert on, "custmodel with its history on wrote no entries"
    assert on == floor_on, "custmodel and the floor wrote different history entries"
    assert len(on) == len(evidence[1][0]), "not one entry for each customer"
    assert not any(entries[i] for i in (0, 2, 3)), "a side without history wrote entries"


#: How each row's floor gets its result (the table's legend).
_BULK_SQLITE_FLOOR = (
    "kept connection: BEGIN IMMEDIATE, counter UPDATE ... RETURNING, one executemany of tuples "
    "(search columns derived in Python), COMMIT"
)
_BULK_POSTGRES_FLOOR = (
    "kept psycopg connection, one transaction: counter UPDATE ... RETURNING, COPY of the rows "
    "(search columns derived in Python)"
)
_SINGLE_FLOOR = (
    "kept connection, synchronous=FULL: per record BEGIN IMMEDIATE, counter UPDATE ... "
    "RETURNING, INSERT, COMMIT"
)
_SINGLE_HISTORY_FLOOR = (
    "kept connection, synchronous=FULL: per record BEGIN IMMEDIATE, counter UPDATE ... "
    "RETURNING, INSERT of the customer and of its REGISTERED entry, COMMIT"
)
#: The REGISTERED entry custmodel writes for a single registration, hand-written: its time
#: (the customer's creation time), its customer and owner (the new number), no actor, no
#: related customers, no changes and no personal values.
_REGISTERED_ENTRY = (
    "INSERT INTO custmodel_history (at, action, customer, owner, related, details) "
    "VALUES (?, 'registered', ?, ?, '', '{\"changes\":[]}')"
)
#: The history entries' columns that agreement is checked on (not the id, nor the time).
_ENTRY_COLUMNS = "action, customer, owner, actor, related, details, personal, erased_at"

#: SQLite's ``PRAGMA synchronous`` value of FULL: every commit is synced to the disk.
_SYNCHRONOUS_FULL = 2


def _synchronous(store: SqlStore) -> int:
    """The ``synchronous`` setting of ``store``'s SQLite connections."""
    with store.engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA synchronous").scalar_one())


# -- SQLite -------------------------------------------------------------------------------------


def _sqlite_contenders(
    files: SqliteFiles, records: list[dict[str, Any]], *, bulk: bool
) -> list[Contender[Any]]:
    """custmodel with the history off, with it on, the floor and the raw driver."""

    def custmodel_prepare(history: bool) -> Callable[[], tuple[Path, SqlStore, CustomerBook]]:
        def prepare() -> tuple[Path, SqlStore, CustomerBook]:
            path = files.fresh("registration")
            store = files.store(path)
            # The floor syncs every commit; so must custmodel, or the row compares nothing.
            assert _synchronous(store) == _SYNCHRONOUS_FULL, "custmodel's SQLite is not FULL"
            return path, store, CustomerBook(store, history=history)

        return prepare

    def custmodel_run(state: tuple[Path, SqlStore, CustomerBook]) -> None:
        book = state[2]
        if bulk:
            book.register_many([NewCustomer(**record) for record in records])
        else:
            for record in records:
                book.register(**record)

    def custmodel_finish(state: tuple[Path, SqlStore, CustomerBook], _result: object) -> Any:
        path, store, _ = state
        store.close()
        return _digest_and_remove(path, entries=not bulk)

    def floor_prepare() -> tuple[Path, sqlite3.Connection]:
        path = files.fresh("registration-floor")
        connection = raw_sqlite(path)
        connection.execute("PRAGMA synchronous=FULL")
        return path, connection

    def floor_run(state: tuple[Path, sqlite3.Connection], *, entries: bool = False) -> None:
        connection = state[1]
        insert = (
            f"INSERT INTO custmodel_customers ({', '.join(data.CUSTOMER_COLUMNS)}) "
            f"VALUES ({raw.placeholders(len(data.CUSTOMER_COLUMNS))})"
        )
        advance = (
            "UPDATE custmodel_counters SET value = value + ? WHERE name = 'customer_number' "
            "RETURNING value"
        )
        when = datetime.now(UTC)
        if bulk:
            connection.execute("BEGIN IMMEDIATE")
            (last,) = connection.execute(advance, (len(records),)).fetchone()
            first = last - len(records) + 1
            connection.executemany(
                insert,
                [
                    data.customer_row(first + offset, record, sqlite=True, when=when)
                    for offset, record in enumerate(records)
                ],
            )
            connection.execute("COMMIT")
            return
        execute = connection.execute
        if entries:
            at = raw.sqlite_time(when)
            for record in records:
                execute("BEGIN IMMEDIATE")
                (number,) = execute(advance, (1,)).fetchone()
                execute(insert, data.customer_row(number, record, sqlite=True, when=when))
                execute(_REGISTERED_ENTRY, (at, number, number))
                execute("COMMIT")
            return
        for record in records:
            execute("BEGIN IMMEDIATE")
            (number,) = execute(advance, (1,)).fetchone()
            execute(insert, data.customer_row(number, record, sqlite=True, when=when))
            execute("COMMIT")

    def floor_finish(state: tuple[Path, sqlite3.Connection], _result: object) -> Any:
        state[1].close()
        return _digest_and_remove(state[0], entries=not bulk)

    def raw_prepare() -> Path:
        return files.fresh("registration-raw")

    def raw_run(path: Path) -> None:
        with closing(raw_sqlite(path)) as connection:
            if bulk:
                connection.execute("BEGIN IMMEDIATE")
                first = raw.allocate(connection, len(records))
                raw.insert_customers(connection, first, records, datetime.now(UTC), sqlite=True)
                connection.execute("COMMIT")
                return
            for record in records:
                connection.execute("BEGIN IMMEDIATE")
                first = raw.allocate(connection, 1)
                raw.insert_customers(connection, first, [record], datetime.now(UTC), sqlite=True)
                connection.execute("COMMIT")

    def raw_finish(path: Path, _result: object) -> Any:
        return _digest_and_remove(path, entries=not bulk)

    contenders: list[Contender[Any]] = [
        Contender(custmodel_run, custmodel_prepare(history=False), custmodel_finish),
        Contender(custmodel_run, custmodel_prepare(history=True), custmodel_finish),
        Contender(floor_run, floor_prepare, floor_finish),
        Contender(raw_run, raw_prepare, raw_finish),
    ]
    if not bulk:
        # The floor of custmodel with its history on: the same result is the customers and
        # their REGISTERED entries, so this floor writes the entries too.
        contenders.append(
            Contender(lambda state: floor_run(state, entries=True), floor_prepare, floor_finish)
        )
    return contenders


def _digest_and_remove(path: Path, *, entries: bool = False) -> Any:
    """The customers stored in ``path`` (see :func:`bench.raw.customer_digest`), with
    ``entries`` also the customers' history entries (without ids and times), in order; then
    delete it."""
    with closing(raw_sqlite(path)) as connection:
        digest: Any = raw.customer_digest(connection)
        if entries:
            found = connection.execute(
                # The template's own entries (its settings) are every side's alike.
                f"SELECT {_ENTRY_COLUMNS} FROM custmodel_history "
                "WHERE customer IS NOT NULL ORDER BY id"
            ).fetchall()
            digest = (digest, [tuple(row) for row in found])
    SqliteFiles.remove(path)
    return digest


def _bulk_sqlite(ctx: Context, records: list[dict[str, Any]]) -> list[Row]:
    ctx.log(f"bulk registration of {len(records):,} customers on SQLite")
    times = interleave(
        _sqlite_contenders(ctx.sqlite, records, bulk=True), ctx.sizes.repeat, _same_customers
    )
    row = Row(
        f"bulk registration, {len(records):,} customers",
        "SQLite",
        tuple(times[0]),
        tuple(times[3]),
        Target(max_ratio=1.5),
        operations=len(records),
        floor=tuple(times[2]),
        floor_how=_BULK_SQLITE_FLOOR,
    )
    return with_history(row, times[1])


# -- PostgreSQL ---------------------------------------------------------------------------------


def _pg_contenders(
    custmodel_schema: PostgresSchema,
    floor_schema: PostgresSchema,
    raw_schema: PostgresSchema,
    records: list[dict[str, Any]],
) -> list[Contender[Any]]:
    def reset(schema: PostgresSchema) -> None:
        with closing(schema.raw()) as connection:
            connection.execute("TRUNCATE custmodel_customers, custmodel_history CASCADE")
            connection.execute(
                "UPDATE custmodel_counters SET value = 0 WHERE name = 'customer_number'"
            )

    def digest(schema: PostgresSchema) -> list[tuple[Any, ...]]:
        with closing(schema.raw()) as connection:
            return raw.customer_digest(connection)

    def custmodel_prepare(history: bool) -> Callable[[], tuple[SqlStore, CustomerBook]]:
        def prepare() -> tuple[SqlStore, CustomerBook]:
            reset(custmodel_schema)
            store = SqlStore.from_url(custmodel_schema.url, upgrade=False)
            return store, CustomerBook(store, history=history)

        return prepare

    def custmodel_run(state: tuple[SqlStore, CustomerBook]) -> None:
        state[1].register_many([NewCustomer(**record) for record in records])

    def custmodel_finish(state: tuple[SqlStore, CustomerBook], _result: object) -> Any:
        state[0].close()
        return digest(custmodel_schema)

    def floor_prepare() -> Any:
        reset(floor_schema)
        connection = floor_schema.raw()
        connection.execute("SELECT 1")  # connected, as custmodel's pool is after its first use
        return connection

    def floor_run(connection: Any) -> None:
        columns = ", ".join(data.CUSTOMER_COLUMNS)
        when = datetime.now(UTC)
        with connection.transaction(), connection.cursor() as cursor:
            first = raw.allocate(cursor, len(records), "%s")
            with cursor.copy(f"COPY custmodel_customers ({columns}) FROM STDIN") as copy:
                for offset, record in enumerate(records):
                    copy.write_row(
                        data.customer_row(first + offset, record, sqlite=False, when=when)
                    )

    def floor_finish(connection: Any, _result: object) -> Any:
        connection.close()
        return digest(floor_schema)

    def raw_prepare() -> Any:
        reset(raw_schema)
        connection = raw_schema.raw()
        connection.execute("SELECT 1")  # connected, as custmodel's pool is after its first use
        return connection

    def raw_run(connection: Any) -> None:
        with connection.transaction(), connection.cursor() as cursor:
            first = raw.allocate(cursor, len(records), "%s")
            raw.insert_customers(cursor, first, records, datetime.now(UTC), sqlite=False)

    def raw_finish(connection: Any, _result: object) -> Any:
        connection.close()
        return digest(raw_schema)

    return [
        Contender(custmodel_run, custmodel_prepare(history=False), custmodel_finish),
        Contender(custmodel_run, custmodel_prepare(history=True), custmodel_finish),
        Contender(floor_run, floor_prepare, floor_finish),
        Contender(raw_run, raw_prepare, raw_finish),
    ]


def _bulk_postgres(ctx: Context, records: list[dict[str, Any]]) -> list[Row]:
    operation = f"bulk registration, {len(records):,} customers"
    if ctx.postgres_problem is not None:
        return [Row(operation, "PostgreSQL", skipped=ctx.postgres_problem)]
    ctx.log(f"bulk registration of {len(records):,} customers on PostgreSQL")
    with (
        postgres_schema() as custmodel_schema,
        postgres_schema() as floor_schema,
        postgres_schema() as raw_schema,
    ):
        times = interleave(
            _pg_contenders(custmodel_schema, floor_schema, raw_schema, records),
            ctx.sizes.repeat,
            _same_customers,
        )
    row = Row(
        operation,
        "PostgreSQL",
        tuple(times[0]),
        tuple(times[3]),
        Target(max_ratio=1.5),
        operations=len(records),
        floor=tuple(times[2]),
        floor_how=_BULK_POSTGRES_FLOOR,
    )
    return with_history(row, times[1])


def _bulk(ctx: Context) -> list[Row]:
    records = _records(ctx.sizes.bulk)
    return [*_bulk_sqlite(ctx, records), *_bulk_postgres(ctx, records)]


def _single(ctx: Context) -> list[Row]:
    records = _records(ctx.sizes.single)
    places = [("", ctx.sqlite)]
    if ctx.sqlite_in_memory is not None:
        places.append((" (tmpfs: commits not synced to a disk)", ctx.sqlite_in_memory))
    rows = []
    for where, files in places:
        ctx.log(f"{len(records):,} single registrations on SQLite{where}")
        times = interleave(
            _sqlite_contenders(files, records, bulk=False),
            ctx.sizes.repeat,
            _same_customers_and_entries,
        )
        row = Row(
            f"single registrations, {len(records):,} transactions{where}",
            "SQLite",
            tuple(times[0]),
            tuple(times[3]),
            Target(max_ratio=1.5, min_rate=1_000),
            operations=len(records),
            floor=tuple(times[2]),
            floor_how=_SINGLE_FLOOR,
        )
        rows.extend(
            with_history(row, times[1], floor=tuple(times[4]), floor_how=_SINGLE_HISTORY_FLOOR)
        )
    return rows


def _checked_contenders(
    files: SqliteFiles, template: Path, records: list[dict[str, Any]]
) -> list[Contender[Any]]:
    """Single registrations into a copy of ``template``, with and without the check.

    Half of ``records`` repeat a stored customer (another e-mail case, the names swapped every
    other time), so the check finds candidates and scores them, as it does in an office.
    """

    def prepare() -> tuple[Path, SqlStore, CustomerBook]:
        path = files.fresh("registration-checked")
        shutil.copyfile(template, path)
        store = files.store(path)
        return path, store, CustomerBook(store)

    def run(mode: DuplicateMode) -> Callable[[tuple[Path, SqlStore, CustomerBook]], object]:
        def register(state: tuple[Path, SqlStore, CustomerBook]) -> object:
            book = state[2]
            return sum(
                bool(book.register(**record, duplicates="warn").candidates)
                if mode == "warn"
                else bool(book.register(**record))
                for record in records
            )

        return register

    def finish(state: tuple[Path, SqlStore, CustomerBook], found: object) -> Any:
        path, store, _ = state
        store.close()
        return _digest_and_remove(path), found

    return [
        Contender(run("warn"), prepare, finish),
        Contender(run("off"), prepare, finish),
    ]


def _repeated(stored: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """``count`` records to register: every other one a stored customer keyed in again."""
    records = []
    for n in range(count):
        if n % 2:
            record = dict(stored[(n * 7919) % len(stored)])
            record["email"] = record["email"].upper()
            if n % 4 == 1:
                record["first_name"], record["last_name"] = (
                    record["last_name"],
                    record["first_name"],
                )
        else:
            record = data.customer_fields(len(stored) + n + 1)
        records.append(record)
    return records


def _checked(ctx: Context) -> list[Row]:
    stored = _records(ctx.sizes.bulk)
    records = _repeated(stored, ctx.sizes.single)
    places = [("", ctx.sqlite)]
    if ctx.sqlite_in_memory is not None:
        places.append((" (tmpfs: commits not synced to a disk)", ctx.sqlite_in_memory))
    rows = []
    flagged: list[int] = []

    def agree(found: list[Any]) -> None:
        (with_check, candidates), (without_check, _) = found
        assert with_check == without_check, "the check changed what was stored"
        flagged.append(candidates)

    for where, files in places:
        ctx.log(
            f"{len(records):,} single registrations with the duplicate check on a store of "
            f"{len(stored):,} customers{where}"
        )
        template = files.fresh("registration-checked-template")
        store = SqliteFiles.store(template)
        CustomerBook(store).register_many([NewCustomer(**record) for record in stored])
        store.purge()  # the log copied into the file: one file to copy
        store.close()
        try:
            contenders = _checked_contenders(files, template, records)
            times = interleave(contenders, ctx.sizes.repeat, agree)
        finally:
            SqliteFiles.remove(template)
        rows.append(
            Row(
                f"single registrations with the duplicate check, {len(records):,} into "
                f"{len(stored):,} customers{where}",
                "SQLite",
                tuple(times[0]),
                tuple(times[1]),
                # The check's own cost (a few index lookups and the scoring, about 2 ms) weighs
                # against a commit: less beside a synced one, more where commits cost nothing.
                Target(max_ratio=2 if not where else 4, min_rate=100),
                operations=len(records),
                note=(
                    f"baseline: the same registrations without the check; {flagged[-1]:,} of "
                    f"{len(records):,} came back with candidates"
                ),
            )
        )
    return rows


BULK = Benchmark("bulk", _bulk)
SINGLE = Benchmark("single", _single)
CHECKED = Benchmark("checked", _checked)
