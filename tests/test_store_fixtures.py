"""The pytest plugin's stores on every engine: new and empty per test and per hypothesis example,
each in a schema or database of its own on the servers, dropped afterwards, also after failures.

The plugin is run as an application's test run gets it, by pytester (the entry point loads it);
tests/test_testing_kit.py runs it in a new interpreter as well.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

# pytester runs the application's tests in this process and forgets the modules they import
# afterwards; SQLAlchemy's dialects must not be imported twice, so they are imported here.
import sqlalchemy.dialects.mysql
import sqlalchemy.dialects.postgresql

from custmodel.errors import InvalidInputError
from custmodel.storage.sql._scratch import ScratchServer
from custmodel.testing.stores import NAME_PREFIX
from tests.servers import server_url

pytest_plugins = ["pytester"]

_NAME = re.compile(rf"{NAME_PREFIX}[0-9a-f]{{16}}")

_TESTS = """
import os
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from custmodel import CustomerBook, CustomerKind
from custmodel.errors import StoreError

NOTES = Path(os.environ["STORE_NOTES"])


def note(test, store):
    where = store.engine.url.render_as_string() if hasattr(store, "engine") else repr(store)
    with NOTES.open("a", encoding="utf-8") as notes:
        notes.write(f"{test} {where}\\n")


def fill(store, count=1):
    book = CustomerBook(store)
    assert 0 == book.count()
    for _ in range(count):
        book.register(CustomerKind.PRIVATE, "Weber")
    assert count == book.count()


def test_one_sees_an_empty_store(custmodel_store):
    note("one", custmodel_store)
    fill(custmodel_store)


def test_two_sees_an_empty_store_too(custmodel_book):
    note("two", custmodel_book.store)
    fill(custmodel_book.store)


def test_that_fails(custmodel_store):
    note("fails", custmodel_store)
    fill(custmodel_store)
    raise AssertionError("fails on purpose")


@settings(max_examples=2, deadline=None, database=None)
@given(st.integers(1, 3))
def test_fresh_gives_each_example_its_own_store(custmodel_store_factory, count):
    with custmodel_store_factory.fresh() as store:
        note("fresh", store)
        fill(store, count)
    with pytest.raises(StoreError):
        CustomerBook(store).count()          # closed at the end of the block


@settings(max_examples=2, deadline=None, database=None)
@given(st.integers(1, 3))
def test_calls_give_each_example_its_own_store(custmodel_store_factory, count):
    store = custmodel_store_factory()
    note("call", store)
    fill(store, count)
"""


def _existing(server: str, names: set[str]) -> set[str]:
    """Those of ``names`` that exist as schemas or databases on ``server``."""
    engine = sa.create_engine(server, poolclass=sa.NullPool)
    query = sa.text("SELECT schema_name FROM information_schema.schemata")
    try:
        with engine.connect() as connection:
            return {row[0] for row in connection.execute(query)} & names
    finally:
        engine.dispose()


def _run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, url: str, *args: str
) -> tuple[pytest.RunResult, list[str]]:
    """Run the application's tests on ``url``; return the outcome and the stores they noted."""
    notes = pytester.path / "notes.txt"
    pytester.makepyfile(test_application=_TESTS)
    monkeypatch.setenv("CUSTMODEL_TEST_STORE_URL", url)
    monkeypatch.setenv("STORE_NOTES", str(notes))
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly", *args)
    return result, notes.read_text(encoding="utf-8").splitlines()


def test_each_test_and_example_gets_a_new_sqlite_store(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With {tmp_path} in an SQLite URL, every test and every example has a file of its own."""
    result, notes = _run(pytester, monkeypatch, "sqlite:///{tmp_path}/customers.sqlite")

    result.assert_outcomes(passed=4, failed=1)
    assert len(notes) == len(set(notes)) >= 5
    assert {"one", "two", "fails", "fresh", "call"} == {line.split()[0] for line in notes}


@pytest.mark.server
@pytest.mark.parametrize(
    ("engine", "args"),
    [("postgresql", ("-n", "2")), ("mariadb", ())],
    ids=["postgresql", "mariadb"],
)
def test_each_test_and_example_gets_its_own_server_store_dropped_after(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, engine: str, args: tuple[str, ...]
) -> None:
    """On a server every test and example works in a new schema or database, and none is left
    after the run: not of the failed test, not of the examples; also under xdist."""
    server = server_url(engine)

    result, notes = _run(pytester, monkeypatch, server, *args)

    result.assert_outcomes(passed=4, failed=1)
    names = [found for line in notes for found in _NAME.findall(line)]
    assert len(names) == len(notes) == len(set(names)) >= 5
    assert {"one", "two", "fails", "fresh", "call"} == {line.split()[0] for line in notes}
    assert set() == _existing(server, set(names))


@pytest.mark.server
def test_the_header_says_a_new_schema_per_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report header names the store's scheme and that each test gets its own schema."""
    server = server_url("postgresql")
    pytester.makepyfile("def test_nothing():\n    pass\n")
    monkeypatch.setenv("CUSTMODEL_TEST_STORE_URL", server)

    result = pytester.runpytest("-p", "no:cacheprovider")

    scheme = server.partition("://")[0]
    expected = f"custmodel_store: {scheme} store (from CUSTMODEL_TEST_STORE_URL), a new schema"
    result.stdout.fnmatch_lines([f"{expected} per test"])


@pytest.mark.server
def test_a_scratch_schema_keeps_the_urls_options(tmp_path: Path) -> None:
    """Options the URL gives (a statement timeout) still reach the store's connections."""
    base = sa.make_url(server_url("postgresql"))
    server = ScratchServer(
        base.update_query_dict({"options": "-cstatement_timeout=4321"}).render_as_string(False),
        prefix=NAME_PREFIX,
    )
    name, url = server.create()
    try:
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        with engine.connect() as connection:
            shown = connection.execute(sa.text("SHOW statement_timeout")).scalar_one()
            schema = connection.execute(sa.text("SELECT current_schema()")).scalar_one()
        engine.dispose()
    finally:
        server.drop(name)
        server.close()

    assert ("4321ms", name) == (shown, schema)


def test_a_scratch_space_needs_a_server() -> None:
    """SQLite has no schemas of its own to make: refused with a typed error."""
    with pytest.raises(InvalidInputError, match="sqlite"):
        ScratchServer("sqlite://", prefix=NAME_PREFIX)
