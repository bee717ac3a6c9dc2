"""R9: anonymizing a customer replaces every personal field and keeps the accounting data."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest

from custmodel import (
    PERSONAL_FIELDS,
    AnonymizedCustomerError,
    CustomerBook,
    CustomerKind,
    CustomerType,
    KindSettings,
    NotEligibleError,
    Settings,
    StatusFlags,
    rules,
)
from tests.booksupport import AGENCY, firm_booking, make_book, offer, snapshot, strings_in

PERSONAL: dict[str, Any] = {
    "salutation": "Frau",
    "first_name": "Testine",
    "company": "Testfirma GmbH",
    "street": "Hauptstraße 1",
    "postal_code": "10115",
    "city": "Berlin",
    "country": "DE",
    "email": "testine@example.org",
    "phone": "+49 30 1234567",
    "birth_date": date(1980, 5, 17),
    "code1": "M-4711",
    "code2": "Newsletter",
    "notes": "Reist gern\nmit Hund",
    "category": "A",
    "status": [1],
}


def _book_with_customer() -> tuple[CustomerBook, int]:
    settings = Settings().with_kind(
        CustomerKind.PRIVATE, KindSettings(categories=("A", "B"), status_labels={1: "VIP"})
    )
    book = make_book(settings)
    customer = book.register(
        CustomerKind.PRIVATE,
        "Test",
        customer_type=CustomerType.REGULAR,
        commission_scheme="PROV-A",
        **PERSONAL,
    )
    return book, customer.number


def test_anonymization_blanks_every_personal_field() -> None:
    """Every personal field but the last name becomes empty."""
    book, number = _book_with_customer()

    customer = book.anonymize(number, AGENCY).customer

    blanks: dict[str, object] = {f: "" for f in PERSONAL_FIELDS if f != "last_name"}
    blanks.update(birth_date=None, category=None, status=StatusFlags())
    assert blanks == {f: getattr(customer, f) for f in blanks}


def test_anonymized_last_name_is_a_constant_dummy() -> None:
    """The last name becomes "Anonymisiert", which tells nothing about the person."""
    book, number = _book_with_customer()

    customer = book.anonymize(number, AGENCY).customer

    assert rules.ANONYMIZED_NAME == customer.last_name


def test_anonymization_keeps_number_kind_type_and_debtor_account() -> None:
    """Accounting data stays: number, kind, type and debtor account."""
    book, number = _book_with_customer()
    before = book.get(number)

    after = book.anonymize(number, AGENCY).customer

    keep = ("number", "kind", "customer_type", "debtor_account")
    assert [getattr(before, f) for f in keep] == [getattr(after, f) for f in keep]


def test_anonymization_keeps_the_bookings() -> None:
    """Bookings stay with the anonymized customer (accounting records are retained)."""
    book, number = _book_with_customer()
    book.record_booking(firm_booking("VG-1", number, date(2020, 1, 1)))
    book.record_booking(offer("AN-1", number))

    book.anonymize(number, AGENCY)

    assert ["AN-1", "VG-1"] == [b.reference for b in book.bookings(number)]


def test_report_lists_the_fields_that_held_data() -> None:
    """The report names every personal field that held data and was replaced."""
    book, number = _book_with_customer()

    report = book.anonymize(number, AGENCY)

    assert set(PERSONAL_FIELDS) == set(report.fields_cleared)


def test_anonymizing_twice_is_a_no_op() -> None:
    """The second anonymization changes nothing and says so."""
    book, number = _book_with_customer()
    book.anonymize(number, AGENCY)
    before = snapshot(book)

    report = book.anonymize(number, AGENCY)

    assert (True, before) == (report.already_anonymized, snapshot(book))


def test_anonymizing_an_ineligible_customer_is_refused_with_the_reasons() -> None:
    """NotEligibleError carries the eligibility with every blocking booking."""
    book, number = _book_with_customer()
    book.record_booking(firm_booking("VG-1", number, date(2024, 2, 20)))

    with pytest.raises(NotEligibleError) as refused:
        book.anonymize(number, AGENCY, date(2024, 3, 1))

    assert ("VG-1",) == tuple(b.reference for b in refused.value.eligibility.blockers)


def test_refused_anonymization_changes_nothing() -> None:
    """An ineligible customer stays exactly as it was."""
    book, number = _book_with_customer()
    book.record_booking(firm_booking("VG-1", number, date(2024, 2, 20), point_of_sale="AG2"))
    before = snapshot(book)

    with pytest.raises(NotEligibleError):
        book.anonymize(number, AGENCY, date(2030, 1, 1))

    assert before == snapshot(book)


def test_anonymization_succeeds_from_day_42_after_departure() -> None:
    """Departure D: anonymize works on D + 42."""
    book, number = _book_with_customer()
    departure = date(2024, 1, 1)
    book.record_booking(firm_booking("VG-1", number, departure))

    report = book.anonymize(number, AGENCY, departure + timedelta(days=42))

    assert True is report.customer.is_anonymized


def test_anonymized_customer_cannot_be_updated() -> None:
    """Dummy data is final: an update of an anonymized customer is refused."""
    book, number = _book_with_customer()
    customer = book.anonymize(number, AGENCY).customer

    with pytest.raises(AnonymizedCustomerError):
        book.update(attrs.evolve(customer, first_name="Wieder da"))


def test_anonymized_customer_receives_no_letters() -> None:
    """Dunning letters are refused for anonymized customers (R10)."""
    book, number = _book_with_customer()
    book.anonymize(number, AGENCY)

    with pytest.raises(AnonymizedCustomerError):
        book.dunning_fields(number, Decimal("0.00"))


def test_anonymized_customer_is_no_longer_found_by_its_code1() -> None:
    """The old Code1 finds nothing after anonymization."""
    book, number = _book_with_customer()
    book.anonymize(number, AGENCY)

    assert [] == book.find_by_code1("M-4711")


def test_no_personal_text_survives_anywhere_in_the_memory_store() -> None:
    """Neither the customer record nor any index of the memory store keeps the old text."""
    book, number = _book_with_customer()

    book.anonymize(number, AGENCY)

    texts = {v for v in PERSONAL.values() if isinstance(v, str) and len(v) > 3}
    assert set() == texts & strings_in(book.store)
