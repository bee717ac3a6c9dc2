"""A merge is set-based: the number of SQL statements does not grow with the bookings moved."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from custmodel import CustomerBook, Settings
from custmodel.model import Booking, BookingKind, RequestKind, SalesChannel
from custmodel.storage import _sqlschema as schema
from custmodel.storage.sql import SqlStore, booking_to_row
from tests.sql.helpers import add_invoices, customer, host_invoices, reads_settings

DUPLICATES = 5


def _group(store: SqlStore, bookings: int, tag: str) -> tuple[int, list[int]]:
    """Store a master, five duplicates and ``bookings`` bookings spread over the duplicates."""
    with store.transaction() as tx:
        master = tx.allocate_numbers(DUPLICATES + 1)
        duplicates = list(range(master + 1, master + 1 + DUPLICATES))
        tx.insert_customers([customer(n) for n in (master, *duplicates)])
        tx.add_request(RequestKind.ERASURE, duplicates[0], date(2024, 1, 2), customer(1).created_at)
    rows = [
        booking_to_row(
            Booking(
                reference=f"{tag}-{i:06d}",
                customer=duplicates[i % DUPLICATES],
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
    return master, duplicates


def _statements_of_merge(
    store: SqlStore, master: int, duplicates: list[int]
) -> tuple[int, list[str]]:
    """Merge through CustomerBook; return the bookings moved and every statement sent but a
    read of the settings (see ``reads_settings``)."""
    sent: list[str] = []

    def capture(_conn: object, _cursor: object, statement: str, *_: Any) -> None:
        if not reads_settings(statement):
            sent.append(statement)

    book = CustomerBook(store)
    sa.event.listen(store.engine, "before_cursor_execute", capture)
    try:
        report = book.merge(master, duplicates, fill_blanks=True)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", capture)
    return report.bookings_moved, sent


@pytest.fixture
def store(sql_url: str) -> Iterator[SqlStore]:
    """A configured store on an SQLite file, on PostgreSQL and on MariaDB."""
    store = SqlStore.from_url(sql_url)
    CustomerBook(store, Settings())
    yield store
    store.close()


def test_merge_sends_as_many_statements_for_10000_bookings_as_for_10(store: SqlStore) -> None:
    """Merging 5 duplicates with 10,000 bookings sends exactly the statements 10 bookings need."""
    few_master, few_duplicates = _group(store, 10, "few")
    many_master, many_duplicates = _group(store, 10_000, "many")
    with host_invoices(store) as invoices:
        add_invoices(store, invoices, [*few_duplicates, *many_duplicates])
        store.register_reference(invoices.name, "customer_number")

        few_moved, few = _statements_of_merge(store, few_master, few_duplicates)
        many_moved, many = _statements_of_merge(store, many_master, many_duplicates)

    assert (10, 10_000) == (few_moved, many_moved)
    assert len(few) == len(many)
    assert few == many


def test_merge_reads_the_bookings_in_the_statement_that_moves_them(store: SqlStore) -> None:
    """Where the engine returns rows from an UPDATE, the bookings are touched by one statement."""
    master, duplicates = _group(store, 1_000, "once")

    moved, sent = _statements_of_merge(store, master, duplicates)

    touching = [s for s in sent if "custmodel_bookings" in s]
    expected = 1 if store.engine.dialect.update_returning else 2
    assert (1_000, expected) == (moved, len(touching))


def test_a_merge_plan_lists_the_bookings_it_moved_in_order(store: SqlStore) -> None:
    """The report's plan lists every moved reference, ordered, as the plan before it did."""
    master, duplicates = _group(store, 300, "listed")
    book = CustomerBook(store)
    planned = book.plan_merge(master, duplicates)

    report = book.merge(master, duplicates)

    expected = tuple(f"listed-{i:06d}" for i in range(300))
    assert (expected, expected) == (planned.bookings, report.plan.bookings)
