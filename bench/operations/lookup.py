"""``find_by_code1``: exact lookups by Code1 in the large store (R3: indexed, stays fast).

Each run looks up the same random sample of existing Code1 values; custmodel calls
``CustomerBook.find_by_code1`` (one read transaction each), the baseline runs the indexed
SELECT on the driver. Both must find the same customers.
"""

from __future__ import annotations

import random
from contextlib import closing
from typing import Any

from bench import raw
from bench.context import Benchmark, Context
from bench.harness import Contender, Row, Target, interleave
from bench.operations.large import large_store
from bench.stores import SqliteFiles, raw_sqlite
from custmodel import CustomerBook

__all__ = ["LOOKUP"]


def _same_numbers(evidence: list[Any]) -> None:
    custmodel, baseline = evidence
    assert custmodel == baseline, "custmodel and the raw baseline found different customers"


def _lookup(ctx: Context) -> list[Row]:
    path = large_store(ctx)
    count = ctx.sizes.lookups
    with closing(raw_sqlite(path)) as connection:
        (highest,) = connection.execute("SELECT max(number) FROM custmodel_customers").fetchone()
        sample = random.Random(count).sample(range(1, highest + 1), min(count * 2, highest))
        codes = [
            code
            for (code,) in connection.execute(
                "SELECT code1 FROM custmodel_customers WHERE code1 <> '' AND number IN "
                f"(SELECT value FROM json_each(?)) LIMIT {count}",
                (str(sample),),
            )
        ]
    random.Random(0).shuffle(codes)
    store = SqliteFiles.store(path)
    book = CustomerBook(store)
    connection = raw_sqlite(path)

    def custmodel_run(_state: None) -> list[list[int]]:
        return [[c.number for c in book.find_by_code1(code)] for code in codes]

    def raw_run(_state: None) -> list[list[int]]:
        execute = connection.execute
        return [[row[0] for row in execute(raw.FIND_BY_CODE1, (code,))] for code in codes]

    ctx.log(f"{len(codes):,} lookups by Code1 among {ctx.sizes.customers:,} customers")
    try:
        times = interleave(
            [Contender(custmodel_run, lambda: None), Contender(raw_run, lambda: None)],
            ctx.sizes.repeat,
            _same_numbers,
        )
    finally:
        store.close()
        connection.close()
    return [
        Row(
            f"find_by_code1 among {ctx.sizes.customers:,} customers ({len(codes):,} lookups)",
            "SQLite",
            tuple(times[0]),
            tuple(times[1]),
            Target(max_ratio=2),
            operations=len(codes),
        )
    ]


LOOKUP = Benchmark("lookup", _lookup)
