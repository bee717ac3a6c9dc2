"""R9 properties: anonymization leaves no personal text, and eligibility tells the truth."""

from __future__ import annotations

from datetime import date, timedelta

import attrs
from hypothesis import assume, given
from hypothesis import strategies as st

from custmodel import (
    CustomerBook,
    NewCustomer,
    NotEligibleError,
    SalesChannel,
    Settings,
)
from custmodel.serialization import dumps
from custmodel.testing import strategies as cst
from tests.booksupport import AGENCY, firm_booking, make_book, snapshot, strings_in

#: The day eligibility is asked for; departures cluster around its 42-day boundary.
DAY = date(2024, 6, 15)


def _planted(draft: NewCustomer) -> set[str]:
    return {getattr(draft, field) for field in cst.MARKED_FIELDS}


@st.composite
def anonymized_books(draw: st.DrawFn) -> tuple[CustomerBook, int, NewCustomer, set[str]]:
    """A book of marked customers with bookings, one of them anonymized (eligible by design).

    Returns the book, the anonymized number, its registration data, and the markers of the
    other customers (which must stay).
    """
    settings = draw(cst.settings())
    drafts = draw(st.lists(cst.marked_new_customers(settings=settings), min_size=1, max_size=3))
    target = draw(st.integers(1, len(drafts)))
    others = set().union(*(_planted(d) for i, d in enumerate(drafts, 1) if i != target))
    assume(_planted(drafts[target - 1]).isdisjoint(others))
    book = make_book(settings)
    book.register_many(drafts)
    bookings = draw(st.lists(cst.bookings(customer=target, point_of_sale=AGENCY), max_size=3))
    for index, booking in enumerate(bookings):
        # Own channel, departed long ago: the customer stays eligible.
        book.record_booking(
            attrs.evolve(
                booking,
                reference=f"VG-{index}",
                channel=SalesChannel.own(),
                departure=min(booking.departure, date(2023, 1, 1)),
            )
        )
    book.anonymize(target, AGENCY, DAY)
    return book, target, drafts[target - 1], others


@given(anonymized_books())
def test_anonymized_customer_serializes_without_any_personal_text(
    anonymized: tuple[CustomerBook, int, NewCustomer, set[str]],
) -> None:
    """No marker planted in a personal field, nor the birth date, appears in the JSON."""
    book, number, draft, _ = anonymized
    assert draft.birth_date is not None
    personal = _planted(draft) | {draft.birth_date.isoformat()}

    text = dumps(book.get(number))

    assert set() == {value for value in personal if value in text}


@given(anonymized_books())
def test_no_personal_text_survives_anywhere_in_the_store(
    anonymized: tuple[CustomerBook, int, NewCustomer, set[str]],
) -> None:
    """Neither the store's JSON snapshot nor any object the store holds keeps a marker."""
    book, _, draft, others = anonymized

    stored = dumps(snapshot(book)) + "\x1e".join(strings_in(book.store))

    assert (set(), others) == (
        {marker for marker in _planted(draft) if marker in stored},
        {marker for marker in others if marker in stored},
    )


#: The delays worth checking: none, one day, four and six weeks, a quarter.
DELAYS = st.sampled_from([0, 1, 28, 42, 90])


@st.composite
def customers_with_bookings_around(draw: st.DrawFn) -> tuple[CustomerBook, int]:
    """A book with one customer whose bookings depart around :data:`DAY`'s boundary."""
    settings = Settings(anonymization_delay_days=draw(DELAYS))
    ((draft, bookings),) = draw(
        cst.customers_with_bookings(
            min_size=1,
            max_size=1,
            around=DAY,
            point_of_sale=st.sampled_from([AGENCY, AGENCY, "AG2"]),
        )
    )
    book = make_book(settings)
    book.register_many([draft])
    for booking in bookings:
        book.record_booking(booking)
    return book, 1


@given(customers_with_bookings_around(), st.integers(-30, 130))
def test_anonymize_succeeds_exactly_when_eligible(
    customer: tuple[CustomerBook, int], offset: int
) -> None:
    """For any bookings and any day, anonymize works if and only if eligibility says so."""
    book, number = customer
    day = DAY + timedelta(days=offset)
    eligible = book.eligibility(number, AGENCY, day).eligible

    try:
        book.anonymize(number, AGENCY, day)
        succeeded = True
    except NotEligibleError:
        succeeded = False

    assert eligible == succeeded


@st.composite
def time_blocked_customers(draw: st.DrawFn) -> tuple[CustomerBook, int, date]:
    """A customer blocked by time only on :data:`DAY`: own bookings of the acting agency.

    One firm booking departs late enough to block on DAY; the others fall where they may.
    """
    delay = draw(DELAYS)
    ((draft, bookings),) = draw(
        cst.customers_with_bookings(min_size=1, max_size=1, around=DAY, point_of_sale=AGENCY)
    )
    blocking = firm_booking("VG-BLOCK", 1, DAY + timedelta(days=draw(st.integers(1 - delay, 20))))
    book = make_book(Settings(anonymization_delay_days=delay))
    book.register_many([draft])
    for booking in (*bookings, blocking):
        book.record_booking(attrs.evolve(booking, channel=SalesChannel.own()))
    eligible_from = book.eligibility(1, AGENCY, DAY).eligible_from
    assert eligible_from is not None
    return book, 1, eligible_from


@given(time_blocked_customers())
def test_eligible_from_is_the_first_day_anonymize_succeeds(
    blocked: tuple[CustomerBook, int, date],
) -> None:
    """When only time blocks, anonymize fails the day before eligible_from and works on it."""
    book, number, eligible_from = blocked
    outcomes = []

    for day in (eligible_from - timedelta(days=1), eligible_from):
        try:
            outcomes.append(book.anonymize(number, AGENCY, day).customer.is_anonymized)
        except NotEligibleError:
            outcomes.append(False)

    assert [False, True] == outcomes
