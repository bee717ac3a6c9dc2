"""R9: the shared pure scan for "due for erasure" that stores without a query language call."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from custmodel import Booking, Customer, CustomerKind, ErasureRequest, SalesChannel, rules
from custmodel.testing import strategies as cst
from tests.booksupport import AGENCY, firm_booking, offer

DAY = date(2024, 6, 15)
CUTOFF = DAY - timedelta(days=42)
NOW = datetime(2024, 6, 15, tzinfo=UTC)


def _customer(number: int, **changes: Any) -> Customer:
    customer = Customer(
        number=number,
        kind=CustomerKind.PRIVATE,
        debtor_account=10000 + number,
        last_name="Test",
        created_at=NOW,
        updated_at=NOW,
    )
    return attrs.evolve(customer, **changes)


def _request(number: int, received_on: date = DAY, *, done: bool = False) -> ErasureRequest:
    return ErasureRequest(
        id=number,
        customer=number,
        received_on=received_on,
        recorded_at=NOW,
        completed_at=NOW if done else None,
    )


def _scan(
    customers: list[Customer],
    requests: list[ErasureRequest],
    bookings: dict[int, list[Booking]] | None = None,
    *,
    after: int = 0,
    limit: int = 100,
    received_by: date = DAY,
) -> list[int]:
    by_number = {c.number: c for c in customers}
    found = bookings or {}
    return rules.due_for_erasure(
        by_number,
        requests,
        lambda number: found.get(number, []),
        AGENCY,
        CUTOFF,
        after,
        limit,
        received_by=received_by,
    )


@given(
    st.lists(cst.bookings(around=DAY, point_of_sale=st.sampled_from([AGENCY, "AG2"])), max_size=4),
    st.integers(0, 90),
)
def test_erasure_due_agrees_with_the_eligibility_rule(bookings: list[Booking], delay: int) -> None:
    """erasure_due by cutoff says what anonymization_eligibility says on cutoff + delay."""
    cutoff = DAY - timedelta(days=delay)

    expected = rules.anonymization_eligibility(bookings, AGENCY, DAY, delay).eligible

    assert expected == rules.erasure_due(bookings, AGENCY, cutoff)


def test_erasure_due_counts_a_departure_on_the_cutoff_as_old_enough() -> None:
    """A firm booking departing on the cutoff day no longer blocks."""
    assert True is rules.erasure_due([firm_booking("VG-1", 1, CUTOFF)], AGENCY, CUTOFF)


def test_erasure_due_ignores_offers() -> None:
    """An offer of another agency through an external channel never blocks."""
    quote = offer("AN-1", 1, DAY, point_of_sale="AG2", channel=SalesChannel.external("Holidu"))

    assert True is rules.erasure_due([quote], AGENCY, CUTOFF)


def test_the_scan_finds_customers_with_an_open_request_and_nothing_blocking() -> None:
    """Customers with an open request and only old own bookings are due, by number."""
    customers = [_customer(1), _customer(2), _customer(3)]
    bookings = {2: [firm_booking("VG-2", 2, DAY)]}

    due = _scan(customers, [_request(3), _request(2), _request(1)], bookings)

    assert [1, 3] == due


def test_the_scan_leaves_out_tombstones_anonymized_and_completed_requests() -> None:
    """Merged or anonymized customers and completed requests are never due."""
    customers = [_customer(1, merged_into=4), _customer(2, anonymized_at=NOW), _customer(3)]
    requests = [_request(1), _request(2), _request(3, done=True)]

    assert [] == _scan(customers, requests)


def test_the_scan_leaves_out_requests_received_after_the_day() -> None:
    """A request received after ``received_by`` was not there yet."""
    requests = [_request(1, DAY + timedelta(days=1))]

    assert [] == _scan([_customer(1)], requests)


def test_the_scan_pages_by_number() -> None:
    """Numbers above ``after``, ascending, at most ``limit`` of them."""
    customers = [_customer(n) for n in range(1, 6)]

    due = _scan(customers, [_request(n) for n in range(1, 6)], after=1, limit=2)

    assert [2, 3] == due


def test_the_scan_with_a_limit_below_one_finds_nobody() -> None:
    """A limit of 0 returns no numbers."""
    assert [] == _scan([_customer(1)], [_request(1)], limit=0)
