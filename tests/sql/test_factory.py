"""open_store picks the store a URL or CUSTMODEL_DATABASE_URL names."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from custmodel.errors import InvalidInputError, MissingExtraError
from custmodel.storage.factory import open_store
from custmodel.storage.memory import MemoryStore
from custmodel.storage.sql import SqlStore

VARIABLE = "CUSTMODEL_DATABASE_URL"


def test_no_url_and_no_variable_is_a_memory_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a URL and without the variable, open_store returns a new memory store."""
    monkeypatch.delenv(VARIABLE, raising=False)

    assert MemoryStore is type(open_store())


def test_memory_scheme_is_a_memory_store() -> None:
    """memory:// names the in-memory store."""
    assert MemoryStore is type(open_store("memory://"))


def test_variable_names_a_sqlite_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """CUSTMODEL_DATABASE_URL=sqlite:///file opens that file, migrated to head."""
    path = tmp_path / "book.sqlite"
    monkeypatch.setenv(VARIABLE, f"sqlite:///{path}")

    store = open_store()
    try:
        with store.transaction() as tx:
            assert 1 == tx.allocate_numbers()
    finally:
        store.close()
    assert SqlStore is type(store)
    assert path.exists()


def test_unknown_scheme_names_scheme_and_variable() -> None:
    """An unknown scheme is InvalidInputError naming it and CUSTMODEL_DATABASE_URL."""
    with pytest.raises(InvalidInputError) as raised:
        open_store("oracle://scott:tiger@db/orcl")

    message = str(raised.value)
    assert "'oracle'" in message
    assert VARIABLE in message
    assert "tiger" not in message


def test_sql_url_without_sqlalchemy_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """A SQL URL on an installation without SQLAlchemy asks for custmodel[sql]."""
    for module in [m for m in sys.modules if m.startswith("custmodel.storage.sql")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setitem(sys.modules, "sqlalchemy", None)

    with pytest.raises(MissingExtraError, match=r"custmodel\[sql\]"):
        open_store("sqlite://")


def test_a_malformed_url_is_refused_without_its_password_in_the_chain() -> None:
    """A URL the parser refuses gives InvalidInputError with no chained parser error, whose
    message would quote the URL and its password."""
    with pytest.raises(InvalidInputError) as info:
        SqlStore.from_url("postgresql://user:Geheim123@host:notaport/db")

    chained = (
        info.value.__cause__,
        info.value.__context__ if not info.value.__suppress_context__ else None,
    )
    assert (None, None) == chained
