"""pytest plugin: fixtures for tests of applications that keep their customers in custmodel.

Installed with ``custmodel[testing]``, it is active in every pytest run (through the ``pytest11``
entry point); nothing needs to be imported or listed in ``conftest.py``:

* ``custmodel_store``: a new, empty store for each test, closed and removed after it. A
  :class:`~custmodel.storage.memory.MemoryStore` unless a store URL is given, by the command
  line option ``--custmodel-store=URL`` or else the environment variable
  ``CUSTMODEL_TEST_STORE_URL``; the URL goes to :func:`custmodel.storage.factory.open_store`.
  On PostgreSQL each test's store lives in a new schema ``custmodel_t_<random>``, on MariaDB
  and MySQL in a new database of that name, dropped after the test, also when it failed. On
  SQLite use ``sqlite://`` (a new in-memory database each time) or put ``{tmp_path}`` into the
  URL (``sqlite:///{tmp_path}/customers.sqlite``), which becomes the test's own temporary
  directory.
* ``custmodel_store_factory``: a :class:`~custmodel.testing.stores.StoreFactory` making such
  stores on demand, one per call, each removed at the end of the test, or at the end of a
  ``with custmodel_store_factory.fresh() as store:`` block: one store per hypothesis example.
  It is session-scoped, so hypothesis' ``function_scoped_fixture`` health check does not fire
  in ``@given`` tests that use it; the stores are removed per test all the same.
* ``custmodel_settings``: the settings ``custmodel_book`` is configured with; None (the
  store's, or the defaults) unless a ``conftest.py`` overrides the fixture.
* ``custmodel_book``: a :class:`~custmodel.CustomerBook` over ``custmodel_store``.

The module imports nothing of custmodel's storage until a fixture runs, so a test run that uses
none of the fixtures pays nothing for them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

import pytest

if TYPE_CHECKING:
    from custmodel.book import CustomerBook
    from custmodel.model import Settings
    from custmodel.storage.ports import CustomerStore
    from custmodel.testing.stores import StoreFactory

__all__ = [
    "STORE_URL_VARIABLE",
    "custmodel_book",
    "custmodel_settings",
    "custmodel_store",
    "custmodel_store_factory",
    "pytest_addoption",
    "pytest_report_header",
]

#: The environment variable naming the store URL when ``--custmodel-store`` is not given.
STORE_URL_VARIABLE: Final = "CUSTMODEL_TEST_STORE_URL"
_OPTION: Final = "custmodel_store"
_TMP_PATH: Final = "{tmp_path}"
_FACTORY: Final = pytest.StashKey["StoreFactory"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--custmodel-store=URL``."""
    group = parser.getgroup("custmodel")
    group.addoption(
        "--custmodel-store",
        dest=_OPTION,
        metavar="URL",
        default=None,
        help=(
            "store URL for the custmodel_store fixture (memory://, sqlite://, "
            "sqlite:///{tmp_path}/customers.sqlite, postgresql://...); "
            f"default: ${STORE_URL_VARIABLE}, else a memory store"
        ),
    )


def _store_url(config: pytest.Config) -> tuple[str | None, str]:
    """Return the configured store URL (None for the memory store) and where it came from."""
    option = config.getoption(_OPTION, default=None)
    if isinstance(option, str) and option.strip():
        return option.strip(), "--custmodel-store"
    variable = os.environ.get(STORE_URL_VARIABLE, "").strip()
    if variable:
        return variable, STORE_URL_VARIABLE
    return None, "default"


def pytest_report_header(config: pytest.Config) -> str | None:
    """Say which store custmodel_store opens, when it is not the memory store."""
    url, source = _store_url(config)
    if url is None:
        return None
    # Only the scheme: the rest of a URL may hold a password.
    header = f"custmodel_store: {url.partition('://')[0]} store (from {source})"
    from custmodel.testing.stores import server_kind

    own = server_kind(url)
    return header if own is None else f"{header}, a new {own} per test"


@pytest.fixture(scope="session")
def custmodel_store_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StoreFactory]:
    """Makes new, empty stores; each is removed at the end of its test (see the module docstring).

    Session-scoped on purpose: hypothesis refuses function-scoped fixtures in ``@given`` tests,
    since they are not reset between examples. The stores a test makes are still removed when
    that test ends (by ``_custmodel_stores_of_the_test``).
    """
    from custmodel.testing.stores import StoreFactory

    url, _source = _store_url(request.config)
    factory = StoreFactory(url, lambda: tmp_path_factory.mktemp("custmodel"))
    request.config.stash[_FACTORY] = factory
    try:
        yield factory
    finally:
        del request.config.stash[_FACTORY]
        factory.close()


@pytest.fixture(autouse=True)
def _custmodel_stores_of_the_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Remove the stores ``custmodel_store_factory`` made during the test, when it ends.

    Autouse, so that it is torn down after the test's own fixtures, which may still use them;
    it costs nothing in tests that never ask for the factory.
    """
    factory = request.config.stash.get(_FACTORY, None)
    if factory is None:
        yield
        return
    with factory._test():
        yield


@pytest.fixture
def custmodel_store(
    request: pytest.FixtureRequest, custmodel_store_factory: StoreFactory
) -> Iterator[CustomerStore]:
    """A new, empty customer store for this test, removed after it (see the module docstring)."""
    url = custmodel_store_factory.url
    directory = request.getfixturevalue("tmp_path") if url and _TMP_PATH in url else None
    with custmodel_store_factory._fresh(directory) as store:
        yield store


@pytest.fixture
def custmodel_settings() -> Settings | None:
    """The settings of ``custmodel_book``; override this fixture to configure your own."""
    return None


@pytest.fixture
def custmodel_book(
    custmodel_store: CustomerStore, custmodel_settings: Settings | None
) -> CustomerBook:
    """A customer book over ``custmodel_store``, configured with ``custmodel_settings``."""
    from custmodel.book import CustomerBook

    return CustomerBook(custmodel_store, custmodel_settings)
