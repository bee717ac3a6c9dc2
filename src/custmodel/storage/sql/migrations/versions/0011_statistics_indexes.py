"""Widen three indexes so that statistics read them instead of the rows.

Revision ID: 0011_statistics_indexes
Revises: 0009
Create Date: 2026-12-06

Written by hand to equal ``custmodel.storage.sql._schema.metadata``; a test compares the two.
The customers' kind index also holds whether the customer was merged, its type, category,
status and number; the bookings' customer index the departure, kind and revenue; the bookings'
departure index the customer, kind, revenue, travel type and destination. Each keeps its name
and its leading column, so every statement that used it still can. Widened rather than added:
a booking insert then updates as many indexes as before.

MariaDB refuses to drop an index a foreign key needs (the bookings' customer index) unless
the same ALTER TABLE adds its successor, so there both happen in one statement.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011_statistics_indexes"
down_revision: str | Sequence[str] | None = "0010_model_checks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, index, columns before, columns after)
_WIDENED: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "custmodel_customers",
        "ix_custmodel_customers_kind",
        ("kind",),
        ("kind", "merged_into", "customer_type", "category", "status", "number"),
    ),
    (
        "custmodel_bookings",
        "ix_custmodel_bookings_customer",
        ("customer",),
        ("customer", "departure", "kind", "revenue_cents"),
    ),
    (
        "custmodel_bookings",
        "ix_custmodel_bookings_departure",
        ("departure",),
        ("departure", "customer", "kind", "revenue_cents", "travel_type", "destination"),
    ),
)


def _replace(table: str, index: str, columns: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name in ("mysql", "mariadb"):
        listed = ", ".join(columns)
        op.execute(f"ALTER TABLE {table} DROP INDEX {index}, ADD INDEX {index} ({listed})")
        return
    op.drop_index(index, table_name=table)
    op.create_index(index, table, list(columns))


def upgrade() -> None:
    """Widen the three indexes."""
    for table, index, _, after in _WIDENED:
        _replace(table, index, after)


def downgrade() -> None:
    """Narrow them to their one column again."""
    for table, index, before, _ in _WIDENED:
        _replace(table, index, before)
