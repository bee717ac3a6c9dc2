"""Retention rules: customers due for anonymization without a request, and the sweep (R9)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import attrs
from hypothesis import given
from hypothesis import strategies as st

from custmodel import rules
from custmodel.book import CustomerBook
from custmodel.errors import InvalidInputError
from custmodel.model import (
    Booking,
    RetentionBasis,
    RetentionReason,
    RetentionRule,
    RetentionScan,
    SalesChannel,
    Selection,
    SweepItem,
)
from custmodel.testing import strategies as cst
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._shared import (
    AGENCY,
    CORPORATE,
    FIRM,
    OFFER,
    PRIVATE,
    SETTINGS,
    TODAY,
    _booking,
    _customer,
    _examples,
    _numbers,
)
from custmodel.testing.snapshots import peek_next_number

__all__ = ["RetentionContract"]

IDLE = RetentionRule.prospect_idle(24)
DEPARTED = RetentionRule.last_departure(10)
#: Private customers: both rules; corporate customers: none.
RETENTION_SETTINGS = SETTINGS.with_kind(
    PRIVATE, attrs.evolve(SETTINGS.kind(PRIVATE), retention=(IDLE, DEPARTED))
)
LONG_AGO = datetime(2020, 1, 1, 8, 0, tzinfo=UTC)
#: The customers :meth:`RetentionContract.retention_book` makes due by retention on TODAY.
DUE = (1, 3, 4, 5)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, tzinfo=UTC)


class RetentionContract(_ContractBase):
    """Retention rules make customers due without a request; R9 still decides who is swept."""

    __test__: ClassVar[bool] = False

    def retention_book(self) -> CustomerBook:
        """Twelve customers on 2026-11-24, private ones under both rules, AG1 sweeping.

        Due: 1 (unchanged 24 months and a day), 3 (offers only), 4 (departed 10 years and a
        day ago), 5 (the latest of two departures is the one that counts). Not due: 2
        (unchanged exactly 24 months), 6 (owes 5.00 on one of two bookings), 7 (departed
        exactly 10 years ago), 8 (AG2's booking), 9 (corporate: no rules), 10 (anonymized),
        11 (a tombstone), 12 (an external channel's booking).
        """
        book = self.book(RETENTION_SETTINGS)
        old: dict[str, Any] = {"created_at": LONG_AGO, "updated_at": LONG_AGO}
        self.insert(
            _customer(1, created_at=LONG_AGO, updated_at=_at(date(2024, 11, 23))),
            _customer(2, created_at=LONG_AGO, updated_at=datetime(2024, 11, 24, tzinfo=UTC)),
            *(_customer(n, **old) for n in range(3, 9)),
            _customer(9, kind=CORPORATE, account=30009, **old),
            _customer(10, anonymized_at=LONG_AGO, **old),
            _customer(11, merged_into=1, **old),
            _customer(12, **old),
        )
        with self.store.transaction() as tx:
            for booking in (
                _booking("A-3", 3, OFFER, departure=TODAY, point_of_sale="AG2"),
                _booking("B-4", 4, departure=date(2016, 11, 23)),
                _booking("B-5a", 5, departure=date(2010, 1, 1)),
                _booking("B-5b", 5, departure=date(2015, 6, 30)),
                _booking("B-6a", 6, departure=date(2010, 1, 1), open_amount=Decimal("5.00")),
                _booking("B-6b", 6, departure=date(2011, 1, 1)),
                _booking("B-7", 7, departure=date(2016, 11, 24)),
                _booking("B-8", 8, departure=date(2010, 1, 1), point_of_sale="AG2"),
                _booking(
                    "B-12", 12, departure=date(2010, 1, 1), channel=SalesChannel.external("Holidu")
                ),
            ):
                tx.put_booking(booking)
        return book

    def due_retention(self, after: int = 0, limit: int = 100) -> list[int]:
        """The store's answer for AG1 on TODAY under the private kind's two rules."""
        cutoff = TODAY - timedelta(days=SETTINGS.anonymization_delay_days)
        with self.store.transaction(write=False) as tx:
            return tx.due_retention(
                RetentionScan(AGENCY, cutoff, TODAY, {PRIVATE: (IDLE, DEPARTED)}, after, limit)
            )

    # -- settings -------------------------------------------------------------------------------

    def test_retention_rules_are_stored_with_the_kind(self) -> None:
        """Rules set with update_kind_settings are read back by a new book on the store."""
        self.book(SETTINGS).update_kind_settings(PRIVATE, retention=[DEPARTED, IDLE])
        assert ((DEPARTED, IDLE), ()) == (
            CustomerBook(self.store).settings.kind(PRIVATE).retention,
            CustomerBook(self.store).settings.kind(CORPORATE).retention,
        )

    def test_retention_rules_can_be_removed(self) -> None:
        """An empty tuple removes a kind's rules."""
        book = self.book(RETENTION_SETTINGS)
        book.update_kind_settings(PRIVATE, retention=())
        assert () == CustomerBook(self.store).settings.kind(PRIVATE).retention

    def test_a_basis_twice_is_refused(self) -> None:
        """Two rules of one basis are refused; the stored settings stay."""
        book = self.book(RETENTION_SETTINGS)
        twice = [IDLE, RetentionRule.prospect_idle(6)]
        self.assert_refused(
            InvalidInputError, lambda: book.update_kind_settings(PRIVATE, retention=twice)
        )

    # -- the store's query ----------------------------------------------------------------------

    def test_due_retention_finds_who_a_rule_holds_for_and_r9_allows(self) -> None:
        """Customers 1, 3, 4 and 5 are due; the others are not, each for its own reason."""
        self.retention_book()
        assert list(DUE) == self.due_retention()

    def test_due_retention_pages_by_number(self) -> None:
        """Numbers above ``after``, ascending, at most ``limit``."""
        self.retention_book()
        assert ([3, 4], [5], []) == (
            self.due_retention(after=1, limit=2),
            self.due_retention(after=4, limit=2),
            self.due_retention(after=5),
        )

    def test_due_retention_without_rules_finds_nobody(self) -> None:
        """No kind with rules: nobody is due."""
        self.retention_book()
        with self.store.transaction(write=False) as tx:
            assert [] == tx.due_retention(RetentionScan(AGENCY, TODAY, TODAY, {}))

    # -- the sweep ------------------------------------------------------------------------------

    def test_a_dry_sweep_lists_who_is_due_and_why_and_changes_nothing(self) -> None:
        """The dry run names each due customer's rule and the day it began to hold."""
        book = self.retention_book()
        before = self.snapshot()
        sweep = book.anonymize_due(AGENCY, dry_run=True)
        expected = (
            SweepItem(1, retention=RetentionReason(IDLE, date(2026, 11, 24))),
            SweepItem(3, retention=RetentionReason(IDLE, date(2022, 1, 2))),
            SweepItem(4, retention=RetentionReason(DEPARTED, date(2026, 11, 24))),
            SweepItem(5, retention=RetentionReason(DEPARTED, date(2025, 7, 1))),
        )
        assert ((True, 4, 0, DUE, expected), before) == (
            (sweep.dry_run, sweep.due, sweep.anonymized, sweep.customers, sweep.items),
            self.snapshot(),
        )

    def test_the_sweep_anonymizes_exactly_the_customers_due_by_retention(self) -> None:
        """The sweep anonymizes 1, 3, 4 and 5 and nobody else (10 was anonymized before)."""
        book = self.retention_book()
        sweep = book.anonymize_due(AGENCY, batch_size=3)
        assert ((4, 4, 2), [1, 3, 4, 5, 10]) == (
            (sweep.due, sweep.anonymized, sweep.batches),
            _numbers(book.select(Selection(anonymized=True))),
        )

    def test_a_sweep_of_requests_only_leaves_retention_alone(self) -> None:
        """``retention=False`` sweeps the requests only: nobody here has one."""
        book = self.retention_book()
        before = self.snapshot()
        assert ((0, 0), before) == (
            (book.anonymize_due(AGENCY, retention=False).due, 0),
            self.snapshot(),
        )

    def test_a_customer_due_by_request_and_retention_is_listed_for_its_request(self) -> None:
        """Customer 4 asked for erasure too: it is listed once, for its request."""
        book = self.retention_book()
        request = book.request_erasure(4, TODAY).request
        sweep = book.anonymize_due(AGENCY)
        assert (DUE, SweepItem(4, request=request.id), 4) == (
            sweep.customers,
            sweep.items[2],
            sweep.anonymized,
        )

    def test_a_second_sweep_finds_nobody_due_by_retention(self) -> None:
        """Anonymized customers are not due again."""
        book = self.retention_book()
        book.anonymize_due(AGENCY)
        assert (0, 0) == (book.anonymize_due(AGENCY).due, book.anonymize_due(AGENCY).batches)

    def test_the_sweep_explains_each_reason_in_a_line(self) -> None:
        """``reasons()`` gives one line per due customer, numbers and dates only."""
        book = self.retention_book()
        reasons = book.anonymize_due(AGENCY, dry_run=True).reasons()
        assert (
            "retention: last departure more than 10 years ago and nothing owed (since "
            + ("2025-07-01)")
            == reasons[5]
        )

    # -- the store's query agrees with the rule function ---------------------------------------

    def test_due_retention_agrees_with_the_rule(self) -> None:
        """For any customer, bookings and rules, the store's query says what the rules say."""
        delays = st.sampled_from([0, 42])
        periods = st.integers(1, 3)
        kinds = st.sampled_from([PRIVATE, PRIVATE, PRIVATE, CORPORATE])
        amounts = st.sampled_from([Decimal(0), Decimal(0), Decimal(0), Decimal("0.01")])

        @_examples(100)
        @given(data=st.data(), delay=delays)
        def agrees(data: st.DataObject, delay: int) -> None:
            number = peek_next_number(self.store)
            day = TODAY + timedelta(days=data.draw(st.integers(-400, 400)))
            retention = {
                PRIVATE: (
                    RetentionRule(RetentionBasis.PROSPECT_IDLE, data.draw(periods) * 12),
                    RetentionRule(RetentionBasis.LAST_DEPARTURE, data.draw(periods)),
                )
            }
            # Last change and departures gather around the day each rule begins to hold.
            idle, departed = (rules.retention_threshold(r, day) for r in retention[PRIVATE])
            assert idle is not None
            assert departed is not None
            changed = idle + timedelta(days=data.draw(st.integers(-1, 1)))
            updated = datetime.combine(changed, data.draw(st.times()), tzinfo=UTC)
            customer = _customer(
                number, kind=data.draw(kinds), created_at=updated, updated_at=updated
            )
            near = departed + timedelta(days=data.draw(st.integers(-1, 1)))
            drawn: list[Booking] = data.draw(
                st.lists(
                    cst.bookings(
                        customer=number,
                        point_of_sale=st.sampled_from([AGENCY, AGENCY, AGENCY, "AG2"]),
                        external=data.draw(st.sampled_from([False, False, None])),
                        kind=data.draw(st.sampled_from([FIRM, FIRM, None])),
                        min_departure=near - timedelta(days=400),
                        max_departure=near,
                    ),
                    max_size=3,
                    unique_by=lambda b: b.reference,
                )
            )
            bookings = [
                attrs.evolve(b, reference=f"{number}/{b.reference}", open_amount=data.draw(amounts))
                for b in drawn
            ]
            moved: bool = data.draw(st.booleans())
            if bookings and moved:
                # The latest departure exactly near the boundary, not somewhere before it.
                bookings[0] = attrs.evolve(bookings[0], departure=near)
            self.insert(customer)
            cutoff = day - timedelta(days=delay)
            with self.store.transaction() as tx:
                for booking in bookings:
                    tx.put_booking(booking)
                found = tx.due_retention(
                    RetentionScan(AGENCY, cutoff, day, retention, after=number - 1, limit=5)
                )
            holds = rules.retention_due(customer, bookings, retention.get(customer.kind, ()), day)
            expected = holds is not None and rules.erasure_due(bookings, AGENCY, cutoff)

            assert ([number] if expected else []) == found

        agrees()
