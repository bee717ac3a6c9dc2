"""Add the merge audit and the erasure requests, with the counters for their running ids.

Revision ID: 0002
Revises: 0001
Create Date: 2025-02-01

Written by hand to equal ``custmodel.storage.sql._schema.metadata``; a test compares the two.
Like 0001 it spells its types out instead of importing the metadata.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from custmodel.storage.sql.migrations import _support

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"

_MYSQL = _support.MYSQL_TABLE_OPTIONS

_COUNTERS = ("merge_record", "erasure_request")


def _counters() -> sa.TableClause:
    return sa.table("custmodel_counters", sa.column("name", sa.String), sa.column("value"))


def upgrade() -> None:
    """Create the merge audit and erasure request tables; their id counters start at 0."""
    op.create_table(
        "custmodel_merges",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("merged_at", _support.UTC_DATETIME, nullable=False),
        sa.Column("master", sa.BigInteger(), nullable=False),
        sa.Column("duplicates", sa.Text(), nullable=False),
        sa.Column("bookings_moved", sa.BigInteger(), nullable=False),
        sa.Column("references_moved", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_custmodel_merges"),
        _support.customer_reference("custmodel_merges", "master"),
        **_MYSQL,
    )
    op.create_index("ix_custmodel_merges_master", "custmodel_merges", ["master"])

    op.create_table(
        "custmodel_merge_duplicates",
        sa.Column("merge_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("customer", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("merge_id", "customer", name="pk_custmodel_merge_duplicates"),
        sa.ForeignKeyConstraint(
            ["merge_id"], ["custmodel_merges.id"], name="fk_custmodel_merge_duplicates_merge_id"
        ),
        _support.customer_reference("custmodel_merge_duplicates", "customer"),
        **_MYSQL,
    )
    op.create_index(
        "ix_custmodel_merge_duplicates_customer", "custmodel_merge_duplicates", ["customer"]
    )

    op.create_table(
        "custmodel_erasure_requests",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("customer", sa.BigInteger(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", _support.UTC_DATETIME, nullable=False),
        sa.Column("completed_at", _support.UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_custmodel_erasure_requests"),
        _support.customer_reference("custmodel_erasure_requests", "customer"),
        **_MYSQL,
    )
    op.create_index(
        "ix_custmodel_erasure_requests_customer", "custmodel_erasure_requests", ["customer"]
    )
    op.create_index(
        "ix_custmodel_erasure_requests_open",
        "custmodel_erasure_requests",
        ["completed_at", "customer"],
    )

    op.bulk_insert(_counters(), [{"name": name, "value": 0} for name in _COUNTERS])


def downgrade() -> None:
    """Drop the merge audit and the erasure requests; their records are gone afterwards."""
    op.execute(sa.delete(_counters()).where(sa.column("name").in_(_COUNTERS)))
    op.drop_table("custmodel_erasure_requests")
    op.drop_table("custmodel_merge_duplicates")
    op.drop_table("custmodel_merges")
