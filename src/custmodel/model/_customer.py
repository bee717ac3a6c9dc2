"""The customer: its own fields declared once, the draft a caller registers and the stored
customer.
"""

from __future__ import annotations

import enum
import functools
import inspect
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Final

import attrs

from custmodel.errors import InvalidInputError
from custmodel.model._assembly import assembler
from custmodel.model._channels import ContactChannel, to_channels
from custmodel.model._checks import (
    MAX_LABEL_LENGTH,
    MAX_NOTES_LENGTH,
    MAX_NUMBER,
    _aware,
    _limit,
    _multiline,
    _non_empty,
    _optional_date,
    _optional_non_empty,
    _optional_positive,
    _positive,
    _text,
    _within,
)
from custmodel.model._flags import StatusFlags, _to_flags
from custmodel.model._kinds import CustomerKind, CustomerType, _kind, _type

__all__ = [
    "PERSONAL_FIELDS",
    "Customer",
    "FieldShape",
    "NewCustomer",
    "blank_value",
    "customer_fields",
    "name_search_key",
    "next_version",
    "search_key",
]


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
    if max_length is not None:
        validator = _within(validator, max_length)
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
    last_name: str = attrs.field(
        validator=_within(_non_empty, _customer_metadata("last_name")["max_length"]),
        metadata=_customer_metadata("last_name"),
    )
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
        advertising_objections: The channels on which the person objects to advertising now
            (GDPR Art. 21), as the ledger of marketing choices says; not personal data, and
            kept by anonymization. Only the book's objection commands change it.
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
    advertising_objections: frozenset[ContactChannel] = attrs.field(
        default=frozenset(), converter=to_channels, kw_only=True
    )

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
        if not (
            type(number) is int
            and 1 <= number <= MAX_NUMBER
            and type(debtor_account) is int
            and 1 <= debtor_account <= MAX_NUMBER
            and type(created_at) is datetime
            and created_at.utcoffset() is not None
            and isinstance(draft, NewCustomer)
        ):
            # Anything but the plain values passed above takes the constructor's own checks,
            # which name what they refuse (or pass a subclass of int or datetime).
            if not isinstance(draft, NewCustomer):
                raise InvalidInputError("a customer is registered from a NewCustomer")
            fields = attrs.fields(cls)
            _positive(None, fields.number, number)
            _positive(None, fields.debtor_account, debtor_account)
            if not isinstance(created_at, datetime):
                raise InvalidInputError("created_at must be a timezone-aware datetime")
            _aware(None, fields.created_at, created_at)
        if cls is not Customer:
            # A subclass may add fields of its own: its constructor sets and checks them all.
            values = {name: getattr(draft, name) for name in _DRAFT_FIELDS}
            return cls(
                **values,
                number=number,
                debtor_account=debtor_account,
                created_at=created_at,
                updated_at=created_at,
            )
        return _copy_draft(draft, number, debtor_account, created_at)

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


_NO_OBJECTIONS: Final[frozenset[ContactChannel]] = frozenset()


#: The fields a :class:`Customer` takes over from its :class:`NewCustomer` unchanged.
_DRAFT_FIELDS: Final = tuple(f.name for f in attrs.fields(NewCustomer))


#: What :meth:`Customer.from_draft` sets besides the draft's fields: the names its copier takes
#: as arguments, and the fields every new customer starts with.
_REGISTERED: Final = ("number", "debtor_account", "created_at")
_STARTING: Final = {
    "updated_at": "created_at",
    "merged_into": "None",
    "anonymized_at": "None",
    "version": "1",
    "advertising_objections": "_no_objections",
}


def _draft_copier() -> Callable[..., Customer]:
    """A function ``copy(draft, number, debtor_account, created_at)``: a new customer holding
    the draft's fields, the three arguments and the fields a new customer starts with
    (:data:`_STARTING`), made by :func:`~custmodel.model._assembly.assembler`.

    Customer is frozen, and its ``__setattr__`` refuses; a loop of ``object.__setattr__`` over
    the names spent more on the loop and the name look-ups than on the values (a third of
    ``from_draft``). The function is written out once from the field names, as attrs writes
    ``__init__``: one statement per field.
    """
    values = {name: f"draft.{name}" for name in _DRAFT_FIELDS}
    values.update({name: name for name in _REGISTERED})
    values.update(_STARTING)
    parameters = f"draft, {', '.join(_REGISTERED)}"
    copy: Callable[..., Customer] = assembler(
        Customer, parameters, values, {"_no_objections": _NO_OBJECTIONS}
    )
    return copy


#: Builds the new customer of :meth:`Customer.from_draft`, its values checked before.
_copy_draft: Final = _draft_copier()


def _version_counter() -> Callable[[Customer], Customer]:
    """Return ``next_version(customer)``, generated one line per field (see
    :func:`values_copier`)."""
    values = {f.name: f"customer.{f.name}" for f in attrs.fields(Customer)}
    values["version"] = "customer.version + 1"
    counter: Callable[[Customer], Customer] = assembler(Customer, "customer", values)
    return counter


_next_version: Final = _version_counter()


def next_version(customer: Customer) -> Customer:
    """Return ``customer`` at the next version: what a store holds after writing it.

    Every field was validated when ``customer`` was built and only the version changes, by one
    (a positive number stays positive), so the fields are copied without validating them again
    (Customer is frozen: its slots are set directly): a sweep anonymizing thousands of
    customers built each of them once more for that. An object of a subclass of Customer is
    copied by :func:`attrs.evolve`, which keeps its class and its own fields.
    """
    if type(customer) is not Customer:
        return attrs.evolve(customer, version=customer.version + 1)
    return _next_version(customer)


@functools.lru_cache(maxsize=8)
def values_copier(names: frozenset[str]) -> Callable[[Customer, Customer], Customer]:
    """Return ``copy(customer, source)``: ``customer`` with the fields ``names`` holding
    ``source``'s values.

    No check of the model looks at two fields together, and ``source`` was validated when it
    was built, so the copy is as valid as the two customers are, and it is made without
    validating the fields again: a sweep gives thousands of customers the same anonymized
    values, checked once on the first of them. The function is generated, one line per field
    (a loop over the fields cost four times as much).

    Raises:
        ValueError: a name that is no field of :class:`Customer`.
    """
    fields = [f.name for f in attrs.fields(Customer)]
    unknown = names - set(fields)
    if unknown:
        raise ValueError(f"no customer fields: {sorted(unknown)}")
    values = {name: f"{'source' if name in names else 'customer'}.{name}" for name in fields}
    copy: Callable[[Customer, Customer], Customer] = assembler(Customer, "customer, source", values)
    return copy


def search_key(text: str) -> str:
    """Fold ``text`` for case-insensitive search: casefold and NFC, so "STRASSE" finds "Straße"."""
    return unicodedata.normalize("NFC", text).casefold()


def name_search_key(customer: Customer) -> str:
    """The text a name search looks in: last name, first name and company, folded.

    The parts are joined by a unit separator, which no customer text can contain, so a search
    never matches across two fields.
    """
    return (
        f"{search_key(customer.last_name)}\x1f{search_key(customer.first_name)}"
        f"\x1f{search_key(customer.company)}"
    )
