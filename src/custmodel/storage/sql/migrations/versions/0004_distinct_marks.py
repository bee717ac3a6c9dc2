"""Add the "not a duplicate" marks: pairs of customers a person told apart.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

Written by hand to equal ``custmodel.storage.sql._schema.metadata``; a test compares the two.
A mark holds two customer numbers, when and (optionally) who: no personal data.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from custmodel.storage.sql.migrations import _support

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"

_MYSQL = _support.MYSQL_TABLE_OPTIONS

_TABLE = "custmodel_distinct_marks"


def upgrade() -> None:
    """Create the table of distinct marks, keyed by the pair, indexed by its higher number."""
    op.create_table(
        _TABLE,
        sa.Column("low", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("high", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("marked_at", _support.UTC_DATETIME, nullable=False),
        sa.Column("actor", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("low", "high", name="pk_custmodel_distinct_marks"),
        _support.customer_reference("custmodel_distinct_marks", "low"),
        _support.customer_reference("custmodel_distinct_marks", "high"),
        **_MYSQL,
    )
    op.create_index("ix_custmodel_distinct_marks_high", _TABLE, ["high"])


def downgrade() -> None:
    """Drop the distinct marks; every mark is gone afterwards."""
    op.drop_table(_TABLE)
