"""The raw-driver baselines' SQL: what an application would write without custmodel.

Every statement works on custmodel's own tables, written for the DB-API driver directly
(``sqlite3`` with ``?`` placeholders, psycopg with ``%s``). Each does the logical work of the
custmodel call it is compared with, and no more: custmodel's checks, objects, audit records and
translations are the cost it adds on top.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from bench import data
from custmodel._entrycheck import name_key
from custmodel.model import PERSONAL_FIELDS
from custmodel.rules import ANONYMIZED_NAME

__all__ = [
    "DUE_CUSTOMERS",
    "FIND_BY_CODE1",
    "SELECT_BY_KIND_AND_FLAGS",
    "SET_FLAG",
    "allocate",
    "anonymize",
    "blanked_values",
    "customer_digest",
    "cutoff",
    "insert_customers",
    "placeholders",
    "sqlite_time",
    "tombstone",
]

_CUSTOMERS: Final = "custmodel_customers"

#: Customer numbers are handed out from the counter row, locked by the update (R4).
_ALLOCATE: Final = (
    "UPDATE custmodel_counters SET value = value + {p} WHERE name = 'customer_number' "
    "RETURNING value"
)

FIND_BY_CODE1: Final = (
    "SELECT * FROM custmodel_customers WHERE code1 = ? AND merged_into IS NULL ORDER BY number"
)

SELECT_BY_KIND_AND_FLAGS: Final = (
    "SELECT * FROM custmodel_customers WHERE merged_into IS NULL AND kind = ? "
    "AND (status & ?) = ? ORDER BY number"
)

#: "Status setzen": the flag (bit ``?``) on the active, not anonymized customers of a kind with
#: the flags ``?`` whose flag is not set yet, each one's version counted up (R2).
SET_FLAG: Final = (
    "UPDATE custmodel_customers SET status = status | ?, version = version + 1, updated_at = ? "
    "WHERE merged_into IS NULL AND kind = ? AND (status & ?) = ? AND anonymized_at IS NULL "
    "AND (status & ?) = 0"
)

#: The customers with an open erasure request that ``?`` (the acting agency) may anonymize on
#: a day whose cutoff (today - 42 days) is the second ``?``: no firm booking of another point
#: of sale, of an external channel, or departing after the cutoff.
DUE_CUSTOMERS: Final = """
SELECT DISTINCT e.customer
FROM custmodel_requests AS e
JOIN custmodel_customers AS c ON c.number = e.customer
LEFT JOIN custmodel_bookings AS b
  ON b.customer = e.customer AND b.kind = 'booking'
  AND (b.point_of_sale <> ? OR b.channel_external = 1 OR b.departure > ?)
WHERE e.kind = 'erasure' AND e.completed_at IS NULL AND c.merged_into IS NULL
  AND c.anonymized_at IS NULL
  AND b.reference IS NULL
ORDER BY e.customer
"""


def placeholders(count: int, mark: str = "?") -> str:
    """``?, ?, ?`` for ``count`` values."""
    return ", ".join([mark] * count)


def allocate(cursor: Any, count: int, mark: str = "?") -> int:
    """Reserve ``count`` customer numbers on the counter row; return the first."""
    (last,) = cursor.execute(_ALLOCATE.format(p=mark), (count,)).fetchone()
    return int(last) - count + 1


def insert_customers(
    cursor: Any,
    first: int,
    records: list[dict[str, Any]],
    when: datetime,
    *,
    sqlite: bool,
) -> None:
    """Insert ``records`` as customers ``first``, ``first + 1``... in one ``executemany``."""
    mark = "?" if sqlite else "%s"
    sql = (
        f"INSERT INTO {_CUSTOMERS} ({', '.join(data.CUSTOMER_COLUMNS)}) "
        f"VALUES ({placeholders(len(data.CUSTOMER_COLUMNS), mark)})"
    )
    cursor.executemany(
        sql,
        [
            data.customer_row(first + offset, record, sqlite=sqlite, when=when)
            for offset, record in enumerate(records)
        ],
    )


def _blanked(last_name: str) -> dict[str, Any]:
    """Column -> value of a customer whose personal fields are blanked (as custmodel does)."""
    values: dict[str, Any] = dict.fromkeys(PERSONAL_FIELDS, "")
    values.update(birth_date=None, category=None, status=0, last_name=last_name)
    values["search_name"] = "\x1f".join((last_name.casefold(), "", ""))
    values.update(search_last=name_key(last_name), search_email="")
    return values


def tombstone(
    cursor: Any, master: int, duplicates: list[int], when: Any, *, mark: str = "?"
) -> int:
    """Turn ``duplicates`` into tombstones pointing at ``master``, without personal data.

    Only customers still active and not anonymized are turned: the count returned tells a
    caller whether every duplicate was (a merge refuses otherwise).
    """
    values = _blanked("")
    values.update(commission_scheme=None, fee_schedule=None, merged_into=master, updated_at=when)
    return _update(
        cursor,
        values,
        duplicates,
        mark=mark,
        where="merged_into IS NULL AND anonymized_at IS NULL AND ",
    )


def blanked_values() -> dict[str, Any]:
    """Column -> value of every column anonymization blanks (timestamps and version aside)."""
    return _blanked(ANONYMIZED_NAME)


def anonymize(cursor: Any, numbers: list[int], when: Any, mark: str = "?") -> None:
    """Blank the personal fields of ``numbers`` (last name "Anonymisiert") and complete their
    open erasure requests, as custmodel's anonymization does."""
    values = blanked_values()
    values.update(anonymized_at=when, updated_at=when)
    for start in range(0, len(numbers), 900):
        part = numbers[start : start + 900]
        _update(cursor, values, part, mark=mark)
        cursor.execute(
            f"UPDATE custmodel_requests SET completed_at = {mark} "
            f"WHERE completed_at IS NULL AND customer IN ({placeholders(len(part), mark)})",
            (when, *part),
        )


def _update(
    cursor: Any, values: dict[str, Any], numbers: list[int], *, mark: str = "?", where: str = ""
) -> int:
    assignments = ", ".join(f"{name} = {mark}" for name in values)
    written = cursor.execute(
        f"UPDATE {_CUSTOMERS} SET {assignments}, version = version + 1 "
        f"WHERE {where}number IN ({placeholders(len(numbers), mark)})",
        (*values.values(), *numbers),
    )
    return int(written.rowcount)


def customer_digest(cursor: Any) -> list[tuple[Any, ...]]:
    """Every customer row without its timestamps, ordered by number, for agreement checks."""
    columns = [c for c in data.CUSTOMER_COLUMNS if c not in ("created_at", "updated_at")]
    return [
        tuple(row)
        for row in cursor.execute(
            f"SELECT {', '.join(columns)} FROM {_CUSTOMERS} ORDER BY number"
        ).fetchall()
    ]


def sqlite_time(when: datetime) -> str:
    """``when`` (aware) as SQLite stores custmodel's timestamps: naive UTC text."""
    return f"{when.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}"


def cutoff(today: date, delay_days: int = 42) -> str:
    """The last departure day that no longer blocks on ``today``, as SQLite text."""
    return (today - timedelta(days=delay_days)).isoformat()
