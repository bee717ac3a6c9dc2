"""A customer built from a validated draft equals the one the validating constructor builds."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from custmodel import Customer, InvalidInputError, NewCustomer
from custmodel.model import MAX_NUMBER, _checks
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
        (True, 1, datetime(2025, 1, 1).astimezone()),
        (1, 2**63, datetime(2025, 1, 1).astimezone()),
    ],
    ids=["number", "account", "naive time", "no time", "bool number", "account too large"],
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


#: Text near the checks' edges: control characters, tab and line feed, a lone surrogate,
#: blanks, and values of the wrong type.
_EDGY_VALUES = st.one_of(
    st.text(alphabet=st.sampled_from("ab é\t\n\x00\x1f\x7f\x9f\ud800\u3000"), max_size=6),
    st.text(max_size=6),
    st.none(),
    st.integers(),
    st.binary(max_size=3),
)
_FULL_CHECKS = [_checks._text, _checks._multiline, _checks._non_empty, _checks._optional_non_empty]


@functools.cache
def _limited(limit: int) -> attrs.Attribute[Any]:
    """A text field of at most ``limit`` characters."""
    limited = attrs.make_class("Limited", {"value": attrs.field(metadata={"max_length": limit})})
    field: attrs.Attribute[Any] = attrs.fields(limited).value
    return field


@given(value=_EDGY_VALUES, check=st.sampled_from(_FULL_CHECKS), room=st.integers(-1, 1))
def test_the_quick_text_check_refuses_what_the_full_check_refuses(
    value: object, check: Any, room: int
) -> None:
    """A field's quick check passes exactly the values its full check passes, and refuses
    the others with the same error; the limit lies one below, at or one above the length."""
    limit = max(0, len(value) + room) if isinstance(value, str) else 3
    attribute = _limited(limit)

    def outcome(validate: Any) -> str | None:
        try:
            validate(None, attribute, value)
        except InvalidInputError as refused:
            return f"{refused.field}: {refused}"
        return None

    assert outcome(check) == outcome(_checks._within(check, limit))
