"""Open a store from a URL, or from the environment variable ``CUSTMODEL_DATABASE_URL``.

``memory://`` (or no URL at all) gives a :class:`~custmodel.storage.memory.MemoryStore`; the
SQL schemes give a :class:`~custmodel.storage.sql.SqlStore`, imported only then, so that an
installation without the ``sql`` extra never imports SQLAlchemy.
"""

from __future__ import annotations

import os
from typing import Any, Final

from custmodel.errors import InvalidInputError, MissingExtraError
from custmodel.storage.memory import MemoryStore
from custmodel.storage.ports import CustomerStore

__all__ = ["DATABASE_URL_VARIABLE", "open_store"]

#: The environment variable :func:`open_store` reads when it is given no URL.
DATABASE_URL_VARIABLE: Final = "CUSTMODEL_DATABASE_URL"

_SQL_SCHEMES: Final = frozenset({"sqlite", "postgresql", "postgres", "mysql", "mariadb"})
#: The keyword options of ``SqlStore.from_url`` (listed here: the factory imports no SQL).
_SQL_OPTIONS: Final = frozenset(
    {
        "upgrade",
        "pool_size",
        "max_overflow",
        "pool_timeout",
        "pool_recycle",
        "pool_pre_ping",
        "echo",
        "engine_options",
    }
)


def open_store(url: str | None = None, **sql_options: Any) -> CustomerStore:
    """Return the store ``url`` names.

    Args:
        url: ``memory://``, ``sqlite:///path/to/file.sqlite``, ``sqlite://`` (in memory),
            ``postgresql://...``, ``mysql://...`` or ``mariadb://...``, with an optional
            ``+driver`` after the scheme. None reads ``CUSTMODEL_DATABASE_URL`` and falls back
            to a new memory store when that is unset or empty.
        **sql_options: Keyword options of :meth:`~custmodel.storage.sql.SqlStore.from_url`
            (``pool_size=10``, ``engine_options=...``) for a SQL store.

    Returns:
        The store; a SQL store's schema is upgraded to the newest revision.

    Raises:
        InvalidInputError: for a URL whose scheme no store understands, an option
            ``SqlStore.from_url`` does not take, or any option for the memory store.
        MissingExtraError: for a SQL URL when SQLAlchemy or the database's driver is not
            installed; the message names the extra (``custmodel[sql]``...).
        StoreError: when the database cannot be opened.
    """
    unknown = sorted(set(sql_options) - _SQL_OPTIONS)
    if unknown:
        raise InvalidInputError(f"open_store takes no option {', '.join(unknown)}")
    if url is None:
        url = os.environ.get(DATABASE_URL_VARIABLE, "").strip()
        if not url:
            return _memory_store(sql_options)
    scheme, separator, _ = url.partition("://")
    # Only the scheme goes into messages: the rest of a URL may hold a password.
    backend = scheme.partition("+")[0].lower()
    if not separator:
        raise InvalidInputError(
            f"not a store URL (expected scheme://...); check {DATABASE_URL_VARIABLE}"
        )
    if backend == "memory":
        return _memory_store(sql_options)
    if backend not in _SQL_SCHEMES:
        raise InvalidInputError(
            f"unknown store scheme {scheme!r} in {DATABASE_URL_VARIABLE} or the URL given: "
            "use memory://, sqlite://, postgresql://, mysql:// or mariadb://"
        )
    try:
        from custmodel.storage.sql import SqlStore
    except ImportError as error:
        if (error.name or "").partition(".")[0] not in ("sqlalchemy", "alembic"):
            raise
        raise MissingExtraError("sql", f"a {backend} store") from error
    return SqlStore.from_url(url, **sql_options)


def _memory_store(sql_options: dict[str, Any]) -> MemoryStore:
    """A new memory store; refuses the SQL store's options, which do not apply to it."""
    if sql_options:
        raise InvalidInputError(
            f"{', '.join(sorted(sql_options))}: options of a SQL store, not of the memory store"
        )
    return MemoryStore()
