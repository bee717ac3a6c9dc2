"""Statistics (R10) in SQL: the statement that counts, and the fold of its rows into groups.

The statement never counts distinct customers over the join of customers and bookings, and
never repeats that join for the totals. Instead each of its rows is a part of exactly one
group, and no customer or booking sits in two of its rows' parts of the same kind:

* Status flags are grouped by the customer's whole status value, not joined to a table of
  flags. A customer has one status value, so it sits in one row; :func:`fold_statistics` adds
  the row to the group of each flag the value carries (None for no flag).
* Grouped by customer-level dimensions only, customers are counted from the customer table
  alone, and bookings by a plain join of the selected customers to their bookings in the
  period; the two parts of a group meet in :func:`fold_statistics`.
* With a booking-level dimension, the bookings in the period are first added up per customer
  and value of the booking-level dimensions; each such row is one customer in one group, so
  a group's customers are a COUNT(*). The customer's first such row (ROW_NUMBER over the
  customer) carries the customer into the totals, once however many groups it is in.
* Grouped by booking-level dimensions alone over every active customer, no customer row is
  read: the bookings are grouped as they are, and the totals are a row of their own that
  counts each customer once (GROUPING SETS on PostgreSQL, a second SELECT of the bookings on
  MariaDB; neither joins). SQLite, which adds up by sorting, first adds the bookings up per
  customer and group, and counts groups and totals from those rows.
* On SQLite, customer-level groups of one kind are grouped by the leading columns of the
  customers' statistics index, in parts that follow the index's order.

Apart from that last case, the totals are therefore the sums of the rows' parts: every
customer and booking counted once, also where the groups overlap (several flags, bookings of
several travel types).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any, Final, TypedDict

import attrs
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    case,
    distinct,
    extract,
    func,
    literal_column,
    null,
    select,
    tuple_,
    union_all,
)

from custmodel.model._flags import StatusFlags
from custmodel.model._kinds import BookingKind
from custmodel.model._selection import Selection
from custmodel.model._statistics import (
    DeparturePeriod,
    Statistics,
    StatisticsDimension,
    StatisticsKey,
    StatisticsRow,
    StatisticsValue,
)
from custmodel.storage.sql import _schema as schema
from custmodel.storage.sql._queries import selection_clause
from custmodel.storage.sql._rows import _euros

__all__ = ["StatementForms", "fold_statistics", "statement_forms", "statistics_statement"]

_c = schema.customers.c
_b = schema.bookings.c

#: The lower 32 bits of a number of cents; see :func:`statistics_statement`.
_LOW_BITS: Final = 2**32 - 1

#: The customer-level dimensions, each read from one customer column. STATUS_FLAG reads the
#: whole status value, which :func:`fold_statistics` splits into flags.
_CUSTOMER_COLUMNS: Final[dict[StatisticsDimension, ColumnElement[Any]]] = {
    StatisticsDimension.KIND: _c.kind,
    StatisticsDimension.CUSTOMER_TYPE: _c.customer_type,
    StatisticsDimension.CATEGORY: _c.category,
    StatisticsDimension.STATUS_FLAG: _c.status,
    StatisticsDimension.CODE1: _c.code1,
    StatisticsDimension.CODE2: _c.code2,
}
_CUSTOMER_COLUMN_NAMES: Final = {d: column.name for d, column in _CUSTOMER_COLUMNS.items()}


def _index_order(dimensions: Sequence[StatisticsDimension]) -> list[ColumnElement[Any]]:
    """What to group the customer-level ``dimensions`` by so that SQLite reads the groups in
    the order of the statistics index on customers (``STATISTICS_CUSTOMER_COLUMNS``).

    That index begins with kind, merged_into, customer type, category and status. Grouped by
    its columns up to the last of the dimensions' columns, the groups come out of the index
    scan one after the other, and SQLite aggregates them as they come; grouped by the
    dimensions' columns alone (category, say), it first sorts every row, customer or booking,
    by its group. The extra columns only split a group into parts: merged_into is NULL for
    every customer counted, and each customer has one kind, one type and one category, so
    :func:`fold_statistics` adds the parts up again.
    With a dimension the index does not hold (Code1, Code2) the dimensions' own columns are
    returned.
    """
    index = schema.STATISTICS_CUSTOMER_COLUMNS
    names = [_CUSTOMER_COLUMN_NAMES[d] for d in dimensions]
    if any(name not in index for name in names):
        return [_CUSTOMER_COLUMNS[d] for d in dimensions]
    return [_c[name] for name in index[: max(map(index.index, names)) + 1]]


def _booking_key(dimension: StatisticsDimension) -> ColumnElement[Any]:
    """The expression a booking-level dimension groups by."""
    if dimension is StatisticsDimension.TRAVEL_TYPE:
        return _b.travel_type
    if dimension is StatisticsDimension.DESTINATION:
        return _b.destination
    # SQLite has no EXTRACT; SQLAlchemy renders CAST(STRFTIME('%Y', ...) AS INTEGER) there.
    return extract("year", _b.departure)


def _in_period(period: DeparturePeriod) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if period.start is not None:
        found.append(_b.departure >= period.start)
    if period.end is not None:
        found.append(_b.departure <= period.end)
    return found


def _booking_sums(*, split_revenue: bool) -> list[ColumnElement[Any]]:
    """Firm bookings, offers, and the revenue of the firm ones as (upper, lower) halves.

    Without ``split_revenue`` upper is 0 and lower the plain SUM, which PostgreSQL and MariaDB
    compute as an exact NUMERIC/DECIMAL of any size. SQLite's SUM of integers fails beyond 64
    bits; after it failed, ``split_revenue`` sums the upper and the lower 32 bits of each
    booking's cents apart, each sum below 2**63 for fewer than 2**31 bookings.
    """
    firm = _b.kind == BookingKind.BOOKING.value
    offer = _b.kind == BookingKind.OFFER.value
    counts = [
        func.count(case((firm, literal_column("1")))).label("firm"),
        func.count(case((offer, literal_column("1")))).label("offers"),
    ]
    if split_revenue:
        upper = _b.revenue_cents.op(">>", return_type=BigInteger)(literal_column("32"))
        lower = _b.revenue_cents.op("&", return_type=BigInteger)(literal_column(str(_LOW_BITS)))
        return [
            *counts,
            func.sum(case((firm, upper))).label("upper"),
            func.sum(case((firm, lower))).label("lower"),
        ]
    return [
        *counts,
        literal_column("0").label("upper"),
        func.sum(case((firm, _b.revenue_cents))).label("lower"),
    ]


def _zero() -> ColumnElement[Any]:
    """A new literal 0 (SQLAlchemy lists one column object only once in a SELECT)."""
    return literal_column("0")


def _only_active(selection: Selection) -> bool:
    """Whether ``selection`` selects every active customer and nobody else."""
    return attrs.evolve(selection, include_merged=False) == Selection()


class StatementForms(TypedDict):
    """The engine-specific forms :func:`statistics_statement` takes (its keyword arguments)."""

    grouping_sets: bool
    sorts: bool


def statement_forms(engine: str) -> StatementForms:
    """The forms of :func:`statistics_statement` for the dialect named ``engine``:
    GROUPING SETS on PostgreSQL, the forms that spare sorts on SQLite."""
    return {"grouping_sets": engine == "postgresql", "sorts": engine == "sqlite"}


def statistics_statement(
    selection: Selection,
    group_by: Sequence[StatisticsDimension],
    period: DeparturePeriod,
    *,
    split_revenue: bool = False,
    grouping_sets: bool = False,
    sorts: bool = False,
) -> Select[Any] | CompoundSelect[Any]:
    """Return the one statement that counts the statistics of ``selection`` per group.

    Its rows are ``(part, *values, customers, firsts, firm, offers, upper, lower)``: a part of
    the group of ``values`` (one value per dimension of ``group_by``, the whole status value
    for STATUS_FLAG) that holds ``customers`` customers, of which ``firsts`` count in the
    totals, and their firm bookings, offers and revenue in the period. The revenue is
    ``upper * 2**32 + lower`` cents (see :func:`_booking_sums`). ``part`` says where a row
    counts: 0 in its group and in the totals, 1 in its group only, 2 in the totals only.
    :func:`fold_statistics` adds the parts up; the module's docstring says why every customer
    and booking counts once in the totals.

    Grouped by booking-level dimensions alone over every active customer, no customer row is
    needed: the bookings in the period are grouped as they are, the few merged customers left
    out by one anti-join, and the totals are a row of their own (part 2), made by GROUPING
    SETS where ``grouping_sets`` says the engine has them (PostgreSQL), else by a second
    SELECT of the same bookings, which joins nothing.

    ``sorts`` says the engine aggregates by sorting its rows unless they come in group order
    (SQLite, which has no hash aggregation): the cost of such a sort grows faster than the
    rows. Then the customer-level groups of one kind's customers are grouped in the order of
    the statistics index, in parts that :func:`fold_statistics` adds up (see
    :func:`_index_order`), and booking-level groups over every active customer are first
    added up per customer and group (see :func:`_bookings_alone`).

    Merged customers never count; customers without bookings count when every dimension is
    the customer's own. Ordering is left to :class:`~custmodel.model.Statistics` (collations
    and NULL order differ).
    """
    where = selection_clause(attrs.evolve(selection, include_merged=False))
    own = [_CUSTOMER_COLUMNS[d] for d in group_by if not d.per_booking]
    sums = _booking_sums(split_revenue=split_revenue)
    if not any(d.per_booking for d in group_by):
        # Only a search of one kind reads the index in its order; a scan of every kind
        # sorts either way, and longer keys only cost more.
        in_order = sorts and selection.kind is not None
        grouped = _index_order(group_by) if in_order else own
        customers = (
            select(_zero(), *own, func.count(), func.count(), *(_zero() for _ in range(4)))
            .select_from(schema.customers)
            .where(where)
            .group_by(*grouped)
        )
        joined = schema.customers.join(
            schema.bookings, and_(_b.customer == _c.number, *_in_period(period))
        )
        bookings = select(_zero(), *own, _zero(), _zero(), *sums).select_from(joined)
        return union_all(customers, bookings.where(where).group_by(*grouped))
    if not own and _only_active(selection):
        return _bookings_alone(group_by, period, sums, grouping_sets=grouping_sets, sorts=sorts)
    keys = {d: _booking_key(d).label(f"k_{d.value}") for d in group_by if d.per_booking}
    per_customer = (
        select(
            _b.customer.label("customer"),
            *keys.values(),
            *sums,
            func.row_number().over(partition_by=_b.customer).label("nth"),
        )
        .where(*_in_period(period))
        .group_by(_b.customer, *(_booking_key(d) for d in keys))
        .subquery("per_customer")
    )
    p = per_customer.c
    values = [p[f"k_{d.value}"] if d.per_booking else _CUSTOMER_COLUMNS[d] for d in group_by]
    counted = select(
        _zero(),
        *values,
        func.count(),
        func.sum(case((p.nth == 1, literal_column("1")), else_=literal_column("0"))),
        func.sum(p.firm),
        func.sum(p.offers),
        func.sum(p.upper),
        func.sum(p.lower),
    )
    counted = counted.select_from(
        per_customer.join(schema.customers, _c.number == p.customer)
    ).where(where)
    return counted.group_by(*values)


def _bookings_alone(
    group_by: Sequence[StatisticsDimension],
    period: DeparturePeriod,
    sums: list[ColumnElement[Any]],
    *,
    grouping_sets: bool,
    sorts: bool,
) -> Select[Any] | CompoundSelect[Any]:
    """Booking-level dimensions over every active customer, from the bookings alone.

    With ``sorts`` the bookings are first added up per customer and group (one sort of the
    period's bookings, by customer), and the groups and the totals are counted from those
    rows: each is one customer in one group, and they come in customer order, so counting the
    distinct customers for the totals adds each at the end of its index. Counting the
    distinct customers of each group and of the totals from the bookings themselves sorted
    the bookings three times, each time in another order.
    """
    keys = [_booking_key(d) for d in group_by]
    # The few merged customers are left out by one anti-join, not by reading each booking's
    # customer row.
    merged = select(_c.number).where(_c.merged_into.is_not(None))
    where = and_(*_in_period(period), _b.customer.not_in(merged))
    customers = func.count(distinct(_b.customer))
    if grouping_sets:
        part = case((func.grouping(*keys) == 0, literal_column("1")), else_=literal_column("2"))
        return (
            select(part, *keys, customers, customers, *sums)
            .where(where)
            .group_by(func.grouping_sets(tuple_(*keys), tuple_()))
        )
    no_keys: list[ColumnElement[Any]] = [null() for _ in keys]
    if sorts:
        labelled = [key.label(f"k{i}") for i, key in enumerate(keys)]
        per_customer = (
            select(_b.customer.label("customer"), *labelled, *sums)
            .where(where)
            .group_by(_b.customer, *keys)
            .cte("per_customer")
        )
        p = per_customer.c
        parts = [p[f"k{i}"] for i in range(len(keys))]
        added = [func.sum(p.firm), func.sum(p.offers), func.sum(p.upper), func.sum(p.lower)]
        one_each = [func.count(), func.count()]
        distinct_customers = [func.count(distinct(p.customer)), func.count(distinct(p.customer))]
        return union_all(
            select(literal_column("1"), *parts, *one_each, *added).group_by(*parts),
            select(literal_column("2"), *no_keys, *distinct_customers, *added),
        )
    groups = select(literal_column("1"), *keys, customers, customers, *sums).where(where)
    totals: Select[Any] = select(literal_column("2"), *no_keys, customers, customers, *sums)
    totals = totals.where(where)
    return union_all(groups.group_by(*keys), totals)


@attrs.define
class _Sums:
    customers: int = 0
    firm_bookings: int = 0
    offers: int = 0
    cents: int = 0

    def add(self, customers: int, firm_bookings: int, offers: int, cents: int) -> None:
        self.customers += customers
        self.firm_bookings += firm_bookings
        self.offers += offers
        self.cents += cents

    def row(self, key: tuple[StatisticsKey, ...] = ()) -> StatisticsRow:
        return StatisticsRow(
            key, self.customers, self.firm_bookings, self.offers, _euros(self.cents)
        )


def _choices(dimension: StatisticsDimension, value: Any) -> list[StatisticsValue]:
    """The values of the groups a row's ``value`` of ``dimension`` belongs to."""
    if dimension is StatisticsDimension.STATUS_FLAG:
        return list(StatusFlags(int(value))) or [None]
    return [StatisticsKey.of(dimension, value).value]


def _whole(value: Any) -> int:
    return 0 if value is None else int(value)


def fold_statistics(
    found: Iterable[Sequence[Any]],
    group_by: Sequence[StatisticsDimension],
    period: DeparturePeriod,
) -> Statistics:
    """Add up the rows of :func:`statistics_statement` into groups and totals."""
    groups: dict[tuple[StatisticsValue, ...], _Sums] = {}
    totals = _Sums()
    width = len(group_by)
    for row in found:
        part = int(row[0])
        customers, firsts, firm, offers, upper, lower = (_whole(v) for v in row[1 + width :])
        cents = (upper << 32) + lower
        if part != 1:
            totals.add(firsts, firm, offers, cents)
        if part == 2:
            continue
        choices = [_choices(d, v) for d, v in zip(group_by, row[1 : 1 + width], strict=True)]
        for values in itertools.product(*choices):
            groups.setdefault(values, _Sums()).add(customers, firm, offers, cents)
    rows = [
        sums.row(tuple(StatisticsKey.of(d, v) for d, v in zip(group_by, values, strict=True)))
        for values, sums in groups.items()
    ]
    return Statistics(group_by, period, rows, totals.row())
