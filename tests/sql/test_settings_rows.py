"""The SQL store changes the settings rows in place: no row is deleted and inserted again."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from custmodel import CustomerBook, CustomerKind, Settings
from custmodel.storage import _sqlschema as schema
from custmodel.storage.sql import SqlStore


@pytest.fixture
def store(sql_url: str) -> Iterator[SqlStore]:
    """A migrated SQL store, with the default settings stored, on each engine."""
    store = SqlStore.from_url(sql_url)
    CustomerBook(store, Settings())
    yield store
    store.close()


def _statements(store: SqlStore, work: Any) -> list[str]:
    """Run ``work()``; return the first word of every statement it sent, in order."""
    sent: list[str] = []

    def capture(_conn: object, _cursor: object, statement: str, *_: Any) -> None:
        if "custmodel_history" not in statement:  # the change's entry, not the settings rows
            sent.append(statement.split(None, 1)[0].upper())

    sa.event.listen(store.engine, "before_cursor_execute", capture)
    try:
        work()
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", capture)
    return sent


def test_a_kind_setting_changes_by_updating_rows_only(store: SqlStore) -> None:
    """Changing one kind's dunning fee deletes and inserts nothing."""
    book = CustomerBook(store)

    sent = _statements(
        store, lambda: book.update_kind_settings(CustomerKind.CORPORATE, dunning_fee=Decimal(5))
    )

    assert ([], Decimal("5.00")) == (
        [s for s in sent if s in ("DELETE", "INSERT")],
        book.settings.kind(CustomerKind.CORPORATE).dunning_fee,
    )


def test_put_settings_stores_a_kind_row_that_is_missing(store: SqlStore) -> None:
    """A kind without its row (a database changed by hand) gets it back when settings are put."""
    with store.engine.begin() as connection:
        connection.execute(
            sa.delete(schema.kind_settings).where(schema.kind_settings.c.kind == "prospect")
        )

    CustomerBook(store).update_kind_settings(CustomerKind.PROSPECT, deposit_prompt=True)

    assert CustomerBook(store).settings.kind(CustomerKind.PROSPECT).deposit_prompt
