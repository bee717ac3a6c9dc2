"""Statistics over a selection and a departure period (R10)."""

from __future__ import annotations

import enum
import itertools
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from custmodel.book import CustomerBook
from custmodel.errors import InvalidInputError
from custmodel.model import (
    Booking,
    Customer,
    CustomerKind,
    CustomerType,
    DeparturePeriod,
    NewCustomer,
    Selection,
    Settings,
    Statistics,
    StatisticsDimension,
)
from custmodel.testing import strategies as cst
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._shared import (
    AGENCY,
    AGENCY_KIND,
    CORPORATE,
    FIRM,
    OFFER,
    PRIVATE,
    SETTINGS,
    _booking,
    _draft,
    _examples,
)

__all__ = ["StatisticsContract"]


class StatisticsContract(_ContractBase):
    """Statistics count customers and bookings as counting by hand does."""

    __test__: ClassVar[bool] = False

    # -- statistics (R10) -----------------------------------------------------------------------

    def register_statistics_population(self) -> CustomerBook:
        """The statistics population (SETTINGS; flag 3 of PRIVATE unlabelled afterwards, PRIVATE
        calls Code1 "Mitgliedsnummer"):

        ====  =========  =============  ========  =====  =====  =====  =========================
        no.   kind       type           category  flags  code1  code2  bookings
        ====  =========  =============  ========  =====  =====  =====  =========================
        1     private    regular        A         1, 2   K-1    rot    S-01, S-02, S-03 (offer)
        2     private    walk-in        B         2                    S-04
        3     corporate  tour operator  A         1, 2   K-1    blau   S-05
        4     corporate  walk-in        -                              none
        5     private    walk-in        A         3      K-2           S-06
        6     private    walk-in        C         1      K-1           S-07; merged into 1
        7     private    walk-in        D         1      K-9    gelb   S-08; then anonymized
        ====  =========  =============  ========  =====  =====  =====  =========================

        Bookings (departure, revenue, travel type, destination): S-01 2025-01-01 1000.00
        Pauschalreise Mallorca; S-02 2026-07-01 unknown Kreuzfahrt Kreta; S-03 offer 2025-05-01
        500.00 Pauschalreise Mallorca; S-04 2025-12-31 250.50 Städtereise Wien; S-05 2025-06-15
        2000.00 without travel type and destination; S-06 2024-12-31 300.00 Pauschalreise
        Mallorca; S-07 2025-03-01 80.00 Pauschalreise "mallorca" (moved to 1 by the merge);
        S-08 2024-01-10 100.00 Flug Mallorca.
        """
        book = self.book(SETTINGS)
        book.register_many(
            [
                _draft(
                    customer_type=CustomerType.REGULAR,
                    category="A",
                    status=[1, 2],
                    code1="K-1",
                    code2="rot",
                ),
                _draft(category="B", status=[2]),
                _draft(
                    CORPORATE,
                    customer_type=CustomerType.TOUR_OPERATOR,
                    category="A",
                    status=[1, 2],
                    code1="K-1",
                    code2="blau",
                ),
                _draft(CORPORATE),
                _draft(category="A", status=[3], code1="K-2"),
                _draft(category="C", status=[1], code1="K-1"),
                _draft(category="D", status=[1], code1="K-9", code2="gelb"),
            ]
        )
        for reference, customer, kind, day, revenue, travel_type, destination in (
            ("S-01", 1, FIRM, date(2025, 1, 1), "1000.00", "Pauschalreise", "Mallorca"),
            ("S-02", 1, FIRM, date(2026, 7, 1), None, "Kreuzfahrt", "Kreta"),
            ("S-03", 1, OFFER, date(2025, 5, 1), "500.00", "Pauschalreise", "Mallorca"),
            ("S-04", 2, FIRM, date(2025, 12, 31), "250.50", "Städtereise", "Wien"),
            ("S-05", 3, FIRM, date(2025, 6, 15), "2000.00", None, None),
            ("S-06", 5, FIRM, date(2024, 12, 31), "300.00", "Pauschalreise", "Mallorca"),
            ("S-07", 6, FIRM, date(2025, 3, 1), "80.00", "Pauschalreise", "mallorca"),
            ("S-08", 7, FIRM, date(2024, 1, 10), "100.00", "Flug", "Mallorca"),
        ):
            booking = _booking(reference, customer, kind, departure=day)
            book.record_booking(
                attrs.evolve(
                    booking,
                    revenue=None if revenue is None else Decimal(revenue),
                    travel_type=travel_type,
                    destination=destination,
                )
            )
        book.merge(1, [6])
        book.anonymize(7, AGENCY)
        book.rename_status_label(PRIVATE, 3, None)
        book.update_kind_settings(PRIVATE, code1_label="Mitgliedsnummer")
        return book

    @staticmethod
    def statistics_counts(statistics: Statistics) -> list[tuple[Any, ...]]:
        """Each row as (values, customers, firm bookings, offers, revenue), in the rows' order."""
        return [
            (r.values, r.customers, r.firm_bookings, r.offers, r.revenue) for r in statistics.rows
        ]

    @staticmethod
    def statistics_totals(statistics: Statistics) -> tuple[int, int, int, Decimal]:
        """The totals as (customers, firm bookings, offers, revenue)."""
        t = statistics.totals
        return (t.customers, t.firm_bookings, t.offers, t.revenue)

    @staticmethod
    def _ordered_period(ends: tuple[date | None, date | None]) -> DeparturePeriod:
        """A period from two drawn ends (either may be None), the earlier one first."""
        start, end = ends
        if start is not None and end is not None and start > end:
            start, end = end, start
        return DeparturePeriod(start, end)

    @staticmethod
    def _count_by_hand(
        settings: Settings,
        customers: Sequence[Customer],
        bookings: Sequence[Booking],
        group_by: Sequence[StatisticsDimension],
        period: DeparturePeriod,
    ) -> tuple[dict[tuple[Any, ...], tuple[Any, ...]], tuple[int, int, int, Decimal]]:
        """The statistics counted the plainest way, as R10 and the docs describe them.

        Returns the rows as values -> (customers, firm bookings, offers, revenue, labels of
        each key), and the totals.
        """
        per_booking = any(d.per_booking for d in group_by)
        groups: dict[tuple[Any, ...], tuple[set[int], list[Booking], set[CustomerKind]]] = {}
        everyone: set[int] = set()
        all_bookings: list[Booking] = []
        for customer in customers:
            own = [
                b
                for b in bookings
                if b.customer == customer.number
                and (period.start is None or period.start <= b.departure)
                and (period.end is None or b.departure <= period.end)
            ]
            if per_booking and not own:
                continue
            everyone.add(customer.number)
            all_bookings.extend(own)
            for unit in [[b] for b in own] if per_booking else [own]:
                options: list[list[Any]] = []
                for d in group_by:
                    if d is StatisticsDimension.KIND:
                        options.append([customer.kind])
                    elif d is StatisticsDimension.CUSTOMER_TYPE:
                        options.append([customer.customer_type])
                    elif d is StatisticsDimension.CATEGORY:
                        options.append([customer.category])
                    elif d is StatisticsDimension.STATUS_FLAG:
                        options.append(sorted(customer.status) or [None])
                    elif d is StatisticsDimension.CODE1:
                        options.append([customer.code1])
                    elif d is StatisticsDimension.CODE2:
                        options.append([customer.code2])
                    elif d is StatisticsDimension.TRAVEL_TYPE:
                        options.append([unit[0].travel_type])
                    elif d is StatisticsDimension.DESTINATION:
                        options.append([unit[0].destination])
                    else:
                        options.append([unit[0].departure.year])
                for values in itertools.product(*options):
                    members, counted, kinds = groups.setdefault(values, (set(), [], set()))
                    members.add(customer.number)
                    counted.extend(unit)
                    kinds.add(customer.kind)

        def tally(counted: list[Booking]) -> tuple[int, int, Decimal]:
            firm = [b for b in counted if b.is_firm]
            revenue = sum((b.revenue or Decimal("0.00") for b in firm), Decimal("0.00"))
            return len(firm), len(counted) - len(firm), revenue

        def labels(d: StatisticsDimension, value: Any, kinds: set[CustomerKind]) -> dict[Any, str]:
            if d is StatisticsDimension.STATUS_FLAG and value is not None:
                found = {k: settings.kind(k).status_labels.get(value) for k in kinds}
                return {k: label for k, label in found.items() if label is not None}
            if d is StatisticsDimension.CODE1:
                return {k: settings.kind(k).code1_label for k in kinds}
            if d is StatisticsDimension.CODE2:
                return {k: settings.kind(k).code2_label for k in kinds}
            return {}

        rows = {
            values: (
                len(members),
                *tally(counted),
                tuple(labels(d, v, kinds) for d, v in zip(group_by, values, strict=True)),
            )
            for values, (members, counted, kinds) in groups.items()
        }
        return rows, (len(everyone), *tally(all_bookings))

    @staticmethod
    def _by_hand_order(values: tuple[Any, ...]) -> tuple[tuple[bool, Any], ...]:
        """Rows' order as the docs give it: None last, enums as declared, else natural."""
        return tuple(
            (True, 0)
            if v is None
            else (False, list(type(v)).index(v) if isinstance(v, enum.Enum) else v)
            for v in values
        )

    def test_statistics_by_kind_count_customers_bookings_and_revenue(self) -> None:
        """By kind: every selected customer, its firm bookings, offers and their revenue."""
        book = self.register_statistics_population()
        stats = book.statistics(group_by=StatisticsDimension.KIND)
        expected = [
            ((PRIVATE,), 4, 6, 1, Decimal("1730.50")),
            ((CORPORATE,), 2, 1, 0, Decimal("2000.00")),
        ]
        assert expected == self.statistics_counts(stats)

    def test_statistics_totals_count_every_customer_and_booking_once(self) -> None:
        """The totals hold the six active customers, seven firm bookings and one offer."""
        book = self.register_statistics_population()
        stats = book.statistics(group_by="kind")
        assert (6, 7, 1, Decimal("3730.50")) == self.statistics_totals(stats)

    def test_statistics_by_type_follow_the_order_of_the_types(self) -> None:
        """By type: regular, walk-in, tour operator; no row for a type nobody has."""
        book = self.register_statistics_population()
        stats = book.statistics(group_by=StatisticsDimension.CUSTOMER_TYPE)
        expected = [
            ((CustomerType.REGULAR,), 1, 3, 1, Decimal("1080.00")),
            ((CustomerType.WALK_IN,), 4, 3, 0, Decimal("650.50")),
            ((CustomerType.TOUR_OPERATOR,), 1, 1, 0, Decimal("2000.00")),
        ]
        assert expected == self.statistics_counts(stats)

    def test_statistics_by_category_put_customers_without_one_in_the_row_none(self) -> None:
        """By category: "A", "B", then None for the corporate customer without a category and
        the anonymized customer, whose category was erased."""
        book = self.register_statistics_population()
        stats = book.statistics(group_by=StatisticsDimension.CATEGORY)
        expected = [
            (("A",), 3, 5, 1, Decimal("3380.00")),
            (("B",), 1, 1, 0, Decimal("250.50")),
            ((None,), 2, 1, 0, Decimal("100.00")),
        ]
        assert expected == self.statistics_counts(stats)

    def test_statistics_by_kind_and_category_list_each_combination(self) -> None:
        """By kind and category: one row per combination that holds a customer, also one
        without bookings."""
        book = self.register_statistics_population()
        stats = book.statistics(group_by=[StatisticsDimension.KIND, StatisticsDimension.CATEGORY])
        expected = [
            ((PRIVATE, "A"), 2, 4, 1, Decimal("1380.00")),
            ((PRIVATE, "B"), 1, 1, 0, Decimal("250.50")),
            ((PRIVATE, None), 1, 1, 0, Decimal("100.00")),
            ((CORPORATE, "A"), 1, 1, 0, Decimal("2000.00")),
            ((CORPORATE, None), 1, 0, 0, Decimal("0.00")),
        ]
        assert expected == self.statistics_counts(stats)

    def test_statistics_by_status_flag_count_a_customer_in_each_of_its_flags(self) -> None:
        """By flag: customers 1 and 3 carry flags 1 and 2 and count in both rows; customers
        without flags form the row None."""
        book = self.register_statistics_population()
        stats = book.statistics(group_by=StatisticsDimension.STATUS_FLAG)
        expected = [
            ((1,), 2, 4, 1, Decimal("3080.00")),
            ((2,), 3, 5, 1, Decimal("3330.50")),
            ((3,), 1, 1, 0, Decimal("300.00")),
            ((None,), 2, 1, 0, Decimal("100.00")),
        ]
        assert expected == self.statistics_counts(stats)

    def test_statistics_totals_are_no_sum_of_overlapping_flag_rows(self) -> None:
        """The flag rows hold eight customers between them; the totals six, each once."""
        book = self.register_statistics_population()
        stats = book.statistics(group_by=StatisticsDimension.STATUS_FLAG)
        assert (8, 6) == (sum(r.customers for r in stats.rows), stats.totals.customers)
        assert (6, 7, 1, Decimal("3730.50")) == self.statistics_totals(stats)

    def test_statistics_show_each_kinds_flag_label_where_they_differ(self) -> None:
        """Flag 1 is "Newsletter" on private and "Rahmenvertrag" on corporate customers; flag
        2 is "Golf" on both, shown once."""
        book = self.register_statistics_population()
        stats = book.statistics(group_by=StatisticsDimension.STATUS_FLAG)
        keys = {row.values[0]: row.key[0] for row in stats.rows}
        assert {PRIVATE: "Newsletter", CORPORATE: "Rahmenvertrag"} == keys[1].labels
        assert "private: Newsletter; corporate: Rahmenvertrag" == keys[1].label
        assert ({PRIVATE: "Golf", CORPORATE: "Golf"}, "Golf") == (keys[2].labels, keys[2].label)

    def test_statistics_show_an_unlabelled_flag_by_its_number(self) -> None:
        """Flag 3 lost its label but customer 5 still carries it: its row stays, unlabelled."""
        book = self.register_statistics_population()
        stats = book.statistics(group_by=StatisticsDimension.STATUS_FLAG)
        row = stats.row(3)
        assert row is not None
        assert ({}, None, 1) == (row.key[0].labels, row.key[0].label, row.customers)

    def test_statistics_label_flags_by_the_kinds_of_their_row(self) -> None:
        """Grouped by kind too, the flag 1 row of corporate customers carries only the
        corporate label."""
        book = self.register_statistics_population()
        stats = book.statistics(
            group_by=[StatisticsDimension.KIND, StatisticsDimension.STATUS_FLAG]
        )
        row = stats.row(CORPORATE, 1)
        assert row is not None
        assert ({CORPORATE: "Rahmenvertrag"}, 1) == (row.key[1].labels, row.customers)

    def test_statistics_by_code1_carry_each_kinds_name_of_the_field(self) -> None:
        """By Code1: "" (no code), "K-1", "K-2", each with what its customers' kinds call
        Code1."""
        book = self.register_statistics_population()
        stats = book.statistics(group_by=StatisticsDimension.CODE1)
        expected = [
            (("",), 3, 2, 0, Decimal("350.50")),
            (("K-1",), 2, 4, 1, Decimal("3080.00")),
            (("K-2",), 1, 1, 0, Decimal("300.00")),
        ]
        assert expected == self.statistics_counts(stats)
        labels = [row.key[0].labels for row in stats.rows]
        both = {PRIVATE: "Mitgliedsnummer", CORPORATE: "Code1"}
        assert [both, both, {PRIVATE: "Mitgliedsnummer"}] == labels

    def test_statistics_by_code2_group_the_exact_text(self) -> None:
        """By Code2: "" (no code), "blau", "rot"; the anonymized customer's code is gone."""
        book = self.register_statistics_population()
        stats = book.statistics(group_by=StatisticsDimension.CODE2)
        expected = [
            (("",), 4, 3, 0, Decimal("650.50")),
            (("blau",), 1, 1, 0, Decimal("2000.00")),
            (("rot",), 1, 3, 1, Decimal("1080.00")),
        ]
        assert expected == self.statistics_counts(stats)
        assert {CORPORATE: "Code2"} == stats.rows[1].key[0].labels

    def test_statistics_by_travel_type_count_customers_with_such_a_booking(self) -> None:
        """By travel type: a customer is in each row it has a booking in; customer 4 without
        bookings is in none; bookings without travel type form the row None."""
        book = self.register_statistics_population()
        stats = book.statistics(group_by=StatisticsDimension.TRAVEL_TYPE)
        expected = [
            (("Flug",), 1, 1, 0, Decimal("100.00")),
            (("Kreuzfahrt",), 1, 1, 0, Decimal("0.00")),
            (("Pauschalreise",), 2, 3, 1, Decimal("1380.00")),
            (("Städtereise",), 1, 1, 0, Decimal("250.50")),
            ((None,), 1, 1, 0, Decimal("2000.00")),
        ]
        assert expected == self.statistics_counts(stats)
        assert (5, 7, 1, Decimal("3730.50")) == self.statistics_totals(stats)

    def test_statistics_by_destination_group_the_exact_text_by_code_point(self) -> None:
        """By destination: "mallorca" is not "Mallorca", and sorts after "Wien"."""
        book = self.register_statistics_population()
        stats = book.statistics(group_by=StatisticsDimension.DESTINATION)
        expected = [
            (("Kreta",), 1, 1, 0, Decimal("0.00")),
            (("Mallorca",), 3, 3, 1, Decimal("1400.00")),
            (("Wien",), 1, 1, 0, Decimal("250.50")),
            (("mallorca",), 1, 1, 0, Decimal("80.00")),
            ((None,), 1, 1, 0, Decimal("2000.00")),
        ]
        assert expected == self.statistics_counts(stats)

    def test_statistics_by_departure_year(self) -> None:
        """By departure year: 2024, 2025 and 2026, with the offer in 2025."""
        book = self.register_statistics_population()
        stats = book.statistics(group_by=StatisticsDimension.DEPARTURE_YEAR)
        expected = [
            ((2024,), 2, 2, 0, Decimal("400.00")),
            ((2025,), 3, 4, 1, Decimal("3330.50")),
            ((2026,), 1, 1, 0, Decimal("0.00")),
        ]
        assert expected == self.statistics_counts(stats)

    def test_statistics_by_flag_and_destination_combine_both(self) -> None:
        """By flag and destination: a customer's booking counts in the row of each of its
        flags; the anonymized customer's booking in the row without a flag."""
        book = self.register_statistics_population()
        stats = book.statistics(
            group_by=[StatisticsDimension.STATUS_FLAG, StatisticsDimension.DESTINATION]
        )
        expected = [
            ((1, "Kreta"), 1, 1, 0, Decimal("0.00")),
            ((1, "Mallorca"), 1, 1, 1, Decimal("1000.00")),
            ((1, "mallorca"), 1, 1, 0, Decimal("80.00")),
            ((1, None), 1, 1, 0, Decimal("2000.00")),
            ((2, "Kreta"), 1, 1, 0, Decimal("0.00")),
            ((2, "Mallorca"), 1, 1, 1, Decimal("1000.00")),
            ((2, "Wien"), 1, 1, 0, Decimal("250.50")),
            ((2, "mallorca"), 1, 1, 0, Decimal("80.00")),
            ((2, None), 1, 1, 0, Decimal("2000.00")),
            ((3, "Mallorca"), 1, 1, 0, Decimal("300.00")),
            ((None, "Mallorca"), 1, 1, 0, Decimal("100.00")),
        ]
        assert expected == self.statistics_counts(stats)
        assert (5, 7, 1, Decimal("3730.50")) == self.statistics_totals(stats)

    def test_statistics_of_a_year_count_only_its_bookings_but_every_customer(self) -> None:
        """For 2025 (both days included) by kind: every customer, the bookings of 2025."""
        book = self.register_statistics_population()
        stats = book.statistics(group_by="kind", period=DeparturePeriod.year(2025))
        expected = [
            ((PRIVATE,), 4, 3, 1, Decimal("1330.50")),
            ((CORPORATE,), 2, 1, 0, Decimal("2000.00")),
        ]
        assert expected == self.statistics_counts(stats)
        assert (6, 4, 1, Decimal("3330.50")) == self.statistics_totals(stats)

    def test_statistics_periods_include_both_of_their_days(self) -> None:
        """From 2024-12-31 to 2025-01-01: the bookings departing on either day, none else."""
        book = self.register_statistics_population()
        period = DeparturePeriod(date(2024, 12, 31), date(2025, 1, 1))
        stats = book.statistics(group_by=StatisticsDimension.DEPARTURE_YEAR, period=period)
        expected = [
            ((2024,), 1, 1, 0, Decimal("300.00")),
            ((2025,), 1, 1, 0, Decimal("1000.00")),
        ]
        assert expected == self.statistics_counts(stats)

    def test_statistics_periods_may_be_open_at_the_start(self) -> None:
        """Up to 2024-12-31: the two bookings of 2024."""
        book = self.register_statistics_population()
        period = DeparturePeriod(end=date(2024, 12, 31))
        stats = book.statistics(group_by=StatisticsDimension.TRAVEL_TYPE, period=period)
        expected = [
            (("Flug",), 1, 1, 0, Decimal("100.00")),
            (("Pauschalreise",), 1, 1, 0, Decimal("300.00")),
        ]
        assert expected == self.statistics_counts(stats)

    def test_statistics_periods_may_be_open_at_the_end(self) -> None:
        """From 2025-12-31 on: the bookings of that day and of 2026."""
        book = self.register_statistics_population()
        period = DeparturePeriod(start=date(2025, 12, 31))
        stats = book.statistics(group_by=StatisticsDimension.DEPARTURE_YEAR, period=period)
        expected = [
            ((2025,), 1, 1, 0, Decimal("250.50")),
            ((2026,), 1, 1, 0, Decimal("0.00")),
        ]
        assert expected == self.statistics_counts(stats)

    def test_statistics_never_count_tombstones_even_when_a_selection_includes_them(self) -> None:
        """Customer 6 (category C) was merged: no row C, also with ``include_merged``; its
        booking counts for the master."""
        book = self.register_statistics_population()
        merged = book.statistics(Selection(include_merged=True), StatisticsDimension.CATEGORY)
        assert book.statistics(group_by=StatisticsDimension.CATEGORY) == merged
        assert [("A",), ("B",), (None,)] == [row.values for row in merged.rows]

    def test_statistics_count_anonymized_customers(self) -> None:
        """The anonymized customer and its booking count, without category or flags."""
        book = self.register_statistics_population()
        stats = book.statistics(Selection(anonymized=True), StatisticsDimension.CATEGORY)
        assert [((None,), 1, 1, 0, Decimal("100.00"))] == self.statistics_counts(stats)

    def test_statistics_of_a_selection_count_only_its_customers(self) -> None:
        """Selected by flag 2 and grouped by kind: customers 1, 2 and 3."""
        book = self.register_statistics_population()
        selection = Selection(status_all=frozenset({2}))
        stats = book.statistics(selection, StatisticsDimension.KIND)
        expected = [
            ((PRIVATE,), 2, 4, 1, Decimal("1330.50")),
            ((CORPORATE,), 1, 1, 0, Decimal("2000.00")),
        ]
        assert expected == self.statistics_counts(stats)

    def test_statistics_of_an_empty_selection_have_no_rows_and_zero_totals(self) -> None:
        """Nobody is a travel agency: no rows, totals all zero."""
        book = self.register_statistics_population()
        stats = book.statistics(Selection(kind=AGENCY_KIND), StatisticsDimension.CATEGORY)
        assert ([], (0, 0, 0, Decimal("0.00"))) == (
            self.statistics_counts(stats),
            self.statistics_totals(stats),
        )

    def test_statistics_give_back_what_they_were_asked(self) -> None:
        """The result names its dimensions in the order asked and the period."""
        book = self.register_statistics_population()
        period = DeparturePeriod(date(2025, 1, 1))
        dimensions = (StatisticsDimension.DESTINATION, StatisticsDimension.KIND)
        stats = book.statistics(group_by=dimensions, period=period)
        assert (dimensions, period) == (stats.group_by, stats.period)

    @pytest.mark.parametrize(
        "group_by",
        [[], ["kind", "kind"], ["colour"], "flag", 5, [None]],
        ids=["none", "twice", "unknown", "unknown-text", "no-dimension", "None"],
    )
    def test_statistics_refuse_a_bad_grouping(self, group_by: Any) -> None:
        """No dimension, one twice or an unknown one is refused and changes nothing."""
        book = self.register_statistics_population()
        self.assert_refused(InvalidInputError, lambda: book.statistics(group_by=group_by))

    def test_statistics_refuse_a_period_that_is_no_departure_period(self) -> None:
        """A pair of dates instead of a DeparturePeriod is refused and changes nothing."""
        book = self.register_statistics_population()
        period: Any = (date(2025, 1, 1), date(2025, 12, 31))
        self.assert_refused(InvalidInputError, lambda: book.statistics(period=period))

    def test_a_reversed_period_cannot_be_built(self) -> None:
        """A period that ends before it starts is refused where it is built."""
        with pytest.raises(InvalidInputError):
            DeparturePeriod(date(2025, 12, 31), date(2025, 1, 1))

    def test_port_statistics_leave_tombstones_out_and_carry_no_labels(self) -> None:
        """Through the port: tombstones stay out with ``include_merged``; keys have no labels."""
        self.register_statistics_population()
        with self.store.transaction(write=False) as tx:
            stats = tx.statistics(
                Selection(include_merged=True),
                (StatisticsDimension.STATUS_FLAG,),
                DeparturePeriod(),
            )
        assert [(1,), (2,), (3,), (None,)] == [row.values for row in stats.rows]
        assert [{}, {}, {}, {}] == [row.key[0].labels for row in stats.rows]
        assert 6 == stats.totals.customers

    def test_statistics_agree_with_a_count_by_hand(self) -> None:
        """For drawn customers with bookings, merges, selections, groupings and periods, the
        statistics equal a count by hand over ``select`` and the customers' bookings."""
        book = self.book(SETTINGS)
        batches = iter(range(1_000_000))
        dimensions = st.lists(
            st.sampled_from(StatisticsDimension), min_size=1, max_size=3, unique=True
        )
        days = st.dates(date(2023, 1, 1), date(2027, 12, 31))
        selections = st.builds(
            Selection,
            kind=st.none() | cst.customer_kinds,
            customer_type=st.none() | cst.customer_types,
            category=st.none() | st.sampled_from(["A", "B", "Key account"]),
            status_any=st.frozensets(st.sampled_from([1, 2, 3, 32]), max_size=2),
            anonymized=st.none() | st.booleans(),
            include_merged=st.booleans(),
        )

        @_examples(40)
        @given(
            population=cst.customers_with_bookings(
                settings=SETTINGS,
                max_size=4,
                max_bookings=3,
                min_departure=date(2023, 1, 1),
                max_departure=date(2027, 12, 31),
            ),
            merge=st.booleans(),
            selection=selections,
            group_by=dimensions,
            data=st.data(),
        )
        def agrees(
            population: list[tuple[NewCustomer, tuple[Booking, ...]]],
            merge: bool,
            selection: Selection,
            group_by: list[StatisticsDimension],
            data: st.DataObject,
        ) -> None:
            batch = next(batches)
            customers = book.register_many(draft for draft, _ in population)
            for customer, (_, bookings) in zip(customers, population, strict=True):
                for booking in bookings:
                    reference = f"{booking.reference}-{batch}"
                    book.record_booking(
                        attrs.evolve(booking, reference=reference, customer=customer.number)
                    )
            if merge and len(customers) > 1:
                book.merge(customers[0].number, [customers[1].number])
            # Period ends are often departures of the drawn bookings: both days count.
            departures = [b.departure for _, bookings in population for b in bookings]
            ends = st.none() | days | (st.sampled_from(departures) if departures else days)
            period = self._ordered_period((data.draw(ends), data.draw(ends)))
            selected = book.select(attrs.evolve(selection, include_merged=False))
            with self.store.transaction(write=False) as tx:
                own = tx.bookings_of([c.number for c in selected])
            expected_rows, expected_totals = self._count_by_hand(
                book.settings, selected, own, group_by, period
            )

            stats = book.statistics(selection, group_by, period)

            actual_rows = {
                row.values: (
                    row.customers,
                    row.firm_bookings,
                    row.offers,
                    row.revenue,
                    tuple(key.labels for key in row.key),
                )
                for row in stats.rows
            }
            assert expected_rows == actual_rows
            assert expected_totals == self.statistics_totals(stats)
            order = sorted(expected_rows, key=self._by_hand_order)
            assert order == [row.values for row in stats.rows]

        agrees()
