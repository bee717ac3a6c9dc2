"""The block of ``SqlStore.transaction``: what it takes from the store when it opens, and how
SQLite's moments and days are bound on the statements a registration sends to the driver."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.sqlite import DATETIME

from custmodel import StoreError
from custmodel.storage import _sqlschema as schema
from custmodel.storage.sql import SqlStore
from custmodel.storage.sql._queries import bind_processor


@pytest.fixture
def store(sqlite_url: str) -> Iterator[SqlStore]:
    """A store on a SQLite file."""
    store = SqlStore.from_url(sqlite_url)
    yield store
    store.close()


def _no_veto(_connection: Connection, _customers: frozenset[int]) -> Mapping[int, str]:
    return {}


def test_a_host_registered_during_a_transaction_applies_from_the_next(store: SqlStore) -> None:
    with store.transaction() as tx:
        store.register_veto("claims", _no_veto)
        store.register_eraser("archive", lambda _connection, _customers: 0)
        # What the transaction took when it opened, unchanged by the registrations.
        assert dict(tx._vetoes) == {}  # type: ignore[attr-defined]
        assert dict(tx._erasers) == {}  # type: ignore[attr-defined]
    store.register_veto("audit", _no_veto)
    with store.transaction() as tx:
        assert list(tx._vetoes) == ["audit", "claims"]  # type: ignore[attr-defined]
        assert list(tx._erasers) == ["archive"]  # type: ignore[attr-defined]


def test_the_block_refuses_to_end_what_it_did_not_begin(store: SqlStore) -> None:
    block = store.transaction()
    with pytest.raises(StoreError, match="not entered"):
        block.__exit__(None, None, None)
    with block as tx:
        assert tx.get_settings() is None
    with pytest.raises(StoreError, match="not entered"):
        block.__exit__(None, None, None)
    # The store's kept connection went back: the next transaction has it.
    with store.transaction() as tx:
        assert tx.get_settings() is None


_SQLITE = sqlite.dialect()
_NAIVE = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31))  # noqa: DTZ001


def _both_conversions(column: sa.Column[Any]) -> tuple[Any, Any]:
    """custmodel's conversion of ``column``'s values on SQLite, and SQLAlchemy's own."""
    ours = bind_processor(column.type, _SQLITE)
    theirs = column.type.dialect_impl(_SQLITE).bind_processor(_SQLITE)
    assert ours is not None
    assert theirs is not None
    return ours, theirs


@given(_NAIVE)
def test_sqlite_moments_are_bound_as_sqlalchemy_binds_them(moment: datetime) -> None:
    ours, theirs = _both_conversions(schema.customers.c.created_at)
    assert ours is not theirs
    assert ours(moment) == theirs(moment)


@given(st.dates())
def test_sqlite_days_are_bound_as_sqlalchemy_binds_them(day: date) -> None:
    ours, theirs = _both_conversions(schema.customers.c.birth_date)
    assert ours is not theirs
    assert ours(day) == theirs(day)


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 12, 7, 10, 0, tzinfo=UTC),
        datetime(2026, 12, 7, 10, 0, tzinfo=timezone(timedelta(hours=1))),
        date(2026, 12, 7),
    ],
)
def test_what_is_no_naive_moment_takes_sqlalchemys_own_conversion(value: Any) -> None:
    ours, theirs = _both_conversions(schema.history.c.at)
    assert ours(value) == theirs(value)


def test_a_moment_stored_in_another_format_keeps_sqlalchemys_conversion() -> None:
    slashed = DATETIME(  # type: ignore[no-untyped-call]
        storage_format="%(year)04d/%(month)02d/%(day)02d %(hour)02d:%(minute)02d:%(second)02d"
    )
    ours = bind_processor(slashed, _SQLITE)
    moment = datetime(2026, 12, 7, 21, 5, 9)  # noqa: DTZ001 - SQLite's columns take naive UTC
    assert ours is not None
    assert ours(moment) == "2026/12/07 21:05:09"


def _listening(seen: list[str]) -> Any:
    def capture(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    return capture


def test_an_engine_listener_added_during_a_transaction_sees_the_next_ones(
    store: SqlStore,
) -> None:
    """Whether anyone watches is asked once per transaction: a statement listener added to
    the engine meanwhile sees the statements from the next transaction on."""
    seen: list[str] = []
    capture = _listening(seen)
    try:
        with store.transaction() as tx:
            tx.allocate_numbers(1)
            sa.event.listen(store.engine, "before_cursor_execute", capture)
            tx.allocate_numbers(1)
        assert not any("custmodel_counters" in s for s in seen)
        with store.transaction() as tx:
            tx.allocate_numbers(1)
        assert any("custmodel_counters" in s for s in seen)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", capture)


def test_a_listener_put_on_the_connection_a_host_got_sees_the_next_statements(
    store: SqlStore,
) -> None:
    """After the connection was handed to a host's function, which may listen to it, the
    question is asked again: its listener sees the transaction's next statements."""
    seen: list[str] = []
    with store.transaction() as tx:
        tx.allocate_numbers(1)
        connection = tx._for_host()  # type: ignore[attr-defined]
        sa.event.listen(connection, "before_cursor_execute", _listening(seen))
        tx.allocate_numbers(1)
    assert any("custmodel_counters" in s for s in seen)
