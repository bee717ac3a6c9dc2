"""Domain objects: customers, bookings, settings and the values rules return.

Everything here is an immutable ``attrs`` class; change one with :func:`attrs.evolve`. Nothing
here does input/output or reads a clock. Validation of single values (flag numbers, money,
timestamps) happens in the validators below, so an invalid object cannot be built; rules that
need more than one object (is this category in the kind's list?) live in :mod:`custmodel.rules`.
"""

from __future__ import annotations

import enum
import inspect
import operator
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sized
from datetime import date, datetime
from decimal import Context, Decimal, InvalidOperation
from typing import Any, Final, TypeVar

import attrs

from custmodel.errors import InvalidInputError, InvalidSettingsError, InvalidStatusFlagError

__all__ = [
    "MAX_CATEGORIES",
    "MAX_LABEL_LENGTH",
    "MAX_MERGE_DUPLICATES",
    "MAX_MONEY",
    "MAX_NOTES_LENGTH",
    "MAX_NUMBER",
    "PERSONAL_FIELDS",
    "STATUS_FLAG_COUNT",
    "AnonymizationReport",
    "BlockReason",
    "Blocker",
    "Booking",
    "BookingKind",
    "BookingMoved",
    "BookingRecorded",
    "Customer",
    "CustomerFields",
    "CustomerKind",
    "CustomerProfile",
    "CustomerType",
    "DeparturePeriod",
    "EffectiveRules",
    "Eligibility",
    "ErasureRequest",
    "ErasureRequestRecorded",
    "ErasureState",
    "ErasureStatus",
    "ErasureSweep",
    "FieldShape",
    "KindChange",
    "KindSettings",
    "LabelledCode",
    "Letter",
    "MergePlan",
    "MergeRecord",
    "MergeReport",
    "MoneyField",
    "NewCustomer",
    "ProfileFlag",
    "RuleOrigin",
    "RuleSource",
    "SalesChannel",
    "Selection",
    "Settings",
    "Statistics",
    "StatisticsDimension",
    "StatisticsKey",
    "StatisticsRow",
    "StatisticsValue",
    "StatusFlags",
    "blank_value",
    "cents",
    "check_lookup_text",
    "check_merge_duplicates",
    "check_number",
    "customer_fields",
    "max_length",
    "name_search_key",
    "search_key",
    "statistics_value",
]

#: How many status flags each kind has (Jack: "bis zu 32 weitere Statistikkriterien").
STATUS_FLAG_COUNT = 32
_ALL_BITS = (1 << STATUS_FLAG_COUNT) - 1
_CENT = Decimal("0.01")
#: Unicode's control characters (category Cc: C0, DEL and C1) and lone surrogates (Cs), as one
#: character class: a regular expression scans text in C, where asking unicodedata for each
#: character's category costs more than all the rest of building a customer.
_CONTROL_OR_SURROGATE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
#: The same without tab and line feed, which multi-line notes may hold.
_CONTROL_OR_SURROGATE_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


class CustomerKind(enum.StrEnum):
    """Kundenart: decides the settings (categories, flags, debtor offset...) that apply."""

    PRIVATE = "private"
    CORPORATE = "corporate"
    TRAVEL_AGENCY = "travel_agency"
    PROSPECT = "prospect"


class CustomerType(enum.StrEnum):
    """Kundentyp. "Alle Kunden" is no type: it is a selection without a type filter."""

    REGULAR = "regular"
    WALK_IN = "walk_in"
    TOUR_OPERATOR = "tour_operator"
    VIP_INCENTIVE = "vip_incentive"


class BookingKind(enum.StrEnum):
    """Vorgang: an offer (Angebot) or a firm booking (Festbuchung)."""

    OFFER = "offer"
    BOOKING = "booking"


# -- value validation ---------------------------------------------------------------------------


def shown(value: object) -> str:
    """How an error message may show a refused value: a whole number as itself, anything else
    by its type only, since it may be text a person typed (a name in the wrong field)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return repr(value)
    return f"a {type(value).__name__}"


def check_flag_number(flag: int) -> int:
    """Return ``flag`` if it is a status flag number (1..32).

    Raises:
        InvalidStatusFlagError: for any other number, or a non-integer.
    """
    if isinstance(flag, bool) or not isinstance(flag, int) or not 1 <= flag <= STATUS_FLAG_COUNT:
        raise InvalidStatusFlagError(
            f"status flag must be a number from 1 to 32, got {shown(flag)}"
        )
    return flag


#: The largest amount of money the model takes, in EUR: 10**15 - 1 cents. Every store keeps
#: cents in a signed 64-bit integer (up to 2**63 - 1, about 9.2 * 10**18 cents), so any amount
#: fits on every backend, and so do sums of up to 9,000 of them. Refusing larger amounts here is
#: what makes every store give the same answer: InvalidInputError, before a store sees them.
MAX_MONEY: Final = Decimal("9999999999999.99")


def cents(value: Decimal | int | str) -> Decimal:
    """Return ``value`` as a non-negative EUR amount with exactly two decimals.

    Raises:
        InvalidInputError: for a negative, non-finite or sub-cent amount, one above
            :data:`MAX_MONEY`, or a float (floats cannot hold cents exactly).
    """
    amount = _amount(value)
    if amount > MAX_MONEY:
        raise InvalidInputError(f"money must not exceed {MAX_MONEY} EUR")
    return _whole_cents(amount)


def _amount(value: object) -> Decimal:
    """Return ``value`` as a finite, non-negative Decimal."""
    if isinstance(value, bool | float):
        raise InvalidInputError("money must be a Decimal, an int or a string, not a float")
    if not isinstance(value, Decimal | int | str):
        raise InvalidInputError("money must be a Decimal, an int or a string")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        # The value may be any text a person typed (a name in the wrong column): not repeated.
        raise InvalidInputError("not an amount of money") from None
    if not amount.is_finite():
        raise InvalidInputError("money must be a finite amount")
    if amount < 0:
        raise InvalidInputError("money must not be negative")
    return amount


def _whole_cents(amount: Decimal) -> Decimal:
    """Return a finite, non-negative ``amount`` with two decimals, if it is whole cents."""
    if amount.adjusted() < -3:
        # Far below a cent: quantizing would only say so after a long computation.
        if amount != 0:
            raise InvalidInputError("money has at most two decimals (whole cents)")
        return _CENT * 0
    try:
        quantized = amount.quantize(_CENT, context=_MONEY_CONTEXT)
    except InvalidOperation:  # pragma: no cover - the callers bound the amount's size
        raise InvalidInputError("money is too large") from None
    if quantized != amount:
        raise InvalidInputError("money has at most two decimals (whole cents)")
    return quantized


#: Enough digits for any sum a store can hand back (statistics revenue of many bookings).
_MONEY_CONTEXT: Final = Context(prec=60)


def _sum_of_cents(value: Decimal | int | str) -> Decimal:
    """:func:`cents` without the upper bound, for sums of amounts (statistics revenue)."""
    amount = _amount(value)
    if amount.adjusted() > 40:
        raise InvalidInputError("a sum of money is too large")
    return _whole_cents(amount)


def _optional_cents(value: Decimal | int | str | None) -> Decimal | None:
    """:func:`cents` for an amount that may be unknown (None)."""
    return None if value is None else cents(value)


def _money(_inst: object, attribute: attrs.Attribute[Any], value: Decimal) -> None:
    if not isinstance(value, Decimal) or cents(value) != value or value.as_tuple().exponent != -2:
        raise InvalidInputError(f"{attribute.name} must be a Decimal with two decimals")


def _aware(_inst: object, attribute: attrs.Attribute[Any], value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise InvalidInputError(f"{attribute.name} must be a timezone-aware datetime")


def _text(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    """Single-line text: no control characters (they break searches, CSV and letters).

    Lone surrogates (category Cs) are refused too: they are not Unicode text, no store can
    encode them as UTF-8, and they arrive only through broken decoding.
    """
    if not isinstance(value, str):
        raise InvalidInputError(f"{attribute.name} must be text")
    if _CONTROL_OR_SURROGATE.search(value):
        raise InvalidInputError(f"{attribute.name} must not contain control characters")
    _check_length(attribute, value)


def _limit(length: int) -> dict[str, int]:
    """Field metadata: the longest text the field takes (the SQL schema reads its columns'
    lengths from it, see :func:`max_length`)."""
    return {"max_length": length}


def max_length(model: type, field: str) -> int:
    """Return the longest text ``model``'s ``field`` takes, in characters.

    The SQL schema takes its column lengths from here, so the model and every store agree.

    Raises:
        KeyError: ``field`` has no length limit.
    """
    length: int = attrs.fields_dict(model)[field].metadata["max_length"]
    return length


#: The longest notes a customer can have, in characters. Notes are a TEXT column, which
#: MariaDB caps at 65,535 bytes; in UTF-8 a character takes up to 4 bytes, so 16,383
#: characters fit whatever they are, on every backend.
MAX_NOTES_LENGTH: Final = 65_535 // 4
#: The longest status flag label and category, in characters.
MAX_LABEL_LENGTH: Final = 100
#: The most categories a kind can have. The kind's categories are stored together as one JSON
#: text (a TEXT column, 65,535 bytes on MariaDB): 100 categories of 100 characters fit.
MAX_CATEGORIES: Final = 100


def _check_length(attribute: attrs.Attribute[Any], value: str) -> None:
    """Refuse text longer than the field's ``max_length``, the same on every store."""
    limit = attribute.metadata.get("max_length")
    if limit is not None and len(value) > limit:
        raise InvalidInputError(f"{attribute.name} is longer than {limit} characters")


def _multiline(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str):
        raise InvalidInputError(f"{attribute.name} must be text")
    if _CONTROL_OR_SURROGATE_MULTILINE.search(value):
        raise InvalidInputError(f"{attribute.name} must not contain control characters")
    _check_length(attribute, value)


def check_lookup_text(value: object, what: str) -> str:
    """Return ``value`` if it is text a lookup can search for.

    Stored text never holds control characters or lone surrogates, and some stores cannot
    even be asked for them (PostgreSQL refuses a NUL byte), so a lookup refuses them too, the
    same on every store, rather than answering "nothing" on some and failing on others.

    Raises:
        InvalidInputError: ``value`` is no text or holds control characters.
    """
    if not isinstance(value, str):
        raise InvalidInputError(f"{what} must be text")
    if _CONTROL_OR_SURROGATE.search(value):
        raise InvalidInputError(f"{what} must not contain control characters")
    return value


#: Largest number a store keeps (SQL BIGINT): customer numbers, debtor accounts, batch sizes
#: and versions are whole numbers from 1 (or 0) to this one.
MAX_NUMBER: Final = 2**63 - 1
#: Largest debtor base or offset: base + offset + number must still fit ``MAX_NUMBER``.
MAX_DEBTOR_PART = 10**15


def _positive(_inst: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_NUMBER:
        raise InvalidInputError(f"{attribute.name} must be a whole number from 1 to 2**63 - 1")


def _non_negative(_inst: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_NUMBER:
        raise InvalidInputError(f"{attribute.name} must be a whole number from 0 to 2**63 - 1")


def check_number(value: object, what: str) -> int:
    """Return ``value`` if it is a whole number from 1 to :data:`MAX_NUMBER`.

    A number outside that range is refused, not looked up: no store can hold it.

    Raises:
        InvalidInputError: for anything else (0, a negative number, one above the range, a
            bool, a float, text).
    """
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_NUMBER:
        raise InvalidInputError(f"a {what} is a whole number from 1 to 2**63 - 1")
    return value


def _delay(_inst: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 36500:
        raise InvalidInputError(f"{attribute.name} must be a number of days from 0 to 36500")


def _debtor_part(_inst: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DEBTOR_PART:
        raise InvalidInputError(f"{attribute.name} must be a whole number from 0 to 10**15")


def _optional_positive(_inst: object, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None:
        _positive(_inst, attribute, value)


def _non_empty(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    _text(_inst, attribute, value)
    if not value.strip():
        raise InvalidInputError(f"{attribute.name} must not be empty")


def _optional_lookup(_inst: object, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None:
        check_lookup_text(value, attribute.name)


def _optional_bool(_inst: object, attribute: attrs.Attribute[Any], value: bool | None) -> None:
    if value is not None and not isinstance(value, bool):
        raise InvalidInputError(f"{attribute.name} must be True, False or None")


def _bool(_inst: object, attribute: attrs.Attribute[Any], value: bool) -> None:
    if not isinstance(value, bool):
        raise InvalidInputError(f"{attribute.name} must be True or False")


def _optional_non_empty(_inst: object, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None:
        _non_empty(_inst, attribute, value)


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


def _date(_inst: object, attribute: attrs.Attribute[Any], value: date) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInputError(f"{attribute.name} must be a date (not a datetime)")


def _optional_date(_inst: object, attribute: attrs.Attribute[Any], value: date | None) -> None:
    if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
        raise InvalidInputError(f"{attribute.name} must be a date (not a datetime)")


_E = TypeVar("_E", bound=enum.Enum)


def to_enum(cls: type[_E], value: object) -> _E:
    """Return ``value`` as a member of the enum ``cls`` (members and their values are accepted).

    Raises:
        InvalidInputError: for anything that is not one of ``cls``'s values.
    """
    if isinstance(value, cls):
        return value
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in cls)
        raise InvalidInputError(f"{cls.__name__} must be one of: {allowed}") from None


def _kind(value: object) -> CustomerKind:
    return to_enum(CustomerKind, value)


def _type(value: object) -> CustomerType:
    return to_enum(CustomerType, value)


def _booking_kind(value: object) -> BookingKind:
    return to_enum(BookingKind, value)


def _optional_kind(value: object) -> CustomerKind | None:
    return None if value is None else to_enum(CustomerKind, value)


def _optional_type(value: object) -> CustomerType | None:
    return None if value is None else to_enum(CustomerType, value)


# -- status flags -------------------------------------------------------------------------------


@attrs.frozen
class StatusFlags:
    """An immutable set of status flag numbers (1..32), stored as a 32-bit integer.

    Selections and statistics use the number; labels live in :class:`KindSettings`.

    Attributes:
        bits: Flag ``n`` is set when bit ``n - 1`` is 1.
    """

    bits: int = attrs.field(default=0)

    @bits.validator
    def _check_bits(self, _attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _ALL_BITS:
            raise InvalidStatusFlagError("status bits must fit into 32 bits")

    @classmethod
    def of(cls, flags: Iterable[int] = ()) -> StatusFlags:
        """Build from flag numbers.

        Raises:
            InvalidStatusFlagError: for a number outside 1..32.
        """
        bits = 0
        for flag in flags:
            bits |= 1 << (check_flag_number(flag) - 1)
        return cls(bits)

    def __contains__(self, flag: object) -> bool:
        return (
            isinstance(flag, int)
            and 1 <= flag <= STATUS_FLAG_COUNT
            and bool(self.bits >> (flag - 1) & 1)
        )

    def __iter__(self) -> Iterator[int]:
        return (n for n in range(1, STATUS_FLAG_COUNT + 1) if self.bits >> (n - 1) & 1)

    def __len__(self) -> int:
        return self.bits.bit_count()

    def __bool__(self) -> bool:
        return self.bits != 0

    @property
    def numbers(self) -> frozenset[int]:
        """The set flag numbers."""
        return frozenset(self)

    def with_flag(self, flag: int) -> StatusFlags:
        """Return a copy with ``flag`` set."""
        return StatusFlags(self.bits | 1 << (check_flag_number(flag) - 1))

    def without_flag(self, flag: int) -> StatusFlags:
        """Return a copy with ``flag`` cleared."""
        return StatusFlags(self.bits & ~(1 << (check_flag_number(flag) - 1)))

    def union(self, other: StatusFlags) -> StatusFlags:
        """Return the flags set in either."""
        return StatusFlags(self.bits | other.bits)


def _to_flags(value: StatusFlags | Iterable[int]) -> StatusFlags:
    if isinstance(value, StatusFlags):
        return value
    return StatusFlags.of(_flag_numbers(value))


def _flag_numbers(value: object) -> Iterable[int]:
    """Return ``value`` if it is a collection of flag numbers (not text, not one number)."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidStatusFlagError("status flags are given as a collection of flag numbers")
    return value


# -- settings -----------------------------------------------------------------------------------


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
    """

    categories: tuple[str, ...] = attrs.field(default=(), converter=_categories)
    status_labels: dict[int, str] = attrs.field(factory=dict, converter=_labels, hash=False)
    code1_label: str = attrs.field(default="Code1", validator=_non_empty, metadata=_limit(255))
    code2_label: str = attrs.field(default="Code2", validator=_non_empty, metadata=_limit(255))
    debtor_offset: int = attrs.field(default=0, validator=_debtor_part)
    debtor_min: int | None = attrs.field(default=None, validator=_optional_positive)
    debtor_max: int | None = attrs.field(default=None, validator=_optional_positive)
    template_customer: int | None = attrs.field(default=None, validator=_optional_positive)
    dunning_fee: Decimal = attrs.field(default=Decimal("0.00"), converter=cents)
    deposit_prompt: bool = attrs.field(default=False, validator=_bool)
    renumber_on_kind_change: bool = attrs.field(default=False, validator=_bool)

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


# -- customers ----------------------------------------------------------------------------------


class FieldShape(enum.StrEnum):
    """What kind of value one of the customer's own fields holds, for the stores' columns.

    A store maps each shape to its own type (the SQL schema: ``String(max_length)``, ``Text``,
    ``Date``, ``BigInteger``); the model names no store's type.
    """

    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"
    FLAGS = "flags"


def _own(
    blank: object,
    validator: Any = None,
    max_length: int | None = None,
    *,
    personal: bool,
    shape: FieldShape = FieldShape.TEXT,
) -> Any:
    """Declare one of the customer's own fields (see :class:`CustomerFields`).

    Args:
        blank: What the field holds when empty: its default, and what anonymization writes.
        validator: The check of a value.
        max_length: The longest text it takes (the SQL schema's column length), or None.
        personal: True when it describes the person (:data:`PERSONAL_FIELDS`); required, so
            that no field can be declared without saying whether anonymization replaces it.
        shape: What kind of value it holds, for the stores' columns.
    """
    metadata = _metadata(blank, max_length, personal=personal, shape=shape)
    return attrs.field(default=blank, validator=validator, metadata=metadata)


def _metadata(
    blank: object, max_length: int | None, *, personal: bool, shape: FieldShape
) -> dict[str, object]:
    """The metadata of one of the customer's own fields (see :func:`_own`)."""
    limit = {} if max_length is None else _limit(max_length)
    return {**limit, "personal": personal, "shape": shape, "blank": blank}


def _after_customer_type(cls: type, fields: list[attrs.Attribute[Any]]) -> list[Any]:
    """Place the declared fields of :class:`CustomerFields` right after ``customer_type``.

    attrs puts a base class's fields first; this keeps the order in which ``repr``, ``asdict``,
    JSON and the CSV export have always listed a customer's fields. The declared fields are
    keyword-only, so the order changes no positional argument.
    """
    annotated = inspect.get_annotations(cls)
    own = [f for f in fields if f.name in annotated]
    declared = [f for f in fields if f.name not in annotated]
    anchor = next(i for i, f in enumerate(own) if f.name == "customer_type") + 1
    return [*own[:anchor], *declared, *own[anchor:]]


@attrs.frozen(kw_only=True)
class CustomerFields:
    """The customer's own fields, each declared once, for :class:`NewCustomer` and
    :class:`Customer` alike.

    Each line says what the field holds when blank, how a value is checked, its longest text,
    whether it is personal data and its shape. Both classes inherit these fields, the SQL
    schema derives its columns (type, length, nullability) from them, and
    :data:`PERSONAL_FIELDS` (what anonymization replaces, what a tombstone keeps none of) is
    read from here, in this order. A new field is one line here plus its migration.

    Category and status flags are personal because they record facts about the person
    ("single", "VIP"). The fields are keyword-only; ``last_name`` is declared here and taken up
    again by both classes as a positional argument (NewCustomer refuses an empty one; a
    tombstone's is empty).
    """

    last_name: str = _own("", _text, 255, personal=True)
    first_name: str = _own("", _text, 255, personal=True)
    salutation: str = _own("", _text, 100, personal=True)
    company: str = _own("", _text, 255, personal=True)
    street: str = _own("", _text, 255, personal=True)
    postal_code: str = _own("", _text, 32, personal=True)
    city: str = _own("", _text, 255, personal=True)
    country: str = _own("", _text, 100, personal=True)
    email: str = _own("", _text, 320, personal=True)
    phone: str = _own("", _text, 64, personal=True)
    birth_date: date | None = _own(None, _optional_date, personal=True, shape=FieldShape.DATE)  # noqa: RUF009
    code1: str = _own("", _text, 191, personal=True)
    code2: str = _own("", _text, 255, personal=True)
    notes: str = _own("", _multiline, MAX_NOTES_LENGTH, personal=True, shape=FieldShape.LONG_TEXT)
    category: str | None = _own(None, _optional_non_empty, MAX_LABEL_LENGTH, personal=True)
    status: StatusFlags = attrs.field(
        factory=StatusFlags,
        converter=_to_flags,
        metadata=_metadata(StatusFlags(), None, personal=True, shape=FieldShape.FLAGS),
    )
    commission_scheme: str | None = _own(None, _optional_non_empty, 100, personal=False)
    fee_schedule: str | None = _own(None, _optional_non_empty, 100, personal=False)


def customer_fields() -> tuple[attrs.Attribute[Any], ...]:
    """Return the customer's own fields as :class:`CustomerFields` declares them, in order.

    Each field's metadata holds ``personal``, ``shape``, ``blank`` and, for text, ``max_length``.
    """
    return tuple(attrs.fields(CustomerFields))


#: Fields that describe the person. Anonymization blanks every one of them; tombstones of merged
#: customers keep none of them. Category and status flags are included because they record
#: facts about the person ("single", "retired", "VIP").
PERSONAL_FIELDS: tuple[str, ...] = tuple(
    f.name for f in customer_fields() if f.metadata["personal"]
)

_BLANKS: Final[dict[str, object]] = {f.name: f.metadata["blank"] for f in customer_fields()}


def _customer_metadata(name: str) -> Any:
    """The metadata of the customer's own field ``name``, for a field taken up by a class."""
    return attrs.fields_dict(CustomerFields)[name].metadata


def blank_value(field: str) -> object:
    """Return what the customer's field ``field`` holds when empty ("", None, no flags).

    Anonymization writes it into every personal field (but the last name).

    Raises:
        KeyError: ``field`` is none of the customer's own fields.
    """
    return _BLANKS[field]


@attrs.frozen(field_transformer=_after_customer_type)
class NewCustomer(CustomerFields):
    """What a caller supplies to register a customer; the book adds number and account.

    Attributes:
        kind: The customer kind.
        last_name: Family name, or the name of a company or agency.
        customer_type: Defaults to WALK_IN (Laufkundschaft).
        first_name: Given name.
        salutation: Anrede for letters ("Frau", "Herr", "Firma"...).
        company: Company the person belongs to, if any.
        street: Street and house number.
        postal_code: Postleitzahl.
        city: Ort.
        country: ISO 3166 country code or free text.
        email: E-mail address.
        phone: Phone number.
        birth_date: Date of birth.
        code1: Free field Code1 (searchable).
        code2: Free field Code2.
        notes: Free notes, may span lines.
        category: One of the kind's categories, or None.
        status: Status flags; each needs a label on the kind.
        commission_scheme: Own commission scheme id (Provision / Rabattstaffel).
        fee_schedule: Own fee schedule id (Fee-Regelwerk / Serviceentgelt).
    """

    kind: CustomerKind = attrs.field(converter=_kind)
    last_name: str = attrs.field(validator=_non_empty, metadata=_customer_metadata("last_name"))
    customer_type: CustomerType = attrs.field(default=CustomerType.WALK_IN, converter=_type)


@attrs.frozen(field_transformer=_after_customer_type)
class Customer(CustomerFields):
    """A customer (Kunde, Auftraggeber): the party that books and pays.

    Attributes:
        number: Running customer number, never reused.
        kind: Kundenart.
        customer_type: Kundentyp.
        debtor_account: Accounts-receivable account; unique, never reused.
        last_name: Family name, or the name of a company or agency.
        first_name: Given name.
        salutation: Anrede for letters.
        company: Company name.
        street: Street and house number.
        postal_code: Postleitzahl.
        city: Ort.
        country: Country.
        email: E-mail address.
        phone: Phone number.
        birth_date: Date of birth.
        code1: Free field Code1, indexed and searchable.
        code2: Free field Code2.
        notes: Free notes.
        category: One of the kind's categories, or None.
        status: Status flags.
        commission_scheme: Own commission scheme id, None to inherit from the template customer.
        fee_schedule: Own fee schedule id, None to inherit from the template customer.
        created_at: When the customer was registered (aware, UTC).
        updated_at: When the record last changed (aware, UTC).
        merged_into: For a merged duplicate (tombstone): the master it was merged into.
        anonymized_at: When the customer was anonymized, None while it was not.
        version: Incremented by every stored change; updates must carry the current one.
    """

    number: int = attrs.field(validator=_positive)
    kind: CustomerKind = attrs.field(converter=_kind)
    debtor_account: int = attrs.field(validator=_positive)
    last_name: str = attrs.field(validator=_text, metadata=_customer_metadata("last_name"))
    created_at: datetime = attrs.field(validator=_aware)
    updated_at: datetime = attrs.field(validator=_aware)
    customer_type: CustomerType = attrs.field(default=CustomerType.WALK_IN, converter=_type)
    merged_into: int | None = attrs.field(default=None, validator=_optional_positive)
    anonymized_at: datetime | None = attrs.field(default=None, validator=_aware)
    version: int = attrs.field(default=1, validator=_positive)

    @classmethod
    def from_draft(
        cls, draft: NewCustomer, *, number: int, debtor_account: int, created_at: datetime
    ) -> Customer:
        """Return the new customer registered from ``draft``, at version 1.

        The draft's fields were validated when the draft was built, and every one of them has
        the same (or, for ``last_name``, a stricter) check there as here, so they are copied
        without validating them again; registering many customers spent a quarter of its time
        on that. Number, debtor account and creation time are checked as the constructor
        checks them; ``updated_at`` is the creation time.

        Raises:
            InvalidInputError: ``draft`` is not a :class:`NewCustomer`, or number, account or
                time is not what the constructor accepts.
        """
        if not isinstance(draft, NewCustomer):
            raise InvalidInputError("a customer is registered from a NewCustomer")
        fields = attrs.fields(cls)
        _positive(None, fields.number, number)
        _positive(None, fields.debtor_account, debtor_account)
        if not isinstance(created_at, datetime):
            raise InvalidInputError("created_at must be a timezone-aware datetime")
        _aware(None, fields.created_at, created_at)
        customer = object.__new__(cls)
        # Customer is frozen; its own __setattr__ refuses, so set the slots directly, once.
        set_slot = object.__setattr__
        for name, value in zip(_DRAFT_FIELDS, _draft_values(draft), strict=True):
            set_slot(customer, name, value)
        set_slot(customer, "number", number)
        set_slot(customer, "debtor_account", debtor_account)
        set_slot(customer, "created_at", created_at)
        set_slot(customer, "updated_at", created_at)
        set_slot(customer, "merged_into", None)
        set_slot(customer, "anonymized_at", None)
        set_slot(customer, "version", 1)
        return customer

    @property
    def is_active(self) -> bool:
        """False for a merged duplicate (tombstone); anonymized customers stay active."""
        return self.merged_into is None

    @property
    def is_anonymized(self) -> bool:
        """True once the customer was anonymized."""
        return self.anonymized_at is not None

    @property
    def display_name(self) -> str:
        """Name as a list shows it: "Last, First", or the company."""
        if self.first_name:
            return f"{self.last_name}, {self.first_name}"
        return self.last_name or self.company


#: The fields a :class:`Customer` takes over from its :class:`NewCustomer` unchanged.
_DRAFT_FIELDS: Final = tuple(f.name for f in attrs.fields(NewCustomer))
#: Reads all of them in one call (a tuple, in the order of ``_DRAFT_FIELDS``).
_draft_values: Final = operator.attrgetter(*_DRAFT_FIELDS)


def search_key(text: str) -> str:
    """Fold ``text`` for case-insensitive search: casefold and NFC, so "STRASSE" finds "Straße"."""
    return unicodedata.normalize("NFC", text).casefold()


def name_search_key(customer: Customer) -> str:
    """The text a name search looks in: last name, first name and company, folded.

    The parts are joined by a unit separator, which no customer text can contain, so a search
    never matches across two fields.
    """
    return "\x1f".join(
        search_key(part) for part in (customer.last_name, customer.first_name, customer.company)
    )


# -- bookings -----------------------------------------------------------------------------------


@attrs.frozen
class SalesChannel:
    """Vertriebskanal: own (website, shop, phone) or an external partner (Booking.com, Holidu).

    Attributes:
        name: Name of the channel.
        is_external: True for an external sales partner, whose customers are "not your
            customer data" (TSmart).
    """

    name: str = attrs.field(validator=_non_empty, metadata=_limit(100))
    is_external: bool = attrs.field(default=False, validator=_bool)

    @classmethod
    def own(cls, name: str = "own") -> SalesChannel:
        """An own sales channel, e.g. ``SalesChannel.own("Website")``."""
        return cls(name, is_external=False)

    @classmethod
    def external(cls, name: str) -> SalesChannel:
        """An external sales partner, e.g. ``SalesChannel.external("Booking.com")``."""
        return cls(name, is_external=True)


@attrs.frozen
class Booking:
    """Vorgang: an offer or a firm booking of a customer.

    Attributes:
        reference: Unique booking reference (Vorgangsnummer).
        customer: Number of the customer who booked.
        kind: OFFER or BOOKING (firm).
        departure: Abreisedatum, the first day of travel.
        point_of_sale: Id of the agency that sold it (POS).
        channel: The sales channel it came through.
        open_amount: What the customer still owes on it (OP-Betrag), EUR.
        revenue: Umsatz of the booking, EUR; None while unknown. Statistics add up the revenue
            of firm bookings only: an offer's amount is a quote, not revenue.
        travel_type: Reiseart (package tour, cruise, holiday home ...), free text; None when
            not recorded.
        destination: Zielgebiet, free text; None when not recorded.
    """

    reference: str = attrs.field(validator=_non_empty, metadata=_limit(191))
    customer: int = attrs.field(validator=_positive)
    kind: BookingKind = attrs.field(converter=_booking_kind)
    departure: date = attrs.field()
    point_of_sale: str = attrs.field(validator=_non_empty, metadata=_limit(100))
    channel: SalesChannel = attrs.field(factory=SalesChannel.own)
    open_amount: Decimal = attrs.field(default=Decimal("0.00"), converter=cents)
    revenue: Decimal | None = attrs.field(default=None, converter=_optional_cents)
    travel_type: str | None = attrs.field(
        default=None, validator=_optional_non_empty, metadata=_limit(100)
    )
    destination: str | None = attrs.field(
        default=None, validator=_optional_non_empty, metadata=_limit(100)
    )

    @channel.validator
    def _check_channel(self, _attribute: attrs.Attribute[SalesChannel], value: object) -> None:
        if not isinstance(value, SalesChannel):
            raise InvalidInputError("channel must be a SalesChannel")

    @departure.validator
    def _check_departure(self, _attribute: attrs.Attribute[date], value: date) -> None:
        if not isinstance(value, date) or isinstance(value, datetime):
            raise InvalidInputError("departure must be a date (not a datetime)")

    @property
    def is_firm(self) -> bool:
        """True for a firm booking (Festbuchung), False for an offer."""
        return self.kind is BookingKind.BOOKING


# -- selections ---------------------------------------------------------------------------------


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
        )
        return all(checks)


# -- statistics ---------------------------------------------------------------------------------


class StatisticsDimension(enum.StrEnum):
    """What statistics group the selected customers by (R10); the values are field names.

    KIND, CUSTOMER_TYPE, CATEGORY, STATUS_FLAG, CODE1 and CODE2 are read from the customer,
    TRAVEL_TYPE, DESTINATION and DEPARTURE_YEAR from its bookings (:attr:`per_booking`).
    """

    KIND = "kind"
    CUSTOMER_TYPE = "customer_type"
    CATEGORY = "category"
    STATUS_FLAG = "status_flag"
    CODE1 = "code1"
    CODE2 = "code2"
    TRAVEL_TYPE = "travel_type"
    DESTINATION = "destination"
    DEPARTURE_YEAR = "departure_year"

    @property
    def per_booking(self) -> bool:
        """True for the dimensions read from bookings: travel type, destination, year."""
        return self in (
            StatisticsDimension.TRAVEL_TYPE,
            StatisticsDimension.DESTINATION,
            StatisticsDimension.DEPARTURE_YEAR,
        )


@attrs.frozen
class DeparturePeriod:
    """The departures statistics count: from ``start`` to ``end``, both days included.

    ``DeparturePeriod()`` is open on both sides: every booking counts.

    Attributes:
        start: The first departure day that counts; None for no lower bound.
        end: The last departure day that counts; None for no upper bound.

    Raises:
        InvalidInputError: for a datetime instead of a date, or a start after the end.
    """

    start: date | None = attrs.field(default=None, validator=_optional_date)
    end: date | None = attrs.field(default=None, validator=_optional_date)

    def __attrs_post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.start > self.end:
            raise InvalidInputError(
                f"the period starts ({self.start.isoformat()}) after it ends "
                f"({self.end.isoformat()})"
            )

    @classmethod
    def year(cls, year: int) -> DeparturePeriod:
        """The departures of one calendar year, e.g. ``DeparturePeriod.year(2025)``.

        Raises:
            InvalidInputError: for a year outside 1..9999.
        """
        if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
            raise InvalidInputError(f"a year is a whole number from 1 to 9999, got {shown(year)}")
        return cls(date(year, 1, 1), date(year, 12, 31))

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date) or isinstance(day, datetime):
            return False
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


#: The value of a statistics key: a kind, a type, a text, a flag number, a year, or None.
StatisticsValue = CustomerKind | CustomerType | str | int | None


def _label_map(value: Mapping[CustomerKind, str]) -> dict[CustomerKind, str]:
    labels = {_kind(kind): label for kind, label in dict(value).items()}
    for label in labels.values():
        if not isinstance(label, str) or not label.strip():
            raise InvalidInputError("a statistics label must be non-empty text")
    return {kind: labels[kind] for kind in CustomerKind if kind in labels}


def _dimension(value: object) -> StatisticsDimension:
    return to_enum(StatisticsDimension, value)


@attrs.frozen
class StatisticsKey:
    """The value of one dimension that a statistics row groups by, with its labels.

    Values by dimension: KIND a :class:`CustomerKind`, CUSTOMER_TYPE a :class:`CustomerType`,
    STATUS_FLAG a flag number (None for the customers without any flag), CODE1 and CODE2 the
    code text ("" for no code, as ``Selection(code1="")`` selects it), CATEGORY, TRAVEL_TYPE
    and DESTINATION the text (None when there is none), DEPARTURE_YEAR the year.

    Attributes:
        dimension: The dimension.
        value: The value (see above).
        labels: For STATUS_FLAG: the flag's label on each kind of the row's customers that
            labels it (an unlabelled flag has none and is shown by its number). For CODE1 and
            CODE2: what each kind of the row's customers calls the field. Empty otherwise.
    """

    dimension: StatisticsDimension = attrs.field(converter=_dimension)
    value: StatisticsValue = attrs.field()
    labels: dict[CustomerKind, str] = attrs.field(factory=dict, converter=_label_map, hash=False)

    @value.validator
    def _check_value(self, _attribute: attrs.Attribute[Any], value: object) -> None:
        # Strict: StatisticsKey.of converts; here "private" is no kind, Decimal(3) no flag.
        normal = statistics_value(self.dimension, value)
        if type(normal) is not type(value) or normal != value:
            raise InvalidInputError(f"{shown(value)} is no value of the {self.dimension} dimension")

    @classmethod
    def of(
        cls,
        dimension: StatisticsDimension | str,
        value: object,
        labels: Mapping[CustomerKind, str] | None = None,
    ) -> StatisticsKey:
        """Build a key, converting ``value`` to the dimension's type (see :func:`statistics_value`).

        Raises:
            InvalidInputError: for a value that does not fit the dimension.
        """
        dimension = _dimension(dimension)
        return cls(dimension, statistics_value(dimension, value), dict(labels or {}))

    @property
    def label(self) -> str | None:
        """The label to show beside the value: the one label all kinds share, each kind's
        label as "kind: label; ..." when they differ, or None when there is none."""
        distinct = set(self.labels.values())
        if not distinct:
            return None
        if len(distinct) == 1:
            return distinct.pop()
        return "; ".join(f"{kind.value}: {label}" for kind, label in self.labels.items())


def statistics_value(dimension: StatisticsDimension, value: object) -> StatisticsValue:
    """Return ``value`` as the type a :class:`StatisticsKey` of ``dimension`` holds.

    Kinds and types are accepted as members or their values, flag numbers and years as whole
    numbers (stores hand some of them over as decimals or text).

    Raises:
        InvalidInputError: for a value that does not fit the dimension.
    """
    dimension = _dimension(dimension)
    if dimension is StatisticsDimension.KIND:
        return to_enum(CustomerKind, value)
    if dimension is StatisticsDimension.CUSTOMER_TYPE:
        return to_enum(CustomerType, value)
    if dimension in (StatisticsDimension.STATUS_FLAG, StatisticsDimension.DEPARTURE_YEAR):
        if value is None and dimension is StatisticsDimension.STATUS_FLAG:
            return None
        number = _whole(value)
        if dimension is StatisticsDimension.STATUS_FLAG:
            return check_flag_number(number)
        if not 1 <= number <= 9999:
            raise InvalidInputError(
                f"a departure year is a number from 1 to 9999, got {shown(value)}"
            )
        return number
    if value is None and dimension not in (StatisticsDimension.CODE1, StatisticsDimension.CODE2):
        return None
    if not isinstance(value, str):
        raise InvalidInputError(f"a {dimension} value is text, got {shown(value)}")
    return value


def _whole(value: object) -> int:
    """Return ``value`` as an int if it is a whole number (int, integral Decimal or digits)."""
    if isinstance(value, bool):
        raise InvalidInputError(f"not a whole number: {shown(value)}")
    if isinstance(value, int):
        return value
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInputError(f"not a whole number: {shown(value)}") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise InvalidInputError(f"not a whole number: {shown(value)}")
    return int(number)


def _keys(value: Iterable[StatisticsKey]) -> tuple[StatisticsKey, ...]:
    keys = tuple(value)
    for key in keys:
        if not isinstance(key, StatisticsKey):
            raise InvalidInputError("a statistics row's key holds StatisticsKey objects")
    return keys


@attrs.frozen
class StatisticsRow:
    """One group of a statistics result, or its totals (with an empty key).

    Attributes:
        key: The group's value of each dimension, in the order of ``Statistics.group_by``.
        customers: How many distinct selected customers the group holds.
        firm_bookings: How many firm bookings of them depart in the period.
        offers: How many offers of them depart in the period.
        revenue: The revenue of those firm bookings, EUR; unknown revenue counts as 0 and
            offers carry none.
    """

    key: tuple[StatisticsKey, ...] = attrs.field(default=(), converter=_keys)
    customers: int = attrs.field(default=0, validator=_non_negative)
    firm_bookings: int = attrs.field(default=0, validator=_non_negative)
    offers: int = attrs.field(default=0, validator=_non_negative)
    revenue: Decimal = attrs.field(default=Decimal("0.00"), converter=_sum_of_cents)

    @property
    def values(self) -> tuple[StatisticsValue, ...]:
        """The key's values, in the order of ``Statistics.group_by``."""
        return tuple(key.value for key in self.key)

    def value(self, dimension: StatisticsDimension | str) -> StatisticsValue:
        """Return the row's value of ``dimension``.

        Raises:
            InvalidInputError: if the statistics are not grouped by ``dimension``.
        """
        wanted = _dimension(dimension)
        for key in self.key:
            if key.dimension is wanted:
                return key.value
        raise InvalidInputError(f"the statistics are not grouped by {wanted}")


def _value_order(value: StatisticsValue) -> tuple[int, int | str]:
    """Sort key of one value: None last, enum members in declaration order, else natural."""
    if value is None:
        return (1, 0)
    if isinstance(value, CustomerKind | CustomerType):
        return (0, list(type(value)).index(value))
    return (0, value)


def _row_order(row: StatisticsRow) -> tuple[tuple[int, int | str], ...]:
    return tuple(_value_order(key.value) for key in row.key)


def _sorted_rows(value: Iterable[StatisticsRow]) -> tuple[StatisticsRow, ...]:
    rows = tuple(value)
    for row in rows:
        if not isinstance(row, StatisticsRow):
            raise InvalidInputError("statistics rows are StatisticsRow objects")
    try:
        return tuple(sorted(rows, key=_row_order))
    except TypeError:
        # Keys of different dimensions; Statistics refuses them once every field is set.
        return rows


def _group_by(value: Iterable[StatisticsDimension | str]) -> tuple[StatisticsDimension, ...]:
    if isinstance(value, str):
        value = (value,)
    dimensions = tuple(_dimension(d) for d in value)
    if not dimensions:
        raise InvalidInputError("statistics group by at least one dimension")
    if len(set(dimensions)) != len(dimensions):
        twice = next(d for d in dimensions if dimensions.count(d) > 1)
        raise InvalidInputError(f"statistics group by {twice} only once")
    return dimensions


@attrs.frozen
class Statistics:
    """Customers, bookings and revenue of a selection per group (R10).

    Rows are ordered by their key values, dimension by dimension in ``group_by`` order: kinds
    and types in the order of their enums, flag numbers and years ascending, texts by code
    point (``"B" < "a" < "Ä"``), and None (no category, no flag, no travel type ...) last.
    The order is part of the value: any rows given are sorted.

    Attributes:
        group_by: The dimensions, in the order the keys list them.
        period: The departures the bookings and revenue count.
        rows: One row per group that holds a customer.
        totals: The whole selection (key ``()``), every customer and booking counted once,
            also where a customer appears in several rows (several status flags).

    Raises:
        InvalidInputError: for an empty ``group_by``, a dimension twice, or a row whose key
            does not follow ``group_by``.
    """

    group_by: tuple[StatisticsDimension, ...] = attrs.field(converter=_group_by)
    period: DeparturePeriod = attrs.field(factory=DeparturePeriod)
    rows: tuple[StatisticsRow, ...] = attrs.field(default=(), converter=_sorted_rows)
    totals: StatisticsRow = attrs.field(factory=StatisticsRow)

    def __attrs_post_init__(self) -> None:
        for row in self.rows:
            if tuple(key.dimension for key in row.key) != self.group_by:
                raise InvalidInputError("every statistics row's key follows group_by")
        if self.totals.key:
            raise InvalidInputError("the statistics totals have an empty key")

    def row(self, *values: object) -> StatisticsRow | None:
        """Return the row whose key values are ``values`` (in ``group_by`` order), or None."""
        return next((row for row in self.rows if row.values == values), None)


# -- rule results -------------------------------------------------------------------------------


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
class BookingRecorded:
    """What recording a booking did.

    Attributes:
        booking: The booking as stored.
        first_capture: True if this recording is the booking's first as a firm booking.
        deposit_prompt: True if the user should be asked to record a deposit now (R7).
        conversion: The prospect conversion this booking triggered, if any (R4).
    """

    booking: Booking
    first_capture: bool
    deposit_prompt: bool
    conversion: KindChange | None = None


@attrs.frozen
class BookingMoved:
    """What moving a booking to another customer did.

    Attributes:
        booking: The booking as stored, with its new customer.
        from_customer: The number of the customer it belonged to before.
        conversion: The prospect conversion the move triggered (a firm booking moved to a
            prospect converts it, as recording one does, R4), if any.
    """

    booking: Booking
    from_customer: int
    conversion: KindChange | None = None


class BlockReason(enum.StrEnum):
    """Why a booking blocks anonymization."""

    NOT_POINT_OF_SALE = "not_point_of_sale"
    EXTERNAL_CHANNEL = "external_channel"
    TOO_RECENT = "too_recent"


@attrs.frozen
class Blocker:
    """A firm booking that blocks anonymization, with every reason it does.

    Attributes:
        reference: The booking reference.
        reasons: Every reason that applies, in the order of :class:`BlockReason`.
        allowed_from: For TOO_RECENT: the first day this booking stops blocking.
    """

    reference: str
    reasons: tuple[BlockReason, ...]
    allowed_from: date | None = None


@attrs.frozen
class Eligibility:
    """May this customer be anonymized by this agency on this day (R9)?

    Attributes:
        eligible: The answer.
        blockers: Every blocking booking with its reasons, ordered by reference.
        eligible_from: When only time blocks, the first day the customer becomes eligible;
            None when the customer is eligible now or something other than time blocks.
    """

    eligible: bool
    blockers: tuple[Blocker, ...] = ()
    eligible_from: date | None = None

    def explain(self) -> str:
        """One line for a person: eligible, or why not and until when."""
        if self.eligible:
            return "eligible"
        parts = [
            f"{b.reference}: {', '.join(r.value.replace('_', ' ') for r in b.reasons)}"
            for b in self.blockers
        ]
        text = "not eligible - " + "; ".join(parts)
        if self.eligible_from is not None:
            text += f" (eligible from {self.eligible_from.isoformat()})"
        return text


@attrs.frozen
class AnonymizationReport:
    """What anonymizing a customer did.

    Attributes:
        customer: The customer after anonymization.
        already_anonymized: True if it was anonymized before: nothing was changed this time.
        fields_cleared: The personal fields that held data and were replaced.
    """

    customer: Customer
    already_anonymized: bool
    fields_cleared: tuple[str, ...] = ()


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


@attrs.frozen
class ErasureRequest:
    """A person's request to have their data erased (GDPR Art. 17).

    Attributes:
        id: Running number of the request, given by the store.
        customer: The customer it applies to (a merged number is followed to its master).
        received_on: The day the agency received the request.
        recorded_at: When it was recorded (aware, UTC).
        completed_at: When the customer was anonymized, None while the request is open.
    """

    id: int
    customer: int = attrs.field(validator=_positive)
    received_on: date = attrs.field(validator=_date)
    recorded_at: datetime = attrs.field(validator=_aware)
    completed_at: datetime | None = attrs.field(default=None, validator=_aware)

    @property
    def is_open(self) -> bool:
        """True until the customer is anonymized."""
        return self.completed_at is None


@attrs.frozen
class ErasureRequestRecorded:
    """What recording an erasure request did.

    Attributes:
        request: The customer's request as stored now: the new one, or the one that was open
            already (completed at once when the customer is anonymized already).
        repeated: True if a request of the customer was open already: no second one was
            recorded, the open one stands for both.
        moved_from: The receipt day the open request had before this repeat moved it to the
            earlier day given (the one-month answer deadline runs from the first receipt);
            None when nothing moved.
    """

    request: ErasureRequest
    repeated: bool = False
    moved_from: date | None = attrs.field(default=None, validator=_optional_date)


class ErasureState(enum.StrEnum):
    """Where an erasure request stands for the acting agency on a day."""

    DUE = "due"
    WAITING = "waiting"
    BLOCKED = "blocked"
    DONE = "done"


@attrs.frozen
class ErasureStatus:
    """An erasure request with its state, for the agency's answer to the person.

    Attributes:
        request: The request.
        state: DUE (may be anonymized now), WAITING (only time blocks), BLOCKED (another
            point of sale or an external channel: not the agency's data to erase), DONE.
        due_on: DUE: the day asked about; WAITING: the first day it becomes due; else None.
        answer_by: The day the agency must have answered the person: one month after receipt
            (GDPR Art. 12(3)).
        eligibility: The eligibility behind the state, with every blocking booking.
    """

    request: ErasureRequest
    state: ErasureState
    due_on: date | None
    answer_by: date
    eligibility: Eligibility


@attrs.frozen
class ErasureSweep:
    """What a sweep over the due erasure requests did (or, dry, would do).

    Attributes:
        dry_run: True if nothing was changed.
        due: How many customers were due.
        anonymized: How many customers were anonymized (0 on a dry run).
        batches: How many batches (transactions) the sweep took.
        customers: The numbers of the due customers, ascending.
    """

    dry_run: bool
    due: int
    anonymized: int
    batches: int
    customers: tuple[int, ...] = ()
