"""R10: statistics values (periods, keys, rows, their order) and the pure counting rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from custmodel import (
    Booking,
    BookingKind,
    CustomerKind,
    CustomerType,
    DeparturePeriod,
    InvalidInputError,
    KindSettings,
    Settings,
    Statistics,
    StatisticsDimension,
    StatisticsKey,
    StatisticsRow,
    rules,
)
from tests.sql.helpers import customer

KIND = StatisticsDimension.KIND
CATEGORY = StatisticsDimension.CATEGORY
FLAG = StatisticsDimension.STATUS_FLAG
CODE1 = StatisticsDimension.CODE1
YEAR = StatisticsDimension.DEPARTURE_YEAR
PRIVATE = CustomerKind.PRIVATE
CORPORATE = CustomerKind.CORPORATE


def _row(dimension: StatisticsDimension, value: object, customers: int = 1) -> StatisticsRow:
    return StatisticsRow((StatisticsKey.of(dimension, value),), customers)


def test_a_period_includes_its_first_and_last_day() -> None:
    """Both ends of a period count; the days outside do not."""
    period = DeparturePeriod(date(2025, 1, 1), date(2025, 1, 31))
    days = [date(2024, 12, 31), date(2025, 1, 1), date(2025, 1, 31), date(2025, 2, 1)]
    assert [False, True, True, False] == [day in period for day in days]


def test_an_open_period_holds_every_day() -> None:
    """``DeparturePeriod()`` has no bounds."""
    assert date(1, 1, 1) in DeparturePeriod()
    assert date(9999, 12, 31) in DeparturePeriod()


def test_a_year_runs_from_january_1_to_december_31() -> None:
    """``DeparturePeriod.year(2024)`` is 2024-01-01 to 2024-12-31."""
    assert DeparturePeriod(date(2024, 1, 1), date(2024, 12, 31)) == DeparturePeriod.year(2024)


def test_rows_are_ordered_by_value_with_none_last() -> None:
    """Categories sort by code point ("B" before "a"), and no category comes last."""
    rows = [_row(CATEGORY, None), _row(CATEGORY, "a"), _row(CATEGORY, "B"), _row(CATEGORY, "Ä")]
    stats = Statistics((CATEGORY,), rows=rows)
    assert [("B",), ("a",), ("Ä",), (None,)] == [row.values for row in stats.rows]


def test_kinds_are_ordered_as_the_enum_declares_them() -> None:
    """Private, corporate, travel agency, prospect, not alphabetically."""
    kinds = [CustomerKind.PROSPECT, CORPORATE, CustomerKind.TRAVEL_AGENCY, PRIVATE]
    stats = Statistics((KIND,), rows=[_row(KIND, kind) for kind in kinds])
    assert [(kind,) for kind in CustomerKind] == [row.values for row in stats.rows]


def test_flag_numbers_are_ordered_numerically() -> None:
    """Flag 10 comes after flag 9, and customers without flags last."""
    stats = Statistics((FLAG,), rows=[_row(FLAG, 10), _row(FLAG, None), _row(FLAG, 9)])
    assert [(9,), (10,), (None,)] == [row.values for row in stats.rows]


def test_statistics_refuse_a_row_of_other_dimensions() -> None:
    """A row keyed by category does not belong to statistics by kind."""
    with pytest.raises(InvalidInputError):
        Statistics((KIND,), rows=[_row(CATEGORY, "A")])


def test_a_key_refuses_a_value_of_another_dimension() -> None:
    """A customer type is no kind; ``StatisticsKey.of`` converts a kind's value, the
    constructor takes the member only."""
    with pytest.raises(InvalidInputError):
        StatisticsKey(KIND, CustomerType.REGULAR)
    with pytest.raises(InvalidInputError):
        StatisticsKey(KIND, "private")
    assert StatisticsKey(KIND, PRIVATE) == StatisticsKey.of("kind", "private")


def test_a_key_converts_a_stores_whole_decimal_to_a_year() -> None:
    """PostgreSQL hands years over as decimals; the key holds an int."""
    assert 2025 == StatisticsKey.of(YEAR, Decimal("2025")).value


def test_a_key_refuses_flag_33() -> None:
    """Flag numbers run from 1 to 32 in statistics too."""
    with pytest.raises(InvalidInputError):
        StatisticsKey.of(FLAG, 33)


def test_a_label_all_kinds_share_is_shown_once() -> None:
    """A flag labelled "Golf" on private and corporate customers is just "Golf"."""
    key = StatisticsKey(FLAG, 2, {PRIVATE: "Golf", CORPORATE: "Golf"})
    assert "Golf" == key.label


def test_labels_that_differ_are_shown_per_kind() -> None:
    """Different labels of one flag number are listed with their kinds, in kind order."""
    key = StatisticsKey(FLAG, 1, {CORPORATE: "Rahmenvertrag", PRIVATE: "Newsletter"})
    assert "private: Newsletter; corporate: Rahmenvertrag" == key.label


def test_an_unlabelled_flag_has_no_label() -> None:
    """A flag no kind of its customers labels is shown by its number alone."""
    assert StatisticsKey(FLAG, 3).label is None


def test_kind_is_counted_in_addition_only_for_labelled_dimensions() -> None:
    """Flags and codes need the kinds of their groups; categories and years do not."""
    assert (FLAG, CATEGORY, KIND) == rules.statistics_dimensions((FLAG, CATEGORY))
    assert (CODE1, KIND) == rules.statistics_dimensions((CODE1, KIND))
    assert (CATEGORY, YEAR) == rules.statistics_dimensions((CATEGORY, YEAR))


def test_labelling_adds_up_the_kinds_it_counted_by() -> None:
    """Rows of flag 1 for private and corporate customers become one row with both labels."""
    counted = Statistics(
        (FLAG, KIND),
        rows=[
            StatisticsRow((StatisticsKey(FLAG, 1), StatisticsKey(KIND, PRIVATE)), 2, 3, 1, "10.00"),
            StatisticsRow(
                (StatisticsKey(FLAG, 1), StatisticsKey(KIND, CORPORATE)), 1, 1, 0, "5.50"
            ),
        ],
        totals=StatisticsRow((), 3, 4, 1, "15.50"),
    )
    settings = Settings(
        kinds={
            PRIVATE: KindSettings(status_labels={1: "Newsletter"}),
            CORPORATE: KindSettings(status_labels={1: "Rahmenvertrag"}),
        }
    )

    labelled = rules.label_statistics(settings, counted, (FLAG,))

    labels = {PRIVATE: "Newsletter", CORPORATE: "Rahmenvertrag"}
    expected = StatisticsRow((StatisticsKey(FLAG, 1, labels),), 3, 4, 1, Decimal("15.50"))
    assert ((expected,), counted.totals) == (labelled.rows, labelled.totals)
    assert labels == labelled.rows[0].key[0].labels


def test_counting_leaves_out_a_booking_of_a_customer_not_given() -> None:
    """Bookings of customers outside the selection never count."""
    booking = Booking("B-1", 2, BookingKind.BOOKING, date(2025, 5, 1), "AG1", revenue="9.99")

    stats = rules.count_statistics([customer(1)], [booking], (KIND,), DeparturePeriod())

    assert [((PRIVATE,), 1, 0, 0, Decimal("0.00"))] == [
        (r.values, r.customers, r.firm_bookings, r.offers, r.revenue) for r in stats.rows
    ]
