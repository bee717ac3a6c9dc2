"""R1: customer kinds, types and categories."""

from __future__ import annotations

import json

import attrs
import pytest

from custmodel import (
    Customer,
    CustomerBook,
    CustomerKind,
    CustomerType,
    InvalidCategoryError,
    KindSettings,
    NewCustomer,
    Selection,
    Settings,
    StatusFlags,
)
from custmodel.serialization import dumps, loads
from tests.booksupport import make_book, snapshot

SETTINGS = Settings(
    kinds={
        CustomerKind.PRIVATE: KindSettings(
            categories=("A", "B", "C", "D"), status_labels={1: "VIP / Stammkunden", 2: "Single"}
        ),
        CustomerKind.CORPORATE: KindSettings(
            categories=("A", "Großkunde"), status_labels={1: "Reiserichtlinien vorhanden"}
        ),
    }
)


def _book() -> CustomerBook:
    return make_book(SETTINGS)


def test_new_customer_is_walk_in_by_default() -> None:
    """Laufkundschaft is the default type of a new customer."""
    assert CustomerType.WALK_IN == _book().register(CustomerKind.PRIVATE, "Test").customer_type


def test_registration_takes_the_given_type() -> None:
    """A type given at registration is kept."""
    customer = _book().register(
        CustomerKind.PRIVATE, "Test", customer_type=CustomerType.VIP_INCENTIVE
    )

    assert CustomerType.VIP_INCENTIVE == customer.customer_type


def test_migrated_customer_without_a_type_is_walk_in() -> None:
    """Data migrated without a type is Laufkundschaft (TSmart)."""
    customer = _book().register(CustomerKind.PRIVATE, "Test")
    data = json.loads(dumps(customer))
    del data["customer_type"]

    assert CustomerType.WALK_IN == loads(json.dumps(data), Customer).customer_type


def test_new_customer_draft_is_walk_in_by_default() -> None:
    """NewCustomer defaults to WALK_IN as well."""
    assert CustomerType.WALK_IN == NewCustomer(CustomerKind.CORPORATE, "Firma").customer_type


def test_category_from_the_kinds_list_is_accepted() -> None:
    """A category in the kind's list is stored."""
    assert "B" == _book().register(CustomerKind.PRIVATE, "Test", category="B").category


def test_category_outside_the_kinds_list_is_refused() -> None:
    """A category that is not in the kind's list is refused with InvalidCategoryError."""
    with pytest.raises(InvalidCategoryError):
        _book().register(CustomerKind.PRIVATE, "Test", category="E")


def test_category_of_another_kind_is_refused() -> None:
    """Each kind has its own list: a corporate category does not fit a private customer."""
    with pytest.raises(InvalidCategoryError):
        _book().register(CustomerKind.PRIVATE, "Test", category="Großkunde")


def test_update_to_a_category_outside_the_list_is_refused() -> None:
    """An update that sets an undefined category changes nothing."""
    book = _book()
    customer = book.register(CustomerKind.PRIVATE, "Test", category="A")
    before = snapshot(book)

    with pytest.raises(InvalidCategoryError):
        book.update(attrs.evolve(customer, category="Z"))

    assert before == snapshot(book)


def test_customer_without_category_is_allowed() -> None:
    """A customer has at most one category: none is fine."""
    assert None is _book().register(CustomerKind.TRAVEL_AGENCY, "Reisebüro").category


def test_kind_change_drops_a_category_missing_from_the_new_list() -> None:
    """Category B is not a corporate category, so a change to corporate drops it."""
    book = _book()
    number = book.register(CustomerKind.PRIVATE, "Test", category="B").number

    change = book.change_kind(number, CustomerKind.CORPORATE)

    assert ("B", None) == (change.dropped_category, book.get(number).category)


def test_kind_change_keeps_a_category_present_in_the_new_list() -> None:
    """Category A exists on both kinds, so it stays."""
    book = _book()
    number = book.register(CustomerKind.PRIVATE, "Test", category="A").number

    change = book.change_kind(number, CustomerKind.CORPORATE)

    assert (None, "A") == (change.dropped_category, book.get(number).category)


def test_kind_change_drops_status_flags() -> None:
    """Status flags are kind-specific: a kind change drops them and says which."""
    book = _book()
    number = book.register(CustomerKind.PRIVATE, "Test", status=[1, 2]).number

    change = book.change_kind(number, CustomerKind.CORPORATE)

    assert (StatusFlags.of([1, 2]), StatusFlags()) == (
        change.dropped_status,
        book.get(number).status,
    )


def test_kind_change_keeps_status_flags_when_asked() -> None:
    """keep_status=True keeps the flags and reports none dropped."""
    book = _book()
    number = book.register(CustomerKind.PRIVATE, "Test", status=[1, 2]).number

    change = book.change_kind(number, CustomerKind.CORPORATE, keep_status=True)

    assert (StatusFlags(), StatusFlags.of([1, 2])) == (
        change.dropped_status,
        book.get(number).status,
    )


def test_kind_change_reports_old_and_new_kind() -> None:
    """The result names the kind before and after."""
    book = _book()
    number = book.register(CustomerKind.PRIVATE, "Test").number

    change = book.change_kind(number, CustomerKind.TRAVEL_AGENCY)

    assert (CustomerKind.PRIVATE, CustomerKind.TRAVEL_AGENCY) == (change.old_kind, change.new_kind)


def test_kind_change_to_the_same_kind_drops_nothing() -> None:
    """Changing to the kind a customer has already keeps category and flags."""
    book = _book()
    number = book.register(CustomerKind.PRIVATE, "Test", category="C", status=[2]).number

    change = book.change_kind(number, CustomerKind.PRIVATE)

    assert (None, StatusFlags()) == (change.dropped_category, change.dropped_status)


def test_kind_change_is_stored() -> None:
    """After a kind change the stored customer has the new kind."""
    book = _book()
    number = book.register(CustomerKind.PRIVATE, "Test").number

    book.change_kind(number, CustomerKind.CORPORATE)

    assert CustomerKind.CORPORATE == book.get(number).kind


def test_change_type_stores_the_new_type() -> None:
    """A customer becomes Stammkunde by a type change."""
    book = _book()
    number = book.register(CustomerKind.PRIVATE, "Test").number

    book.change_type(number, CustomerType.REGULAR)

    assert CustomerType.REGULAR == book.get(number).customer_type


def test_change_type_keeps_kind_category_and_flags() -> None:
    """A type change touches nothing else of the classification."""
    book = _book()
    number = book.register(CustomerKind.PRIVATE, "Test", category="A", status=[1]).number

    changed = book.change_type(number, CustomerType.TOUR_OPERATOR)

    assert (CustomerKind.PRIVATE, "A", StatusFlags.of([1])) == (
        changed.kind,
        changed.category,
        changed.status,
    )


def test_every_kind_of_jack_exists() -> None:
    """Jack's four kinds: private, corporate, travel agency, prospect."""
    expected = {"private", "corporate", "travel_agency", "prospect"}

    assert expected == {kind.value for kind in CustomerKind}


def test_every_type_of_tsmart_exists() -> None:
    """TSmart's four types; "Alle Kunden" is a selection, not a type."""
    expected = {"regular", "walk_in", "tour_operator", "vip_incentive"}

    assert expected == {t.value for t in CustomerType}


def test_selection_by_kind_given_as_text_selects_that_kind() -> None:
    """Selection(kind="corporate") means the corporate kind, as in a store's query."""
    book = _book()
    book.register(CustomerKind.PRIVATE, "Privat")
    firm = book.register(CustomerKind.CORPORATE, "Firma").number

    assert [firm] == [c.number for c in book.select(Selection(kind="corporate"))]


def test_selection_by_type_given_as_text_selects_that_type() -> None:
    """Selection(customer_type="regular") means Stammkunden."""
    book = _book()
    book.register(CustomerKind.PRIVATE, "Lauf")
    regular = book.register(CustomerKind.PRIVATE, "Stamm", customer_type="regular").number

    selection = Selection(customer_type="regular")

    assert [regular] == [c.number for c in book.select(selection)]
