"""The retention query of a SQL transaction: customers due for anonymization without a request."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Connection, and_, false, func, or_, select

from custmodel import rules
from custmodel.model import BookingKind, CustomerKind, RetentionBasis, RetentionRule, RetentionScan
from custmodel.storage.sql import _schema as schema
from custmodel.storage.sql._errors import _translating
from custmodel.storage.sql._queries import CUSTOM_PLANS, _c, blocking_booking
from custmodel.storage.sql._rows import _time_to_db


class RetentionRecords:
    """The retention query of a :class:`SqlTransaction`, which inherits it."""

    _conn: Connection
    _aware_times: bool

    def due_retention(self, scan: RetentionScan) -> list[int]:
        """Return customers a retention rule makes due whom the scan's agency may anonymize.

        One query over the customers past ``scan.after`` in number order: per kind with rules,
        the rules as conditions on the customer's last change and on two correlated
        aggregates of its firm bookings (latest departure, sum of open amounts) that probe
        the bookings' customer index; R9's blocking bookings as the anti-join of
        :meth:`due_erasures`.
        """
        if scan.limit < 1:
            return []
        firm = schema.bookings.alias("f")
        of_customer = and_(firm.c.customer == _c.number, firm.c.kind == BookingKind.BOOKING.value)
        last_departure = select(func.max(firm.c.departure)).where(of_customer).scalar_subquery()
        owed = select(func.sum(firm.c.open_amount_cents)).where(of_customer).scalar_subquery()
        per_kind = []
        for kind, kind_rules in scan.retention.items():
            held = [self._holds(rule, scan.day, last_departure, owed) for rule in kind_rules]
            if kind_rules:
                per_kind.append(and_(_c.kind == CustomerKind(kind).value, or_(false(), *held)))
        if not per_kind:
            return []
        b = schema.bookings.alias("b")
        statement = (
            select(_c.number)
            .outerjoin(b, blocking_booking(b, _c.number, scan.acting_agency, scan.cutoff))
            .where(
                _c.number > scan.after,
                _c.merged_into.is_(None),
                _c.anonymized_at.is_(None),
                or_(*per_kind),
                b.c.reference.is_(None),
            )
            .order_by(_c.number)
            .limit(scan.limit)
        )
        with _translating("find the customers due by retention"):
            if self._conn.dialect.name == "postgresql":
                # Planned for this page's keyset and limit, as due_erasures is.
                self._conn.exec_driver_sql(CUSTOM_PLANS)
            return [int(n) for n in self._conn.execute(statement).scalars()]

    def _holds(
        self,
        rule: RetentionRule,
        day: date,
        last_departure: ColumnElement[date],
        owed: ColumnElement[int],
    ) -> ColumnElement[bool]:
        """The condition under which ``rule`` holds on ``day`` (:func:`rules.retention_due`)."""
        threshold = rules.retention_threshold(rule, day)
        if threshold is None:
            return false()
        if rule.basis is RetentionBasis.PROSPECT_IDLE:
            # Changed on or before the threshold day (UTC): before the next day's midnight.
            before = datetime.combine(threshold + timedelta(days=1), time(), tzinfo=UTC)
            return and_(
                last_departure.is_(None),
                _c.updated_at < _time_to_db(before, aware=self._aware_times),
            )
        return and_(last_departure <= threshold, owed == 0)
