"""Settings per customer kind: categories, status flag labels, debtor ranges, template customer,
fees.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

from custmodel.errors import InvalidInputError, InvalidSettingsError, InvalidStatusFlagError
from custmodel.model._checks import (
    _CONTROL_OR_SURROGATE,
    MAX_CATEGORIES,
    MAX_LABEL_LENGTH,
    _bool,
    _debtor_part,
    _delay,
    _limit,
    _non_empty,
    _optional_positive,
    cents,
)
from custmodel.model._flags import check_flag_number
from custmodel.model._kinds import CustomerKind, _kind
from custmodel.model._retention import RetentionRule, retention_rules

__all__ = ["KindSettings", "Settings"]


def _labels(value: Mapping[int, str]) -> dict[int, str]:
    labels: dict[int, str] = {}
    if not isinstance(value, Mapping):
        raise InvalidSettingsError("status labels map flag numbers to labels")
    for flag, label in dict(value).items():
        check_flag_number(flag)
        if not isinstance(label, str) or not label.strip():
            raise InvalidStatusFlagError(f"status flag {flag} needs a non-empty label")
        if _CONTROL_OR_SURROGATE.search(label):
            raise InvalidSettingsError(f"the label of flag {flag} has control characters")
        if len(label) > MAX_LABEL_LENGTH:
            raise InvalidSettingsError(
                f"the label of flag {flag} is longer than {MAX_LABEL_LENGTH} characters"
            )
        labels[flag] = label
    return dict(sorted(labels.items()))


def _categories(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidInputError("categories must be a list of texts, not one text")
    result = tuple(value)
    if len(result) > MAX_CATEGORIES:
        raise InvalidSettingsError(f"a kind has at most {MAX_CATEGORIES} categories")
    for category in result:
        if not isinstance(category, str) or not category.strip():
            raise InvalidInputError("a category must be non-empty text")
        if _CONTROL_OR_SURROGATE.search(category):
            raise InvalidSettingsError("a category must not contain control characters")
        if len(category) > MAX_LABEL_LENGTH:
            raise InvalidInputError(f"a category is at most {MAX_LABEL_LENGTH} characters long")
    if len(set(result)) != len(result):
        raise InvalidInputError("categories of a kind must be distinct")
    return result


def _dunning_fee(value: Decimal | int | str) -> Decimal:
    return cents(value, "dunning_fee")


@attrs.frozen
class KindSettings:
    """Per-kind parameters (Jack: "Datei – Parameter – Parameter Kunden").

    Attributes:
        categories: The categories a customer of this kind may have (any number).
        status_labels: Flag number -> label. Only labelled flags can be set on customers.
        code1_label: What the kind calls the searchable free field Code1.
        code2_label: What the kind calls the free field Code2.
        debtor_offset: Added to the settings' base and the customer number.
        debtor_min: Lowest debtor account this kind may use, if restricted.
        debtor_max: Highest debtor account this kind may use, if restricted.
        template_customer: Number of the template customer (Stammkunde) whose commission and fee
            rules apply to every customer of this kind without own rules.
        dunning_fee: Mahngebühr in EUR.
        deposit_prompt: Ask for a deposit after the first capture of a firm booking.
        renumber_on_kind_change: Recompute the debtor account with the new kind's offset when a
            customer of this kind changes kind. Only the PROSPECT kind's switch is read (Jack's
            "neue Nummernvergabe bei Änderung der Kundenart"); other kinds keep accounts (R4).
        retention: The retention rules that make customers of this kind due for anonymization
            without a request (at most one of each :class:`RetentionBasis`); none by default.
    """

    categories: tuple[str, ...] = attrs.field(default=(), converter=_categories)
    status_labels: dict[int, str] = attrs.field(factory=dict, converter=_labels, hash=False)
    code1_label: str = attrs.field(default="Code1", validator=_non_empty, metadata=_limit(255))
    code2_label: str = attrs.field(default="Code2", validator=_non_empty, metadata=_limit(255))
    debtor_offset: int = attrs.field(default=0, validator=_debtor_part)
    debtor_min: int | None = attrs.field(default=None, validator=_optional_positive)
    debtor_max: int | None = attrs.field(default=None, validator=_optional_positive)
    template_customer: int | None = attrs.field(default=None, validator=_optional_positive)
    dunning_fee: Decimal = attrs.field(default=Decimal("0.00"), converter=_dunning_fee)
    deposit_prompt: bool = attrs.field(default=False, validator=_bool)
    renumber_on_kind_change: bool = attrs.field(default=False, validator=_bool)
    retention: tuple[RetentionRule, ...] = attrs.field(default=(), converter=retention_rules)

    def __attrs_post_init__(self) -> None:
        if (
            self.debtor_min is not None
            and self.debtor_max is not None
            and self.debtor_min > self.debtor_max
        ):
            raise InvalidInputError("debtor_min must not exceed debtor_max")

    def label(self, flag: int) -> str | None:
        """Return the label of ``flag``, or None when the flag is unlabelled."""
        return self.status_labels.get(check_flag_number(flag))


def _kinds(value: Mapping[CustomerKind, KindSettings]) -> dict[CustomerKind, KindSettings]:
    given = {_kind(k): v for k, v in dict(value).items()}
    for kind_settings in given.values():
        if not isinstance(kind_settings, KindSettings):
            raise InvalidInputError("kind settings must be KindSettings objects")
    return {kind: given.get(kind, KindSettings()) for kind in CustomerKind}


@attrs.frozen
class Settings:
    """Settings of one customer book. ``Settings()`` gives Jack's defaults.

    Attributes:
        debtor_base: First part of every debtor account (Jack: 10000 in Germany).
        anonymization_delay_days: Days after departure before a firm booking stops blocking
            anonymization (TSmart: 6 weeks).
        kinds: Settings per customer kind; every kind is present.
    """

    debtor_base: int = attrs.field(default=10000, validator=_debtor_part)
    anonymization_delay_days: int = attrs.field(default=42, validator=_delay)
    kinds: dict[CustomerKind, KindSettings] = attrs.field(
        factory=dict, converter=_kinds, hash=False
    )

    def kind(self, kind: CustomerKind) -> KindSettings:
        """Return the settings of ``kind``."""
        return self.kinds[kind]

    def with_kind(self, kind: CustomerKind, kind_settings: KindSettings) -> Settings:
        """Return a copy with the settings of ``kind`` replaced."""
        return attrs.evolve(self, kinds={**self.kinds, kind: kind_settings})
