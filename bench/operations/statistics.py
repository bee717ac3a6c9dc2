"""Statistics over the large store: customers, firm bookings, offers and revenue per group (R10).

Two evaluations: the revenue of the private customers by category over all departures (the
outer join, customers without bookings count), and all customers by travel type for the
departures of one year (the inner join, restricted to a departure period). custmodel calls
``CustomerBook.statistics`` and gets a ``Statistics`` value. Two references run on the driver:

* the floor, the fastest correct SQL found for the same numbers on the same engine, written by
  hand (:func:`floor_sql`): customers counted from the customer table alone and bookings summed
  by a plain join, on SQLite in the kind index's order (by category); the year's bookings
  grouped alone, their distinct customers counted, merged customers left out by one anti-join,
  on SQLite added up per customer and travel type first (by travel type);
* the raw driver running custmodel's own statement (:func:`custmodel_sql`).

All three must count the same numbers in every group and in the totals.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Final

from bench.context import Benchmark, Context
from bench.harness import Contender, Row, Target, interleave
from bench.operations.large import Large, large_postgres, large_sqlite
from custmodel import (
    CustomerBook,
    CustomerKind,
    DeparturePeriod,
    Selection,
    Statistics,
    StatisticsDimension,
)
from custmodel.storage.sql import SqlStore, statistics_statement
from custmodel.storage.sql._statistics import fold_statistics, statement_forms

__all__ = ["STATISTICS", "counted", "custmodel_sql", "floor_sql", "rows_on"]

#: Group values -> (customers, firm bookings, offers, revenue in cents); the totals under None.
Counted = dict[tuple[Any, ...] | None, tuple[int, int, int, int]]

#: The year of the travel-type evaluation: the last full year before the sweep's day, every
#: booking of it lies in the loaded range.
YEAR: Final = 2025

_FIRM: Final = "b.kind = 'booking'"
_OFFER: Final = "b.kind = 'offer'"
#: Firm bookings, offers and the firm bookings' revenue, named f, o and r.
_SUMS: Final = (
    f"COUNT(CASE WHEN {_FIRM} THEN 1 END) AS f, COUNT(CASE WHEN {_OFFER} THEN 1 END) AS o, "
    f"SUM(CASE WHEN {_FIRM} THEN b.revenue_cents END) AS r"
)


def _by_category_floor(kind: str, backend: str) -> str:
    """Per category: customers from the customer table, their bookings by a plain join.

    Each customer has one category, so the totals are the sums of the rows. On SQLite the
    groups follow the kind index (kind, merged_into, customer type, category): SQLite reads
    them in order instead of sorting every row, and the rows of one category (one per
    customer type) are added up like the groups.
    """
    selected = f"c.merged_into IS NULL AND c.kind = '{kind}'"
    grouped = "c.category"
    if backend == "SQLite":
        grouped = "c.kind, c.merged_into, c.customer_type, c.category"
    return (
        f"SELECT c.category, COUNT(*), 0, 0, 0 FROM custmodel_customers c WHERE {selected} "
        f"GROUP BY {grouped} UNION ALL "
        f"SELECT c.category, 0, {_SUMS} FROM custmodel_customers c "
        f"JOIN custmodel_bookings b ON b.customer = c.number WHERE {selected} GROUP BY {grouped}"
    )


def _by_travel_type_floor(first: str, last: str, backend: str) -> str:
    """Per travel type, merged customers left out by one anti-join, no join. On PostgreSQL the
    year's bookings grouped as they are, each group's distinct customers counted, the totals by
    GROUPING SETS. On SQLite, which aggregates by sorting, the year's bookings added up per
    customer and travel type first (one sort), the groups and the totals counted from those
    rows.

    Rows ``(part, travel type, customers, firm, offers, cents)``: part 1 a group, 2 the totals.
    """
    where = (
        f"WHERE b.departure >= '{first}' AND b.departure <= '{last}' AND b.customer NOT IN "
        "(SELECT number FROM custmodel_customers WHERE merged_into IS NOT NULL)"
    )
    counts = f"COUNT(DISTINCT b.customer), {_SUMS} FROM custmodel_bookings b {where}"
    if backend == "PostgreSQL":
        return (
            f"SELECT GROUPING(b.travel_type) + 1, b.travel_type, {counts} "
            "GROUP BY GROUPING SETS ((b.travel_type), ())"
        )
    per_customer = (
        f"WITH p AS (SELECT b.customer AS c, b.travel_type AS t, {_SUMS} "
        f"FROM custmodel_bookings b {where} GROUP BY b.customer, b.travel_type) "
    )
    added = "SUM(f), SUM(o), SUM(r) FROM p"
    return (
        f"{per_customer}SELECT 1, t, COUNT(*), {added} GROUP BY t "
        f"UNION ALL SELECT 2, NULL, COUNT(DISTINCT c), {added}"
    )


def floor_sql(label: str, backend: str) -> str:
    """The floor's statement of the evaluation ``label`` ("category" or "travel type")."""
    if label == "category":
        return _by_category_floor(CustomerKind.PRIVATE.value, backend)
    first, last = date(YEAR, 1, 1).isoformat(), date(YEAR, 12, 31).isoformat()
    return _by_travel_type_floor(first, last, backend)


def _floor_counted(label: str, rows: list[tuple[Any, ...]]) -> Counted:
    """The floor's rows added up into groups and totals."""
    result: Counted = {}
    totals = [0, 0, 0, 0]

    def add(key: tuple[Any, ...] | None, numbers: tuple[int, int, int, int]) -> None:
        before = result.get(key, (0, 0, 0, 0))
        result[key] = (
            before[0] + numbers[0],
            before[1] + numbers[1],
            before[2] + numbers[2],
            before[3] + numbers[3],
        )

    for row in rows:
        if label == "category":
            value, customers, firm, offers, cents = row
            part = 0
        else:
            part, value, customers, firm, offers, cents = row
        numbers = (int(customers), int(firm), int(offers), int(cents or 0))
        if int(part) != 2:
            add((value,), numbers)
        if int(part) != 1:
            for i, number in enumerate(numbers):
                totals[i] += number
    result[None] = (totals[0], totals[1], totals[2], totals[3])
    return result


def custmodel_sql(store: SqlStore, evaluation: _Evaluation) -> str:
    """custmodel's own statement of ``evaluation``, with its values inlined for the driver."""
    _, selection, dimension, period = evaluation
    forms = statement_forms(store.engine.dialect.name)
    statement = statistics_statement(selection, (dimension,), period, **forms)
    compiled = statement.compile(
        dialect=store.engine.dialect, compile_kwargs={"literal_binds": True}
    )
    return str(compiled)


def counted(report: Statistics) -> Counted:
    """The numbers of a custmodel report in the form the references' rows take."""
    result: Counted = {}
    for row in (*report.rows, report.totals):
        key = row.values if row.key else None
        cents = int(row.revenue * 100)
        result[key] = (row.customers, row.firm_bookings, row.offers, cents)
    return result


def _same_numbers(evidence: list[Any]) -> None:
    custmodel, floor, raw = evidence
    assert custmodel == floor, "custmodel and the floor counted different numbers"
    assert custmodel == raw, "custmodel and the raw driver counted different numbers"


#: (short label, selection, dimension, period)
_Evaluation = tuple[str, Selection, StatisticsDimension, DeparturePeriod]


def _evaluations() -> list[_Evaluation]:
    return [
        (
            "category",
            Selection(kind=CustomerKind.PRIVATE),
            StatisticsDimension.CATEGORY,
            DeparturePeriod(),
        ),
        ("travel type", Selection(), StatisticsDimension.TRAVEL_TYPE, DeparturePeriod.year(YEAR)),
    ]


_FLOOR_HOW: Final = {
    "category": (
        "hand-written SQL on a kept driver connection: customers counted from the customer "
        "table alone (covering kind index), bookings summed by a plain join (covering customer "
        "index), grouped in the kind index's order on SQLite, totals added up from the rows "
        "(one category per customer)"
    ),
    "travel type": (
        "hand-written SQL on a kept driver connection: the year's bookings read from the "
        "covering departure index, merged customers left out by one anti-join, no join; "
        "grouped with each group's distinct customers and the totals by GROUPING SETS "
        "(PostgreSQL), or first added up per customer and travel type, the groups and totals "
        "counted from those rows (SQLite)"
    ),
}


def _describe(label: str, large: Large, report: Statistics) -> str:
    what = (
        "private customers' revenue by category, all departures"
        if label == "category"
        else f"all customers by travel type, departures of {YEAR}"
    )
    return (
        f"statistics among {large.customers:,} customers, {large.bookings:,} bookings: {what} "
        f"({len(report.rows)} groups, {report.totals.firm_bookings:,} firm bookings)"
    )


def rows_on(ctx: Context, large: Large) -> list[Row]:
    """The two evaluations on one large store: custmodel, the floor and the raw driver."""
    rows = []
    for evaluation in _evaluations():
        label, selection, dimension, period = evaluation
        store = large.store()
        book = CustomerBook(store)
        connection = large.raw()
        try:
            floor = floor_sql(label, large.backend)
            own = custmodel_sql(store, evaluation)

            def custmodel_run(
                _state: None,
                book: CustomerBook = book,
                selection: Selection = selection,
                dimension: StatisticsDimension = dimension,
                period: DeparturePeriod = period,
            ) -> Statistics:
                return book.statistics(selection, dimension, period)

            def run_sql(sql: str, connection: Any = connection) -> Callable[[None], Any]:
                def run(_state: None) -> list[tuple[Any, ...]]:
                    return list(connection.execute(sql).fetchall())

                return run

            def floor_counted(_s: None, found: Any, label: str = label) -> Counted:
                return _floor_counted(label, found)

            def raw_counted(
                _s: None,
                found: Any,
                dimension: StatisticsDimension = dimension,
                period: DeparturePeriod = period,
            ) -> Counted:
                return counted(fold_statistics(found, (dimension,), period))

            ctx.log(f"statistics on {large.backend}: by {label}")
            times = interleave(
                [
                    Contender(custmodel_run, lambda: None, lambda _s, report: counted(report)),
                    Contender(run_sql(floor), lambda: None, floor_counted),
                    Contender(run_sql(own), lambda: None, raw_counted),
                ],
                ctx.sizes.repeat,
                _same_numbers,
            )
            report = book.statistics(selection, dimension, period)
        finally:
            store.close()
            connection.close()
        rows.append(
            Row(
                _describe(label, large, report),
                large.backend,
                tuple(times[0]),
                tuple(times[2]),
                Target(max_ratio=1.2),
                floor=tuple(times[1]),
                floor_how=_FLOOR_HOW[label],
            )
        )
    return rows


def _statistics(ctx: Context) -> list[Row]:
    rows = rows_on(ctx, large_sqlite(ctx))
    postgres = large_postgres(ctx)
    if postgres is None:
        operation = f"statistics among {ctx.sizes.customers:,} customers"
        return [*rows, Row(operation, "PostgreSQL", skipped=ctx.postgres_problem)]
    return [*rows, *rows_on(ctx, postgres)]


STATISTICS = Benchmark("statistics", _statistics)
