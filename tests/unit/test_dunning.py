"""R6: dunning fee (Mahngebühr) per kind and the mail-merge fields of a dunning letter."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from custmodel import CustomerKind, InvalidInputError, KindSettings, MoneyField, Settings, rules
from tests.booksupport import make_book


def test_dunning_fee_field_is_the_fee() -> None:
    """{Kunde-Mahngebühr} = the fee of the customer's kind: 5,00 €."""
    fields = rules.dunning_fields(Decimal("5.00"), Decimal("1229.50"))

    assert MoneyField(Decimal("5.00"), "5,00 €") == fields["Kunde-Mahngebühr"]


def test_open_amount_plus_fee_is_exact_and_formatted_for_de_de() -> None:
    """{OP-Betrag+Mahngebühr} = open amount + fee: 1229,50 € + 5,00 € = "1.234,50 €"."""
    fields = rules.dunning_fields(Decimal("5.00"), Decimal("1229.50"))

    assert MoneyField(Decimal("1234.50"), "1.234,50 €") == fields["OP-Betrag+Mahngebühr"]


def test_open_amount_plus_fee_text_is_exactly_what_a_letter_prints() -> None:
    """The text is "1.234,50 €" with a plain space before the euro sign."""
    fields = rules.dunning_fields(Decimal("5.00"), Decimal("1229.50"))

    assert "1.234,50 €" == str(fields["OP-Betrag+Mahngebühr"])


def test_open_amount_plus_fee_is_an_exact_decimal() -> None:
    """The amount is exactly Decimal("1234.50"), two decimals, no float anywhere."""
    amount = rules.dunning_fields(Decimal("5.00"), Decimal("1229.50"))["OP-Betrag+Mahngebühr"]

    assert (Decimal("1234.50"), -2) == (amount.amount, amount.amount.as_tuple().exponent)


def test_dunning_fields_name_the_fields_as_jack_spells_them() -> None:
    """The field names are Jack's placeholders, umlaut included."""
    fields = rules.dunning_fields(Decimal("0"), Decimal("0"))

    assert {"Kunde-Mahngebühr", "OP-Betrag", "OP-Betrag+Mahngebühr"} == set(fields)


def test_dunning_fee_defaults_to_zero() -> None:
    """Without a configured fee, every kind's Mahngebühr is 0,00 €."""
    assert {Decimal("0.00")} == {Settings().kind(k).dunning_fee for k in CustomerKind}


def test_book_fills_the_fields_with_the_default_fee_of_zero() -> None:
    """A customer of a kind without a fee gets 0,00 € and the bare open amount."""
    book = make_book()
    number = book.register(CustomerKind.PRIVATE, "Test").number

    fields = book.dunning_fields(number, Decimal("99.90"))

    assert (MoneyField(Decimal("0.00"), "0,00 €"), MoneyField(Decimal("99.90"), "99,90 €")) == (
        fields["Kunde-Mahngebühr"],
        fields["OP-Betrag+Mahngebühr"],
    )


def test_book_uses_the_fee_of_the_customers_kind() -> None:
    """Zu jeder Kundenart können andere Mahngebühren eingetragen werden."""
    settings = Settings(
        kinds={
            CustomerKind.PRIVATE: KindSettings(dunning_fee=Decimal("5.00")),
            CustomerKind.CORPORATE: KindSettings(dunning_fee=Decimal("12.50")),
        }
    )
    book = make_book(settings)
    private = book.register(CustomerKind.PRIVATE, "Privat").number
    corporate = book.register(CustomerKind.CORPORATE, "Firma").number

    totals = [
        book.dunning_fields(n, Decimal("1229.50"))["OP-Betrag+Mahngebühr"].text
        for n in (private, corporate)
    ]

    assert ["1.234,50 €", "1.242,00 €"] == totals


def test_changed_kind_fee_applies_to_the_next_letter() -> None:
    """The fee is read from the settings when the letter is made."""
    book = make_book()
    number = book.register(CustomerKind.PRIVATE, "Test").number
    book.update_kind_settings(CustomerKind.PRIVATE, dunning_fee=Decimal("2.50"))

    assert (
        Decimal("2.50") == book.dunning_fields(number, Decimal("0.00"))["Kunde-Mahngebühr"].amount
    )


def test_large_amounts_get_thousands_separators() -> None:
    """A million and more is grouped by dots."""
    total = rules.dunning_fields(Decimal("5.00"), Decimal("1234567.00"))["OP-Betrag+Mahngebühr"]

    assert "1.234.572,00 €" == total.text


@pytest.mark.parametrize(
    "amount",
    [Decimal("-0.01"), Decimal("1.005"), Decimal("NaN"), Decimal("Infinity"), 1.5, "abc"],
)
def test_bad_open_amount_is_refused(amount: Any) -> None:
    """Negative, sub-cent, non-finite, float or non-numeric open amounts are InvalidInputError."""
    with pytest.raises(InvalidInputError):
        rules.dunning_fields(Decimal("5.00"), amount)


@pytest.mark.parametrize("fee", [Decimal("-5.00"), Decimal("0.001"), 5.0])
def test_bad_dunning_fee_is_refused(fee: Any) -> None:
    """A negative, sub-cent or float fee cannot be configured."""
    with pytest.raises(InvalidInputError):
        KindSettings(dunning_fee=fee)


def test_fee_given_as_whole_euros_gets_two_decimals() -> None:
    """An int or a string fee is stored as EUR with two decimals."""
    assert (Decimal("5.00"), "5.00") == (
        KindSettings(dunning_fee=5).dunning_fee,
        str(KindSettings(dunning_fee="5").dunning_fee),
    )


def test_book_refuses_a_negative_open_amount() -> None:
    """The book's dunning_fields refuses a negative open amount."""
    book = make_book()
    number = book.register(CustomerKind.PRIVATE, "Test").number

    with pytest.raises(InvalidInputError):
        book.dunning_fields(number, Decimal("-1.00"))
