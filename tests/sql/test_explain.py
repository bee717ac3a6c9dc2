"""Code1 lookups are index searches: the database's plan for find_by_code1 uses its index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from custmodel.storage.sql import SqlStore
from tests.sql.helpers import customer

INDEX = "ix_custmodel_customers_code1"
ROWS = 3000


@pytest.fixture
def store(sql_url: str) -> Iterator[SqlStore]:
    """A store holding enough customers with distinct Code1 values for a planner to care."""
    store = SqlStore.from_url(sql_url)
    with store.transaction() as tx:
        first = tx.allocate_numbers(ROWS)
        tx.insert_customers([customer(n, code1=f"C{n:05d}") for n in range(first, first + ROWS)])
    yield store
    store.close()


def _find_by_code1_statement(store: SqlStore, code1: str) -> tuple[str, Any]:
    """Run find_by_code1 and return the SQL text and parameters it sent to the driver."""
    sent: list[tuple[str, Any]] = []

    def capture(
        _conn: object, _cursor: object, statement: str, parameters: Any, *_: object
    ) -> None:
        if "code1" in statement:
            sent.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", capture)
    try:
        with store.transaction(write=False) as tx:
            found = tx.find_by_code1(code1)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", capture)
    assert [code1] == [c.code1 for c in found]
    assert 1 == len(sent)
    return sent[0]


def _plan(store: SqlStore, statement: str, parameters: Any) -> str:
    """Return the engine's query plan for ``statement`` as one text."""
    dialect = store.engine.dialect.name
    with store.engine.connect() as connection:
        if dialect == "sqlite":
            connection.exec_driver_sql("ANALYZE")
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        elif dialect == "postgresql":
            connection.exec_driver_sql("ANALYZE custmodel_customers")
            rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
        else:
            connection.exec_driver_sql("ANALYZE TABLE custmodel_customers")
            rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            # Only the index MariaDB chose, not the ones it merely considered.
            return "\n".join(str(row["key"]) for row in rows.mappings())
        return "\n".join(" ".join(str(v) for v in row) for row in rows)


def test_find_by_code1_uses_the_code1_index(store: SqlStore) -> None:
    """The plan of the exact statement find_by_code1 sends names the Code1 index."""
    statement, parameters = _find_by_code1_statement(store, "C01234")

    plan = _plan(store, statement, parameters)

    assert INDEX in plan, plan
