"""One transaction on a SQL store."""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Final, TypeVar

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    CursorResult,
    Select,
    TableClause,
    and_,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.sql import ClauseElement

from custmodel._entrycheck import candidate_lookups
from custmodel.dedupe._types import CandidateKeys
from custmodel.errors import (
    ConcurrentUpdateError,
    CustomerNotFoundError,
    DebtorAccountError,
    InvalidInputError,
    InvalidStatusFlagError,
    StoreBusyError,
    StoreError,
)
from custmodel.model._booking import Booking
from custmodel.model._customer import Customer, next_version
from custmodel.model._erasure import HostVeto
from custmodel.model._flags import check_flag_number
from custmodel.model._history import HistoryStamp
from custmodel.model._selection import Selection
from custmodel.model._settings import Settings
from custmodel.model._statistics import (
    DeparturePeriod,
    Statistics,
    StatisticsDimension,
)
from custmodel.storage import _hostdata
from custmodel.storage.ports import SettingsLock
from custmodel.storage.sql import _schema as schema
from custmodel.storage.sql._engine import driver_of
from custmodel.storage.sql._errors import _translating
from custmodel.storage.sql._history import HistoryRecords
from custmodel.storage.sql._hosts import (
    _PREFIX,
    HostReference,
    SqlEraser,
    SqlVeto,
    customer_foreign_keys,
)
from custmodel.storage.sql._queries import (
    _ADVANCE,
    _ADVANCE_RETURNING,
    _ALL_BITS,
    _BY_CODE1,
    _BY_NUMBERS,
    _LOCK_COUNTER,
    _SETTINGS_ID,
    _SETTINGS_ROWS,
    _SETTINGS_SHARE_LOCK,
    _SETTINGS_UPDATE_LOCK,
    _SETTINGS_WIDTH,
    _TAKEN_KEYS,
    _TAKEN_KEYS_ANY,
    _UPDATED_COLUMNS,
    CANDIDATES_AT_ONCE,
    _among,
    _and_bits,
    _b,
    _bits,
    _c,
    _chunk_pairs,
    _chunks,
    _customer_copy,
    _customer_insert,
    _driver_form,
    _equals,
    _storable,
    _versioned_params,
    _versioned_update,
    blocking,
    candidate_lookups_statement,
    candidate_value_processors,
    customers_numbered,
    selection_clause,
)
from custmodel.storage.sql._records import AuditRecords
from custmodel.storage.sql._retention import RetentionRecords
from custmodel.storage.sql._rows import (
    _BOOKING_LENGTHS,
    CUSTOMER_COLUMNS,
    CUSTOMER_ROW_COLUMNS,
    _settings_from_rows,
    _time_to_db,
    booking_from_row,
    booking_to_row,
    customer_to_row,
    customer_values,
    customers_reader,
    field_rows_reader,
    kind_settings_to_row,
)
from custmodel.storage.sql._statistics import (
    fold_statistics,
    statement_forms,
    statistics_statement,
)

#: Builds the customers of SQLAlchemy's rows (dates and times as objects on every engine).
_read_customers = customers_reader(text_times=False)


def _first_column(result: CursorResult[Any]) -> list[Any]:
    """The first column of every row of ``result``, fetched from the driver in one call.

    A merge reads up to hundreds of thousands of booking references; building SQLAlchemy's
    row for each cost a third of the merge. The statement still runs through SQLAlchemy (its
    events and error translation see it); only the rows skip it.

    Raises:
        StoreError: if SQLAlchemy had taken rows from the cursor already (a buffered result),
            rather than hand back a part of them.
    """
    try:
        rows = result.cursor.fetchall()
        if result.cursor.rowcount not in (-1, len(rows)):
            raise StoreError("the driver's cursor held fewer rows than the statement returned")
        return [row[0] for row in rows]
    finally:
        result.close()


class _Converted(dict[Any, Any]):
    """Values converted by ``convert``, each once, on first look-up (None stays None)."""

    def __init__(self, convert: Callable[[Any], Any]) -> None:
        super().__init__({None: None})
        self._convert = convert

    def __missing__(self, value: Any) -> Any:
        converted = self[value] = self._convert(value)
        return converted


def _converted_rows(
    rows: Iterable[tuple[Any, ...]], processors: Sequence[tuple[int, Callable[[Any], Any]]]
) -> Iterator[tuple[Any, ...]]:
    """``rows`` with the column types' conversions applied, as they are taken. Most values
    repeat (a batch's creation time) or are None: each is converted once."""
    memos = [(index, _Converted(process)) for index, process in processors]
    for row in rows:
        values = list(row)
        for index, memo in memos:
            values[index] = memo[values[index]]
        yield tuple(values)


#: The customer's columns' values as its fields hold them (see customer_values).
_column_values: Final = operator.attrgetter(*CUSTOMER_COLUMNS)
#: The search columns customer_values derives, and the fields each is made of.
_SEARCH_COLUMNS: Final = {
    "search_name": frozenset({"last_name", "first_name", "company"}),
    "search_last": frozenset({"last_name"}),
    "search_email": frozenset({"email"}),
}


def _no_fields(_customer: Customer) -> tuple[()]:
    return ()


#: update_customers groups equal changes into one UPDATE when they make one group, or at most
#: one group per this many customers; more groups, and one executemany of whole rows is faster.
_GROUPED_AT_MOST: Final = 8


class SettingsMemo:
    """The settings a kept SQLite connection last read, and the database's version then.

    SQLite's ``PRAGMA data_version`` changes on a connection whenever another connection has
    committed a change since, and never for the connection's own commits. So where it has
    not changed and this connection has not stored settings meanwhile, the settings read
    then are still the stored ones: a registration reads the version (one short statement)
    instead of the settings (a join of the settings rows, and their validation).

    Only for the connections :class:`~custmodel.storage.sql._kept.KeptWrites` keeps: their
    transactions are all :class:`SqlTransaction`'s, whose one writer of settings,
    :meth:`SqlTransaction.put_settings`, forgets the memo. A pooled connection may also serve
    a migration, which writes settings behind it.
    """

    __slots__ = ("settings", "version")

    def __init__(self) -> None:
        self.version: int | None = None
        self.settings: Settings | None = None


_V = TypeVar("_V")


#: Where a customer row (:func:`customer_values`) holds the creation time.
_CREATED_AT: Final = CUSTOMER_ROW_COLUMNS.index("created_at")


def _sorted(items: Mapping[str, _V] | None) -> Mapping[str, _V]:
    """``items`` sorted by name: as they are where the store's (a read-only mapping, made
    sorted) are handed in, else a sorted copy."""
    if isinstance(items, MappingProxyType):
        return items
    return dict(sorted((items or {}).items()))


class SqlTransaction(AuditRecords, RetentionRecords, HistoryRecords):
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
        erasers: Mapping[str, SqlEraser] | None = None,
        vetoes: Mapping[str, SqlVeto] | None = None,
        settings_memo: SettingsMemo | None = None,
    ) -> None:
        """Args:
        settings_memo: The memo of a kept SQLite connection's settings (see
            :class:`SettingsMemo`); None reads them every time.
        """
        self._conn = connection
        dialect = connection.dialect
        name = dialect.name
        self._settings_memo = settings_memo if name == "sqlite" else None
        self._aware_times = name == "postgresql"
        self._update_returning = bool(dialect.update_returning)
        # SQLite serializes write transactions (BEGIN IMMEDIATE): row locks add nothing.
        self._row_locks = name != "sqlite"
        # Sorted by name; the store's are (see its _Hosts), and never change afterwards.
        self._references = _sorted(references)
        self._erasers = _sorted(erasers)
        self._vetoes = _sorted(vetoes)
        self._write = write
        # References get_booking found no row for: no lock covers a row that is not there.
        self._absent_bookings: set[str] = set()
        # Whether the last read of the settings found none stored: an empty store has no row
        # to lock, so a write decided on "none stored" must not update a row stored meanwhile.
        self._read_no_settings = False
        # The customers this write transaction read by number (locked) or wrote, as stored
        # then: update_customers writes only the columns that differ from them (see there).
        self._held: dict[int, Customer] = {}

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
        return _read_customers(rows)

    def _driver(
        self,
        statement: ClauseElement,
        params: Mapping[str, Any] | None = None,
        *,
        fetch: bool = True,
    ) -> list[Any]:
        """Run a prebuilt statement as the driver's text (see :func:`_driver_form`) on the
        driver connection (see :func:`_on_driver`); return its rows.

        For the statements every registration sends (settings, counter): SQLAlchemy's
        handling of a statement cost more than the database's work on it.
        """
        text, order, values = _driver_form(statement, self._conn.dialect)
        if params:
            values = {**values, **params}
        bound: Any = values if order is None else tuple(map(values.__getitem__, order))
        rows = self._send(text, bound, fetch=fetch)
        return rows or []

    def _for_host(self) -> Connection:
        """The connection a host's eraser or veto gets: in a transaction SQLAlchemy knows of,
        as a pooled one is. Where the store began the transaction on the driver (see
        :func:`~custmodel.storage.sql._engine.begin_on_driver`), SQLAlchemy joins it now, so
        that a host's ``begin`` is refused as before instead of starting one of its own."""
        if not self._conn.in_transaction():
            self._conn.begin()
        # The host's code may listen to the connection's statements from now on.
        self._handed_over()
        return self._conn

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
        memo = self._settings_memo
        version = None
        with _translating("read the settings"):
            if memo is not None:
                found = self._send("PRAGMA data_version", fetch=True)
                version = found[0][0] if found else None
                if version is not None and version == memo.version:
                    self._read_no_settings = memo.settings is None
                    return memo.settings
            if lock is not None and self._write and self._row_locks:
                statement = _SETTINGS_UPDATE_LOCK if lock == "update" else _SETTINGS_SHARE_LOCK
                self._driver(statement)
            rows = [tuple(r) for r in self._driver(_SETTINGS_ROWS)]
        self._read_no_settings = not rows
        settings = None
        if rows:
            width = _SETTINGS_WIDTH
            # The kind columns start with the kind, its key: NULL only when no kind row joined.
            kinds = tuple(r[width:] for r in rows if r[width] is not None)
            settings = _settings_from_rows(rows[0][:width], kinds)
        if memo is not None:
            memo.version, memo.settings = version, settings
        return settings

    def put_settings(self, settings: Settings) -> None:
        """Store ``settings``: update the settings row and each kind's row in place.

        Rows are updated, not deleted and inserted again, so a transaction reading the
        settings meanwhile never finds them missing. Kind rows are inserted only for kinds not
        stored yet and deleted only for kinds no longer given. Two transactions storing the
        very first settings of an empty store collide on the settings row's key; the loser
        gets :class:`~custmodel.errors.StoreBusyError`, and its retry updates the row. So does a
        transaction that read "no settings" (an empty store has no row to lock) and finds the
        row stored meanwhile by another.
        """
        if self._settings_memo is not None:
            # The memo no longer says what is stored. (Read again in this transaction, it holds
            # these settings: they are stored when it commits, and a transaction that fails
            # closes its kept connection, and the memo with it.)
            self._settings_memo.version = None
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
            elif self._read_no_settings:
                # Decided on "none stored", but another transaction stored the first settings
                # and committed meanwhile: writing now would replace them with what this one
                # decided without them. Busy: the retry reads them, under the row's lock.
                raise StoreBusyError(
                    "store the settings: a concurrent transaction stored the first ones"
                )
            self._read_no_settings = False
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
            found = self._driver(_ADVANCE_RETURNING, params)
            last = found[0][0] if found else None
        else:
            locked = self._driver(_LOCK_COUNTER, params)
            last = None
            if locked:
                self._driver(_ADVANCE, params, fetch=False)
                last = int(locked[0][0]) + count
        if last is None:
            # A schema made without the migration has no counter row yet. Two transactions
            # racing to create it collide on the key; the loser is told to retry.
            self._conn.execute(insert(schema.counters).values(name=name, value=count))
            last = count
        return int(last) - count + 1

    # -- customers --------------------------------------------------------------------------

    def insert_customers(
        self, customers: Sequence[Customer], history: HistoryStamp | None = None
    ) -> None:
        """Insert new customers in one statement, and with ``history`` their first history
        entries in another; see :class:`StoreTransaction`.

        Raises:
            DebtorAccountError: if a debtor account is taken (stored, or twice in the batch).
            InvalidInputError: if a customer number is taken.
        """
        if not customers:
            return
        if len(customers) == 1:
            self._insert_one(customers[0], history)
            return
        times: dict[datetime, Any] = {}
        aware = self._aware_times
        # Made as they are written: on PostgreSQL the server takes in the COPY's first rows
        # while the next are made, where a list made first keeps the two apart.
        rows = (customer_values(c, aware_times=aware, times=times) for c in customers)
        with _translating("insert customers"):
            # The unique keys refuse a taken number or debtor account; under a savepoint a
            # refused batch leaves nothing behind on every engine, and only then are the keys
            # read, to raise the error the port promises. Reading them first cost PostgreSQL a
            # query as long as the COPY's own key checks.
            batch = self._conn.begin_nested()
            try:
                self._write_customer_rows(rows)
            except sa_exc.IntegrityError:
                batch.rollback()
                self._refuse_taken_keys(customers)
                raise
            batch.commit()
            if history is not None:
                self._record_registrations(sorted(c.number for c in customers), history)

    def _refuse_taken_keys(self, customers: Sequence[Customer]) -> None:
        """Raise the error for the first of ``customers`` whose number or debtor account a
        stored customer, or one before it in ``customers``, holds; return if there is none.

        Raises:
            InvalidInputError: a customer number is taken.
            DebtorAccountError: a debtor account is taken.
        """
        taken_numbers, taken_accounts = self._taken_keys(customers)
        batch_numbers: set[int] = set()
        batch_accounts: set[int] = set()
        for customer in customers:
            if customer.number in taken_numbers or customer.number in batch_numbers:
                raise InvalidInputError(f"customer number {customer.number} is taken") from None
            account = customer.debtor_account
            if account in taken_accounts or account in batch_accounts:
                raise DebtorAccountError(f"debtor account {account} is taken") from None
            batch_numbers.add(customer.number)
            batch_accounts.add(account)

    def _insert_one(self, customer: Customer, history: HistoryStamp | None) -> None:
        """Insert one customer, checking its keys only when the database refuses it.

        The unique keys refuse a taken number or debtor account anyway; a refused statement
        writes nothing on SQLite and MariaDB (the transaction goes on), so the keys are read
        then, to raise the error :meth:`insert_customers` promises. Saves a read per
        registration, a sixth of its time beside SQLite's commit. PostgreSQL would abort the
        whole transaction on a refused statement, so there the row is inserted ``ON CONFLICT
        DO NOTHING``: one statement, where a savepoint around it would cost two more.
        """
        row = customer_values(customer, aware_times=self._aware_times, times={})
        with _translating("insert customers"):
            if self._conn.dialect.name == "postgresql":
                if not self._inserted_unless_taken(row):
                    self._refuse_taken_keys([customer])
                    # No key of ours is taken (any more): the database says what it refused,
                    # or takes the row now.
                    self._write_customer_rows([row])
                if history is not None:
                    self._record_registrations([customer.number], history)
                return
            statement, processors = _customer_insert(self._conn.dialect)
            values = list(row)
            # A new customer's creation and update are one moment (one object, through the
            # ``times`` memo), and so is its entry's when the journal stamps it with the
            # creation time: converted once, not three times.
            moment: Any = None
            bound: Any = None
            for index, process in processors:
                value = values[index]
                if value is None:
                    continue
                if value is not moment:
                    moment, bound = value, process(value)
                values[index] = bound
            try:
                self._send(statement, tuple(values))
            except sa_exc.IntegrityError:
                # The driver's error quotes the row: the raised one leaves it out (from None).
                self._refuse_taken_keys([customer])
                raise
            if history is not None:
                # The entry's time column has the creation time's type: bound alike.
                at = values[_CREATED_AT] if history.at is customer.created_at else None
                self._record_registrations([customer.number], history, bound_at=at)

    def _taken_keys(self, customers: Sequence[Customer]) -> tuple[set[int], set[int]]:
        """The numbers and debtor accounts of ``customers`` that stored customers hold.

        One read checks both keys, so the errors are the memory store's, in its order; on
        PostgreSQL (with psycopg) one statement with two arrays (``= ANY``), elsewhere one per
        chunk of ``IN``.
        """
        numbers = [c.number for c in customers]
        accounts = [c.debtor_account for c in customers]
        taken_numbers: set[int] = set()
        taken_accounts: set[int] = set()
        with _translating("insert customers"):
            dialect = self._conn.dialect
            if dialect.name == "postgresql" and dialect.paramstyle == "pyformat":
                found: Any = self._conn.exec_driver_sql(
                    _TAKEN_KEYS_ANY, {"numbers": numbers, "accounts": accounts}
                )
                parts: Any = [found]
            else:
                parts = (
                    self._conn.execute(_TAKEN_KEYS, {"numbers": n, "accounts": a})
                    for n, a in _chunk_pairs(numbers, accounts)
                )
            for rows in parts:
                for number, account in rows:
                    taken_numbers.add(int(number))
                    taken_accounts.add(int(account))
        return taken_numbers, taken_accounts

    def _inserted_unless_taken(self, row: tuple[Any, ...]) -> bool:
        """Insert one customer row on PostgreSQL unless a unique key refuses it; True if it
        went in. Any other refusal (a CHECK constraint) raises as the plain INSERT does."""
        dialect = self._conn.dialect
        statement, processors = _customer_insert(dialect)
        values = list(row)
        for index, process in processors:
            values[index] = process(values[index])
        inserted = self._send(
            f"{statement} ON CONFLICT DO NOTHING RETURNING 1", tuple(values), fetch=True
        )
        return bool(inserted)

    def _write_customer_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Insert customer rows (:func:`customer_values`) with the driver: ``COPY`` on
        PostgreSQL with psycopg, elsewhere one ``executemany`` of tuples (a single row: one
        ``execute``). ``rows`` may be made as they are taken.

        SQLAlchemy's parameter handling (a dict per row, then a list per row again) cost a
        third of a bulk registration; the column types' own conversions still apply.
        """
        dialect = self._conn.dialect
        statement, processors = _customer_insert(dialect)
        if isinstance(rows, list) and len(rows) == 1:
            values = list(rows[0])
            for index, process in processors:
                if values[index] is not None:
                    values[index] = process(values[index])
            rows = [tuple(values)]
        elif processors:
            rows = _converted_rows(rows, processors)
        if dialect.name == "postgresql" and dialect.driver == "psycopg":
            copy = _customer_copy(dialect)
            driver = driver_of(self._conn)
            try:
                with driver.cursor() as cursor, cursor.copy(copy) as writer:
                    for row in rows:
                        writer.write_row(row)
            except dialect.loaded_dbapi.Error as error:
                raise sa_exc.DBAPIError.instance(
                    copy, None, error, dialect.loaded_dbapi.Error, dialect=dialect
                ) from error
            return
        listed = rows if isinstance(rows, list) else list(rows)
        if len(listed) > 1:
            self._conn.exec_driver_sql(statement, listed)
        else:
            self._send(statement, listed[0])

    def get_customer(self, number: int) -> Customer | None:
        """Return the customer with ``number`` (tombstones included), or None."""
        with _translating(f"read customer {number}"):
            found = self._customers_where(_c.number == number, lock=True)
        self._hold(found)
        return found[0] if found else None

    def get_customers(self, numbers: Collection[int]) -> dict[int, Customer]:
        """Return the customers with these numbers that exist, by number."""
        result: dict[int, Customer] = {}
        with _translating("read customers"):
            for part in _chunks(numbers):
                found = self._customers_where(_among(self._conn, _c.number, part), lock=True)
                result.update((c.number, c) for c in found)
        self._hold(result.values())
        return result

    def _hold(self, customers: Iterable[Customer]) -> None:
        """Keep what a write transaction read or wrote of these customers: their rows are
        locked (or, on SQLite, every other writer waits) until it ends."""
        if self._write:
            self._held.update((c.number, c) for c in customers)

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
                statement = select(_c.debtor_account).where(
                    _among(self._conn, _c.debtor_account, part)
                )
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
        written = self._update_changed(customers)
        if written is not None:
            return written
        versions: dict[int, int] = {}
        holders: dict[int, int] = {}
        with _translating("update customers"):
            for part in _chunks([c.number for c in customers]):
                found = self._conn.execute(
                    select(_c.number, _c.version).where(_among(self._conn, _c.number, part))
                )
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
        result = [next_version(c) for c in customers]
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
                many = self._conn.execute(
                    _versioned_update(), [_versioned_params(old, row) for old, row in pairs]
                )
                if many.rowcount == len(pairs):
                    batch.commit()
                    self._hold(result)
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
        self._hold(result)
        return result

    def _update_changed(self, customers: Sequence[Customer]) -> list[Customer] | None:
        """Write only what changed, set-based: one UPDATE per set of equal new values (and read
        version) per chunk, e.g. one for a batch of anonymized customers. None when it cannot:
        a customer this transaction did not read at its version, a changed debtor account (its
        holder is checked by the general path), or too many different changes to group.

        Every customer was read in this write transaction at the version it is written from,
        so its row is locked and its columns are known; every write of a customer counts its
        version up, so the guard ``version = read version`` still catches any other change, and
        then the general path redoes the work and names the customer.
        """
        held = [self._held.get(c.number) for c in customers]
        if len({c.number for c in customers}) != len(customers):
            return None
        changed: set[str] = set()
        for customer, old in zip(customers, held, strict=True):
            if old is None or old.version != customer.version:
                return None
            # Fields compare as their columns do (equal fields, equal columns).
            was, now = _column_values(old), _column_values(customer)
            if was != now:
                changed.update(
                    name for name, a, b in zip(CUSTOMER_COLUMNS, was, now, strict=True) if a != b
                )
        if "debtor_account" in changed:
            return None
        search = [column for column, made_of in _SEARCH_COLUMNS.items() if changed & made_of]
        columns = sorted((changed & set(_UPDATED_COLUMNS)).union(search))
        # The changed columns' values are made of these fields alone (a search column of all
        # the fields it is made of): customers equal in them are written with one statement,
        # whose values are converted once, from the first of them.
        sources = sorted(changed.union(*(_SEARCH_COLUMNS[c] for c in search)))
        pick = operator.attrgetter(*sources) if sources else _no_fields
        groups: dict[tuple[int, Any], list[int]] = {}
        firsts: dict[tuple[int, Any], Customer] = {}
        for customer in customers:
            key = (customer.version, pick(customer))
            numbers = groups.get(key)
            if numbers is None:
                groups[key] = numbers = []
                firsts[key] = customer
            numbers.append(customer.number)
        if len(groups) > 1 and len(groups) * _GROUPED_AT_MOST > len(customers):
            return None  # as many statements as customers: one executemany does better
        # All or nothing: a savepoint when more than one statement may write.
        nested = self._conn.begin_nested() if len(customers) > 1 else None
        try:
            with _translating("update customers"):
                for key, numbers in groups.items():
                    row = customer_to_row(firsts[key], aware_times=self._aware_times)
                    values: dict[str, Any] = {c: row[c] for c in columns}
                    values["version"] = _c.version + 1
                    for part in _chunks(numbers):
                        result = self._conn.execute(
                            update(schema.customers)
                            .where(_among(self._conn, _c.number, part), _c.version == key[0])
                            .values(values)
                        )
                        if result.rowcount != len(part):
                            # Not what this transaction read: undo; the general path names it.
                            if nested is not None:
                                nested.rollback()
                            return None
        except BaseException:
            if nested is not None and nested.is_active:
                nested.rollback()
            raise
        if nested is not None:
            nested.commit()
        stored = [next_version(c) for c in customers]
        self._hold(stored)
        return stored

    def duplicate_candidates(self, keys: CandidateKeys, max_per_value: int) -> list[Customer]:
        """Return the customers sharing a key; see :class:`StoreTransaction`.

        One index lookup per key value, stopped after ``max_per_value + 1`` rows (more means
        the value is skipped), all in one statement on the driver
        (:func:`candidate_lookups_statement`), then one read of the customers found, also on
        the driver (:func:`customers_numbered`); nothing is locked.
        """
        lookups = sorted(
            (
                (field, value)
                for field, value in candidate_lookups(keys)
                if not isinstance(value, str) or _storable(value)
            ),
            key=repr,
        )
        found: set[int] = set()
        with _translating("find the candidates of a duplicate check"):
            if lookups:
                statement = candidate_lookups_statement(tuple(field for field, _ in lookups))
                processors = candidate_value_processors(self._conn.dialect)
                values = {}
                for i, (field, value) in enumerate(lookups):
                    process = processors[field]
                    values[f"value_{i}"] = value if process is None else process(value)
                rows = self._driver(statement, {**values, "limit": max_per_value + 1})
                holders = Counter(lookup for lookup, _ in rows)
                found.update(
                    int(number) for lookup, number in rows if holders[lookup] <= max_per_value
                )
            numbers = sorted(found)
            if len(numbers) > CANDIDATES_AT_ONCE:
                customers: list[Customer] = []
                for part in _chunks(numbers):
                    customers += self._customers_of(_BY_NUMBERS, {"numbers": part})
                return customers
            if not numbers:
                return []
            rows = self._driver(
                customers_numbered(len(numbers)), {f"n_{i}": n for i, n in enumerate(numbers)}
            )
        return field_rows_reader(text_times=self._conn.dialect.name == "sqlite")(rows)

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

    def set_status(
        self,
        selection: Selection,
        flag: int,
        on: bool,
        now: datetime,
        history: HistoryStamp | None = None,
    ) -> int:
        """Set or clear one flag on every selected customer in one UPDATE.

        Only rows whose flag changes are written (version + 1, ``updated_at = now``). With
        ``history``, the entry of each customer changed is written too (see
        :meth:`_status_run`: one more statement, never one per customer).

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
            changing = (
                update(schema.customers)
                .where(where, changes)
                .values(
                    status=status,
                    version=_c.version + 1,
                    updated_at=_time_to_db(now, aware=self._aware_times),
                )
            )
            if history is not None:
                return self._status_run(changing, and_(where, changes), history, flag, on)
            return int(self._conn.execute(changing).rowcount)

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
                statement = select(schema.bookings).where(_among(self._conn, _b.customer, part))
                found.extend(booking_from_row(r) for r in self._conn.execute(statement).mappings())
        # Python orders by code point; database collations may not, so sort here.
        return sorted(found, key=lambda b: b.reference)

    def blocking_bookings(
        self, customers: Collection[int], acting_agency: str, cutoff: date
    ) -> list[Booking]:
        """Return the bookings of these customers that block anonymization, by reference."""
        found: list[Booking] = []
        condition = blocking(schema.bookings, acting_agency, cutoff)
        with _translating("read blocking bookings"):
            for part in _chunks(customers):
                statement = select(schema.bookings).where(
                    _among(self._conn, _b.customer, part), condition
                )
                found.extend(booking_from_row(r) for r in self._conn.execute(statement).mappings())
        return sorted(found, key=lambda b: b.reference)

    def booking_references(self, customers: Collection[int]) -> list[str]:
        """Return the references of every booking of these customers, ordered by code point."""
        found: list[str] = []
        with _translating("read booking references"):
            for part in _chunks(customers):
                statement = select(_b.reference).where(_among(self._conn, _b.customer, part))
                found.extend(_first_column(self._conn.execute(statement)))
        found.sort()
        return found

    def move_bookings(self, from_customers: Collection[int], to_customer: int) -> list[str]:
        """Point every booking of ``from_customers`` at ``to_customer`` in one UPDATE.

        Where the engine returns rows from an UPDATE (SQLite, PostgreSQL) the UPDATE returns
        the references it moved: the bookings are read once. MariaDB cannot; it reads them
        first, in the same transaction, on customers the merge holds locked.

        Returns:
            The references of the bookings moved, ordered by code point.
        """
        with _translating(f"move bookings to customer {to_customer}"):
            if not self._conn.dialect.update_returning:
                moving = self.booking_references(from_customers)
                self._repoint(schema.bookings, "customer", from_customers, to_customer)
                return moving
            moved: list[str] = []
            for part in _chunks(from_customers):
                statement = (
                    update(schema.bookings)
                    .where(_among(self._conn, _b.customer, part))
                    .values(customer=to_customer)
                    .returning(_b.reference)
                )
                moved.extend(_first_column(self._conn.execute(statement)))
        moved.sort()
        return moved

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
        """Count the statistics in one statement (:func:`statistics_statement`) and fold its rows.

        The statement's cost grows with the rows it reads, never its number with the customers.
        """
        forms = statement_forms(self._conn.dialect.name)
        statement = statistics_statement(selection, group_by, period, **forms)
        with _translating("count statistics"):
            try:
                found = self._conn.execute(statement).all()
            except sa_exc.OperationalError as error:
                # Only SQLite's SUM of integers fails beyond 64 bits (the others sum exactly as
                # decimals); a failed SELECT leaves its transaction usable, so count again with
                # the revenue split in halves, which costs more and is needed only here.
                if "integer overflow" not in str(error.orig):
                    raise
                split = statistics_statement(
                    selection, group_by, period, split_revenue=True, **forms
                )
                found = self._conn.execute(split).all()
        return fold_statistics(found, group_by, period)

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
            found = customer_foreign_keys(self._conn)
        return sorted(
            name
            for name in {f"{t}.{c}" for t, c in found}
            if not name.startswith(_PREFIX) and name not in self._references
        )

    # -- the host's personal data -------------------------------------------------------------

    def erase_host_data(self, customers: Collection[int]) -> dict[str, int]:
        """Blank the personal columns of the host references, then run the host's erasers.

        One ``UPDATE`` per reference with personal columns (per 900 customers), then each
        eraser once with this transaction's connection and all the customers.

        Returns:
            Rows per registration, every one listed.
        """
        erased: dict[str, int] = {}
        group = frozenset(customers)
        for name, reference in self._references.items():
            if not reference.personal:
                continue
            host = reference.clause()
            rows = 0
            with _translating(f"blank the personal columns of host reference {name}"):
                for part in _chunks(group):
                    written = self._conn.execute(
                        update(host)
                        .where(host.c[reference.column].in_(part))
                        .values({host.c[c]: v for c, v in reference.personal.items()})
                    )
                    rows += int(written.rowcount)
            erased[name] = rows
        for name, eraser in self._erasers.items():
            if not group:
                erased[name] = 0
                continue
            with _translating(f"run host eraser {name}"):
                erased[name] = _hostdata.rows_erased(name, eraser(self._for_host(), group))
        return dict(sorted(erased.items()))

    def host_vetoes(self, customers: Collection[int]) -> dict[int, tuple[HostVeto, ...]]:
        """Ask every registered veto once, with this transaction's connection."""
        group = frozenset(customers)
        if not group:
            return {}
        answers = []
        for name, veto in self._vetoes.items():
            with _translating(f"ask host veto {name}"):
                answers.append((name, veto(self._for_host(), group)))
        return _hostdata.collect_vetoes(answers, group)
