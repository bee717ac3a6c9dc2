"""Values and their checks: money in cents, single-line and multiline text, numbers, dates and enum
conversion, the limits every store keeps.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Context, Decimal, InvalidOperation
from typing import Any, Final, TypeVar

import attrs

from custmodel.errors import InvalidInputError

__all__ = [
    "MAX_CATEGORIES",
    "MAX_LABEL_LENGTH",
    "MAX_MONEY",
    "MAX_NOTES_LENGTH",
    "MAX_NUMBER",
    "cents",
    "check_lookup_text",
    "check_number",
    "max_length",
]


_CENT = Decimal("0.01")


#: Unicode's control characters (category Cc: C0, DEL and C1) and lone surrogates (Cs), as one
#: character class: a regular expression scans text in C, where asking unicodedata for each
#: character's category costs more than all the rest of building a customer.
_CONTROL_OR_SURROGATE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


#: The same without tab and line feed, which multi-line notes may hold.
_CONTROL_OR_SURROGATE_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def shown(value: object) -> str:
    """How an error message may show a refused value: a whole number as itself, anything else
    by its type only, since it may be text a person typed (a name in the wrong field)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return repr(value)
    return f"a {type(value).__name__}"


#: The largest amount of money the model takes, in EUR: 10**15 - 1 cents. Every store keeps
#: cents in a signed 64-bit integer (up to 2**63 - 1, about 9.2 * 10**18 cents), so any amount
#: fits on every backend, and so do sums of up to 9,000 of them. Refusing larger amounts here is
#: what makes every store give the same answer: InvalidInputError, before a store sees them.
MAX_MONEY: Final = Decimal("9999999999999.99")


def cents(value: Decimal | int | str, what: str = "money") -> Decimal:
    """Return ``value`` as a non-negative EUR amount with exactly two decimals.

    Args:
        value: The amount.
        what: What the amount is, for the message: the field's name (``"open_amount"``).

    Raises:
        InvalidInputError: for a negative, non-finite or sub-cent amount, one above
            :data:`MAX_MONEY`, or a float (floats cannot hold cents exactly). Its ``field``
            is ``what`` unless that is the default.
    """
    amount = _amount(value, what)
    if amount > MAX_MONEY:
        raise _money_error(f"{what} must not exceed {MAX_MONEY} EUR", what)
    return _whole_cents(amount, what)


def _money_error(message: str, what: str) -> InvalidInputError:
    return InvalidInputError(message, field=None if what == "money" else what)


def _amount(value: object, what: str = "money") -> Decimal:
    """Return ``value`` as a finite, non-negative Decimal."""
    if isinstance(value, bool | float):
        raise _money_error(f"{what} must be a Decimal, an int or a string, not a float", what)
    if not isinstance(value, Decimal | int | str):
        raise _money_error(f"{what} must be a Decimal, an int or a string", what)
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        # The value may be any text a person typed (a name in the wrong column): not repeated.
        message = "not an amount of money" if what == "money" else f"{what} is no amount of money"
        raise _money_error(message, what) from None
    if not amount.is_finite():
        raise _money_error(f"{what} must be a finite amount", what)
    if amount < 0:
        raise _money_error(f"{what} must not be negative", what)
    return amount


def _whole_cents(amount: Decimal, what: str = "money") -> Decimal:
    """Return a finite, non-negative ``amount`` with two decimals, if it is whole cents."""
    if amount.adjusted() < -3:
        # Far below a cent: quantizing would only say so after a long computation.
        if amount != 0:
            raise _money_error(f"{what} has at most two decimals (whole cents)", what)
        return _CENT * 0
    try:
        quantized = amount.quantize(_CENT, context=_MONEY_CONTEXT)
    except InvalidOperation:  # pragma: no cover - the callers bound the amount's size
        raise _money_error(f"{what} is too large", what) from None
    if quantized != amount:
        raise _money_error(f"{what} has at most two decimals (whole cents)", what)
    return quantized


#: Enough digits for any sum a store can hand back (statistics revenue of many bookings).
_MONEY_CONTEXT: Final = Context(prec=60)


def _sum_of_cents(value: Decimal | int | str) -> Decimal:
    """:func:`cents` without the upper bound, for sums of amounts (statistics revenue)."""
    amount = _amount(value)
    if amount.adjusted() > 40:
        raise InvalidInputError("a sum of money is too large")
    return _whole_cents(amount)


def _money(_inst: object, attribute: attrs.Attribute[Any], value: Decimal) -> None:
    if not isinstance(value, Decimal) or cents(value) != value or value.as_tuple().exponent != -2:
        raise InvalidInputError(
            f"{attribute.name} must be a Decimal with two decimals", field=attribute.name
        )


def _aware(_inst: object, attribute: attrs.Attribute[Any], value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise InvalidInputError(
            f"{attribute.name} must be a timezone-aware datetime", field=attribute.name
        )


def _text(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    """Single-line text: no control characters (they break searches, CSV and letters).

    Lone surrogates (category Cs) are refused too: they are not Unicode text, no store can
    encode them as UTF-8, and they arrive only through broken decoding.
    """
    if not isinstance(value, str):
        raise InvalidInputError(f"{attribute.name} must be text", field=attribute.name)
    if _CONTROL_OR_SURROGATE.search(value):
        raise InvalidInputError(
            f"{attribute.name} must not contain control characters", field=attribute.name
        )
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
        raise InvalidInputError(
            f"{attribute.name} is longer than {limit} characters", field=attribute.name
        )


def _multiline(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str):
        raise InvalidInputError(f"{attribute.name} must be text", field=attribute.name)
    if _CONTROL_OR_SURROGATE_MULTILINE.search(value):
        raise InvalidInputError(
            f"{attribute.name} must not contain control characters", field=attribute.name
        )
    _check_length(attribute, value)


#: What :func:`_within` returns: an attrs validator.
_Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def _within(check: _Validator, limit: int) -> _Validator:
    """``check`` (:func:`_text`, :func:`_multiline`, :func:`_non_empty` or
    :func:`_optional_non_empty`) for a field of at most ``limit`` characters, passing a valid
    value in one call.

    A customer has a dozen text fields, each checked whenever one is built; the general checks
    take three calls and a look-up of the field's limit per value. The quick form decides
    a plain ``str`` within the limit, with no control characters (and, where ``check`` wants
    one, not blank), itself; anything else goes to ``check``, which names the refusal as
    before. So the checks and their errors are ``check``'s.
    """
    search = (
        _CONTROL_OR_SURROGATE_MULTILINE.search
        if check is _multiline
        else _CONTROL_OR_SURROGATE.search
    )
    optional = check is _optional_non_empty
    non_empty = optional or check is _non_empty

    def quick(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None and optional:
            return
        if (
            type(value) is not str
            or len(value) > limit
            or search(value)
            or (non_empty and not value.strip())
        ):
            check(inst, attribute, value)

    return quick


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
        raise InvalidInputError(
            f"{attribute.name} must be a whole number from 1 to 2**63 - 1", field=attribute.name
        )


def _non_negative(_inst: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_NUMBER:
        raise InvalidInputError(
            f"{attribute.name} must be a whole number from 0 to 2**63 - 1", field=attribute.name
        )


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
        raise InvalidInputError(
            f"{attribute.name} must be a number of days from 0 to 36500", field=attribute.name
        )


def _debtor_part(_inst: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DEBTOR_PART:
        raise InvalidInputError(
            f"{attribute.name} must be a whole number from 0 to 10**15", field=attribute.name
        )


def _optional_positive(_inst: object, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None:
        _positive(_inst, attribute, value)


def _non_empty(_inst: object, attribute: attrs.Attribute[Any], value: str) -> None:
    _text(_inst, attribute, value)
    if not value.strip():
        raise InvalidInputError(f"{attribute.name} must not be empty", field=attribute.name)


def _optional_lookup(_inst: object, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None:
        check_lookup_text(value, attribute.name)


def _optional_bool(_inst: object, attribute: attrs.Attribute[Any], value: bool | None) -> None:
    if value is not None and not isinstance(value, bool):
        raise InvalidInputError(
            f"{attribute.name} must be True, False or None", field=attribute.name
        )


def _bool(_inst: object, attribute: attrs.Attribute[Any], value: bool) -> None:
    if not isinstance(value, bool):
        raise InvalidInputError(f"{attribute.name} must be True or False", field=attribute.name)


def _optional_non_empty(_inst: object, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None:
        _non_empty(_inst, attribute, value)


def _date(_inst: object, attribute: attrs.Attribute[Any], value: date) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInputError(
            f"{attribute.name} must be a date (not a datetime)", field=attribute.name
        )


def _optional_date(_inst: object, attribute: attrs.Attribute[Any], value: date | None) -> None:
    if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
        raise InvalidInputError(
            f"{attribute.name} must be a date (not a datetime)", field=attribute.name
        )


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
