"""Selections by kind and status flag in the large store (R2, R10).

Two selections: a narrow one (corporate customers with flag 2, about 0.6 % of the store) and a
broad one (private customers with flag 1, about 7 %). custmodel calls ``CustomerBook.select``
and gets ``Customer`` objects. The floor runs the same WHERE clause on a kept driver
connection, selecting the customer's columns, and keeps the rows as tuples (the same
information, no objects built: the fastest way to it); the raw driver runs custmodel's own
statement as the second reference. All three must select the same customers.
"""

from __future__ import annotations

from typing import Any

from bench import raw
from bench.context import Benchmark, Context
from bench.harness import Contender, Row, Target, interleave
from bench.operations.large import Large, large_postgres, large_sqlite
from bench.operations.lookup import FIELD_COLUMNS, sql_for
from custmodel import CustomerBook, CustomerKind, Selection

__all__ = ["SELECTION", "rows_on"]

#: (label, kind, flag)
_SELECTIONS = (
    ("narrow", CustomerKind.CORPORATE, 2),
    ("broad", CustomerKind.PRIVATE, 1),
)
_FLOOR_SQL = (
    f"SELECT {FIELD_COLUMNS} FROM custmodel_customers WHERE merged_into IS NULL "
    "AND kind = ? AND (status & ?) = ? ORDER BY number"
)


def _same_numbers(evidence: list[Any]) -> None:
    floor, custmodel, baseline = evidence
    assert floor == custmodel == baseline, "custmodel, the floor and the raw driver disagree"


def rows_on(ctx: Context, large: Large) -> list[Row]:
    """The narrow and the broad selection rows on one large store."""
    rows = []
    for label, kind, flag in _SELECTIONS:
        bit = 1 << (flag - 1)
        selection = Selection(kind=kind, status_all=frozenset({flag}))
        parameters = (kind.value, bit, bit)
        store = large.store()
        book = CustomerBook(store)
        floor_connection = large.raw()
        raw_connection = large.raw()
        floor_sql = sql_for(large, _FLOOR_SQL)
        raw_sql = sql_for(large, raw.SELECT_BY_KIND_AND_FLAGS)

        def floor_run(
            _state: None,
            connection: Any = floor_connection,
            sql: str = floor_sql,
            parameters: tuple[Any, ...] = parameters,
        ) -> list[int]:
            found = connection.execute(sql, parameters).fetchall()
            return [row[0] for row in found]

        def custmodel_run(
            _state: None, book: CustomerBook = book, selection: Selection = selection
        ) -> list[int]:
            return [c.number for c in book.select(selection)]

        def raw_run(
            _state: None,
            connection: Any = raw_connection,
            sql: str = raw_sql,
            parameters: tuple[Any, ...] = parameters,
        ) -> list[int]:
            found = connection.execute(sql, parameters).fetchall()
            return [row[0] for row in found]

        ctx.log(f"selection of {kind.value} customers with flag {flag}, {large.backend}")
        try:
            floor, custmodel, baseline = interleave(
                [
                    Contender(floor_run, lambda: None),
                    Contender(custmodel_run, lambda: None),
                    Contender(raw_run, lambda: None),
                ],
                ctx.sizes.repeat,
                _same_numbers,
            )
            selected = book.count(selection)
        finally:
            store.close()
            floor_connection.close()
            raw_connection.close()
        rows.append(
            Row(
                f"select kind {kind.value} + flag {flag} among {large.customers:,} "
                f"({label}: {selected:,} selected)",
                large.backend,
                tuple(custmodel),
                tuple(baseline),
                Target(max_ratio=1.5),
                floor=tuple(floor),
                floor_how="the same WHERE on a kept driver connection, the customer's columns "
                "fetched all at once, rows as tuples"
                + ("" if large.path is not None else "; the session's time zone UTC"),
            )
        )
    return rows


def _selection(ctx: Context) -> list[Row]:
    rows = rows_on(ctx, large_sqlite(ctx))
    postgres = large_postgres(ctx)
    if postgres is None:
        return [
            *rows,
            Row(
                f"select kind + flag among {ctx.sizes.customers:,}",
                "PostgreSQL",
                skipped=ctx.postgres_problem,
            ),
        ]
    return rows + rows_on(ctx, postgres)


SELECTION = Benchmark("selection", _selection)
