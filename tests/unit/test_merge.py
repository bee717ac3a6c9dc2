"""R8: merging duplicate customers into a master (TSmart: "Auftraggeber zusammenführen")."""

from __future__ import annotations

import pytest

from custmodel import (
    PERSONAL_FIELDS,
    AlreadyMergedError,
    CustmodelError,
    CustomerBook,
    CustomerKind,
    CustomerNotFoundError,
    KindSettings,
    MergeRefusedError,
    Settings,
    StatusFlags,
)
from tests.booksupport import START, firm_booking, make_book, offer, snapshot

SETTINGS = Settings().with_kind(
    CustomerKind.PRIVATE, KindSettings(categories=("A", "B"), status_labels={1: "VIP", 2: "x"})
)


def _testines(count: int = 3) -> tuple[CustomerBook, list[int]]:
    """A book with ``count`` "Test, Testine" records, each with one booking."""
    book = make_book(SETTINGS)
    numbers = []
    for i in range(count):
        number = book.register(CustomerKind.PRIVATE, "Test", first_name="Testine").number
        book.record_booking(firm_booking(f"VG-{i + 1}", number))
        numbers.append(number)
    return book, numbers


def test_plan_lists_the_bookings_that_move() -> None:
    """The dry run lists every booking of the duplicates, ordered by reference."""
    book, (master, *duplicates) = _testines()
    book.record_booking(offer("AN-9", duplicates[1]))

    assert ("AN-9", "VG-2", "VG-3") == book.plan_merge(master, duplicates).bookings


def test_plan_lists_the_retired_debtor_accounts() -> None:
    """The ledger has to move the open items of these accounts."""
    book, (master, *duplicates) = _testines()

    assert {2: 10002, 3: 10003} == book.plan_merge(master, duplicates).retired_debtor_accounts


def test_plan_lists_the_fields_it_would_fill() -> None:
    """With fill_blanks, the plan names each master field and the duplicate it comes from."""
    book = make_book(SETTINGS)
    master = book.register(CustomerKind.PRIVATE, "Test").number
    first = book.register(CustomerKind.PRIVATE, "Test", email="t@example.org").number
    second = book.register(CustomerKind.PRIVATE, "Test", phone="+49 30 1", category="A").number

    plan = book.plan_merge(master, [first, second], fill_blanks=True)

    assert {"email": first, "phone": second, "category": second} == plan.filled_fields


def test_plan_changes_nothing() -> None:
    """Planning is a dry run: the store stays as it was."""
    book, (master, *duplicates) = _testines()
    before = snapshot(book)

    book.plan_merge(master, duplicates, fill_blanks=True, unite_status=True)

    assert before == snapshot(book)


def test_merge_applies_what_the_plan_says() -> None:
    """The report carries the very plan a dry run gives."""
    book, (master, *duplicates) = _testines()
    plan = book.plan_merge(master, duplicates)

    assert plan == book.merge(master, duplicates).plan


def test_only_the_master_stays_active() -> None:
    """Am Ende bleibt nur noch der Masterkunde übrig."""
    book, (master, *duplicates) = _testines()

    book.merge(master, duplicates)

    assert [master] == [c.number for c in book.select()]


def test_bookings_of_the_duplicates_move_to_the_master() -> None:
    """Buchungsvorgänge werden automatisch auf den Masterkunden umgeschrieben."""
    book, (master, *duplicates) = _testines()

    book.merge(master, duplicates)

    assert ["VG-1", "VG-2", "VG-3"] == [b.reference for b in book.bookings(master)]


def test_report_counts_the_bookings_moved() -> None:
    """The report says how many bookings now point to the master."""
    book, (master, *duplicates) = _testines()

    assert 2 == book.merge(master, duplicates).bookings_moved


def test_report_lists_the_retired_debtor_accounts() -> None:
    """The report names the accounts whose open items the ledger has to move."""
    book, (master, *duplicates) = _testines()

    assert (10002, 10003) == book.merge(master, duplicates).retired_debtor_accounts


def test_merge_is_stamped_with_the_clock() -> None:
    """merged_at is the book's clock time."""
    book, (master, *duplicates) = _testines()

    assert START == book.merge(master, duplicates).merged_at


def test_old_number_resolves_to_the_master() -> None:
    """The tombstone of a duplicate points to the surviving customer."""
    book, (master, duplicate, _) = _testines()
    book.merge(master, [duplicate])

    assert master == book.resolve(duplicate).number


def test_old_debtor_account_resolves_to_the_master() -> None:
    """A retired debtor account still finds the surviving customer."""
    book, (master, duplicate, _) = _testines()
    book.merge(master, [duplicate])

    assert master == book.resolve_debtor_account(10002).number


def test_resolution_follows_a_chain_of_merges() -> None:
    """A merged into B, B merged into C: A resolves to C."""
    book, (a, b, c) = _testines()
    book.merge(b, [a])
    book.merge(c, [b])

    assert c == book.resolve(a).number


def test_duplicate_is_kept_as_a_tombstone() -> None:
    """The duplicate is not deleted: it keeps its number and account and names its master."""
    book, (master, duplicate, _) = _testines()
    book.merge(master, [duplicate])

    tombstone = book.get(duplicate)

    assert (duplicate, 10002, master) == (
        tombstone.number,
        tombstone.debtor_account,
        tombstone.merged_into,
    )


def test_tombstone_keeps_no_personal_data() -> None:
    """Personal data survives only on the master, never on the tombstone."""
    book = make_book(SETTINGS)
    master = book.register(CustomerKind.PRIVATE, "Test").number
    duplicate = book.register(
        CustomerKind.PRIVATE, "Test", email="t@example.org", category="A", status=[1]
    ).number
    book.merge(master, [duplicate])

    tombstone = book.get(duplicate)

    expected: dict[str, object] = dict.fromkeys(PERSONAL_FIELDS, "")
    expected.update(birth_date=None, category=None, status=StatusFlags())
    assert expected == {f: getattr(tombstone, f) for f in PERSONAL_FIELDS}


def test_merged_number_cannot_be_changed_any_more() -> None:
    """Commands on a tombstone are refused and name the master."""
    book, (master, duplicate, _) = _testines()
    book.merge(master, [duplicate])

    with pytest.raises(AlreadyMergedError) as refused:
        book.change_type(duplicate, book.get(master).customer_type)

    assert master == refused.value.master


def test_master_data_wins() -> None:
    """A field set on the master keeps the master's value."""
    book = make_book(SETTINGS)
    master = book.register(CustomerKind.PRIVATE, "Test", first_name="Testine").number
    duplicate = book.register(CustomerKind.PRIVATE, "Tester", first_name="Tina").number

    merged = book.merge(master, [duplicate], fill_blanks=True).master

    assert ("Test", "Testine") == (merged.last_name, merged.first_name)


def test_without_fill_blanks_the_master_stays_as_it_was() -> None:
    """By default no field of the master changes."""
    book = make_book(SETTINGS)
    master = book.register(CustomerKind.PRIVATE, "Test")
    duplicate = book.register(CustomerKind.PRIVATE, "Test", email="t@example.org").number

    book.merge(master.number, [duplicate])

    assert master == book.get(master.number)


def test_fill_blanks_takes_each_field_from_the_first_duplicate_that_has_it() -> None:
    """Empty master fields are filled from the duplicates in the order given."""
    book = make_book(SETTINGS)
    master = book.register(CustomerKind.PRIVATE, "Test").number
    first = book.register(CustomerKind.PRIVATE, "Test", phone="111").number
    second = book.register(CustomerKind.PRIVATE, "Test", phone="222", email="b@x.de").number

    merged = book.merge(master, [first, second], fill_blanks=True).master

    assert ("111", "b@x.de") == (merged.phone, merged.email)


def test_fill_blanks_follows_the_order_given() -> None:
    """Naming the second duplicate first makes its data win."""
    book = make_book(SETTINGS)
    master = book.register(CustomerKind.PRIVATE, "Test").number
    first = book.register(CustomerKind.PRIVATE, "Test", phone="111").number
    second = book.register(CustomerKind.PRIVATE, "Test", phone="222").number

    merged = book.merge(master, [second, first], fill_blanks=True).master

    assert "222" == merged.phone


def test_unite_status_gives_the_master_the_duplicates_flags() -> None:
    """With unite_status, flags of duplicates of the master's kind are added."""
    book = make_book(SETTINGS)
    master = book.register(CustomerKind.PRIVATE, "Test", status=[1]).number
    duplicate = book.register(CustomerKind.PRIVATE, "Test", status=[2]).number

    merged = book.merge(master, [duplicate], unite_status=True).master

    assert StatusFlags.of([1, 2]) == merged.status


def test_merge_can_join_customers_of_different_kinds() -> None:
    """Duplicates of another kind merge into the master; the master's kind stays."""
    book = make_book(SETTINGS)
    master = book.register(CustomerKind.PRIVATE, "Test").number
    duplicate = book.register(CustomerKind.PROSPECT, "Test").number

    assert CustomerKind.PRIVATE == book.merge(master, [duplicate]).master.kind


#: Refused merges over :func:`_refusal_book`: (master, duplicates, error class).
REFUSALS = {
    "master among duplicates": (1, [2, 1], MergeRefusedError),
    "into itself": (1, [1], MergeRefusedError),
    "unknown master": (99, [2], CustomerNotFoundError),
    "unknown duplicate": (1, [2, 99], CustomerNotFoundError),
    "already merged duplicate": (1, [4], MergeRefusedError),
    "already merged master": (4, [2], MergeRefusedError),
    "same duplicate twice": (1, [2, 2], MergeRefusedError),
    "anonymized master": (5, [2], MergeRefusedError),
    "no duplicates": (1, [], MergeRefusedError),
}


def _refusal_book() -> CustomerBook:
    """Customers 1, 2, 3 active; 4 merged into 3; 5 anonymized."""
    book, _ = _testines(5)
    book.merge(3, [4])
    book.anonymize(5, "AG1")
    return book


@pytest.mark.parametrize(("master", "duplicates", "error"), REFUSALS.values(), ids=REFUSALS)
def test_refused_merge_raises_a_clear_error(
    master: int, duplicates: list[int], error: type[CustmodelError]
) -> None:
    """A merge R8 forbids raises its error class."""
    book = _refusal_book()

    with pytest.raises(error):
        book.merge(master, duplicates)


@pytest.mark.parametrize(("master", "duplicates", "error"), REFUSALS.values(), ids=REFUSALS)
def test_refused_merge_changes_nothing(
    master: int, duplicates: list[int], error: type[CustmodelError]
) -> None:
    """A refused merge leaves customers, bookings, settings and counter as they were."""
    book = _refusal_book()
    before = snapshot(book)

    with pytest.raises(error):
        book.merge(master, duplicates)

    assert before == snapshot(book)


@pytest.mark.parametrize(("master", "duplicates", "error"), REFUSALS.values(), ids=REFUSALS)
def test_refused_plan_raises_like_the_merge(
    master: int, duplicates: list[int], error: type[CustmodelError]
) -> None:
    """plan_merge refuses exactly what merge refuses, with the same error class."""
    book = _refusal_book()

    with pytest.raises(error):
        book.plan_merge(master, duplicates)
