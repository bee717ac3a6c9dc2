"""Customer statistics: dimensions, keys, rows and the table they form."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from custmodel.errors import InvalidInputError
from custmodel.model._checks import _non_negative, _optional_date, _sum_of_cents, shown, to_enum
from custmodel.model._flags import check_flag_number
from custmodel.model._kinds import CustomerKind, CustomerType, _kind

__all__ = [
    "DeparturePeriod",
    "Statistics",
    "StatisticsDimension",
    "StatisticsKey",
    "StatisticsRow",
    "StatisticsValue",
    "statistics_value",
]


class StatisticsDimension(enum.StrEnum):
    """What statistics group the selected customers by (R10); the values are field names.

    KIND, CUSTOMER_TYPE, CATEGORY, STATUS_FLAG, CODE1 and CODE2 are read from the customer,
    TRAVEL_TYPE, DESTINATION and DEPARTURE_YEAR from its bookings (:attr:`per_booking`).
    """

    KIND = "kind"
    CUSTOMER_TYPE = "customer_type"
    CATEGORY = "category"
    STATUS_FLAG = "status_flag"
    CODE1 = "code1"
    CODE2 = "code2"
    TRAVEL_TYPE = "travel_type"
    DESTINATION = "destination"
    DEPARTURE_YEAR = "departure_year"

    @property
    def per_booking(self) -> bool:
        """True for the dimensions read from bookings: travel type, destination, year."""
        return self in (
            StatisticsDimension.TRAVEL_TYPE,
            StatisticsDimension.DESTINATION,
            StatisticsDimension.DEPARTURE_YEAR,
        )


@attrs.frozen
class DeparturePeriod:
    """The departures statistics count: from ``start`` to ``end``, both days included.

    ``DeparturePeriod()`` is open on both sides: every booking counts.

    Attributes:
        start: The first departure day that counts; None for no lower bound.
        end: The last departure day that counts; None for no upper bound.

    Raises:
        InvalidInputError: for a datetime instead of a date, or a start after the end.
    """

    start: date | None = attrs.field(default=None, validator=_optional_date)
    end: date | None = attrs.field(default=None, validator=_optional_date)

    def __attrs_post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.start > self.end:
            raise InvalidInputError(
                f"the period starts ({self.start.isoformat()}) after it ends "
                f"({self.end.isoformat()})"
            )

    @classmethod
    def year(cls, year: int) -> DeparturePeriod:
        """The departures of one calendar year, e.g. ``DeparturePeriod.year(2025)``.

        Raises:
            InvalidInputError: for a year outside 1..9999.
        """
        if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
            raise InvalidInputError(f"a year is a whole number from 1 to 9999, got {shown(year)}")
        return cls(date(year, 1, 1), date(year, 12, 31))

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date) or isinstance(day, datetime):
            return False
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


#: The value of a statistics key: a kind, a type, a text, a flag number, a year, or None.
StatisticsValue = CustomerKind | CustomerType | str | int | None


def _label_map(value: Mapping[CustomerKind, str]) -> dict[CustomerKind, str]:
    labels = {_kind(kind): label for kind, label in dict(value).items()}
    for label in labels.values():
        if not isinstance(label, str) or not label.strip():
            raise InvalidInputError("a statistics label must be non-empty text")
    return {kind: labels[kind] for kind in CustomerKind if kind in labels}


def _dimension(value: object) -> StatisticsDimension:
    return to_enum(StatisticsDimension, value)


@attrs.frozen
class StatisticsKey:
    """The value of one dimension that a statistics row groups by, with its labels.

    Values by dimension: KIND a :class:`CustomerKind`, CUSTOMER_TYPE a :class:`CustomerType`,
    STATUS_FLAG a flag number (None for the customers without any flag), CODE1 and CODE2 the
    code text ("" for no code, as ``Selection(code1="")`` selects it), CATEGORY, TRAVEL_TYPE
    and DESTINATION the text (None when there is none), DEPARTURE_YEAR the year.

    Attributes:
        dimension: The dimension.
        value: The value (see above).
        labels: For STATUS_FLAG: the flag's label on each kind of the row's customers that
            labels it (an unlabelled flag has none and is shown by its number). For CODE1 and
            CODE2: what each kind of the row's customers calls the field. Empty otherwise.
    """

    dimension: StatisticsDimension = attrs.field(converter=_dimension)
    value: StatisticsValue = attrs.field()
    labels: dict[CustomerKind, str] = attrs.field(factory=dict, converter=_label_map, hash=False)

    @value.validator
    def _check_value(self, _attribute: attrs.Attribute[Any], value: object) -> None:
        # Strict: StatisticsKey.of converts; here "private" is no kind, Decimal(3) no flag.
        normal = statistics_value(self.dimension, value)
        if type(normal) is not type(value) or normal != value:
            raise InvalidInputError(f"{shown(value)} is no value of the {self.dimension} dimension")

    @classmethod
    def of(
        cls,
        dimension: StatisticsDimension | str,
        value: object,
        labels: Mapping[CustomerKind, str] | None = None,
    ) -> StatisticsKey:
        """Build a key, converting ``value`` to the dimension's type (see :func:`statistics_value`).

        Raises:
            InvalidInputError: for a value that does not fit the dimension.
        """
        dimension = _dimension(dimension)
        return cls(dimension, statistics_value(dimension, value), dict(labels or {}))

    @property
    def label(self) -> str | None:
        """The label to show beside the value: the one label all kinds share, each kind's
        label as "kind: label; ..." when they differ, or None when there is none."""
        distinct = set(self.labels.values())
        if not distinct:
            return None
        if len(distinct) == 1:
            return distinct.pop()
        return "; ".join(f"{kind.value}: {label}" for kind, label in self.labels.items())


def statistics_value(dimension: StatisticsDimension, value: object) -> StatisticsValue:
    """Return ``value`` as the type a :class:`StatisticsKey` of ``dimension`` holds.

    Kinds and types are accepted as members or their values, flag numbers and years as whole
    numbers (stores hand some of them over as decimals or text).

    Raises:
        InvalidInputError: for a value that does not fit the dimension.
    """
    dimension = _dimension(dimension)
    if dimension is StatisticsDimension.KIND:
        return to_enum(CustomerKind, value)
    if dimension is StatisticsDimension.CUSTOMER_TYPE:
        return to_enum(CustomerType, value)
    if dimension in (StatisticsDimension.STATUS_FLAG, StatisticsDimension.DEPARTURE_YEAR):
        if value is None and dimension is StatisticsDimension.STATUS_FLAG:
            return None
        number = _whole(value)
        if dimension is StatisticsDimension.STATUS_FLAG:
            return check_flag_number(number)
        if not 1 <= number <= 9999:
            raise InvalidInputError(
                f"a departure year is a number from 1 to 9999, got {shown(value)}"
            )
        return number
    if value is None and dimension not in (StatisticsDimension.CODE1, StatisticsDimension.CODE2):
        return None
    if not isinstance(value, str):
        raise InvalidInputError(f"a {dimension} value is text, got {shown(value)}")
    return value


def _whole(value: object) -> int:
    """Return ``value`` as an int if it is a whole number (int, integral Decimal or digits)."""
    if isinstance(value, bool):
        raise InvalidInputError(f"not a whole number: {shown(value)}")
    if isinstance(value, int):
        return value
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInputError(f"not a whole number: {shown(value)}") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise InvalidInputError(f"not a whole number: {shown(value)}")
    return int(number)


def _keys(value: Iterable[StatisticsKey]) -> tuple[StatisticsKey, ...]:
    keys = tuple(value)
    for key in keys:
        if not isinstance(key, StatisticsKey):
            raise InvalidInputError("a statistics row's key holds StatisticsKey objects")
    return keys


@attrs.frozen
class StatisticsRow:
    """One group of a statistics result, or its totals (with an empty key).

    Attributes:
        key: The group's value of each dimension, in the order of ``Statistics.group_by``.
        customers: How many distinct selected customers the group holds.
        firm_bookings: How many firm bookings of them depart in the period.
        offers: How many offers of them depart in the period.
        revenue: The revenue of those firm bookings, EUR; unknown revenue counts as 0 and
            offers carry none.
    """

    key: tuple[StatisticsKey, ...] = attrs.field(default=(), converter=_keys)
    customers: int = attrs.field(default=0, validator=_non_negative)
    firm_bookings: int = attrs.field(default=0, validator=_non_negative)
    offers: int = attrs.field(default=0, validator=_non_negative)
    revenue: Decimal = attrs.field(default=Decimal("0.00"), converter=_sum_of_cents)

    @property
    def values(self) -> tuple[StatisticsValue, ...]:
        """The key's values, in the order of ``Statistics.group_by``."""
        return tuple(key.value for key in self.key)

    def value(self, dimension: StatisticsDimension | str) -> StatisticsValue:
        """Return the row's value of ``dimension``.

        Raises:
            InvalidInputError: if the statistics are not grouped by ``dimension``.
        """
        wanted = _dimension(dimension)
        for key in self.key:
            if key.dimension is wanted:
                return key.value
        raise InvalidInputError(f"the statistics are not grouped by {wanted}")


def _value_order(value: StatisticsValue) -> tuple[int, int | str]:
    """Sort key of one value: None last, enum members in declaration order, else natural."""
    if value is None:
        return (1, 0)
    if isinstance(value, CustomerKind | CustomerType):
        return (0, list(type(value)).index(value))
    return (0, value)


def _row_order(row: StatisticsRow) -> tuple[tuple[int, int | str], ...]:
    return tuple(_value_order(key.value) for key in row.key)


def _sorted_rows(value: Iterable[StatisticsRow]) -> tuple[StatisticsRow, ...]:
    rows = tuple(value)
    for row in rows:
        if not isinstance(row, StatisticsRow):
            raise InvalidInputError("statistics rows are StatisticsRow objects")
    try:
        return tuple(sorted(rows, key=_row_order))
    except TypeError:
        # Keys of different dimensions; Statistics refuses them once every field is set.
        return rows


def _group_by(value: Iterable[StatisticsDimension | str]) -> tuple[StatisticsDimension, ...]:
    if isinstance(value, str):
        value = (value,)
    dimensions = tuple(_dimension(d) for d in value)
    if not dimensions:
        raise InvalidInputError("statistics group by at least one dimension")
    if len(set(dimensions)) != len(dimensions):
        twice = next(d for d in dimensions if dimensions.count(d) > 1)
        raise InvalidInputError(f"statistics group by {twice} only once")
    return dimensions


@attrs.frozen
class Statistics:
    """Customers, bookings and revenue of a selection per group (R10).

    Rows are ordered by their key values, dimension by dimension in ``group_by`` order: kinds
    and types in the order of their enums, flag numbers and years ascending, texts by code
    point (``"B" < "a" < "Ä"``), and None (no category, no flag, no travel type ...) last.
    The order is part of the value: any rows given are sorted.

    Attributes:
        group_by: The dimensions, in the order the keys list them.
        period: The departures the bookings and revenue count.
        rows: One row per group that holds a customer.
        totals: The whole selection (key ``()``), every customer and booking counted once,
            also where a customer appears in several rows (several status flags).

    Raises:
        InvalidInputError: for an empty ``group_by``, a dimension twice, or a row whose key
            does not follow ``group_by``.
    """

    group_by: tuple[StatisticsDimension, ...] = attrs.field(converter=_group_by)
    period: DeparturePeriod = attrs.field(factory=DeparturePeriod)
    rows: tuple[StatisticsRow, ...] = attrs.field(default=(), converter=_sorted_rows)
    totals: StatisticsRow = attrs.field(factory=StatisticsRow)

    def __attrs_post_init__(self) -> None:
        for row in self.rows:
            if tuple(key.dimension for key in row.key) != self.group_by:
                raise InvalidInputError("every statistics row's key follows group_by")
        if self.totals.key:
            raise InvalidInputError("the statistics totals have an empty key")

    def row(self, *values: object) -> StatisticsRow | None:
        """Return the row whose key values are ``values`` (in ``group_by`` order), or None."""
        return next((row for row in self.rows if row.values == values), None)
