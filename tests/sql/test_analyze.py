"""SqlStore.analyze: after a bulk load the planner's statistics count the rows loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from custmodel import CustomerBook, CustomerKind, NewCustomer
from custmodel.errors import StoreError
from custmodel.storage.sql import SqlStore
from tests.servers import empty_database

LOADED = 30  # below PostgreSQL's autovacuum threshold (50 rows), so only analyze() counts them

#: How each engine's statistics count custmodel_customers' rows (None: no statistics yet).
_ROWS = {
    "sqlite": "SELECT CAST(stat AS TEXT) FROM sqlite_stat1 WHERE tbl = 'custmodel_customers'",
    "postgresql": (
        "SELECT reltuples FROM pg_class WHERE relname = 'custmodel_customers'"
        " AND relnamespace = current_schema()::regnamespace"
    ),
    "mariadb": (
        "SELECT n_rows FROM mysql.innodb_table_stats"
        " WHERE database_name = DATABASE() AND table_name = 'custmodel_customers'"
    ),
}


def _counted(store: SqlStore, engine: str) -> int | None:
    """The number of customer rows the database's statistics hold, None if they hold none."""
    with store.engine.connect() as connection:
        has_stats = engine != "sqlite" or sa.inspect(connection).has_table("sqlite_stat1")
        value = connection.execute(sa.text(_ROWS[engine])).scalar() if has_stats else None
    if value is None:
        return None
    # SQLite's stat starts with the row count; PostgreSQL says -1 for "never analyzed".
    count = int(str(value).split()[0]) if engine == "sqlite" else int(value)
    return None if count < 0 else count


@pytest.mark.parametrize(
    "engine",
    [
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.server),
        pytest.param("mariadb", marks=pytest.mark.server),
    ],
)
def test_analyze_counts_the_rows_of_a_bulk_load(engine: str, tmp_path: Path) -> None:
    """After register_many and analyze(), the statistics count every customer loaded."""
    with empty_database(engine, tmp_path) as url:
        store = SqlStore.from_url(url)
        try:
            drafts = [NewCustomer(CustomerKind.PRIVATE, f"Kunde {n}") for n in range(LOADED)]
            CustomerBook(store).register_many(drafts)
            before = _counted(store, engine)

            store.analyze()

            after = _counted(store, engine)
        finally:
            store.close()

    assert LOADED == after
    if engine != "mariadb":  # InnoDB may recount a changed table in the background
        assert LOADED != before


def test_analyze_on_a_closed_store_is_refused() -> None:
    """A closed store refuses with StoreError, as its other operations do."""
    store = SqlStore.from_url("sqlite://")
    store.close()

    with pytest.raises(StoreError, match="closed"):
        store.analyze()
