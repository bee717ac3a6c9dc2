"""The change history: who changed what and when, field by field (GDPR Art. 5(2) and 16).

Every change the book makes writes entries in the same transaction as the change: one per
customer changed, one for a change of the settings, and for "Status setzen" on a selection one
summary entry (the selection, the flag, the count) besides the entries of the customers it
changed. Anonymization keeps the entries but removes the personal values from them: which
field changed, when and by whom stays; what it held does not.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

import attrs

from custmodel.errors import InvalidInputError
from custmodel.model._assembly import assembler
from custmodel.model._checks import (
    MAX_NUMBER,
    _aware,
    _limit,
    _non_negative,
    _optional_positive,
    _text,
    check_lookup_text,
    check_number,
    to_enum,
)
from custmodel.model._customer import PERSONAL_FIELDS
from custmodel.model._selection import Selection

__all__ = [
    "MAX_ACTOR_LENGTH",
    "FieldChange",
    "HistoryAction",
    "HistoryEntry",
    "HistoryQuery",
    "HistoryStamp",
    "check_actor",
    "is_personal_field",
]

#: The longest actor name an entry keeps (the merge records' limit).
MAX_ACTOR_LENGTH = 100


class HistoryAction(enum.StrEnum):
    """What happened. Entries of a customer carry the first group, entries of the book (no
    customer) the second."""

    REGISTERED = "registered"
    UPDATED = "updated"
    KIND_CHANGED = "kind_changed"
    TYPE_CHANGED = "type_changed"
    STATUS_SET = "status_set"
    STATUS_CLEARED = "status_cleared"
    BOOKING_RECORDED = "booking_recorded"
    BOOKING_CHANGED = "booking_changed"
    BOOKING_MOVED_IN = "booking_moved_in"
    BOOKING_MOVED_OUT = "booking_moved_out"
    MERGED = "merged"
    MERGED_INTO = "merged_into"
    ADVERTISING_CHANGED = "advertising_changed"
    ANONYMIZED = "anonymized"
    # -- the book's own entries (customer is None) --
    SETTINGS_CHANGED = "settings_changed"
    LABEL_CHANGED = "label_changed"
    STATUS_SET_ON_SELECTION = "status_set_on_selection"
    STATUS_CLEARED_ON_SELECTION = "status_cleared_on_selection"


#: The actions of entries that belong to no customer.
BOOK_ACTIONS = frozenset(
    {
        HistoryAction.SETTINGS_CHANGED,
        HistoryAction.LABEL_CHANGED,
        HistoryAction.STATUS_SET_ON_SELECTION,
        HistoryAction.STATUS_CLEARED_ON_SELECTION,
    }
)


def is_personal_field(field: str) -> bool:
    """Whether a change of ``field`` holds personal data (a customer's personal field, or one
    of its status flags, named ``status.N``)."""
    return field.split(".", 1)[0] in PERSONAL_FIELDS


def check_actor(actor: object) -> str | None:
    """Return ``actor`` if it can name who made a change: None, or one line of text.

    Raises:
        InvalidInputError: for anything else, or text longer than :data:`MAX_ACTOR_LENGTH`.
    """
    if actor is None:
        return None
    text = check_lookup_text(actor, "the actor")
    if not text.strip() or len(text) > MAX_ACTOR_LENGTH or "\n" in text:
        raise InvalidInputError(f"the actor is one line of 1 to {MAX_ACTOR_LENGTH} characters")
    return text


def _actor(_inst: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    check_actor(value)


def _timestamp(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, datetime):
        raise InvalidInputError(f"{attribute.name} must be a timezone-aware datetime")
    _aware(_inst, attribute, value)


def _optional_timestamp(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _timestamp(_inst, attribute, value)


def _action(value: object) -> HistoryAction:
    return to_enum(HistoryAction, value)


def _value(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise InvalidInputError(f"{attribute.name} of a field change is text or None")


def _changes(value: object) -> tuple[FieldChange, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        raise InvalidInputError("changes is a sequence of FieldChange")
    if not all(isinstance(c, FieldChange) for c in value):
        raise InvalidInputError("changes is a sequence of FieldChange")
    return tuple(value)


def _numbers(value: object) -> tuple[int, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple | set | frozenset):
        raise InvalidInputError("related is a sequence of customer numbers")
    return tuple(check_number(n, "a related customer number") for n in value)


def _optional_numbers(value: object) -> frozenset[int] | None:
    return None if value is None else frozenset(_numbers(value))


def _optional_selection(_inst: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Selection):
        raise InvalidInputError("the selection of an entry is a Selection or None")


@attrs.frozen
class FieldChange:
    """One field's old and new value, as text.

    Values are written the way the CLI shows them: text as it is, dates in ISO format, kinds and
    types by their value, None where the field was empty. A status flag is its own field,
    ``status.N``, going from ``"off"`` to ``"on"`` or back. After anonymization a personal
    field's change keeps its name with both values None.
    """

    field: str = attrs.field(validator=_text, metadata=_limit(120))
    old: str | None = attrs.field(default=None, validator=_value)
    new: str | None = attrs.field(default=None, validator=_value)

    @property
    def personal(self) -> bool:
        """Whether the values hold personal data (removed by anonymization)."""
        return is_personal_field(self.field)


@attrs.frozen(kw_only=True)
class HistoryEntry:
    """One recorded change.

    Attributes:
        id: Running id given by the store (0 before it is stored); orders the entries.
        at: When the change was made (aware, UTC): the time of its transaction.
        action: What happened.
        customer: The customer changed; None for the book's own entries (settings, labels and
            the summary of a bulk status run).
        actor: Who made the change, as the caller named them; None when not named.
        changes: The fields changed, with old and new value.
        operation: A key shared by the entries one bulk status run wrote: its summary entry
            and the entry of every customer it changed. None for other entries.
        count: The summary entry of a bulk run: how many customers changed.
        selection: The summary entry of a bulk run: the selection it ran on (its name and code
            filters removed once a customer it changed was anonymized).
        flag: The status flag a bulk run or a status entry set or cleared.
        reference: The booking of a booking entry.
        related: Other customers concerned: a merge's duplicates (on the master's entry), the
            master (on a duplicate's), the other customer of a moved booking.
        erased_at: When anonymization removed the personal values of this entry, or None.
    """

    id: int = attrs.field(default=0, validator=_non_negative)
    at: datetime = attrs.field(validator=_timestamp)
    action: HistoryAction = attrs.field(converter=_action)
    customer: int | None = attrs.field(default=None, validator=_optional_positive)
    actor: str | None = attrs.field(default=None, validator=_actor)
    changes: tuple[FieldChange, ...] = attrs.field(default=(), converter=_changes)
    operation: int | None = attrs.field(default=None, validator=_optional_positive)
    count: int | None = attrs.field(default=None)
    selection: Selection | None = attrs.field(default=None, validator=_optional_selection)
    flag: int | None = attrs.field(default=None, validator=_optional_positive)
    reference: str | None = attrs.field(default=None)
    related: tuple[int, ...] = attrs.field(default=(), converter=_numbers)
    erased_at: datetime | None = attrs.field(default=None, validator=_optional_timestamp)

    @count.validator
    def _check_count(self, _attribute: attrs.Attribute[int | None], value: int | None) -> None:
        if value is not None and (not isinstance(value, int) or value < 0):
            raise InvalidInputError("the count of an entry is a number of 0 or more")

    @property
    def is_book_entry(self) -> bool:
        """Whether the entry belongs to the book (settings, labels, bulk runs), not a customer."""
        return self.customer is None

    def change(self, field: str) -> FieldChange | None:
        """Return the change of ``field`` in this entry, or None if the field did not change."""
        return next((c for c in self.changes if c.field == field), None)


def _customer_copier() -> Callable[[HistoryEntry, int], HistoryEntry]:
    """Return ``copy(entry, customer)``, generated one line per field: ``entry`` with
    ``customer`` in its customer field, made by :func:`~custmodel.model._assembly.assembler`."""
    values = {
        f.name: "customer" if f.name == "customer" else f"entry.{f.name}"
        for f in attrs.fields(HistoryEntry)
    }
    copy: Callable[[HistoryEntry, int], HistoryEntry] = assembler(
        HistoryEntry, "entry, customer", values
    )
    return copy


_copy_for_customer: Final = _customer_copier()


def entry_for_customer(entry: HistoryEntry, customer: int) -> HistoryEntry:
    """Return ``entry`` as the entry of ``customer``, its other fields as they are.

    No check of an entry looks at two fields together, and ``entry`` was validated when it was
    built, so only the new customer number is checked: an erasure sweep writes the same entry
    for hundreds of customers a batch, and validating each cost it 3 µs a customer.

    Raises:
        InvalidInputError: ``customer`` is not a whole number from 1 to 2**63 - 1.
    """
    if (
        type(customer) is not int
        or not 1 <= customer <= MAX_NUMBER
        or type(entry) is not HistoryEntry
    ):
        return attrs.evolve(entry, customer=customer)
    return _copy_for_customer(entry, customer)


@attrs.frozen
class HistoryStamp:
    """What a store writes into the entry of every customer a bulk operation changes: the
    customers it registers, or those whose flag a status run sets or clears.

    Attributes:
        at: The operation's time.
        operation: A status run's key, shared with its summary entry; None for registrations.
        actor: Who made the change.
    """

    at: datetime = attrs.field(validator=_timestamp)
    operation: int | None = attrs.field(default=None, validator=_optional_positive)
    actor: str | None = attrs.field(default=None, validator=_actor)


@attrs.frozen(kw_only=True)
class HistoryQuery:
    """Which entries a store returns, ordered by id.

    Attributes:
        customers: Only the histories of these customers, each with the histories merged
            into it; None for every entry.
        book: Only the book's own entries (no customer); ignored with ``customers``.
        after: Only entries with a greater id (keyset pagination).
        limit: At most this many; None for all.
    """

    customers: frozenset[int] | None = attrs.field(default=None, converter=_optional_numbers)
    book: bool = False
    after: int = attrs.field(default=0, validator=_non_negative)
    limit: int | None = attrs.field(default=None)

    def matches(self, entry: HistoryEntry, owner: int | None) -> bool:
        """Whether ``entry``, part of ``owner``'s history (None for the book's entries), is
        one this query returns (before ``limit`` applies)."""
        if entry.id <= self.after:
            return False
        if self.customers is not None:
            return owner in self.customers
        return not self.book or entry.customer is None
