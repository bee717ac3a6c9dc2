"""Reading large selections page by page: CustomerBook.iter_customers and iter_bookings."""

from __future__ import annotations

from datetime import date

import pytest

from custmodel import CustomerBook, CustomerKind, KindSettings, Selection, Settings, StoreError
from tests.booksupport import CountingStore, SteppingClock, firm_booking, offer

PRIVATE, CORPORATE = CustomerKind.PRIVATE, CustomerKind.CORPORATE
SETTINGS = Settings(kinds={PRIVATE: KindSettings(status_labels={1: "VIP"})})


def _book(customers: int = 5) -> tuple[CustomerBook, CountingStore]:
    """Customers 1..n, odd ones private, even ones corporate; each with two bookings.

    Customer n's bookings are recorded with references that sort before customer 1's, so an
    order by reference alone would differ from the order by customer.
    """
    store = CountingStore()
    book = CustomerBook(store, SETTINGS, clock=SteppingClock())
    for n in range(1, customers + 1):
        book.register(PRIVATE if n % 2 else CORPORATE, f"Kunde {n}")
        book.record_booking(offer(f"{customers - n:03d}-B", n, date(2027, 1, 1)))
        book.record_booking(firm_booking(f"{customers - n:03d}-A", n, date(2026, 1, 1)))
    store.calls.clear()
    return book, store


def test_iter_customers_yields_the_selection_in_order_of_number() -> None:
    """Every selected customer comes once, by number, as select() gives them."""
    book, _store = _book()

    numbers = [c.number for c in book.iter_customers(Selection(kind=PRIVATE), batch_size=2)]

    assert [1, 3, 5] == numbers


def test_iter_customers_without_selection_yields_every_active_customer() -> None:
    """None selects like select(): every active customer, merged duplicates left out."""
    book, _store = _book()
    book.merge(1, [2])

    assert [c.number for c in book.select()] == [c.number for c in book.iter_customers()]


def test_iter_customers_reads_one_page_per_read_transaction() -> None:
    """Five customers in pages of two take three read transactions and never select()."""
    book, store = _book()

    customers = list(book.iter_customers(batch_size=2))

    assert (5, 3, 3, 0, 0) == (
        len(customers),
        store.calls["select_page"],
        store.calls["read transaction"],
        store.calls["select"],
        store.calls["write transaction"],
    )


def test_iter_customers_reads_nothing_until_the_first_customer_is_taken() -> None:
    """The call checks its arguments only; reading starts with the first customer."""
    book, store = _book()

    customers = book.iter_customers(batch_size=2)
    unread = store.calls["select_page"]
    next(customers)

    assert (0, 1) == (unread, store.calls["select_page"])


def test_iter_customers_ends_after_a_short_page_without_another_read() -> None:
    """Four customers in pages of three: the second, short page is known to be the last."""
    book, store = _book(4)

    list(book.iter_customers(batch_size=3))

    assert 2 == store.calls["select_page"]


def test_iter_bookings_are_ordered_by_customer_then_reference() -> None:
    """Bookings come customer by customer, each customer's by reference."""
    book, _store = _book(3)

    pairs = [(b.customer, b.reference) for b in book.iter_bookings(batch_size=2)]

    assert [
        (1, "002-A"), (1, "002-B"), (2, "001-A"), (2, "001-B"), (3, "000-A"), (3, "000-B"),
    ] == pairs  # fmt: skip


def test_iter_bookings_reads_the_bookings_of_a_page_in_one_call() -> None:
    """Each page of customers has its bookings read in one bookings_of call."""
    book, store = _book()

    bookings = list(book.iter_bookings(batch_size=2))

    assert (10, 3, 3, 5) == (
        len(bookings),
        store.calls["bookings_of"],
        store.calls["read transaction"],
        store.calls["bookings_of customers"],
    )


def test_iter_bookings_follow_the_selection() -> None:
    """Only the bookings of the selected customers come."""
    book, _store = _book()

    customers = {b.customer for b in book.iter_bookings(Selection(kind=CORPORATE))}

    assert {2, 4} == customers


def test_a_failing_page_stops_the_iteration_with_the_stores_error() -> None:
    """A store failure on a later page reaches the caller after the pages read before."""
    book, store = _book()
    store.fail_after = 1
    customers = book.iter_customers(batch_size=2)
    taken = [next(customers).number, next(customers).number]

    with pytest.raises(StoreError):
        next(customers)

    assert [1, 2] == taken
