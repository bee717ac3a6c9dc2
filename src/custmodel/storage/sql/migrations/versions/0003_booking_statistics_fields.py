"""Add the statistics fields of bookings: revenue, travel type, destination; index departures.

Revision ID: 0003
Revises: 0002
Create Date: 2025-03-01

Written by hand to equal ``custmodel.storage.sql._schema.metadata``; a test compares the two.
The new columns are nullable, so bookings stored before read back with unknown revenue, travel
type and destination. The tables were created with the utf8mb4_nopad_bin collation on MariaDB,
which the new text columns inherit.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"

_TABLE = "custmodel_bookings"
_INDEX = "ix_custmodel_bookings_departure"


def upgrade() -> None:
    """Add the three nullable columns and the index on the departure date."""
    op.add_column(_TABLE, sa.Column("revenue_cents", sa.BigInteger(), nullable=True))
    op.add_column(_TABLE, sa.Column("travel_type", sa.String(100), nullable=True))
    op.add_column(_TABLE, sa.Column("destination", sa.String(100), nullable=True))
    op.create_index(_INDEX, _TABLE, ["departure"])


def downgrade() -> None:
    """Drop the index and the three columns; the revenue, travel types and destinations go."""
    op.drop_index(_INDEX, table_name=_TABLE)
    # SQLite drops columns by copying the table; batch mode does that, elsewhere it alters.
    with op.batch_alter_table(_TABLE) as batch:
        batch.drop_column("destination")
        batch.drop_column("travel_type")
        batch.drop_column("revenue_cents")
