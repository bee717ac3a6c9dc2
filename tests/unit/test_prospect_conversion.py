"""R4: a prospect (Interessent) becomes a customer at its first firm booking."""

from __future__ import annotations

import pytest

from custmodel import (
    CustomerBook,
    CustomerKind,
    DebtorAccountError,
    InvalidInputError,
    KindSettings,
    Settings,
    StatusFlags,
    rules,
)
from tests.booksupport import START, firm_booking, make_book, offer, snapshot

#: Prospects live in 110001.., private customers in 10001.., corporate ones in 30001...
RANGES = Settings(
    kinds={
        CustomerKind.PROSPECT: KindSettings(debtor_offset=100000, renumber_on_kind_change=True),
        CustomerKind.CORPORATE: KindSettings(debtor_offset=20000),
    }
)


def _prospect(settings: Settings = RANGES) -> tuple[CustomerBook, int]:
    book = make_book(settings)
    return book, book.register(CustomerKind.PROSPECT, "Interessent").number


def test_prospect_converts_at_its_first_firm_booking() -> None:
    """Jack wandelt Interessenten bei ihrer ersten Festbuchung automatisch um."""
    book, number = _prospect()

    book.record_booking(firm_booking("VG-1", number))

    assert CustomerKind.PRIVATE == book.get(number).kind


def test_prospect_does_not_convert_at_an_offer() -> None:
    """An offer is no firm booking: the prospect stays a prospect."""
    book, number = _prospect()

    recorded = book.record_booking(offer("AN-1", number))

    assert (CustomerKind.PROSPECT, None) == (book.get(number).kind, recorded.conversion)


def test_prospect_converts_when_its_offer_becomes_a_firm_booking() -> None:
    """The offer turned into a booking (same reference) is the first firm booking."""
    book, number = _prospect()
    book.record_booking(offer("VG-1", number))

    book.record_booking(firm_booking("VG-1", number))

    assert CustomerKind.PRIVATE == book.get(number).kind


def test_conversion_is_reported_with_the_booking() -> None:
    """The booking's result carries the kind change the conversion made."""
    book, number = _prospect()

    conversion = book.record_booking(firm_booking("VG-1", number)).conversion

    assert conversion is not None
    assert (CustomerKind.PROSPECT, CustomerKind.PRIVATE) == (
        conversion.old_kind,
        conversion.new_kind,
    )


def test_prospect_converts_into_the_kind_the_caller_names() -> None:
    """convert_to names the new kind, e.g. a corporate customer."""
    book, number = _prospect()

    book.record_booking(firm_booking("VG-1", number), convert_to=CustomerKind.CORPORATE)

    assert CustomerKind.CORPORATE == book.get(number).kind


def test_prospect_cannot_convert_into_a_prospect() -> None:
    """Converting into PROSPECT is misuse, refused with InvalidInputError."""
    book, number = _prospect()

    with pytest.raises(InvalidInputError):
        book.record_booking(firm_booking("VG-1", number), convert_to=CustomerKind.PROSPECT)


def test_conversion_renumbers_the_debtor_account_when_the_setting_is_on() -> None:
    """With "neue Nummernvergabe bei Änderung der Kundenart" on, the new kind's offset applies."""
    book, number = _prospect()

    book.record_booking(firm_booking("VG-1", number))

    assert (110001, 10001) == (
        rules.debtor_account(RANGES, CustomerKind.PROSPECT, number),
        book.get(number).debtor_account,
    )


def test_conversion_renumbers_with_the_offset_of_the_named_kind() -> None:
    """A prospect converted into a corporate customer gets a corporate account."""
    book, number = _prospect()

    book.record_booking(firm_booking("VG-1", number), convert_to=CustomerKind.CORPORATE)

    assert 30001 == book.get(number).debtor_account


def test_conversion_keeps_the_debtor_account_when_the_setting_is_off() -> None:
    """With the setting off, the prospect's account stays."""
    settings = RANGES.with_kind(CustomerKind.PROSPECT, KindSettings(debtor_offset=100000))
    book, number = _prospect(settings)

    book.record_booking(firm_booking("VG-1", number))

    assert 110001 == book.get(number).debtor_account


def test_later_kind_change_keeps_the_debtor_account() -> None:
    """After the conversion, a change from private to corporate keeps the account."""
    book, number = _prospect()
    book.record_booking(firm_booking("VG-1", number))

    change = book.change_kind(number, CustomerKind.CORPORATE)

    assert (10001, False) == (change.customer.debtor_account, change.renumbered)


def test_renumber_setting_of_another_kind_never_renumbers() -> None:
    """Renumbering is the prospect kind's setting; on a private customer it changes nothing."""
    settings = RANGES.with_kind(CustomerKind.PRIVATE, KindSettings(renumber_on_kind_change=True))
    book = make_book(settings)
    number = book.register(CustomerKind.PRIVATE, "Privat").number

    change = book.change_kind(number, CustomerKind.CORPORATE)

    assert 10001 == change.customer.debtor_account


def test_firm_booking_of_a_customer_converts_nothing() -> None:
    """Only prospects convert: a private customer's booking reports no conversion."""
    book = make_book(RANGES)
    number = book.register(CustomerKind.PRIVATE, "Privat").number

    assert None is book.record_booking(firm_booking("VG-1", number)).conversion


def test_second_firm_booking_does_not_convert_again() -> None:
    """A converted prospect is a customer: its next firm booking changes no kind."""
    book, number = _prospect()
    book.record_booking(firm_booking("VG-1", number), convert_to=CustomerKind.CORPORATE)

    recorded = book.record_booking(firm_booking("VG-2", number))

    assert (None, CustomerKind.CORPORATE) == (recorded.conversion, book.get(number).kind)


def test_conversion_drops_status_flags_unless_kept() -> None:
    """Prospect flags mean something else on private customers, so they are dropped."""
    settings = RANGES.with_kind(
        CustomerKind.PROSPECT,
        KindSettings(status_labels={2: "Mailing zuschicken"}, renumber_on_kind_change=True),
    )
    book = make_book(settings)
    number = book.register(CustomerKind.PROSPECT, "Interessent", status=[2]).number

    conversion = book.record_booking(firm_booking("VG-1", number)).conversion

    assert conversion is not None
    assert (StatusFlags.of([2]), StatusFlags()) == (
        conversion.dropped_status,
        book.get(number).status,
    )


def test_conversion_keeps_status_flags_when_asked() -> None:
    """keep_status=True carries the prospect's flags over."""
    settings = RANGES.with_kind(
        CustomerKind.PROSPECT, KindSettings(status_labels={2: "Mailing zuschicken"})
    )
    book = make_book(settings)
    number = book.register(CustomerKind.PROSPECT, "Interessent", status=[2]).number

    book.record_booking(firm_booking("VG-1", number), keep_status=True)

    assert StatusFlags.of([2]) == book.get(number).status


def test_conversion_to_a_taken_debtor_account_records_nothing() -> None:
    """A renumbered account that is taken refuses the booking; nothing is written."""
    settings = RANGES.with_kind(CustomerKind.CORPORATE, KindSettings(debtor_offset=1))
    book = make_book(settings)
    book.register(CustomerKind.CORPORATE, "Firma")  # 1 → 10002
    prospect = book.register(CustomerKind.PROSPECT, "Interessent")  # 2 → 110002
    before = snapshot(book)

    with pytest.raises(DebtorAccountError):
        book.record_booking(firm_booking("VG-1", prospect.number))  # 2 → 10002, taken

    assert before == snapshot(book)


def test_convert_prospect_rule_ignores_offers() -> None:
    """The pure rule returns None for an offer."""
    book, number = _prospect()
    prospect = book.get(number)

    assert None is rules.convert_prospect(RANGES, prospect, offer("AN-1", number), now=START)
