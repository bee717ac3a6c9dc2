"""The erasure sweep's query and the merge audit lookups are single, index-driven statements."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from custmodel.model import Booking, BookingKind, SalesChannel
from custmodel.storage import _sqlschema as schema
from custmodel.storage.sql import SqlStore, booking_to_row
from custmodel.storage.sql._queries import CUSTOM_PLANS
from tests.sql.helpers import NOW, customer, query_plan, statements_sent

CUSTOMERS = 2000
#: The last OPEN customers' requests are open; all others are completed.
OPEN = 20
BOOKINGS_EACH = 5
AGENCY = "AG1"
CUTOFF = date(2024, 3, 1)
#: The day the sweep runs for: the cutoff plus the default delay.
TODAY = CUTOFF + timedelta(days=42)
TABLES = [t.name for t in schema.metadata.sorted_tables]


def _is_due(index: int) -> bool:
    """Every fourth customer booked only with AGENCY, long ago; the others also elsewhere."""
    return index % 4 == 0


@pytest.fixture
def store(sql_url: str) -> Iterator[tuple[SqlStore, int]]:
    """A store with CUSTOMERS customers, an erasure request each (OPEN of them open), five
    firm bookings each and a merge audit naming every third customer; and the first number."""
    store = SqlStore.from_url(sql_url)
    aware = store.engine.dialect.name == "postgresql"
    stamp = NOW if aware else NOW.replace(tzinfo=None)
    with store.transaction() as tx:
        first = tx.allocate_numbers(CUSTOMERS)
        tx.insert_customers([customer(n) for n in range(first, first + CUSTOMERS)])
    requests = [
        {
            "id": i + 1,
            "customer": first + i,
            "kind": "erasure",
            "received_on": date(2024, 1, 1),
            "recorded_at": stamp,
            "completed_at": None if i >= CUSTOMERS - OPEN else stamp,
        }
        for i in range(CUSTOMERS)
    ]
    bookings = [
        booking_to_row(
            Booking(
                reference=f"B{i:05d}-{k}",
                customer=first + i,
                kind=BookingKind.BOOKING,
                departure=date(2023, 1, 1) + timedelta(days=(i * 7 + k * 61) % 400),
                point_of_sale=AGENCY if _is_due(i) or k % 2 else "AG2",
                channel=SalesChannel.own(),
            )
        )
        for i in range(CUSTOMERS)
        for k in range(BOOKINGS_EACH)
    ]
    masters = range(first, first + CUSTOMERS - 2, 3)
    merges = [
        {
            "id": m + 1,
            "merged_at": stamp,
            "master": number,
            "duplicates": json.dumps([number + 1, number + 2]),
            "bookings_moved": 0,
            "references_moved": "{}",
            "actor": None,
        }
        for m, number in enumerate(masters)
    ]
    duplicates = [
        {"merge_id": m + 1, "customer": number + d}
        for m, number in enumerate(masters)
        for d in (1, 2)
    ]
    with store.engine.begin() as connection:
        connection.execute(sa.insert(schema.requests), requests)
        connection.execute(sa.insert(schema.bookings), bookings)
        connection.execute(sa.insert(schema.merges), merges)
        connection.execute(sa.insert(schema.merge_duplicates), duplicates)
    yield store, first
    store.close()


def _one_statement(store: SqlStore, call: Any) -> tuple[Any, tuple[str, Any]]:
    """Run ``call(tx)`` in a read transaction; return its result and its one statement
    (besides BEGIN, and PostgreSQL's plan setting for the transaction: see CUSTOM_PLANS)."""
    with statements_sent(store) as sent, store.transaction(write=False) as tx:
        result = call(tx)
    queries = [(s, p) for s, p in sent if not s.startswith(("BEGIN", CUSTOM_PLANS))]
    assert 1 == len(queries), [s for s, _ in queries]
    return result, queries[0]


def test_due_erasures_is_one_statement_with_the_right_answer(
    store: tuple[SqlStore, int],
) -> None:
    """One query returns the open, unblocked customers past ``after``, ascending, at most five."""
    sql_store, first = store
    open_indexes = range(CUSTOMERS - OPEN, CUSTOMERS)
    expected = [first + i for i in open_indexes if _is_due(i)][1:6]

    due, _ = _one_statement(
        sql_store, lambda tx: tx.due_erasures(AGENCY, CUTOFF, expected[0] - 1, 5, received_by=TODAY)
    )

    assert expected == due


def test_due_erasures_probes_the_open_request_and_booking_indexes(
    store: tuple[SqlStore, int],
) -> None:
    """The plan reads the open requests by index and looks bookings up by customer index."""
    sql_store, _ = store
    _, (statement, parameters) = _one_statement(
        sql_store, lambda tx: tx.due_erasures(AGENCY, CUTOFF, 0, 500, received_by=TODAY)
    )

    plan = query_plan(sql_store, statement, parameters, TABLES)

    assert "ix_custmodel_requests_open" in plan, plan
    assert "ix_custmodel_bookings_customer" in plan, plan


def test_merge_records_of_a_customer_probes_master_and_duplicate_indexes(
    store: tuple[SqlStore, int],
) -> None:
    """merge_records(n) is one statement on the master index and the duplicates' index."""
    sql_store, first = store
    records, (statement, parameters) = _one_statement(
        sql_store, lambda tx: tx.merge_records(first + 4)
    )

    plan = query_plan(sql_store, statement, parameters, TABLES)

    assert [(first + 3, (first + 4, first + 5))] == [(r.master, r.duplicates) for r in records]
    assert "ix_custmodel_merges_master" in plan, plan
    assert "ix_custmodel_merge_duplicates_customer" in plan, plan
