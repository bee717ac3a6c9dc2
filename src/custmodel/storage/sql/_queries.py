"""Statements: the selection clause, the statistics statement, the prebuilt ones."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, Final, TypeVar

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Text,
    Update,
    and_,
    any_,
    bindparam,
    cast,
    false,
    literal,
    literal_column,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.selectable import NamedFromClause
from sqlalchemy.types import TypeEngine

from custmodel.model._channels import channel_bits
from custmodel.model._customer import Customer, search_key
from custmodel.model._kinds import BookingKind
from custmodel.model._selection import Selection
from custmodel.storage.sql import _schema as schema
from custmodel.storage.sql._rows import CUSTOMER_COLUMNS, CUSTOMER_ROW_COLUMNS

_T = TypeVar("_T")

#: Values per ``IN (...)`` list: far below SQLite's bound-parameter limit on every version.
_CHUNK: Final = 900
#: All 32 flag bits. Clearing a flag ANDs with this minus the bit: a positive literal, where
#: ``~bit`` would be negative and read differently by MariaDB's unsigned bit arithmetic.
_ALL_BITS: Final = (1 << 32) - 1
_SETTINGS_ID: Final = 1

_c = schema.customers.c
_b = schema.bookings.c
_m = schema.merges.c
_md = schema.merge_duplicates.c
_e = schema.requests.c
_dm = schema.distinct_marks.c
_mc = schema.marketing_choices.c

# -- the erasure sweep --------------------------------------------------------------------------


#: Makes PostgreSQL plan each statement of the transaction for its own parameters, never with
#: a generic plan of a statement psycopg prepared: the sweeps' keyset pages (``after``,
#: ``limit``) need a plan that knows them (see ``SqlTransaction.due_erasures``).
CUSTOM_PLANS: Final = "SET LOCAL plan_cache_mode = force_custom_plan"


def blocking_booking(
    b: NamedFromClause, customer: ColumnElement[Any], acting_agency: str, cutoff: date
) -> ColumnElement[bool]:
    """The join condition of the firm bookings of ``customer`` that block anonymization (R9).

    Joined as ``LEFT JOIN bookings b ON <this> ... WHERE b.reference IS NULL``: an anti-join
    every engine answers by probing the bookings' customer index per row (MariaDB would
    materialize a NOT EXISTS over the whole bookings table). PostgreSQL's planner does better
    with ``NOT EXISTS`` where a limit applies (see ``due_erasures``).
    """
    return and_(b.c.customer == customer, blocking(b, acting_agency, cutoff))


def blocking(b: NamedFromClause, acting_agency: str, cutoff: date) -> ColumnElement[bool]:
    """The firm bookings that block anonymization by ``acting_agency`` by ``cutoff`` (R9):
    :func:`custmodel.rules.blocks_erasure` as a condition on the bookings table ``b``."""
    agency_differs = b.c.point_of_sale != acting_agency if _storable(acting_agency) else true()
    return and_(
        b.c.kind == BookingKind.BOOKING.value,
        or_(agency_differs, b.c.channel_external == true(), b.c.departure > cutoff),
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
    if selection.advertising is not None:
        bit = channel_bits([selection.advertising])
        objected = _c.advertising_objections.op("&", return_type=BigInteger)(_bits(bit))
        clauses.append(objected == 0)
    return and_(true(), *clauses)


def _among(
    connection: Connection, column: ColumnElement[Any], values: list[Any]
) -> ColumnElement[bool]:
    """``column IN (values)``, on PostgreSQL ``column = ANY(:values)``.

    SQLAlchemy renders an ``IN`` of a chunk as one parameter per value; on PostgreSQL a
    chunk's statement then took longer to render, parse and plan than to run (a sweep's batch
    of 500 customers sends about ten of them). One array parameter keeps the text short and
    the same for every chunk.
    """
    if connection.dialect.name == "postgresql":
        if values and all(type(v) is int for v in values):
            # Whole numbers go as the array's text ("{1,2,3}"), which PostgreSQL reads: the
            # driver turns a list into an array in Python, a value at a time, and took about
            # 0.3 ms for a chunk's numbers, as long as the statement itself.
            text = "{" + ",".join(map(str, values)) + "}"
            return column == any_(cast(bindparam(None, text, type_=Text()), ARRAY(column.type)))
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


def _chunks(values: Collection[_T]) -> Iterator[list[_T]]:
    """Yield ``values`` without duplicates in lists short enough for one ``IN (...)``."""
    items = list(dict.fromkeys(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _chunk_pairs(first: Sequence[_T], second: Sequence[_T]) -> Iterator[tuple[list[_T], list[_T]]]:
    """Yield the same slices of two equally long lists, short enough for one ``IN (...)``."""
    for start in range(0, len(first), _CHUNK):
        yield list(first[start : start + _CHUNK]), list(second[start : start + _CHUNK])


#: The attribute of a dialect that holds the driver's forms built for it so far: they go with
#: the dialect (a closed engine's with it). A weak dictionary keyed by dialect made a weak
#: reference on every look-up, several times a registration.
_DRIVER_FORMS: Final = "_custmodel_driver_forms"


def _built(dialect: Dialect, key: object) -> Any:
    """What :func:`_per_dialect` built for ``dialect`` and ``key`` so far, or None: the look-up
    of statements every registration sends, without making a builder first."""
    forms: dict[object, Any] | None = vars(dialect).get(_DRIVER_FORMS)
    return None if forms is None else forms.get(key)


def _per_dialect(dialect: Dialect, key: object, build: Callable[[], _T]) -> _T:
    """``build()``, once per dialect and ``key``."""
    own = vars(dialect)
    forms: dict[object, Any] | None = own.get(_DRIVER_FORMS)
    if forms is None:
        forms = own.setdefault(_DRIVER_FORMS, {})
    try:
        found: _T = forms[key]
    except KeyError:
        found = forms[key] = build()
    return found


#: Moments and days to try a conversion on before it is replaced (see :func:`bind_processor`).
_PROBE_TIMES: Final = tuple(
    # Naive, as SQLite's columns take them: UTC by design.
    moment.replace(tzinfo=None)
    for moment in (
        datetime(2026, 12, 7, 21, 5, 9, 123456, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(999, 3, 4, 5, 6, 7, 8, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    )
)
_PROBE_DAYS: Final = (date(2026, 12, 7), date(1, 1, 1), date(999, 3, 4), date(9999, 12, 31))


def bind_processor(column_type: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """The conversion ``column_type`` applies to a value bound on ``dialect``, or None.

    SQLite stores moments and days as text, and SQLAlchemy's conversion formats each
    component in turn (about 2 µs a value, three a single registration). Where the text it
    makes for the probe values is Python's ISO form, naive moments and plain days take that
    form directly, and anything else the column's own conversion.
    """
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    if process is None or dialect.name != "sqlite":
        return process
    general = process
    if all(general(t) == t.isoformat(" ", "microseconds") for t in _PROBE_TIMES):

        def iso_time(value: Any) -> Any:
            if type(value) is datetime and value.tzinfo is None:
                return value.isoformat(" ", "microseconds")
            return general(value)

        return iso_time
    if all(general(d) == d.isoformat() for d in _PROBE_DAYS):

        def iso_day(value: Any) -> Any:
            if type(value) is date:
                return value.isoformat()
            return general(value)

        return iso_day
    return process


def _customer_insert(dialect: Dialect) -> tuple[str, tuple[tuple[int, Callable[[Any], Any]], ...]]:
    """The driver's ``INSERT`` of one customer row in ``CUSTOMER_ROW_COLUMNS`` order, and the
    column types' conversions (position, function) that SQLAlchemy would apply to its values."""
    found = _built(dialect, _customer_insert)
    if found is not None:
        return found  # type: ignore[no-any-return]

    def build() -> tuple[str, tuple[tuple[int, Callable[[Any], Any]], ...]]:
        mark = {"qmark": "?", "numeric": ":{}", "named": ":p{}"}.get(dialect.paramstyle, "%s")
        quote = dialect.identifier_preparer.quote
        columns = [schema.customers.c[name] for name in CUSTOMER_ROW_COLUMNS]
        marks = ", ".join(mark.format(n) for n in range(1, len(columns) + 1))
        names = ", ".join(quote(c.name) for c in columns)
        table = quote(schema.customers.name)
        # Names of the table and its columns, and placeholders: no value enters the text.
        statement = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        processors = []
        for index, column in enumerate(columns):
            process = bind_processor(column.type, dialect)
            if process is not None:
                processors.append((index, process))
        return statement, tuple(processors)

    return _per_dialect(dialect, _customer_insert, build)


def _customer_copy(dialect: Dialect) -> str:
    """PostgreSQL's ``COPY ... FROM STDIN`` of customer rows in ``CUSTOMER_ROW_COLUMNS`` order."""
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in CUSTOMER_ROW_COLUMNS)
    return f"COPY {quote(schema.customers.name)} ({columns}) FROM STDIN"


def _driver_form(
    statement: ClauseElement, dialect: Dialect
) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
    """``statement`` as the driver takes it: its text, the order of its parameters' names for
    a positional paramstyle (None: the driver takes them by name), and the values bound in the
    statement itself. Only for statements whose parameters and results need no type
    conversion by SQLAlchemy (whole numbers, text)."""

    found = _built(dialect, statement)
    if found is not None:
        return found  # type: ignore[no-any-return]

    def build() -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        compiled = statement.compile(dialect=dialect)
        order: list[str] | None = getattr(compiled, "positiontup", None)
        return compiled.string, None if order is None else tuple(order), dict(compiled.params)

    return _per_dialect(dialect, statement, build)


# -- prebuilt statements ------------------------------------------------------------------------

# Built once: its SQLAlchemy cache key is then computed once, not on every lookup.
_BY_CODE1: Final = (
    select(schema.customers)
    .where(_c.code1 == bindparam("code1"), _c.merged_into.is_(None))
    .order_by(_c.number)
)

#: Customers by number, without a lock (the entry check's candidates), in number order.
_BY_NUMBERS: Final = (
    select(schema.customers)
    .where(_c.number.in_(bindparam("numbers", expanding=True)))
    .order_by(_c.number)
)
#: The column each lookup of a duplicate check reads (by its index; see
#: ``SqlTransaction.duplicate_candidates``).
_CANDIDATE_COLUMNS: Final = {
    "email": _c.search_email,
    "phone": _c.phone,
    "birth_date": _c.birth_date,
    "postal_code": _c.postal_code,
    "last_name": _c.search_last,
}


#: The columns of the customer's fields, not the derived search keys: what reads of whole
#: customers on the driver select.
FIELD_COLUMNS: Final = tuple(_c[name] for name in CUSTOMER_COLUMNS)
#: At most this many candidates are read by a statement of their own numbers' size; more (a
#: check of many keys each shared by many customers) are read through SQLAlchemy, in chunks.
CANDIDATES_AT_ONCE: Final = 160


@functools.lru_cache(maxsize=CANDIDATES_AT_ONCE)
def customers_numbered(count: int) -> ClauseElement:
    """The field columns of the customers numbered ``n_0`` ... ``n_{count - 1}``, by number:
    one statement per count, for the driver (an expanding ``IN`` is rendered anew for every
    run by SQLAlchemy)."""
    numbers = [bindparam(f"n_{i}", type_=BigInteger) for i in range(count)]
    return select(*FIELD_COLUMNS).where(_c.number.in_(numbers)).order_by(_c.number)


def candidate_value_processors(dialect: Dialect) -> dict[str, Callable[[Any], Any] | None]:
    """Per lookup field, the conversion its column's type applies to a bound value on
    ``dialect`` (SQLite's dates to the ISO text stored), or None: the driver binds the lookups
    of :func:`candidate_lookups_statement` without SQLAlchemy's type processing."""

    def build() -> dict[str, Callable[[Any], Any] | None]:
        return {
            field: bind_processor(column.type, dialect)
            for field, column in _CANDIDATE_COLUMNS.items()
        }

    return _per_dialect(dialect, candidate_value_processors, build)


@functools.lru_cache(maxsize=256)
def candidate_lookups_statement(fields: tuple[str, ...]) -> ClauseElement:
    """The lookups of one duplicate check in one statement: per lookup ``i`` (a field of
    ``fields``, its value bound as ``value_i``), the active customers holding the value, at
    most ``limit`` of them (an index lookup stopped there), each row tagged ``i``.

    One statement instead of one per lookup (five to seven a check): each cost more in
    SQLAlchemy's execution than in the database.
    """
    parts = []
    for i, field in enumerate(fields):
        found = (
            select(_c.number)
            .where(
                _CANDIDATE_COLUMNS[field] == bindparam(f"value_{i}"),
                _c.merged_into.is_(None),
                _c.anonymized_at.is_(None),
            )
            .limit(bindparam("limit", type_=BigInteger))
            .subquery(f"lookup_{i}")
        )
        parts.append(select(literal_column(str(i)).label("lookup"), found.c.number))
    return parts[0] if len(parts) == 1 else union_all(*parts)


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

#: PostgreSQL: the numbers and debtor accounts among two arrays that are taken, in one
#: statement for a batch of any size (both columns are indexed; ``= ANY`` uses the indexes).
_TAKEN_KEYS_ANY: Final = (
    "SELECT number, debtor_account FROM custmodel_customers "
    "WHERE number = ANY(%(numbers)s::bigint[]) OR debtor_account = ANY(%(accounts)s::bigint[])"
)
#: Which of the given numbers and debtor accounts stored customers hold.
_TAKEN_KEYS: Final = select(_c.number, _c.debtor_account).where(
    or_(
        _c.number.in_(bindparam("numbers", expanding=True)),
        _c.debtor_account.in_(bindparam("accounts", expanding=True)),
    )
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
