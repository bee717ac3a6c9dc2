"""R2: status flags (Kundenstatusfelder) 1..32, labelled per kind, selected by number."""

from __future__ import annotations

import attrs
import pytest

from custmodel import (
    CustomerBook,
    CustomerKind,
    InvalidStatusFlagError,
    KindSettings,
    Selection,
    Settings,
    StatusFlags,
)
from tests.booksupport import make_book, snapshot

SETTINGS = Settings(
    kinds={
        CustomerKind.PRIVATE: KindSettings(
            status_labels={1: "VIP / Stammkunden", 2: "Single", 3: "Familie", 32: "Luxusurlaub"}
        ),
        CustomerKind.CORPORATE: KindSettings(status_labels={1: "Reiserichtlinien vorhanden"}),
    }
)


def _book() -> CustomerBook:
    return make_book(SETTINGS)


@pytest.mark.parametrize("flag", [0, 33, -1])
def test_flag_number_outside_1_to_32_is_an_error(flag: int) -> None:
    """Flag numbers run from 1 to 32; anything else is InvalidStatusFlagError."""
    with pytest.raises(InvalidStatusFlagError):
        StatusFlags.of([flag])


@pytest.mark.parametrize("flag", [0, 33])
def test_registration_with_flag_outside_1_to_32_is_refused(flag: int) -> None:
    """The book refuses flag 0 and 33 at registration."""
    with pytest.raises(InvalidStatusFlagError):
        _book().register(CustomerKind.PRIVATE, "Test", status=[flag])


def test_flag_32_is_bit_31() -> None:
    """Flags 1 and 32 fill the lowest and highest bit of a 32-bit integer."""
    assert 0x80000001 == StatusFlags.of([1, 32]).bits


def test_status_flags_list_their_numbers_in_order() -> None:
    """Iterating gives the set numbers, lowest first."""
    assert [3, 17, 32] == list(StatusFlags.of([32, 3, 17]))


def test_status_bits_beyond_32_are_refused() -> None:
    """A bit mask wider than 32 bits is InvalidStatusFlagError."""
    with pytest.raises(InvalidStatusFlagError):
        StatusFlags(1 << 32)


def test_setting_an_unlabelled_flag_at_registration_is_refused() -> None:
    """Flag 4 has no label on private customers, so it may not be set."""
    with pytest.raises(InvalidStatusFlagError):
        _book().register(CustomerKind.PRIVATE, "Test", status=[4])


def test_flag_labelled_on_another_kind_only_is_refused() -> None:
    """Labels are per kind: flag 2 is labelled for private customers, not corporate ones."""
    with pytest.raises(InvalidStatusFlagError):
        _book().register(CustomerKind.CORPORATE, "Firma", status=[2])


def test_setting_an_unlabelled_flag_by_update_is_refused() -> None:
    """An update that adds an unlabelled flag changes nothing."""
    book = _book()
    customer = book.register(CustomerKind.PRIVATE, "Test")
    before = snapshot(book)

    with pytest.raises(InvalidStatusFlagError):
        book.update(attrs.evolve(customer, status=StatusFlags.of([4])))

    assert before == snapshot(book)


def test_setting_an_unlabelled_flag_on_a_selection_is_refused() -> None:
    """Status setzen with an unlabelled flag changes nothing."""
    book = _book()
    book.register(CustomerKind.PRIVATE, "Test")
    before = snapshot(book)

    with pytest.raises(InvalidStatusFlagError):
        book.set_status(Selection(), 4)

    assert before == snapshot(book)


def test_selection_by_flag_number_finds_the_carriers() -> None:
    """Selections use the number: status_all={2} finds every customer with flag 2."""
    book = _book()
    single = book.register(CustomerKind.PRIVATE, "Single", status=[2]).number
    book.register(CustomerKind.PRIVATE, "Familie", status=[3])
    both = book.register(CustomerKind.PRIVATE, "Beides", status=[2, 3]).number

    selected = [c.number for c in book.select(Selection(status_all=frozenset({2})))]

    assert [single, both] == selected


def test_selection_with_all_of_needs_every_flag() -> None:
    """status_all={2, 3} finds only customers with both flags."""
    book = _book()
    book.register(CustomerKind.PRIVATE, "Single", status=[2])
    both = book.register(CustomerKind.PRIVATE, "Beides", status=[2, 3]).number

    assert [both] == [c.number for c in book.select(Selection(status_all=frozenset({2, 3})))]


def test_selection_with_any_of_needs_one_flag() -> None:
    """status_any={1, 32} finds customers with flag 1 or flag 32."""
    book = _book()
    vip = book.register(CustomerKind.PRIVATE, "VIP", status=[1]).number
    book.register(CustomerKind.PRIVATE, "Single", status=[2])
    luxus = book.register(CustomerKind.PRIVATE, "Luxus", status=[32]).number

    selected = [c.number for c in book.select(Selection(status_any=frozenset({1, 32})))]

    assert [vip, luxus] == selected


def test_selection_by_number_spans_kinds() -> None:
    """Flag 1 means different things per kind, but a selection by number finds both."""
    book = _book()
    private = book.register(CustomerKind.PRIVATE, "Privat", status=[1]).number
    corporate = book.register(CustomerKind.CORPORATE, "Firma", status=[1]).number

    selected = [c.number for c in book.select(Selection(status_all=frozenset({1})))]

    assert [private, corporate] == selected


def test_renaming_a_label_keeps_the_flags_on_customers() -> None:
    """Renaming flag 2 leaves every customer that carries it untouched."""
    book = _book()
    book.register(CustomerKind.PRIVATE, "Single", status=[2])
    customers_before = snapshot(book).customers

    book.rename_status_label(CustomerKind.PRIVATE, 2, "Alleinreisend")

    assert customers_before == snapshot(book).customers


def test_renaming_a_label_reports_how_many_customers_carry_the_flag() -> None:
    """Jack warns that the meaning changes: the count lets a person review the carriers."""
    book = _book()
    book.register(CustomerKind.PRIVATE, "Single 1", status=[2])
    book.register(CustomerKind.PRIVATE, "Single 2", status=[2, 3])
    book.register(CustomerKind.PRIVATE, "Familie", status=[3])

    assert 2 == book.rename_status_label(CustomerKind.PRIVATE, 2, "Alleinreisend")


def test_renaming_a_label_changes_the_label() -> None:
    """The new label is stored on the kind."""
    book = _book()

    book.rename_status_label(CustomerKind.PRIVATE, 2, "Alleinreisend")

    assert "Alleinreisend" == book.settings.kind(CustomerKind.PRIVATE).label(2)


def test_deleting_a_label_keeps_the_flags_on_customers() -> None:
    """Deleting the label of flag 3 leaves the customers' flag 3 set."""
    book = _book()
    number = book.register(CustomerKind.PRIVATE, "Familie", status=[3]).number

    book.rename_status_label(CustomerKind.PRIVATE, 3, None)

    assert StatusFlags.of([3]) == book.get(number).status


def test_deleting_a_label_reports_how_many_customers_carry_the_flag() -> None:
    """The delete reports the carriers as well."""
    book = _book()
    book.register(CustomerKind.PRIVATE, "Familie", status=[3])

    assert 1 == book.rename_status_label(CustomerKind.PRIVATE, 3, "")


def test_deleting_a_label_removes_it_from_the_kind() -> None:
    """After the delete the flag has no label on that kind."""
    book = _book()

    book.rename_status_label(CustomerKind.PRIVATE, 3, None)

    assert None is book.settings.kind(CustomerKind.PRIVATE).label(3)


def test_label_count_only_counts_the_kind_renamed() -> None:
    """Flag 1 on a corporate customer is another field than flag 1 on a private one."""
    book = _book()
    book.register(CustomerKind.PRIVATE, "Privat", status=[1])
    book.register(CustomerKind.CORPORATE, "Firma", status=[1])

    assert 1 == book.rename_status_label(CustomerKind.CORPORATE, 1, "Reiserichtlinien")


def test_flag_whose_label_was_deleted_can_still_be_cleared() -> None:
    """Cleaning up after a deleted label: clearing an unlabelled flag works."""
    book = _book()
    number = book.register(CustomerKind.PRIVATE, "Familie", status=[3]).number
    book.rename_status_label(CustomerKind.PRIVATE, 3, None)

    book.set_status(Selection(), 3, on=False)

    assert StatusFlags() == book.get(number).status


def test_customer_keeps_a_flag_whose_label_was_deleted_through_updates() -> None:
    """An update of other fields does not trip over a flag that lost its label."""
    book = _book()
    customer = book.register(CustomerKind.PRIVATE, "Familie", status=[3])
    book.rename_status_label(CustomerKind.PRIVATE, 3, None)

    updated = book.update(attrs.evolve(customer, city="Köln"))

    assert StatusFlags.of([3]) == updated.status


def test_set_status_reports_how_many_customers_changed() -> None:
    """Status setzen on three customers, one of whom has the flag already, changes two."""
    book = _book()
    book.register(CustomerKind.PRIVATE, "Eins", status=[1])
    book.register(CustomerKind.PRIVATE, "Zwei")
    book.register(CustomerKind.PRIVATE, "Drei")

    assert 2 == book.set_status(Selection(kind=CustomerKind.PRIVATE), 1)


def test_set_status_sets_the_flag_on_every_selected_customer() -> None:
    """After Status setzen every selected customer carries the flag."""
    book = _book()
    book.register(CustomerKind.PRIVATE, "Eins")
    book.register(CustomerKind.PRIVATE, "Zwei")

    book.set_status(Selection(kind=CustomerKind.PRIVATE), 32)

    assert 2 == book.count(Selection(status_all=frozenset({32})))


def test_set_status_leaves_unselected_customers_alone() -> None:
    """Customers outside the selection keep their flags."""
    book = _book()
    book.register(CustomerKind.PRIVATE, "Privat")
    firm = book.register(CustomerKind.CORPORATE, "Firma").number

    book.set_status(Selection(kind=CustomerKind.PRIVATE), 1)

    assert StatusFlags() == book.get(firm).status


def test_clearing_a_flag_on_a_selection_reports_how_many_changed() -> None:
    """on=False clears the flag and counts only customers that had it."""
    book = _book()
    book.register(CustomerKind.PRIVATE, "Eins", status=[2])
    book.register(CustomerKind.PRIVATE, "Zwei")

    assert 1 == book.set_status(Selection(), 2, on=False)


def test_set_status_needs_the_label_on_every_selected_kind() -> None:
    """Flag 2 is unlabelled on corporate customers, so setting it on all customers fails."""
    book = _book()
    book.register(CustomerKind.PRIVATE, "Privat")
    book.register(CustomerKind.CORPORATE, "Firma")

    with pytest.raises(InvalidStatusFlagError):
        book.set_status(Selection(), 2)


def test_set_status_skips_anonymized_customers() -> None:
    """Anonymized customers are never given flags."""
    book = _book()
    number = book.register(CustomerKind.PRIVATE, "Test").number
    book.anonymize(number, "AG1")

    assert (0, StatusFlags()) == (book.set_status(Selection(), 1), book.get(number).status)


def test_set_status_on_a_selection_of_anonymized_customers_changes_nobody() -> None:
    """A selection of anonymized customers only leaves every other customer's flags alone."""
    book = _book()
    kept = book.register(CustomerKind.PRIVATE, "Eins").number
    gone = book.register(CustomerKind.PRIVATE, "Test").number
    book.anonymize(gone, "AG1")
    before = snapshot(book)

    assert 0 == book.set_status(Selection(anonymized=True), 1)
    assert (before, StatusFlags()) == (snapshot(book), book.get(kept).status)
