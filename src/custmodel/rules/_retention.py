"""Retention rules: which customers are due for anonymization without a request (R9)."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, timedelta

from custmodel.model._booking import Booking
from custmodel.model._customer import Customer
from custmodel.model._retention import (
    RetentionBasis,
    RetentionReason,
    RetentionRule,
    RetentionScan,
)
from custmodel.rules._erasure import erasure_due

__all__ = ["due_for_retention", "months_after", "retention_due", "retention_threshold"]

_DAY = timedelta(days=1)


def months_after(day: date, months: int) -> date:
    """The same day ``months`` calendar months later, or that month's last day (Jan 31 -> Feb 28).

    Raises:
        OverflowError: past the year 9999.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _months(rule: RetentionRule) -> int:
    return rule.period if rule.basis is RetentionBasis.PROSPECT_IDLE else 12 * rule.period


def _since(rule: RetentionRule, measured: date, today: date) -> RetentionReason | None:
    """The reason if ``measured`` lies more than the rule's period before ``today``."""
    try:
        limit = months_after(measured, _months(rule))
    except OverflowError:
        return None
    return RetentionReason(rule, limit + _DAY) if limit < today else None


def retention_due(
    customer: Customer,
    bookings: Iterable[Booking],
    rules: Iterable[RetentionRule],
    today: date,
) -> RetentionReason | None:
    """Which of its kind's retention ``rules`` makes ``customer`` due on ``today``, if any.

    PROSPECT_IDLE holds when the customer has no firm booking at all and its last change
    (``updated_at``, as a UTC day) lies more than the rule's months before ``today``.
    LAST_DEPARTURE holds when the customer has firm bookings, the latest departure of them lies
    more than the rule's years before ``today``, and their open amounts add up to zero. "More
    than N months before" counts calendar months as the one-month answer date of a request
    does: the day N months after, clamped to the month's end, lies before ``today``. Offers
    never count. A tombstone or an anonymized customer is never due.

    The eligibility rules of R9 still apply on top: see :func:`anonymization_eligibility`.

    Returns:
        The rule that holds and the first day it held, or None.
    """
    if not customer.is_active or customer.is_anonymized:
        return None
    firm = [b for b in bookings if b.is_firm]
    for rule in rules:
        if rule.basis is RetentionBasis.PROSPECT_IDLE:
            reason = (
                None if firm else _since(rule, customer.updated_at.astimezone(UTC).date(), today)
            )
        elif firm and sum(b.open_amount for b in firm) == 0:
            reason = _since(rule, max(b.departure for b in firm), today)
        else:
            reason = None
        if reason is not None:
            return reason
    return None


def retention_threshold(rule: RetentionRule, today: date) -> date | None:
    """The latest day that lies more than the rule's period before ``today``.

    The measured day (last change, latest departure) satisfies ``rule`` on ``today`` exactly
    when it is on or before this day: the form a store's query asks it in. None when no day
    does (``today`` is too close to year 1).
    """
    months = _months(rule)
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    if year < 1:
        return None
    day = date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))
    # Clamping to a month's end makes several days map to one: step to the exact boundary.
    while months_after(day, months) >= today:
        if day == date.min:
            return None
        day -= _DAY
    while months_after(day + _DAY, months) < today:
        day += _DAY
    return day


def due_for_retention(
    customers: Mapping[int, Customer],
    bookings_of: Callable[[int], Iterable[Booking]],
    scan: RetentionScan,
) -> list[int]:
    """The customers due by retention (R9): the shared scan behind a store's ``due_retention``.

    For the stores that have no query language for the rule (the SQL store asks it set-based,
    and the contract suite checks that both agree with :func:`retention_due`). Active, not
    anonymized customers for whom a retention rule of their kind holds on the scan's ``day``
    and for whom :func:`erasure_due` holds by its ``cutoff``; numbers greater than its
    ``after``, ascending, at most ``limit`` of them. See
    :meth:`custmodel.storage.StoreTransaction.due_retention`.
    """
    kinds = {kind: tuple(rules) for kind, rules in scan.retention.items() if rules}
    if scan.limit < 1 or not kinds:
        return []
    due: list[int] = []
    for number in sorted(n for n in customers if n > scan.after):
        customer = customers[number]
        rules = kinds.get(customer.kind)
        if not rules or not customer.is_active or customer.is_anonymized:
            continue
        bookings = list(bookings_of(number))
        if retention_due(customer, bookings, rules, scan.day) and erasure_due(
            bookings, scan.acting_agency, scan.cutoff
        ):
            due.append(number)
            if len(due) == scan.limit:
                break
    return due
