"""The customer's own fields are declared once; both classes and the personal-data list follow."""

from __future__ import annotations

import attrs
import pytest

from custmodel.model import (
    PERSONAL_FIELDS,
    Customer,
    CustomerKind,
    CustomerType,
    FieldShape,
    NewCustomer,
    _checks,
    _customer,
    _kinds,
    blank_value,
    customer_fields,
    max_length,
)
from custmodel.model._customer import CustomerFields

#: The customer's own fields that are no personal data.
RULE_FIELDS = ("commission_scheme", "fee_schedule")


def test_personal_fields_keep_their_order() -> None:
    """PERSONAL_FIELDS names the person's fields in the order anonymization reports them."""
    assert (
        "last_name",
        "first_name",
        "salutation",
        "company",
        "street",
        "postal_code",
        "city",
        "country",
        "email",
        "phone",
        "birth_date",
        "code1",
        "code2",
        "notes",
        "category",
        "status",
    ) == PERSONAL_FIELDS


def test_every_field_marked_personal_is_in_the_personal_fields() -> None:
    """The fields whose metadata says personal are exactly PERSONAL_FIELDS, in both classes."""
    for cls in (NewCustomer, Customer):
        marked = {f.name for f in attrs.fields(cls) if f.metadata.get("personal")}
        assert (cls, set(PERSONAL_FIELDS)) == (cls, marked)


def test_new_customer_and_customer_declare_their_own_fields_alike() -> None:
    """Each own field has the same metadata (limit, personal) in NewCustomer and Customer."""
    new, stored = attrs.fields_dict(NewCustomer), attrs.fields_dict(Customer)
    expected = {name: new[name].metadata for name in (*PERSONAL_FIELDS, *RULE_FIELDS)}
    assert expected == {name: stored[name].metadata for name in expected}


def test_blank_value_is_what_a_new_customer_holds_when_not_given() -> None:
    """blank_value gives the default of every own field but the required last name."""
    draft = NewCustomer(CustomerKind.PRIVATE, "Test")
    names = [n for n in (*PERSONAL_FIELDS, *RULE_FIELDS) if n != "last_name"]
    assert [getattr(draft, n) for n in names] == [blank_value(n) for n in names]


def test_the_limits_are_read_from_the_declaration() -> None:
    """max_length reads the declared limits: e.g. 320 characters for an e-mail address."""
    assert (320, 32, 191) == (
        max_length(Customer, "email"),
        max_length(NewCustomer, "postal_code"),
        max_length(Customer, "code1"),
    )


def test_both_classes_take_every_declared_field_and_keep_their_order() -> None:
    """NewCustomer and Customer inherit every field of CustomerFields, keyword-only, after
    ``customer_type``; the order that repr, JSON and the CSV export show stays as it was."""
    declared = [f.name for f in customer_fields()]
    for cls in (NewCustomer, Customer):
        names = [f.name for f in attrs.fields(cls)]
        start = names.index("customer_type") + 1
        inherited = [n for n in declared if n != "last_name"]
        assert inherited == names[start : start + len(inherited)]
        assert all(attrs.fields_dict(cls)[n].kw_only for n in inherited)
    assert ["kind", "last_name", "customer_type"] == [
        f.name for f in attrs.fields(NewCustomer) if not f.kw_only
    ]


def test_a_field_declared_once_reaches_both_classes_and_the_personal_list() -> None:
    """A field added to the declaration alone is in both classes, in PERSONAL_FIELDS' way of
    reading, and in the SQL columns (checked in tests/sql/test_schema_fields.py)."""

    @attrs.frozen(kw_only=True)
    class Declared(CustomerFields):
        nickname: str = _customer._own("", _checks._text, 40, personal=True)

    @attrs.frozen(field_transformer=_customer._after_customer_type)
    class Draft(Declared):
        kind: CustomerKind = attrs.field(converter=_kinds._kind)
        last_name: str = attrs.field()
        customer_type: CustomerType = attrs.field(default=CustomerType.WALK_IN)

    names = [f.name for f in attrs.fields(Draft)]
    assert "nickname" == names[-1]
    assert Draft(CustomerKind.PRIVATE, "X").nickname == ""
    metadata = attrs.fields_dict(Draft)["nickname"].metadata
    assert (True, 40, FieldShape.TEXT) == (
        metadata["personal"],
        metadata["max_length"],
        metadata["shape"],
    )


def test_a_field_cannot_be_declared_without_saying_whether_it_is_personal() -> None:
    """``personal`` has no default: forgetting it fails where the field is declared."""
    with pytest.raises(TypeError):
        _customer._own("", _checks._text, 40)  # type: ignore[call-arg]
