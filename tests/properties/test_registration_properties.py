"""A customer built from a validated draft equals the one the validating constructor builds."""

from __future__ import annotations

from datetime import datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from custmodel import Customer, InvalidInputError, NewCustomer
from custmodel.model import MAX_NUMBER
from custmodel.testing import strategies as cst

NUMBERS = st.integers(1, MAX_NUMBER)


@given(draft=cst.new_customers(), number=NUMBERS, account=NUMBERS, now=cst.aware_datetimes())
def test_customer_from_draft_equals_the_validated_constructor(
    draft: NewCustomer, number: int, account: int, now: datetime
) -> None:
    """``Customer.from_draft`` gives exactly the customer the checking constructor gives."""
    expected = Customer(
        number=number,
        debtor_account=account,
        created_at=now,
        updated_at=now,
        **attrs.asdict(draft, recurse=False),
    )

    actual = Customer.from_draft(draft, number=number, debtor_account=account, created_at=now)

    assert expected == actual


def test_every_copied_field_is_checked_by_the_draft_as_the_customer_checks_it() -> None:
    """The draft's fields have the customer's converters, limits and checks (or stricter ones)."""
    customer = attrs.fields_dict(Customer)
    stricter = {"last_name"}  # the draft refuses an empty name, the customer takes it

    differing = [
        f.name
        for f in attrs.fields(NewCustomer)
        if (f.converter, f.metadata) != (customer[f.name].converter, customer[f.name].metadata)
        or (f.validator is not customer[f.name].validator and f.name not in stricter)
    ]

    assert [] == differing


@pytest.mark.parametrize(
    ("number", "account", "now"),
    [
        (0, 1, datetime(2025, 1, 1).astimezone()),
        (1, -5, datetime(2025, 1, 1).astimezone()),
        (1, 1, datetime(2025, 1, 1)),  # noqa: DTZ001 - the naive time is the bad input
        (1, 1, "2025-01-01"),
    ],
    ids=["number", "account", "naive time", "no time"],
)
def test_customer_from_draft_refuses_a_bad_number_account_or_time(
    number: int, account: int, now: datetime
) -> None:
    """What the draft does not carry is checked as the constructor checks it."""
    draft = NewCustomer(kind="private", last_name="Weber")

    with pytest.raises(InvalidInputError):
        Customer.from_draft(draft, number=number, debtor_account=account, created_at=now)


def test_customer_from_draft_refuses_what_is_not_a_draft() -> None:
    """Only a NewCustomer, whose fields were checked, is copied without checks."""
    with pytest.raises(InvalidInputError):
        Customer.from_draft(
            {"kind": "private", "last_name": "x" * 300},  # type: ignore[arg-type]
            number=1,
            debtor_account=1,
            created_at=datetime(2025, 1, 1).astimezone(),
        )
