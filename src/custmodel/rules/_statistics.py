"""R10 statistics: counting customers and bookings by dimension, with labels."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from custmodel.model._booking import Booking
from custmodel.model._customer import Customer
from custmodel.model._kinds import CustomerKind
from custmodel.model._settings import Settings
from custmodel.model._statistics import (
    DeparturePeriod,
    Statistics,
    StatisticsDimension,
    StatisticsKey,
    StatisticsRow,
    StatisticsValue,
)

__all__ = ["count_statistics", "label_statistics", "statistics_dimensions"]


_KIND = StatisticsDimension.KIND


#: Dimensions whose keys carry labels of the customers' kinds.
_LABELLED = (
    StatisticsDimension.STATUS_FLAG,
    StatisticsDimension.CODE1,
    StatisticsDimension.CODE2,
)


@attrs.define
class _Tally:
    """What one group has counted so far."""

    customers: set[int] = attrs.Factory(set)
    firm_bookings: int = 0
    offers: int = 0
    revenue: Decimal = Decimal("0.00")
    kinds: set[CustomerKind] = attrs.Factory(set)

    def add(self, customer: Customer, bookings: Iterable[Booking]) -> None:
        self.customers.add(customer.number)
        self.kinds.add(customer.kind)
        for booking in bookings:
            if booking.is_firm:
                self.firm_bookings += 1
                self.revenue += booking.revenue or Decimal("0.00")
            else:
                self.offers += 1

    def row(self, key: tuple[StatisticsKey, ...] = ()) -> StatisticsRow:
        return StatisticsRow(
            key, len(self.customers), self.firm_bookings, self.offers, self.revenue
        )


def _customer_values(customer: Customer, dimension: StatisticsDimension) -> list[StatisticsValue]:
    """The values a customer has in a customer-level dimension (several for status flags)."""
    if dimension is StatisticsDimension.STATUS_FLAG:
        return list(customer.status) or [None]
    values: dict[StatisticsDimension, StatisticsValue] = {
        StatisticsDimension.KIND: customer.kind,
        StatisticsDimension.CUSTOMER_TYPE: customer.customer_type,
        StatisticsDimension.CATEGORY: customer.category,
        StatisticsDimension.CODE1: customer.code1,
        StatisticsDimension.CODE2: customer.code2,
    }
    return [values[dimension]]


def _booking_value(booking: Booking, dimension: StatisticsDimension) -> StatisticsValue:
    if dimension is StatisticsDimension.TRAVEL_TYPE:
        return booking.travel_type
    if dimension is StatisticsDimension.DESTINATION:
        return booking.destination
    return booking.departure.year


def count_statistics(
    customers: Iterable[Customer],
    bookings: Iterable[Booking],
    group_by: Sequence[StatisticsDimension],
    period: DeparturePeriod,
) -> Statistics:
    """Count customers, firm bookings, offers and revenue per group (R10), without labels.

    The reference semantics of :meth:`custmodel.storage.StoreTransaction.statistics`:

    * Merged duplicates (tombstones) among ``customers`` never count; only bookings that
      depart in ``period`` count; offers carry no revenue; unknown revenue counts as 0.
    * Grouped by customer-level dimensions only, every customer is in the groups of its values,
      also without a booking in the period (counted, with no bookings). A customer with several
      status flags is in the group of each, one without flags in the group None.
    * With a booking-level dimension (travel type, destination, departure year), a customer is
      in each group in which it has a booking in the period, and in no group without one.
    * The totals count every customer that is in some group once, and each of their bookings
      in the period once.

    Args:
        customers: The selected customers.
        bookings: Their bookings (bookings of other customers are ignored).
        group_by: The dimensions, at least one, each once.
        period: The departures that count.
    """
    group_by = tuple(group_by)
    per_booking = any(d.per_booking for d in group_by)
    in_period: dict[int, list[Booking]] = {}
    for booking in bookings:
        if booking.departure in period:
            in_period.setdefault(booking.customer, []).append(booking)
    groups: dict[tuple[StatisticsValue, ...], _Tally] = {}
    totals = _Tally()
    for customer in customers:
        own = in_period.get(customer.number, [])
        if not customer.is_active or (per_booking and not own):
            continue
        totals.add(customer, own)
        mine = {d: _customer_values(customer, d) for d in group_by if not d.per_booking}
        # Per booking, each booking is a unit of its own; else the customer with all of them.
        units: list[tuple[Booking | None, list[Booking]]] = (
            [(b, [b]) for b in own] if per_booking else [(None, own)]
        )
        for unit, counted in units:
            choices = [
                [_booking_value(unit, d)] if unit is not None and d.per_booking else mine[d]
                for d in group_by
            ]
            for values in itertools.product(*choices):
                groups.setdefault(values, _Tally()).add(customer, counted)
    rows = [
        tally.row(tuple(StatisticsKey.of(d, v) for d, v in zip(group_by, values, strict=True)))
        for values, tally in groups.items()
    ]
    return Statistics(group_by, period, rows, totals.row())


def statistics_dimensions(
    group_by: Sequence[StatisticsDimension],
) -> tuple[StatisticsDimension, ...]:
    """The dimensions to count by so that :func:`label_statistics` can label ``group_by``.

    Flag and code labels are per kind, so the kinds of each group are needed: KIND is added
    (last) when ``group_by`` has a labelled dimension but not KIND itself.
    """
    group_by = tuple(group_by)
    if _KIND not in group_by and any(d in _LABELLED for d in group_by):
        return (*group_by, _KIND)
    return group_by


def _labels(
    settings: Settings, dimension: StatisticsDimension, value: object, kinds: set[CustomerKind]
) -> dict[CustomerKind, str]:
    present = [kind for kind in CustomerKind if kind in kinds]
    if dimension is StatisticsDimension.STATUS_FLAG and isinstance(value, int):
        found = ((k, settings.kind(k).status_labels.get(value)) for k in present)
        return {kind: label for kind, label in found if label is not None}
    if dimension is StatisticsDimension.CODE1:
        return {kind: settings.kind(kind).code1_label for kind in present}
    if dimension is StatisticsDimension.CODE2:
        return {kind: settings.kind(kind).code2_label for kind in present}
    return {}


def label_statistics(
    settings: Settings, counted: Statistics, group_by: Sequence[StatisticsDimension]
) -> Statistics:
    """Return ``counted`` grouped by ``group_by``, with the labels of ``settings`` on the keys.

    ``counted`` is grouped by :func:`statistics_dimensions` of ``group_by``; rows that differ
    only in the kind added there are added up (exact: every customer has one kind). A status
    flag's key carries its label on each kind of the group's customers that labels it (none
    for an unlabelled flag, which stays in the result by its number); a code's key carries
    what each of those kinds calls the field.
    """
    group_by = tuple(group_by)
    where = [counted.group_by.index(d) for d in group_by]
    kind_at = counted.group_by.index(_KIND) if _KIND in counted.group_by else None
    folded: dict[tuple[StatisticsValue, ...], list[Any]] = {}
    for row in counted.rows:
        values = tuple(row.key[i].value for i in where)
        sums = folded.setdefault(values, [0, 0, 0, Decimal("0.00"), set()])
        sums[0] += row.customers
        sums[1] += row.firm_bookings
        sums[2] += row.offers
        sums[3] += row.revenue
        if kind_at is not None:
            sums[4].add(row.key[kind_at].value)
    rows = [
        StatisticsRow(
            tuple(
                StatisticsKey(d, v, _labels(settings, d, v, kinds))
                for d, v in zip(group_by, values, strict=True)
            ),
            customers,
            firm_bookings,
            offers,
            revenue,
        )
        for values, (customers, firm_bookings, offers, revenue, kinds) in folded.items()
    ]
    return Statistics(group_by, counted.period, rows, counted.totals)
