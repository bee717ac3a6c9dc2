"""Statistics are set-based: the SQL statements sent do not grow with the customers counted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from custmodel import (
    CustomerBook,
    CustomerKind,
    DeparturePeriod,
    Selection,
    Settings,
    StatisticsDimension,
)
from custmodel.model import Booking, BookingKind, StatusFlags
from custmodel.storage import _sqlschema as schema
from custmodel.storage.sql import SqlStore, booking_to_row
from tests.sql.helpers import customer, query_plan, reads_settings, statements_sent

#: Every dimension at once: the flag masks, the outer join and the year expression.
EVERY_DIMENSION = tuple(StatisticsDimension)


def _populate(store: SqlStore, count: int, tag: str) -> None:
    """Store ``count`` customers of category ``tag`` with flags and two bookings each."""
    with store.transaction() as tx:
        first = tx.allocate_numbers(count)
        numbers = range(first, first + count)
        tx.insert_customers(
            [
                customer(n, category=tag, code1=f"K-{n % 7}", status=StatusFlags(n % 8))
                for n in numbers
            ]
        )
    rows = [
        booking_to_row(
            Booking(
                reference=f"{tag}-{n:06d}-{i}",
                customer=n,
                kind=BookingKind.BOOKING if i else BookingKind.OFFER,
                departure=date(2024, 1, 1) + timedelta(days=n % 366),
                point_of_sale="AG1",
                revenue=Decimal("100.00") if n % 3 else None,
                travel_type=("Flug", "Kreuzfahrt", None)[n % 3],
                destination=("Kreta", None)[n % 2],
            )
        )
        for n in numbers
        for i in range(2)
    ]
    with store.engine.begin() as connection:
        connection.execute(sa.insert(schema.bookings), rows)


def _statements_of_statistics(
    store: SqlStore, selection: Selection, group_by: tuple[StatisticsDimension, ...]
) -> tuple[int, list[str]]:
    """Count statistics through CustomerBook; return the customers counted and every
    statement sent but a read of the settings (see ``reads_settings``), without parameters,
    which name the selection."""
    book = CustomerBook(store)
    with statements_sent(store) as sent:
        stats = book.statistics(selection, group_by, DeparturePeriod.year(2024))
    return stats.totals.customers, [s for s, _ in sent if not reads_settings(s)]


@pytest.fixture
def store(sql_url: str) -> Iterator[SqlStore]:
    """A configured store on an SQLite file, on PostgreSQL and on MariaDB."""
    store = SqlStore.from_url(sql_url)
    CustomerBook(store, Settings())
    yield store
    store.close()


@pytest.mark.parametrize(
    "group_by",
    [EVERY_DIMENSION, (StatisticsDimension.STATUS_FLAG,), (StatisticsDimension.CATEGORY,)],
    ids=["every-dimension", "status-flag", "category"],
)
def test_statistics_send_as_many_statements_for_1000_customers_as_for_10(
    store: SqlStore, group_by: tuple[StatisticsDimension, ...]
) -> None:
    """Statistics of 1,000 customers send exactly the statements that 10 customers need."""
    _populate(store, 10, "few")
    _populate(store, 1000, "many")

    few_count, few = _statements_of_statistics(store, Selection(category="few"), group_by)
    many_count, many = _statements_of_statistics(store, Selection(category="many"), group_by)

    assert (10, 1000) == (few_count, many_count)
    assert few == many


def test_statistics_are_counted_by_one_statement(store: SqlStore) -> None:
    """Besides reading the settings, the statistics take one SELECT of the customers."""
    _populate(store, 10, "few")

    _, sent = _statements_of_statistics(store, Selection(), EVERY_DIMENSION)

    counting = [s for s in sent if "custmodel_customers" in s]
    assert 1 == len(counting)
    assert "GROUP BY" in counting[0]


def test_statistics_of_a_month_by_destination_read_the_departure_index(store: SqlStore) -> None:
    """By destination over one month of 3,000 customers' bookings, the plan of the statement
    sent reads the bookings through the departure index (migration 0003)."""
    _populate(store, 3000, "many")
    book = CustomerBook(store)
    month = DeparturePeriod(date(2024, 3, 1), date(2024, 3, 31))
    with statements_sent(store) as sent:
        book.statistics(group_by=StatisticsDimension.DESTINATION, period=month)
    [(statement, parameters)] = [(s, p) for s, p in sent if "GROUP BY" in s]

    plan = query_plan(store, statement, parameters, ["custmodel_bookings", "custmodel_customers"])

    assert "ix_custmodel_bookings_departure" in plan, plan


@pytest.mark.parametrize(
    ("selection", "group_by"),
    [
        (Selection(), EVERY_DIMENSION),
        (Selection(), (StatisticsDimension.CATEGORY,)),
        (Selection(category="few"), (StatisticsDimension.TRAVEL_TYPE,)),
    ],
    ids=["every-dimension", "category", "travel-type-of-some"],
)
def test_statistics_count_no_distinct_customers_over_the_join_and_join_once(
    store: SqlStore, selection: Selection, group_by: tuple[StatisticsDimension, ...]
) -> None:
    """The statement counts no DISTINCT customers and joins the bookings at most once: no
    totals repeating the join, no table of flags joined to every customer."""
    _populate(store, 10, "few")

    _, sent = _statements_of_statistics(store, selection, group_by)

    [counting] = [s for s in sent if "custmodel_customers" in s]
    assert "DISTINCT" not in counting.upper()
    # The table read, not a column named (EXTRACT(year FROM custmodel_bookings.departure)).
    assert 1 == len(re.findall(r"(?:FROM|JOIN) custmodel_bookings(?!\.)", counting)), counting


def test_statistics_of_every_customer_by_travel_type_join_no_customer(store: SqlStore) -> None:
    """By travel type over every active customer, the statement reads the bookings alone and
    leaves the merged customers out by one anti-join: no customer row joined to a booking."""
    _populate(store, 10, "few")

    _, sent = _statements_of_statistics(store, Selection(), (StatisticsDimension.TRAVEL_TYPE,))

    [counting] = [s for s in sent if "custmodel_customers" in s]
    assert "JOIN" not in counting.upper(), counting
    assert "NOT IN" in counting.upper(), counting


def _statistics_plan(store: SqlStore, selection: Selection, **kwargs: object) -> str:
    """Count statistics through CustomerBook and return SQLite's plan of the statement sent."""
    book = CustomerBook(store)
    with statements_sent(store) as sent:
        book.statistics(selection, **kwargs)  # type: ignore[arg-type]
    [(statement, parameters)] = [(s, p) for s, p in sent if "GROUP BY" in s]
    return query_plan(store, statement, parameters, ["custmodel_bookings", "custmodel_customers"])


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[SqlStore]:
    """A configured store on an SQLite file, whose query plans the tests below read."""
    store = SqlStore.from_url(sqlite_url)
    CustomerBook(store, Settings())
    yield store
    store.close()


def test_statistics_by_category_read_covering_indexes_only(sqlite_store: SqlStore) -> None:
    """By category of one kind, SQLite counts the customers and their bookings from the
    widened kind and customer indexes (migration 0011) without reading a row."""
    _populate(sqlite_store, 3000, "many")

    plan = _statistics_plan(
        sqlite_store, Selection(kind=CustomerKind.PRIVATE), group_by=StatisticsDimension.CATEGORY
    )

    assert "COVERING INDEX ix_custmodel_customers_kind" in plan, plan
    assert "COVERING INDEX ix_custmodel_bookings_customer" in plan, plan
    assert "SCAN custmodel" not in plan, plan


def test_statistics_of_a_year_by_travel_type_read_the_departure_index_alone(
    sqlite_store: SqlStore,
) -> None:
    """By travel type over one year of every customer, SQLite reads the year's bookings from
    the widened departure index (migration 0011) and no booking row."""
    _populate(sqlite_store, 3000, "many")

    plan = _statistics_plan(
        sqlite_store,
        Selection(),
        group_by=StatisticsDimension.TRAVEL_TYPE,
        period=DeparturePeriod.year(2024),
    )

    assert "COVERING INDEX ix_custmodel_bookings_departure" in plan, plan


@pytest.mark.parametrize(
    ("selection", "group_by", "period", "in_plan"),
    [
        (
            Selection(kind=CustomerKind.PRIVATE),
            StatisticsDimension.CATEGORY,
            DeparturePeriod(),
            {"COVERING INDEX ix_custmodel_customers_kind": 2, "TEMP B-TREE": 0},
        ),
        (
            Selection(kind=CustomerKind.PRIVATE),
            StatisticsDimension.STATUS_FLAG,
            DeparturePeriod(),
            {"COVERING INDEX ix_custmodel_customers_kind": 2, "TEMP B-TREE": 0},
        ),
        (
            Selection(),
            StatisticsDimension.TRAVEL_TYPE,
            DeparturePeriod.year(2024),
            {"ix_custmodel_bookings_departure": 1, "MATERIALIZE": 1},
        ),
        (
            Selection(),
            StatisticsDimension.DEPARTURE_YEAR,
            DeparturePeriod.year(2024),
            {"ix_custmodel_bookings_departure": 1, "MATERIALIZE": 1},
        ),
    ],
    ids=["category-of-a-kind", "status-flag-of-a-kind", "travel-type", "departure-year"],
)
def test_statistics_on_sqlite_sort_no_more_rows_than_they_must(
    sqlite_store: SqlStore,
    selection: Selection,
    group_by: StatisticsDimension,
    period: DeparturePeriod,
    in_plan: dict[str, int],
) -> None:
    """SQLite adds up by sorting unless the rows arrive in group order.

    By a customer's field of one kind, it reads the groups of customers and of their bookings
    one after the other from the kind index and sorts no row (grouped by the field alone it
    sorted every booking, and its time grew faster than the bookings). By a booking's field
    over every active customer, it reads the period's bookings once, adds them up per customer
    and group, and counts groups and totals from those rows (the groups and the totals each
    read and sorted the bookings before)."""
    _populate(sqlite_store, 3000, "many")

    plan = _statistics_plan(sqlite_store, selection, group_by=group_by, period=period)

    assert in_plan == {text: plan.count(text) for text in in_plan}, plan
