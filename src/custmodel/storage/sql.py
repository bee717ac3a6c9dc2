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
  registrations never share a number and a rolled-back one leaves no gap.

Driver exceptions are translated where they cross into custmodel (``raise ... from e``); their
messages name numbers and columns only, never personal data, and engines this module creates
hide statement parameters from SQLAlchemy's own messages as well.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, TypeVar

import attrs
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Engine,
    String,
    Table,
    and_,
    create_engine,
    delete,
    event,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

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
    Booking,
    BookingKind,
    Customer,
    CustomerKind,
    CustomerType,
    KindSettings,
    SalesChannel,
    Selection,
    Settings,
    StatusFlags,
    check_flag_number,
    name_search_key,
    search_key,
)
from custmodel.storage import _sqlschema as schema
from custmodel.storage.ports import StoreTransaction

__all__ = ["SqlStore", "SqlTransaction"]

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


def customer_from_row(row: Mapping[Any, Any]) -> Customer:
    """Return the customer a ``custmodel_customers`` row stores."""
    birth_date: date | None = row["birth_date"]
    return Customer(
        number=int(row["number"]),
        kind=CustomerKind(row["kind"]),
        customer_type=CustomerType(row["customer_type"]),
        debtor_account=int(row["debtor_account"]),
        salutation=row["salutation"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        company=row["company"],
        street=row["street"],
        postal_code=row["postal_code"],
        city=row["city"],
        country=row["country"],
        email=row["email"],
        phone=row["phone"],
        birth_date=birth_date,
        code1=row["code1"],
        code2=row["code2"],
        notes=row["notes"],
        category=row["category"],
        status=StatusFlags(int(row["status"])),
        commission_scheme=row["commission_scheme"],
        fee_schedule=row["fee_schedule"],
        created_at=_required_time(row["created_at"]),
        updated_at=_required_time(row["updated_at"]),
        merged_into=None if row["merged_into"] is None else int(row["merged_into"]),
        anonymized_at=_time_from_db(row["anonymized_at"]),
        version=int(row["version"]),
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


_MAX_LENGTHS: Final = _lengths(schema.customers)
_BOOKING_LENGTHS: Final = _lengths(schema.bookings)


def _check_lengths(row: Mapping[Any, Any]) -> None:
    """Refuse text longer than its column on every engine alike (SQLite would accept it).

    Raises:
        InvalidInputError: naming the column and the customer number, never the text.
    """
    for name, length in _MAX_LENGTHS.items():
        value = row[name]
        if isinstance(value, str) and len(value) > length:
            raise InvalidInputError(
                f"{name} of customer {row['number']} is longer than {length} characters"
            )


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
    which can quote the values of a row.
    """
    if isinstance(error, sa_exc.DBAPIError):
        if _is_busy(error):
            return StoreBusyError(f"{action}: the database is busy, try again")
        if isinstance(error, sa_exc.IntegrityError):
            return _integrity(error, action)
        return StoreError(f"{action}: database error ({type(error.orig).__name__})")
    return StoreError(f"{action}: database error ({type(error).__name__})")


@contextmanager
def _translating(action: str) -> Iterator[None]:
    """Translate SQLAlchemy errors raised in the block; custmodel's own errors pass through."""
    try:
        yield
    except sa_exc.SQLAlchemyError as error:
        raise _translate(error, action) from error
    except UnicodeEncodeError as error:
        # Drivers encode text as UTF-8 while sending it; lone surrogates cannot be.
        raise InvalidInputError(f"{action}: text that is not valid Unicode") from error


def _chunks(values: Collection[_T]) -> Iterator[list[_T]]:
    """Yield ``values`` without duplicates in lists short enough for one ``IN (...)``."""
    items = list(dict.fromkeys(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


# -- the transaction ----------------------------------------------------------------------------


class SqlTransaction:
    """One transaction on a :class:`SqlStore`; see :class:`custmodel.storage.StoreTransaction`."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection
        dialect = connection.dialect
        self._aware_times = dialect.name == "postgresql"
        self._update_returning = bool(dialect.update_returning)

    def _customers_where(self, clause: ColumnElement[bool]) -> list[Customer]:
        statement = select(schema.customers).where(clause).order_by(_c.number)
        return [customer_from_row(r) for r in self._conn.execute(statement).mappings()]

    def _count_where(self, clause: ColumnElement[bool]) -> int:
        statement = select(func.count()).select_from(schema.customers).where(clause)
        return int(self._conn.execute(statement).scalar_one())

    # -- settings ---------------------------------------------------------------------------

    def get_settings(self) -> Settings | None:
        """Return the stored settings, or None if none were ever stored."""
        with _translating("read the settings"):
            row = (
                self._conn.execute(
                    select(schema.settings).where(schema.settings.c.id == _SETTINGS_ID)
                )
                .mappings()
                .one_or_none()
            )
            if row is None:
                return None
            kinds = {
                CustomerKind(r["kind"]): kind_settings_from_row(r)
                for r in self._conn.execute(select(schema.kind_settings)).mappings()
            }
        return Settings(
            debtor_base=int(row["debtor_base"]),
            anonymization_delay_days=int(row["anonymization_delay_days"]),
            kinds=kinds,
        )

    def put_settings(self, settings: Settings) -> None:
        """Store ``settings``, replacing what was stored."""
        with _translating("store the settings"):
            self._conn.execute(delete(schema.kind_settings))
            self._conn.execute(delete(schema.settings))
            self._conn.execute(
                insert(schema.settings).values(
                    id=_SETTINGS_ID,
                    debtor_base=settings.debtor_base,
                    anonymization_delay_days=settings.anonymization_delay_days,
                )
            )
            self._conn.execute(
                insert(schema.kind_settings),
                [kind_settings_to_row(k, s) for k, s in settings.kinds.items()],
            )

    # -- numbering --------------------------------------------------------------------------

    def allocate_numbers(self, count: int = 1) -> int:
        """Reserve ``count`` consecutive customer numbers and return the first.

        The counter row stays locked until the transaction ends, so a concurrent registration
        waits for it, and a rollback returns the numbers.
        """
        if count < 1:
            raise InvalidInputError("allocate at least one customer number")
        counter = schema.counters.c
        this_counter = counter.name == schema.CUSTOMER_NUMBER_COUNTER
        advance = update(schema.counters).where(this_counter).values(value=counter.value + count)
        with _translating("allocate customer numbers"):
            last: int | None
            if self._update_returning:
                last = self._conn.execute(advance.returning(counter.value)).scalar_one_or_none()
            else:
                current = self._conn.execute(
                    select(counter.value).where(this_counter).with_for_update()
                ).scalar_one_or_none()
                last = None
                if current is not None:
                    self._conn.execute(advance)
                    last = int(current) + count
            if last is None:
                # A schema made without the migration has no counter row yet. Two transactions
                # racing to create it collide on the key; the loser is told to retry.
                self._conn.execute(
                    insert(schema.counters).values(name=schema.CUSTOMER_NUMBER_COUNTER, value=count)
                )
                last = count
        return int(last) - count + 1

    # -- customers --------------------------------------------------------------------------

    def insert_customers(self, customers: Sequence[Customer]) -> None:
        """Insert new customers in one statement; see :class:`StoreTransaction`.

        Raises:
            DebtorAccountError: if a debtor account is taken (stored, or twice in the batch).
            InvalidInputError: if a customer number is taken, or a text exceeds its column.
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
                found = self._conn.execute(
                    select(_c.number, _c.debtor_account).where(
                        or_(_c.number.in_(numbers), _c.debtor_account.in_(accounts))
                    )
                )
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
        for row in rows:
            _check_lengths(row)
        with _translating("insert customers"):
            self._conn.execute(insert(schema.customers), rows)

    def get_customer(self, number: int) -> Customer | None:
        """Return the customer with ``number`` (tombstones included), or None."""
        with _translating(f"read customer {number}"):
            found = self._customers_where(_c.number == number)
        return found[0] if found else None

    def get_customers(self, numbers: Collection[int]) -> dict[int, Customer]:
        """Return the customers with these numbers that exist, by number."""
        result: dict[int, Customer] = {}
        with _translating("read customers"):
            for part in _chunks(numbers):
                result.update((c.number, c) for c in self._customers_where(_c.number.in_(part)))
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
        for row in rows:
            _check_lengths(row)
        # A savepoint keeps the method all-or-nothing when a concurrent writer slips in
        # between the checks above and the writes (possible under READ COMMITTED).
        savepoint = self._conn.begin_nested() if len(rows) > 1 else nullcontext()
        with _translating("update customers"), savepoint:
            for old, row in zip(customers, rows, strict=True):
                written = self._conn.execute(
                    update(schema.customers)
                    .where(_c.number == old.number, _c.version == old.version)
                    .values(row)
                )
                if written.rowcount != 1:
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
        with _translating("find customers by code1"):
            return self._customers_where(and_(_equals(_c.code1, code1), _c.merged_into.is_(None)))

    def select(self, selection: Selection) -> list[Customer]:
        """Return the customers ``selection.matches``, ordered by number."""
        with _translating("select customers"):
            return self._customers_where(selection_clause(selection))

    def count(self, selection: Selection) -> int:
        """Return how many customers ``selection.matches``."""
        with _translating("count customers"):
            return self._count_where(selection_clause(selection))

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
        """Return the booking with ``reference``, or None."""
        with _translating("read a booking"):
            row = (
                self._conn.execute(select(schema.bookings).where(_equals(_b.reference, reference)))
                .mappings()
                .one_or_none()
            )
        return None if row is None else booking_from_row(row)

    def put_booking(self, booking: Booking) -> None:
        """Insert ``booking``, or replace the stored booking with its reference."""
        row = booking_to_row(booking)
        for name in ("reference", "point_of_sale", "channel_name"):
            length = _BOOKING_LENGTHS[name]
            if len(row[name]) > length:
                raise InvalidInputError(f"booking {name} is longer than {length} characters")
        with _translating(f"store booking for customer {booking.customer}"):
            replaced = self._conn.execute(
                update(schema.bookings).where(_b.reference == booking.reference).values(row)
            )
            if replaced.rowcount == 0:
                self._conn.execute(insert(schema.bookings).values(row))

    def bookings_of(self, customers: Collection[int]) -> list[Booking]:
        """Return every booking of these customers, ordered by reference."""
        found: list[Booking] = []
        with _translating("read bookings"):
            for part in _chunks(customers):
                statement = select(schema.bookings).where(_b.customer.in_(part))
                found.extend(booking_from_row(r) for r in self._conn.execute(statement).mappings())
        # Python orders by code point; database collations may not, so sort here.
        return sorted(found, key=lambda b: b.reference)

    def move_bookings(self, from_customers: Collection[int], to_customer: int) -> int:
        """Point every booking of ``from_customers`` at ``to_customer`` in one UPDATE.

        Returns:
            How many bookings moved.
        """
        moved = 0
        with _translating(f"move bookings to customer {to_customer}"):
            for part in _chunks(from_customers):
                written = self._conn.execute(
                    update(schema.bookings)
                    .where(_b.customer.in_(part))
                    .values(customer=to_customer)
                )
                moved += int(written.rowcount)
        return moved


# -- the store ----------------------------------------------------------------------------------


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    """Prepare a new SQLite connection: custmodel emits BEGIN itself; FKs, WAL, secure delete."""
    # The driver's own BEGIN handling would start transactions late and always deferred.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        (mode,) = cursor.execute("PRAGMA journal_mode").fetchone()
        # Switching needs a moment of exclusive access, so only when it is not WAL already;
        # in-memory databases stay "memory".
        if str(mode).lower() not in ("wal", "memory"):
            cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    """Start an IMMEDIATE transaction for writers, a deferred one for readers."""
    write = connection.get_execution_options().get(_WRITE_OPTION, True)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


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
    except (sa_exc.ArgumentError, ValueError) as error:
        raise InvalidInputError("not a database URL") from error
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
        options: dict[str, Any] = {"hide_parameters": True}
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
            raise _translate(error, f"open the {backend} database") from error
        store = cls(engine)
        if upgrade:
            try:
                store.upgrade()
            except BaseException:
                store.close()
                raise
        return store

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine; a host application may share it for its own tables."""
        return self._engine

    def upgrade(self) -> None:
        """Bring the schema to the newest revision of custmodel's migrations.

        Safe to call on every start: at head it changes nothing, and concurrent callers
        serialize on a lock (SQLite's write lock, a PostgreSQL advisory lock, a MariaDB named
        lock). Alembic records the revision in ``custmodel_alembic_version``.

        Raises:
            StoreError: if the database cannot be migrated, e.g. because it was migrated by a
                newer custmodel.
        """
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
            raise _translate(error, "migrate the database schema") from error
        except CommandError as error:
            raise StoreError(
                "migrate the database schema: its revision is unknown to this custmodel "
                "version, or the migrations are broken"
            ) from error

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
                    yield SqlTransaction(connection)
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

    def close(self) -> None:
        """Close every pooled connection; the store is unusable afterwards."""
        self._closed = True
        self._engine.dispose()

    def __repr__(self) -> str:
        return f"SqlStore({self._engine.url.render_as_string(hide_password=True)!r})"
