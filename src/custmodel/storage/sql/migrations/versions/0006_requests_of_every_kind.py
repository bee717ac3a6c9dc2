"""Keep requests of every kind: custmodel_erasure_requests becomes custmodel_requests with a kind.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

Written by hand to equal ``custmodel.storage.sql._schema.metadata``; a test compares the two.
The table is renamed by copying it: the new table is created with the names its primary key,
foreign key and indexes carry under the naming convention, the rows are copied in one
``INSERT ... SELECT`` with the kind 'erasure' (the only kind there was), and the old table is
dropped. That is one way for SQLite, PostgreSQL and MariaDB alike (an ``ALTER TABLE ... RENAME``
would leave the constraints under the old table's names, and MariaDB cannot rename a foreign
key). The downgrade copies the erasure requests back; requests of the other kinds (access,
objection) did not exist before and are dropped with the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from custmodel.storage.sql.migrations import _support

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"

_OLD = "custmodel_erasure_requests"
_NEW = "custmodel_requests"
_COLUMNS = ("id", "customer", "received_on", "recorded_at", "completed_at")


def _create(name: str, *, with_kind: bool) -> None:
    kind = [sa.Column("kind", sa.String(20), nullable=False)] if with_kind else []
    op.create_table(
        name,
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("customer", sa.BigInteger(), nullable=False),
        *kind,
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", _support.UTC_DATETIME, nullable=False),
        sa.Column("completed_at", _support.UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
        _support.customer_reference(name, "customer"),
        **_support.MYSQL_TABLE_OPTIONS,
    )


def _copy(source: str, target: str, *, kind: str | None, only_kind: str | None) -> None:
    """Copy the rows of ``source`` into ``target`` in one statement."""
    columns: list[sa.ColumnClause[Any]] = [sa.column(c) for c in _COLUMNS]
    selected: list[sa.ColumnElement[Any]] = list(columns)
    names = list(_COLUMNS)
    if kind is not None:
        selected.append(sa.literal(kind, sa.String(20)).label("kind"))
        names.append("kind")
    source_table = sa.table(source, *columns, sa.column("kind"))
    query = sa.select(*selected).select_from(source_table)
    if only_kind is not None:
        query = query.where(source_table.c.kind == only_kind)
    target_table = sa.table(target, *(sa.column(n) for n in names))
    op.execute(sa.insert(target_table).from_select(names, query))


def upgrade() -> None:
    """Create custmodel_requests, copy the erasure requests into it, drop the old table."""
    _create(_NEW, with_kind=True)
    _copy(_OLD, _NEW, kind="erasure", only_kind=None)
    op.drop_table(_OLD)
    op.create_index("ix_custmodel_requests_customer", _NEW, ["customer", "kind", "completed_at"])
    op.create_index("ix_custmodel_requests_open", _NEW, ["kind", "completed_at", "customer"])


def downgrade() -> None:
    """Bring back custmodel_erasure_requests with the erasure requests; drop the others."""
    _create(_OLD, with_kind=False)
    _copy(_NEW, _OLD, kind=None, only_kind="erasure")
    op.drop_table(_NEW)
    op.create_index(f"ix_{_OLD}_customer", _OLD, ["customer"])
    op.create_index(f"ix_{_OLD}_open", _OLD, ["completed_at", "customer"])
