"""A bulk status run writes its history set-based: as many statements for 3 customers as for 300."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from custmodel import CustomerBook, CustomerKind, HistoryAction, NewCustomer, Selection
from custmodel.storage.sql import SqlStore
from custmodel.testing.contract import SETTINGS
from tests.sql.helpers import statements_sent


@pytest.fixture
def store(sql_url: str) -> Iterator[SqlStore]:
    """A configured store with 3 private customers named Drei and 300 named Viele."""
    store = SqlStore.from_url(sql_url)
    book = CustomerBook(store, SETTINGS)
    book.register_many(
        NewCustomer(kind=CustomerKind.PRIVATE, last_name=name)
        for name, count in (("Drei", 3), ("Viele", 300))
        for _ in range(count)
    )
    yield store
    store.close()


def _run(store: SqlStore, name: str, *, on: bool) -> tuple[int, list[str]]:
    """Set (or clear) flag 1 on the customers named ``name``; return how many changed and
    every statement sent."""
    with statements_sent(store) as sent:
        changed = CustomerBook(store, actor="batch").set_status(Selection(name=name), 1, on)
    return changed, [statement for statement, _ in sent]


@pytest.mark.parametrize("on", [True, False])
def test_a_status_run_sends_as_many_statements_for_300_customers_as_for_3(
    store: SqlStore, on: bool
) -> None:
    """Setting (then clearing) a flag on 300 customers sends exactly the statements it sends
    for 3, two of them writing the history: the customers' entries and the run's summary."""
    if not on:
        CustomerBook(store).set_status(None, 1)
    few, few_sent = _run(store, "Drei", on=on)
    many, many_sent = _run(store, "Viele", on=on)

    assert (3, 300) == (few, many)
    assert few_sent == many_sent
    assert 2 == sum("INSERT INTO custmodel_history" in s for s in many_sent)
    action = HistoryAction.STATUS_SET if on else HistoryAction.STATUS_CLEARED
    entries = list(CustomerBook(store).iter_history(batch_size=500))
    runs = [e for e in entries if e.actor == "batch"]
    assert ([3, 300], 303) == (
        [e.count for e in runs if e.customer is None],
        sum(e.action is action for e in runs),
    )
