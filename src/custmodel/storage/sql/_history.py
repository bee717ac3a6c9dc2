"""The change history of a :class:`SqlTransaction`: its rows, its reads, its erasure.

An entry is one row of ``custmodel_history``. What anonymization keeps (field names, values of
fields that are not personal, the selection without its name and code filters) is JSON in
``details``; the personal values are JSON in ``personal``, so that erasing them is one UPDATE
per chunk of customers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any, cast

import attrs
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    FromClause,
    Insert,
    Text,
    Update,
    and_,
    bindparam,
    func,
    insert,
    literal,
    select,
    update,
)

from custmodel import rules
from custmodel.errors import CustomerNotFoundError, InvalidInputError, StoreBusyError
from custmodel.model._history import (
    FieldChange,
    HistoryAction,
    HistoryEntry,
    HistoryQuery,
    HistoryStamp,
)
from custmodel.model._selection import Selection
from custmodel.storage.sql import _schema as schema
from custmodel.storage.sql._engine import DriverStatements
from custmodel.storage.sql._errors import _translating
from custmodel.storage.sql._queries import (
    _among,
    _built,
    _chunks,
    _driver_form,
    _per_dialect,
    bind_processor,
)
from custmodel.storage.sql._rows import _required_time, _time_from_db, _time_to_db

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Dialect

    from custmodel.model._customer import Customer

__all__ = ["HistoryRecords", "history_from_row", "history_to_row"]

_h = schema.history.c
_c = schema.customers.c


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _selection_values(selection: Selection) -> dict[str, Any]:
    """The filters of ``selection`` that are set, as JSON values."""
    values: dict[str, Any] = {}
    for field in attrs.fields(Selection):
        value = getattr(selection, field.name)
        if value is None or value == field.default:
            continue
        if isinstance(value, frozenset):
            value = sorted(value)
        values[field.name] = rules.value_text(value) if hasattr(value, "value") else value
    return values


def _split(entry: HistoryEntry) -> tuple[dict[str, Any], dict[str, Any]]:
    """The entry's ``details`` and ``personal`` as JSON objects."""
    details: dict[str, Any] = {
        "changes": [[c.field] if c.personal else [c.field, c.old, c.new] for c in entry.changes]
    }
    values = {
        c.field: [c.old, c.new]
        for c in entry.changes
        if c.personal and (c.old, c.new) != (None, None)
    }
    personal: dict[str, Any] = {"values": values} if values else {}
    if entry.selection is not None:
        filters = _selection_values(entry.selection)
        hidden = rules.personal_selection(entry.selection)
        details["selection"] = {k: v for k, v in filters.items() if k not in hidden}
        if hidden:
            personal["selection"] = hidden
    return details, personal


def history_to_row(entry: HistoryEntry, *, aware_times: bool) -> dict[str, Any]:
    """Return the ``custmodel_history`` row that stores ``entry`` (without its id), in the
    history of its own customer."""
    details, personal = _split(entry)
    return {
        "at": _time_to_db(entry.at, aware=aware_times),
        "action": entry.action.value,
        "customer": entry.customer,
        "owner": entry.customer,
        "actor": entry.actor,
        "operation": entry.operation,
        "count": entry.count,
        "flag": entry.flag,
        "reference": entry.reference,
        "related": ",".join(map(str, entry.related)),
        "details": _dumps(details),
        "personal": _dumps(personal) if personal else None,
        "erased_at": _time_to_db(entry.erased_at, aware=aware_times),
    }


def _status_changes(action: HistoryAction, flag: int, erased: bool) -> tuple[FieldChange, ...]:
    """The change of a bulk run's customer entry, stored as its action and flag alone."""
    change = rules.status_change(flag, action is HistoryAction.STATUS_SET)
    return (FieldChange(change.field) if erased else change,)


def history_from_row(row: Mapping[Any, Any]) -> HistoryEntry:
    """Return the entry a ``custmodel_history`` row stores.

    A bulk status run writes its customers' entries compact: empty ``details``, and
    ``personal`` empty while the flag's values are kept (NULL once erased).
    """
    action = HistoryAction(row["action"])
    if not row["details"]:
        changes = _status_changes(action, int(row["flag"]), row["personal"] is None)
        details: dict[str, Any] = {}
        personal: dict[str, Any] = {}
    else:
        details = json.loads(row["details"])
        personal = json.loads(row["personal"]) if row["personal"] else {}
        values = personal.get("values", {})
        changes = tuple(
            FieldChange(*item) if len(item) == 3 else FieldChange(item[0], *values.get(item[0], ()))
            for item in details["changes"]
        )
    selection = None
    if "selection" in details:
        selection = Selection(**details["selection"], **personal.get("selection", {}))
    return HistoryEntry(
        id=int(row["id"]),
        at=_required_time(row["at"]),
        action=action,
        customer=row["customer"],
        actor=row["actor"],
        changes=changes,
        operation=row["operation"],
        count=row["count"],
        selection=selection,
        flag=row["flag"],
        reference=row["reference"],
        related=tuple(map(int, filter(None, str(row["related"]).split(",")))),
        erased_at=_time_from_db(row["erased_at"]),
    )


def _registered(numbers: ColumnElement[int], *where: ColumnElement[bool]) -> Insert:
    """The REGISTERED entries of the customers ``numbers`` gives (a column of the rows
    ``where`` selects, ``low`` .. ``high``), in number order, as one INSERT ... SELECT."""
    entries = select(
        bindparam("at", type_=_h.at.type),
        literal(HistoryAction.REGISTERED.value, _h.action.type),
        bindparam("actor", type_=_h.actor.type),
        literal("", _h.related.type),
        literal(_dumps({"changes": []}), _h.details.type),
        numbers,
        numbers.label("owner"),
    )
    return insert(schema.history).from_select(
        ["at", "action", "actor", "related", "details", "customer", "owner"],
        entries.where(*where).order_by(numbers),
    )


#: The REGISTERED entries of the customers numbered ``low`` to ``high``, read from the table.
_REGISTERED = _registered(_c.number, _c.number.between(bindparam("low"), bindparam("high")))

#: The same on PostgreSQL, numbered by ``generate_series``: the run ``low`` .. ``high`` is the
#: batch just inserted, so its numbers need not be read back and sorted (the planner, without
#: statistics of the fresh rows, sorted 100,000 of them on disk; 13 % of the statement).
_SERIES = func.generate_series(
    bindparam("low", type_=BigInteger), bindparam("high", type_=BigInteger)
).column_valued("n")
_REGISTERED_SERIES = _registered(_SERIES)

#: The REGISTERED entry of customer ``low`` (``high`` is the same number).
_REGISTERED_ONE = insert(schema.history).values(
    at=bindparam("at", type_=_h.at.type),
    action=HistoryAction.REGISTERED.value,
    actor=bindparam("actor", type_=_h.actor.type),
    related="",
    details=_dumps({"changes": []}),
    customer=bindparam("low", type_=_h.customer.type),
    owner=bindparam("high", type_=_h.owner.type),
)


def _registered_one(
    dialect: Dialect,
) -> tuple[str, Callable[[Any], Any], Callable[[Any, str | None, int], Any]]:
    """:data:`_REGISTERED_ONE` as the driver takes it (see :func:`_driver_form`), the
    conversion of its time that SQLAlchemy's column type would apply (SQLite's to text), and
    what binds its parameters: the converted time, the actor and the customer's number."""
    found = _built(dialect, _registered_one)
    if found is not None:
        return found  # type: ignore[no-any-return]

    def build() -> tuple[str, Callable[[Any], Any], Callable[[Any, str | None, int], Any]]:
        text, order, values = _driver_form(_REGISTERED_ONE, dialect)

        def bind(at: Any, actor: str | None, number: int) -> Any:
            bound = {**values, "at": at, "actor": actor, "low": number, "high": number}
            return bound if order is None else tuple(map(bound.__getitem__, order))

        return text, bind_processor(_h.at.type, dialect) or _unchanged, bind

    return _per_dialect(dialect, _registered_one, build)


def _unchanged(value: Any) -> Any:
    return value


#: What tells apart an entry from the next of its run, besides its customer (and id).
_ALIKE = attrgetter(
    *(f.name for f in attrs.fields(HistoryEntry) if f.name not in ("id", "customer"))
)


def _runs(entries: list[HistoryEntry]) -> list[list[HistoryEntry]]:
    """Split ``entries`` in order into runs: entries equal but for their customers, in
    ascending customer order, are one run; a book entry is a run of its own."""
    runs: list[list[HistoryEntry]] = []
    key: Any = None
    for entry in entries:
        alike = _ALIKE(entry)
        last = runs[-1][-1].customer if runs else None
        if (
            last is not None
            and entry.customer is not None
            and entry.customer > last
            and alike == key
        ):
            runs[-1].append(entry)
            continue
        runs.append([entry])
        key = alike
    return runs


class HistoryRecords(DriverStatements):
    """The change history of a :class:`SqlTransaction`, which inherits it."""

    _aware_times: bool
    _held: dict[int, Customer]

    def add_history(self, entries: Sequence[HistoryEntry]) -> None:
        """Store ``entries`` in order (ids from the autoincrement column, in order).

        A run of entries equal but for their customers, in ascending customer order (what an
        erasure sweep's batch or a merge writes), goes by one INSERT ... SELECT per chunk of
        customers; the other entries by one INSERT. Only customers this transaction has not
        read or written are looked up first: those it did are stored and locked.

        Raises:
            CustomerNotFoundError: if an entry's customer is not stored.
            InvalidInputError: if an entry is no HistoryEntry.
        """
        batch = list(entries)
        if not all(isinstance(e, HistoryEntry) for e in batch):
            raise InvalidInputError("add_history takes HistoryEntry objects")
        if not batch:
            return
        with _translating("record the change history"):
            unknown = {e.customer for e in batch if e.customer is not None} - self._held.keys()
            for part in _chunks(sorted(unknown)):
                found = self._conn.execute(
                    select(_c.number).where(_among(self._conn, _c.number, part))
                )
                missing = sorted(set(part) - set(found.scalars()))
                if missing:
                    raise CustomerNotFoundError(
                        f"customer {missing[0]} not found", number=missing[0]
                    )
            rows: list[dict[str, Any]] = []
            for run in _runs(batch):
                if len(run) == 1:
                    rows += (history_to_row(e, aware_times=self._aware_times) for e in run)
                    continue
                if rows:
                    self._conn.execute(insert(schema.history), rows)
                    rows = []
                row = history_to_row(run[0], aware_times=self._aware_times)
                for part in _chunks([cast(int, e.customer) for e in run]):
                    self._insert_row_for_each(row, _among(self._conn, _c.number, part))
            if rows:
                self._conn.execute(insert(schema.history), rows)

    def history(self, query: HistoryQuery) -> list[HistoryEntry]:
        """Return the entries ``query`` selects, ordered by id: one read per chunk of
        customers."""
        with _translating("read the change history"):
            if query.customers is None:
                where = _h.customer.is_(None) if query.book else None
                return self._read_history(where, query)
            found: list[HistoryEntry] = []
            for part in _chunks(sorted(query.customers)):
                found.extend(self._read_history(_among(self._conn, _h.owner, part), query))
            found.sort(key=lambda e: e.id)
            return found if query.limit is None else found[: max(query.limit, 0)]

    def _read_history(
        self, where: ColumnElement[bool] | None, query: HistoryQuery
    ) -> list[HistoryEntry]:
        statement = select(schema.history).where(_h.id > query.after).order_by(_h.id)
        if where is not None:
            statement = statement.where(where)
        if query.limit is not None:
            statement = statement.limit(max(query.limit, 0))
        rows = self._conn.execute(statement).mappings()
        return [history_from_row(r) for r in rows]

    def move_history(self, from_customers: Collection[int], to_customer: int) -> int:
        """Give the entries of the histories of ``from_customers`` to ``to_customer``'s: one
        UPDATE per chunk."""
        moved = 0
        with _translating(f"move the change history to customer {to_customer}"):
            for part in _chunks(sorted(set(from_customers))):
                result = self._conn.execute(
                    update(schema.history)
                    .where(_among(self._conn, _h.owner, part))
                    .values(owner=to_customer)
                )
                moved += int(result.rowcount)
        return moved

    def erase_history(self, customers: Collection[int], when: datetime) -> int:
        """Remove the personal values of the entries of ``customers`` and of the summaries of
        the bulk runs that changed them: one UPDATE per chunk, and one read of the runs."""
        erased = 0
        stamp = _time_to_db(when, aware=self._aware_times)
        with _translating("erase the change history"):
            operations: set[int] = set()
            for part in _chunks(sorted(set(customers))):
                operations.update(
                    self._conn.execute(
                        select(_h.operation)
                        .distinct()
                        .where(_among(self._conn, _h.owner, part), _h.operation.is_not(None))
                    ).scalars()
                )
                erased += self._erase(_among(self._conn, _h.owner, part), stamp)
            # The runs' summaries: the book's own entries (no owner) of those operations.
            for part in _chunks(sorted(operations)):
                erased += self._erase(
                    and_(_h.owner.is_(None), _among(self._conn, _h.operation, part)), stamp
                )
        return erased

    def _erase(self, where: ColumnElement[bool], stamp: datetime | None) -> int:
        result = self._conn.execute(
            update(schema.history)
            .where(where, _h.personal.is_not(None))
            .values(personal=None, erased_at=stamp)
        )
        return int(result.rowcount)

    def _record_registrations(
        self, numbers: list[int], stamp: HistoryStamp, *, bound_at: Any = None
    ) -> None:
        """Write the REGISTERED entry of each of ``numbers`` (ascending): one INSERT ... SELECT
        for a run of consecutive numbers (what register_many inserts), else one per chunk.

        Args:
            bound_at: The stamp's time as the driver takes it, where the caller converted it
                already (a single registration's creation time); None converts it here.
        """
        if len(numbers) == 1:
            # Built once, and sent to the driver: a single registration's transaction should
            # not build a statement, nor select the one customer it has just inserted.
            text, process, bind = _registered_one(self._conn.dialect)
            if bound_at is None:
                bound_at = process(_time_to_db(stamp.at, aware=self._aware_times))
            self._send(text, bind(bound_at, stamp.actor, numbers[0]))
            return
        if numbers[-1] - numbers[0] + 1 == len(numbers):
            self._conn.execute(
                _REGISTERED_SERIES if self._conn.dialect.name == "postgresql" else _REGISTERED,
                {
                    "at": _time_to_db(stamp.at, aware=self._aware_times),
                    "actor": stamp.actor,
                    "low": numbers[0],
                    "high": numbers[-1],
                },
            )
            return
        [entry] = rules.stamped_entries(numbers[:1], stamp)
        for part in _chunks(numbers):
            self._insert_entries_of(_among(self._conn, _c.number, part), entry)

    def _insert_entries_of(
        self,
        where: ColumnElement[bool] | None,
        entry: HistoryEntry,
        numbers: ColumnElement[int] = _c.number,
        source: FromClause = schema.customers,
    ) -> int:
        """Write ``entry`` for each customer number of ``source`` (the customers, by default)
        that ``where`` selects, as its own customer and owner, in number order, with one
        INSERT ... SELECT; return how many were written."""
        row = history_to_row(entry, aware_times=self._aware_times)
        if entry.operation is not None and entry.customer is not None:
            # A bulk run's customer entry: its change follows from action and flag.
            row.update(details="", personal="")
        return self._insert_row_for_each(row, where, numbers, source)

    def _insert_row_for_each(
        self,
        row: Mapping[str, Any],
        where: ColumnElement[bool] | None,
        numbers: ColumnElement[int] = _c.number,
        source: FromClause = schema.customers,
    ) -> int:
        """Write the history ``row`` (see :func:`history_to_row`) for each customer number of
        ``source`` that ``where`` selects, as its own customer and owner, in number order,
        with one INSERT ... SELECT; return how many were written."""
        table: Table = schema.history
        names = [n for n in row if n not in ("customer", "owner")]
        columns = [literal(row[n], table.c[n].type).label(n) for n in names]
        query = select(*columns, numbers.label("customer"), numbers.label("owner")).select_from(
            source
        )
        if where is not None:
            query = query.where(where)
        result = self._conn.execute(
            insert(table)
            .from_select([*names, "customer", "owner"], query.order_by(numbers))
            # SQLAlchemy keeps the count of an INSERT only when asked (psycopg's would be -1).
            .execution_options(preserve_rowcount=True)
        )
        return int(result.rowcount)

    def _status_run(
        self,
        changing: Update,
        where: ColumnElement[bool],
        stamp: HistoryStamp,
        flag: int,
        on: bool,
    ) -> int:
        """Run ``changing`` (the UPDATE of the customers ``where`` selects whose flag changes)
        and write the entry of each customer it changed; return how many it changed.

        One scan of the customers where the engine allows it: PostgreSQL writes the entries
        from the UPDATE's RETURNING in the same statement, SQLite from the numbers it returned
        (one INSERT over a JSON array). MariaDB has no UPDATE ... RETURNING: an INSERT ...
        SELECT writes the entries of the customers selected, the UPDATE then changes only
        those, and when the counts differ (a customer left the selection meanwhile, under READ
        COMMITTED) the store is busy and the book runs the operation again.
        """
        # The entry of the first customer stands for all; each row gets its own number.
        [entry] = rules.stamped_entries([1], stamp, flag, on)
        dialect = self._conn.dialect.name
        if dialect == "postgresql":
            changed = changing.returning(_c.number).cte("changed")
            return self._insert_entries_of(None, entry, changed.c.number, changed)
        if dialect == "sqlite":
            numbers = list(self._conn.execute(changing.returning(_c.number)).scalars())
            if numbers:
                each = func.json_each(literal(_dumps(numbers), Text())).table_valued("value")
                self._insert_entries_of(None, entry, each.c.value, each)
            return len(numbers)
        recorded = self._insert_entries_of(where, entry)
        restricted = changing.where(
            select(_h.id).where(_h.owner == _c.number, _h.operation == stamp.operation).exists()
        )
        written = int(self._conn.execute(restricted).rowcount)
        if recorded != written:
            raise StoreBusyError("the selection changed while its status was set; try again")
        return written
