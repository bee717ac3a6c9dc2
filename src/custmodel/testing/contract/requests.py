"""Data-subject requests of every kind and the right of access (GDPR Art. 12, 15, 20)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

import pytest

from custmodel.errors import CustomerNotFoundError, InvalidInputError
from custmodel.model import ErasureState, RequestKind, SubjectRequest
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._shared import (
    AGENCY,
    NOW,
    PRIVATE,
    SETTINGS,
    TODAY,
    _Abort,
    _booking,
    _customer,
    _draft,
)

__all__ = ["RequestContract"]

ACCESS, ERASURE, OBJECTION = RequestKind.ACCESS, RequestKind.ERASURE, RequestKind.OBJECTION


class RequestContract(_ContractBase):
    """Requests keep their kind, one open per customer and kind; the access report is complete."""

    __test__: ClassVar[bool] = False

    # -- the port -------------------------------------------------------------------------------

    def test_add_request_keeps_the_kind_and_one_sequence_of_ids(self) -> None:
        """Requests of different kinds take running ids from one sequence and keep their kind."""
        self.insert(_customer(1))
        with self.store.transaction() as tx:
            made = [tx.add_request(kind, 1, TODAY, NOW) for kind in (ACCESS, ERASURE, OBJECTION)]
        expected = [
            SubjectRequest(made[0].id + i, 1, TODAY, NOW, kind=kind)
            for i, kind in enumerate((ACCESS, ERASURE, OBJECTION))
        ]
        assert (expected, expected) == (made, self.requests())

    def test_requests_filter_by_kind(self) -> None:
        """requests(kinds=...) lists only those kinds; None lists every kind."""
        self.insert(_customer(1), _customer(2))
        with self.store.transaction() as tx:
            access = tx.add_request(ACCESS, 1, TODAY, NOW)
            erasure = tx.add_request(ERASURE, 2, TODAY, NOW)
            objection = tx.add_request(OBJECTION, 1, TODAY, NOW)
            found = (
                tx.requests(kinds=[ACCESS]),
                tx.requests(kinds=[ERASURE, OBJECTION]),
                tx.requests(kinds=[ACCESS], customers=[2]),
                tx.requests(),
            )
        assert ([access], [erasure, objection], [], [access, erasure, objection]) == found

    def test_complete_requests_completes_only_the_kind_given(self) -> None:
        """Completing the access requests of a customer leaves its erasure request open."""
        self.insert(_customer(1))
        with self.store.transaction() as tx:
            tx.add_request(ACCESS, 1, TODAY, NOW)
            tx.add_request(ERASURE, 1, TODAY, NOW)
            completed = tx.complete_requests(ACCESS, [1], NOW)
            still_open = [r.kind for r in tx.requests(customers=[1])]
        assert (1, [ERASURE]) == (completed, still_open)

    def test_move_requests_moves_every_kind(self) -> None:
        """Moving requests points those of every kind, open and completed, at the target."""
        self.insert(_customer(1), _customer(2))
        with self.store.transaction() as tx:
            tx.add_request(ACCESS, 2, TODAY, NOW)
            tx.add_request(OBJECTION, 2, TODAY, NOW)
            tx.complete_requests(OBJECTION, [2], NOW)
            moved = tx.move_requests([2], 1)
        assert (2, [1, 1]) == (moved, [r.customer for r in self.requests()])

    def test_an_unknown_kind_is_refused_at_the_port(self) -> None:
        """add_request with a kind that is no RequestKind raises InvalidInputError."""
        self.insert(_customer(1))
        with pytest.raises(InvalidInputError), self.store.transaction() as tx:
            tx.add_request("complaint", 1, TODAY, NOW)  # type: ignore[arg-type]
        assert [] == self.requests()

    def test_due_erasures_ignore_requests_of_other_kinds(self) -> None:
        """A customer with an open access or objection request only is not due for erasure."""
        self.insert(_customer(1), _customer(2))
        with self.store.transaction() as tx:
            tx.add_request(ACCESS, 1, TODAY, NOW)
            tx.add_request(OBJECTION, 1, TODAY, NOW)
            tx.add_request(ERASURE, 2, TODAY, NOW)
            due = tx.due_erasures(AGENCY, TODAY, 0, 10, received_by=TODAY)
        assert [2] == due

    def test_a_raising_transaction_takes_back_an_access_request(self) -> None:
        """An access request added in a failed transaction is gone, and its id is given again."""
        self.insert(_customer(1))

        def add_then_fail() -> None:
            with self.store.transaction() as tx:
                tx.add_request(ACCESS, 1, TODAY, NOW)
                raise _Abort

        with pytest.raises(_Abort):
            add_then_fail()
        with self.store.transaction() as tx:
            again = tx.add_request(ACCESS, 1, TODAY, NOW)
        assert [again] == self.requests()

    # -- the book: recording ------------------------------------------------------------------

    def test_request_access_records_an_open_access_request(self) -> None:
        """An access request is stored open, of kind ACCESS, with its receipt day."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        recorded = book.request_access(1, TODAY - timedelta(days=3))
        expected = SubjectRequest(
            recorded.request.id, 1, TODAY - timedelta(days=3), NOW, kind=ACCESS
        )
        assert (expected, False, [expected]) == (
            recorded.request,
            recorded.repeated,
            self.requests(),
        )

    def test_a_repeated_access_request_records_nothing_and_an_earlier_one_moves_it(self) -> None:
        """While an access request is open a repeat is only reported; an earlier one moves it."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        first = book.request_access(1, TODAY - timedelta(days=2))
        same = book.request_access(1, TODAY)
        earlier = book.request_access(1, TODAY - timedelta(days=5))
        assert (True, None, TODAY - timedelta(days=2)) == (
            same.repeated,
            same.moved_from,
            earlier.moved_from,
        )
        assert [first.request.id] == [r.id for r in self.requests()]
        assert TODAY - timedelta(days=5) == self.requests()[0].received_on

    def test_access_and_erasure_requests_are_open_side_by_side(self) -> None:
        """One open request per customer and kind: an access request is no repeat of an erasure."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.request_erasure(1, TODAY)
        recorded = book.request_access(1, TODAY)
        assert (False, [ERASURE, ACCESS]) == (
            recorded.repeated,
            [r.kind for r in self.requests()],
        )

    def test_an_access_request_for_a_merged_number_goes_to_its_master(self) -> None:
        """An access request naming a tombstone is recorded for its master."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        book.merge(1, [2])
        assert 1 == book.request_access(2, TODAY).request.customer

    def test_an_access_request_received_in_the_future_is_refused(self) -> None:
        """An access request received after today is refused; nothing is recorded."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        with pytest.raises(InvalidInputError):
            book.request_access(1, TODAY + timedelta(days=1))
        assert [] == self.requests()

    def test_a_merge_leaves_one_open_request_per_kind(self) -> None:
        """Merging folds open access requests into one (the earliest receipt) and keeps the
        erasure request beside it."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        master = book.request_access(1, TODAY - timedelta(days=1)).request
        book.request_access(2, TODAY - timedelta(days=4))
        book.request_erasure(2, TODAY)
        book.merge(1, [2])
        found = [(r.id, r.kind, r.customer, r.received_on) for r in self.requests()]
        erasure = next(r for r in self.requests() if r.kind is ERASURE)
        assert [
            (master.id, ACCESS, 1, TODAY - timedelta(days=4)),
            (erasure.id, ERASURE, 1, TODAY),
        ] == found

    def test_anonymizing_completes_the_erasure_request_only(self) -> None:
        """Anonymization answers the erasure request; an open access request stays open."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.request_access(1, TODAY)
        book.request_erasure(1, TODAY)
        book.anonymize(1, AGENCY, TODAY)
        assert [ACCESS] == [r.kind for r in self.requests() if r.is_open]

    # -- the book: one list of every kind -----------------------------------------------------

    def test_requests_list_every_kind_with_deadline_and_erasure_state(self) -> None:
        """The list has each kind's request with answer_by; only erasure carries a state."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        book.request_access(1, date(2026, 10, 31))
        book.request_erasure(2, TODAY)
        statuses = book.requests(AGENCY, day=TODAY)
        assert [
            (ACCESS, date(2026, 11, 30), False, None),
            (ERASURE, date(2026, 12, 24), False, ErasureState.DUE),
        ] == [
            (s.kind, s.answer_by, s.overdue, None if s.erasure is None else s.erasure.state)
            for s in statuses
        ]

    def test_an_open_request_is_overdue_after_its_answer_day(self) -> None:
        """An open request is overdue from the day after answer_by, not on it."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.request_access(1, date(2026, 10, 24))
        on_the_day = book.requests(AGENCY, day=date(2026, 11, 24))[0]
        after = book.requests(AGENCY, day=date(2026, 11, 25))[0]
        assert (False, True) == (on_the_day.overdue, after.overdue)

    def test_answered_requests_are_listed_only_when_asked_and_never_overdue(self) -> None:
        """A completed access request is left out unless include_done, and is not overdue."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.request_access(1, date(2026, 9, 1))
        book.access_report(1, answer=True)
        later = date(2027, 1, 1)
        done = book.requests(AGENCY, day=later, include_done=True)
        assert ([], [False]) == (
            book.requests(AGENCY, day=later),
            [s.overdue for s in done],
        )

    def test_requests_leave_out_those_received_after_the_day(self) -> None:
        """The list is as of its day: a request received later is not in it."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.request_access(1, TODAY)
        assert [] == book.requests(AGENCY, day=TODAY - timedelta(days=1))

    # -- the access report ----------------------------------------------------------------------

    def test_the_access_report_holds_everything_stored_about_the_person(self) -> None:
        """Record, profile, bookings, merges naming duplicates, requests, empty seams."""
        book = self.book(SETTINGS)
        book.register_many([_draft(first_name="Eva"), _draft()])
        book.record_booking(_booking("B-1", 2))
        book.merge(1, [2])
        book.request_access(1, TODAY)
        report = book.access_report(1)
        assert (1, "Eva", ["B-1"], [(2,)], [ACCESS], (), {}) == (
            report.customer.number,
            report.customer.first_name,
            [b.reference for b in report.bookings],
            [m.duplicates for m in report.merges],
            [r.kind for r in report.requests],
            report.marketing_choices,
            # A store with registered host references lists each of them, with no rows here.
            {name: rows for name, rows in report.host_data.items() if rows},
        )
        assert (report.profile, NOW, TODAY) == (book.profile(1), report.generated_at, report.as_of)

    def test_the_access_report_of_a_merged_number_is_its_masters(self) -> None:
        """Asking for a tombstone's report gives its master's."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        book.merge(1, [2])
        assert 1 == book.access_report(2).customer.number

    def test_an_answered_access_report_completes_the_open_access_requests(self) -> None:
        """answer=True completes the access request (not the erasure one) in its transaction."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.request_access(1, TODAY)
        book.request_erasure(1, TODAY)
        report = book.access_report(1, answer=True)
        assert [(ACCESS, NOW), (ERASURE, None)] == [
            (r.kind, r.completed_at) for r in report.requests
        ]
        assert [(ACCESS, NOW), (ERASURE, None)] == [
            (r.kind, r.completed_at) for r in self.requests()
        ]

    def test_a_report_not_answered_leaves_the_access_request_open(self) -> None:
        """Without answer the report changes nothing."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.request_access(1, TODAY)
        before = self.snapshot()
        book.access_report(1)
        assert before == self.snapshot()

    def test_the_access_report_of_an_unknown_customer_is_refused(self) -> None:
        """No customer with the number: CustomerNotFoundError."""
        book = self.book(SETTINGS)
        with pytest.raises(CustomerNotFoundError):
            book.access_report(7)
