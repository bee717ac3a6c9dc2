"""Make the database enforce the customer model's rules on custmodel_customers.

Revision ID: 0010_model_checks
Revises: 0009
Create Date: 2026-12-06

The store builds the customers it reads without checking each field again in Python
(custmodel.storage.sql._rows): that is safe only because the database now refuses a row
breaking a rule, whoever writes it. One named check per rule: the ranges of numbers, the kinds
and types, the flag bits and the text lengths (SQLite keeps any length in a VARCHAR). What no
check can say portably (control characters in text, a category of blanks) is still checked
in Python on every read.

PostgreSQL and MariaDB (10.2 and later enforce them) get the CHECK constraints with ALTER TABLE.
SQLite cannot add a constraint to a table, and copying the table (Alembic's batch mode) is not
possible while the foreign keys of the bookings and the host's tables point at it: with foreign
keys on, dropping the old table deletes its rows first. So the constraints are added to the
table's definition in ``sqlite_master`` (``PRAGMA writable_schema``, the procedure SQLite's
documentation gives for changing constraints in place, with the schema version counted up),
once every stored row was found to meet them. Triggers would have done the same job, but made
each insert four times as slow; a CHECK costs next to nothing. SQLite also stores any type in
any column: its checks test the type too.

Rows that already break a rule make the migration refuse with
:class:`custmodel.errors.StoredRowsError` before it changes anything.

The values are written out here as they were at this revision (a migration does not change
with the model); tests/sql/test_model_checks.py compares them with the model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

import sqlalchemy as sa
from alembic import op

from custmodel.errors import StoredRowsError

revision: str = "0010_model_checks"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE: Final = "custmodel_customers"
_PREFIX: Final = f"ck_{_TABLE}_"

KINDS: Final = ("private", "corporate", "travel_agency", "prospect")
TYPES: Final = ("regular", "walk_in", "tour_operator", "vip_incentive")
#: The longest text of each column that stores one of the customer's texts, in characters.
LENGTHS: Final = {
    "last_name": 255,
    "first_name": 255,
    "salutation": 100,
    "company": 255,
    "street": 255,
    "postal_code": 32,
    "city": 255,
    "country": 100,
    "email": 320,
    "phone": 64,
    "code1": 191,
    "code2": 255,
    "notes": 16383,
    "category": 100,
    "commission_scheme": 100,
    "fee_schedule": 100,
}
#: Columns that may be NULL (the rest are NOT NULL already).
_NULLABLE: Final = frozenset(
    {"birth_date", "category", "commission_scheme", "fee_schedule", "merged_into", "anonymized_at"}
)
#: Whole numbers from 1, and bit sets with their highest value.
_POSITIVE: Final = ("number", "debtor_account", "version", "merged_into")
_BITS: Final = {"status": 2**32 - 1, "advertising_objections": 15}
_TIMES: Final = ("created_at", "updated_at", "anonymized_at")


def _quoted(values: Sequence[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def checks(dialect: str, row: str = "") -> dict[str, str]:
    """The checks by constraint name, as SQL conditions on a row of the table.

    Args:
        dialect: The engine's dialect name.
        row: What a column name is prefixed with.
    """
    sqlite = dialect == "sqlite"
    length = "char_length" if dialect in ("mysql", "mariadb") else "length"
    conditions: dict[str, str] = {}

    def typed(column: str, kind: str, condition: str) -> str:
        c = f"{row}{column}"
        if sqlite:
            condition = f"typeof({c}) = '{kind}'" + (f" AND {condition}" if condition else "")
        if column in _NULLABLE:
            return f"{c} IS NULL OR ({condition})"
        return condition

    for column in _POSITIVE:
        conditions[column] = typed(column, "integer", f"{row}{column} >= 1")
    for column, highest in _BITS.items():
        conditions[column] = typed(column, "integer", f"{row}{column} BETWEEN 0 AND {highest}")
    conditions["kind"] = f"{row}kind IN ({_quoted(KINDS)})"
    conditions["customer_type"] = f"{row}customer_type IN ({_quoted(TYPES)})"
    for column, longest in LENGTHS.items():
        conditions[f"{column}_length"] = typed(
            column, "text", f"{length}({row}{column}) <= {longest}"
        )
    if sqlite:
        # A date is ISO text that SQLite's own date() reads back unchanged; timestamps are
        # text (their format is read, and refused if malformed, by the store).
        conditions["birth_date"] = typed(
            "birth_date", "text", f"{row}birth_date IS date({row}birth_date)"
        )
        for column in _TIMES:
            conditions[column] = typed(column, "text", "")
    return {f"{_PREFIX}{name}": condition for name, condition in conditions.items()}


def _refuse_breaking_rows(connection: sa.Connection, dialect: str) -> None:
    """Raise StoredRowsError if any stored row breaks a check, naming the first ones."""
    broken = []
    for name, condition in checks(dialect).items():
        numbers = connection.execute(
            sa.text(f"SELECT number FROM {_TABLE} WHERE NOT ({condition}) ORDER BY number LIMIT 5")  # noqa: S608 (fixed text)
        ).scalars()
        found = [str(number) for number in numbers]
        if found:
            broken.append(f"{name} (customers {', '.join(found)})")
    if broken:
        raise StoredRowsError(
            "stored customers break rules the database is to enforce from now on: "
            f"{'; '.join(broken)}; correct them and open the store again"
        )


def _sqlite_constraints() -> str:
    """The text the CHECK constraints add to the SQLite table's definition, before its ")"."""
    return "".join(
        f",\n\tCONSTRAINT {name} CHECK ({condition})"
        for name, condition in checks("sqlite").items()
    )


def _rewrite_sqlite_table(connection: sa.Connection, change: Callable[[str], str]) -> None:
    """Replace the SQLite table's definition with ``change(definition)``, in place."""
    (definition,) = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (_TABLE,)
    ).one()
    (version,) = connection.exec_driver_sql("PRAGMA schema_version").one()
    connection.exec_driver_sql("PRAGMA writable_schema=ON")
    try:
        connection.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
            (change(definition), _TABLE),
        )
        # Tells every connection, this one too, to read the schema again.
        connection.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    finally:
        connection.exec_driver_sql("PRAGMA writable_schema=OFF")


def _add_sqlite_constraints(definition: str) -> str:
    end = definition.rstrip().rindex(")")
    return definition[:end] + _sqlite_constraints() + definition[end:]


def _drop_sqlite_constraints(definition: str) -> str:
    return definition.replace(_sqlite_constraints(), "")


def upgrade() -> None:
    """Refuse if stored rows break a check, then add the checks."""
    connection = op.get_bind()
    dialect = connection.dialect.name
    _refuse_breaking_rows(connection, dialect)
    if dialect == "sqlite":
        _rewrite_sqlite_table(connection, _add_sqlite_constraints)
        return
    for name, condition in checks(dialect).items():
        op.create_check_constraint(name, _TABLE, sa.text(condition))


def downgrade() -> None:
    """Drop the checks."""
    connection = op.get_bind()
    dialect = connection.dialect.name
    if dialect == "sqlite":
        _rewrite_sqlite_table(connection, _drop_sqlite_constraints)
        return
    for name in checks(dialect):
        op.drop_constraint(name, _TABLE, type_="check")
