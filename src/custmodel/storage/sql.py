"""The SQL store: custmodel's data in SQLite, PostgreSQL or MariaDB, through SQLAlchemy Core.

:class:`SqlStore` implements :class:`custmodel.storage.CustomerStore` with exactly the meaning of
:class:`custmodel.storage.memory.MemoryStore`; the shared contract suite holds both to it. This
module is the only part of custmodel that imports SQLAlchemy (install ``custmodel[sql]``).

What each engine needs, and gets here:

* SQLite: write transactions start with ``BEGIN IMMEDIATE``, so two writers queue on the
  database lock up front instead of failing half-way; reads use a deferred ``BEGIN``. Files run
  in WAL mode (readers never block the writer) with foreign keys and ``secure_delete`` on, so
  the content of overwritten personal data does not linger in free pages.
* PostgreSQL and MariaDB: the customer number counter row is locked in the transaction that
  uses the numbers (``UPDATE ... RETURNING`` or ``SELECT ... FOR UPDATE``), so concurrent
  registrations never share a number and a rolled-back one leaves no gap. Merge records and
  erasure requests take their running ids from counter rows the same way.

Host references (columns of the host application's tables that hold customer numbers) are
registered on the store at start-up with :meth:`SqlStore.register_reference`; a merge moves
them in its own transaction, and refuses while a foreign key to the customers is unregistered.
The host writes such a row in its own transaction after :meth:`SqlStore.hold_customer`, which
locks the customer against merges until that transaction ends.

Driver exceptions are translated where they cross into custmodel; the custmodel error's
message names numbers and columns only, and its cause (and context) is a :class:`DriverError`
that keeps the driver's error class and code but neither its text, nor the statement, nor its
parameters, all of which can hold personal data. Engines this module creates hide statement
parameters from SQLAlchemy's own log lines and messages, and drop SQLAlchemy's DEBUG records
(which print whole result rows).
"""

from __future__ import annotations

import functools
import json
import logging
import operator
import re
import threading
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, NoReturn, Protocol, TypeVar

import attrs
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    CompoundSelect,
    Connection,
    Engine,
    Select,
    String,
    Table,
    TableClause,
    Update,
    and_,
    bindparam,
    case,
    column,
    create_engine,
    delete,
    distinct,
    event,
    extract,
    false,
    func,
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
    table,
    true,
    union,
    union_all,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import Subquery

from custmodel.errors import (
    ConcurrentUpdateError,
    CustmodelError,
    CustomerNotFoundError,
    DebtorAccountError,
    InvalidInputError,
    InvalidStatusFlagError,
    MissingExtraError,
    StoreBusyError,
    StoreError,
)
from custmodel.model import (
    MAX_NUMBER,
    STATUS_FLAG_COUNT,
    Booking,
    BookingKind,
    Customer,
    CustomerKind,
    CustomerType,
    DeparturePeriod,
    ErasureRequest,
    KindSettings,
    MergeRecord,
    SalesChannel,
    Selection,
    Settings,
    Statistics,
    StatisticsDimension,
    StatisticsKey,
    StatisticsRow,
    StatusFlags,
    check_flag_number,
    name_search_key,
    search_key,
)
from custmodel.storage import _sqlschema as schema
from custmodel.storage.ports import SettingsLock, StoreTransaction

__all__ = [
    "DriverConnection",
    "DriverError",
    "HostReference",
    "SqlStore",
    "SqlTransaction",
    "statistics_statement",
]

_T = TypeVar("_T")

#: Values per ``IN (...)`` list: far below SQLite's bound-parameter limit on every version.
_CHUNK: Final = 900
#: All 32 flag bits. Clearing a flag ANDs with this minus the bit: a positive literal, where
#: ``~bit`` would be negative and read differently by MariaDB's unsigned bit arithmetic.
_ALL_BITS: Final = (1 << 32) - 1
_SETTINGS_ID: Final = 1
_MIGRATIONS: Final = Path(__file__).with_name("migrations")
#: SQLite's default busy timeout for stores opened by URL, in seconds (``?timeout=`` overrides).
_SQLITE_TIMEOUT: Final = 30.0
#: Names the session lock concurrent migrations queue on (PostgreSQL wants a number).
_MIGRATION_LOCK_KEY: Final = 0x637573746D6F64  # "custmod" in ASCII
_MIGRATION_LOCK_NAME: Final = "custmodel_migrations"
#: Execution option the SQLite ``begin`` hook reads to choose IMMEDIATE or deferred.
_WRITE_OPTION: Final = "custmodel_write"
#: How long :meth:`SqlStore.purge` keeps retrying a checkpoint a reader blocks, in seconds.
_CHECKPOINT_PATIENCE: Final = 2.0
#: How long one checkpoint attempt lets SQLite wait for readers, in milliseconds. The
#: connection's own busy timeout (30 s by default) would hold every attempt that long.
_CHECKPOINT_WAIT_MS: Final = 50
#: custmodel's tables share this prefix; host tables must not use it.
_PREFIX: Final = "custmodel_"

logger = logging.getLogger("custmodel")

#: Default driver and the extra that installs it, per database.
_DRIVERS: Final = {
    "sqlite": ("sqlite", "sql"),
    "postgresql": ("postgresql+psycopg", "postgres"),
    "postgres": ("postgresql+psycopg", "postgres"),
    "mysql": ("mysql+pymysql", "mysql"),
    "mariadb": ("mariadb+pymysql", "mysql"),
}

_c = schema.customers.c
_b = schema.bookings.c
_m = schema.merges.c
_md = schema.merge_duplicates.c
_e = schema.erasure_requests.c


# -- rows <-> domain objects --------------------------------------------------------------------


def _cents(amount: Decimal) -> int:
    """Return a two-decimal EUR amount as whole cents."""
    return int(amount.scaleb(2))


def _euros(cents: int) -> Decimal:
    """Return whole cents as a EUR amount with exactly two decimals."""
    return Decimal(int(cents)).scaleb(-2)


def _time_to_db(value: datetime | None, *, aware: bool) -> datetime | None:
    """Return ``value`` in UTC, naive unless the column keeps time zones (PostgreSQL)."""
    if value is None:
        return None
    utc = value.astimezone(UTC)
    return utc if aware else utc.replace(tzinfo=None)


def _time_from_db(value: datetime | None) -> datetime | None:
    """Return a stored timestamp as an aware UTC datetime (naive ones are UTC by design)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _required_time(value: datetime | None) -> datetime:
    result = _time_from_db(value)
    if result is None:  # pragma: no cover - the columns are NOT NULL
        raise StoreError("a required timestamp column is NULL")
    return result


def customer_to_row(customer: Customer, *, aware_times: bool) -> dict[str, Any]:
    """Return the ``custmodel_customers`` row that stores ``customer``.

    Args:
        customer: The customer.
        aware_times: Bind timestamps with their UTC time zone (PostgreSQL ``timestamptz``);
            otherwise as naive UTC.
    """
    return {
        "number": customer.number,
        "kind": customer.kind.value,
        "customer_type": customer.customer_type.value,
        "debtor_account": customer.debtor_account,
        "salutation": customer.salutation,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "company": customer.company,
        "street": customer.street,
        "postal_code": customer.postal_code,
        "city": customer.city,
        "country": customer.country,
        "email": customer.email,
        "phone": customer.phone,
        "birth_date": customer.birth_date,
        "code1": customer.code1,
        "code2": customer.code2,
        "notes": customer.notes,
        "category": customer.category,
        "status": customer.status.bits,
        "commission_scheme": customer.commission_scheme,
        "fee_schedule": customer.fee_schedule,
        "created_at": _time_to_db(customer.created_at, aware=aware_times),
        "updated_at": _time_to_db(customer.updated_at, aware=aware_times),
        "merged_into": customer.merged_into,
        "anonymized_at": _time_to_db(customer.anonymized_at, aware=aware_times),
        "version": customer.version,
        "search_name": name_search_key(customer),
    }


#: The ``custmodel_customers`` columns a :class:`Customer` is built from, in this order.
_CUSTOMER_COLUMNS: Final = (
    "number",
    "kind",
    "customer_type",
    "debtor_account",
    "salutation",
    "first_name",
    "last_name",
    "company",
    "street",
    "postal_code",
    "city",
    "country",
    "email",
    "phone",
    "birth_date",
    "code1",
    "code2",
    "notes",
    "category",
    "status",
    "commission_scheme",
    "fee_schedule",
    "created_at",
    "updated_at",
    "merged_into",
    "anonymized_at",
    "version",
)
#: Picks those columns, in that order, out of a full row of the table (by position).
_CUSTOMER_VALUES: Final = operator.itemgetter(
    *(list(schema.customers.c.keys()).index(name) for name in _CUSTOMER_COLUMNS)
)
# Dictionary look-ups instead of Enum.__call__ (a few microseconds a row); a value missing
# here still goes through the enum, which refuses it as before.
_KINDS: Final[dict[Any, CustomerKind]] = {k.value: k for k in CustomerKind}
_TYPES: Final[dict[Any, CustomerType]] = {t.value: t for t in CustomerType}


def _customer_from_table_row(row: Sequence[Any]) -> Customer:
    """Return the customer a full ``custmodel_customers`` row (in column order) stores."""
    return _customer_from_values(_CUSTOMER_VALUES(row))


def _customer_from_values(values: Sequence[Any]) -> Customer:
    """Return the customer stored in the values of ``_CUSTOMER_COLUMNS``, in that order.

    The customer is built, and so validated, like any other: a row that breaks a rule of
    the model is refused with the model's error.
    """
    (
        number,
        kind,
        customer_type,
        debtor_account,
        salutation,
        first_name,
        last_name,
        company,
        street,
        postal_code,
        city,
        country,
        email,
        phone,
        birth_date,
        code1,
        code2,
        notes,
        category,
        status,
        commission_scheme,
        fee_schedule,
        created_at,
        updated_at,
        merged_into,
        anonymized_at,
        version,
    ) = values
    return Customer(
        number=int(number),
        kind=_KINDS.get(kind) or CustomerKind(kind),
        customer_type=_TYPES.get(customer_type) or CustomerType(customer_type),
        debtor_account=int(debtor_account),
        salutation=salutation,
        first_name=first_name,
        last_name=last_name,
        company=company,
        street=street,
        postal_code=postal_code,
        city=city,
        country=country,
        email=email,
        phone=phone,
        birth_date=birth_date,
        code1=code1,
        code2=code2,
        notes=notes,
        category=category,
        status=StatusFlags(int(status)),
        commission_scheme=commission_scheme,
        fee_schedule=fee_schedule,
        created_at=_required_time(created_at),
        updated_at=_required_time(updated_at),
        merged_into=None if merged_into is None else int(merged_into),
        anonymized_at=_time_from_db(anonymized_at),
        version=int(version),
    )


def booking_to_row(booking: Booking) -> dict[str, Any]:
    """Return the ``custmodel_bookings`` row that stores ``booking``."""
    return {
        "reference": booking.reference,
        "customer": booking.customer,
        "kind": booking.kind.value,
        "departure": booking.departure,
        "point_of_sale": booking.point_of_sale,
        "channel_name": booking.channel.name,
        "channel_external": booking.channel.is_external,
        "open_amount_cents": _cents(booking.open_amount),
        "revenue_cents": None if booking.revenue is None else _cents(booking.revenue),
        "travel_type": booking.travel_type,
        "destination": booking.destination,
    }


def booking_from_row(row: Mapping[Any, Any]) -> Booking:
    """Return the booking a ``custmodel_bookings`` row stores."""
    return Booking(
        reference=row["reference"],
        customer=int(row["customer"]),
        kind=BookingKind(row["kind"]),
        departure=row["departure"],
        point_of_sale=row["point_of_sale"],
        channel=SalesChannel(row["channel_name"], is_external=bool(row["channel_external"])),
        open_amount=_euros(row["open_amount_cents"]),
        revenue=None if row["revenue_cents"] is None else _euros(row["revenue_cents"]),
        travel_type=row["travel_type"],
        destination=row["destination"],
    )


def merge_record_to_row(record: MergeRecord, *, aware_times: bool) -> dict[str, Any]:
    """Return the ``custmodel_merges`` row that stores ``record`` (with its id)."""
    return {
        "id": record.id,
        "merged_at": _time_to_db(record.merged_at, aware=aware_times),
        "master": record.master,
        "duplicates": json.dumps(list(record.duplicates)),
        "bookings_moved": record.bookings_moved,
        "references_moved": json.dumps(record.references_moved, sort_keys=True),
        "actor": record.actor,
    }


def merge_record_from_row(row: Mapping[Any, Any]) -> MergeRecord:
    """Return the merge record a ``custmodel_merges`` row stores."""
    moved: dict[str, int] = json.loads(row["references_moved"])
    return MergeRecord(
        id=int(row["id"]),
        merged_at=_required_time(row["merged_at"]),
        master=int(row["master"]),
        duplicates=tuple(int(n) for n in json.loads(row["duplicates"])),
        bookings_moved=int(row["bookings_moved"]),
        references_moved={name: int(count) for name, count in moved.items()},
        actor=row["actor"],
    )


def erasure_request_from_row(row: Mapping[Any, Any]) -> ErasureRequest:
    """Return the erasure request a ``custmodel_erasure_requests`` row stores."""
    return ErasureRequest(
        id=int(row["id"]),
        customer=int(row["customer"]),
        received_on=row["received_on"],
        recorded_at=_required_time(row["recorded_at"]),
        completed_at=_time_from_db(row["completed_at"]),
    )


def kind_settings_to_row(kind: CustomerKind, settings: KindSettings) -> dict[str, Any]:
    """Return the ``custmodel_kind_settings`` row that stores the settings of ``kind``."""
    return {
        "kind": kind.value,
        "categories": json.dumps(list(settings.categories), ensure_ascii=False),
        "status_labels": json.dumps(
            {str(flag): label for flag, label in settings.status_labels.items()},
            ensure_ascii=False,
        ),
        "code1_label": settings.code1_label,
        "code2_label": settings.code2_label,
        "debtor_offset": settings.debtor_offset,
        "debtor_min": settings.debtor_min,
        "debtor_max": settings.debtor_max,
        "template_customer": settings.template_customer,
        "dunning_fee_cents": _cents(settings.dunning_fee),
        "deposit_prompt": settings.deposit_prompt,
        "renumber_on_kind_change": settings.renumber_on_kind_change,
    }


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def kind_settings_from_row(row: Mapping[Any, Any]) -> KindSettings:
    """Return the kind settings a ``custmodel_kind_settings`` row stores."""
    labels: dict[str, str] = json.loads(row["status_labels"])
    return KindSettings(
        categories=tuple(json.loads(row["categories"])),
        status_labels={int(flag): label for flag, label in labels.items()},
        code1_label=row["code1_label"],
        code2_label=row["code2_label"],
        debtor_offset=int(row["debtor_offset"]),
        debtor_min=_optional_int(row["debtor_min"]),
        debtor_max=_optional_int(row["debtor_max"]),
        template_customer=_optional_int(row["template_customer"]),
        dunning_fee=_euros(row["dunning_fee_cents"]),
        deposit_prompt=bool(row["deposit_prompt"]),
        renumber_on_kind_change=bool(row["renumber_on_kind_change"]),
    )


def _lengths(table: Table) -> dict[str, int]:
    return {
        column.name: column.type.length
        for column in table.columns
        if isinstance(column.type, String) and column.type.length is not None
    }


# Customer columns need no such check: a Customer cannot hold text longer than its column (the
# model's limits equal the column lengths, tests/sql/test_model_limits.py), so the store does
# not measure every text of every row again.
_BOOKING_LENGTHS: Final = _lengths(schema.bookings)


# -- selections ---------------------------------------------------------------------------------


def _escape_like(text: str) -> str:
    r"""Escape ``text`` for ``LIKE ... ESCAPE '\'`` so that it matches only itself."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _storable(text: str) -> bool:
    """Return False for text no database can hold (lone surrogates are not UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _equals(column: ColumnElement[str | None], text: str) -> ColumnElement[bool]:
    """``column = text``; text no customer can hold equals nothing, as in the memory store."""
    return column == text if _storable(text) else false()


def _bits(mask: int) -> ColumnElement[int]:
    return literal(mask, BigInteger)


def _and_bits(mask: int) -> ColumnElement[int]:
    """``status & mask``, with the operator every supported engine spells the same."""
    result: ColumnElement[int] = _c.status.op("&", return_type=BigInteger)(_bits(mask))
    return result


def selection_clause(selection: Selection) -> ColumnElement[bool]:
    """Return the WHERE clause that selects what ``selection.matches`` on ``custmodel_customers``.

    Each condition mirrors one check of :meth:`custmodel.model.Selection.matches`.
    """
    clauses: list[ColumnElement[bool]] = []
    if not selection.include_merged:
        clauses.append(_c.merged_into.is_(None))
    if selection.kind is not None:
        clauses.append(_c.kind == selection.kind.value)
    if selection.customer_type is not None:
        clauses.append(_c.customer_type == selection.customer_type.value)
    if selection.category is not None:
        clauses.append(_equals(_c.category, selection.category))
    if selection.status_all_bits:
        clauses.append(_and_bits(selection.status_all_bits) == _bits(selection.status_all_bits))
    if selection.status_any:
        clauses.append(_and_bits(selection.status_any_bits) != 0)
    if selection.code1 is not None:
        clauses.append(_equals(_c.code1, selection.code1))
    if selection.code2 is not None:
        clauses.append(_equals(_c.code2, selection.code2))
    if selection.name is not None:
        needle = search_key(selection.name)
        pattern = f"%{_escape_like(needle)}%"
        clauses.append(_c.search_name.like(pattern, escape="\\") if _storable(needle) else false())
    if selection.anonymized is not None:
        column = _c.anonymized_at
        clauses.append(column.is_not(None) if selection.anonymized else column.is_(None))
    return and_(true(), *clauses)


# -- statistics ---------------------------------------------------------------------------------


def _flag_masks() -> Subquery:
    """The 32 status flags as a derived table ``(flag, mask)``.

    A UNION ALL of one-row SELECTs with inlined numbers: every engine accepts it (SQLite and
    MariaDB name no columns of a VALUES list), and no bound parameter's type is left to guess.
    """
    rows = [
        select(
            literal_column(str(flag), BigInteger).label("flag"),
            literal_column(str(1 << (flag - 1)), BigInteger).label("mask"),
        )
        for flag in range(1, STATUS_FLAG_COUNT + 1)
    ]
    return union_all(*rows).subquery("flag_masks")


def _statistics_key(dimension: StatisticsDimension, flags: Subquery) -> ColumnElement[Any]:
    """The column (or expression) a statistics dimension groups by."""
    columns: dict[StatisticsDimension, ColumnElement[Any]] = {
        StatisticsDimension.KIND: _c.kind,
        StatisticsDimension.CUSTOMER_TYPE: _c.customer_type,
        StatisticsDimension.CATEGORY: _c.category,
        StatisticsDimension.STATUS_FLAG: flags.c.flag,
        StatisticsDimension.CODE1: _c.code1,
        StatisticsDimension.CODE2: _c.code2,
        StatisticsDimension.TRAVEL_TYPE: _b.travel_type,
        StatisticsDimension.DESTINATION: _b.destination,
        # SQLite has no EXTRACT; SQLAlchemy renders CAST(STRFTIME('%Y', ...) AS INTEGER) there.
        StatisticsDimension.DEPARTURE_YEAR: extract("year", _b.departure),
    }
    return columns[dimension]


#: The lower 32 bits of a number of cents; see :func:`statistics_statement`.
_LOW_BITS: Final = 2**32 - 1


def statistics_statement(
    selection: Selection,
    group_by: Sequence[StatisticsDimension],
    period: DeparturePeriod,
    *,
    split_revenue: bool = False,
) -> CompoundSelect[Any]:
    """Return the one statement that counts the statistics of ``selection`` per group.

    The selected active customers are joined to their bookings departing in ``period``: an
    outer join when every dimension is the customer's own, so that customers without bookings
    count, an inner join when a dimension is read from bookings. Grouping by status flag joins
    the 32-row derived table of flag masks on ``status & mask = mask`` (outer, so customers
    without flags form the group NULL). The grouped rows come with ``is_total = 0``; a UNION
    ALL adds the totals (``is_total = 1``) over the same join without the flags, where every
    customer and booking appears once.

    Counts are COUNT and SUM over integers, so every engine returns whole numbers; ordering is
    left to :class:`~custmodel.model.Statistics` (collations and NULL order differ). The
    revenue comes as two columns, upper and lower, whose sum is ``upper * 2**32 + lower``
    cents. Without ``split_revenue``, upper is 0 and lower the plain SUM, which PostgreSQL and
    MariaDB compute as an exact NUMERIC/DECIMAL of any size. SQLite's SUM of integers fails
    beyond 64 bits; after it failed, ``split_revenue`` sums the upper and the lower 32 bits of
    each booking's cents apart, each sum below 2**63 for fewer than 2**31 bookings per group.
    """
    flags = _flag_masks()
    on = [_b.customer == _c.number]
    if period.start is not None:
        on.append(_b.departure >= period.start)
    if period.end is not None:
        on.append(_b.departure <= period.end)
    per_booking = any(d.per_booking for d in group_by)
    joined = schema.customers.join(schema.bookings, and_(*on), isouter=not per_booking)
    grouped_from = joined
    if StatisticsDimension.STATUS_FLAG in group_by:
        # "= mask" rather than "<> 0": SQLAlchemy then sees the join link the two tables.
        carries = _c.status.op("&", return_type=BigInteger)(flags.c.mask) == flags.c.mask
        grouped_from = joined.outerjoin(flags, carries)
    firm = _b.kind == BookingKind.BOOKING.value
    revenue: tuple[ColumnElement[Any], ColumnElement[Any]]
    if split_revenue:
        upper = _b.revenue_cents.op(">>", return_type=BigInteger)(literal_column("32"))
        lower = _b.revenue_cents.op("&", return_type=BigInteger)(literal_column(str(_LOW_BITS)))
        revenue = (
            func.coalesce(func.sum(case((firm, upper))), 0),
            func.coalesce(func.sum(case((firm, lower))), 0),
        )
    else:
        revenue = (literal_column("0"), func.coalesce(func.sum(case((firm, _b.revenue_cents))), 0))
    counts = (
        func.count(distinct(_c.number)),
        func.count(case((firm, _b.reference))),
        func.count(case((_b.kind == BookingKind.OFFER.value, _b.reference))),
        *revenue,
    )
    where = selection_clause(attrs.evolve(selection, include_merged=False))
    keys = [_statistics_key(d, flags) for d in group_by]
    grouped = (
        select(literal_column("0").label("is_total"), *keys, *counts)
        .select_from(grouped_from)
        .where(where)
        .group_by(*keys)
    )
    no_keys: list[ColumnElement[Any]] = [null() for _ in keys]
    totals = select(literal_column("1"), *no_keys, *counts).select_from(joined).where(where)
    return union_all(grouped, totals)


# -- error translation --------------------------------------------------------------------------

_SQLITE_BUSY_CODES: Final = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED (primary codes)
_PG_BUSY_STATES: Final = frozenset({"40001", "40P01", "55P03"})
_MYSQL_BUSY_ERRNOS: Final = frozenset({1205, 1213})  # lock wait timeout, deadlock
_MYSQL_FK_ERRNOS: Final = frozenset({1216, 1217, 1451, 1452})
_TABLE: Final = re.compile(r"custmodel_[a-z_]+")


def _sqlstate(orig: BaseException | None) -> str | None:
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return state if isinstance(state, str) else None


def _mysql_errno(orig: BaseException | None) -> int | None:
    args = getattr(orig, "args", ())
    if type(orig).__module__.startswith(("pymysql", "MySQLdb", "mysql", "mariadb")) and args:
        first = args[0]
        return first if isinstance(first, int) else None
    return None


def _is_busy(error: sa_exc.DBAPIError) -> bool:
    orig = error.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in _SQLITE_BUSY_CODES:
        return True
    text = str(orig)
    return (
        _sqlstate(orig) in _PG_BUSY_STATES
        or _mysql_errno(orig) in _MYSQL_BUSY_ERRNOS
        or "database is locked" in text
        or "database table is locked" in text
    )


def _integrity(error: sa_exc.IntegrityError, action: str) -> CustmodelError:
    """Translate a constraint violation; see :func:`_translate`."""
    orig = error.orig
    text = str(orig)
    state = _sqlstate(orig)
    errno = _mysql_errno(orig)
    if state == "23503" or errno in _MYSQL_FK_ERRNOS or "FOREIGN KEY constraint failed" in text:
        return CustomerNotFoundError(f"{action}: a referenced customer does not exist")
    unique = state == "23505" or errno == 1062 or "UNIQUE constraint failed" in text
    if unique and "debtor_account" in text:
        return DebtorAccountError(f"{action}: a debtor account is taken")
    found = _TABLE.search(error.statement or "")
    table = found.group(0) if found else None
    if unique and table == schema.customers.name:
        return InvalidInputError(f"{action}: a customer number is taken")
    if unique and table in (schema.bookings.name, schema.counters.name):
        # A concurrent transaction inserted the same booking or counter row first; the retry
        # sees that row and updates it.
        return StoreBusyError(f"{action}: a concurrent transaction inserted the same row")
    return StoreError(f"{action}: the database refused the data ({type(orig).__name__})")


def _translate(error: sa_exc.SQLAlchemyError, action: str) -> CustmodelError:
    """Return the custmodel error for a SQLAlchemy error raised while doing ``action``.

    The message names the action and the driver's exception class, never the driver's text,
    which can quote the values of a row. Raise it with :func:`_raise_translated`, which
    chains a :class:`DriverError` instead of ``error``.
    """
    if isinstance(error, sa_exc.DBAPIError):
        if _is_busy(error):
            return StoreBusyError(f"{action}: the database is busy, try again")
        if isinstance(error, sa_exc.IntegrityError):
            return _integrity(error, action)
        return StoreError(f"{action}: database error ({type(error.orig).__name__})")
    return StoreError(f"{action}: database error ({type(error).__name__})")


class DriverError(CustmodelError):
    """What a database error was, without anything it said about the data.

    The SQL store raises custmodel errors with this as their cause and context, never the
    driver's exception: SQLAlchemy's exception keeps the statement and its parameters (the
    values of a row, the text searched for), and the driver's message can quote values too
    (PostgreSQL's ``DETAIL: Key (...)=(...)``, MariaDB's ``Duplicate entry '...'``). A
    logger's ``exc_info`` or a printed traceback thus shows the error class and code, which is
    what a diagnosis needs, and no personal data. The store never raises this error itself.

    Attributes:
        error_class: The driver's exception class, with its module, e.g.
            ``"psycopg.errors.UniqueViolation"``.
        sqlstate: The SQLSTATE code (PostgreSQL), or None.
        errno: The MySQL/MariaDB error number, or None.
        sqlite_error: SQLite's extended result code name, e.g. ``"SQLITE_CONSTRAINT_UNIQUE"``,
            or None.
        constraint: The constraint the database names (PostgreSQL), or None.
    """

    def __init__(
        self,
        error_class: str,
        *,
        sqlstate: str | None = None,
        errno: int | None = None,
        sqlite_error: str | None = None,
        constraint: str | None = None,
    ) -> None:
        details = [
            f"{name} {value}"
            for name, value in (
                ("SQLSTATE", sqlstate),
                ("errno", errno),
                ("SQLite", sqlite_error),
                ("constraint", constraint),
            )
            if value is not None
        ]
        super().__init__(f"{error_class} ({', '.join(details)})" if details else error_class)
        self.error_class = error_class
        self.sqlstate = sqlstate
        self.errno = errno
        self.sqlite_error = sqlite_error
        self.constraint = constraint

    @classmethod
    def of(cls, error: BaseException) -> DriverError:
        """Summarize ``error`` (a SQLAlchemy error, or the driver's own) without its text."""
        orig = getattr(error, "orig", None) if isinstance(error, sa_exc.StatementError) else None
        cause = orig if isinstance(orig, BaseException) else error
        diag = getattr(cause, "diag", None)
        constraint = getattr(diag, "constraint_name", None)
        sqlite_error = getattr(cause, "sqlite_errorname", None)
        return cls(
            f"{type(cause).__module__}.{type(cause).__qualname__}",
            sqlstate=_sqlstate(cause),
            errno=_mysql_errno(cause),
            sqlite_error=sqlite_error if isinstance(sqlite_error, str) else None,
            constraint=constraint if isinstance(constraint, str) else None,
        )


def _raise_with_cause(error: CustmodelError, cause: DriverError) -> NoReturn:
    """Raise ``error`` with ``cause`` as its ``__cause__`` and its ``__context__``.

    ``raise error from cause`` inside an ``except`` block would keep the exception being
    handled as ``__context__``, where tracebacks, loggers and error trackers still find it.
    """
    try:
        raise error from cause
    except CustmodelError as raised:
        raised.__context__ = cause
        raise


def _raise_translated(error: sa_exc.SQLAlchemyError, action: str) -> NoReturn:
    """Raise the custmodel error for ``error`` (see :func:`_translate`), chained to a
    :class:`DriverError` instead of ``error``."""
    _raise_with_cause(_translate(error, action), DriverError.of(error))


@contextmanager
def _translating(action: str) -> Iterator[None]:
    """Translate SQLAlchemy errors raised in the block; custmodel's own errors pass through."""
    try:
        yield
    except sa_exc.SQLAlchemyError as error:
        _raise_translated(error, action)
    except UnicodeEncodeError as error:
        # Drivers encode text as UTF-8 while sending it; lone surrogates cannot be. The
        # error's ``object`` is the whole text, so it is not chained either.
        _raise_with_cause(
            InvalidInputError(f"{action}: text that is not valid Unicode"), DriverError.of(error)
        )


# -- logging ------------------------------------------------------------------------------------

#: The ``logging_name`` of the engines :meth:`SqlStore.from_url` creates: SQLAlchemy logs
#: their statements to the logger ``sqlalchemy.engine.Engine.custmodel``.
_LOGGING_NAME: Final = "custmodel"


class _NoRowLogging(logging.Filter):
    """Drop SQLAlchemy's DEBUG records of custmodel's engines: they print whole result rows.

    At DEBUG, SQLAlchemy logs every row a statement returns (``Row (...)``) and the column
    names; at INFO it logs statements, whose parameters ``hide_parameters`` hides. Dropping
    the DEBUG level as a whole, not lines that look like rows, keeps working whatever words
    a SQLAlchemy version uses for them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


logging.getLogger(f"sqlalchemy.engine.Engine.{_LOGGING_NAME}").addFilter(_NoRowLogging())


def _chunks(values: Collection[_T]) -> Iterator[list[_T]]:
    """Yield ``values`` without duplicates in lists short enough for one ``IN (...)``."""
    items = list(dict.fromkeys(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


# -- host references ----------------------------------------------------------------------------


@attrs.frozen
class HostReference:
    """A column of a host application's table that holds customer numbers.

    Attributes:
        table: The table's name, as the database's catalog spells it.
        column: The column's name, likewise.
    """

    table: str
    column: str

    @property
    def name(self) -> str:
        """How plans, reports and merge records name it: "table.column"."""
        return f"{self.table}.{self.column}"

    def clause(self) -> TableClause:
        """Return the table with just this column, for statements (quoted as needed)."""
        return table(self.table, column(self.column))


class DriverConnection(Protocol):
    """A DB-API (PEP 249) connection, as far as :meth:`SqlStore.hold_customer` uses one.

    Connections of sqlite3, psycopg and PyMySQL are, and so are the pooled ones SQLAlchemy's
    ``engine.raw_connection()`` returns.
    """

    def cursor(self) -> Any:
        """Return a new cursor."""


#: How many merge tombstones :meth:`SqlStore.hold_customer` follows before it calls the data
#: broken (as :meth:`custmodel.CustomerBook.resolve` does).
_MAX_CHAIN: Final = 10_000

#: Reads where customer ``number`` was merged to, under a lock that a merge's lock on the row
#: (PostgreSQL ``FOR NO KEY UPDATE``, MariaDB ``FOR UPDATE``) waits for: ``FOR SHARE``, MariaDB
#: ``LOCK IN SHARE MODE``. A foreign key check takes only ``FOR KEY SHARE`` on PostgreSQL,
#: which a merge does not wait for. SQLite renders no lock clause.
_HOLD: Final = (
    select(_c.merged_into).where(_c.number == bindparam("number")).with_for_update(read=True)
)

#: Changes nothing but takes SQLite's write lock: a transaction begun IMMEDIATE has it already,
#: a deferred one is upgraded (or refused as busy when it read data a writer changed since).
_TAKE_WRITE_LOCK: Final = update(schema.customers).where(false()).values(version=_c.version)

#: psycopg's ``TransactionStatus`` INTRANS and INERROR: a transaction is open.
_PSYCOPG_IN_TRANSACTION: Final = frozenset({2, 3})
#: MySQL protocol server status bits (PyMySQL keeps the last ones the server sent).
_MYSQL_IN_TRANS: Final = 0x0001
_MYSQL_AUTOCOMMIT: Final = 0x0002


def _driver_connection(connection: Any) -> Any:
    """Return the driver's own connection behind a SQLAlchemy or pooled DB-API connection."""
    if isinstance(connection, Connection):
        return connection.connection.driver_connection
    return getattr(connection, "driver_connection", connection)


def _in_transaction(driver: Any) -> bool | None:
    """Whether the driver's connection has a transaction open; None where it cannot tell.

    Knows the drivers custmodel installs: sqlite3, psycopg (3) and PyMySQL.
    """
    if isinstance(getattr(driver, "in_transaction", None), bool):  # sqlite3
        return bool(driver.in_transaction)
    status = getattr(getattr(driver, "info", None), "transaction_status", None)  # psycopg
    if status is not None:
        return int(status) in _PSYCOPG_IN_TRANSACTION
    server_status = getattr(driver, "server_status", None)  # PyMySQL
    if isinstance(server_status, int):
        # Without autocommit every statement runs in a transaction that lasts until COMMIT;
        # with it, only after an explicit BEGIN (whose answer set IN_TRANS).
        return not server_status & _MYSQL_AUTOCOMMIT or bool(server_status & _MYSQL_IN_TRANS)
    return None


# -- the transaction ----------------------------------------------------------------------------

# Built once: its SQLAlchemy cache key is then computed once, not on every lookup.
_BY_CODE1: Final = (
    select(schema.customers)
    .where(_c.code1 == bindparam("code1"), _c.merged_into.is_(None))
    .order_by(_c.number)
)

# Statements of every registration, built once: building a statement costs more than
# SQLAlchemy's execution of a cached one, and these run in every transaction that registers.

#: The settings row joined to every kind's row (NULLs for no kinds), in one round trip.
_SETTINGS_ROWS: Final = (
    select(schema.settings, schema.kind_settings)
    .select_from(schema.settings.outerjoin(schema.kind_settings, true()))
    .where(schema.settings.c.id == _SETTINGS_ID)
    .order_by(schema.kind_settings.c.kind)
)
_SETTINGS_WIDTH: Final = len(schema.settings.columns)
_SETTINGS_KEY: Final = select(schema.settings.c.id).where(schema.settings.c.id == _SETTINGS_ID)
#: Lock the settings row before the settings are read (see ``SqlTransaction.get_settings``).
_SETTINGS_SHARE_LOCK: Final = _SETTINGS_KEY.with_for_update(read=True)
_SETTINGS_UPDATE_LOCK: Final = _SETTINGS_KEY.with_for_update()

_counter = schema.counters.c
_THIS_COUNTER: Final = _counter.name == bindparam("counter_name")
#: Advances a counter by ``counter_step``; with RETURNING it hands back the new value.
_ADVANCE: Final = (
    update(schema.counters)
    .where(_THIS_COUNTER)
    .values(value=_counter.value + bindparam("counter_step", type_=_counter.value.type))
)
_ADVANCE_RETURNING: Final = _ADVANCE.returning(_counter.value)
_LOCK_COUNTER: Final = select(_counter.value).where(_THIS_COUNTER).with_for_update()

#: Which of the given numbers and debtor accounts stored customers hold.
_TAKEN_KEYS: Final = select(_c.number, _c.debtor_account).where(
    or_(
        _c.number.in_(bindparam("numbers", expanding=True)),
        _c.debtor_account.in_(bindparam("accounts", expanding=True)),
    )
)


@functools.lru_cache(maxsize=32)
def _settings_from_rows(row: tuple[Any, ...], kind_rows: tuple[tuple[Any, ...], ...]) -> Settings:
    """Return the settings stored in these rows.

    Every operation of the book reads the settings; building and validating them from the
    rows cost a third of registering one customer. Settings are immutable, so the same rows
    give the same object again.
    """
    values = dict(zip(schema.settings.columns.keys(), row, strict=True))
    kind_columns = schema.kind_settings.columns.keys()
    kinds = {}
    for kind_row in kind_rows:
        kind_values = dict(zip(kind_columns, kind_row, strict=True))
        kinds[CustomerKind(kind_values["kind"])] = kind_settings_from_row(kind_values)
    return Settings(
        debtor_base=int(values["debtor_base"]),
        anonymization_delay_days=int(values["anonymization_delay_days"]),
        kinds=kinds,
    )


#: The columns :func:`_versioned_update` writes: all but the number, which never changes. A
#: number in the SET list, even unchanged, makes SQLite check every foreign key that refers to
#: it for rows still pointing at the old value, and ``custmodel_customers.merged_into`` has no
#: index: each updated customer would cost a scan of the whole customer table.
_UPDATED_COLUMNS: Final = tuple(c.name for c in schema.customers.columns if c.name != "number")


def _versioned_update() -> Update:
    """UPDATE of every customer column but the number, guarded by number and read version."""
    return (
        update(schema.customers)
        .where(_c.number == bindparam("w_number"), _c.version == bindparam("w_version"))
        .values({name: bindparam(f"v_{name}") for name in _UPDATED_COLUMNS})
    )


def _versioned_params(old: Customer, row: Mapping[str, Any]) -> dict[str, Any]:
    """Bind parameters of :func:`_versioned_update` for one customer."""
    params = {f"v_{name}": row[name] for name in _UPDATED_COLUMNS}
    params["w_number"] = old.number
    params["w_version"] = old.version
    return params


class SqlTransaction:
    """One transaction on a :class:`SqlStore`; see :class:`custmodel.storage.StoreTransaction`.

    In a write transaction, reading customers by number locks their rows until the transaction
    ends (``FOR NO KEY UPDATE`` on PostgreSQL, ``FOR UPDATE`` on MariaDB; SQLite's
    ``BEGIN IMMEDIATE`` serializes writers anyway). What the book checks about a customer then
    stays true until it writes: a request for erasure cannot slip in between a merge's or an
    anonymization's reads and writes, nor two requests for one customer past each other's check.
    """

    def __init__(
        self,
        connection: Connection,
        references: Mapping[str, HostReference] | None = None,
        *,
        write: bool = True,
    ) -> None:
        self._conn = connection
        dialect = connection.dialect
        self._aware_times = dialect.name == "postgresql"
        self._update_returning = bool(dialect.update_returning)
        # SQLite serializes write transactions (BEGIN IMMEDIATE): row locks add nothing.
        self._row_locks = dialect.name != "sqlite"
        self._references = dict(sorted((references or {}).items()))
        self._write = write
        # References get_booking found no row for: no lock covers a row that is not there.
        self._absent_bookings: set[str] = set()

    def _customers_where(
        self, clause: ColumnElement[bool], *, lock: bool = False
    ) -> list[Customer]:
        statement = select(schema.customers).where(clause).order_by(_c.number)
        if lock and self._write:
            # key_share: PostgreSQL's FOR NO KEY UPDATE, which lets foreign key checks (a new
            # booking of the customer) pass; MariaDB has only FOR UPDATE.
            statement = statement.with_for_update(key_share=True)
        return self._customers_of(statement)

    def _customers_of(
        self, statement: Select[Any], parameters: Mapping[str, Any] | None = None
    ) -> list[Customer]:
        """Run ``statement`` (whole rows of the customers table) and build its customers."""
        # All rows at once and by position: no per-row fetch, no per-column name look-up.
        rows = self._conn.execute(statement, parameters).all()
        return [_customer_from_table_row(r) for r in rows]

    def _count_where(self, clause: ColumnElement[bool]) -> int:
        statement = select(func.count()).select_from(schema.customers).where(clause)
        return int(self._conn.execute(statement).scalar_one())

    # -- settings ---------------------------------------------------------------------------

    def get_settings(self, *, lock: SettingsLock | None = None) -> Settings | None:
        """Return the stored settings, or None if none were ever stored.

        With ``lock`` in a write transaction on PostgreSQL or MariaDB the settings row is
        locked first (``FOR SHARE``/``LOCK IN SHARE MODE``, or ``FOR UPDATE``), and the
        settings are read by the next statement: under READ COMMITTED that statement sees
        what a transaction that held the lock committed. SQLite's ``BEGIN IMMEDIATE`` has
        serialized the writers already.
        """
        with _translating("read the settings"):
            if lock is not None and self._write and self._row_locks:
                statement = _SETTINGS_UPDATE_LOCK if lock == "update" else _SETTINGS_SHARE_LOCK
                self._conn.execute(statement)
            rows = [tuple(r) for r in self._conn.execute(_SETTINGS_ROWS)]
        if not rows:
            return None
        width = _SETTINGS_WIDTH
        # The kind columns start with the kind, its key: NULL only when no kind row joined.
        kinds = tuple(r[width:] for r in rows if r[width] is not None)
        return _settings_from_rows(rows[0][:width], kinds)

    def put_settings(self, settings: Settings) -> None:
        """Store ``settings``: update the settings row and each kind's row in place.

        Rows are updated, not deleted and inserted again, so a transaction reading the
        settings meanwhile never finds them missing. Kind rows are inserted only for kinds not
        stored yet and deleted only for kinds no longer given. Two transactions storing the
        very first settings of an empty store collide on the settings row's key; the loser
        gets :class:`~custmodel.errors.StoreBusyError`, and its retry updates the row.
        """
        book_row = {
            "debtor_base": settings.debtor_base,
            "anonymization_delay_days": settings.anonymization_delay_days,
        }
        rows = {k.value: kind_settings_to_row(k, s) for k, s in settings.kinds.items()}
        with _translating("store the settings"):
            written = self._conn.execute(
                update(schema.settings).where(schema.settings.c.id == _SETTINGS_ID),
                book_row,
            )
            if written.rowcount == 0:
                try:
                    self._conn.execute(insert(schema.settings), {"id": _SETTINGS_ID, **book_row})
                except sa_exc.IntegrityError as error:
                    raise StoreBusyError(
                        "store the settings: a concurrent transaction stored the first ones"
                    ) from error
            stored = {str(r[0]): tuple(r) for r in self._conn.execute(select(schema.kind_settings))}
            columns = schema.kind_settings.columns.keys()
            gone = sorted(set(stored) - set(rows))
            if gone:
                self._conn.execute(
                    delete(schema.kind_settings).where(schema.kind_settings.c.kind.in_(gone))
                )
            for kind, row in sorted(rows.items()):
                old = stored.get(kind)
                if old is None:
                    self._conn.execute(insert(schema.kind_settings), row)
                elif dict(zip(columns, old, strict=True)) != row:
                    self._conn.execute(
                        update(schema.kind_settings)
                        .where(schema.kind_settings.c.kind == kind)
                        .values({c: v for c, v in row.items() if c != "kind"})
                    )

    # -- numbering --------------------------------------------------------------------------

    def allocate_numbers(self, count: int = 1) -> int:
        """Reserve ``count`` consecutive customer numbers and return the first.

        The counter row stays locked until the transaction ends, so a concurrent registration
        waits for it, and a rollback returns the numbers.
        """
        if count < 1:
            raise InvalidInputError("allocate at least one customer number")
        with _translating("allocate customer numbers"):
            return self._advance(schema.CUSTOMER_NUMBER_COUNTER, count)

    def _advance(self, name: str, count: int = 1) -> int:
        """Advance the counter row ``name`` by ``count`` and return the first value reserved.

        The row stays locked until the transaction ends, so a concurrent transaction waits
        for it, and a rollback gives the values back.
        """
        params = {"counter_name": name, "counter_step": count}
        last: int | None
        if self._update_returning:
            last = self._conn.execute(_ADVANCE_RETURNING, params).scalar_one_or_none()
        else:
            current = self._conn.execute(_LOCK_COUNTER, params).scalar_one_or_none()
            last = None
            if current is not None:
                self._conn.execute(_ADVANCE, params)
                last = int(current) + count
        if last is None:
            # A schema made without the migration has no counter row yet. Two transactions
            # racing to create it collide on the key; the loser is told to retry.
            self._conn.execute(insert(schema.counters).values(name=name, value=count))
            last = count
        return int(last) - count + 1

    # -- customers --------------------------------------------------------------------------

    def insert_customers(self, customers: Sequence[Customer]) -> None:
        """Insert new customers in one statement; see :class:`StoreTransaction`.

        Raises:
            DebtorAccountError: if a debtor account is taken (stored, or twice in the batch).
            InvalidInputError: if a customer number is taken.
        """
        if not customers:
            return
        taken_numbers: set[int] = set()
        taken_accounts: set[int] = set()
        with _translating("insert customers"):
            # One read checks both keys, so the errors are the memory store's, in its order.
            for part in _chunks(customers):
                numbers = [c.number for c in part]
                accounts = [c.debtor_account for c in part]
                found = self._conn.execute(_TAKEN_KEYS, {"numbers": numbers, "accounts": accounts})
                for number, account in found:
                    taken_numbers.add(int(number))
                    taken_accounts.add(int(account))
        batch_numbers: set[int] = set()
        batch_accounts: set[int] = set()
        for customer in customers:
            if customer.number in taken_numbers or customer.number in batch_numbers:
                raise InvalidInputError(f"customer number {customer.number} is taken")
            account = customer.debtor_account
            if account in taken_accounts or account in batch_accounts:
                raise DebtorAccountError(f"debtor account {account} is taken")
            batch_numbers.add(customer.number)
            batch_accounts.add(account)
        rows = [customer_to_row(c, aware_times=self._aware_times) for c in customers]
        with _translating("insert customers"):
            self._conn.execute(insert(schema.customers), rows)

    def get_customer(self, number: int) -> Customer | None:
        """Return the customer with ``number`` (tombstones included), or None."""
        with _translating(f"read customer {number}"):
            found = self._customers_where(_c.number == number, lock=True)
        return found[0] if found else None

    def get_customers(self, numbers: Collection[int]) -> dict[int, Customer]:
        """Return the customers with these numbers that exist, by number."""
        result: dict[int, Customer] = {}
        with _translating("read customers"):
            for part in _chunks(numbers):
                found = self._customers_where(_c.number.in_(part), lock=True)
                result.update((c.number, c) for c in found)
        return result

    def customer_by_debtor_account(self, account: int) -> Customer | None:
        """Return the customer (tombstones included) holding ``account``, or None."""
        with _translating(f"read debtor account {account}"):
            found = self._customers_where(_c.debtor_account == account)
        return found[0] if found else None

    def debtor_accounts_taken(self, accounts: Collection[int]) -> set[int]:
        """Return which of ``accounts`` are held by a stored customer (tombstones included)."""
        taken: set[int] = set()
        with _translating("read debtor accounts"):
            for part in _chunks(accounts):
                statement = select(_c.debtor_account).where(_c.debtor_account.in_(part))
                taken.update(int(a) for a in self._conn.execute(statement).scalars())
        return taken

    def update_customers(self, customers: Sequence[Customer]) -> list[Customer]:
        """Replace stored customers if their versions are current; see :class:`StoreTransaction`.

        Raises:
            CustomerNotFoundError: if a number is not stored.
            ConcurrentUpdateError: if a stored version differs (nothing is written).
            DebtorAccountError: if a changed debtor account is held by another customer.
            InvalidInputError: if a text exceeds its column.
        """
        if not customers:
            return []
        versions: dict[int, int] = {}
        holders: dict[int, int] = {}
        with _translating("update customers"):
            for part in _chunks([c.number for c in customers]):
                found = self._conn.execute(select(_c.number, _c.version).where(_c.number.in_(part)))
                versions.update((int(n), int(v)) for n, v in found)
            for accounts in _chunks([c.debtor_account for c in customers]):
                found = self._conn.execute(
                    select(_c.debtor_account, _c.number).where(_c.debtor_account.in_(accounts))
                )
                holders.update((int(a), int(n)) for a, n in found)
        for customer in customers:
            stored = versions.get(customer.number)
            if stored is None:
                raise CustomerNotFoundError(
                    f"customer {customer.number} not found", number=customer.number
                )
            if stored != customer.version:
                raise ConcurrentUpdateError(customer.number, customer.version, stored)
            holder = holders.get(customer.debtor_account)
            if holder is not None and holder != customer.number:
                raise DebtorAccountError(f"debtor account {customer.debtor_account} is taken")
        result = [attrs.evolve(c, version=c.version + 1) for c in customers]
        rows = [customer_to_row(c, aware_times=self._aware_times) for c in result]
        # A savepoint keeps the method all-or-nothing when a concurrent writer slips in
        # between the checks above and the writes (possible under READ COMMITTED).
        savepoint = self._conn.begin_nested() if len(rows) > 1 else nullcontext()
        with _translating("update customers"), savepoint:
            pairs = list(zip(customers, rows, strict=True))
            if len(pairs) > 1 and self._conn.dialect.supports_sane_multi_rowcount:
                # One executemany for the whole batch. Only when its summed row count shows a
                # concurrent writer in between is the batch undone and redone row by row, to
                # name the customer that changed.
                batch = self._conn.begin_nested()
                written = self._conn.execute(
                    _versioned_update(), [_versioned_params(old, row) for old, row in pairs]
                )
                if written.rowcount == len(pairs):
                    batch.commit()
                    return result
                batch.rollback()
            for old, row in pairs:
                single = self._conn.execute(_versioned_update(), _versioned_params(old, row))
                if single.rowcount != 1:
                    actual = self._conn.execute(
                        select(_c.version).where(_c.number == old.number)
                    ).scalar_one_or_none()
                    if actual is None:
                        raise CustomerNotFoundError(
                            f"customer {old.number} not found", number=old.number
                        )
                    raise ConcurrentUpdateError(old.number, old.version, int(actual))
        return result

    def find_by_code1(self, code1: str) -> list[Customer]:
        """Return active customers whose Code1 equals ``code1``, by number (index lookup)."""
        if not _storable(code1):
            return []  # no customer can hold it (see _equals)
        with _translating("find customers by code1"):
            return self._customers_of(_BY_CODE1, {"code1": code1})

    def select(self, selection: Selection) -> list[Customer]:
        """Return the customers ``selection.matches``, ordered by number."""
        with _translating("select customers"):
            return self._customers_where(selection_clause(selection))

    def count(self, selection: Selection) -> int:
        """Return how many customers ``selection.matches``."""
        with _translating("count customers"):
            return self._count_where(selection_clause(selection))

    def select_page(self, selection: Selection, after: int, limit: int) -> list[Customer]:
        """Return at most ``limit`` selected customers numbered above ``after``, by number.

        A range scan of the primary key from ``after`` on, stopped by LIMIT.
        """
        if limit < 1:
            return []
        statement = (
            select(schema.customers)
            .where(selection_clause(selection), _c.number > after)
            .order_by(_c.number)
            .limit(limit)
        )
        with _translating("select a page of customers"):
            return self._customers_of(statement)

    def set_status(self, selection: Selection, flag: int, on: bool, now: datetime) -> int:
        """Set or clear one flag on every selected customer in one UPDATE.

        Only rows whose flag changes are written (version + 1, ``updated_at = now``).

        Returns:
            How many customers changed.
        """
        where = selection_clause(selection)
        with _translating("set a status flag"):
            try:
                bit = 1 << (check_flag_number(flag) - 1)
            except InvalidStatusFlagError:
                # The memory store finds a bad flag number at the first selected customer.
                if self._count_where(where):
                    raise
                return 0
            changes = _and_bits(bit) == 0 if on else _and_bits(bit) != 0
            if now.tzinfo is None or now.utcoffset() is None:
                # ... and a naive ``now`` at the first customer it changes.
                if self._count_where(and_(where, changes)):
                    raise InvalidInputError("updated_at must be a timezone-aware datetime")
                return 0
            status = (
                _c.status.op("|", return_type=BigInteger)(_bits(bit))
                if on
                else _and_bits(_ALL_BITS - bit)
            )
            written = self._conn.execute(
                update(schema.customers)
                .where(where, changes)
                .values(
                    status=status,
                    version=_c.version + 1,
                    updated_at=_time_to_db(now, aware=self._aware_times),
                )
            )
        return int(written.rowcount)

    def kinds_in(self, selection: Selection) -> set[str]:
        """Return the kind values present among the selected customers."""
        statement = select(_c.kind).distinct().where(selection_clause(selection))
        with _translating("read the kinds of a selection"):
            return {str(kind) for kind in self._conn.execute(statement).scalars()}

    # -- bookings ---------------------------------------------------------------------------

    def get_booking(self, reference: str) -> Booking | None:
        """Return the booking with ``reference``, or None; a write transaction locks its row."""
        statement = select(schema.bookings).where(_equals(_b.reference, reference))
        if self._write:
            statement = statement.with_for_update()
        with _translating("read a booking"):
            row = self._conn.execute(statement).mappings().one_or_none()
        if row is None:
            if self._write:
                self._absent_bookings.add(reference)
            return None
        self._absent_bookings.discard(reference)
        return booking_from_row(row)

    def put_booking(self, booking: Booking) -> None:
        """Insert ``booking``, or replace the stored booking with its reference.

        A reference this transaction's ``get_booking`` found no row for is only inserted:
        read committed would let an UPDATE find a row another transaction committed since,
        and overwrite a booking nobody here has seen. The INSERT collides with that row's key
        instead, and the book retries (``StoreBusyError``).
        """
        row = booking_to_row(booking)
        for name, length in _BOOKING_LENGTHS.items():
            if isinstance(row[name], str) and len(row[name]) > length:
                raise InvalidInputError(f"booking {name} is longer than {length} characters")
        with _translating(f"store booking for customer {booking.customer}"):
            replaced = None
            if booking.reference not in self._absent_bookings:
                replaced = self._conn.execute(
                    update(schema.bookings).where(_b.reference == booking.reference).values(row)
                )
            if replaced is None or replaced.rowcount == 0:
                self._conn.execute(insert(schema.bookings).values(row))
        self._absent_bookings.discard(booking.reference)

    def bookings_of(self, customers: Collection[int]) -> list[Booking]:
        """Return every booking of these customers, ordered by reference."""
        found: list[Booking] = []
        with _translating("read bookings"):
            for part in _chunks(customers):
                statement = select(schema.bookings).where(_b.customer.in_(part))
                found.extend(booking_from_row(r) for r in self._conn.execute(statement).mappings())
        # Python orders by code point; database collations may not, so sort here.
        return sorted(found, key=lambda b: b.reference)

    def booking_references(self, customers: Collection[int]) -> list[str]:
        """Return the references of every booking of these customers, ordered by code point."""
        found: list[str] = []
        with _translating("read booking references"):
            for part in _chunks(customers):
                statement = select(_b.reference).where(_b.customer.in_(part))
                found.extend(self._conn.execute(statement).scalars())
        return sorted(found)

    def move_bookings(self, from_customers: Collection[int], to_customer: int) -> int:
        """Point every booking of ``from_customers`` at ``to_customer`` in one UPDATE.

        Returns:
            How many bookings moved.
        """
        with _translating(f"move bookings to customer {to_customer}"):
            return self._repoint(schema.bookings, "customer", from_customers, to_customer)

    def _repoint(
        self, table: TableClause, column: str, from_customers: Collection[int], to_customer: int
    ) -> int:
        """Set ``table.column`` to ``to_customer`` where it holds one of ``from_customers``.

        One UPDATE per chunk of customers (SQLite limits bound parameters); returns the rows.
        """
        moved = 0
        for part in _chunks(from_customers):
            written = self._conn.execute(
                update(table).where(table.c[column].in_(part)).values({column: to_customer})
            )
            moved += int(written.rowcount)
        return moved

    def _require_customer(self, number: int) -> None:
        """Refuse a customer number that is not stored, as the foreign keys would."""
        found = self._conn.execute(select(_c.number).where(_c.number == number)).first()
        if found is None:
            raise CustomerNotFoundError(f"customer {number} not found", number=number)

    # -- statistics -------------------------------------------------------------------------

    def statistics(
        self,
        selection: Selection,
        group_by: Sequence[StatisticsDimension],
        period: DeparturePeriod,
    ) -> Statistics:
        """Count the statistics in one statement (:func:`statistics_statement`).

        The statement's cost grows with the rows it reads, never its number with the customers.
        """
        statement = statistics_statement(selection, group_by, period)
        with _translating("count statistics"):
            try:
                found = self._conn.execute(statement).all()
            except sa_exc.OperationalError as error:
                # Only SQLite's SUM of integers fails beyond 64 bits (the others sum exactly as
                # decimals); a failed SELECT leaves its transaction usable, so count again with
                # the revenue split in halves, which costs more and is needed only here.
                if "integer overflow" not in str(error.orig):
                    raise
                split = statistics_statement(selection, group_by, period, split_revenue=True)
                found = self._conn.execute(split).all()
        rows: list[StatisticsRow] = []
        totals = StatisticsRow()
        for is_total, *values, customers, firm_bookings, offers, upper, lower in found:
            counted = StatisticsRow(
                (),
                int(customers),
                int(firm_bookings),
                int(offers),
                _euros((int(upper) << 32) + int(lower)),
            )
            if int(is_total):
                totals = counted
            else:
                key = tuple(StatisticsKey.of(d, v) for d, v in zip(group_by, values, strict=True))
                rows.append(attrs.evolve(counted, key=key))
        return Statistics(group_by, period, rows, totals)

    # -- host references --------------------------------------------------------------------

    def reference_counts(self, customers: Collection[int]) -> dict[str, int]:
        """Return, per registered host reference, how many rows point at these customers.

        One ``SELECT COUNT(*)`` per reference (per 900 customers); every reference is listed.
        """
        counts: dict[str, int] = {}
        for name, reference in self._references.items():
            host = reference.clause()
            target = host.c[reference.column]
            total = 0
            with _translating(f"count the rows of host reference {name}"):
                for part in _chunks(customers):
                    statement = select(func.count()).select_from(host).where(target.in_(part))
                    total += int(self._conn.execute(statement).scalar_one())
            counts[name] = total
        return counts

    def move_references(self, from_customers: Collection[int], to_customer: int) -> dict[str, int]:
        """Point every registered host reference at ``from_customers`` to ``to_customer``.

        One ``UPDATE`` per reference (per 900 customers), in this transaction: a merge that
        fails later rolls the host's rows back with everything else.

        Returns:
            Rows moved per reference, every reference listed.

        Raises:
            CustomerNotFoundError: if ``to_customer`` is not stored and a host foreign key
                guards the column.
        """
        moved: dict[str, int] = {}
        for name, reference in self._references.items():
            host = reference.clause()
            with _translating(f"move host reference {name} to customer {to_customer}"):
                moved[name] = self._repoint(host, reference.column, from_customers, to_customer)
        return moved

    def unregistered_references(self) -> list[str]:
        """Return "table.column" of every foreign key to the customers that is not registered.

        Reads the database's catalog through this transaction's connection: every table of the
        current database (PostgreSQL: the tables visible through the ``search_path``) whose
        foreign key references ``custmodel_customers.number``, except custmodel's own tables
        and the registered references. One catalog query on every engine, however many rows
        or tables there are.
        """
        with _translating("read the foreign keys to customers"):
            dialect = self._conn.dialect.name
            if dialect in ("mysql", "mariadb"):
                found = self._mysql_customer_foreign_keys()
            elif dialect == "sqlite":
                found = self._sqlite_customer_foreign_keys()
            else:
                found = self._inspected_customer_foreign_keys()
        return sorted(
            name
            for name in {f"{t}.{c}" for t, c in found}
            if not name.startswith(_PREFIX) and name not in self._references
        )

    def _sqlite_customer_foreign_keys(self) -> list[tuple[str, str]]:
        """Return (table, column) of the foreign keys to customers, in one catalog query.

        The inspector would run two to three statements per table of the database.
        """
        rows = self._conn.exec_driver_sql(
            'SELECT m.name, k."from", k."table", k."to" '
            "FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS k "
            "WHERE m.type = 'table'"
        )
        target = schema.customers.name
        return [
            (str(name), str(source))
            for name, source, referred, to in rows
            # A key without a column list refers to the primary key: the number.
            if str(referred).lower() == target and (to is None or str(to).lower() == "number")
        ]

    def _inspected_customer_foreign_keys(self) -> list[tuple[str, str]]:
        """Return (table, column) of the foreign keys to customers the inspector reflects.

        PostgreSQL's inspector reads every foreign key of the tables visible through the
        ``search_path`` in one catalog query.
        """
        target = schema.customers.name
        found: list[tuple[str, str]] = []
        keys = sa_inspect(self._conn).get_multi_foreign_keys()
        for (_schema, table_name), constraints in keys.items():
            for key in constraints:
                if key.get("referred_schema") is not None:
                    continue  # another schema's custmodel_customers, not ours
                if str(key["referred_table"]).lower() != target:
                    continue
                pairs = zip(key["constrained_columns"], key["referred_columns"], strict=False)
                found.extend((table_name, col) for col, ref in pairs if ref.lower() == "number")
        return found

    def _mysql_customer_foreign_keys(self) -> list[tuple[str, str]]:
        """Return (table, column) of the foreign keys to customers, in one catalog query.

        The inspector would run ``SHOW CREATE TABLE`` once per table of the database.
        """
        # MariaDB's catalog column names are case-insensitive.
        usage = table(
            "KEY_COLUMN_USAGE",
            column("table_schema"),
            column("table_name"),
            column("column_name"),
            column("referenced_table_schema"),
            column("referenced_table_name"),
            column("referenced_column_name"),
            schema="information_schema",
        ).c
        statement = select(usage.table_name, usage.column_name).where(
            usage.table_schema == func.database(),
            usage.referenced_table_schema == func.database(),
            usage.referenced_table_name == schema.customers.name,
            usage.referenced_column_name == "number",
        )
        return [(str(t), str(c)) for t, c in self._conn.execute(statement)]

    # -- merge audit --------------------------------------------------------------------------

    def add_merge_record(self, record: MergeRecord) -> MergeRecord:
        """Store ``record`` with the next running id (its own ``id`` is ignored); return it.

        Raises:
            CustomerNotFoundError: if the master or a duplicate is not stored.
        """
        with _translating(f"record the merge into customer {record.master}"):
            stored = attrs.evolve(record, id=self._advance(schema.MERGE_RECORD_COUNTER))
            self._conn.execute(
                insert(schema.merges).values(
                    merge_record_to_row(stored, aware_times=self._aware_times)
                )
            )
            duplicates = list(dict.fromkeys(stored.duplicates))
            if duplicates:
                self._conn.execute(
                    insert(schema.merge_duplicates),
                    [{"merge_id": stored.id, "customer": n} for n in duplicates],
                )
        return stored

    def merge_records(self, customer: int | None = None) -> list[MergeRecord]:
        """Return the merge records ordered by id; with ``customer``, those naming it.

        A record names a customer as its master (index on ``master``) or as one of its
        duplicates (index on ``custmodel_merge_duplicates.customer``): two index lookups.
        """
        statement = select(schema.merges).order_by(_m.id)
        if customer is not None:
            # A UNION of two index lookups; "master = n OR id IN (...)" scans the table on
            # PostgreSQL and MariaDB.
            as_master = select(schema.merges).where(_m.master == customer)
            as_duplicate = (
                select(schema.merges)
                .join(schema.merge_duplicates, _md.merge_id == _m.id)
                .where(_md.customer == customer)
            )
            found = union(as_master, as_duplicate).subquery()
            statement = select(found).order_by(found.c.id)
        with _translating("read merge records"):
            rows = self._conn.execute(statement).mappings().all()
        return [merge_record_from_row(r) for r in rows]

    # -- erasure requests ---------------------------------------------------------------------

    def add_erasure_request(
        self, customer: int, received_on: date, recorded_at: datetime
    ) -> ErasureRequest:
        """Store an open erasure request with the next running id and return it.

        Raises:
            CustomerNotFoundError: if the customer is not stored.
            InvalidInputError: for a naive ``recorded_at`` or a ``received_on`` that is no date.
        """
        with _translating(f"record an erasure request of customer {customer}"):
            self._require_customer(customer)
            # Validated before the counter moves, so a refused request takes no id.
            request = ErasureRequest(
                id=0, customer=customer, received_on=received_on, recorded_at=recorded_at
            )
            request = attrs.evolve(request, id=self._advance(schema.ERASURE_REQUEST_COUNTER))
            self._conn.execute(
                insert(schema.erasure_requests).values(
                    id=request.id,
                    customer=request.customer,
                    received_on=request.received_on,
                    recorded_at=_time_to_db(request.recorded_at, aware=self._aware_times),
                    completed_at=None,
                )
            )
        return request

    def erasure_requests(
        self, *, open_only: bool = True, customers: Collection[int] | None = None
    ) -> list[ErasureRequest]:
        """Return erasure requests ordered by id (open ones unless ``open_only`` is False)."""
        where: list[ColumnElement[bool]] = [_e.completed_at.is_(None)] if open_only else []
        parts: list[list[int] | None] = [None] if customers is None else list(_chunks(customers))
        found: list[ErasureRequest] = []
        with _translating("read erasure requests"):
            for part in parts:
                clauses = where if part is None else [*where, _e.customer.in_(part)]
                statement = select(schema.erasure_requests).where(true(), *clauses)
                rows = self._conn.execute(statement.order_by(_e.id)).mappings()
                found.extend(erasure_request_from_row(r) for r in rows)
        return sorted(found, key=lambda r: r.id)

    def move_erasure_requests(self, from_customers: Collection[int], to_customer: int) -> int:
        """Point the erasure requests of ``from_customers`` at ``to_customer`` in one UPDATE.

        Raises:
            CustomerNotFoundError: if ``to_customer`` is not stored.
        """
        with _translating(f"move erasure requests to customer {to_customer}"):
            moved = self._repoint(schema.erasure_requests, "customer", from_customers, to_customer)
            if not moved:
                # The foreign key checks the target only when a row moves.
                self._require_customer(to_customer)
        return moved

    def complete_erasure_requests(self, customers: Collection[int], when: datetime) -> int:
        """Mark the open requests of these customers completed at ``when`` in one UPDATE.

        Raises:
            InvalidInputError: for a naive ``when``, if there is a request to complete (the
                memory store finds it at the first one).
        """
        completed = 0
        with _translating("complete erasure requests"):
            if when.tzinfo is None or when.utcoffset() is None:
                if self.erasure_requests(open_only=True, customers=customers):
                    raise InvalidInputError("completed_at must be a timezone-aware datetime")
                return 0
            for part in _chunks(customers):
                written = self._conn.execute(
                    update(schema.erasure_requests)
                    .where(_e.customer.in_(part), _e.completed_at.is_(None))
                    .values(completed_at=_time_to_db(when, aware=self._aware_times))
                )
                completed += int(written.rowcount)
        return completed

    def redate_erasure_request(self, request_id: int, received_on: date) -> ErasureRequest | None:
        """Set the receipt day of the open erasure request ``request_id`` in one UPDATE.

        Returns the request as stored now, or None if no open request has that id.

        Raises:
            InvalidInputError: if ``received_on`` is no date.
        """
        with _translating(f"change the receipt day of erasure request {request_id}"):
            found = self._open_request(request_id)
            if found is None:
                return None
            # Validated before it is written, as the memory store validates.
            redated = attrs.evolve(found, received_on=received_on)
            self._conn.execute(
                update(schema.erasure_requests)
                .where(_e.id == request_id, _e.completed_at.is_(None))
                .values(received_on=received_on)
            )
        return redated

    def _open_request(self, request_id: int) -> ErasureRequest | None:
        """Return the open erasure request with ``request_id``, or None."""
        row = (
            self._conn.execute(
                select(schema.erasure_requests).where(
                    _e.id == request_id, _e.completed_at.is_(None)
                )
            )
            .mappings()
            .one_or_none()
        )
        return None if row is None else erasure_request_from_row(row)

    def delete_erasure_requests(self, request_ids: Collection[int]) -> int:
        """Delete the open erasure requests with these ids, one DELETE per chunk of ids."""
        deleted = 0
        with _translating("delete erasure requests"):
            for part in _chunks(request_ids):
                written = self._conn.execute(
                    delete(schema.erasure_requests).where(
                        _e.id.in_(part), _e.completed_at.is_(None)
                    )
                )
                deleted += int(written.rowcount)
        return deleted

    def due_erasures(
        self, acting_agency: str, cutoff: date, after: int, limit: int, *, received_by: date
    ) -> list[int]:
        """Return customers with an open erasure request whom ``acting_agency`` may anonymize.

        One query: the open requests received by ``received_by`` (an index range of
        ``completed_at, customer`` past ``after``) joined to their active, not anonymized
        customers, without a firm booking that blocks (an anti-join probing the index on
        ``custmodel_bookings.customer``).
        """
        if limit < 1:
            return []
        b = schema.bookings.alias("b")
        agency_differs = b.c.point_of_sale != acting_agency if _storable(acting_agency) else true()
        # An anti-join written as LEFT JOIN ... IS NULL: every engine probes the bookings'
        # customer index per open request (MariaDB would materialize a NOT EXISTS over the
        # whole bookings table).
        blocking = and_(
            b.c.customer == _e.customer,
            b.c.kind == BookingKind.BOOKING.value,
            or_(agency_differs, b.c.channel_external == true(), b.c.departure > cutoff),
        )
        statement = (
            select(_e.customer)
            .distinct()
            .join(schema.customers, _c.number == _e.customer)
            .outerjoin(b, blocking)
            .where(
                _e.completed_at.is_(None),
                _e.customer > after,
                _e.received_on <= received_by,
                _c.merged_into.is_(None),
                _c.anonymized_at.is_(None),
                b.c.reference.is_(None),
            )
            .order_by(_e.customer)
            .limit(limit)
        )
        with _translating("find the due erasure requests"):
            return [int(n) for n in self._conn.execute(statement).scalars()]


# -- the store ----------------------------------------------------------------------------------


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    """Prepare a new SQLite connection: custmodel emits BEGIN itself; FKs, WAL, secure delete."""
    # The driver's own BEGIN handling would start transactions late and always deferred.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        _secure_delete_on(cursor)
        (mode,) = cursor.execute("PRAGMA journal_mode").fetchone()
        # Switching needs a moment of exclusive access, so only when it is not WAL already;
        # in-memory databases stay "memory".
        if str(mode).lower() not in ("wal", "memory"):
            cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()


def _secure_delete_on(cursor: Any) -> None:
    """Switch ``secure_delete`` on and confirm it is on (R9: freed content is zeroed).

    Raises:
        StoreError: if this SQLite build keeps it off (compiled with it disabled).
    """
    cursor.execute("PRAGMA secure_delete=ON")
    (state,) = cursor.execute("PRAGMA secure_delete").fetchone()
    if int(state) != 1:
        raise StoreError("SQLite refused secure_delete; erased data could linger in the file")


def _sqlite_on_begin(connection: Connection) -> None:
    """Start an IMMEDIATE transaction for writers, a deferred one for readers."""
    if connection.get_execution_options().get(_WRITE_OPTION, True):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    # A deferred BEGIN takes no lock, so it cannot find the database busy. Sent straight to
    # the driver it skips SQLAlchemy's statement execution, a large part of a short read.
    driver = connection.connection.driver_connection
    try:
        driver.execute("BEGIN")  # type: ignore[union-attr]
    except connection.dialect.loaded_dbapi.Error as error:
        raise sa_exc.DBAPIError.instance(
            "BEGIN", None, error, connection.dialect.loaded_dbapi.Error, dialect=connection.dialect
        ) from error


def _checkpoint(cursor: Any, patience: float) -> None:
    """Copy the whole write-ahead log into the database and truncate the log to 0 bytes.

    Args:
        patience: How long to keep retrying while readers block it, in seconds (0: once).

    Raises:
        StoreBusyError: if readers still held old snapshots after the retries.
    """
    deadline = time.monotonic() + patience
    (saved,) = cursor.execute("PRAGMA busy_timeout").fetchone()
    cursor.execute(f"PRAGMA busy_timeout={_CHECKPOINT_WAIT_MS}")
    try:
        while True:
            # (busy, log frames, frames checkpointed); busy is 1 while a reader blocks it.
            busy, _, _ = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return
            if time.monotonic() >= deadline:
                raise StoreBusyError(
                    "checkpoint the write-ahead log: readers kept it busy; the changes are "
                    "committed, purge again later"
                )
            time.sleep(0.05)
    finally:
        cursor.execute(f"PRAGMA busy_timeout={int(saved)}")


@contextmanager
def _migration_lock(connection: Connection) -> Iterator[None]:
    """Hold a session lock that serializes concurrent migrations on a server database.

    The lock is taken before and released after the migration's transaction, so a second
    migrator waits until the first one's revision is committed and then finds nothing to do.
    SQLite needs none: the migration's ``BEGIN IMMEDIATE`` serializes it already.
    """
    name = connection.dialect.name
    if name == "postgresql":
        acquire = select(func.pg_advisory_lock(_MIGRATION_LOCK_KEY))
        release = select(func.pg_advisory_unlock(_MIGRATION_LOCK_KEY))
    elif name in ("mysql", "mariadb"):
        acquire = select(func.get_lock(_MIGRATION_LOCK_NAME, 300))
        release = select(func.release_lock(_MIGRATION_LOCK_NAME))
    else:
        yield
        return
    connection.execute(acquire)
    connection.commit()
    try:
        yield
    finally:
        connection.execute(release)
        connection.commit()


def _normalize_url(url: str | URL) -> tuple[URL, str]:
    """Return the SQLAlchemy URL with custmodel's default driver, and the extra it needs.

    Raises:
        InvalidInputError: for a malformed URL or an unsupported database.
    """
    try:
        parsed = make_url(url)
    except (sa_exc.ArgumentError, ValueError):
        # The parser's message quotes the URL, and with it any password: not chained.
        raise InvalidInputError("not a database URL") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend not in _DRIVERS:
        raise InvalidInputError(f"unsupported database {backend!r} (sqlite, postgresql, mysql)")
    default, extra = _DRIVERS[backend]
    if not driver:
        parsed = parsed.set(drivername=default)
    elif backend == "postgres":
        parsed = parsed.set(drivername=f"postgresql+{driver}")
    return parsed, extra


class SqlStore:
    """A store in a SQL database: SQLite, PostgreSQL or MariaDB.

    Example:
        >>> store = SqlStore.from_url("sqlite://")
        >>> with store.transaction() as tx:
        ...     tx.allocate_numbers()
        1
        >>> store.close()
    """

    def __init__(self, engine: Engine) -> None:
        """Wrap ``engine``; call :meth:`upgrade` unless its schema is current.

        For SQLite the engine should be new: the connection hooks installed here apply to
        connections opened from now on.
        """
        self._engine = engine
        self._closed = False
        self._lock: AbstractContextManager[object] = nullcontext()
        self._references: dict[str, HostReference] = {}
        if engine.dialect.name == "sqlite":
            if not event.contains(engine, "connect", _sqlite_on_connect):
                event.listen(engine, "connect", _sqlite_on_connect)
                event.listen(engine, "begin", _sqlite_on_begin)
            if isinstance(engine.pool, StaticPool):
                # One shared connection (in-memory database): one transaction at a time.
                self._lock = threading.RLock()

    @classmethod
    def from_url(cls, url: str | URL, *, upgrade: bool = True) -> SqlStore:
        """Open the database at ``url`` and, unless ``upgrade`` is False, migrate it to head.

        ``sqlite:///path`` is a file (``?timeout=`` seconds to wait for a lock, default 30),
        ``sqlite://`` a database in memory shared by all threads. ``postgresql://`` uses
        psycopg, ``mysql://`` and ``mariadb://`` use PyMySQL.

        Raises:
            InvalidInputError: for a URL that names no supported database.
            MissingExtraError: if the driver is not installed; the message names the extra.
            StoreError: if the database cannot be reached or migrated.
        """
        parsed, extra = _normalize_url(url)
        options: dict[str, Any] = {"hide_parameters": True, "logging_name": _LOGGING_NAME}
        backend = parsed.get_backend_name()
        if backend == "sqlite":
            if parsed.database in (None, "", ":memory:"):
                options.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
            elif "timeout" not in parsed.query:
                options["connect_args"] = {"timeout": _SQLITE_TIMEOUT}
        else:
            # A server restart or an idle timeout leaves dead connections in the pool; testing
            # one before use costs a round trip, a failed operation would cost more.
            options["pool_pre_ping"] = True
        if backend in ("mysql", "mariadb"):
            if "charset" not in parsed.query:
                parsed = parsed.update_query_dict({"charset": "utf8mb4"})
            # Fewer gap locks than REPEATABLE READ; the counter row is locked explicitly.
            options.update(isolation_level="READ COMMITTED", pool_recycle=3600)
        try:
            engine = create_engine(parsed, **options)
        except ImportError as error:
            raise MissingExtraError(extra, f"a {backend} database") from error
        except sa_exc.SQLAlchemyError as error:
            _raise_translated(error, f"open the {backend} database")
        store = cls(engine)
        if upgrade:
            try:
                store.upgrade()
            except BaseException:
                store.close()
                raise
        if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
            store._purge_left_log(Path(f"{parsed.database}-wal"))
        return store

    def _purge_left_log(self, log: Path) -> None:
        """Checkpoint a write-ahead log that holds frames when the file is opened.

        A process killed after it committed an anonymization but before its purge left the
        old values in the database file and the new ones in the log; they stay there until a
        checkpoint. One attempt: while other processes read, it is logged and left to the next
        purge (the log also holds frames when another process works on the file; then this
        attempt checkpoints what it can).
        """
        try:
            left = log.stat().st_size > 0
        except OSError:
            return
        if not left:
            return
        try:
            self._purge(patience=0.0)
        except StoreError as error:
            logger.warning("could not checkpoint the write-ahead log on opening: %s", error)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine; a host application may share it for its own tables."""
        return self._engine

    @property
    def references(self) -> list[HostReference]:
        """The registered host references, by name."""
        return [self._references[name] for name in sorted(self._references)]

    def register_reference(self, table: str, column: str) -> None:
        """Register a column of a host table that holds customer numbers, so merges move it.

        Call it at start-up, for every such column, before the first merge: registrations live
        in this store object (nothing is written to the database), so every process registers
        its references again. A merge then points the column's rows at the master in its own
        transaction, and ``plan_merge`` counts them under the name "table.column". While a
        foreign key to ``custmodel_customers.number`` is not registered, merges are refused:
        they would leave the host's rows pointing at a tombstone.

        The table must be in the database the store works on (PostgreSQL: visible through
        the ``search_path``); the column may, but need not, have a foreign key to
        ``custmodel_customers.number``.

        Raises:
            InvalidInputError: if the table or the column does not exist, the table is one
                of custmodel's own, or the reference is registered already.
            StoreError: if the store is closed or the database cannot be read.
        """
        if not isinstance(table, str) or not isinstance(column, str):
            raise InvalidInputError("a host reference is a table name and a column name")
        if table.startswith(_PREFIX):
            raise InvalidInputError(f"{table} is custmodel's own table, not a host reference")
        if self._closed:
            raise StoreError("the store is closed")
        with (
            self._lock,
            _translating(f"read the columns of table {table}"),
            self._engine.connect() as connection,
        ):
            # Reading the catalog needs no write lock (SQLite: a deferred transaction).
            connection.execution_options(**{_WRITE_OPTION: False})
            inspector = sa_inspect(connection)
            if table not in inspector.get_table_names():
                raise InvalidInputError(f"host reference {table}.{column}: no table {table}")
            columns = {c["name"] for c in inspector.get_columns(table)}
        if column not in columns:
            raise InvalidInputError(
                f"host reference {table}.{column}: table {table} has no column {column}"
            )
        reference = HostReference(table, column)
        if reference.name in self._references:
            raise InvalidInputError(f"host reference {reference.name} is registered already")
        self._references[reference.name] = reference

    def hold_customer(self, connection: Connection | DriverConnection, number: int) -> int:
        """Lock customer ``number`` against merges in the caller's transaction; return its number.

        Call it inside the transaction in which the host application writes a row that names
        a customer, and write the number it returns: the active customer ``number`` stands
        for, following merge tombstones to the master. Until that transaction ends, a merge of
        that customer waits for it, and a merge that committed first has been followed, so
        the row either is written before a merge moves the host's rows or names the master.
        Without the hold, a row written while a merge runs can keep the duplicate's number.

        How the lock is taken: PostgreSQL ``SELECT ... FOR SHARE`` and MariaDB ``LOCK IN
        SHARE MODE`` on every customer row of the chain, which a merge's lock on the same row
        waits for (and which waits for a merge that holds it, then reads the row again);
        SQLite's write lock, which the transaction keeps until it ends (the store's engine
        begins IMMEDIATE; a deferred transaction is upgraded here). Nothing is written, and
        custmodel opens no transaction of its own.

        Args:
            connection: The caller's connection to this store's database, inside the
                transaction that writes the host's row: a SQLAlchemy ``Connection`` (e.g.
                from ``store.engine.begin()``), or a DB-API connection of the store's driver
                (``store.engine.raw_connection()``, or one of sqlite3, psycopg or PyMySQL).
            number: The customer number the row is to name, merged or not.

        Returns:
            The number of the active customer to write.

        Raises:
            CustomerNotFoundError: if no customer has ``number``.
            InvalidInputError: if ``number`` is no customer number, the connection is not
                one of the store's database driver, or it is in autocommit mode with no
                transaction open (the lock would end with the statement).
            StoreBusyError: if the lock could not be had in time, or a deferred SQLite
                transaction read data that a merge changed since (roll back and retry).
            StoreError: if the store is closed or the database fails.
        """
        if isinstance(number, bool) or not isinstance(number, int):
            raise InvalidInputError("a customer number is a whole number")
        if not 1 <= number <= MAX_NUMBER:
            raise CustomerNotFoundError(f"customer {number} not found", number=number)
        if self._closed:
            raise StoreError("the store is closed")
        self._check_caller_connection(connection)
        with _translating(f"hold customer {number}"):
            driver = _driver_connection(connection)
            if self._engine.dialect.name == "sqlite":
                self._run_on(connection, _TAKE_WRITE_LOCK)
            current = number
            for _ in range(_MAX_CHAIN):
                row = self._run_on(connection, _HOLD, {"number": current})
                if _in_transaction(driver) is False:
                    raise InvalidInputError(
                        "hold_customer needs a connection inside an open transaction, not in "
                        "autocommit mode: the lock would end with the statement"
                    )
                if row is None:
                    raise CustomerNotFoundError(
                        f"customer {number} not found"
                        if current == number
                        else f"customer {number} points to missing master {current}",
                        number=current,
                    )
                (merged_into,) = row
                if merged_into is None:
                    return current
                current = int(merged_into)
        raise CustomerNotFoundError(f"merge chain of customer {number} does not end")

    def _check_caller_connection(self, connection: object) -> None:
        """Refuse a connection that is not of this store's database driver."""
        dialect = self._engine.dialect
        if isinstance(connection, Connection):
            if connection.dialect.name != dialect.name:
                raise InvalidInputError(
                    f"a {connection.dialect.name} connection cannot hold customers of a "
                    f"{dialect.name} store"
                )
            return
        driver = _driver_connection(connection)
        expected = dialect.loaded_dbapi.__name__.partition(".")[0]
        if type(driver).__module__.partition(".")[0] != expected:
            raise InvalidInputError(
                f"hold_customer needs a SQLAlchemy connection or a {expected} connection"
            )

    def _run_on(
        self,
        connection: Connection | DriverConnection,
        statement: Select[Any] | Update,
        parameters: Mapping[str, Any] | None = None,
    ) -> Sequence[Any] | None:
        """Run ``statement`` on the caller's connection; return its first row, if it has rows.

        A DB-API connection gets the statement compiled for the store's dialect, its values
        bound as parameters; its driver's errors are raised as SQLAlchemy's.
        """
        if isinstance(connection, Connection):
            result = connection.execute(statement, parameters)
            row = result.first() if result.returns_rows else None
            return None if row is None else tuple(row)
        dialect = self._engine.dialect
        compiled = statement.compile(dialect=dialect)
        values = compiled.construct_params(parameters)
        arguments: Any = (
            tuple(values[name] for name in compiled.positiontup or ())
            if compiled.positional
            else values
        )
        dbapi = dialect.loaded_dbapi
        cursor = connection.cursor()
        try:
            cursor.execute(compiled.string, arguments)
            found = cursor.fetchone() if cursor.description is not None else None
        except dbapi.Error as error:
            raise sa_exc.DBAPIError.instance(
                compiled.string,
                arguments,
                error,
                dbapi.Error,
                hide_parameters=True,
                dialect=dialect,
            ) from error
        finally:
            cursor.close()
        return None if found is None else tuple(found)

    def upgrade(self) -> None:
        """Bring the schema to the newest revision of custmodel's migrations.

        Safe to call on every start: at head it changes nothing, and concurrent callers
        serialize on a lock (SQLite's write lock, a PostgreSQL advisory lock, a MariaDB named
        lock). Alembic records the revision in ``custmodel_alembic_version``.

        A database already at the newest revision is recognised by reading the version table
        alone, without loading Alembic (which costs more than the rest of a short command).

        Raises:
            StoreError: if the database cannot be migrated, e.g. because it was migrated by a
                newer custmodel.
        """
        if self._at_head():
            return
        from alembic import command
        from alembic.config import Config
        from alembic.util import CommandError

        config = Config()
        # ConfigParser would read "%" in the path as interpolation.
        config.set_main_option("script_location", str(_MIGRATIONS).replace("%", "%%"))
        try:
            with self._lock, self._engine.connect() as connection:
                connection.execution_options(**{_WRITE_OPTION: True})
                with _migration_lock(connection), connection.begin():
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
        except sa_exc.SQLAlchemyError as error:
            _raise_translated(error, "migrate the database schema")
        except CommandError as error:
            raise StoreError(
                "migrate the database schema: its revision is unknown to this custmodel "
                "version, or the migrations are broken"
            ) from error

    def _at_head(self) -> bool:
        """True if the version table records exactly the newest shipped revision."""
        version = table(schema.VERSION_TABLE, column("version_num"))
        try:
            with self._lock, self._engine.connect() as connection:
                connection.execution_options(**{_WRITE_OPTION: False})
                if not sa_inspect(connection).has_table(schema.VERSION_TABLE):
                    return False
                revisions = connection.execute(select(version.c.version_num)).scalars().all()
        except sa_exc.SQLAlchemyError as error:
            _raise_translated(error, "migrate the database schema")
        return revisions == [schema.HEAD_REVISION]

    def schema_revision(self) -> str | None:
        """Return the schema revision the database is at, None if custmodel never migrated it.

        Reads only: an outdated schema stays as it is (:meth:`upgrade` brings it to
        :meth:`head_revision`).

        Raises:
            StoreError: if the store is closed or the database cannot be read.
        """
        from alembic.runtime.migration import MigrationContext

        if self._closed:
            raise StoreError("the store is closed")
        with (
            self._lock,
            _translating("read the schema revision"),
            self._engine.connect() as connection,
        ):
            connection.execution_options(**{_WRITE_OPTION: False})
            context = MigrationContext.configure(
                connection, opts={"version_table": schema.VERSION_TABLE}
            )
            return context.get_current_revision()

    @staticmethod
    def head_revision() -> str:
        """Return the newest schema revision this custmodel version ships."""
        from alembic.script import ScriptDirectory

        head = ScriptDirectory(str(_MIGRATIONS)).get_current_head()
        if head is None:  # pragma: no cover - the package always ships its migrations
            raise StoreError("custmodel's migrations are missing from the installation")
        return head

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[StoreTransaction]:
        """Open a transaction; it commits when the block ends, rolls back when it raises.

        Args:
            write: False starts a deferred transaction on SQLite, which takes no write lock.

        Raises:
            StoreBusyError: if the database stayed locked (the caller may retry).
            StoreError: if the store is closed or the database fails.
        """
        if self._closed:
            raise StoreError("the store is closed")
        with self._lock:
            with _translating("open a connection"):
                connection = self._engine.connect()
            try:
                with _translating("begin a transaction"):
                    connection.execution_options(**{_WRITE_OPTION: write})
                    connection.begin()
                try:
                    yield SqlTransaction(connection, self._references, write=write)
                except BaseException:
                    # The block's own error is what the caller needs; a failing rollback
                    # (a lost connection) is discarded with the connection below.
                    with suppress(sa_exc.SQLAlchemyError):
                        connection.rollback()
                    raise
                with _translating("commit"):
                    connection.commit()
            finally:
                with suppress(sa_exc.SQLAlchemyError):
                    connection.close()

    def purge(self) -> None:
        """Make overwritten data unrecoverable from the database's own files, where it can.

        SQLite (a file): checkpoint the write-ahead log into the database and truncate it
        (``PRAGMA wal_checkpoint(TRUNCATE)``), so the old page versions it held are gone;
        ``secure_delete``, on for every connection, has zeroed the freed space in the
        database. A reader that still reads an old snapshot blocks the checkpoint; it is
        retried for a moment. An in-memory database has no files.

        PostgreSQL and MariaDB: nothing. Old row versions stay in the table's pages until the
        server reuses them; ``docs/storage.md`` says what to do where that matters.

        Raises:
            StoreBusyError: if readers kept the checkpoint from finishing; the data is
                committed, call ``purge`` again later.
            StoreError: if the store is closed or the database fails.
        """
        self._purge(patience=_CHECKPOINT_PATIENCE)

    def _purge(self, *, patience: float) -> None:
        """:meth:`purge`, retrying a checkpoint readers block for ``patience`` seconds."""
        if self._closed:
            raise StoreError("the store is closed")
        if self._engine.dialect.name != "sqlite":
            return
        with self._lock, _translating("checkpoint the write-ahead log"):
            raw = self._engine.raw_connection()
            try:
                cursor = raw.cursor()
                try:
                    _secure_delete_on(cursor)
                    (mode,) = cursor.execute("PRAGMA journal_mode").fetchone()
                    if str(mode).lower() == "wal":
                        _checkpoint(cursor, patience)
                finally:
                    cursor.close()
            finally:
                raw.close()

    def close(self) -> None:
        """Close every pooled connection; the store is unusable afterwards."""
        self._closed = True
        self._engine.dispose()

    def __repr__(self) -> str:
        return f"SqlStore({self._engine.url.render_as_string(hide_password=True)!r})"
