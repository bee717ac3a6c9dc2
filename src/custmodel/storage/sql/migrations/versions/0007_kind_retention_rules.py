"""Add the retention rules of each kind to its settings row.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

Written by hand to equal ``custmodel.storage.sql._schema.metadata``; a test compares the two.
The rules are JSON text (``custmodel.storage.sql._rows.retention_to_text``); the server
default, no rules, is what every kind had before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from custmodel.storage.sql.migrations import _support

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"

_TABLE = "custmodel_kind_settings"


def upgrade() -> None:
    """Add the retention column; every stored kind keeps no rules."""
    column = sa.Column("retention", sa.String(255), nullable=False, server_default="[]")
    op.add_column(_TABLE, column)


def downgrade() -> None:
    """Drop the retention column, and with it every kind's retention rules."""
    _support.drop_column_in_place(_TABLE, "retention")
