"""Merging duplicates: the limits, the plan, the report and the audit record."""

from __future__ import annotations

from collections.abc import Iterable, Sized
from datetime import datetime
from typing import Final

import attrs

from custmodel.errors import InvalidInputError
from custmodel.model._checks import _aware, _limit, _non_negative, _optional_non_empty, _positive
from custmodel.model._customer import Customer
from custmodel.model._flags import StatusFlags
from custmodel.model._kinds import CustomerKind

__all__ = [
    "MAX_MERGE_DUPLICATES",
    "MergePlan",
    "MergeRecord",
    "MergeReport",
    "check_merge_duplicates",
]


#: The most duplicates one merge takes. A merge record keeps them as one JSON text (a TEXT
#: column, 65,535 bytes on MariaDB); 1,000 numbers of up to 19 digits fit.
MAX_MERGE_DUPLICATES: Final = 1000


def check_merge_duplicates(value: object) -> None:
    """Refuse more than :data:`MAX_MERGE_DUPLICATES` duplicates for one merge.

    Raises:
        InvalidInputError: for more.
    """
    if isinstance(value, Sized) and len(value) > MAX_MERGE_DUPLICATES:
        raise InvalidInputError(f"a merge takes at most {MAX_MERGE_DUPLICATES} duplicates")


def _duplicates(value: Iterable[int]) -> tuple[int, ...]:
    numbers = tuple(value)
    check_merge_duplicates(numbers)
    return numbers


@attrs.frozen
class MergePlan:
    """Everything a merge would do (R8), computed without changing anything.

    Attributes:
        master: The surviving customer's number.
        duplicates: The duplicates, in the order given.
        bookings: References of the bookings that move to the master, ordered.
        retired_debtor_accounts: Duplicate number -> its debtor account, which retires.
        filled_fields: Master field -> number of the duplicate it would be filled from (with
            ``fill_blanks``).
        united_status: Flags the master would gain (with ``unite_status``).
        templates: Kinds whose template customer setting moves to the master.
        references: Registered host reference ("table.column" or name) -> rows it would move.
    """

    master: int
    duplicates: tuple[int, ...]
    bookings: tuple[str, ...] = ()
    retired_debtor_accounts: dict[int, int] = attrs.field(factory=dict, hash=False)
    filled_fields: dict[str, int] = attrs.field(factory=dict, hash=False)
    united_status: StatusFlags = attrs.field(factory=StatusFlags)
    templates: tuple[CustomerKind, ...] = ()
    references: dict[str, int] = attrs.field(factory=dict, hash=False)


@attrs.frozen
class MergeReport:
    """What a merge did.

    Attributes:
        plan: The plan that was applied.
        master: The master after the merge.
        bookings_moved: How many bookings now point to the master.
        merged_at: When (aware, UTC).
        references_moved: Registered host reference -> rows that now point to the master.
        record: The audit record the merge wrote.
    """

    plan: MergePlan
    master: Customer
    bookings_moved: int
    merged_at: datetime
    record: MergeRecord
    references_moved: dict[str, int] = attrs.field(factory=dict, hash=False)

    @property
    def retired_debtor_accounts(self) -> tuple[int, ...]:
        """The debtor accounts whose open items the ledger has to move to the master."""
        return tuple(self.plan.retired_debtor_accounts.values())


@attrs.frozen
class MergeRecord:
    """One merge as the audit keeps it: numbers, counts and who, never personal data.

    Attributes:
        id: Running number of the record, given by the store.
        merged_at: When the merge happened (aware, UTC).
        master: The surviving customer.
        duplicates: The customers merged into it, in the order given.
        bookings_moved: How many bookings moved to the master.
        references_moved: Host reference -> how many rows moved.
        actor: Who merged, if the caller said (a user id of the host application).
    """

    id: int
    merged_at: datetime = attrs.field(validator=_aware)
    master: int = attrs.field(validator=_positive)
    duplicates: tuple[int, ...] = attrs.field(converter=_duplicates)
    bookings_moved: int = attrs.field(validator=_non_negative)
    references_moved: dict[str, int] = attrs.field(factory=dict, hash=False)
    actor: str | None = attrs.field(
        default=None, validator=_optional_non_empty, metadata=_limit(100)
    )
