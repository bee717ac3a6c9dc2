"""The SQL store: engine, migrations, transactions, host references."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext, suppress
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Any, Final, TypeVar

import attrs
from sqlalchemy import (
    Connection,
    Engine,
    column,
    create_engine,
    event,
    select,
    table,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import URL
from sqlalchemy.pool import StaticPool

from custmodel.errors import (
    CustomerNotFoundError,
    InvalidInputError,
    MissingExtraError,
    StoreBusyError,
    StoreError,
    StoreUnavailableError,
)
from custmodel.model import (
    MAX_NUMBER,
)
from custmodel.storage import _hostdata
from custmodel.storage.ports import SingleReads, StoreTransaction
from custmodel.storage.sql import _schema as schema
from custmodel.storage.sql._engine import (
    _LOGGING_NAME,
    _SQLITE_TIMEOUT,
    _WRITE_OPTION,
    _checkpoint,
    _engine_options,
    _flag,
    _migration_lock,
    _normalize_url,
    _pool_options,
    _secure_delete_on,
    _sqlite_on_begin,
    _sqlite_on_connect,
    begin_on_driver,
    end_transaction,
    unwatched,
)
from custmodel.storage.sql._errors import (
    _raise_translated,
    _raise_unavailable,
    _translating,
)
from custmodel.storage.sql._hosts import (
    _HOLD,
    _MAX_CHAIN,
    _PREFIX,
    _TAKE_WRITE_LOCK,
    DriverConnection,
    HostReference,
    SqlEraser,
    SqlVeto,
    _driver_connection,
    _in_transaction,
    check_caller_connection,
    personal_columns,
    run_on,
)
from custmodel.storage.sql._kept import KeptReads, KeptWriter, KeptWrites
from custmodel.storage.sql._transaction import SqlTransaction

T = TypeVar("T")

_MIGRATIONS: Final = Path(__file__).with_name("migrations")
#: How long :meth:`SqlStore.purge` keeps retrying a checkpoint a reader blocks, in seconds.
_CHECKPOINT_PATIENCE: Final = 2.0
#: How long :meth:`SqlStore.upgrade` keeps trying while the database is busy, in seconds.
_UPGRADE_PATIENCE: Final = 60.0

logger = logging.getLogger("custmodel")


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
        self._erasers: dict[str, SqlEraser] = {}
        self._vetoes: dict[str, SqlVeto] = {}
        self._hosts = _Hosts.of(self._references, self._erasers, self._vetoes)
        if engine.dialect.name == "sqlite":
            if not event.contains(engine, "connect", _sqlite_on_connect):
                event.listen(engine, "connect", _sqlite_on_connect)
                event.listen(engine, "begin", _sqlite_on_begin)
            if isinstance(engine.pool, StaticPool):
                # One shared connection (in-memory database): one transaction at a time.
                self._lock = threading.RLock()
        # A database in memory has its one shared connection and nothing to keep beside it.
        self._kept = None if isinstance(engine.pool, StaticPool) else KeptReads(engine)
        self._writers = (
            KeptWrites(engine)
            if engine.dialect.name == "sqlite" and not isinstance(engine.pool, StaticPool)
            else None
        )

    @classmethod
    def from_url(
        cls,
        url: str | URL,
        *,
        upgrade: bool = True,
        pool_size: int | None = None,
        max_overflow: int | None = None,
        pool_timeout: float | None = None,
        pool_recycle: float | None = None,
        pool_pre_ping: bool | None = None,
        echo: bool | None = None,
        engine_options: Mapping[str, Any] | None = None,
    ) -> SqlStore:
        """Open the database at ``url`` and, unless ``upgrade`` is False, migrate it to head.

        ``sqlite:///path`` is a file (``?timeout=`` seconds to wait for a lock, default 30),
        ``sqlite://`` a database in memory shared by all threads. ``postgresql://`` uses
        psycopg, ``mysql://`` and ``mariadb://`` use PyMySQL.

        The pool options go to SQLAlchemy's ``create_engine`` as they are; None keeps its
        default, or custmodel's (``pool_pre_ping`` on server databases, ``pool_recycle`` of an
        hour on MariaDB). A database in memory has one shared connection and no pool, so it
        takes none of them.

        Args:
            url: The database.
            upgrade: Migrate the schema to the newest revision.
            pool_size: Connections the pool keeps open (0: no limit).
            max_overflow: Connections opened beyond ``pool_size`` under load (-1: no limit).
            pool_timeout: Seconds to wait for a free connection before giving up.
            pool_recycle: Seconds after which a pooled connection is replaced (-1: never).
            pool_pre_ping: Test a pooled connection before each use.
            echo: Log every statement (its parameters hidden) to the logger
                ``sqlalchemy.engine.Engine.custmodel``.
            engine_options: Further keyword arguments of ``create_engine``; ``connect_args``
                are added to custmodel's. The options custmodel's guarantees depend on
                (``poolclass``, ``isolation_level``, ``hide_parameters``, ``logging_name``...)
                are refused.

        Raises:
            InvalidInputError: for a URL that names no supported database, or an option that
                is malformed, does not apply to the database or is refused.
            MissingExtraError: if the driver is not installed; the message names the extra.
            StoreUnavailableError: if the database cannot be opened or reached (no such
                database or file, connection or login refused); the message says why.
            StoreError: if the database cannot be migrated.
        """
        parsed, extra = _normalize_url(url)
        _flag(upgrade, "upgrade")
        given = parsed
        backend = parsed.get_backend_name()
        in_memory = backend == "sqlite" and parsed.database in (None, "", ":memory:")
        pool = _pool_options(
            in_memory,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_timeout=pool_timeout,
            pool_recycle=pool_recycle,
            pool_pre_ping=pool_pre_ping,
        )
        extras = _engine_options(engine_options)
        connect_args: dict[str, Any] = {}
        options: dict[str, Any] = {"hide_parameters": True, "logging_name": _LOGGING_NAME}
        if backend == "sqlite":
            if in_memory:
                options["poolclass"] = StaticPool
                connect_args["check_same_thread"] = False
            elif "timeout" not in parsed.query:
                connect_args["timeout"] = _SQLITE_TIMEOUT
        else:
            # A server restart or an idle timeout leaves dead connections in the pool; testing
            # one before use costs a round trip, a failed operation would cost more.
            options["pool_pre_ping"] = True
        if backend in ("mysql", "mariadb"):
            if "charset" not in parsed.query:
                parsed = parsed.update_query_dict({"charset": "utf8mb4"})
            # Fewer gap locks than REPEATABLE READ; the counter row is locked explicitly.
            options.update(isolation_level="READ COMMITTED", pool_recycle=3600)
        connect_args.update(extras.pop("connect_args", {}))
        options.update(extras)
        options.update(pool)
        if echo is not None:
            options["echo"] = _flag(echo, "echo")
        if connect_args:
            options["connect_args"] = connect_args
        try:
            engine = create_engine(parsed, **options)
        except ImportError as error:
            raise MissingExtraError(extra, f"a {backend} database") from error
        except TypeError as error:
            # SQLAlchemy names the arguments it does not know, never their values.
            raise InvalidInputError(f"engine_options: {error}") from None
        except sa_exc.SQLAlchemyError as error:
            _raise_translated(error, f"open the {backend} database")
        store = cls(engine)
        if upgrade:
            try:
                store.upgrade()
            except StoreUnavailableError as error:
                store.close()
                _raise_unavailable(error, given)
            except BaseException:
                store.close()
                raise
        if backend == "sqlite" and not in_memory:
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
        """The registered host references, by name, with their personal columns."""
        return [self._references[name] for name in sorted(self._references)]

    @property
    def erasers(self) -> list[str]:
        """The names of the registered erasers, sorted."""
        return sorted(self._erasers)

    @property
    def vetoes(self) -> list[str]:
        """The names of the registered vetoes, sorted."""
        return sorted(self._vetoes)

    def register_reference(
        self, table: str, column: str, *, personal: Mapping[str, Any] | None = None
    ) -> None:
        """Register a column of a host table that holds customer numbers, so merges move it.

        Call it at start-up, for every such column, before the first merge: registrations live
        in this store object (nothing is written to the database), so every process registers
        its references again (the same column with the same ``personal`` again changes
        nothing, so start-up code may run twice). A merge then points the column's rows at the
        master in its own transaction, and ``plan_merge`` counts them under the name
        "table.column". While a foreign key to ``custmodel_customers.number`` is not
        registered, merges are refused: they would leave the host's rows pointing at a
        tombstone.

        The table must be in the database the store works on (PostgreSQL: visible through
        the ``search_path``); the column may, but need not, have a foreign key to
        ``custmodel_customers.number``.

        Args:
            table: The host's table.
            column: Its column that holds customer numbers.
            personal: The table's columns that hold personal data, each with the dummy value
                to write (e.g. ``{"text": "", "phone": None}``): anonymization sets them in
                the rows of the customers it anonymizes, in one UPDATE per chunk of customers,
                and reports the rows under "table.column".

        Raises:
            InvalidInputError: if the table or the column does not exist, the table is one
                of custmodel's own, the reference is registered already with another
                ``personal``, or a personal column does not exist, is the reference column or
                is NOT NULL but given None.
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
            columns = {c["name"]: bool(c["nullable"]) for c in inspector.get_columns(table)}
        if column not in columns:
            raise InvalidInputError(
                f"host reference {table}.{column}: table {table} has no column {column}"
            )
        reference = HostReference(table, column)
        reference = HostReference(table, column, personal_columns(reference, personal, columns))
        registered = self._references.get(reference.name)
        if registered == reference:
            return  # the same registration again, e.g. by a second start-up hook
        if registered is not None:
            raise InvalidInputError(
                f"host reference {reference.name} is registered already, "
                "with other personal columns or dummy values"
            )
        if reference.personal and reference.name in self._erasers:
            raise InvalidInputError(f"host eraser {reference.name} is registered already")
        self._references[reference.name] = reference
        self._hosts = _Hosts.of(self._references, self._erasers, self._vetoes)

    def register_eraser(self, name: str, eraser: SqlEraser) -> None:
        """Register a function that erases the host's personal data of anonymized customers.

        Anonymization (single and the sweep) calls ``eraser(connection, customers)`` with the
        store's connection, inside the transaction that anonymizes ``customers``, and reports
        the rows it returns under ``name``. Run the host's statements on that connection, so
        that they commit or roll back with the anonymization; if the eraser raises, nothing
        is anonymized. Where personal data sits in columns of a registered reference's table,
        ``register_reference(..., personal=...)`` does it without code.

        Raises:
            InvalidInputError: for an empty name or one registered already.
        """
        _hostdata.registration_name(name, "eraser")
        with self._lock:
            personal = self._references.get(name)
            if name in self._erasers or (personal is not None and personal.personal):
                raise InvalidInputError(f"host eraser {name!r} is registered already")
            self._erasers[name] = eraser
            self._hosts = _Hosts.of(self._references, self._erasers, self._vetoes)

    def register_veto(self, name: str, veto: SqlVeto) -> None:
        """Register a function that may object to anonymizing customers (see :data:`SqlVeto`).

        Eligibility, anonymization, the erasure requests' states and the sweep call
        ``veto(connection, customers)`` once for all the customers they decide on, on the
        store's connection in their transaction. A vetoed customer is not eligible, with a
        :class:`~custmodel.model.HostVeto` (``name``, reason) in its eligibility. The reason
        must be a short text (at most 200 characters) without personal data: custmodel shows
        it in explanations, never in exception messages.

        Raises:
            InvalidInputError: for an empty name or one registered already.
        """
        _hostdata.registration_name(name, "veto")
        with self._lock:
            if name in self._vetoes:
                raise InvalidInputError(f"host veto {name!r} is registered already")
            self._vetoes[name] = veto
            self._hosts = _Hosts.of(self._references, self._erasers, self._vetoes)

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
        check_caller_connection(self._engine.dialect, connection)
        with _translating(f"hold customer {number}"):
            driver = _driver_connection(connection)
            if self._engine.dialect.name == "sqlite":
                run_on(self._engine.dialect, connection, _TAKE_WRITE_LOCK)
            current = number
            for _ in range(_MAX_CHAIN):
                row = run_on(self._engine.dialect, connection, _HOLD, {"number": current})
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

    def upgrade(self) -> None:
        """Bring the schema to the newest revision of custmodel's migrations.

        Safe to call on every start: at head it changes nothing, and concurrent callers
        serialize on a lock (SQLite's write lock, a PostgreSQL advisory lock, a MariaDB named
        lock). Alembic records the revision in ``custmodel_alembic_version``.

        A database already at the newest revision is recognised by reading the version table
        alone, without loading Alembic (which costs more than the rest of a short command).

        A migration that finds the database busy is tried again, for up to a minute: SQLite
        refuses some lock requests at once instead of waiting (switching a new file to WAL
        while another connection opens it, a reader that would have to become a writer), and
        a second try finds the schema at head or migrates it. Retrying is safe because a
        migration runs in one transaction and changes nothing at head.

        Raises:
            StoreBusyError: if the database stayed busy for a minute.
            StoreError: if the database cannot be migrated, e.g. because it was migrated by a
                newer custmodel.
        """
        deadline = time.monotonic() + _UPGRADE_PATIENCE
        while True:
            try:
                self._upgrade_once()
                return
            except StoreBusyError:
                if time.monotonic() >= deadline:
                    raise
                # Apart, so that migrators refused together do not all come back together.
                time.sleep(random.uniform(0.02, 0.2))  # noqa: S311 (not for security)

    def _upgrade_once(self) -> None:
        """One attempt of :meth:`upgrade`."""
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

    def transaction(self, *, write: bool = True) -> AbstractContextManager[StoreTransaction]:
        """Open a transaction; it commits when the block ends, rolls back when it raises.

        Args:
            write: False starts a deferred transaction on SQLite, which takes no write lock.

        Raises:
            StoreBusyError: if the database stayed locked (the caller may retry).
            StoreError: if the store is closed or the database fails.
        """
        return _Transaction(self, write)

    def single_read(self, operation: Callable[[SingleReads], T]) -> T:
        """Run a read that is one statement (find by Code1, select, a page, count).

        On the calling thread's own driver connection, kept open in autocommit mode, with
        SQL compiled once per statement shape: each statement reads what was committed
        before it started, without the pool, BEGIN and COMMIT of a transaction. A database
        in memory, which has one shared connection, reads in a transaction instead.

        Raises:
            StoreError: if the store is closed or the database fails.
        """
        if self._closed:
            raise StoreError("the store is closed")
        if self._kept is None:
            with self.transaction(write=False) as tx:
                return operation(tx)
        return operation(self._kept)

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

    def analyze(self) -> None:
        """Refresh the database's statistics of custmodel's tables, from which it plans queries.

        Call it after loading many customers or bookings at once (an import, a move from an
        older system). Until the statistics are refreshed, the planner plans for the tables as
        they were before, often empty, and can choose plans many times slower: PostgreSQL's
        autovacuum refreshes them only some time later, MariaDB after a tenth of a table
        changed, SQLite never. Runs ``ANALYZE`` of each table on PostgreSQL and SQLite,
        ``ANALYZE TABLE`` on MariaDB; it reads the tables and changes no data.

        Raises:
            StoreError: if the store is closed or the database fails.
        """
        if self._closed:
            raise StoreError("the store is closed")
        quote = self._engine.dialect.identifier_preparer.quote
        names = [quote(table.name) for table in schema.metadata.sorted_tables]
        with (
            self._lock,
            _translating("analyze custmodel's tables"),
            self._engine.connect() as connection,
        ):
            if self._engine.dialect.name in ("mysql", "mariadb"):
                connection.exec_driver_sql(f"ANALYZE TABLE {', '.join(names)}").all()
            else:
                for name in names:
                    connection.exec_driver_sql(f"ANALYZE {name}")
            connection.commit()

    def close(self) -> None:
        """Close every pooled connection; the store is unusable afterwards."""
        self._closed = True
        if self._kept is not None:
            self._kept.close()
        if self._writers is not None:
            self._writers.close()
        self._engine.dispose()

    def __repr__(self) -> str:
        return f"SqlStore({self._engine.url.render_as_string(hide_password=True)!r})"


@attrs.frozen
class _Hosts:
    """The registered host references, erasers and vetoes, each sorted by name, as a
    transaction takes them: made anew on every registration and never changed, so that a
    transaction needs no copies of its own while another thread registers one."""

    references: Mapping[str, HostReference]
    erasers: Mapping[str, SqlEraser]
    vetoes: Mapping[str, SqlVeto]

    @classmethod
    def of(
        cls,
        references: Mapping[str, HostReference],
        erasers: Mapping[str, SqlEraser],
        vetoes: Mapping[str, SqlVeto],
    ) -> _Hosts:
        return cls(
            MappingProxyType(dict(sorted(references.items()))),
            MappingProxyType(dict(sorted(erasers.items()))),
            MappingProxyType(dict(sorted(vetoes.items()))),
        )


class _Transaction(AbstractContextManager[StoreTransaction]):
    """The block of :meth:`SqlStore.transaction`.

    A class, not a generator: a single registration is one short transaction, and a
    generator's set-up and close cost about a microsecond of it.
    """

    __slots__ = ("_connection", "_kept", "_store", "_write")

    def __init__(self, store: SqlStore, write: bool) -> None:
        self._store = store
        self._write = write
        self._connection: Connection | None = None
        self._kept: KeptWriter | None = None

    def __enter__(self) -> StoreTransaction:
        store = self._store
        if store._closed:
            raise StoreError("the store is closed")
        store._lock.__enter__()
        try:
            return self._begin(store)
        except BaseException as error:
            store._lock.__exit__(type(error), error, error.__traceback__)
            raise

    def _begin(self, store: SqlStore) -> SqlTransaction:
        writers = store._writers
        write = self._write
        kept = None
        with _translating("open a connection"):
            if writers is not None:
                kept = writers.take()
            # Nobody watching, a kept connection's transaction is the driver's own.
            direct = kept is not None and unwatched(store._engine)
            connection = store._engine.connect() if kept is None else kept.connect(keep=direct)
        self._connection, self._kept = connection, kept
        try:
            with _translating("begin a transaction"):
                if direct:
                    begin_on_driver(connection, write=write)
                else:
                    connection.execution_options(**{_WRITE_OPTION: write})
                    connection.begin()
            hosts = store._hosts
            return SqlTransaction(
                connection,
                hosts.references,
                write=write,
                erasers=hosts.erasers,
                vetoes=hosts.vetoes,
                settings_memo=None if kept is None else kept.settings,
            )
        except BaseException:
            # Begun or not, nothing of it is kept: the connection goes as after any error.
            with suppress(sa_exc.SQLAlchemyError):
                end_transaction(connection, commit=False)
            self._release(ended=False)
            raise

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection = self._connection
        if connection is None:
            raise StoreError("the transaction was not entered, or has ended")
        ended = False
        try:
            if error is not None:
                # The block's own error is what the caller needs; a failing rollback (a lost
                # connection) is discarded with the connection below.
                with suppress(sa_exc.SQLAlchemyError):
                    end_transaction(connection, commit=False)
                return
            with _translating("commit"):
                end_transaction(connection, commit=True)
            ended = True
        finally:
            try:
                self._release(ended=ended)
            finally:
                self._store._lock.__exit__(None, None, None)

    def _release(self, *, ended: bool) -> None:
        """Close the connection, or give the kept one back (after an error: drop it)."""
        writers, kept, connection = self._store._writers, self._kept, self._connection
        self._connection = self._kept = None
        if writers is None or kept is None:
            if connection is not None:
                with suppress(sa_exc.SQLAlchemyError):
                    connection.close()
        elif ended:
            writers.give_back(kept)
        else:
            # After any error the thread's next transaction starts on a new one.
            writers.drop(kept)
