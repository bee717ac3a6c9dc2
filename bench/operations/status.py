"""'Status setzen': one status flag set on a broad selection of the large store (R2).

custmodel calls ``CustomerBook.set_status(Selection(kind=PRIVATE, status_all={1}), 9)``: flag
9 is rare (0.2 % of the customers hold it), flag 1 is held by a tenth, so the run sets the flag
on about 7 % of the store, every private customer with flag 1 that lacks flag 9. custmodel
runs with its change history off and on (see :func:`bench.harness.with_history`); with it on,
the store writes one entry per changed customer and one for the run. The baseline is the same
UPDATE (the bit, version + 1, updated_at) with the same WHERE on the driver, in one
transaction; it is also the floor: no correct way to set the flag writes less, and custmodel
itself runs one such UPDATE.

Before the first run the selected customers' status, version and update time are copied
aside; after every run (unmeasured) they are restored from that copy and the run's history
entries are deleted, so every run changes the same customers. All sides must have changed the
same customers, and nobody else.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import raw
from bench.context import Benchmark, Context
from bench.harness import Contender, Row, Target, interleave, with_history
from bench.operations.large import large_store
from bench.stores import SqliteFiles, drop_history_after, history_mark, raw_sqlite
from custmodel import CustomerBook, CustomerKind, Selection

__all__ = ["STATUS"]

_KIND = CustomerKind.PRIVATE
#: The flag the selection asks for (held by a tenth) and the rare flag the run sets.
_SELECTED_FLAG = 1
_SET_FLAG = 9
_SELECTION = Selection(kind=_KIND, status_all=frozenset({_SELECTED_FLAG}))
_BACKUP = "bench_status_backup"
_FLOOR_HOW = (
    "one hand-written UPDATE (bit, version + 1, updated_at) with the selection's WHERE on a "
    "kept connection, the kind index as the planner picks it (a forced scan was no faster); "
    "custmodel's own statement is the same, so the raw column is this one"
)


def _bit(flag: int) -> int:
    return 1 << (flag - 1)


def _keep_copy(connection: sqlite3.Connection) -> None:
    """Copy status, version and update time of every selected customer aside, once."""
    selected = _bit(_SELECTED_FLAG)
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS {_BACKUP} AS SELECT number, status, version, updated_at "
        "FROM custmodel_customers WHERE merged_into IS NULL AND kind = ? AND (status & ?) = ?",
        (_KIND.value, selected, selected),
    )
    connection.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {_BACKUP}_number ON {_BACKUP} (number)")


def _versions(connection: sqlite3.Connection) -> int:
    (total,) = connection.execute("SELECT sum(version) FROM custmodel_customers").fetchone()
    return int(total)


class _Undo:
    """What a run changed, and undoing it (see the module docstring)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        _keep_copy(connection)
        self._mark = history_mark(connection)
        self._versions = _versions(connection)

    def __call__(self, changed: int) -> tuple[int, list[int], int, int]:
        """Undo the run; return its evidence: the count it returned, the customers changed,
        how many versions were counted up in the whole store, and the history entries written.
        """
        connection = self._connection
        found = connection.execute(
            f"SELECT c.number FROM custmodel_customers AS c JOIN {_BACKUP} AS b "
            "ON b.number = c.number WHERE c.version <> b.version ORDER BY c.number"
        )
        customers = [number for (number,) in found.fetchall()]
        counted = _versions(connection) - self._versions
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "UPDATE custmodel_customers SET (status, version, updated_at) = "
            f"(SELECT status, version, updated_at FROM {_BACKUP} AS b "
            "WHERE b.number = custmodel_customers.number) "
            f"WHERE number IN (SELECT number FROM {_BACKUP})"
        )
        entries = drop_history_after(connection, self._mark)
        connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return changed, customers, counted, entries


def _custmodel(book: CustomerBook, undo: _Undo) -> Contender[None]:
    return Contender(
        lambda _state: book.set_status(_SELECTION, _SET_FLAG),
        lambda: None,
        lambda _state, changed: undo(changed),
    )


def _raw(connection: sqlite3.Connection, undo: _Undo) -> Contender[None]:
    selected, flag = _bit(_SELECTED_FLAG), _bit(_SET_FLAG)

    def run(_state: None) -> int:
        connection.execute("BEGIN IMMEDIATE")
        written = connection.execute(
            raw.SET_FLAG,
            (flag, raw.sqlite_time(datetime.now(UTC)), _KIND.value, selected, selected, flag),
        )
        connection.execute("COMMIT")
        return int(written.rowcount)

    return Contender(run, lambda: None, lambda _state, changed: undo(changed))


def _agree(evidence: list[Any]) -> None:
    """Every side changed the same customers and nobody else; custmodel with its history on
    wrote one entry per customer and one for the run, the others none."""
    off, on, baseline = evidence
    (count, customers, counted, entries) = baseline
    assert customers, "nobody changed: the data set cannot show the status run"
    assert (count, counted, entries) == (len(customers), len(customers), 0)
    for side, expected_entries in ((off, 0), (on, len(customers) + 1)):
        assert side == (count, customers, counted, expected_entries), (
            "custmodel and the raw baseline changed different customers"
        )


def _status(ctx: Context) -> list[Row]:
    path: Path = large_store(ctx)
    store = SqliteFiles.store(path)
    connection = raw_sqlite(path)
    try:
        undo = _Undo(connection)
        contenders = [
            _custmodel(CustomerBook(store, history=False), undo),
            _custmodel(CustomerBook(store), undo),
            _raw(connection, undo),
        ]
        ctx.log(
            f"status flag {_SET_FLAG} set on the {_KIND.value} customers with flag "
            f"{_SELECTED_FLAG} among {ctx.sizes.customers:,}"
        )
        changed: list[int] = []

        def agree(evidence: list[Any]) -> None:
            _agree(evidence)
            changed.append(evidence[-1][0])

        times = interleave(contenders, ctx.sizes.repeat, agree)
    finally:
        store.close()
        connection.close()
    row = Row(
        f"set_status: flag {_SET_FLAG} on kind {_KIND.value} + flag {_SELECTED_FLAG} among "
        f"{ctx.sizes.customers:,} ({changed[-1]:,} changed)",
        "SQLite",
        tuple(times[0]),
        tuple(times[2]),
        # No bound of its own: the issue bounds what the history adds (see the pairs' table).
        Target(),
        operations=changed[-1],
        # custmodel's own statement is the floor: one UPDATE with the selection's WHERE.
        floor=tuple(times[2]),
        floor_how=_FLOOR_HOW,
    )
    return with_history(row, times[1])


STATUS = Benchmark("status", _status)
