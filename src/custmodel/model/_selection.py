"""A selection of customers: the filter of lists, exports, letters and "set status"."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from custmodel.model._channels import ContactChannel, _optional_channel
from custmodel.model._checks import _bool, _optional_bool, _optional_lookup, _text
from custmodel.model._customer import Customer, name_search_key, search_key
from custmodel.model._flags import StatusFlags, _flag_numbers, check_flag_number
from custmodel.model._kinds import CustomerKind, CustomerType, _optional_kind, _optional_type

__all__ = ["Selection"]


def _flag_set(value: Iterable[int]) -> frozenset[int]:
    return frozenset(check_flag_number(flag) for flag in _flag_numbers(value))


@attrs.frozen
class Selection:
    """Which customers an operation applies to. ``Selection()`` is "Alle Kunden".

    Filters combine with AND. Text filters take user text literally: ``%`` and ``_`` match only
    themselves.

    Attributes:
        kind: Only this kind.
        customer_type: Only this type.
        category: Only this category.
        status_all: Every one of these flag numbers is set.
        status_any: At least one of these flag numbers is set (ignored when empty).
        code1: Code1 equals this text exactly.
        code2: Code2 equals this text exactly.
        name: Last name, first name or company contains this text, ignoring case.
        anonymized: True for anonymized customers only, False to leave them out, None for both.
        include_merged: Also select merged duplicates (tombstones).
        advertising: Leave out customers who objected to advertising on this channel.
    """

    kind: CustomerKind | None = attrs.field(default=None, converter=_optional_kind)
    customer_type: CustomerType | None = attrs.field(default=None, converter=_optional_type)
    category: str | None = attrs.field(default=None, validator=_optional_lookup)
    status_all: frozenset[int] = attrs.field(default=frozenset(), converter=_flag_set)
    status_any: frozenset[int] = attrs.field(default=frozenset(), converter=_flag_set)
    code1: str | None = attrs.field(default=None, validator=_optional_lookup)
    code2: str | None = attrs.field(default=None, validator=_optional_lookup)
    name: str | None = attrs.field(default=None)
    anonymized: bool | None = attrs.field(default=None, validator=_optional_bool)
    include_merged: bool = attrs.field(default=False, validator=_bool)
    advertising: ContactChannel | None = attrs.field(default=None, converter=_optional_channel)

    @name.validator
    def _check_name(self, attribute: attrs.Attribute[str | None], value: str | None) -> None:
        if value is not None:
            _text(self, attribute, value)

    @property
    def status_all_bits(self) -> int:
        """``status_all`` as a bit mask."""
        return StatusFlags.of(self.status_all).bits

    @property
    def status_any_bits(self) -> int:
        """``status_any`` as a bit mask."""
        return StatusFlags.of(self.status_any).bits

    def matches(self, customer: Customer) -> bool:
        """Return True if ``customer`` is selected; the reference semantics for every store."""
        checks = (
            self.include_merged or customer.is_active,
            self.kind is None or customer.kind is self.kind,
            self.customer_type is None or customer.customer_type is self.customer_type,
            self.category is None or customer.category == self.category,
            customer.status.bits & self.status_all_bits == self.status_all_bits,
            not self.status_any or bool(customer.status.bits & self.status_any_bits),
            self.code1 is None or customer.code1 == self.code1,
            self.code2 is None or customer.code2 == self.code2,
            self.name is None or search_key(self.name) in name_search_key(customer),
            self.anonymized is None or customer.is_anonymized is self.anonymized,
            self.advertising is None or self.advertising not in customer.advertising_objections,
        )
        return all(checks)
