"""Merge records, data-subject requests, distinct marks and marketing choices: the record
rows of a SQL transaction."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

import attrs
from sqlalchemy import (
    ColumnElement,
    Connection,
    TableClause,
    and_,
    delete,
    insert,
    or_,
    select,
    true,
    union,
    update,
)

from custmodel._marks import DistinctMark
from custmodel.errors import (
    InvalidInputError,
)
from custmodel.model import (
    MarketingChoice,
    MergeRecord,
    RequestKind,
    SubjectRequest,
    to_enum,
)
from custmodel.storage.sql import _schema as schema
from custmodel.storage.sql._errors import _translating
from custmodel.storage.sql._queries import (
    CUSTOM_PLANS,
    _among,
    _c,
    _chunks,
    _dm,
    _e,
    _m,
    _mc,
    _md,
    blocking_booking,
)
from custmodel.storage.sql._rows import (
    REQUEST_COLUMNS,
    _time_to_db,
    distinct_mark_from_row,
    distinct_mark_to_row,
    marketing_choice_from_row,
    marketing_choice_to_row,
    merge_record_from_row,
    merge_record_to_row,
    request_from_row,
    requests_from_rows,
)

#: Pairs per DELETE of distinct marks (two bound parameters each).
_PAIRS = 400


class AuditRecords:
    """The merge records, data-subject requests and distinct marks of a :class:`SqlTransaction`,
    which inherits them.

    They share the transaction's connection and its counters, nothing else.
    """

    _conn: Connection
    _aware_times: bool

    if TYPE_CHECKING:

        def _advance(self, name: str, count: int = 1) -> int: ...

        def _require_customer(self, number: int) -> None: ...

        def _repoint(
            self,
            table: TableClause,
            column: str,
            from_customers: Collection[int],
            to_customer: int,
        ) -> int: ...

    def _move_to(
        self, table: TableClause, what: str, from_customers: Collection[int], to_customer: int
    ) -> int:
        """Point the ``customer`` of the rows of ``from_customers`` at ``to_customer``.

        Raises:
            CustomerNotFoundError: if ``to_customer`` is not stored.
        """
        with _translating(f"move {what} to customer {to_customer}"):
            moved = self._repoint(table, "customer", from_customers, to_customer)
            if not moved:
                # The foreign key checks the target only when a row moves.
                self._require_customer(to_customer)
        return moved

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

    # -- "not a duplicate" marks ---------------------------------------------------------------

    def add_distinct_mark(self, mark: DistinctMark) -> DistinctMark:
        """Insert ``mark`` unless its pair is stored; return the mark stored for the pair.

        The book holds both customers' rows locked (a write transaction's ``get_customers``),
        so no concurrent mark of the same pair can slip in between the read and the insert.

        Raises:
            CustomerNotFoundError: if either customer is not stored.
        """
        if not isinstance(mark, DistinctMark):
            raise InvalidInputError("add_distinct_mark takes a DistinctMark")
        with _translating(f"mark customers {mark.low} and {mark.high} distinct"):
            for number in mark.pair:
                self._require_customer(number)
            stored = self._marks_where(and_(_dm.low == mark.low, _dm.high == mark.high))
            if stored:
                return stored[0]
            self._conn.execute(
                insert(schema.distinct_marks).values(
                    distinct_mark_to_row(mark, aware_times=self._aware_times)
                )
            )
        return mark

    def distinct_marks(self, numbers: Collection[int] | None = None) -> list[DistinctMark]:
        """Return the marks ordered by pair; with ``numbers``, those naming one of them.

        Per chunk of numbers a UNION of two index lookups: ``low`` leads the key, ``high``
        has its own index.
        """
        if numbers is None:
            with _translating("read distinct marks"):
                return self._marks_where(true())
        found: dict[tuple[int, int], DistinctMark] = {}
        with _translating("read distinct marks"):
            for part in _chunks(numbers):
                as_low = select(schema.distinct_marks).where(_among(self._conn, _dm.low, part))
                as_high = select(schema.distinct_marks).where(_among(self._conn, _dm.high, part))
                rows = self._conn.execute(union(as_low, as_high)).mappings().all()
                found.update((m.pair, m) for m in map(distinct_mark_from_row, rows))
        return [found[pair] for pair in sorted(found)]

    def _marks_where(self, clause: ColumnElement[bool]) -> list[DistinctMark]:
        statement = select(schema.distinct_marks).where(clause).order_by(_dm.low, _dm.high)
        rows = self._conn.execute(statement).mappings().all()
        return [distinct_mark_from_row(r) for r in rows]

    def remove_distinct_marks(self, pairs: Collection[tuple[int, int]]) -> int:
        """Delete the marks of these pairs, one DELETE per chunk of pairs."""
        removed = 0
        items = list(dict.fromkeys(pairs))
        with _translating("remove distinct marks"):
            # Two parameters a pair: half a chunk of pairs stays below SQLite's limit.
            for part in (items[i : i + _PAIRS] for i in range(0, len(items), _PAIRS)):
                written = self._conn.execute(
                    delete(schema.distinct_marks).where(
                        or_(*(and_(_dm.low == low, _dm.high == high) for low, high in part))
                    )
                )
                removed += int(written.rowcount)
        return removed

    # -- data-subject requests ------------------------------------------------------------------

    def add_request(
        self, kind: RequestKind, customer: int, received_on: date, recorded_at: datetime
    ) -> SubjectRequest:
        """Store an open request of ``kind`` with the next running id and return it.

        Raises:
            CustomerNotFoundError: if the customer is not stored.
            InvalidInputError: for a kind that is no RequestKind, a naive ``recorded_at`` or a
                ``received_on`` that is no date.
        """
        with _translating(f"record a request of customer {customer}"):
            self._require_customer(customer)
            # Validated before the counter moves, so a refused request takes no id.
            request = SubjectRequest(
                id=0,
                customer=customer,
                received_on=received_on,
                recorded_at=recorded_at,
                kind=kind,
            )
            request = attrs.evolve(request, id=self._advance(schema.REQUEST_COUNTER))
            self._conn.execute(
                insert(schema.requests).values(
                    id=request.id,
                    customer=request.customer,
                    kind=request.kind.value,
                    received_on=request.received_on,
                    recorded_at=_time_to_db(request.recorded_at, aware=self._aware_times),
                    completed_at=None,
                )
            )
        return request

    def requests(
        self,
        *,
        kinds: Collection[RequestKind] | None = None,
        open_only: bool = True,
        customers: Collection[int] | None = None,
    ) -> list[SubjectRequest]:
        """Return requests ordered by id, of ``kinds`` (None: all), open ones unless
        ``open_only`` is False, with ``customers`` only theirs (one SELECT per chunk)."""
        where: list[ColumnElement[bool]] = [_e.completed_at.is_(None)] if open_only else []
        if kinds is not None:
            where.append(_e.kind.in_(sorted({to_enum(RequestKind, k).value for k in kinds})))
        parts: list[list[int] | None] = [None] if customers is None else list(_chunks(customers))
        found: list[SubjectRequest] = []
        with _translating("read requests"):
            for part in parts:
                clauses = where if part is None else [*where, _among(self._conn, _e.customer, part)]
                statement = select(*(_e[c] for c in REQUEST_COLUMNS)).where(true(), *clauses)
                found += requests_from_rows(self._conn.execute(statement.order_by(_e.id)).all())
        return sorted(found, key=lambda r: r.id)

    def move_requests(self, from_customers: Collection[int], to_customer: int) -> int:
        """Point the requests of ``from_customers`` at ``to_customer`` in one UPDATE.

        Raises:
            CustomerNotFoundError: if ``to_customer`` is not stored.
        """
        return self._move_to(schema.requests, "requests", from_customers, to_customer)

    def complete_requests(
        self, kind: RequestKind, customers: Collection[int], when: datetime
    ) -> int:
        """Mark the open requests of ``kind`` of these customers completed in one UPDATE.

        Raises:
            InvalidInputError: for a naive ``when``, if there is a request to complete (the
                memory store finds it at the first one).
        """
        kind = to_enum(RequestKind, kind)
        completed = 0
        with _translating("complete requests"):
            if when.tzinfo is None or when.utcoffset() is None:
                if self.requests(kinds=[kind], open_only=True, customers=customers):
                    raise InvalidInputError("completed_at must be a timezone-aware datetime")
                return 0
            for part in _chunks(customers):
                written = self._conn.execute(
                    update(schema.requests)
                    .where(
                        _among(self._conn, _e.customer, part),
                        _e.kind == kind.value,
                        _e.completed_at.is_(None),
                    )
                    .values(completed_at=_time_to_db(when, aware=self._aware_times))
                )
                completed += int(written.rowcount)
        return completed

    def redate_request(self, request_id: int, received_on: date) -> SubjectRequest | None:
        """Set the receipt day of the open request ``request_id`` in one UPDATE.

        Returns the request as stored now, or None if no open request has that id.

        Raises:
            InvalidInputError: if ``received_on`` is no date.
        """
        with _translating(f"change the receipt day of request {request_id}"):
            found = self._open_request(request_id)
            if found is None:
                return None
            # Validated before it is written, as the memory store validates.
            redated = attrs.evolve(found, received_on=received_on)
            self._conn.execute(
                update(schema.requests)
                .where(_e.id == request_id, _e.completed_at.is_(None))
                .values(received_on=received_on)
            )
        return redated

    def _open_request(self, request_id: int) -> SubjectRequest | None:
        """Return the open request with ``request_id``, or None."""
        row = (
            self._conn.execute(
                select(schema.requests).where(_e.id == request_id, _e.completed_at.is_(None))
            )
            .mappings()
            .one_or_none()
        )
        return None if row is None else request_from_row(row)

    def delete_requests(self, request_ids: Collection[int]) -> int:
        """Delete the open requests with these ids, one DELETE per chunk of ids."""
        deleted = 0
        with _translating("delete requests"):
            for part in _chunks(request_ids):
                written = self._conn.execute(
                    delete(schema.requests).where(
                        _among(self._conn, _e.id, part), _e.completed_at.is_(None)
                    )
                )
                deleted += int(written.rowcount)
        return deleted

    def due_erasures(
        self, acting_agency: str, cutoff: date, after: int, limit: int, *, received_by: date
    ) -> list[int]:
        """Return customers with an open erasure request whom ``acting_agency`` may anonymize.

        One query: the open erasure requests received by ``received_by`` (an index range of
        ``kind, completed_at, customer`` past ``after``) joined to their active, not anonymized
        customers, without a firm booking that blocks (an anti-join probing the index on
        ``custmodel_bookings.customer``).

        On PostgreSQL the anti-join is written ``NOT EXISTS``: for the ``LEFT JOIN ... IS
        NULL`` form its planner estimated one row and, for the first batch and the last,
        hashed every active customer (a parallel scan of the table, 250 ms among a million,
        where the batches between took 6 ms); for ``NOT EXISTS`` it walks the requests in
        order and stops at the limit. MariaDB would materialize a ``NOT EXISTS`` over the
        whole bookings table, and SQLite walks the requests either way.

        And each run is planned for its own keyset and limit (``plan_cache_mode``, for this
        transaction): psycopg prepares a statement it ran five times, and PostgreSQL's generic
        plan for it, which knows neither, sorted every open request past ``after`` (160 ms a
        batch among a million customers, against 11 ms planned for the batch).
        """
        if limit < 1:
            return []
        b = schema.bookings.alias("b")
        conditions = [
            _e.kind == RequestKind.ERASURE.value,
            _e.completed_at.is_(None),
            _e.customer > after,
            _e.received_on <= received_by,
            _c.merged_into.is_(None),
            _c.anonymized_at.is_(None),
        ]
        found = select(_e.customer).distinct().join(schema.customers, _c.number == _e.customer)
        postgres = self._conn.dialect.name == "postgresql"
        if postgres:
            blocked = select(b.c.reference).where(
                blocking_booking(b, _e.customer, acting_agency, cutoff)
            )
            found = found.where(*conditions, ~blocked.exists())
        else:
            found = found.outerjoin(
                b, blocking_booking(b, _e.customer, acting_agency, cutoff)
            ).where(*conditions, b.c.reference.is_(None))
        statement = found.order_by(_e.customer).limit(limit)
        with _translating("find the due erasure requests"):
            if postgres:
                self._conn.exec_driver_sql(CUSTOM_PLANS)
            # All at once: fetched a row at a time they cost a sweep more than the ints.
            return [int(n) for n in self._conn.execute(statement).scalars().all()]

    # -- marketing choices (objections and consents to advertising) ---------------------------

    def add_marketing_choices(self, choices: Sequence[MarketingChoice]) -> list[MarketingChoice]:
        """Store ``choices`` with the next running ids (their own ignored), in one INSERT.

        Raises:
            CustomerNotFoundError: if a choice's customer is not stored.
            InvalidInputError: if an entry is no MarketingChoice.
        """
        entries = list(choices)
        if not all(isinstance(c, MarketingChoice) for c in entries):
            raise InvalidInputError("add_marketing_choices takes MarketingChoice entries")
        if not entries:
            return []
        with _translating("record marketing choices"):
            for number in sorted({c.customer for c in entries}):
                self._require_customer(number)
            first = self._advance(schema.MARKETING_CHOICE_COUNTER, len(entries))
            stored = [attrs.evolve(c, id=first + i) for i, c in enumerate(entries)]
            self._conn.execute(
                insert(schema.marketing_choices),
                [marketing_choice_to_row(c, aware_times=self._aware_times) for c in stored],
            )
        return stored

    def marketing_choices(self, customers: Collection[int]) -> list[MarketingChoice]:
        """Return the ledger entries of these customers ordered by id: one read per chunk."""
        found: list[MarketingChoice] = []
        with _translating("read marketing choices"):
            for part in _chunks(customers):
                statement = (
                    select(schema.marketing_choices)
                    .where(_among(self._conn, _mc.customer, part))
                    .order_by(_mc.id)
                )
                rows = self._conn.execute(statement).mappings()
                found.extend(marketing_choice_from_row(r) for r in rows)
        return sorted(found, key=lambda c: c.id)

    def move_marketing_choices(self, from_customers: Collection[int], to_customer: int) -> int:
        """Point the ledger entries of ``from_customers`` at ``to_customer`` in one UPDATE.

        Raises:
            CustomerNotFoundError: if ``to_customer`` is not stored.
        """
        return self._move_to(
            schema.marketing_choices, "marketing choices", from_customers, to_customer
        )

    def delete_marketing_choices(self, ids: Collection[int]) -> int:
        """Delete the ledger entries with these ids, one DELETE per chunk of ids."""
        deleted = 0
        with _translating("delete marketing choices"):
            for part in _chunks(ids):
                written = self._conn.execute(
                    delete(schema.marketing_choices).where(_among(self._conn, _mc.id, part))
                )
                deleted += int(written.rowcount)
        return deleted

    def blank_marketing_choices(self, ids: Collection[int]) -> int:
        """Set source and note of the ledger entries with these ids to "", one UPDATE per chunk."""
        blanked = 0
        with _translating("blank marketing choices"):
            for part in _chunks(ids):
                written = self._conn.execute(
                    update(schema.marketing_choices)
                    .where(_among(self._conn, _mc.id, part))
                    .values(source="", note="")
                )
                blanked += int(written.rowcount)
        return blanked
