"""The customer's own fields are declared once; both classes and the personal-data list follow."""

from __future__ import annotations

import attrs

from custmodel.model import (
    PERSONAL_FIELDS,
    Customer,
    CustomerKind,
    NewCustomer,
    blank_value,
    max_length,
)

#: The customer's own fields that are no personal data.
RULE_FIELDS = ("commission_scheme", "fee_schedule")


def test_personal_fields_keep_their_order() -> None:
    """PERSONAL_FIELDS names the person's fields in the order anonymization reports them."""
    assert (
        "salutation",
        "first_name",
        "last_name",
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
