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

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "custmodel_kind_settings"
_COLUMN = "retention"


def upgrade() -> None:
    """Add the retention column; every stored kind keeps no rules."""
    op.add_column(_TABLE, sa.Column(_COLUMN, sa.String(255), nullable=False, server_default="[]"))


def downgrade() -> None:
    """Drop the retention column, and with it every kind's retention rules."""
    if op.get_bind().dialect.name == "sqlite":
        # SQLite (3.35 and later) drops a column in place, as in revision 0005.
        op.execute(sa.text(f"ALTER TABLE {_TABLE} DROP COLUMN {_COLUMN}"))
    else:
        op.drop_column(_TABLE, _COLUMN)
