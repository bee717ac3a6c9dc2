"""The access report's JSON document, its schema, the access letter and request deadlines."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import jsonschema  # type: ignore[import-untyped]
import pytest

from custmodel import (
    Booking,
    BookingKind,
    CustomerBook,
    CustomerKind,
    ErasureRequest,
    LetterTemplate,
    MemoryStore,
    RequestKind,
    Settings,
    SubjectRequest,
    rules,
)
from custmodel.errors import LetterTemplateError
from custmodel.letters import ACCESS_FIELDS, access_template, render_access_letter
from custmodel.serialization import (
    access_report_json,
    access_report_schema,
    make_converter,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def book() -> CustomerBook:
    """Customer 1 (with bookings, a merged duplicate 2, host rows and requests) and 3."""
    store = MemoryStore()
    rows = {1: 4}
    store.register_reference("invoices", lambda numbers, _to: sum(rows.get(n, 0) for n in numbers))
    book = CustomerBook(store, Settings(), clock=lambda: NOW)
    book.register(kind=CustomerKind.PRIVATE, last_name="Muster", first_name="Eva", city="Köln")
    book.register(kind=CustomerKind.PRIVATE, last_name="Muster")
    book.register(kind=CustomerKind.PRIVATE, last_name="Leer")
    book.record_booking(
        Booking(
            "B-1", 1, BookingKind.BOOKING, date(2026, 6, 1), "AG1", open_amount=Decimal("1234.5")
        )
    )
    book.record_booking(
        Booking("B-2", 2, BookingKind.OFFER, date(2027, 2, 1), "AG1", revenue=Decimal("99"))
    )
    book.merge(1, [2])
    book.request_access(1, date(2026, 11, 20))
    book.request_erasure(1, date(2026, 11, 21))
    return book


def test_the_json_document_is_valid_against_the_shipped_schema(book: CustomerBook) -> None:
    """Real output validates against schemas/access-report-v1.json (draft 2020-12)."""
    document = access_report_json(book.access_report(1))
    schema = access_report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(document)


def test_a_document_without_bookings_merges_or_requests_is_valid(book: CustomerBook) -> None:
    """Empty lists and maps are valid too."""
    document = access_report_json(book.access_report(3))
    jsonschema.Draft202012Validator(access_report_schema()).validate(document)
    assert ([], [], [], [], {"invoices": 0}) == (
        document["bookings"],
        document["merges"],
        document["requests"],
        document["marketing_choices"],
        document["host_data"],
    )


def test_the_report_holds_the_advertising_ledger(book: CustomerBook) -> None:
    """Objections and consents are in the report, the JSON document and the letter."""
    book.object_to_advertising(1, "email", given_on=date(2026, 11, 3), source="Brief vom 3.11.")
    report = book.access_report(1)
    document = access_report_json(report)
    jsonschema.Draft202012Validator(access_report_schema()).validate(document)
    assert (["email"], [("email", "objection", "2026-11-03", "Brief vom 3.11.")]) == (
        document["customer"]["record"]["advertising_objections"],
        [
            (c["channel"], c["choice"], c["given_on"], c["source"])
            for c in document["marketing_choices"]
        ],
    )
    assert "E-Mail: Widerspruch gegen Werbung, erklärt am 03.11.2026 (Brief vom 3.11.)" in (
        book.access_letter(1)
    )


def test_the_schema_refuses_a_document_missing_a_part(book: CustomerBook) -> None:
    """Without host_data the document is invalid: the schema pins every top-level key."""
    document = access_report_json(book.access_report(1))
    del document["host_data"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(access_report_schema()).validate(document)


def test_the_document_has_a_stable_key_order_and_its_content(book: CustomerBook) -> None:
    """Top-level keys in the published order; merges, requests and host data as stored."""
    document = access_report_json(book.access_report(1))
    assert [
        "format",
        "version",
        "generated_at",
        "customer",
        "bookings",
        "merges",
        "requests",
        "marketing_choices",
        "host_data",
    ] == list(document)
    assert (
        "custmodel.access-report",
        1,
        "2026-11-24T12:00:00+00:00",
        "Eva",
        ["B-1", "B-2"],
        [[2]],
        [("access", "2026-12-20"), ("erasure", "2026-12-21")],
        {"invoices": 4},
    ) == (
        document["format"],
        document["version"],
        document["generated_at"],
        document["customer"]["record"]["first_name"],
        [b["reference"] for b in document["bookings"]],
        [m["duplicates"] for m in document["merges"]],
        [(r["kind"], r["answer_by"]) for r in document["requests"]],
        document["host_data"],
    )
    assert json.loads(json.dumps(document)) == document


def test_the_report_round_trips_through_the_converter(book: CustomerBook) -> None:
    """The AccessReport type structures back from what the converter unstructures."""
    report = book.access_report(1)
    conv = make_converter()
    assert report == conv.structure(conv.unstructure(report), type(report))


def test_the_letter_lists_every_part_with_german_money_and_days(book: CustomerBook) -> None:
    """The default letter greets, lists bookings with de_DE money, merges, requests, host data."""
    text = book.access_letter(1)
    assert "Sehr geehrte Damen und Herren," in text
    assert "Stand: 24.11.2026" in text
    assert "- Ort: Köln" in text
    assert "- B-1: Buchung, Abreise 01.06.2026, Verkaufsstelle AG1" in text
    assert "offen 1.234,50 €" in text
    assert "B-2: Angebot" in text
    assert "Umsatz 99,00 €" in text
    assert "- 24.11.2026: Kundennummer 2 mit 1 zusammengeführt" in text
    assert "- Auskunft, eingegangen 20.11.2026, offen" in text
    assert "- Löschung, eingegangen 21.11.2026, offen" in text
    assert "Werbeeinwilligungen und Widersprüche:\n- keine" in text
    assert "- invoices: 4 Datensätze" in text


def test_a_letter_of_its_own_may_use_the_access_fields(book: CustomerBook) -> None:
    """A template text naming access fields renders them."""
    text = book.access_letter(1, "{Kunde-Vorname}: {Auskunft-Buchungen}")
    assert text.startswith("Eva: - B-1: Buchung")


def test_an_ordinary_letter_template_refuses_the_access_fields() -> None:
    """Access fields exist only in access letters: LetterTemplate.parse refuses them."""
    with pytest.raises(LetterTemplateError):
        LetterTemplate.parse("{Auskunft-Buchungen}")
    assert ACCESS_FIELDS[1:2] == access_template("{Auskunft-Kundendaten}").fields


def test_rendering_is_pure_given_a_report(book: CustomerBook) -> None:
    """render_access_letter renders the same text the book does."""
    report = book.access_report(1)
    assert book.access_letter(1) == render_access_letter(None, report)


def test_answer_by_is_one_calendar_month_after_receipt() -> None:
    """Jan 31 is answered by Feb 28 (Feb 29 in a leap year); Nov 24 by Dec 24."""
    assert [date(2027, 2, 28), date(2028, 2, 29), date(2026, 12, 24)] == [
        rules.answer_by(d) for d in (date(2027, 1, 31), date(2028, 1, 31), date(2026, 11, 24))
    ]


def test_a_request_is_overdue_only_while_open_after_its_answer_day() -> None:
    """Open after answer_by: overdue; on the day or answered: not."""
    request = SubjectRequest(1, 1, date(2026, 10, 24), NOW, kind=RequestKind.ACCESS)
    answered = SubjectRequest(2, 1, date(2026, 10, 24), NOW, NOW, kind=RequestKind.ACCESS)
    assert [False, True, False] == [
        rules.request_status(request, date(2026, 11, 24)).overdue,
        rules.request_status(request, date(2026, 11, 25)).overdue,
        rules.request_status(answered, date(2026, 11, 25)).overdue,
    ]


def test_a_request_built_without_a_kind_is_an_erasure_request() -> None:
    """ErasureRequest, the old name, builds requests of kind erasure."""
    assert RequestKind.ERASURE == ErasureRequest(1, 1, TODAY, NOW).kind
