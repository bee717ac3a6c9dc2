"""On PostgreSQL the sweeps' pages are planned for their own keyset and limit, never by a
generic plan of a statement psycopg prepared (see SqlTransaction.due_erasures)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import attrs
import pytest

from custmodel import CustomerBook, CustomerKind, NewCustomer, RetentionRule
from custmodel.storage.sql import SqlStore
from custmodel.testing.contract import SETTINGS

pytestmark = pytest.mark.server

AGENCY = "AG1"
TODAY = date(2030, 11, 24)
RECEIVED = date(2026, 9, 1)
#: More batches than psycopg's prepare_threshold (5): each page's statement is then prepared.
DUE = 8


@pytest.fixture
def store(postgres_url: str) -> Iterator[SqlStore]:
    """A store whose server would plan prepared statements generically, whatever they bind."""
    store = SqlStore.from_url(
        postgres_url,
        engine_options={"connect_args": {"options": "-c plan_cache_mode=force_generic_plan"}},
    )
    yield store
    store.close()


def _plans(store: SqlStore, part: str) -> tuple[int, int]:
    """Generic and custom plans of the session's prepared statements that contain ``part``
    (the session of the pool's connection, which one thread's transactions share)."""
    with store.transaction(write=False) as tx:
        row = tx._conn.exec_driver_sql(  # type: ignore[attr-defined]
            "SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) "
            "FROM pg_prepared_statements WHERE statement LIKE %(part)s",
            {"part": f"%{part}%"},
        ).one()
    return int(row[0]), int(row[1])


def test_each_page_of_the_sweeps_is_planned_for_its_parameters(store: SqlStore) -> None:
    """Swept one customer a batch, the pages of both passes are prepared by the driver and
    planned for their parameters every time, though the session asks for generic plans."""
    prospects = attrs.evolve(
        SETTINGS.kind(CustomerKind.PROSPECT), retention=(RetentionRule.prospect_idle(1),)
    )
    book = CustomerBook(store, SETTINGS.with_kind(CustomerKind.PROSPECT, prospects))
    requested = book.register_many(
        NewCustomer(kind=CustomerKind.PRIVATE, last_name=f"Muster{n}") for n in range(DUE)
    )
    for customer in requested:
        book.request_erasure(customer.number, RECEIVED)
    book.register_many(
        NewCustomer(kind=CustomerKind.PROSPECT, last_name=f"Idle{n}") for n in range(DUE)
    )

    swept = book.anonymize_due(AGENCY, TODAY, batch_size=1)

    assert (2 * DUE, 2 * DUE) == (swept.due, swept.anonymized)
    erasure_pages = _plans(store, "custmodel_requests.customer >")
    retention_pages = _plans(store, "custmodel_customers.number >")
    assert (0, 0) == (erasure_pages[0], retention_pages[0])
    assert (erasure_pages[1], retention_pages[1]) >= (DUE + 1 - 5, DUE + 1 - 5)
