"""R8 properties: a merge keeps every booking and leaves one active customer per group."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from custmodel import Booking, CustomerBook, MergeReport, NewCustomer, Selection, Settings
from custmodel.testing import strategies as cst
from tests.booksupport import make_book

Entries = list[tuple[NewCustomer, tuple[Booking, ...]]]


@st.composite
def merges(draw: st.DrawFn) -> tuple[CustomerBook, list[int], MergeReport, int]:
    """A populated book, the master and duplicates picked, the merge report, bookings before."""
    settings = draw(cst.settings())
    entries: Entries = draw(
        cst.customers_with_bookings(settings=settings, min_size=2, max_size=4, max_bookings=3)
    )
    book = _populated(settings, entries)
    numbers = list(range(1, len(entries) + 1))
    master = draw(st.sampled_from(numbers))
    others = [n for n in numbers if n != master]
    duplicates = draw(st.lists(st.sampled_from(others), min_size=1, unique=True))
    bookings_before = _booking_count(book)
    report = book.merge(
        master, duplicates, fill_blanks=draw(st.booleans()), unite_status=draw(st.booleans())
    )
    return book, [master, *duplicates], report, bookings_before


def _populated(settings: Settings, entries: Entries) -> CustomerBook:
    book = make_book(settings)
    book.register_many([draft for draft, _ in entries])
    for _, bookings in entries:
        for booking in bookings:
            book.record_booking(booking)
    return book


def _booking_count(book: CustomerBook) -> int:
    numbers = [c.number for c in book.select(Selection(include_merged=True))]
    return sum(len(book.bookings(n)) for n in numbers)


@given(merges())
def test_merge_conserves_the_bookings(
    merged: tuple[CustomerBook, list[int], MergeReport, int],
) -> None:
    """No booking is lost or doubled, and the duplicates' bookings now belong to the master."""
    book, (master, *duplicates), report, before = merged

    left_on_duplicates = [b.reference for n in duplicates for b in book.bookings(n)]
    missing_on_master = set(report.plan.bookings) - {b.reference for b in book.bookings(master)}

    assert (before, [], set()) == (_booking_count(book), left_on_duplicates, missing_on_master)


@given(merges())
def test_merge_leaves_only_the_master_active_in_the_group(
    merged: tuple[CustomerBook, list[int], MergeReport, int],
) -> None:
    """Of master and duplicates, only the master is still active; nobody else is touched."""
    book, group, _, _ = merged

    active = {c.number for c in book.select()}
    outside = {c.number for c in book.select(Selection(include_merged=True))} - set(group)

    assert {group[0]} | outside == active


@given(merges())
def test_merge_resolves_every_old_number_and_account_to_the_master(
    merged: tuple[CustomerBook, list[int], MergeReport, int],
) -> None:
    """Every number of the group and every retired debtor account resolves to the master."""
    book, group, report, _ = merged
    accounts = report.retired_debtor_accounts

    resolved = [book.resolve(n).number for n in group]
    resolved += [book.resolve_debtor_account(a).number for a in accounts]

    assert [group[0]] * (len(group) + len(accounts)) == resolved
