"""Host references, and what ``SqlStore.hold_customer`` needs of the caller's connection."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Protocol

import attrs
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    ForeignKey,
    Select,
    TableClause,
    Update,
    bindparam,
    column,
    false,
    func,
    select,
    table,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Dialect

from custmodel.errors import (
    InvalidInputError,
)
from custmodel.storage.sql import _schema as schema
from custmodel.storage.sql._engine import driver_of
from custmodel.storage.sql._queries import _c

#: custmodel's tables share this prefix; host tables must not use it.
_PREFIX: Final = "custmodel_"


@attrs.frozen
class HostReference:
    """A column of a host application's table that holds customer numbers.

    Attributes:
        table: The table's name, as the database's catalog spells it.
        column: The column's name, likewise.
        personal: The table's columns that hold personal data, each with the dummy value
            anonymization writes into the rows of the customers it erases; empty for none.
    """

    table: str
    column: str
    personal: Mapping[str, Any] = attrs.field(factory=dict, hash=False)

    @property
    def name(self) -> str:
        """How plans, reports and merge records name it: "table.column"."""
        return f"{self.table}.{self.column}"

    def clause(self) -> TableClause:
        """Return the table with this column and the personal ones, for statements (quoted as
        needed)."""
        names = dict.fromkeys([self.column, *self.personal])
        return table(self.table, *(column(name) for name in names))


def customer_number_column(
    name: str = "customer",
    *,
    nullable: bool = False,
    index: bool = True,
    foreign_key: bool = True,
    **options: Any,
) -> Column[int]:
    """Return a column for a host table that holds customer numbers.

    Its type is custmodel's customer number's (``BIGINT``; MariaDB wants a foreign key's
    type to match exactly), and its foreign key refers to ``custmodel_customers.number``
    through custmodel's own table object, so the host's ``MetaData`` needs no stand-in table
    of custmodel's and ``create_all`` creates only the host's tables. Register the column
    with :meth:`SqlStore.register_reference` so that merges move its rows.

    Args:
        name: The column's name.
        nullable: Whether a row may name no customer.
        index: Index the column: a merge and its plan find the rows of the duplicates by it
            (PostgreSQL and SQLite index no foreign key by themselves).
        foreign_key: Refer to the customers; False for a plain number column.
        **options: Further keyword arguments of ``sqlalchemy.Column`` (``comment``...).

    Raises:
        InvalidInputError: for a name that is no text or is empty.
    """
    if not isinstance(name, str) or not name:
        raise InvalidInputError("a customer number column needs a name")
    keys = [ForeignKey(schema.customers.c.number)] if foreign_key else []
    return Column(name, BigInteger, *keys, nullable=nullable, index=index, **options)


#: A host's eraser on the SQL store: ``eraser(connection, customers)`` erases (or blanks) the
#: host's personal data of ``customers`` on the store's connection, in the anonymizing
#: transaction, and returns how many rows it erased.
SqlEraser = Callable[[Connection, frozenset[int]], int]

#: A host's veto on the SQL store: ``veto(connection, customers)`` returns customer -> reason
#: for each of the customers the host objects to anonymizing, reading on the store's
#: connection. The reason is a short text without personal data.
SqlVeto = Callable[[Connection, frozenset[int]], Mapping[int, str]]


def personal_columns(
    reference: HostReference, personal: object, columns: Mapping[str, bool]
) -> dict[str, Any]:
    """Check the personal columns given for ``reference`` against its table's catalog.

    Args:
        reference: The reference (table and column).
        personal: What the caller gave: column -> dummy value, or None.
        columns: The table's columns -> whether each may hold NULL.

    Raises:
        InvalidInputError: naming only table.column, for no mapping, an unknown column, the
            reference column itself or None for a NOT NULL column.
    """
    if personal is None:
        return {}
    if not isinstance(personal, Mapping):
        raise InvalidInputError(f"host reference {reference.name}: personal maps columns to values")
    checked: dict[str, Any] = {}
    for name, dummy in personal.items():
        where = f"{reference.table}.{name}"
        if not isinstance(name, str) or name not in columns:
            raise InvalidInputError(
                f"personal column {where}: table {reference.table} has no such column"
            )
        if name == reference.column:
            raise InvalidInputError(f"personal column {where} is the reference column itself")
        if dummy is None and not columns[name]:
            raise InvalidInputError(f"personal column {where} is NOT NULL; give a dummy value")
        checked[name] = dummy
    return checked


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
        return driver_of(connection)
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


def _sqlite_foreign_keys(connection: Connection) -> list[tuple[str, str]]:
    """Return (table, column) of the foreign keys to customers, in one catalog query.

    The inspector would run two to three statements per table of the database.
    """
    rows = connection.exec_driver_sql(
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


def _inspected_foreign_keys(connection: Connection) -> list[tuple[str, str]]:
    """Return (table, column) of the foreign keys to customers the inspector reflects.

    PostgreSQL's inspector reads every foreign key of the tables visible through the
    ``search_path`` in one catalog query.
    """
    target = schema.customers.name
    found: list[tuple[str, str]] = []
    keys = sa_inspect(connection).get_multi_foreign_keys()
    for (_schema, table_name), constraints in keys.items():
        for key in constraints:
            if key.get("referred_schema") is not None:
                continue  # another schema's custmodel_customers, not ours
            if str(key["referred_table"]).lower() != target:
                continue
            pairs = zip(key["constrained_columns"], key["referred_columns"], strict=False)
            found.extend((table_name, col) for col, ref in pairs if ref.lower() == "number")
    return found


def _mysql_foreign_keys(connection: Connection) -> list[tuple[str, str]]:
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
    return [(str(t), str(c)) for t, c in connection.execute(statement)]


def customer_foreign_keys(connection: Connection) -> list[tuple[str, str]]:
    """Return (table, column) of every foreign key to ``custmodel_customers.number``.

    Reads the catalog of the database ``connection`` works on in one query, on every engine.
    """
    dialect = connection.dialect.name
    if dialect in ("mysql", "mariadb"):
        return _mysql_foreign_keys(connection)
    if dialect == "sqlite":
        return _sqlite_foreign_keys(connection)
    return _inspected_foreign_keys(connection)


def check_caller_connection(dialect: Dialect, connection: object) -> None:
    """Refuse a connection that is not of the store's database driver (its ``dialect``)."""
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


def run_on(
    dialect: Dialect,
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
