""" "Not a duplicate" marks: two customers a person checked and found to be different parties.

A mark holds the two customer numbers, when it was set and, if the caller says, who set it (a
user id of the host application): no name, address or other personal data, so anonymizing
either customer leaves it as it is. Every later duplicate search leaves the pair out, and a
merge carries the marks of its duplicates over to the master (:func:`marks_after_merge`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

import attrs

from custmodel.errors import InvalidInputError
from custmodel.model import MAX_NUMBER, check_number

__all__ = ["DistinctMark", "check_actor", "distinct_pair", "marks_after_merge"]

#: The longest actor id a mark keeps (as the merge audit's ``actor``).
MAX_ACTOR_LENGTH = 100


def distinct_pair(first: object, second: object) -> tuple[int, int]:
    """Return two customer numbers as a mark holds them: the lower first.

    Raises:
        InvalidInputError: a value is no customer number, or both are the same.
    """
    a = check_number(first, "customer number")
    b = check_number(second, "customer number")
    if a == b:
        raise InvalidInputError(f"customer {a} cannot be marked distinct from itself")
    return (a, b) if a < b else (b, a)


def _number(_inst: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_NUMBER:
        raise InvalidInputError(f"{attribute.name} must be a whole number from 1 to 2**63 - 1")


def _above_low(inst: DistinctMark, attribute: attrs.Attribute[Any], value: int) -> None:
    _number(inst, attribute, value)
    if value <= inst.low:
        raise InvalidInputError("a distinct mark holds two different numbers, the lower first")


def _aware(_inst: object, attribute: attrs.Attribute[Any], value: datetime) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError(f"{attribute.name} must be a timezone-aware datetime")


def check_actor(value: object) -> str | None:
    """Return ``value`` if a mark can record it as its actor: None, or a one-line user id.

    Raises:
        InvalidInputError: for anything else.
    """
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError("actor is a user id (not empty), or None")
    if len(value) > MAX_ACTOR_LENGTH or any(ch < " " or "\x7f" <= ch <= "\x9f" for ch in value):
        raise InvalidInputError(
            f"actor is one line of at most {MAX_ACTOR_LENGTH} characters without control characters"
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError("actor must be text a store can hold") from None
    return value


def _actor(_inst: object, _attribute: attrs.Attribute[Any], value: str | None) -> None:
    check_actor(value)


@attrs.frozen
class DistinctMark:
    """Two customers a person marked as different parties ("not a duplicate").

    Attributes:
        low: The lower customer number.
        high: The higher customer number.
        marked_at: When the mark was set (aware, UTC).
        actor: Who set it, if the caller said (a user id of the host application).
    """

    low: int = attrs.field(validator=_number)
    high: int = attrs.field(validator=_above_low)
    marked_at: datetime = attrs.field(validator=_aware)
    actor: str | None = attrs.field(default=None, validator=_actor, metadata={"max_length": 100})

    @property
    def pair(self) -> tuple[int, int]:
        """The two numbers, lower first: what a duplicate search is told to leave apart."""
        return (self.low, self.high)


def marks_after_merge(
    marks: Iterable[DistinctMark], master: int, duplicates: Collection[int]
) -> tuple[list[tuple[int, int]], list[DistinctMark]]:
    """What merging ``duplicates`` into ``master`` does to the marks naming any of them.

    A mark between a duplicate D and another customer Y becomes one between the master and Y:
    whoever told D and Y apart told the master and Y apart, since D is the master now. A mark
    between two of the merged customers (the master and a duplicate, or two duplicates) is
    dropped: the user merged them after all. A mark the master holds already stays as it is;
    of several duplicates' marks for the same customer, the oldest moves.

    Args:
        marks: At least every mark naming the master or a duplicate; others are ignored.
        master: The surviving customer.
        duplicates: The customers merged into it.

    Returns:
        The pairs whose marks to remove, and the marks to add, both in number order.
    """
    group = {master, *duplicates}
    involved = sorted(
        (m for m in marks if m.low in group or m.high in group),
        key=lambda m: (m.marked_at, m.low, m.high),
    )
    held = {m.pair for m in involved if master in m.pair and not group.issuperset(m.pair)}
    removed: list[tuple[int, int]] = []
    moved: dict[tuple[int, int], DistinctMark] = {}
    for mark in involved:
        if group.issuperset(mark.pair):
            removed.append(mark.pair)
        elif master not in mark.pair:
            removed.append(mark.pair)
            other = mark.high if mark.low in group else mark.low
            low, high = distinct_pair(master, other)
            if (low, high) not in held and (low, high) not in moved:
                moved[low, high] = attrs.evolve(mark, low=low, high=high)
    return sorted(removed), sorted(moved.values(), key=lambda m: m.pair)
