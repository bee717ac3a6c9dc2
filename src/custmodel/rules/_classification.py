"""R1, R2 and R4's prospects: categories and status flags per kind, kind changes, and a
prospect's conversion at its first firm booking.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from custmodel.errors import (
    InvalidCategoryError,
    InvalidInputError,
    InvalidStatusFlagError,
    TemplateCustomerError,
)
from custmodel.model._booking import Booking
from custmodel.model._customer import Customer
from custmodel.model._flags import StatusFlags
from custmodel.model._kinds import CustomerKind
from custmodel.model._profile import KindChange
from custmodel.model._settings import Settings
from custmodel.rules._numbering import check_debtor_range, debtor_account

__all__ = [
    "change_kind",
    "check_category",
    "check_new_flags",
    "check_status",
    "convert_prospect",
    "labelled_bits",
]


def check_category(settings: Settings, kind: CustomerKind, category: str | None) -> None:
    """Check that ``category`` may be given to a customer of ``kind`` (None always may).

    Raises:
        InvalidCategoryError: if the category is not in the kind's list.
    """
    if category is not None and category not in settings.kind(kind).categories:
        # The category itself stays out of the message: it can describe the person (R9).
        raise InvalidCategoryError(f"the category is not in the list of kind {kind.value}")


def check_status(settings: Settings, kind: CustomerKind, status: StatusFlags) -> None:
    """Check that every flag in ``status`` has a label on ``kind`` (R2).

    Raises:
        InvalidStatusFlagError: naming the first unlabelled flag.
    """
    labels = settings.kind(kind).status_labels
    for flag in status:
        if flag not in labels:
            raise InvalidStatusFlagError(
                f"status flag {flag} has no label on kind {kind.value}; label it first"
            )


def labelled_bits(settings: Settings, kind: CustomerKind) -> int:
    """The status bits of the flags labelled on ``kind``: the flags its customers may get."""
    bits = 0
    for flag in settings.kind(kind).status_labels:
        bits |= 1 << (flag - 1)
    return bits


def check_new_flags(
    settings: Settings, kind: CustomerKind, before: StatusFlags, after: StatusFlags
) -> None:
    """Check the flags ``after`` sets that ``before`` did not: each needs a label.

    Flags a customer already carries may stay unlabelled (a deleted label never touches
    customers, R2), so only newly set flags are checked.
    """
    check_status(settings, kind, StatusFlags(after.bits & ~before.bits))


def change_kind(
    settings: Settings,
    customer: Customer,
    new_kind: CustomerKind,
    *,
    keep_status: bool = False,
    now: datetime,
) -> KindChange:
    """Change the kind of ``customer`` (R1, R4) and say what was dropped.

    A category not in the new kind's list is dropped; status flags are dropped unless
    ``keep_status``. The debtor account stays, except for a prospect whose kind's
    ``renumber_on_kind_change`` is on: then it is recomputed with the new kind's offset.
    Uniqueness of a recomputed account is the store's to check.

    Raises:
        TemplateCustomerError: if the customer is its kind's template customer.
        DebtorAccountError: if a recomputed account lies outside the new kind's range.
    """
    old_kind = customer.kind
    if settings.kind(old_kind).template_customer == customer.number and new_kind is not old_kind:
        raise TemplateCustomerError(
            f"customer {customer.number} is the template customer of kind {old_kind.value}; "
            "name another template customer first"
        )
    account = customer.debtor_account
    # Only a prospect is renumbered (R4): any later kind change keeps the debtor account.
    if (
        old_kind is CustomerKind.PROSPECT
        and new_kind is not old_kind
        and settings.kind(old_kind).renumber_on_kind_change
    ):
        account = debtor_account(settings, new_kind, customer.number)
        check_debtor_range(settings, new_kind, account)
    category = customer.category
    dropped_category = None
    if category is not None and category not in settings.kind(new_kind).categories:
        dropped_category, category = category, None
    status = customer.status
    dropped_status = StatusFlags()
    if new_kind is not old_kind and not keep_status:
        dropped_status, status = status, StatusFlags()
    changed = attrs.evolve(
        customer,
        kind=new_kind,
        debtor_account=account,
        category=category,
        status=status,
        updated_at=now,
    )
    return KindChange(
        customer=changed,
        old_kind=old_kind,
        new_kind=new_kind,
        dropped_category=dropped_category,
        dropped_status=dropped_status,
        old_debtor_account=customer.debtor_account,
        new_debtor_account=account,
    )


def convert_prospect(
    settings: Settings,
    customer: Customer,
    booking: Booking,
    *,
    target: CustomerKind = CustomerKind.PRIVATE,
    keep_status: bool = False,
    now: datetime,
) -> KindChange | None:
    """Turn a prospect into a customer at its first firm booking (R4); None if nothing to do.

    An offer never converts; a customer who is no prospect is not touched.

    Raises:
        InvalidInputError: if ``target`` is PROSPECT.
    """
    if target is CustomerKind.PROSPECT:
        raise InvalidInputError("a prospect converts into a customer of another kind")
    if customer.kind is not CustomerKind.PROSPECT or not booking.is_firm:
        return None
    return change_kind(settings, customer, target, keep_status=keep_status, now=now)
