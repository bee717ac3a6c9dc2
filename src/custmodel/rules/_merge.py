"""R8: merging duplicates into a master: refusals, plan, filled master, tombstones."""

from __future__ import annotations

import collections
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import attrs

from custmodel.errors import (
    MergeRefusedError,
)
from custmodel.model._customer import PERSONAL_FIELDS, Customer, blank_value
from custmodel.model._flags import StatusFlags
from custmodel.model._kinds import CustomerKind
from custmodel.model._merge import MergePlan
from custmodel.model._requests import SubjectRequest
from custmodel.model._settings import Settings

__all__ = [
    "check_merge_numbers",
    "filled_master",
    "folded_erasure_requests",
    "folded_requests",
    "plan_merge",
    "tombstone",
]


_FILLABLE = (
    *(f for f in PERSONAL_FIELDS if f not in ("status", "category")),
    "commission_scheme",
    "fee_schedule",
)


def check_merge_numbers(master: int, duplicates: Sequence[int]) -> None:
    """Refuse a merge by its numbers alone: the master among the duplicates, one listed twice.

    :func:`plan_merge` asks this first; :meth:`custmodel.CustomerBook.merge` asks it before it
    reads a customer, so these refusals come before "not found".

    Raises:
        MergeRefusedError: naming the master, or the first duplicate listed more than once.
    """
    if master in duplicates:
        raise MergeRefusedError(f"customer {master} cannot be merged into itself")
    counts = collections.Counter(duplicates)
    twice = next((n for n in duplicates if counts[n] > 1), None)
    if twice is not None:
        raise MergeRefusedError(f"customer {twice} is listed twice as a duplicate")


def plan_merge(
    settings: Settings,
    master: Customer,
    duplicates: Sequence[Customer],
    booking_references: Iterable[str],
    *,
    fill_blanks: bool = False,
    unite_status: bool = False,
    references: dict[str, int] | None = None,
) -> MergePlan:
    """Plan merging ``duplicates`` into ``master`` (R8) without changing anything.

    Args:
        settings: The book's settings (for template customers and categories).
        master: The surviving customer.
        duplicates: The customers to retire, in the order their data fills blanks.
        booking_references: The references of the duplicates' bookings.
        fill_blanks: Plan to fill empty master fields from the duplicates, first one first.
        unite_status: Plan to give the master the status flags of duplicates of its kind.
        references: Host reference name -> how many rows would move.

    Raises:
        MergeRefusedError: no duplicates, master among them, a duplicate twice, a merged or
            anonymized customer, or a template customer whose setting cannot follow.
    """
    numbers = [d.number for d in duplicates]
    if not numbers:
        raise MergeRefusedError(f"merge into customer {master.number} names no duplicates")
    check_merge_numbers(master.number, numbers)
    seen = set(numbers)
    for customer in (master, *duplicates):
        if not customer.is_active:
            raise MergeRefusedError(
                f"customer {customer.number} was merged into customer {customer.merged_into} "
                "already"
            )
        if customer.is_anonymized:
            raise MergeRefusedError(f"customer {customer.number} is anonymized")
    templates: list[CustomerKind] = []
    for kind in CustomerKind:
        if settings.kind(kind).template_customer in seen:
            if master.kind is not kind:
                raise MergeRefusedError(
                    f"customer {settings.kind(kind).template_customer} is the template customer "
                    f"of kind {kind.value}; master {master.number} is of kind {master.kind.value}"
                )
            templates.append(kind)
    filled: dict[str, int] = {}
    if fill_blanks:
        for field in _FILLABLE:
            if getattr(master, field) in ("", None):
                for dup in duplicates:
                    if getattr(dup, field) not in ("", None):
                        filled[field] = dup.number
                        break
        if master.category is None:
            for dup in duplicates:
                if (
                    dup.category is not None
                    and dup.category in settings.kind(master.kind).categories
                ):
                    filled["category"] = dup.number
                    break
    united = StatusFlags()
    if unite_status:
        for dup in duplicates:
            if dup.kind is master.kind:
                united = united.union(dup.status)
        united = StatusFlags(united.bits & ~master.status.bits)
    return MergePlan(
        master=master.number,
        duplicates=tuple(numbers),
        bookings=tuple(sorted(booking_references)),
        retired_debtor_accounts={d.number: d.debtor_account for d in duplicates},
        filled_fields=filled,
        united_status=united,
        templates=tuple(templates),
        references=dict(references or {}),
    )


def filled_master(
    plan: MergePlan, master: Customer, duplicates: Sequence[Customer], now: datetime
) -> Customer:
    """Return the master as the plan leaves it: blanks filled, flags united."""
    by_number = {d.number: d for d in duplicates}
    changes: dict[str, Any] = {
        field: getattr(by_number[source], field) for field, source in plan.filled_fields.items()
    }
    if plan.united_status:
        changes["status"] = master.status.union(plan.united_status)
    if not changes:
        return master
    return attrs.evolve(master, updated_at=now, **changes)


def tombstone(duplicate: Customer, master: int, now: datetime) -> Customer:
    """Return what stays of a merged duplicate: number, kind, type, account and its master.

    A tombstone keeps no personal data (R8, R9): the master holds whatever survives.
    """
    changes: dict[str, Any] = {f: blank_value(f) for f in PERSONAL_FIELDS}
    changes["commission_scheme"] = None
    changes["fee_schedule"] = None
    # Its ledger of advertising choices moves to the master, and the objections with it.
    changes["advertising_objections"] = frozenset()
    return attrs.evolve(duplicate, merged_into=master, updated_at=now, **changes)


def folded_requests(
    open_requests: Sequence[SubjectRequest],
) -> tuple[SubjectRequest, tuple[int, ...]]:
    """Fold one customer's open requests of one kind (at least one) into the one that stays.

    A customer has at most one open request of a kind; a merge can bring it more. The first
    recorded (lowest id) stays, with the earliest receipt day of all, as a repeated request
    moves it (the one-month answer deadline runs from the first receipt). The others are
    absorbed into it, like a repeat that records nothing.

    Returns:
        The request that stays open, as it is to be stored, and the ids of the others.
    """
    kept = min(open_requests, key=lambda r: r.id)
    earliest = min(r.received_on for r in open_requests)
    if earliest < kept.received_on:
        kept = attrs.evolve(kept, received_on=earliest)
    return kept, tuple(sorted(r.id for r in open_requests if r.id != kept.id))


#: The name of :func:`folded_requests` from when erasure was the only kind of request.
folded_erasure_requests = folded_requests
