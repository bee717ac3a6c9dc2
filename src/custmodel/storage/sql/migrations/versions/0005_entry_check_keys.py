"""Add the keys of the duplicate check at entry: folded last name and e-mail, five indexes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

Written by hand to equal ``custmodel.storage.sql._schema.metadata``; a test compares the two.
``search_last`` and ``search_email`` are derived from each customer's last name and e-mail
(``custmodel._entrycheck.name_key`` and ``email_key``); the upgrade fills them for the stored
customers in Python, a thousand at a time, since SQL's LOWER folds differently on each engine.
Their server default (empty text) lets rows written by other means in; custmodel always sets
both.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from custmodel._entrycheck import KEY_LENGTH, email_key, name_key
from custmodel.storage.sql.migrations import _support

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"

_TABLE = "custmodel_customers"
_KEYS = ("search_last", "search_email")
_INDEXED = ("search_last", "search_email", "phone", "birth_date", "postal_code")
_BATCH = 1000


def _index(column: str) -> str:
    return f"ix_{_TABLE}_{column}"


def upgrade() -> None:
    """Add and fill the two key columns, then index them and phone, birth date, postal code."""
    for name in _KEYS:
        op.add_column(
            _TABLE,
            sa.Column(name, sa.String(KEY_LENGTH), nullable=False, server_default=""),
        )
    table = sa.table(
        _TABLE,
        sa.column("number", sa.BigInteger),
        sa.column("last_name", sa.String),
        sa.column("email", sa.String),
        sa.column("search_last", sa.String),
        sa.column("search_email", sa.String),
    )
    connection = op.get_bind()
    after = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.number, table.c.last_name, table.c.email)
            .where(table.c.number > after)
            .order_by(table.c.number)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            sa.update(table)
            .where(table.c.number == sa.bindparam("n"))
            .values(search_last=sa.bindparam("last"), search_email=sa.bindparam("mail")),
            [{"n": n, "last": name_key(last), "mail": email_key(mail)} for n, last, mail in rows],
        )
        after = int(rows[-1][0])
    for column in _INDEXED:
        op.create_index(_index(column), _TABLE, [column])


def downgrade() -> None:
    """Drop the five indexes and the two key columns."""
    for column in _INDEXED:
        op.drop_index(_index(column), table_name=_TABLE)
    for name in reversed(_KEYS):
        _support.drop_column_in_place(_TABLE, name)
