"""Changing customers and the book: updates, kind and type, status flags, settings (R1-R5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from custmodel import rules
from custmodel._usecases import _common
from custmodel._usecases._common import Clock
from custmodel.errors import (
    AnonymizedCustomerError,
    ConcurrentUpdateError,
    InvalidCategoryError,
    InvalidInputError,
    InvalidSettingsError,
)
from custmodel.model._checks import to_enum
from custmodel.model._customer import Customer
from custmodel.model._flags import StatusFlags
from custmodel.model._kinds import CustomerKind, CustomerType
from custmodel.model._profile import KindChange
from custmodel.model._selection import Selection
from custmodel.model._settings import KindSettings, Settings
from custmodel.storage.ports import StoreTransaction

#: Fields :meth:`CustomerBook.update` must not change; each has its own command.
FIXED_FIELDS = (
    "kind",
    "debtor_account",
    "created_at",
    "merged_into",
    "anonymized_at",
    "advertising_objections",
)

#: The settings :meth:`CustomerBook.update_settings` changes by name; kinds have ``per_kind``.
BOOK_SETTINGS = frozenset(a.name for a in attrs.fields(Settings)) - {"kinds"}
KIND_SETTINGS = frozenset(a.name for a in attrs.fields(KindSettings))


# -- settings ---------------------------------------------------------------------------------


def book_changes(changes: Mapping[str, Any]) -> None:
    """Refuse book-wide setting names that do not exist (``kinds`` change through per_kind)."""
    unknown = set(changes) - BOOK_SETTINGS
    if unknown:
        raise InvalidInputError(
            f"unknown book settings: {', '.join(sorted(unknown))} (kinds change through per_kind)"
        )


def kind_changes(
    per_kind: Mapping[CustomerKind, Mapping[str, Any]] | None,
) -> dict[CustomerKind, dict[str, Any]]:
    """Return ``per_kind`` with its kinds as members and checked field names.

    Raises:
        InvalidInputError: for something else than a mapping, an unknown kind or field name.
    """
    if per_kind is None:
        return {}
    if not isinstance(per_kind, Mapping):
        raise InvalidInputError("per_kind maps customer kinds to their settings changes")
    checked: dict[CustomerKind, dict[str, Any]] = {}
    for kind, fields in per_kind.items():
        if not isinstance(fields, Mapping):
            raise InvalidInputError("per_kind maps each kind to field names and new values")
        unknown = set(fields) - KIND_SETTINGS
        if unknown:
            raise InvalidInputError(
                f"unknown kind settings: {', '.join(sorted(map(str, unknown)))}"
            )
        checked[to_enum(CustomerKind, kind)] = dict(fields)
    return checked


def configure(tx: StoreTransaction, settings: Settings, *, replace: bool = True) -> Settings:
    """Validate and store ``settings`` over the stored ones.

    Without ``replace``, stored settings other than ``settings`` refuse the change.
    """
    stored = tx.get_settings(lock="update")
    if not replace and stored is not None and stored != settings:
        raise InvalidSettingsError("the store holds other settings already; nothing was changed")
    check_settings(tx, stored or Settings(), settings)
    tx.put_settings(settings)
    return settings


def update_settings(
    tx: StoreTransaction,
    changes: Mapping[str, Any],
    per_kind: Mapping[CustomerKind, Mapping[str, Any]],
) -> Settings:
    """Change the named fields of the stored settings (and of kinds) and store the result."""
    old = _common.settings_for_update(tx)
    new = attrs.evolve(old, **changes)
    for kind, fields in per_kind.items():
        new = new.with_kind(kind, attrs.evolve(new.kind(kind), **fields))
    check_settings(tx, old, new)
    tx.put_settings(new)
    return new


def check_settings(tx: StoreTransaction, old: Settings, new: Settings) -> None:
    """Refuse ``new`` settings whose template customers or dropped categories do not fit.

    Raises:
        TemplateCustomerError: a template customer that does not exist, is of another kind or
            was merged.
        InvalidCategoryError: a category removed from a kind's list is still carried.
    """
    for kind in CustomerKind:
        template = new.kind(kind).template_customer
        if template is not None:
            rules.check_template_customer(kind, tx.get_customer(template), template)
        kept = set(new.kind(kind).categories)
        for position, category in enumerate(old.kind(kind).categories, start=1):
            if category in kept:
                continue
            carriers = tx.count(Selection(kind=kind, category=category, include_merged=True))
            if carriers:
                # Named by its place in the list: a category is text a person typed.
                raise InvalidCategoryError(
                    f"category {position} of the {len(old.kind(kind).categories)} of kind "
                    f"{kind.value} is carried by {carriers} customers; move them to "
                    "another category first"
                )


def rename_status_label(
    tx: StoreTransaction, kind: CustomerKind, flag: int, label: str | None
) -> int:
    """Set, rename or delete a status label; return how many active customers carry the flag."""
    settings = _common.settings_for_update(tx)
    labels = dict(settings.kind(kind).status_labels)
    if label:
        labels[flag] = label
    else:
        labels.pop(flag, None)
    kind_settings = attrs.evolve(settings.kind(kind), status_labels=labels)
    tx.put_settings(settings.with_kind(kind, kind_settings))
    return tx.count(Selection(kind=kind, status_all=frozenset({flag})))


# -- customers --------------------------------------------------------------------------------


def update(tx: StoreTransaction, customer: Customer, *, now: Clock) -> Customer:
    """Store changed fields of ``customer`` if its version is still the stored one."""
    # The customer's state first: a merged or anonymized customer cannot change at all,
    # whatever else is wrong with the changes (a tombstone's last name is empty).
    stored = _common.active(tx, customer.number)
    if stored.is_anonymized:
        raise AnonymizedCustomerError(customer.number, "update")
    if customer.version != stored.version:
        raise ConcurrentUpdateError(customer.number, customer.version, stored.version)
    for field in FIXED_FIELDS:
        if getattr(customer, field) != getattr(stored, field):
            raise InvalidInputError(
                f"customer {customer.number}: {field} cannot be changed by update"
            )
    if not customer.last_name.strip():
        raise InvalidInputError(f"customer {customer.number}: last_name must not be empty")
    settings = _common.settings(tx)
    rules.check_category(settings, stored.kind, customer.category)
    rules.check_new_flags(settings, stored.kind, stored.status, customer.status)
    return tx.update_customers([attrs.evolve(customer, updated_at=now())])[0]


def change_kind(
    tx: StoreTransaction, number: int, kind: CustomerKind, *, keep_status: bool, now: Clock
) -> KindChange:
    """Give customer ``number`` another kind (R1); the result says what was dropped."""
    customer = _common.changeable(tx, number, "change kind")
    change = rules.change_kind(
        _common.settings(tx), customer, kind, keep_status=keep_status, now=now()
    )
    return _common.store_kind_change(tx, change)


def change_type(
    tx: StoreTransaction, number: int, customer_type: CustomerType, *, now: Clock
) -> Customer:
    """Give customer ``number`` another type (Kundentyp)."""
    customer = _common.changeable(tx, number, "change type")
    changed = attrs.evolve(customer, customer_type=customer_type, updated_at=now())
    return tx.update_customers([changed])[0]


def set_status(
    tx: StoreTransaction, selection: Selection, flag: int, on: bool, *, now: Clock
) -> int:
    """Set or clear ``flag`` on the active, not anonymized customers of ``selection`` (R2)."""
    at = now()
    if not on:
        return tx.set_status(selection, flag, on, at)
    # The labels are held until commit; the kinds are read without a lock, so each statement
    # sets the flag only on customers of a kind checked here: a customer whose kind changed
    # meanwhile, or one of another kind registered meanwhile, is left alone (the statement
    # re-checks the kind of each row it writes).
    settings = _common.settings(tx)
    kinds = [CustomerKind(k) for k in sorted(tx.kinds_in(selection))]
    for kind in kinds:
        rules.check_status(settings, kind, StatusFlags.of([flag]))
    if selection.kind is not None:
        return tx.set_status(selection, flag, on, at) if kinds else 0
    return sum(tx.set_status(attrs.evolve(selection, kind=kind), flag, on, at) for kind in kinds)
