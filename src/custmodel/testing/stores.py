"""The stores the pytest plugin hands out: each new and empty, each removed again afterwards.

The plugin imports this module only when a test asks for a store, so that a test run without
the fixtures imports nothing of custmodel's storage; SQLAlchemy is imported only for server
URLs. Import :class:`StoreFactory` from here to annotate the ``custmodel_store_factory``
fixture.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Final

from custmodel.storage.factory import open_store
from custmodel.storage.memory import MemoryStore

if TYPE_CHECKING:
    from custmodel.storage.ports import CustomerStore
    from custmodel.storage.sql._scratch import ScratchServer

__all__ = ["NAME_PREFIX", "StoreFactory", "server_kind"]

#: Every schema (PostgreSQL) or database (MariaDB, MySQL) the fixtures create starts so; a
#: test process that was killed leaves its ones behind, to be found by this prefix.
NAME_PREFIX: Final = "custmodel_t_"
_TMP_PATH: Final = "{tmp_path}"
_SERVERS: Final = {
    "postgresql": "schema",
    "postgres": "schema",
    "mysql": "database",
    "mariadb": "database",
}


def server_kind(url: str) -> str | None:
    """Return what each store gets on the server ``url`` names ("schema" or "database").

    None for URLs that are no server's (``memory://``, ``sqlite://`` ...).
    """
    scheme = url.partition("://")[0].partition("+")[0].lower()
    return _SERVERS.get(scheme)


class _Made:
    """A store the factory made, and how to remove it."""

    def __init__(
        self, store: CustomerStore, server: ScratchServer | None = None, name: str | None = None
    ) -> None:
        self.store = store
        self._server = server
        self._name = name
        self._removed = False

    def remove(self) -> None:
        """Close the store, then drop its schema or database, also when closing failed."""
        if self._removed:
            return
        self._removed = True
        try:
            self.store.close()
        finally:
            if self._server is not None and self._name is not None:
                self._server.drop(self._name)


class StoreFactory:
    """Makes new, empty stores of the configured kind, and removes each again.

    The value of the ``custmodel_store_factory`` fixture. Calling it returns a new store that
    is closed, and its schema or database dropped, at the end of the current test;
    :meth:`fresh` gives one that is removed at the end of a ``with`` block, as a hypothesis
    example wants.

    What a store is depends on the URL the plugin is configured with: a
    :class:`~custmodel.storage.memory.MemoryStore` without one; on PostgreSQL a store in a new
    schema ``custmodel_t_<random>``, on MariaDB and MySQL in a new database of that name;
    ``{tmp_path}`` in an SQLite URL becomes a new temporary directory per store.
    """

    def __init__(self, url: str | None, directories: Callable[[], Path] | None = None) -> None:
        """Make stores for ``url`` (None: memory stores).

        Args:
            url: The store URL, as for the plugin's ``--custmodel-store``.
            directories: Returns a new directory for each ``{tmp_path}`` in an SQLite URL;
                by default a new temporary directory (the plugin passes pytest's).
        """
        self._url = url
        self._directories = directories or _temporary_directory
        self._server: ScratchServer | None = None
        self._outliving: list[_Made] = []
        self._of_the_test: list[_Made] | None = None

    @property
    def url(self) -> str | None:
        """The configured store URL, as given (with ``{tmp_path}``); None for memory stores."""
        return self._url

    def __call__(self) -> CustomerStore:
        """Return a new, empty store, closed and removed at the end of the current test.

        Made outside a test (by a fixture of a wider scope), it lives until the test run ends
        (until :meth:`close`, outside pytest).
        """
        made = self._make(None)
        (self._outliving if self._of_the_test is None else self._of_the_test).append(made)
        return made.store

    def fresh(self) -> AbstractContextManager[CustomerStore]:
        """Return a context manager that yields a new, empty store, and closes and removes it
        when the block ends, however it ends."""
        return self._fresh(None)

    @contextmanager
    def _fresh(self, directory: Path | None) -> Iterator[CustomerStore]:
        """:meth:`fresh`; ``{tmp_path}`` becomes ``directory``, or else a new directory."""
        made = self._make(directory)
        try:
            yield made.store
        finally:
            made.remove()

    def _make(self, directory: Path | None) -> _Made:
        """Make a new store; ``{tmp_path}`` becomes ``directory``, or else a new directory."""
        url = self._url
        if url is None:
            return _Made(MemoryStore())
        if server_kind(url) is None:
            if _TMP_PATH in url:
                where = directory if directory is not None else self._directories()
                url = url.replace(_TMP_PATH, where.as_posix())
            return _Made(open_store(url))
        if self._server is None:
            from custmodel.storage.sql._scratch import ScratchServer

            self._server = ScratchServer(url, prefix=NAME_PREFIX)
        name, server_url = self._server.create()
        try:
            store = open_store(server_url)
        except BaseException:
            self._server.drop(name)
            raise
        return _Made(store, self._server, name)

    @contextmanager
    def _test(self) -> Iterator[None]:
        """Collect the stores made during a test, and remove them when it ends."""
        made: list[_Made] = []
        self._of_the_test = made
        try:
            yield
        finally:
            self._of_the_test = None
            _remove_all(made)

    def close(self) -> None:
        """Remove the stores calls made outside a test; release the server's connections.

        The plugin calls it when the test run ends. Stores made by :meth:`fresh` are gone
        already.
        """
        try:
            _remove_all(self._outliving)
        finally:
            if self._server is not None:
                self._server.close()


def _temporary_directory() -> Path:
    """A new temporary directory (outside pytest, which gives its own)."""
    return Path(tempfile.mkdtemp(prefix="custmodel_"))


def _remove_all(made: list[_Made]) -> None:
    """Remove every store of ``made``, newest first; raise the first failure at the end."""
    failure: BaseException | None = None
    for one in reversed(made):
        try:
            one.remove()
        except BaseException as error:  # the others are removed all the same
            failure = failure or error
    made.clear()
    if failure is not None:
        raise failure
