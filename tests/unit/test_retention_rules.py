"""The retention rules as pure functions: calendar months, thresholds and reasons."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custmodel import (
    Booking,
    BookingKind,
    Customer,
    CustomerKind,
    InvalidInputError,
    KindSettings,
    RetentionReason,
    RetentionRule,
    RetentionScan,
    rules,
)
from custmodel.rules import answer_by

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
IDLE = RetentionRule.prospect_idle(24)
DEPARTED = RetentionRule.last_departure(10)
days = st.dates(date(1900, 1, 1), date(2200, 12, 31))
rule_list = st.builds(
    RetentionRule, st.sampled_from(["prospect_idle", "last_departure"]), st.integers(1, 30)
)


def _customer(updated: datetime) -> Customer:
    return Customer(1, CustomerKind.PRIVATE, 10001, "Muster", updated, updated)


def _firm(departure: date, reference: str = "B-1", amount: str = "0.00") -> Booking:
    return Booking(reference, 1, BookingKind.BOOKING, departure, "AG1", open_amount=amount)


@given(day=days)
def test_months_after_one_is_the_answer_dates_arithmetic(day: date) -> None:
    """One calendar month later is the same day as a request's answer date."""
    assert answer_by(day) == rules.months_after(day, 1)


def test_months_after_clamps_to_the_months_end() -> None:
    """Jan 31 plus one month is Feb 28; Feb 29 plus 12 months is Feb 28."""
    assert (date(2027, 2, 28), date(2025, 2, 28)) == (
        rules.months_after(date(2027, 1, 31), 1),
        rules.months_after(date(2024, 2, 29), 12),
    )


@given(measured=days, today=days, rule=rule_list)
def test_the_threshold_says_what_the_rule_says(
    measured: date, today: date, rule: RetentionRule
) -> None:
    """A day is on or before the threshold exactly when it lies more than the period before."""
    threshold = rules.retention_threshold(rule, today)
    months = rule.period if rule.basis.value == "prospect_idle" else 12 * rule.period
    assert (rules.months_after(measured, months) < today) == (
        threshold is not None and measured <= threshold
    )


def test_an_idle_customer_is_due_from_the_day_after_n_months() -> None:
    """Changed 2024-11-23: 24 months later is 2026-11-23, due from 2026-11-24."""
    customer = _customer(datetime(2024, 11, 23, 23, 59, tzinfo=UTC))
    assert (None, RetentionReason(IDLE, date(2026, 11, 24))) == (
        rules.retention_due(customer, [], [IDLE], date(2026, 11, 23)),
        rules.retention_due(customer, [], [IDLE], date(2026, 11, 24)),
    )


def test_a_firm_booking_keeps_the_idle_rule_from_holding() -> None:
    """A customer with a firm booking is not idle, however old."""
    customer = _customer(datetime(2000, 1, 1, tzinfo=UTC))
    assert rules.retention_due(customer, [_firm(date(2000, 1, 1))], [IDLE], NOW.date()) is None


def test_the_last_departure_rule_needs_nothing_owed() -> None:
    """Departed long ago but owing 0.01: not due; paid: due from the day after ten years."""
    customer = _customer(NOW)
    owing = [_firm(date(2010, 5, 1)), _firm(date(2012, 5, 1), "B-2", "0.01")]
    paid = [_firm(date(2010, 5, 1)), _firm(date(2012, 5, 1), "B-2")]
    assert (None, RetentionReason(DEPARTED, date(2022, 5, 2))) == (
        rules.retention_due(customer, owing, [DEPARTED], NOW.date()),
        rules.retention_due(customer, paid, [DEPARTED], NOW.date()),
    )


def test_an_anonymized_customer_is_never_due() -> None:
    """Anonymized customers are not due again."""
    customer = Customer(
        1,
        CustomerKind.PRIVATE,
        10001,
        "x",
        NOW,
        datetime(2000, 1, 1, tzinfo=UTC),
        anonymized_at=NOW,
    )
    assert rules.retention_due(customer, [], [IDLE], NOW.date()) is None


@pytest.mark.parametrize("period", [0, -1, 1201, True, 2.5])
def test_a_bad_period_is_refused(period: object) -> None:
    """Periods from 1 to 1200, whole numbers only."""
    with pytest.raises(InvalidInputError):
        RetentionRule.prospect_idle(period)  # type: ignore[arg-type]


def test_a_basis_twice_is_refused() -> None:
    """A kind has at most one rule of each basis."""
    with pytest.raises(InvalidInputError):
        KindSettings(retention=(IDLE, RetentionRule.prospect_idle(3)))


def test_an_unknown_basis_is_refused() -> None:
    """Only the two bases exist."""
    with pytest.raises(InvalidInputError):
        RetentionRule("forever", 1)


def test_the_shared_scan_pages_by_number() -> None:
    """due_for_retention returns numbers above ``after``, at most ``limit``."""
    old = datetime(2000, 1, 1, tzinfo=UTC)
    customers = {
        n: Customer(n, CustomerKind.PRIVATE, 10000 + n, "x", old, old) for n in range(1, 6)
    }
    scan = RetentionScan("AG1", NOW.date(), NOW.date(), {CustomerKind.PRIVATE: [IDLE]}, 2, 2)
    found = rules.due_for_retention(customers, lambda _n: [], scan)
    assert [3, 4] == found


def test_overflowing_periods_are_never_due() -> None:
    """A last change near year 9999 plus the period runs past the calendar: not due."""
    customer = _customer(datetime(9999, 1, 1, tzinfo=UTC))
    assert rules.retention_due(customer, [], [IDLE], date(9999, 12, 31)) is None
    assert rules.retention_threshold(IDLE, date(1, 6, 1)) is None
