"""Add the ledger of advertising objections and consents and the customers' current objections.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Written by hand to equal ``custmodel.storage.sql._schema.metadata``; a test compares the two.
An entry holds a customer number, a channel, a choice, two dates and a short source and note;
``custmodel_customers.advertising_objections`` holds the channels objected to now as bits
(letter 1, e-mail 2, phone 4, SMS 8): 0, no objection, for every stored customer.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from custmodel.storage.sql.migrations import _support

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"

_TABLE = "custmodel_marketing_choices"
_CUSTOMERS = "custmodel_customers"
_COLUMN = "advertising_objections"


def upgrade() -> None:
    """Create the ledger, indexed by customer, and the customers' objection bits (none)."""
    op.add_column(
        _CUSTOMERS, sa.Column(_COLUMN, sa.SmallInteger(), nullable=False, server_default="0")
    )
    op.create_table(
        _TABLE,
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("customer", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("choice", sa.String(16), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", _support.UTC_DATETIME, nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("note", sa.String(1000), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_custmodel_marketing_choices"),
        _support.customer_reference("custmodel_marketing_choices", "customer"),
        **_support.MYSQL_TABLE_OPTIONS,
    )
    op.create_index("ix_custmodel_marketing_choices_customer", _TABLE, ["customer"])


def downgrade() -> None:
    """Drop the ledger and the objection bits; every recorded choice is gone afterwards."""
    op.drop_table(_TABLE)
    _support.drop_column_in_place(_CUSTOMERS, _COLUMN)
