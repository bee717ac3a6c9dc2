"""Scratch schemas and databases: a new, uniquely named one per store, dropped afterwards.

What the testing kit's fixtures give every test on PostgreSQL (a schema, selected through the
URL's ``search_path``) and on MariaDB or MySQL (a database), as ``docs/postgresql.md``
describes for a store of its own.
"""

from __future__ import annotations

import uuid
from typing import Final

from sqlalchemy import NullPool, create_engine, text

from custmodel.errors import InvalidInputError, MissingExtraError
from custmodel.storage.sql._engine import _normalize_url
from custmodel.storage.sql._errors import _translating

__all__ = ["ScratchServer"]

#: How long dropping waits for a lock that a connection left open holds, in seconds.
_DROP_PATIENCE: Final = 30


class ScratchServer:
    """A PostgreSQL or MariaDB server on which each store gets a schema or database of its own.

    Example (needs a server)::

        server = ScratchServer("postgresql://postgres@localhost/test", prefix="t_")
        name, url = server.create()  # SqlStore.from_url(url) works in schema ``name``
        server.drop(name)
        server.close()
    """

    def __init__(self, url: str, *, prefix: str) -> None:
        """Administer scratch spaces on the server ``url`` names, each named ``prefix<random>``.

        Raises:
            InvalidInputError: for a URL that names no PostgreSQL, MariaDB or MySQL server.
            MissingExtraError: if the database's driver is not installed.
        """
        self._base, extra = _normalize_url(url)
        backend = self._base.get_backend_name()
        if backend not in ("postgresql", "mysql", "mariadb"):
            raise InvalidInputError(f"no schema or database of its own on {backend}")
        self._postgres = backend == "postgresql"
        self._prefix = prefix
        try:
            # Each use is short and rare: no connections kept open between them.
            self._admin = create_engine(self._base, poolclass=NullPool, hide_parameters=True)
        except ImportError as error:
            raise MissingExtraError(extra, f"a {backend} store") from error

    @property
    def kind(self) -> str:
        """What each store gets: "schema" (PostgreSQL) or "database" (MariaDB, MySQL)."""
        return "schema" if self._postgres else "database"

    def create(self) -> tuple[str, str]:
        """Create a new, uniquely named schema or database; return its name and its store URL.

        Raises:
            StoreError: if the server cannot be reached or refuses.
        """
        # Random, not numbered: parallel test processes on one server never collide.
        name = f"{self._prefix}{uuid.uuid4().hex[:16]}"
        statement = (
            f'CREATE SCHEMA "{name}"'
            if self._postgres
            else f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"
        )
        with _translating(f"create the {self.kind} of a store"), self._admin.begin() as db:
            db.execute(text(statement))
        if self._postgres:
            # Keep the options the URL gives (a statement timeout ...); the last search_path wins.
            given = self._base.query.get("options", "")
            options = given if isinstance(given, str) else " ".join(given)
            url = self._base.update_query_dict(
                {"options": f"{options} -csearch_path={name}".strip()}
            )
        else:
            url = self._base.set(database=name)
        return name, url.render_as_string(hide_password=False)

    def drop(self, name: str) -> None:
        """Drop the schema ``name`` with everything in it, or the database ``name``.

        Raises:
            StoreError: if the server cannot be reached or a lock kept the drop waiting.
        """
        if self._postgres:
            wait = f"SET LOCAL lock_timeout = '{_DROP_PATIENCE}s'"
            statement = f'DROP SCHEMA IF EXISTS "{name}" CASCADE'
        else:
            wait = f"SET SESSION lock_wait_timeout = {_DROP_PATIENCE}"
            statement = f"DROP DATABASE IF EXISTS `{name}`"
        with _translating(f"drop the {self.kind} {name}"), self._admin.begin() as db:
            # A connection left open in a transaction would otherwise hold the drop forever.
            db.execute(text(wait))
            db.execute(text(statement))

    def close(self) -> None:
        """Release the administration engine."""
        self._admin.dispose()
