"""R6, R10: mail-merge letters and data files with Jack's {Field} placeholders."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from custmodel import (
    AlreadyMergedError,
    AnonymizedCustomerError,
    Booking,
    Customer,
    CustomerBook,
    CustomerKind,
    InvalidInputError,
    KindSettings,
    Letter,
    LetterTemplate,
    LetterTemplateError,
    Settings,
    StoreError,
    letters,
)
from tests.booksupport import CountingStore, firm_booking, make_book, offer

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
PRIVATE = CustomerKind.PRIVATE

#: Jack's example: a dunning fee of 5,00 € on private customers.
SETTINGS = Settings(kinds={PRIVATE: KindSettings(dunning_fee=Decimal("5.00"))})


def _customer(**fields: Any) -> Customer:
    values: dict[str, Any] = {
        "number": 7,
        "kind": PRIVATE,
        "debtor_account": 10007,
        "last_name": "Müller",
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    return Customer(**values)


def _render(template: str, customer: Customer | None = None, amount: str | None = None) -> str:
    open_amount = None if amount is None else Decimal(amount)
    return letters.render_letter(template, customer or _customer(), SETTINGS, open_amount).text


# -- the seed example ---------------------------------------------------------------------------


def test_open_amount_plus_fee_renders_as_jack_prints_it() -> None:
    """Open 1.229,50 € plus the fee 5,00 € renders {OP-Betrag+Mahngebühr} as "1.234,50 €"."""
    assert "1.234,50 €" == _render("{OP-Betrag+Mahngebühr}", amount="1229.50")


def test_the_dunning_fee_renders_as_jack_prints_it() -> None:
    """{Kunde-Mahngebühr} renders the fee of the customer's kind: "5,00 €"."""
    assert "5,00 €" == _render("{Kunde-Mahngebühr}", amount="1229.50")


def test_the_open_amount_renders_on_its_own() -> None:
    """{OP-Betrag} renders the open amount without the fee."""
    assert "1.229,50 €" == _render("{OP-Betrag}", amount="1229.50")


# -- the template syntax ------------------------------------------------------------------------


def test_doubled_braces_write_literal_braces() -> None:
    """{{ and }} print one brace each, also around a placeholder."""
    assert "{Name}: {Müller}" == _render("{{Name}}: {{{Kunde-Name}}}")


def test_a_field_may_occur_several_times() -> None:
    """Every occurrence of a placeholder is replaced."""
    assert "Müller/Müller" == _render("{Kunde-Name}/{Kunde-Name}")


def test_an_unknown_placeholder_is_refused_naming_it() -> None:
    """The error names the placeholder and where it starts."""
    with pytest.raises(LetterTemplateError) as info:
        LetterTemplate.parse("Hallo {Kunde-Hobby}!")

    assert ("Kunde-Hobby", 6) == (info.value.placeholder, info.value.position)


def test_a_misspelt_placeholder_gets_a_suggestion() -> None:
    """A near miss suggests the known field."""
    with pytest.raises(LetterTemplateError, match=r"did you mean \{Kunde-Name\}"):
        LetterTemplate.parse("{Kunde-Nmae}")


def test_an_empty_placeholder_is_refused() -> None:
    """{} names no field."""
    with pytest.raises(LetterTemplateError) as info:
        LetterTemplate.parse("a {} b")

    assert ("", 2) == (info.value.placeholder, info.value.position)


def test_an_unclosed_brace_is_refused_with_its_position() -> None:
    """A { that opens no placeholder is refused; the error gives its position."""
    with pytest.raises(LetterTemplateError) as info:
        LetterTemplate.parse("Sehr geehrte {Kunde-Name")

    assert (None, 13) == (info.value.placeholder, info.value.position)


def test_a_lone_closing_brace_is_refused() -> None:
    """A } that closes nothing is refused."""
    with pytest.raises(LetterTemplateError) as info:
        LetterTemplate.parse("5 } 4")

    assert 2 == info.value.position


def test_a_brace_inside_a_placeholder_is_refused() -> None:
    """{a{Kunde-Name} is malformed: the first brace opens nothing."""
    with pytest.raises(LetterTemplateError) as info:
        LetterTemplate.parse("{a{Kunde-Name}")

    assert 0 == info.value.position


def test_a_placeholder_with_a_decomposed_umlaut_names_the_field() -> None:
    """An editor's decomposed ü (u + combining diaeresis) still names Kunde-Mahngebühr."""
    template = LetterTemplate.parse("{Kunde-Mahngebu\u0308hr}")

    assert ("Kunde-Mahngebühr",) == template.fields


def test_a_template_knows_whether_it_needs_the_open_amount() -> None:
    """Only OP-Betrag fields need the open amount; the dunning fee alone does not."""
    needs = [
        LetterTemplate.parse(text).needs_open_amount
        for text in ("{Kunde-Mahngebühr}", "{OP-Betrag}", "{OP-Betrag+Mahngebühr}")
    ]

    assert [False, True, True] == needs


def test_a_template_built_with_an_unknown_field_is_refused() -> None:
    """LetterTemplate checks its fields however it is built."""
    with pytest.raises(LetterTemplateError):
        LetterTemplate(("a", "b"), ("Kunde-Hobby",))


def test_a_template_needs_one_literal_more_than_fields() -> None:
    """Literals and fields interleave: text, field, text."""
    with pytest.raises(LetterTemplateError):
        LetterTemplate(("a",), ("Kunde-Name",))


def test_a_template_that_is_not_text_is_refused() -> None:
    """parse takes text."""
    with pytest.raises(LetterTemplateError):
        LetterTemplate.parse(b"{Kunde-Name}")  # type: ignore[arg-type]


# -- the fields ---------------------------------------------------------------------------------


def test_missing_values_render_as_empty_text() -> None:
    """A customer without first name, street or birth date renders those as ""."""
    assert "[][][]" == _render("[{Kunde-Vorname}][{Kunde-Strasse}][{Kunde-Geburtsdatum}]")


def test_without_an_open_amount_the_amount_fields_are_empty() -> None:
    """Without an open amount, OP-Betrag and OP-Betrag+Mahngebühr render empty; the fee not."""
    assert "[][][5,00 €]" == _render("[{OP-Betrag}][{OP-Betrag+Mahngebühr}][{Kunde-Mahngebühr}]")


def test_the_address_fields_render_as_stored() -> None:
    """Street, postal code, town, country, e-mail and phone render verbatim."""
    customer = _customer(
        street="Ölbergstraße 17a",
        postal_code="79098",
        city="Freiburg",
        country="DE",
        email="lena@example.org",
        phone="+49 761 5550173",
    )
    template = "{Kunde-Strasse}|{Kunde-PLZ} {Kunde-Ort}|{Kunde-Land}|{Kunde-E-Mail}|{Kunde-Telefon}"

    assert "Ölbergstraße 17a|79098 Freiburg|DE|lena@example.org|+49 761 5550173" == _render(
        template, customer
    )


def test_number_account_category_and_codes_render() -> None:
    """Number, debtor account, category, Code1 and Code2 render as text."""
    customer = _customer(category=None, code1="M-4711", code2="ST")
    template = "{Kunde-Nummer} {Kunde-Debitorkonto} [{Kunde-Kategorie}] {Kunde-Code1} {Kunde-Code2}"

    assert "7 10007 [] M-4711 ST" == _render(template, customer)


def test_the_birth_date_renders_the_german_way() -> None:
    """13 July 1961 renders as 13.07.1961."""
    assert "13.07.1961" == _render("{Kunde-Geburtsdatum}", _customer(birth_date=date(1961, 7, 13)))


@pytest.mark.parametrize(
    ("salutation", "last_name", "expected"),
    [
        ("Frau", "Müller", "Sehr geehrte Frau Müller"),
        ("Frau Dr.", "Müller", "Sehr geehrte Frau Dr. Müller"),
        ("Herr", "Weiß", "Sehr geehrter Herr Weiß"),
        ("Herrn Prof.", "Weiß", "Sehr geehrter Herr Prof. Weiß"),
        ("Familie", "Schmidt", "Sehr geehrte Familie Schmidt"),
        ("frau", "Müller", "Sehr geehrte Frau Müller"),
        ("Firma", "Sonne GmbH", "Sehr geehrte Damen und Herren"),
        ("", "Müller", "Sehr geehrte Damen und Herren"),
        ("Frau", " ", "Sehr geehrte Damen und Herren"),
    ],
)
def test_the_greeting_line_follows_the_salutation(
    salutation: str, last_name: str, expected: str
) -> None:
    """{Kunde-Briefanrede} greets by salutation and last name, or neutrally."""
    customer = _customer(salutation=salutation, last_name=last_name)

    assert expected == _render("{Kunde-Briefanrede}", customer)


def test_an_anonymized_customer_receives_no_letter() -> None:
    """Rendering for an anonymized customer is refused (R10)."""
    with pytest.raises(AnonymizedCustomerError):
        _render("{Kunde-Name}", _customer(anonymized_at=NOW))


def test_a_merged_duplicate_receives_no_letter() -> None:
    """Rendering for a tombstone is refused; the error names its master."""
    with pytest.raises(AlreadyMergedError) as info:
        _render("{Kunde-Name}", _customer(merged_into=3))

    assert 3 == info.value.master


def test_the_open_amount_counts_firm_bookings_only() -> None:
    """Offers owe nothing: their open amount is left out."""
    bookings = [
        firm_booking("VG-1", 1, date(2024, 1, 1), open_amount=Decimal("1000.00")),
        firm_booking("VG-2", 1, date(2024, 1, 1), open_amount=Decimal("229.50")),
        attrs.evolve(offer("AN-1", 1, date(2024, 1, 1)), open_amount=Decimal("300.00")),
    ]

    assert Decimal("1229.50") == letters.open_amount_of(bookings)


# -- a dunning run leaves out what is not yet due ----------------------------------------------


def _trips() -> list[Booking]:
    """Open 100,00 € departed on 1 May, 20,00 € departing 1 July, 3,00 € departing 1 Sep."""
    return [
        firm_booking("VG-1", 1, date(2026, 5, 1), open_amount=Decimal("100.00")),
        firm_booking("VG-2", 1, date(2026, 7, 1), open_amount=Decimal("20.00")),
        firm_booking("VG-3", 1, date(2026, 9, 1), open_amount=Decimal("3.00")),
    ]


@pytest.mark.parametrize(
    ("due_by", "days", "owed"),
    [
        (None, 0, "123.00"),
        (date(2026, 6, 30), 0, "100.00"),
        (date(2026, 7, 1), 0, "120.00"),
        (date(2026, 6, 1), 30, "120.00"),
        (date(2026, 5, 31), 30, "100.00"),
        (date(2026, 4, 1), 0, "0.00"),
    ],
    ids=["all", "departed", "departing-that-day", "balance-30-days", "day-before", "none-yet"],
)
def test_only_bookings_due_by_the_day_count_towards_the_open_amount(
    due_by: date | None, days: int, owed: str
) -> None:
    """A booking falls due on departure, or the given days before it; later ones owe nothing yet."""
    assert Decimal(owed) == letters.open_amount_of(_trips(), due_by, days)


def test_a_balance_due_before_the_first_day_of_the_calendar_is_due_on_that_day() -> None:
    """days before an early departure stop at date.min instead of overflowing."""
    assert date.min == letters.due_on(firm_booking("VG-1", 1, date(1, 1, 5)), 30)


@pytest.mark.parametrize(
    ("due_by", "days"),
    [
        (date(2026, 6, 1), -1),
        (date(2026, 6, 1), letters.MAX_DAYS_BEFORE_DEPARTURE + 1),
        (date(2026, 6, 1), True),
        (None, 30),
        (datetime(2026, 6, 1, tzinfo=UTC), 0),
        ("2026-06-01", 0),
    ],
    ids=["negative", "too-many", "bool", "days-alone", "datetime", "text"],
)
def test_a_bad_due_day_or_days_before_departure_are_refused(due_by: Any, days: Any) -> None:
    """due_by is a date; the days are 0..MAX_DAYS_BEFORE_DEPARTURE and need due_by."""
    with pytest.raises(InvalidInputError):
        letters.check_due(due_by, days)


def test_a_dunning_run_by_a_day_leaves_out_the_bookings_not_yet_due() -> None:
    """book.letters(due_by=...) counts only what is due: customer 2's trip is still ahead."""
    book = make_book(SETTINGS)
    for name in ("Müller", "Weiß"):
        book.register(PRIVATE, name)
    book.record_booking(firm_booking("VG-1", 1, date(2026, 5, 1), open_amount=Decimal("80.00")))
    book.record_booking(firm_booking("VG-2", 2, date(2026, 9, 1), open_amount=Decimal("50.00")))
    run = book.letters(None, "{Kunde-Name}: {OP-Betrag}", owing_only=True, due_by=date(2026, 6, 1))

    assert ["Müller: 80,00 €"] == [letter.text for letter in run]


def test_a_due_day_with_open_amounts_from_accounting_is_refused() -> None:
    """Open amounts from accounting know no bookings: due_by beside them is an error."""
    book = make_book(SETTINGS)
    book.register(PRIVATE, "Müller")
    with pytest.raises(InvalidInputError, match="due_by"):
        book.letters(None, "{OP-Betrag}", open_amounts={1: "5.00"}, due_by=date(2026, 6, 1))


# -- open amounts from accounting ---------------------------------------------------------------


def test_a_merged_number_s_amount_is_credited_to_its_master() -> None:
    """4 was merged into 1: its 20,00 € add to 1's 100,00 €; 99 is unknown; 3 is anonymized."""
    master = _customer(number=1)
    anonymized = _customer(number=3, anonymized_at=NOW)
    amounts = {n: Decimal(a) for n, a in [(1, "100.00"), (3, "7.00"), (4, "20.00"), (99, "1.00")]}
    credited = letters.credit_open_amounts(amounts, {1: master, 3: anonymized, 4: master})

    assert (
        letters.CreditedAmounts(
            amounts={1: Decimal("120.00"), 3: Decimal("7.00")},
            unknown=(99,),
            merged=((4, 1),),
            anonymized=(3,),
        )
        == credited
    )


def test_a_render_returns_the_letter_with_number_and_account() -> None:
    """The letter says whose it is."""
    letter = letters.render_letter("{Kunde-Name}", _customer(), SETTINGS)

    assert Letter(7, 10007, "Müller") == letter


# -- data files ---------------------------------------------------------------------------------


def test_a_data_file_quotes_values_that_hold_the_delimiter_or_quotes() -> None:
    """A value with ; or " is quoted, quotes doubled, so every row keeps its columns."""
    sink = io.StringIO()
    rows = [{"Kunde-Name": 'Sonne; "Reisen"', "Kunde-Ort": "Köln"}]

    letters.write_data_file(sink, ["Kunde-Name", "Kunde-Ort"], rows)

    assert '\ufeffKunde-Name;Kunde-Ort\r\n"Sonne; ""Reisen""";Köln\r\n' == sink.getvalue()


def test_a_data_file_may_use_commas() -> None:
    """With delimiter ",", de_DE amounts are quoted."""
    sink = io.StringIO()

    letters.write_data_file(sink, ["OP-Betrag"], [{"OP-Betrag": "1.234,50 €"}], delimiter=",")

    assert '\ufeffOP-Betrag\r\n"1.234,50 €"\r\n' == sink.getvalue()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        (["Kunde-Name", "Kunde-Hobby"], LetterTemplateError),
        (["Kunde-Name", "Kunde-Name"], InvalidInputError),
        ([], InvalidInputError),
        ("Kunde-Name", InvalidInputError),
        ([1], InvalidInputError),
    ],
    ids=["unknown", "twice", "none", "one text", "not text"],
)
def test_bad_field_lists_are_refused(fields: Any, error: type[Exception]) -> None:
    """A data file's columns are known field names, each once, at least one."""
    with pytest.raises(error):
        letters.check_fields(fields)


# -- the book: batches, laziness and files ------------------------------------------------------


def _counted_book(customers: int = 5, fail_after: int | None = None) -> CustomerBook:
    store = CountingStore()
    book = CustomerBook(store, SETTINGS, clock=lambda: NOW)
    for n in range(1, customers + 1):
        book.register(PRIVATE, f"Kunde {n}")
        book.record_booking(firm_booking(f"VG-{n}", n, date(2024, 1, 1), open_amount=Decimal(n)))
    store.calls.clear()
    store.fail_after = fail_after
    return book


def _calls(book: CustomerBook) -> Counter[str]:
    store = book.store
    assert isinstance(store, CountingStore)
    return store.calls


def test_letters_read_nothing_until_the_first_letter_is_taken() -> None:
    """The call checks its arguments only; reading starts with the first letter."""
    book = _counted_book()

    book.letters(None, "{Kunde-Name}", batch_size=2)

    assert 0 == _calls(book)["select_page"]


def test_letters_read_one_page_per_batch_as_they_are_taken() -> None:
    """Taking the first letter reads one page of batch_size customers, nothing more."""
    book = _counted_book()

    next(book.letters(None, "{Kunde-Name}", batch_size=2))

    assert (1, 1) == (_calls(book)["select_page"], _calls(book)["limit 2"])


def test_letters_never_read_the_whole_selection_at_once() -> None:
    """All letters come from pages (3 pages of 2 for 5 customers), never from select."""
    book = _counted_book()

    texts = [letter.text for letter in book.letters(None, "{Kunde-Name}", batch_size=2)]

    assert (5, 3, 0) == (len(texts), _calls(book)["select_page"], _calls(book)["select"])


def test_letters_read_the_bookings_of_a_page_in_one_call() -> None:
    """Open amounts come from one bookings_of call per page."""
    book = _counted_book()

    amounts = [letter.text for letter in book.letters(None, "{OP-Betrag}", batch_size=2)]

    assert (["1,00 €", "2,00 €", "3,00 €", "4,00 €", "5,00 €"], 3) == (
        amounts,
        _calls(book)["bookings_of"],
    )


def test_letters_without_amount_fields_read_no_bookings() -> None:
    """A template without OP-Betrag fields never reads bookings."""
    book = _counted_book()

    list(book.letters(None, "{Kunde-Name} {Kunde-Mahngebühr}", batch_size=2))

    assert 0 == _calls(book)["bookings_of"]


def test_letters_with_given_open_amounts_read_no_bookings() -> None:
    """Open amounts from the caller replace the bookings, which are then not read."""
    book = _counted_book()

    texts = [
        letter.text
        for letter in book.letters(None, "{OP-Betrag}", open_amounts={2: Decimal("9.99")})
    ]

    assert (["0,00 €", "9,99 €", "0,00 €", "0,00 €", "0,00 €"], 0) == (
        texts,
        _calls(book)["bookings_of"],
    )


def test_owing_only_pages_past_customers_who_owe_nothing() -> None:
    """A page whose customers all owe nothing yields no letter, and reading goes on."""
    book = _counted_book()
    amounts = {5: Decimal("1.00")}

    texts = [
        letter.text
        for letter in book.letters(
            None, "{Kunde-Nummer}", open_amounts=amounts, owing_only=True, batch_size=2
        )
    ]

    assert ["5"] == texts


def test_a_failed_export_leaves_no_file(tmp_path: Path) -> None:
    """When reading fails half-way, neither the data file nor its partial file remains."""
    book = _counted_book(fail_after=1)

    with pytest.raises(StoreError):
        book.write_merge_data(None, tmp_path / "daten.csv", batch_size=2)

    assert [] == list(tmp_path.iterdir())


def test_a_failed_export_keeps_the_previous_file(tmp_path: Path) -> None:
    """An existing data file is replaced only by a complete one."""
    target = tmp_path / "daten.csv"
    target.write_text("alt", encoding="utf-8")
    book = _counted_book(fail_after=1)

    with pytest.raises(StoreError):
        book.write_merge_data(None, target, batch_size=2)

    assert "alt" == target.read_text(encoding="utf-8")


def test_an_export_writes_into_an_open_text_file() -> None:
    """A text file (here in memory) receives BOM, header and rows; the count is returned."""
    book = _counted_book(customers=2)
    sink = io.StringIO()

    written = book.write_merge_data(None, sink, fields=["Kunde-Name", "OP-Betrag"])

    assert (2, "\ufeffKunde-Name;OP-Betrag\r\nKunde 1;1,00 €\r\nKunde 2;2,00 €\r\n") == (
        written.rows,
        sink.getvalue(),
    )


def test_an_export_file_starts_with_the_utf8_byte_order_mark(tmp_path: Path) -> None:
    """Word processors recognise UTF-8 by the BOM EF BB BF."""
    book = make_book(SETTINGS)
    book.register(PRIVATE, "Weiß")

    book.write_merge_data(None, tmp_path / "d.csv", fields=["Kunde-Name"])

    assert b"\xef\xbb\xbfKunde-Name\r\nWei\xc3\x9f\r\n" == (tmp_path / "d.csv").read_bytes()


def test_an_export_to_nothing_writable_is_refused() -> None:
    """The target is a path or a text file."""
    book = make_book(SETTINGS)

    with pytest.raises(InvalidInputError):
        book.write_merge_data(None, 42)  # type: ignore[arg-type]
