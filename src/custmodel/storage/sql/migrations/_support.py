"""What the migrations share. A migration stays as it was written: never change a value here
that a migration uses; a new need gets a new name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

__all__ = [
    "MYSQL_TABLE_OPTIONS",
    "UTC_DATETIME",
    "customer_reference",
    "drop_column_in_place",
]

#: Table options for MySQL/MariaDB tables. utf8mb4_nopad_bin compares text exactly as Python
#: does (case, accents, trailing spaces). SQLAlchemy reads the ``mariadb_`` spelling for
#: ``mariadb://`` URLs and the ``mysql_`` one otherwise.
MYSQL_TABLE_OPTIONS: Final[dict[str, Any]] = {
    f"{prefix}_{option}": value
    for prefix in ("mysql", "mariadb")
    for option, value in (
        ("engine", "InnoDB"),
        ("charset", "utf8mb4"),
        ("collate", "utf8mb4_nopad_bin"),
    )
}


#: A time zone aware timestamp, to the microsecond on MySQL/MariaDB too.
UTC_DATETIME: Final[sa.types.TypeEngine[datetime]] = sa.DateTime(timezone=True).with_variant(
    mysql.DATETIME(fsp=6), "mysql", "mariadb"
)


def customer_reference(table: str, column: str) -> sa.ForeignKeyConstraint:
    """The foreign key from ``column`` of ``table`` to the customer numbers, named as the naming
    convention names it."""
    return sa.ForeignKeyConstraint(
        [column], ["custmodel_customers.number"], name=f"fk_{table}_{column}"
    )


def drop_column_in_place(table: str, column: str) -> None:
    """Drop ``column`` of ``table`` without copying the table.

    SQLite (3.35 and later) drops a column in place; Alembic's batch mode would copy the
    table, which the foreign keys pointing at it do not allow.
    """
    # Imported here: the schema imports this module, and a store at head never loads Alembic.
    from alembic import op

    if op.get_bind().dialect.name == "sqlite":
        op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
    else:
        op.drop_column(table, column)
