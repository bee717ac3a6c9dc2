"""An access report reads a constant number of SQL statements however many bookings there are."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa

from custmodel import CustomerBook, Settings
from custmodel.model import Booking, BookingKind, SalesChannel
from custmodel.storage import _sqlschema as schema
from custmodel.storage.sql import SqlStore, booking_to_row
from tests.sql.helpers import customer, statements_sent


def _customer_with(store: SqlStore, bookings: int, tag: str) -> int:
    """Store a customer with ``bookings`` bookings, a merged duplicate and an access request."""
    with store.transaction() as tx:
        number = tx.allocate_numbers(2)
        tx.insert_customers([customer(number), customer(number + 1)])
    rows = [
        booking_to_row(
            Booking(
                reference=f"{tag}-{i:06d}",
                customer=number,
                kind=BookingKind.BOOKING,
                departure=date(2024, 5, 1),
                point_of_sale="AG1",
                channel=SalesChannel.own(),
            )
        )
        for i in range(bookings)
    ]
    with store.engine.begin() as connection:
        connection.execute(sa.insert(schema.bookings), rows)
    book = CustomerBook(store)
    book.merge(number, [number + 1])
    book.request_access(number, date(2024, 1, 2))
    return number


def _statements_of_report(store: SqlStore, number: int, *, answer: bool) -> tuple[int, list[str]]:
    """Make the access report of ``number``; return its bookings and every statement sent."""
    with statements_sent(store) as sent:
        report = CustomerBook(store).access_report(number, answer=answer)
    return len(report.bookings), [statement for statement, _ in sent]


@pytest.fixture
def store(sql_url: str) -> Iterator[SqlStore]:
    """A configured store on an SQLite file, on PostgreSQL and on MariaDB."""
    store = SqlStore.from_url(sql_url)
    CustomerBook(store, Settings())
    yield store
    store.close()


@pytest.mark.parametrize("answer", [False, True])
def test_an_access_report_sends_as_many_statements_for_1000_bookings_as_for_1(
    store: SqlStore, answer: bool
) -> None:
    """The report of a customer with 1,000 bookings sends exactly the statements of one with 1."""
    one = _customer_with(store, 1, "one")
    many = _customer_with(store, 1000, "many")

    one_read, one_sent = _statements_of_report(store, one, answer=answer)
    many_read, many_sent = _statements_of_report(store, many, answer=answer)

    assert (1, 1000) == (one_read, many_read)
    assert len(one_sent) == len(many_sent)
    assert one_sent == many_sent
