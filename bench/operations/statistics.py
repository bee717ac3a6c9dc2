"""Statistics over the large store: customers, firm bookings, offers and revenue per group (R10).

Two evaluations: the revenue of the private customers by category over all departures (the
outer join, customers without bookings count), and all customers by travel type for the
departures of one year (the inner join, restricted to a departure period). custmodel calls
``CustomerBook.statistics`` and gets a ``Statistics`` value; the baseline runs the same GROUP BY
on the driver, with the same join, period, exclusion of merged customers and split into firm
bookings and offers, and a UNION ALL for the totals that custmodel reports as well. Both must
count the same numbers in every group and in the totals.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any, Final

from bench.context import Benchmark, Context
from bench.harness import Contender, Row, Target, interleave
from bench.operations.large import large_store
from bench.stores import SqliteFiles, raw_sqlite
from custmodel import (
    CustomerBook,
    CustomerKind,
    DeparturePeriod,
    Selection,
    Statistics,
    StatisticsDimension,
)

__all__ = ["STATISTICS", "by_category_sql", "by_travel_type_sql", "counted"]

#: Group values -> (customers, firm bookings, offers, revenue in cents); the totals under None.
Counted = dict[tuple[Any, ...] | None, tuple[int, int, int, int]]

_COUNTS: Final = (
    "COUNT(DISTINCT c.number), "
    "COUNT(CASE WHEN b.kind = 'booking' THEN b.reference END), "
    "COUNT(CASE WHEN b.kind = 'offer' THEN b.reference END), "
    "COALESCE(SUM(CASE WHEN b.kind = 'booking' THEN b.revenue_cents END), 0)"
)


def by_category_sql() -> str:
    """Per category and in total: the customers of one kind (``?``) and all their bookings.

    An outer join, so that customers without bookings count; merged customers never do.
    """
    joined = (
        "FROM custmodel_customers AS c "
        "LEFT JOIN custmodel_bookings AS b ON b.customer = c.number "
        "WHERE c.merged_into IS NULL AND c.kind = ?"
    )
    return (
        f"SELECT 0, c.category, {_COUNTS} {joined} GROUP BY c.category "
        f"UNION ALL SELECT 1, NULL, {_COUNTS} {joined}"
    )


def by_travel_type_sql() -> str:
    """Per travel type and in total: every customer's bookings departing from ``?`` to ``?``.

    An inner join: a customer counts in the groups of its bookings in the period.
    """
    joined = (
        "FROM custmodel_customers AS c "
        "JOIN custmodel_bookings AS b ON b.customer = c.number "
        "AND b.departure >= ? AND b.departure <= ? "
        "WHERE c.merged_into IS NULL"
    )
    return (
        f"SELECT 0, b.travel_type, {_COUNTS} {joined} GROUP BY b.travel_type "
        f"UNION ALL SELECT 1, NULL, {_COUNTS} {joined}"
    )


def counted(report: Statistics) -> Counted:
    """The numbers of a custmodel report in the form the baseline's rows take."""
    result: Counted = {}
    for row in (*report.rows, report.totals):
        key = row.values if row.key else None
        cents = int(row.revenue * 100)
        result[key] = (row.customers, row.firm_bookings, row.offers, cents)
    return result


def _raw_counted(rows: list[tuple[Any, ...]]) -> Counted:
    """The baseline's rows ``(is_total, value, customers, firm, offers, cents)`` as counted."""
    return {
        None if is_total else (value,): (customers, firm, offers, int(cents))
        for is_total, value, customers, firm, offers, cents in rows
    }


def _same_numbers(evidence: list[Any]) -> None:
    custmodel, baseline = evidence
    assert custmodel == baseline, "custmodel and the raw baseline counted different numbers"


#: (label, selection, dimension, period, baseline SQL, its parameters)
_Evaluation = tuple[str, Selection, StatisticsDimension, DeparturePeriod, str, tuple[Any, ...]]


def _evaluations(year: int) -> list[_Evaluation]:
    """The two measured evaluations, each with the baseline that counts the same."""
    period = DeparturePeriod.year(year)
    first, last = date(year, 1, 1).isoformat(), date(year, 12, 31).isoformat()
    return [
        (
            "private customers' revenue by category, all departures",
            Selection(kind=CustomerKind.PRIVATE),
            StatisticsDimension.CATEGORY,
            DeparturePeriod(),
            by_category_sql(),
            (CustomerKind.PRIVATE.value,) * 2,
        ),
        (
            f"all customers by travel type, departures of {year}",
            Selection(),
            StatisticsDimension.TRAVEL_TYPE,
            period,
            by_travel_type_sql(),
            (first, last) * 2,
        ),
    ]


def _statistics(ctx: Context) -> list[Row]:
    path = large_store(ctx)
    # The last full year before the sweep's day: every booking of it lies in the loaded range.
    year = 2025
    rows = []
    for label, selection, dimension, period, sql, parameters in _evaluations(year):
        store = SqliteFiles.store(path)
        book = CustomerBook(store)

        def custmodel_run(
            _state: None,
            book: CustomerBook = book,
            selection: Selection = selection,
            dimension: StatisticsDimension = dimension,
            period: DeparturePeriod = period,
        ) -> Statistics:
            return book.statistics(selection, dimension, period)

        connection = raw_sqlite(path)

        def raw_run(
            _state: None,
            connection: sqlite3.Connection = connection,
            sql: str = sql,
            parameters: tuple[Any, ...] = parameters,
        ) -> list[tuple[Any, ...]]:
            return connection.execute(sql, parameters).fetchall()

        ctx.log(f"statistics: {label}")
        try:
            times = interleave(
                [
                    Contender(custmodel_run, lambda: None, lambda _s, report: counted(report)),
                    Contender(raw_run, lambda: None, lambda _s, found: _raw_counted(found)),
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
                f"statistics among {ctx.sizes.customers:,} customers, "
                f"{ctx.sizes.customers * ctx.sizes.bookings_per_customer:,} bookings: {label} "
                f"({len(report.rows)} groups, {report.totals.firm_bookings:,} firm bookings)",
                "SQLite",
                tuple(times[0]),
                tuple(times[1]),
                Target(max_ratio=1.5),
            )
        )
    return rows


STATISTICS = Benchmark("statistics", _statistics)
