"""What the classification and template rules return: effective rules, kind changes, the customer
profile, dunning fields and letters.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from custmodel.errors import InvalidInputError
from custmodel.model._checks import _limit, _non_empty, _optional_non_empty, _positive, _text
from custmodel.model._customer import Customer
from custmodel.model._flags import StatusFlags, check_flag_number
from custmodel.model._kinds import CustomerKind, CustomerType, _kind, _type

__all__ = [
    "CustomerProfile",
    "EffectiveRules",
    "KindChange",
    "LabelledCode",
    "Letter",
    "MergeDataWritten",
    "MoneyField",
    "ProfileFlag",
    "RuleOrigin",
    "RuleSource",
]


class RuleOrigin(enum.StrEnum):
    """Where an effective rule comes from."""

    OWN = "own"
    TEMPLATE = "template"
    NONE = "none"


@attrs.frozen
class RuleSource:
    """An effective rule id and where it comes from.

    Attributes:
        rule: The rule set id, or None.
        origin: OWN, TEMPLATE or NONE.
        template_customer: The template customer's number when the origin is TEMPLATE.
    """

    rule: str | None
    origin: RuleOrigin
    template_customer: int | None = None

    def __str__(self) -> str:
        if self.origin is RuleOrigin.TEMPLATE:
            return f"{self.rule} (template {self.template_customer})"
        if self.origin is RuleOrigin.OWN:
            return f"{self.rule} (own)"
        return "none"


@attrs.frozen
class EffectiveRules:
    """The commission scheme and fee schedule that apply to a customer (R5).

    Attributes:
        customer: The customer's number.
        commission_scheme: Effective commission scheme and its source.
        fee_schedule: Effective fee schedule and its source.
    """

    customer: int
    commission_scheme: RuleSource
    fee_schedule: RuleSource


@attrs.frozen
class KindChange:
    """What changing a customer's kind did (R1, R4).

    Attributes:
        customer: The customer after the change.
        old_kind: Kind before.
        new_kind: Kind after.
        dropped_category: The category that is not in the new kind's list, if any.
        dropped_status: Flags removed because the caller did not ask to keep them.
        old_debtor_account: Account before.
        new_debtor_account: Account after (differs only for a renumbered prospect).
    """

    customer: Customer
    old_kind: CustomerKind
    new_kind: CustomerKind
    dropped_category: str | None
    dropped_status: StatusFlags
    old_debtor_account: int
    new_debtor_account: int

    @property
    def renumbered(self) -> bool:
        """True if the debtor account changed."""
        return self.old_debtor_account != self.new_debtor_account


@attrs.frozen
class MoneyField:
    """A money amount for mail merge: exact and formatted for de_DE.

    Attributes:
        amount: The exact amount, EUR with two decimals.
        text: The amount as a German letter prints it, e.g. ``"1.234,50 €"``.
    """

    amount: Decimal
    text: str

    def __str__(self) -> str:
        return self.text


def _flag(_inst: object, _attribute: attrs.Attribute[Any], value: int) -> None:
    check_flag_number(value)


def _optional_label(_inst: object, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidInputError(f"{attribute.name} must be None or non-empty text")


@attrs.frozen
class ProfileFlag:
    """One status flag as a customer's profile shows it (R2).

    Attributes:
        number: The flag number (1..32), which selections use.
        label: The label the customer's kind gives the flag; None for a flag the customer still
            carries although its label was deleted: it is shown by number, never hidden.
        is_set: True if the customer carries the flag.
    """

    number: int = attrs.field(validator=_flag)
    label: str | None = attrs.field(default=None, validator=_optional_label)
    is_set: bool = False


@attrs.frozen
class LabelledCode:
    """Code1 or Code2 of a customer under the label of its kind (R3).

    Attributes:
        field: ``"code1"`` or ``"code2"``, the name selections use.
        label: The kind's label for the field ("Code1"/"Code2" unless configured).
        value: The customer's text, empty when the field is empty.
    """

    field: str = attrs.field(validator=attrs.validators.in_(("code1", "code2")))
    label: str = attrs.field(validator=_non_empty, metadata=_limit(255))
    value: str = attrs.field(default="", validator=_text, metadata=_limit(255))


def _profile_flags(value: Iterable[ProfileFlag]) -> tuple[ProfileFlag, ...]:
    flags = tuple(value)
    if not all(isinstance(flag, ProfileFlag) for flag in flags):
        raise InvalidInputError("the flags of a profile are ProfileFlag objects")
    numbers = [flag.number for flag in flags]
    if numbers != sorted(set(numbers)):
        raise InvalidInputError("the flags of a profile are ordered by number, each once")
    return flags


@attrs.frozen
class CustomerProfile:
    """A customer's classification as a person reads it: Jack's "Attribute" card.

    Status flags and codes carry the labels of the customer's kind; selections and statistics
    keep using numbers and field names (R2, R3).

    Attributes:
        number: The customer number (the master's, when a merged number was asked for).
        kind: Kundenart.
        customer_type: Kundentyp.
        debtor_account: The debtor account.
        category: The category, or None.
        flags: Every flag that is labelled on the kind or set on the customer, by number: the
            card's check boxes, plus flags whose label was deleted while customers carry them.
        code1: Code1 under its label.
        code2: Code2 under its label.
        anonymized: True for an anonymized customer (whose category, flags and codes are
            blank).
    """

    number: int = attrs.field(validator=_positive)
    kind: CustomerKind = attrs.field(converter=_kind)
    customer_type: CustomerType = attrs.field(converter=_type)
    debtor_account: int = attrs.field(validator=_positive)
    code1: LabelledCode
    code2: LabelledCode
    category: str | None = attrs.field(
        default=None, validator=_optional_non_empty, metadata=_limit(100)
    )
    flags: tuple[ProfileFlag, ...] = attrs.field(default=(), converter=_profile_flags)
    anonymized: bool = False

    @property
    def set_flags(self) -> tuple[ProfileFlag, ...]:
        """The flags the customer carries, labelled or not."""
        return tuple(flag for flag in self.flags if flag.is_set)

    @property
    def status(self) -> StatusFlags:
        """The flags the customer carries, as numbers."""
        return StatusFlags.of(flag.number for flag in self.set_flags)


@attrs.frozen
class Letter:
    """One mail-merge letter, rendered for one customer (R10).

    Attributes:
        customer: The customer's number.
        debtor_account: The customer's debtor account, for the dunning run's records.
        text: The letter: the template with every placeholder replaced.
    """

    customer: int = attrs.field(validator=_positive)
    debtor_account: int = attrs.field(validator=_positive)
    text: str = attrs.field(validator=attrs.validators.instance_of(str))


@attrs.frozen
class MergeDataWritten:
    """What writing a mail-merge data file did.

    Attributes:
        rows: How many rows were written (the header not counted).
        left_out: How many selected customers an advertising run left out because they
            objected to advertising on the run's channel (0 for a contract run).
        merged: The numbers of ``open_amounts`` that were merged, each with the master its
            amount was credited to.
        unknown: The numbers of ``open_amounts`` no customer has; their amounts counted for
            nobody.
    """

    rows: int
    left_out: int = 0
    merged: tuple[tuple[int, int], ...] = ()
    unknown: tuple[int, ...] = ()
