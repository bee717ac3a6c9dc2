"""``find_by_code1``: exact lookups by Code1 in the large store (R3: indexed, stays fast).

Each run looks up the same random sample of existing Code1 values; custmodel calls
``CustomerBook.find_by_code1``. The floor is the fastest way to the same information: the
indexed SELECT of the customer's columns on a kept driver connection (a prepared statement on
PostgreSQL), its rows kept as tuples, no objects built. The raw driver runs custmodel's own
statement on a kept connection as the second reference. All three must find the same
customers.
"""

from __future__ import annotations

import random
from contextlib import closing
from typing import Any

from bench import raw
from bench.context import Benchmark, Context
from bench.harness import Contender, Row, Target, interleave
from bench.operations.large import Large, large_postgres, large_sqlite
from custmodel import CustomerBook
from custmodel.storage.sql import _schema as schema

__all__ = ["FIELD_COLUMNS", "LOOKUP", "rows_on"]

#: The columns that hold a customer's fields (the table's others are derived search keys):
#: what the floors read, the same information a Customer holds.
FIELD_COLUMNS = ", ".join(
    c.name
    for c in schema.customers.columns
    if c.name not in ("search_name", "search_last", "search_email")
)
_FLOOR_SQL = (
    f"SELECT {FIELD_COLUMNS} FROM custmodel_customers "
    "WHERE code1 = ? AND merged_into IS NULL ORDER BY number"
)


def sql_for(large: Large, sql: str) -> str:
    """``sql`` with the parameter markers of ``large``'s driver (psycopg: ``%s``)."""
    return sql if large.path is not None else sql.replace("?", "%s")


def _same_numbers(evidence: list[Any]) -> None:
    floor, custmodel, baseline = evidence
    assert floor == custmodel == baseline, "custmodel, the floor and the raw driver disagree"


def _codes(connection: Any, count: int) -> list[str]:
    """``count`` Code1 values of random customers (that have one), shuffled."""
    (highest,) = connection.execute("SELECT max(number) FROM custmodel_customers").fetchone()
    sample = random.Random(count).sample(range(1, highest + 1), min(count * 2, highest))
    codes: list[str] = []
    for start in range(0, len(sample), 900):
        part = ", ".join(str(n) for n in sample[start : start + 900])
        found = connection.execute(
            f"SELECT code1 FROM custmodel_customers WHERE code1 <> '' AND number IN ({part})"
        ).fetchall()
        codes += [code for (code,) in found]
    codes = sorted(codes)[:count]
    random.Random(0).shuffle(codes)
    return codes


def rows_on(ctx: Context, large: Large) -> list[Row]:
    """The lookup row on one large store."""
    count = ctx.sizes.lookups
    with closing(large.raw()) as connection:
        codes = _codes(connection, count)
    store = large.store()
    book = CustomerBook(store)
    floor_connection = large.raw()
    raw_connection = large.raw()
    floor_sql = sql_for(large, _FLOOR_SQL)
    raw_sql = sql_for(large, raw.FIND_BY_CODE1)
    prepared: dict[str, Any] = {} if large.path is not None else {"prepare": True}

    def floor_run(_state: None) -> list[list[int]]:
        execute = floor_connection.execute
        found = [execute(floor_sql, (code,), **prepared).fetchall() for code in codes]
        return [[row[0] for row in rows] for rows in found]

    def custmodel_run(_state: None) -> list[list[int]]:
        return [[c.number for c in book.find_by_code1(code)] for code in codes]

    def raw_run(_state: None) -> list[list[int]]:
        execute = raw_connection.execute
        return [[row[0] for row in execute(raw_sql, (code,)).fetchall()] for code in codes]

    ctx.log(f"{len(codes):,} lookups by Code1 among {large.customers:,} customers, {large.backend}")
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
    finally:
        store.close()
        floor_connection.close()
        raw_connection.close()
    return [
        Row(
            f"find_by_code1 among {large.customers:,} customers ({len(codes):,} lookups)",
            large.backend,
            tuple(custmodel),
            tuple(baseline),
            Target(max_ratio=1.5),
            operations=len(codes),
            floor=tuple(floor),
            floor_how="the indexed SELECT of the customer's columns on a kept driver connection"
            + (", prepared, the session's time zone UTC" if prepared else "")
            + "; rows as tuples",
        )
    ]


def _lookup(ctx: Context) -> list[Row]:
    rows = rows_on(ctx, large_sqlite(ctx))
    postgres = large_postgres(ctx)
    if postgres is None:
        return [
            *rows,
            Row(
                f"find_by_code1 among {ctx.sizes.customers:,} customers",
                "PostgreSQL",
                skipped=ctx.postgres_problem,
            ),
        ]
    return rows + rows_on(ctx, postgres)


LOOKUP = Benchmark("lookup", _lookup)
