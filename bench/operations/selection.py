"""Selections by kind and status flag in the large store (R2, R10).

Two selections: a narrow one (corporate customers with flag 2, about 0.6 % of the store) and a
broad one (private customers with flag 1, about 7 %). custmodel calls ``CustomerBook.select``
and gets ``Customer`` objects; the baseline runs the same WHERE clause on the driver and gets
tuples. Both must select the same customers.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from bench import raw
from bench.context import Benchmark, Context
from bench.harness import Contender, Row, Target, interleave
from bench.operations.large import large_store
from bench.stores import SqliteFiles, raw_sqlite
from custmodel import CustomerBook, CustomerKind, Selection

__all__ = ["SELECTION"]

#: (label, kind, flag)
_SELECTIONS = (
    ("narrow", CustomerKind.CORPORATE, 2),
    ("broad", CustomerKind.PRIVATE, 1),
)


def _same_numbers(evidence: list[Any]) -> None:
    custmodel, baseline = evidence
    assert custmodel == baseline, "custmodel and the raw baseline selected different customers"


def _selection(ctx: Context) -> list[Row]:
    path = large_store(ctx)
    rows = []
    for label, kind, flag in _SELECTIONS:
        bit = 1 << (flag - 1)
        selection = Selection(kind=kind, status_all=frozenset({flag}))
        store = SqliteFiles.store(path)
        book = CustomerBook(store)

        def custmodel_run(
            _state: None, book: CustomerBook = book, selection: Selection = selection
        ) -> list[int]:
            return [c.number for c in book.select(selection)]

        connection = raw_sqlite(path)

        def raw_run(
            _state: None,
            kind: CustomerKind = kind,
            bit: int = bit,
            connection: sqlite3.Connection = connection,
        ) -> list[int]:
            found = connection.execute(raw.SELECT_BY_KIND_AND_FLAGS, (kind.value, bit, bit))
            return [row[0] for row in found.fetchall()]

        ctx.log(f"selection of {kind.value} customers with flag {flag}")
        try:
            times = interleave(
                [Contender(custmodel_run, lambda: None), Contender(raw_run, lambda: None)],
                ctx.sizes.repeat,
                _same_numbers,
            )
            selected = book.count(selection)
        finally:
            store.close()
            connection.close()
        rows.append(
            Row(
                f"select kind {kind.value} + flag {flag} among {ctx.sizes.customers:,} "
                f"({label}: {selected:,} selected)",
                "SQLite",
                tuple(times[0]),
                tuple(times[1]),
                Target(max_ratio=2),
            )
        )
    return rows


SELECTION = Benchmark("selection", _selection)
