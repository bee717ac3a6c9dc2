"""Updating a customer on SQLite costs the same however many customers the store holds."""

from __future__ import annotations

from typing import Any

import attrs
import sqlalchemy as sa

from custmodel.storage.sql import SqlStore
from tests.sql.helpers import customer


def _insert(store: SqlStore, count: int) -> None:
    """Insert ``count`` more customers."""
    with store.transaction() as tx:
        first = tx.allocate_numbers(count)
        tx.insert_customers([customer(n) for n in range(first, first + count)])


def _steps_of_update(store: SqlStore, number: int) -> int:
    """Update customer ``number``; return the SQLite virtual machine steps of its UPDATE."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0  # go on

    def start(_conn: object, cursor: Any, statement: str, *_: object) -> None:
        if statement.startswith("UPDATE custmodel_customers"):
            cursor.connection.set_progress_handler(count, 1)

    def stop(_conn: object, cursor: Any, *_: object) -> None:
        cursor.connection.set_progress_handler(None, 1)

    sa.event.listen(store.engine, "before_cursor_execute", start)
    sa.event.listen(store.engine, "after_cursor_execute", stop)
    try:
        with store.transaction() as tx:
            stored = tx.get_customer(number)
            assert stored is not None
            tx.update_customers([attrs.evolve(stored, city="Köln")])
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", start)
        sa.event.remove(store.engine, "after_cursor_execute", stop)
    return steps[0]


def test_updating_a_customer_does_not_scan_the_customer_table(sqlite_url: str) -> None:
    """Four times the customers leave the steps of updating one customer almost unchanged.

    Writing the number column, even unchanged, made SQLite check the foreign key of
    ``merged_into`` (which has no index) by scanning every customer.
    """
    store = SqlStore.from_url(sqlite_url)
    try:
        _insert(store, 1000)
        small = _steps_of_update(store, 500)
        _insert(store, 3000)
        large = _steps_of_update(store, 501)
    finally:
        store.close()

    assert large < small * 1.5, (small, large)
