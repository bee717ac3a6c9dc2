"""Create custmodel's tables: customers, bookings, counters and settings.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Written by hand to equal ``custmodel.storage.sql._schema.metadata``; a test compares the two.
The migration spells its types out instead of importing the metadata, so it keeps creating
what it created when the metadata later moves on.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from custmodel.storage.sql.migrations import _support

revision: str = "0001"
down_revision: str | Sequence[str] | None = None

_MYSQL = _support.MYSQL_TABLE_OPTIONS


def upgrade() -> None:
    """Create the tables and the customer number counter, which starts at 0."""
    op.create_table(
        "custmodel_customers",
        sa.Column("number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("customer_type", sa.String(32), nullable=False),
        sa.Column("debtor_account", sa.BigInteger(), nullable=False),
        sa.Column("salutation", sa.String(100), nullable=False),
        sa.Column("first_name", sa.String(255), nullable=False),
        sa.Column("last_name", sa.String(255), nullable=False),
        sa.Column("company", sa.String(255), nullable=False),
        sa.Column("street", sa.String(255), nullable=False),
        sa.Column("postal_code", sa.String(32), nullable=False),
        sa.Column("city", sa.String(255), nullable=False),
        sa.Column("country", sa.String(100), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("phone", sa.String(64), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("code1", sa.String(191), nullable=False),
        sa.Column("code2", sa.String(255), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("category", sa.String(100), nullable=True),
        sa.Column("status", sa.BigInteger(), nullable=False),
        sa.Column("commission_scheme", sa.String(100), nullable=True),
        sa.Column("fee_schedule", sa.String(100), nullable=True),
        sa.Column("created_at", _support.UTC_DATETIME, nullable=False),
        sa.Column("updated_at", _support.UTC_DATETIME, nullable=False),
        sa.Column("merged_into", sa.BigInteger(), nullable=True),
        sa.Column("anonymized_at", _support.UTC_DATETIME, nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("search_name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("number", name="pk_custmodel_customers"),
        sa.UniqueConstraint("debtor_account", name="uq_custmodel_customers_debtor_account"),
        _support.customer_reference("custmodel_customers", "merged_into"),
        **_MYSQL,
    )
    op.create_index("ix_custmodel_customers_code1", "custmodel_customers", ["code1"])
    op.create_index("ix_custmodel_customers_kind", "custmodel_customers", ["kind"])

    op.create_table(
        "custmodel_bookings",
        sa.Column("reference", sa.String(191), nullable=False),
        sa.Column("customer", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("departure", sa.Date(), nullable=False),
        sa.Column("point_of_sale", sa.String(100), nullable=False),
        sa.Column("channel_name", sa.String(100), nullable=False),
        sa.Column("channel_external", sa.Boolean(), nullable=False),
        sa.Column("open_amount_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("reference", name="pk_custmodel_bookings"),
        _support.customer_reference("custmodel_bookings", "customer"),
        **_MYSQL,
    )
    op.create_index("ix_custmodel_bookings_customer", "custmodel_bookings", ["customer"])

    counters = op.create_table(
        "custmodel_counters",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_custmodel_counters"),
        **_MYSQL,
    )
    op.bulk_insert(counters, [{"name": "customer_number", "value": 0}])

    op.create_table(
        "custmodel_settings",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("debtor_base", sa.BigInteger(), nullable=False),
        sa.Column("anonymization_delay_days", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_custmodel_settings"),
        **_MYSQL,
    )

    op.create_table(
        "custmodel_kind_settings",
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("status_labels", sa.Text(), nullable=False),
        sa.Column("code1_label", sa.String(255), nullable=False),
        sa.Column("code2_label", sa.String(255), nullable=False),
        sa.Column("debtor_offset", sa.BigInteger(), nullable=False),
        sa.Column("debtor_min", sa.BigInteger(), nullable=True),
        sa.Column("debtor_max", sa.BigInteger(), nullable=True),
        sa.Column("template_customer", sa.BigInteger(), nullable=True),
        sa.Column("dunning_fee_cents", sa.BigInteger(), nullable=False),
        sa.Column("deposit_prompt", sa.Boolean(), nullable=False),
        sa.Column("renumber_on_kind_change", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name="pk_custmodel_kind_settings"),
        **_MYSQL,
    )


def downgrade() -> None:
    """Drop every custmodel table; the customer data is gone afterwards."""
    op.drop_table("custmodel_kind_settings")
    op.drop_table("custmodel_settings")
    op.drop_table("custmodel_counters")
    # Indexes go with their tables; dropping them first fails on MariaDB, where an index that
    # backs a foreign key cannot be dropped on its own.
    op.drop_table("custmodel_bookings")
    op.drop_table("custmodel_customers")
