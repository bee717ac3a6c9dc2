"""pytest plugin: fixtures for tests of applications that keep their customers in custmodel.

Installed with ``custmodel[testing]``, it is active in every pytest run (through the ``pytest11``
entry point); nothing needs to be imported or listed in ``conftest.py``:

* ``custmodel_store``: a new, empty store for each test, closed after it. A
  :class:`~custmodel.storage.memory.MemoryStore` unless a store URL is given, by the command
  line option ``--custmodel-store=URL`` or else the environment variable
  ``CUSTMODEL_TEST_STORE_URL``; the URL goes to :func:`custmodel.storage.factory.open_store`.
  The store must be empty for every test: use ``sqlite://`` (a new in-memory database each
  time) or put ``{tmp_path}`` into the URL (``sqlite:///{tmp_path}/customers.sqlite``), which
  becomes the test's own temporary directory.
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

__all__ = [
    "STORE_URL_VARIABLE",
    "custmodel_book",
    "custmodel_settings",
    "custmodel_store",
    "pytest_addoption",
    "pytest_report_header",
]

#: The environment variable naming the store URL when ``--custmodel-store`` is not given.
STORE_URL_VARIABLE: Final = "CUSTMODEL_TEST_STORE_URL"
_OPTION: Final = "custmodel_store"
_TMP_PATH: Final = "{tmp_path}"


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
    return f"custmodel_store: {url.partition('://')[0]} store (from {source})"


@pytest.fixture
def custmodel_store(request: pytest.FixtureRequest) -> Iterator[CustomerStore]:
    """A new, empty customer store for this test, closed after it (see the module docstring)."""
    url, _source = _store_url(request.config)
    if url is None:
        from custmodel.storage.memory import MemoryStore

        store: CustomerStore = MemoryStore()
    else:
        from custmodel.storage.factory import open_store

        if _TMP_PATH in url:
            tmp_path = request.getfixturevalue("tmp_path")
            url = url.replace(_TMP_PATH, tmp_path.as_posix())
        store = open_store(url)
    try:
        yield store
    finally:
        store.close()


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
