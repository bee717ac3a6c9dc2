"""R3: Code1 and Code2, the free fields; Code1 is indexed and searchable."""

from __future__ import annotations

import attrs
import pytest

from custmodel import Customer, CustomerBook, CustomerKind, KindSettings, Selection, Settings
from tests.booksupport import make_book


def _book_with_codes(*codes: str) -> tuple[CustomerBook, list[int]]:
    book = make_book()
    numbers = [book.register(CustomerKind.PRIVATE, "Test", code1=code).number for code in codes]
    return book, numbers


def _numbers(customers: list[Customer]) -> list[int]:
    return [c.number for c in customers]


def test_find_by_code1_finds_the_exact_value() -> None:
    """A member number in Code1 finds its customer (Jack's Kundenkarte example)."""
    book, (member, *_) = _book_with_codes("M-100", "M-1000", "X-M-100")

    assert [member] == _numbers(book.find_by_code1("M-100"))


def test_find_by_code1_is_case_sensitive() -> None:
    """Exact means exact: "m-100" does not find "M-100"."""
    book, _ = _book_with_codes("M-100")

    assert [] == book.find_by_code1("m-100")


def test_code1_is_not_unique() -> None:
    """Several customers may share a Code1; the lookup returns all, by number."""
    book, numbers = _book_with_codes("LCC", "HoLa", "LCC")

    assert [numbers[0], numbers[2]] == _numbers(book.find_by_code1("LCC"))


def test_find_by_code1_ignores_merged_duplicates() -> None:
    """Only active customers are found; the tombstone keeps no Code1 anyway."""
    book, (master, duplicate) = _book_with_codes("K-1", "K-1")
    book.merge(master, [duplicate])

    assert [master] == _numbers(book.find_by_code1("K-1"))


@pytest.mark.parametrize(
    ("stored", "typed"),
    [("10%", "1%"), ("100", "1%"), ("100", "1_0"), ("a_b", "a%"), ("abc", "%")],
)
def test_find_by_code1_takes_percent_and_underscore_literally(stored: str, typed: str) -> None:
    """A user's % or _ is no wildcard: it matches only itself."""
    book, _ = _book_with_codes(stored)

    assert [] == book.find_by_code1(typed)


@pytest.mark.parametrize("code", ["10%", "a_b", "%", "_"])
def test_code1_with_percent_or_underscore_finds_itself(code: str) -> None:
    """A Code1 that contains % or _ is found by exactly that text."""
    book, numbers = _book_with_codes(code, "other")

    assert numbers[:1] == _numbers(book.find_by_code1(code))


@pytest.mark.parametrize(("stored", "typed"), [("Mül_ler", "Mül%"), ("Müller", "M_ller")])
def test_name_search_takes_percent_and_underscore_literally(stored: str, typed: str) -> None:
    """A name selection treats % and _ as plain characters."""
    book = make_book()
    book.register(CustomerKind.PRIVATE, stored)

    assert 0 == book.count(Selection(name=typed))


def test_name_search_with_underscore_finds_itself() -> None:
    """A name that contains _ is found by the text around it."""
    book = make_book()
    number = book.register(CustomerKind.PRIVATE, "Mül_ler").number
    book.register(CustomerKind.PRIVATE, "Müller")

    assert [number] == _numbers(book.select(Selection(name="l_l")))


def test_selection_filters_code2_by_field_name() -> None:
    """Selections use code2, never the label the kind gave it."""
    settings = Settings().with_kind(
        CustomerKind.CORPORATE, KindSettings(code1_label="Akquisiteur", code2_label="Branche")
    )
    book = make_book(settings)
    it = book.register(CustomerKind.CORPORATE, "Firma", code1="HK", code2="IT").number
    book.register(CustomerKind.CORPORATE, "Andere", code1="HK", code2="Bau")

    assert [it] == _numbers(book.select(Selection(code1="HK", code2="IT")))


def test_code_labels_default_to_code1_and_code2() -> None:
    """Without own labels the fields appear as <Code1> and <Code2>."""
    assert ("Code1", "Code2") == (KindSettings().code1_label, KindSettings().code2_label)


def test_every_kind_has_default_code_labels() -> None:
    """Jack's defaults name the fields Code1 and Code2 on every kind."""
    settings = Settings()

    labels = {(settings.kind(k).code1_label, settings.kind(k).code2_label) for k in CustomerKind}

    assert {("Code1", "Code2")} == labels


def test_code_labels_are_per_kind() -> None:
    """Travel agencies call the fields Kooperation and Filialsystem; others keep theirs."""
    settings = Settings().with_kind(
        CustomerKind.TRAVEL_AGENCY,
        KindSettings(code1_label="Kooperation", code2_label="Filialsystem"),
    )

    labels = [
        (settings.kind(k).code1_label, settings.kind(k).code2_label)
        for k in (CustomerKind.TRAVEL_AGENCY, CustomerKind.PRIVATE)
    ]

    assert [("Kooperation", "Filialsystem"), ("Code1", "Code2")] == labels


def test_code1_change_moves_the_lookup() -> None:
    """After an update the new Code1 finds the customer and the old one does not."""
    book = make_book()
    customer = book.register(CustomerKind.PRIVATE, "Test", code1="ALT")

    book.update(attrs.evolve(customer, code1="NEU"))

    assert ([], [customer.number]) == (
        book.find_by_code1("ALT"),
        _numbers(book.find_by_code1("NEU")),
    )
