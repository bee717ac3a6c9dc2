"""Rows of custmodel's tables <-> domain objects."""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final, NoReturn

import attrs
from sqlalchemy import (
    String,
    Table,
)

from custmodel._entrycheck import email_key, name_key
from custmodel._marks import DistinctMark
from custmodel.errors import (
    StoreError,
)
from custmodel.model._assembly import assembly
from custmodel.model._booking import Booking, SalesChannel
from custmodel.model._channels import ContactChannel, channel_bits, channels_from_bits
from custmodel.model._checks import _CONTROL_OR_SURROGATE, _CONTROL_OR_SURROGATE_MULTILINE
from custmodel.model._customer import Customer, FieldShape, customer_fields, name_search_key
from custmodel.model._flags import StatusFlags
from custmodel.model._kinds import BookingKind, CustomerKind, CustomerType
from custmodel.model._marketing import MarketingChoice, MarketingChoiceKind
from custmodel.model._merge import MergeRecord
from custmodel.model._requests import SubjectRequest
from custmodel.model._retention import RetentionRule
from custmodel.model._settings import KindSettings, Settings
from custmodel.storage.sql import _schema as schema


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
    utc = value if value.tzinfo is UTC else value.astimezone(UTC)
    return utc if aware else utc.replace(tzinfo=None)


def _time_from_db(value: datetime | None) -> datetime | None:
    """Return a stored timestamp as an aware UTC datetime (naive ones are UTC by design)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _required_time(value: datetime | None) -> datetime:
    result = _time_from_db(value)
    if result is None:  # pragma: no cover - the columns are NOT NULL
        raise StoreError("a required timestamp column is NULL")
    return result


#: The fields of :class:`Customer`, in the order its ``__init__`` takes them.
_CUSTOMER_FIELDS: Final = tuple(field.name for field in attrs.fields(Customer))
_TABLE_COLUMNS: Final = tuple(schema.customers.c.keys())
#: The ``custmodel_customers`` columns that store a customer: one per field, named as the field,
#: in the table's order (a field without a column fails here, on import). The table has three
#: more, ``search_name``, ``search_last`` and ``search_email``, which :func:`customer_to_row`
#: derives from the name and the e-mail address.
_CUSTOMER_COLUMNS: Final = tuple(sorted(_CUSTOMER_FIELDS, key=_TABLE_COLUMNS.index))
#: Reads a customer's values of those columns, in that order.
_CUSTOMER_TO_VALUES: Final = operator.attrgetter(*_CUSTOMER_COLUMNS)
#: Picks the fields' values out of a full row of the table (by position), in field order.
_CUSTOMER_FROM_VALUES: Final = operator.itemgetter(
    *(_TABLE_COLUMNS.index(name) for name in _CUSTOMER_FIELDS)
)
#: Timestamps are stored in UTC, naive unless the engine keeps time zones.
_CUSTOMER_TIMES: Final = ("created_at", "updated_at", "anonymized_at")
#: How a field's value becomes its column's, where the two differ (timestamps aside).
_TO_COLUMN: Final[dict[str, Callable[[Any], Any]]] = {
    # By a dictionary: an enum's ``value`` is a Python property, a call per read.
    "kind": {k: k.value for k in CustomerKind}.__getitem__,
    "customer_type": {t: t.value for t in CustomerType}.__getitem__,
    "status": operator.attrgetter("bits"),
    "advertising_objections": channel_bits,
}
# Dictionary look-ups instead of Enum.__call__ (a few microseconds a row); a value missing
# here still goes through the enum, which refuses it as before.
_KINDS: Final[dict[Any, CustomerKind]] = {k.value: k for k in CustomerKind}
_TYPES: Final[dict[Any, CustomerType]] = {t.value: t for t in CustomerType}
#: How a column's value becomes its field's, where the two differ.
_FROM_COLUMN: Final[dict[str, Callable[[Any], Any]]] = {
    "number": int,
    "kind": lambda value: _KINDS.get(value) or CustomerKind(value),
    "customer_type": lambda value: _TYPES.get(value) or CustomerType(value),
    "debtor_account": int,
    "status": lambda value: StatusFlags(int(value)),
    "created_at": _required_time,
    "updated_at": _required_time,
    "merged_into": _optional_int,
    "anonymized_at": _time_from_db,
    "version": int,
    "advertising_objections": lambda value: channels_from_bits(int(value)),
}
# The same by position, so that a row is converted in a list, without a look-up per name.
_TO_POSITIONS: Final = tuple((_CUSTOMER_COLUMNS.index(n), f) for n, f in _TO_COLUMN.items())
#: The columns that store the customer's fields, in the table's order (public name).
CUSTOMER_COLUMNS: Final = _CUSTOMER_COLUMNS
_TIME_POSITIONS: Final = tuple(_CUSTOMER_COLUMNS.index(name) for name in _CUSTOMER_TIMES)
_FROM_POSITIONS: Final = tuple((_CUSTOMER_FIELDS.index(n), f) for n, f in _FROM_COLUMN.items())
#: The customer's own fields (``CustomerFields``) are keyword-only in ``Customer.__init__``;
#: these pick the positional values and the keyword ones out of a list in field order.
_KEYWORD_FIELDS: Final = tuple(f.name for f in attrs.fields(Customer) if f.kw_only)
_POSITIONAL_VALUES: Final = operator.itemgetter(
    *(_CUSTOMER_FIELDS.index(f.name) for f in attrs.fields(Customer) if not f.kw_only)
)
_KEYWORD_VALUES: Final = operator.itemgetter(*(_CUSTOMER_FIELDS.index(n) for n in _KEYWORD_FIELDS))


#: The columns :func:`customer_values` fills, in its order: the customer's, then the three
#: search columns derived from its name and e-mail address.
CUSTOMER_ROW_COLUMNS: Final = (*_CUSTOMER_COLUMNS, "search_name", "search_last", "search_email")


def customer_values(
    customer: Customer, *, aware_times: bool, times: dict[datetime, Any] | None = None
) -> tuple[Any, ...]:
    """The values of the ``custmodel_customers`` row that stores ``customer``, in
    :data:`CUSTOMER_ROW_COLUMNS` order, as SQLAlchemy binds them (before its type processing).

    Args:
        customer: The customer.
        aware_times: Bind timestamps with their UTC time zone (PostgreSQL ``timestamptz``);
            otherwise as naive UTC.
        times: Timestamps converted so far (a batch's customers share their creation time),
            filled as it goes; None converts each.
    """
    values = list(_CUSTOMER_TO_VALUES(customer))
    for index, convert in _TO_POSITIONS:
        values[index] = convert(values[index])
    for index in _TIME_POSITIONS:
        value = values[index]
        if value is None:
            continue
        if times is None:
            values[index] = _time_to_db(value, aware=aware_times)
            continue
        stored = times.get(value)
        if stored is None:
            stored = times[value] = _time_to_db(value, aware=aware_times)
        values[index] = stored
    values.append(name_search_key(customer))
    values.append(name_key(customer.last_name))
    values.append(email_key(customer.email))
    return tuple(values)


def customer_to_row(customer: Customer, *, aware_times: bool) -> dict[str, Any]:
    """Return the ``custmodel_customers`` row that stores ``customer``, by column name.

    Args:
        customer: The customer.
        aware_times: Bind timestamps with their UTC time zone (PostgreSQL ``timestamptz``);
            otherwise as naive UTC.
    """
    return dict(
        zip(CUSTOMER_ROW_COLUMNS, customer_values(customer, aware_times=aware_times), strict=True)
    )


def _customer_from_table_row(row: Sequence[Any]) -> Customer:
    """Return the customer a full ``custmodel_customers`` row (in column order) stores.

    The customer is built, and so validated, like any other: a row that breaks a rule of
    the model is refused with the model's error.
    """
    values = list(_CUSTOMER_FROM_VALUES(row))
    for index, convert in _FROM_POSITIONS:
        values[index] = convert(values[index])
    return Customer(
        *_POSITIONAL_VALUES(values),
        **dict(zip(_KEYWORD_FIELDS, _KEYWORD_VALUES(values), strict=True)),
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


#: The ``custmodel_requests`` columns :func:`requests_from_rows` reads, in its order.
REQUEST_COLUMNS: Final = ("id", "customer", "kind", "received_on", "recorded_at", "completed_at")


def request_from_row(row: Mapping[Any, Any]) -> SubjectRequest:
    """Return the request a ``custmodel_requests`` row stores (read by column name)."""
    (request,) = requests_from_rows([tuple(row[column] for column in REQUEST_COLUMNS)])
    return request


def requests_from_rows(rows: Iterable[Sequence[Any]]) -> list[SubjectRequest]:
    """Return the requests of ``custmodel_requests`` rows of :data:`REQUEST_COLUMNS`, by
    position (:func:`request_from_row` reads one row by name)."""
    # One read of the columns per row: a look-up by name, or a row fetched at a time, cost a
    # sweep a tenth of its time beside the rows of the customers it anonymizes.
    made = SubjectRequest
    return [
        made(
            id=int(request_id),
            kind=kind,
            customer=int(customer),
            received_on=received_on,
            recorded_at=_required_time(recorded_at),
            completed_at=_time_from_db(completed_at),
        )
        for request_id, customer, kind, received_on, recorded_at, completed_at in rows
    ]


def marketing_choice_to_row(choice: MarketingChoice, *, aware_times: bool) -> dict[str, Any]:
    """Return the ``custmodel_marketing_choices`` row that stores ``choice`` (with its id)."""
    return {
        "id": choice.id,
        "customer": choice.customer,
        "channel": choice.channel.value,
        "choice": choice.choice.value,
        "given_on": choice.given_on,
        "recorded_at": _time_to_db(choice.recorded_at, aware=aware_times),
        "source": choice.source,
        "note": choice.note,
    }


def marketing_choice_from_row(row: Mapping[Any, Any]) -> MarketingChoice:
    """Return the marketing choice a ``custmodel_marketing_choices`` row stores."""
    return MarketingChoice(
        id=int(row["id"]),
        customer=int(row["customer"]),
        channel=ContactChannel(row["channel"]),
        choice=MarketingChoiceKind(row["choice"]),
        given_on=row["given_on"],
        recorded_at=_required_time(row["recorded_at"]),
        source=row["source"],
        note=row["note"],
    )


def distinct_mark_to_row(mark: DistinctMark, *, aware_times: bool) -> dict[str, Any]:
    """Return the ``custmodel_distinct_marks`` row that stores ``mark``."""
    return {
        "low": mark.low,
        "high": mark.high,
        "marked_at": _time_to_db(mark.marked_at, aware=aware_times),
        "actor": mark.actor,
    }


def distinct_mark_from_row(row: Mapping[Any, Any]) -> DistinctMark:
    """Return the distinct mark a ``custmodel_distinct_marks`` row stores."""
    return DistinctMark(
        low=int(row["low"]),
        high=int(row["high"]),
        marked_at=_required_time(row["marked_at"]),
        actor=row["actor"],
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
        "retention": retention_to_text(settings.retention),
    }


def retention_to_text(retention: Sequence[RetentionRule]) -> str:
    """The stable JSON text of a kind's retention rules, in their order."""
    return json.dumps(
        [{"basis": rule.basis.value, "period": rule.period} for rule in retention],
        separators=(",", ":"),
    )


def retention_from_text(text: str) -> tuple[RetentionRule, ...]:
    """The retention rules :func:`retention_to_text` wrote."""
    return tuple(RetentionRule(item["basis"], int(item["period"])) for item in json.loads(text))


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
        retention=retention_from_text(row["retention"]),
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


# -- trusted construction -------------------------------------------------------------------------
#
# Building a Customer runs a validator per field: half the time of a broad selection. Rows of
# custmodel_customers need not be checked again for what the database refuses itself since
# revision 0010_model_checks (ranges, kinds, types, flag bits, text lengths, and on SQLite the
# types of the values). What no check can say is still checked here, on every row: no control
# characters in text (one regular expression over the single-line texts joined), notes
# likewise, a category or scheme that is not blank. A row failing those is built the validated
# way, which refuses it with the model's own error, naming the field.

_SINGLE_LINE: Final = tuple(
    _CUSTOMER_FIELDS.index(f.name)
    for f in customer_fields()
    if f.metadata["shape"] is FieldShape.TEXT and f.metadata["blank"] == ""
)
_OPTIONAL_TEXT: Final = tuple(
    _CUSTOMER_FIELDS.index(f.name)
    for f in customer_fields()
    if f.metadata["shape"] is FieldShape.TEXT and f.metadata["blank"] is None
)
_CHANNEL_SETS: Final = tuple(channels_from_bits(bits) for bits in range(16))
#: Status flags by bits: immutable, and few distinct ones occur, so built once each.
_FLAGS: dict[int, StatusFlags] = {}
_MAX_CACHED_FLAGS: Final = 4096


def _flags(bits: int) -> StatusFlags:
    flags = _FLAGS.get(bits)
    if flags is None:
        flags = StatusFlags(bits)
        if len(_FLAGS) < _MAX_CACHED_FLAGS:
            _FLAGS[bits] = flags
    return flags


def customers_reader(
    *, text_times: bool, columns: Sequence[str] = _TABLE_COLUMNS
) -> Callable[[Iterable[Sequence[Any]]], list[Customer]]:
    """Return the function that builds the customers full ``custmodel_customers`` rows store,
    in the rows' order. It takes the rows as a list and empties it (other iterables are
    listed first).

    Args:
        text_times: The rows come straight from SQLite's driver, with dates and timestamps as
            ISO text; otherwise they are ``date`` and ``datetime`` objects (SQLAlchemy's rows,
            PostgreSQL's and MariaDB's drivers).
        columns: The rows' columns, in order: by default the table's, all of them; at least
            one per field of the customer (:data:`CUSTOMER_COLUMNS`).

    The function raises the model's :class:`InvalidInputError` for a row whose text breaks a
    rule no database check covers, and :class:`StoreError` for a value it cannot read.

    It is generated, one line per field, reading each row by position in one loop: a loop over
    the fields, or a function call per row or per converted value, cost more than the building
    itself. Consecutive rows often hold the same timestamp (customers registered together,
    never changed since), so a timestamp equal to the previous row's, or an update time equal
    to the creation time, is the same (immutable) object, read once. Each customer is put
    together by :func:`custmodel.model._assembly.assembly` (plain stores into its slots).

    Each row is dropped from the list as soon as its customer is built. Python's garbage
    collector runs when the objects it tracks made since its last run outnumber those freed
    by 700; a row freed for each customer made keeps that count where it was, so building a
    large read sets off no collection. Rows kept to the end made the collector run about
    every 700 customers, its fuller passes walking every object of the process: half of the
    building's time in a selection of 70,445 customers among a million.
    """
    at = {name: list(columns).index(name) for name in _CUSTOMER_FIELDS}
    namespace: dict[str, Any] = {
        "KINDS": _KINDS,
        "TYPES": _TYPES,
        "FLAGS": _FLAGS,
        "flags": _flags,
        "CHANNELS": _CHANNEL_SETS,
        "search": _CONTROL_OR_SURROGATE.search,
        "search_notes": _CONTROL_OR_SURROGATE_MULTILINE.search,
        "join": "".join,
        "iso_time": datetime.fromisoformat,
        "iso_date": date.fromisoformat,
        "UTC": UTC,
        "db_time": _time_from_db,
        "validated": _validated_row,
        "unreadable": _unreadable,
        "NOTHING": object(),
    }
    created, updated, anonymized = at["created_at"], at["updated_at"], at["anonymized_at"]
    if text_times:
        # SQLite keeps naive UTC as ISO text: read it with its offset in one call.
        def time(value: str) -> str:
            return f"iso_time({value} + '+00:00')"

        birth = "None if r[{i}] is None else iso_date(r[{i}])"
    else:
        # PostgreSQL's driver gives UTC itself where the session's time zone is UTC.
        def time(value: str) -> str:
            return f"{value} if {value}.tzinfo is UTC else db_time({value})"

        birth = "r[{i}]"
    reading = [
        f"x = r[{created}]",
        "if x is not last_x:",
        "    if x != last_x:",
        f"        last_created = {time('x')}",
        "    last_x = x",
        "created_at = last_created",
        f"y = r[{updated}]",
        "if y == x:",
        "    updated_at = created_at",
        "else:",
        "    if y != last_y:",
        f"        last_updated = {time('y')}",
        "        last_y = y",
        "    updated_at = last_updated",
        f"z = r[{anonymized}]",
        f"anonymized_at = None if z is None else {time('z')}",
    ]
    converted = {
        "kind": "KINDS[r[{i}]]",
        "customer_type": "TYPES[r[{i}]]",
        "status": "FLAGS[r[{i}]] if r[{i}] in FLAGS else flags(r[{i}])",
        "advertising_objections": "CHANNELS[r[{i}]]",
        "birth_date": birth,
    }
    reading += [f"{name} = {code.format(i=at[name])}" for name, code in converted.items()]
    lines = [
        "def read_all(rows):",
        "    out = []",
        "    add = out.append",
        "    last_x = last_y = NOTHING",
        "    last_created = last_updated = None",
        "    if type(rows) is not list:",
        "        rows = list(rows)",
        "    rows.reverse()",
        "    take = rows.pop",
        "    while rows:",
        "        r = take()",
        "        try:",
    ]
    lines += [f"            {line}" for line in reading]
    lines += ["        except (KeyError, IndexError, TypeError, ValueError, AttributeError):"]
    lines += ["            unreadable(r)"]
    # Text that holds no control character and no surrogate is printable (str.isprintable
    # is False for both), which is quicker to ask than the regular expression; text that is
    # not printable for another reason (a no-break space, a tab in the notes) asks it.
    # The optional texts join the single-line ones ("" for None); a blank one is refused.
    optional = [at[_CUSTOMER_FIELDS[i]] for i in _OPTIONAL_TEXT]
    single = ", ".join(
        [f"r[{at[_CUSTOMER_FIELDS[i]]}]" for i in _SINGLE_LINE]
        + [f"(r[{i}] or '')" for i in optional]
    )
    notes = at["notes"]
    refused = [
        "(not t.isprintable() and search(t))",
        f"(not r[{notes}].isprintable() and search_notes(r[{notes}]))",
    ]
    refused += [f"(r[{i}] is not None and not r[{i}].strip())" for i in optional]
    lines += ["        try:", f"            t = join(({single},))"]
    lines += [f"            refused = {' or '.join(refused)}"]
    lines += ["        except (TypeError, AttributeError):", "            refused = True"]
    values = [
        name if name in converted or name in _CUSTOMER_TIMES else f"r[{at[name]}]"
        for name in _CUSTOMER_FIELDS
    ]
    lines += ["        if refused:", f"            add(validated(({', '.join(values)},)))"]
    lines += ["            continue"]
    building, names = assembly(Customer, dict(zip(_CUSTOMER_FIELDS, values, strict=True)))
    namespace.update(names)
    lines += [f"        {line}" for line in building]
    lines += ["        add(c)", "    return out"]
    exec("\n".join(lines), namespace)  # noqa: S102 (fixed text made of the field names)
    read_all: Callable[[Iterable[Sequence[Any]]], list[Customer]] = namespace["read_all"]
    return read_all


@functools.lru_cache(maxsize=2)
def field_rows_reader(*, text_times: bool) -> Callable[[Iterable[Sequence[Any]]], list[Customer]]:
    """The reader of driver rows of the customer's field columns (:data:`CUSTOMER_COLUMNS`),
    built once: SQLite's hold dates and times as text (``text_times``), the others' objects."""
    return customers_reader(text_times=text_times, columns=CUSTOMER_COLUMNS)


def _unreadable(row: Sequence[Any]) -> NoReturn:
    raise StoreError(f"customer {row[0]!s:.20}: a stored value is not one the model takes")


def _validated_row(values: tuple[Any, ...]) -> Customer:
    return _validated(list(values))


def _validated(values: list[Any]) -> Customer:
    """Build the customer of ``values`` with every check: raises the model's error."""
    return Customer(
        *_POSITIONAL_VALUES(values),
        **dict(zip(_KEYWORD_FIELDS, _KEYWORD_VALUES(values), strict=True)),
    )
