"""R9: may a customer be anonymized by this agency on this day? (TSmart's rules)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from custmodel import (
    Blocker,
    BlockReason,
    CustomerKind,
    Eligibility,
    InvalidInputError,
    SalesChannel,
    Settings,
    rules,
)
from tests.booksupport import AGENCY, firm_booking, make_book, offer

DEPARTURE = date(2024, 5, 10)


def test_firm_booking_blocks_on_day_41_after_departure() -> None:
    """Departure D: not eligible on D + 41 (six weeks are not over yet)."""
    booking = firm_booking("VG-1", 1, DEPARTURE)

    result = rules.anonymization_eligibility([booking], AGENCY, DEPARTURE + timedelta(days=41))

    assert False is result.eligible


def test_firm_booking_allows_anonymization_on_day_42_after_departure() -> None:
    """Departure D: eligible on D + 42 ("mindestens 6 Wochen in der Vergangenheit")."""
    booking = firm_booking("VG-1", 1, DEPARTURE)

    result = rules.anonymization_eligibility([booking], AGENCY, DEPARTURE + timedelta(days=42))

    assert Eligibility(eligible=True) == result


def test_too_recent_booking_reports_the_day_it_stops_blocking() -> None:
    """A booking that is too recent names D + 42 as the day it stops blocking."""
    booking = firm_booking("VG-1", 1, DEPARTURE)

    result = rules.anonymization_eligibility([booking], AGENCY, DEPARTURE)

    expected = Eligibility(
        eligible=False,
        blockers=(Blocker("VG-1", (BlockReason.TOO_RECENT,), DEPARTURE + timedelta(days=42)),),
        eligible_from=DEPARTURE + timedelta(days=42),
    )
    assert expected == result


def test_offers_never_block() -> None:
    """Angebote können immer anonymisiert werden: an offer of another agency, external, today."""
    quote = offer(
        "AN-1",
        1,
        DEPARTURE,
        point_of_sale="AG2",
        channel=SalesChannel.external("Holidu"),
    )

    result = rules.anonymization_eligibility([quote], AGENCY, DEPARTURE)

    assert Eligibility(eligible=True) == result


@pytest.mark.parametrize("partner", ["Holidu", "Booking"])
def test_booking_through_an_external_channel_blocks(partner: str) -> None:
    """Kundendaten externer Vertriebspartner (z. B. Holidu oder Booking) sind nicht Ihre."""
    booking = firm_booking("VG-1", 1, DEPARTURE, channel=SalesChannel.external(partner))

    result = rules.anonymization_eligibility([booking], AGENCY, DEPARTURE + timedelta(days=400))

    assert (BlockReason.EXTERNAL_CHANNEL,) == result.blockers[0].reasons


def test_booking_of_another_point_of_sale_blocks() -> None:
    """Sie sind der POS auf dem Vorgang: another agency's booking blocks."""
    booking = firm_booking("VG-1", 1, DEPARTURE, point_of_sale="AG2")

    result = rules.anonymization_eligibility([booking], AGENCY, DEPARTURE + timedelta(days=400))

    assert (BlockReason.NOT_POINT_OF_SALE,) == result.blockers[0].reasons


def test_own_booking_through_an_own_channel_long_ago_does_not_block() -> None:
    """Own point of sale, own channel, departure long past: eligible."""
    booking = firm_booking("VG-1", 1, DEPARTURE, channel=SalesChannel.own("Website"))

    result = rules.anonymization_eligibility([booking], AGENCY, DEPARTURE + timedelta(days=400))

    assert Eligibility(eligible=True) == result


def test_customer_without_bookings_is_eligible() -> None:
    """A customer without bookings is eligible."""
    assert Eligibility(eligible=True) == rules.anonymization_eligibility([], AGENCY, DEPARTURE)


def test_every_reason_of_one_booking_is_listed() -> None:
    """A booking of another agency, external and too recent lists all three reasons."""
    booking = firm_booking(
        "VG-1", 1, DEPARTURE, point_of_sale="AG2", channel=SalesChannel.external("Holidu")
    )

    result = rules.anonymization_eligibility([booking], AGENCY, DEPARTURE)

    expected = (
        BlockReason.NOT_POINT_OF_SALE,
        BlockReason.EXTERNAL_CHANNEL,
        BlockReason.TOO_RECENT,
    )
    assert expected == result.blockers[0].reasons


def test_every_blocking_booking_is_listed_by_reference() -> None:
    """Each blocking booking appears once, ordered by reference; harmless ones do not."""
    bookings = [
        firm_booking("VG-3", 1, DEPARTURE, point_of_sale="AG2"),
        firm_booking("VG-1", 1, DEPARTURE),
        firm_booking("VG-2", 1, DEPARTURE - timedelta(days=400)),
        offer("AN-1", 1, DEPARTURE),
    ]

    result = rules.anonymization_eligibility(bookings, AGENCY, DEPARTURE + timedelta(days=1))

    assert ("VG-1", "VG-3") == tuple(b.reference for b in result.blockers)


def test_eligible_from_is_latest_departure_plus_42_when_only_time_blocks() -> None:
    """When only time blocks, eligible_from is max(departure) + 42 days."""
    bookings = [
        firm_booking("VG-1", 1, DEPARTURE),
        firm_booking("VG-2", 1, DEPARTURE + timedelta(days=9)),
        firm_booking("VG-3", 1, DEPARTURE - timedelta(days=3)),
    ]

    result = rules.anonymization_eligibility(bookings, AGENCY, DEPARTURE)

    assert DEPARTURE + timedelta(days=9 + 42) == result.eligible_from


def test_eligible_from_is_none_when_another_reason_blocks() -> None:
    """An external booking never stops blocking, so there is no date to promise."""
    bookings = [
        firm_booking("VG-1", 1, DEPARTURE),
        firm_booking(
            "VG-2", 1, DEPARTURE - timedelta(days=400), channel=SalesChannel.external("Booking")
        ),
    ]

    result = rules.anonymization_eligibility(bookings, AGENCY, DEPARTURE)

    assert (False, None) == (result.eligible, result.eligible_from)


def test_eligible_from_is_none_when_eligible() -> None:
    """An eligible customer has no eligible_from: it is eligible now."""
    booking = firm_booking("VG-1", 1, DEPARTURE)

    result = rules.anonymization_eligibility([booking], AGENCY, DEPARTURE + timedelta(days=50))

    assert None is result.eligible_from


def test_anonymization_delay_is_configurable_in_the_rule() -> None:
    """With a 28-day delay, departure D allows anonymization from D + 28 on."""
    booking = firm_booking("VG-1", 1, DEPARTURE)

    results = [
        rules.anonymization_eligibility(
            [booking], AGENCY, DEPARTURE + timedelta(days=d), 28
        ).eligible
        for d in (27, 28)
    ]

    assert [False, True] == results


def test_book_uses_the_configured_anonymization_delay() -> None:
    """The book reads the delay from its settings."""
    book = make_book(Settings(anonymization_delay_days=10))
    customer = book.register(CustomerKind.PRIVATE, "Test")
    book.record_booking(firm_booking("VG-1", customer.number, DEPARTURE))

    result = book.eligibility(customer.number, AGENCY, DEPARTURE + timedelta(days=9))

    assert DEPARTURE + timedelta(days=10) == result.eligible_from


def test_book_checks_eligibility_on_day_41_and_42() -> None:
    """Through the book: D + 41 not eligible, D + 42 eligible."""
    book = make_book()
    customer = book.register(CustomerKind.PRIVATE, "Test")
    book.record_booking(firm_booking("VG-1", customer.number, DEPARTURE))

    results = [
        book.eligibility(customer.number, AGENCY, DEPARTURE + timedelta(days=d)).eligible
        for d in (41, 42)
    ]

    assert [False, True] == results


def test_book_defaults_today_to_the_clocks_date() -> None:
    """Without a day, eligibility is checked for the clock's date."""
    book = make_book()
    customer = book.register(CustomerKind.PRIVATE, "Test")
    # The test clock stands at 2024-03-01; a departure on 2024-02-01 is 29 days ago.
    book.record_booking(firm_booking("VG-1", customer.number, date(2024, 2, 1)))

    assert date(2024, 3, 14) == book.eligibility(customer.number, AGENCY).eligible_from


def test_eligibility_is_a_value_not_an_exception() -> None:
    """ "Not eligible" comes back as a value that explains itself."""
    booking = firm_booking("VG-1", 1, DEPARTURE, point_of_sale="AG2")

    result = rules.anonymization_eligibility([booking], AGENCY, DEPARTURE)

    assert "not eligible - VG-1: not point of sale, too recent" == result.explain()


def test_eligibility_needs_an_acting_agency() -> None:
    """An empty acting agency is misuse, refused with InvalidInputError."""
    with pytest.raises(InvalidInputError):
        rules.anonymization_eligibility([], " ", DEPARTURE)
