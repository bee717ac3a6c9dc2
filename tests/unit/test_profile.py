"""R2, R3: a customer's profile under the labels of its kind (Jack's "Attribute" card)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custmodel import (
    Customer,
    CustomerKind,
    CustomerProfile,
    CustomerType,
    InvalidInputError,
    InvalidStatusFlagError,
    KindSettings,
    LabelledCode,
    ProfileFlag,
    Settings,
    StatusFlags,
    rules,
)
from custmodel.testing import strategies as cst
from tests.booksupport import make_book

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
PRIVATE = CustomerKind.PRIVATE

#: Jack's examples: private flags "VIP / Stammkunden", "Single", "Familie"; a member number in
#: Code1.
SETTINGS = Settings(
    kinds={
        PRIVATE: KindSettings(
            status_labels={1: "VIP / Stammkunden", 2: "Single", 3: "Familie"},
            code1_label="Mitgliedsnummer",
        )
    }
)


def _customer(**fields: object) -> Customer:
    values: dict[str, object] = {
        "number": 7,
        "kind": PRIVATE,
        "debtor_account": 10007,
        "last_name": "Muster",
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    return Customer(**values)  # type: ignore[arg-type]


def test_every_labelled_flag_of_the_kind_appears_set_or_not() -> None:
    """The card lists each labelled flag of the kind, ticked where the customer carries it."""
    profile = rules.customer_profile(SETTINGS, _customer(status=StatusFlags.of([2])))

    assert (
        ProfileFlag(1, "VIP / Stammkunden", is_set=False),
        ProfileFlag(2, "Single", is_set=True),
        ProfileFlag(3, "Familie", is_set=False),
    ) == profile.flags


def test_a_carried_flag_without_a_label_appears_by_number() -> None:
    """A flag whose label was deleted is shown by number without a label, never hidden (R2)."""
    profile = rules.customer_profile(SETTINGS, _customer(status=StatusFlags.of([2, 9])))

    assert (ProfileFlag(2, "Single", True), ProfileFlag(9, None, True)) == profile.set_flags


def test_codes_appear_under_the_kinds_labels() -> None:
    """Code1 shows as "Mitgliedsnummer", Code2 under the default label "Code2" (R3)."""
    profile = rules.customer_profile(SETTINGS, _customer(code1="M-4711", code2="x"))

    assert (
        LabelledCode("code1", "Mitgliedsnummer", "M-4711"),
        LabelledCode("code2", "Code2", "x"),
    ) == (profile.code1, profile.code2)


def test_a_kind_without_labels_shows_only_the_carried_flags() -> None:
    """Under Jack's defaults no flag is labelled: the card shows what the customer carries."""
    profile = rules.customer_profile(Settings(), _customer(status=StatusFlags.of([32])))

    assert (ProfileFlag(32, None, True),) == profile.flags


def test_the_profile_of_an_anonymized_customer_says_so() -> None:
    """An anonymized customer's profile is marked anonymized and shows no flags set."""
    customer, _ = rules.anonymized(_customer(status=StatusFlags.of([1])), NOW)

    profile = rules.customer_profile(SETTINGS, customer)

    assert (True, ()) == (profile.anonymized, profile.set_flags)


@given(cst.settings().flatmap(lambda s: st.tuples(st.just(s), cst.customers(settings=s))))
def test_the_profile_shows_exactly_the_carried_flags(drawn: tuple[Settings, Customer]) -> None:
    """Whatever the labels, the flags set in the profile are the customer's flags."""
    settings, customer = drawn

    assert customer.status == rules.customer_profile(settings, customer).status


@given(cst.customer_profiles())
def test_a_profile_lists_each_flag_once_by_number(profile: CustomerProfile) -> None:
    """Flags appear in ascending order, each number once."""
    numbers = [flag.number for flag in profile.flags]

    assert sorted(set(numbers)) == numbers


def test_a_profile_flag_outside_1_to_32_is_refused() -> None:
    """Flag numbers stay 1..32 on the card too."""
    with pytest.raises(InvalidStatusFlagError):
        ProfileFlag(33, "zu viel")


def test_profile_flags_out_of_order_are_refused() -> None:
    """A profile's flags are ordered by number."""
    with pytest.raises(InvalidInputError):
        CustomerProfile(
            number=1,
            kind=PRIVATE,
            customer_type=CustomerType.WALK_IN,
            debtor_account=10001,
            code1=LabelledCode("code1", "Code1"),
            code2=LabelledCode("code2", "Code2"),
            flags=(ProfileFlag(2), ProfileFlag(1)),
        )


def test_book_profile_reads_the_stored_labels() -> None:
    """The book's profile uses the labels stored in its settings."""
    book = make_book(SETTINGS)
    number = book.register(PRIVATE, "Muster", status=[3]).number

    assert (ProfileFlag(3, "Familie", True),) == book.profile(number).set_flags


def test_book_profile_after_a_label_rename_shows_the_new_label() -> None:
    """Renaming a label changes the card, never the flags the customer carries (R2)."""
    book = make_book(SETTINGS)
    number = book.register(PRIVATE, "Muster", status=[3]).number
    book.rename_status_label(PRIVATE, 3, "Familie mit Kindern")

    assert (ProfileFlag(3, "Familie mit Kindern", True),) == book.profile(number).set_flags
