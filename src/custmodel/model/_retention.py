"""Retention rules: when a customer is due for anonymization without a request, and why."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import attrs

from custmodel.errors import InvalidInputError
from custmodel.model._checks import _date, _positive
from custmodel.model._kinds import CustomerKind

__all__ = [
    "MAX_RETENTION_PERIOD",
    "RetentionBasis",
    "RetentionReason",
    "RetentionRule",
    "RetentionScan",
    "SweepItem",
]

#: The longest retention period a rule may name, in its unit (months or years).
MAX_RETENTION_PERIOD = 1200


class RetentionBasis(enum.StrEnum):
    """What a retention rule measures.

    PROSPECT_IDLE: the customer has no firm booking and has not changed for N calendar
    months. LAST_DEPARTURE: the customer's latest firm booking departed more than N years ago
    and its firm bookings owe nothing.
    """

    PROSPECT_IDLE = "prospect_idle"
    LAST_DEPARTURE = "last_departure"

    @property
    def unit(self) -> str:
        """The unit of the rule's period: "months" or "years"."""
        return "months" if self is RetentionBasis.PROSPECT_IDLE else "years"


def _period(_inst: object, _attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError("a retention period must be a whole number")
    if not 1 <= value <= MAX_RETENTION_PERIOD:
        raise InvalidInputError(f"a retention period must be from 1 to {MAX_RETENTION_PERIOD}")


def _basis(value: object) -> RetentionBasis:
    try:
        return RetentionBasis(str(value))
    except ValueError:
        raise InvalidInputError("unknown retention basis") from None


@attrs.frozen
class RetentionRule:
    """A rule that makes customers of a kind due for anonymization without a request.

    Attributes:
        basis: What the rule measures (:class:`RetentionBasis`).
        period: How long: months for PROSPECT_IDLE, years for LAST_DEPARTURE.
    """

    basis: RetentionBasis = attrs.field(converter=_basis)
    period: int = attrs.field(validator=_period)

    @classmethod
    def prospect_idle(cls, months: int) -> RetentionRule:
        """No firm booking at all and no change for more than ``months`` calendar months."""
        return cls(RetentionBasis.PROSPECT_IDLE, months)

    @classmethod
    def last_departure(cls, years: int) -> RetentionRule:
        """Latest firm departure more than ``years`` years ago, and nothing owed."""
        return cls(RetentionBasis.LAST_DEPARTURE, years)

    def explain(self) -> str:
        """One line for a person, e.g. "last departure more than 10 years ago, nothing owed"."""
        if self.basis is RetentionBasis.PROSPECT_IDLE:
            return f"no firm booking and no change for more than {self.period} months"
        return f"last departure more than {self.period} years ago and nothing owed"


def retention_rules(value: Iterable[RetentionRule]) -> tuple[RetentionRule, ...]:
    """Return ``value`` as the retention rules of a kind: RetentionRule objects, no basis twice.

    Raises:
        InvalidInputError: for anything else.
    """
    if isinstance(value, str | bytes | RetentionRule) or not isinstance(value, Iterable):
        raise InvalidInputError("retention must be a list of retention rules")
    result = tuple(value)
    for rule in result:
        if not isinstance(rule, RetentionRule):
            raise InvalidInputError("retention must be a list of RetentionRule objects")
    if len({rule.basis for rule in result}) != len(result):
        raise InvalidInputError("a kind has at most one retention rule of each basis")
    return result


@attrs.frozen
class RetentionReason:
    """Why a customer is due for anonymization without a request.

    Attributes:
        rule: The retention rule of its kind that holds.
        since: The first day on which the rule held.
    """

    rule: RetentionRule
    since: date = attrs.field(validator=_date)

    def explain(self) -> str:
        """One line for a person: the rule and since when it holds."""
        return f"{self.rule.explain()} (since {self.since.isoformat()})"


@attrs.frozen
class SweepItem:
    """A customer an erasure sweep found due, and why.

    Attributes:
        number: The customer number.
        request: The id of its open erasure request, if a request made it due.
        retention: The retention rule that made it due, if no request did.
    """

    number: int = attrs.field(validator=_positive)
    request: int | None = None
    retention: RetentionReason | None = None

    def __attrs_post_init__(self) -> None:
        if (self.request is None) == (self.retention is None):
            raise InvalidInputError("a sweep item is due either by a request or by retention")

    def explain(self) -> str:
        """One line for a person: "erasure request 7" or the retention rule."""
        if self.retention is not None:
            return "retention: " + self.retention.explain()
        return f"erasure request {self.request}"


@attrs.frozen
class RetentionScan:
    """One page of the search for customers a retention rule makes due (R9).

    What a store's ``due_retention`` and :func:`custmodel.rules.due_for_retention` answer.

    Attributes:
        acting_agency: The agency that would anonymize.
        cutoff: The last departure that no longer blocks (``day`` minus the anonymization
            delay), as for erasure requests.
        day: The day the rules are checked for.
        retention: The rules per customer kind; a kind without rules has nobody due.
        after: The keyset: only customers with a greater number.
        limit: At most this many numbers.
    """

    acting_agency: str
    cutoff: date
    day: date
    retention: Mapping[CustomerKind, Sequence[RetentionRule]]
    after: int = 0
    limit: int = 100
