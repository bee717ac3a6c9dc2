"""Property: a refused command leaves the store exactly as it was (settings, data, counter)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from custmodel import (
    ConcurrentUpdateError,
    CustmodelError,
    CustomerBook,
    CustomerKind,
    DebtorAccountError,
    InvalidCategoryError,
    InvalidStatusFlagError,
    MergeRefusedError,
    NotEligibleError,
    Selection,
    StatusFlags,
)
from custmodel.testing import strategies as cst
from tests.booksupport import AGENCY, firm_booking, make_book, snapshot

#: The failing call a refusal prepares, and the error class it must raise.
Attempt = tuple[Callable[[], object], type[CustmodelError]]

#: A command to refuse: prepares the book (outside the snapshot), returns the failing call.
Refusal = Callable[[CustomerBook, st.DataObject], Attempt]


@st.composite
def populated_books(draw: st.DrawFn) -> CustomerBook:
    """A book with random settings, customers and bookings."""
    settings = draw(cst.settings())
    book = make_book(settings)
    entries = draw(cst.customers_with_bookings(settings=settings, min_size=2, max_size=4))
    book.register_many([draft for draft, _ in entries])
    for _, bookings in entries:
        for booking in bookings:
            book.record_booking(booking)
    return book


def _some_active(book: CustomerBook, data: st.DataObject) -> int:
    return data.draw(st.sampled_from([c.number for c in book.select()]))


def stale_update(book: CustomerBook, data: st.DataObject) -> Attempt:
    number = _some_active(book, data)
    stale = book.get(number)
    book.change_type(number, data.draw(cst.customer_types))
    return (lambda: book.update(attrs.evolve(stale, city="Köln"))), ConcurrentUpdateError


def bad_category(book: CustomerBook, data: st.DataObject) -> Attempt:
    customer = book.get(_some_active(book, data))
    listed = book.settings.kind(customer.kind).categories
    category = data.draw(cst.names().filter(lambda c: c not in listed))
    return (lambda: book.update(attrs.evolve(customer, category=category))), InvalidCategoryError


def unlabelled_flag(book: CustomerBook, data: st.DataObject) -> Attempt:
    kind = data.draw(cst.customer_kinds)
    labelled = book.settings.kind(kind).status_labels
    flag = data.draw(cst.flag_numbers.filter(lambda f: f not in labelled))
    how = data.draw(st.sampled_from(["register", "set_status", "update"]))
    if how == "register":
        return (lambda: book.register(kind, "Test", status=[flag])), InvalidStatusFlagError
    if how == "set_status":
        book.register(kind, "Test")
        return (lambda: book.set_status(Selection(kind=kind), flag)), InvalidStatusFlagError
    customer = book.register(kind, "Test")
    changed = attrs.evolve(customer, status=StatusFlags.of([flag]))
    return (lambda: book.update(changed)), InvalidStatusFlagError


def ineligible_anonymize(book: CustomerBook, data: st.DataObject) -> Attempt:
    number = _some_active(book, data)
    blocking = data.draw(
        st.sampled_from(
            [
                firm_booking("BLOCK-1", number, date(2020, 1, 1), point_of_sale="AG9"),
                firm_booking("BLOCK-1", number, date(2024, 6, 1)),
            ]
        )
    )
    book.record_booking(blocking)
    return (lambda: book.anonymize(number, AGENCY, date(2024, 5, 20))), NotEligibleError


def refused_merge(book: CustomerBook, data: st.DataObject) -> Attempt:
    active = [c.number for c in book.select()]
    master = data.draw(st.sampled_from(active))
    other = data.draw(st.sampled_from(active))
    duplicates = data.draw(
        st.sampled_from(
            [[master], [other, master], [other, other] if other != master else [master]]
        )
    )
    return (lambda: book.merge(master, duplicates)), MergeRefusedError


def taken_debtor_account(book: CustomerBook, data: st.DataObject) -> Attempt:
    low, high = data.draw(st.permutations(list(CustomerKind)))[:2]
    offset = book.settings.kind(low).debtor_offset
    # The next "high" customer takes the account the "low" customer after it would compute.
    book.update_kind_settings(high, debtor_offset=offset + 1)
    book.register(high, "Test")
    return (lambda: book.register(low, "Test")), DebtorAccountError


REFUSALS: dict[str, Refusal] = {
    "stale update": stale_update,
    "bad category": bad_category,
    "unlabelled flag": unlabelled_flag,
    "ineligible anonymize": ineligible_anonymize,
    "refused merge": refused_merge,
    "taken debtor account": taken_debtor_account,
}


@given(book=populated_books(), refusal=st.sampled_from(list(REFUSALS)), data=st.data())
def test_refused_command_leaves_the_store_unchanged(
    book: CustomerBook, refusal: str, data: st.DataObject
) -> None:
    """Snapshot before and after any refused command are equal."""
    attempt, error = REFUSALS[refusal](book, data)
    before = snapshot(book)

    with pytest.raises(error):
        attempt()

    assert before == snapshot(book)
