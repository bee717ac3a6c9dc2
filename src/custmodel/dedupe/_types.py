"""The finder's results: explained pairs, groups, entry-check candidates and lookup keys."""

from __future__ import annotations

from datetime import date

import attrs

__all__ = [
    "CandidateKeys",
    "Comparison",
    "DuplicateCandidate",
    "DuplicateGroup",
    "DuplicatePair",
]


@attrs.frozen
class Comparison:
    """How one field of two customers compared, and how much that weighed.

    Attributes:
        field: The field compared ("last_name", "first_name", "birth_date", "street",
            "postal_code", "city", "email", "phone").
        outcome: "exact", "similar", "sounds alike" (names), "close" (a birth date or postal
            code one typo, or a day/month swap, away), "differs" or "missing"; names that
            agreed crosswise (first name against last name) add ", swapped".
        weight: The log2 Bayes factor the outcome contributed: above 0 speaks for one party,
            below 0 against, 0 (a missing value) neither.
    """

    field: str
    outcome: str
    weight: float


@attrs.frozen
class DuplicatePair:
    """Two customers that look like the same party.

    Attributes:
        first: The lower customer number.
        second: The higher customer number.
        score: The probability that they are one party, 0..1.
        reasons: Why they matched, for a person to check ("same birth date", ...).
        comparisons: Every field compared, with its outcome and weight.
    """

    first: int
    second: int
    score: float
    reasons: tuple[str, ...]
    comparisons: tuple[Comparison, ...] = ()


@attrs.frozen
class DuplicateGroup:
    """Customers that are probably one party, with the pairs that link them.

    Attributes:
        customers: The customer numbers, ascending.
        score: The lowest score of the pairs that link the group.
        pairs: The matched pairs, best first.
    """

    customers: tuple[int, ...]
    score: float
    pairs: tuple[DuplicatePair, ...]

    @property
    def master(self) -> int:
        """The suggested master: the oldest customer, whose number is most widely known."""
        return self.customers[0]

    @property
    def duplicates(self) -> tuple[int, ...]:
        """The others, ready for ``CustomerBook.plan_merge(group.master, group.duplicates)``."""
        return self.customers[1:]


@attrs.frozen
class DuplicateCandidate:
    """An existing customer that probably is the party being entered.

    Attributes:
        number: The existing customer's number.
        score: The probability that it is the same party, 0..1.
        comparisons: Every field compared, with its outcome and weight.
        reasons: Why it matched, for a person to check.
    """

    number: int
    score: float
    comparisons: tuple[Comparison, ...]
    reasons: tuple[str, ...]


@attrs.frozen
class CandidateKeys:
    """What a store looks up to find the candidates of an entry check.

    A customer that shares none of these keys with the draft is not worth comparing.

    Attributes:
        emails: E-mail addresses, lower-cased.
        birth_dates: Birth dates.
        postal_codes: Postal codes.
        name_keys: Last and first name, each folded by :func:`custmodel.model.search_key`,
            so a customer entered with the names swapped is found too.
        phones: Phone numbers as typed.
    """

    emails: tuple[str, ...] = ()
    birth_dates: tuple[date, ...] = ()
    postal_codes: tuple[str, ...] = ()
    name_keys: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
