"""The large stores of the benchmarks: the PostgreSQL copy of the SQLite one, the opt-in scale
benchmark on it, and the growth series of lookup, selection and statistics."""

from __future__ import annotations

import json
import os
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bench.__main__ import main, selected_benchmarks
from bench.context import Context, Sizes
from bench.harness import Growth
from bench.operations.large import Large, large_postgres, large_sqlite
from bench.plot import plot_growth
from bench.stores import postgres_schema, postgres_url
from custmodel import CustomerBook

#: What must agree between the two engines, table by table: counts and sums over columns
#: whose values both engines give back alike.
_DIGESTS = {
    "custmodel_customers": (
        "SELECT count(*), sum(number), sum(debtor_account), sum(status), "
        "sum(length(last_name)), sum(length(email)), count(birth_date), count(category) "
        "FROM custmodel_customers"
    ),
    "custmodel_bookings": (
        "SELECT count(*), sum(customer), sum(open_amount_cents), sum(revenue_cents), "
        "sum(length(reference)), count(travel_type), count(destination), "
        "sum(CASE WHEN channel_external THEN 1 ELSE 0 END) FROM custmodel_bookings"
    ),
    "custmodel_requests": "SELECT count(*), sum(customer), sum(id) FROM custmodel_requests",
    "custmodel_counters": "SELECT name, value FROM custmodel_counters ORDER BY name",
}


def _server_needed(ctx: Context) -> None:
    if ctx.postgres_problem is not None:
        message = f"the benchmarks' PostgreSQL server: {ctx.postgres_problem}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


def _digest(large: Large) -> dict[str, list[tuple[Any, ...]]]:
    with closing(large.raw()) as connection:
        return {
            # PostgreSQL sums bigints to numeric: compare them as whole numbers.
            table: [
                tuple(int(v) if isinstance(v, Decimal) else v for v in row)
                for row in connection.execute(sql).fetchall()
            ]
            for table, sql in _DIGESTS.items()
        }


def _keys_and_indexes(connection: Any, schema: str) -> set[tuple[str, str]]:
    constraints = connection.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE connamespace = %s::regnamespace",
        (schema,),
    ).fetchall()
    indexes = connection.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s", (schema,)
    ).fetchall()
    return {(name, definition.replace(schema, "S")) for name, definition in constraints + indexes}


def _schema_exists(name: str) -> bool:
    with closing(psycopg.connect(postgres_url().replace("+psycopg", ""))) as connection:
        found = connection.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (name,))
        return found.fetchone() is not None


def test_the_postgres_large_store_holds_the_sqlite_rows_under_custmodels_own_keys(
    tmp_path: Path,
) -> None:
    """COPY loads the rows the SQLite loader writes, the keys, foreign keys and indexes come
    back as custmodel made them, and the schema is gone when the run ends."""
    ctx = Context(Sizes(customers=3_000), tmp_path, postgres=True, verbose=False)
    try:
        _server_needed(ctx)
        postgres = large_postgres(ctx)
        assert postgres is not None
        assert postgres.schema is not None
        sqlite = large_sqlite(ctx)
        assert (postgres.customers, postgres.bookings) == (3_000, 9_000)
        assert _digest(sqlite) == _digest(postgres)
        assert large_postgres(ctx) is postgres  # loaded once per run
        with postgres_schema() as fresh, closing(fresh.raw()) as connection:
            made_by_custmodel = _keys_and_indexes(connection, fresh.name)
        with closing(postgres.raw()) as connection:
            loaded = _keys_and_indexes(connection, postgres.schema.name)
        assert made_by_custmodel == loaded
        name = postgres.schema.name
    finally:
        ctx.close()
    assert not _schema_exists(name)


def test_a_large_store_opens_custmodel_and_the_driver_on_either_engine(tmp_path: Path) -> None:
    """Large.store() and Large.raw() see the same customers on SQLite and PostgreSQL."""
    ctx = Context(Sizes(customers=500), tmp_path, postgres=True, verbose=False)
    try:
        _server_needed(ctx)
        for large in (large_sqlite(ctx), large_postgres(ctx)):
            assert large is not None
            store = large.store()
            try:
                counted = CustomerBook(store).count()
            finally:
                store.close()
            with closing(large.raw()) as connection:
                (rows,) = connection.execute("SELECT count(*) FROM custmodel_customers").fetchone()
            assert (large.customers, large.customers) == (counted, rows), large.backend
    finally:
        ctx.close()


def test_without_a_server_there_is_no_postgres_large_store(tmp_path: Path) -> None:
    """large_postgres gives None when PostgreSQL is switched off; the caller skips the row."""
    ctx = Context(Sizes(customers=500), tmp_path, postgres=False, verbose=False)
    try:
        assert (large_postgres(ctx), ctx.postgres_problem) == (
            None,
            "switched off (--no-postgres)",
        )
    finally:
        ctx.close()


def test_the_scale_benchmark_runs_only_when_named() -> None:
    """A plain or --quick run leaves the scale benchmark out; --only scale runs it alone."""
    assert "scale" not in [b.name for b in selected_benchmarks(None)]
    assert ["scale"] == [b.name for b in selected_benchmarks(["scale"])]
    assert ["lookup", "scale"] == [b.name for b in selected_benchmarks(["scale", "lookup"])]


def test_the_scale_benchmark_states_its_set_up_and_measures_against_the_floor(
    tmp_path: Path,
) -> None:
    """`--only scale` at a small size: a set-up row noting time and disk, lookups on
    PostgreSQL with custmodel, the floor and the raw driver agreeing."""
    ctx = Context(Sizes(), tmp_path, postgres=True, verbose=False)
    _server_needed(ctx)
    ctx.close()
    out = tmp_path / "out"
    status = main(
        [
            *("--quick", "--only", "scale", "--size", "scale_customers=2000", "--quiet"),
            *("--out", str(out)),
        ]
    )
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    setup, *measured = results["rows"]
    assert (0, "PostgreSQL") == (status, setup["backend"])
    assert "set up in" in setup["note"]
    assert "custmodel_bookings" in setup["note"]
    lookup = next(row for row in measured if row["operation"].startswith("find_by_code1"))
    assert all(lookup[side] for side in ("custmodel_seconds", "floor_seconds", "raw_seconds"))


def test_quick_lookup_growth_is_per_lookup_and_selection_and_statistics_per_run(
    tmp_path: Path,
) -> None:
    """The growth series: per lookup over the store's customers (exponent near 0), the broad
    selection over the customers selected, statistics over the bookings counted."""
    status = main(
        [
            *("--quick", "--only", "lookup", "--only", "selection", "--only", "statistics"),
            *("--no-postgres", "--quiet", "--out", str(tmp_path)),
        ]
    )
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    series = {growth["operation"]: growth for growth in results["growth"]}
    lookup = series["find_by_code1"]
    assert (0, "lookup", 0.1) == (status, lookup["per"], lookup["max_exponent"])
    assert lookup["seconds"][-1] < 0.05  # seconds per lookup, not per run
    for name in (
        "select kind private + flag 1",
        "statistics: private customers by category",
        "statistics: by travel type, 2025",
    ):
        assert (series[name]["per"], series[name]["max_exponent"]) == ("", 1.05)
        assert series[name]["sizes"] == sorted(series[name]["sizes"])
    assert (tmp_path / "growth.png").stat().st_size > 0


def test_the_plot_gives_per_operation_series_a_panel_of_their_own(tmp_path: Path) -> None:
    """A series of microseconds per lookup and one of seconds per run are both drawn."""
    from matplotlib import pyplot

    drawn: list[int] = []
    original = pyplot.subplots

    def spy(*args: Any, **kwargs: Any) -> Any:
        figure, axes = original(*args, **kwargs)
        drawn.append(axes.size)
        return figure, axes

    series = [
        Growth("merge", "bookings moved", (10, 100), (0.01, 0.1)),
        Growth("find_by_code1", "customers", (100, 10_000), (1e-4, 1.1e-4), per="lookup"),
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pyplot, "subplots", spy)
        plot_growth(series, tmp_path / "growth.png")
        plot_growth(series[:1], tmp_path / "one.png")
    assert drawn == [2, 1]
    assert (tmp_path / "growth.png").stat().st_size > 0
