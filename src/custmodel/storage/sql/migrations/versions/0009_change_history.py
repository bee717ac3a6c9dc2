"""Add the change history.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

Written by hand to equal ``custmodel.storage.sql._schema.metadata``; a test compares the two.
One row per entry: when, what, whose (the customer changed, and the owner of the history it
belongs to: the customer, or the master it was merged into), by whom, the field names and the
values that are not personal (``details``), and the personal values apart (``personal``), so
that anonymization removes them with one statement. A store migrated to this revision has no
entries for what happened before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from custmodel.storage.sql.migrations._support import MYSQL_TABLE_OPTIONS

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "custmodel_history"


def _utc() -> sa.types.TypeEngine[datetime]:
    return sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def _json() -> sa.types.TypeEngine[str]:
    return sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    """Create the history, indexed by owner."""
    op.create_table(
        _TABLE,
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("customer", sa.BigInteger(), nullable=True),
        sa.Column("owner", sa.BigInteger(), nullable=True),
        sa.Column("actor", sa.String(100), nullable=True),
        sa.Column("operation", sa.BigInteger(), nullable=True),
        sa.Column("count", sa.BigInteger(), nullable=True),
        sa.Column("flag", sa.SmallInteger(), nullable=True),
        sa.Column("reference", sa.String(191), nullable=True),
        sa.Column("related", sa.Text(), nullable=False),
        sa.Column("details", _json(), nullable=False),
        sa.Column("personal", _json(), nullable=True),
        sa.Column("erased_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_custmodel_history"),
        **MYSQL_TABLE_OPTIONS,
    )
    op.create_index("ix_custmodel_history_owner", _TABLE, ["owner"])


def downgrade() -> None:
    """Drop the history; every entry is gone afterwards."""
    op.drop_table(_TABLE)
