"""Alembic environment for custmodel's migrations, configured from code, not from alembic.ini.

:meth:`custmodel.storage.sql.SqlStore.upgrade` hands its connection in through
``config.attributes["connection"]``. Offline mode (``--sql``) renders a script for
``sqlalchemy.url``, for administrators who apply DDL by hand.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from custmodel.storage.sql._schema import VERSION_TABLE, metadata


def _is_custmodel(name: str | None, type_: str, _parent_names: object) -> bool:
    """Look only at custmodel's tables, never at the host application's beside them."""
    return type_ != "table" or (name or "").startswith("custmodel_")


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        include_name=_is_custmodel,
        # SQLite alters a table by copying it; batch mode does that for later migrations.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_online() -> None:
    """Migrate through the connection the caller passed in."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "custmodel migrations run through SqlStore.upgrade(), which passes a connection"
        )
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    """Render the migration as SQL text for ``sqlalchemy.url``'s dialect."""
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
