"""Pool and engine options of SqlStore.from_url and open_store reach the engine, or are refused."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from custmodel.errors import InvalidInputError
from custmodel.storage.factory import open_store
from custmodel.storage.sql import SqlStore

#: Pool options that differ from every default, given to from_url.
OPTIONS: dict[str, Any] = {
    "pool_size": 3,
    "max_overflow": 2,
    "pool_timeout": 4.5,
    "pool_recycle": 120,
    "pool_pre_ping": False,
}


def _pool_settings(store: SqlStore) -> dict[str, Any]:
    """The pool's settings as SQLAlchemy's QueuePool keeps them."""
    pool: Any = store.engine.pool
    return {
        "pool_size": pool.size(),
        "max_overflow": pool._max_overflow,
        "pool_timeout": pool._timeout,
        "pool_recycle": pool._recycle,
        "pool_pre_ping": pool._pre_ping,
    }


@pytest.mark.parametrize(
    "fixture", ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.server)]
)
def test_pool_options_reach_the_engine(request: pytest.FixtureRequest, fixture: str) -> None:
    """Every pool option given to from_url is the engine pool's, on a SQLite file and PostgreSQL."""
    url: str = request.getfixturevalue(fixture)
    store = SqlStore.from_url(url, echo=True, **OPTIONS)
    try:
        assert OPTIONS == _pool_settings(store)
        assert store.engine.echo is True
        with store.transaction() as tx:
            assert 1 == tx.allocate_numbers()
    finally:
        store.close()


@pytest.mark.server
def test_server_defaults_stay_where_no_option_is_given(postgres_url: str) -> None:
    """Without options a server store keeps pinging connections before use, as before."""
    store = SqlStore.from_url(postgres_url, pool_size=2)
    try:
        pool: Any = store.engine.pool  # a QueuePool, which has a size
        assert (2, True) == (pool.size(), _pool_settings(store)["pool_pre_ping"])
    finally:
        store.close()


def test_connect_args_are_added_to_custmodels(sqlite_url: str) -> None:
    """engine_options' connect_args reach the driver: a SQLite lock timeout of 7 seconds."""
    store = SqlStore.from_url(sqlite_url, engine_options={"connect_args": {"timeout": 7}})
    try:
        with store.engine.connect() as connection:
            waited = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        assert 7000 == waited
    finally:
        store.close()


@pytest.mark.parametrize("option", sorted(OPTIONS))
def test_pool_options_are_refused_for_a_database_in_memory(option: str) -> None:
    """A database in memory has one shared connection: a pool option is refused, named."""
    with pytest.raises(InvalidInputError, match=option):
        SqlStore.from_url("sqlite://", **{option: OPTIONS[option]})


@pytest.mark.parametrize(
    "options",
    [
        {"pool_size": -1},
        {"pool_size": 2.5},
        {"max_overflow": -2},
        {"max_overflow": True},
        {"pool_timeout": 0},
        {"pool_timeout": float("nan")},
        {"pool_recycle": -2},
        {"pool_pre_ping": 1},
        {"echo": "debug"},
        {"upgrade": None},
        {"engine_options": ["pool_size"]},
        {"engine_options": {"connect_args": 7}},
        {"engine_options": {"future_bogus": True}},
    ],
    ids=repr,
)
def test_malformed_options_are_refused(sqlite_url: str, options: dict[str, Any]) -> None:
    """A malformed option, or one create_engine does not know, raises InvalidInputError."""
    with pytest.raises(InvalidInputError):
        SqlStore.from_url(sqlite_url, **options)


@pytest.mark.parametrize(
    "name", ["poolclass", "isolation_level", "hide_parameters", "logging_name", "pool_size"]
)
def test_engine_options_custmodel_depends_on_are_refused(sqlite_url: str, name: str) -> None:
    """engine_options may not set what custmodel's guarantees (or its own keywords) rest on."""
    with pytest.raises(InvalidInputError, match=name):
        SqlStore.from_url(sqlite_url, engine_options={name: sa.NullPool})


def test_open_store_passes_the_options_on(sqlite_url: str) -> None:
    """open_store gives a SQL URL's store the pool options."""
    store = open_store(sqlite_url, pool_size=4)
    try:
        assert 4 == store.engine.pool.size()  # type: ignore[attr-defined]
    finally:
        store.close()


@pytest.mark.parametrize(
    ("url", "options"),
    [("memory://", {"pool_size": 4}), ("sqlite://", {"pool_sise": 4})],
)
def test_open_store_refuses_options_that_do_not_apply(url: str, options: dict[str, Any]) -> None:
    """Pool options for the memory store, or a misspelt option, are refused by name."""
    with pytest.raises(InvalidInputError, match=next(iter(options))):
        open_store(url, **options)
