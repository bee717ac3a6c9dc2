"""Erasure requests: recording, states, repeats and merges (R9)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

import attrs
import pytest

from custmodel.errors import (
    CustomerNotFoundError,
    InvalidInputError,
    NotEligibleError,
)
from custmodel.model import (
    Blocker,
    BlockReason,
    ErasureRequest,
    ErasureRequestRecorded,
    ErasureState,
    ErasureSweep,
    RequestKind,
    SalesChannel,
    SubjectRequest,
)
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

__all__ = ["ErasureRequestContract"]


class ErasureRequestContract(_ContractBase):
    """Erasure requests are recorded once, move with merges and complete with anonymization."""

    __test__: ClassVar[bool] = False

    # -- erasure requests (R9) -----------------------------------------------------------------

    def test_request_erasure_records_an_open_request(self) -> None:
        """A request is stored open, for the customer, with its receipt day and the clock time."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        request = book.request_erasure(1, TODAY - timedelta(days=2)).request
        expected = ErasureRequest(request.id, 1, TODAY - timedelta(days=2), NOW)
        assert (expected, [expected], True) == (request, self.requests(), request.is_open)

    def test_a_request_received_today_is_accepted(self) -> None:
        """A request received on the clock's day is recorded."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        assert TODAY == book.request_erasure(1, TODAY).request.received_on

    def test_a_request_for_a_merged_number_goes_to_its_master(self) -> None:
        """A request naming a tombstone is recorded for the master it was merged into."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        book.merge(1, [2])
        request = book.request_erasure(2, TODAY).request
        assert (1, [request]) == (request.customer, self.requests())

    def test_a_request_follows_a_merge_chain_to_its_end(self) -> None:
        """A request naming A, merged into B and B into C, is recorded for C."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft(), _draft()])
        book.merge(2, [1])
        book.merge(3, [2])
        assert 3 == book.request_erasure(1, TODAY).request.customer

    def test_a_merge_moves_the_duplicates_open_request_to_the_master(self) -> None:
        """A duplicate's open request belongs to the master after the merge, same id."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        request = book.request_erasure(2, TODAY - timedelta(days=3)).request
        book.merge(1, [2])
        assert [attrs.evolve(request, customer=1)] == self.requests()

    def merge_two_with_requests(
        self, *, master_days_ago: int, duplicate_days_ago: int
    ) -> SubjectRequest:
        """Register customers 1 and 2, each with a request received so many days ago, and
        merge 2 into 1; return the master's request as it was recorded."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        own = book.request_erasure(1, TODAY - timedelta(days=master_days_ago)).request
        book.request_erasure(2, TODAY - timedelta(days=duplicate_days_ago))
        book.merge(1, [2])
        return own

    def test_a_merge_folds_the_moved_open_request_into_the_masters_own(self) -> None:
        """Master and duplicate with open requests: the master's stays, with the earlier day."""
        own = self.merge_two_with_requests(master_days_ago=1, duplicate_days_ago=3)
        assert [attrs.evolve(own, received_on=TODAY - timedelta(days=3))] == self.requests()

    def test_a_merge_chain_carries_a_request_to_its_end(self) -> None:
        """A's request moves to B when A is merged into B, and on to C with B."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft(), _draft()])
        request = book.request_erasure(1, TODAY).request
        book.merge(2, [1])
        book.merge(3, [2])
        assert [attrs.evolve(request, customer=3)] == self.requests()

    def assert_repeat_records_nothing(self, *, first_days_ago: int, again_days_ago: int) -> None:
        """A request received ``first_days_ago``, asked for again ``again_days_ago``: the
        repeat returns the open request and the store is as it was."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        first = book.request_erasure(1, TODAY - timedelta(days=first_days_ago)).request
        before = self.snapshot()
        again = book.request_erasure(1, TODAY - timedelta(days=again_days_ago))
        assert (ErasureRequestRecorded(first, repeated=True), before) == (again, self.snapshot())

    def test_a_second_request_while_one_is_open_returns_the_open_one(self) -> None:
        """Asking again, received later, while a request is open returns that request as a
        repeat and records nothing."""
        self.assert_repeat_records_nothing(first_days_ago=5, again_days_ago=1)

    def test_a_request_for_an_anonymized_customer_is_completed_at_once(self) -> None:
        """A request for a customer who is anonymized already is recorded as completed now."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.anonymize(1, AGENCY)
        request = book.request_erasure(1, TODAY - timedelta(days=1)).request
        expected = ErasureRequest(request.id, 1, TODAY - timedelta(days=1), NOW, NOW)
        assert (expected, [expected]) == (request, self.requests())

    def test_a_request_received_in_the_future_is_refused(self) -> None:
        """A receipt day after the clock's day is refused; nothing is changed."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        self.assert_refused(
            InvalidInputError, lambda: book.request_erasure(1, TODAY + timedelta(days=1))
        )

    def test_a_request_received_on_a_datetime_is_refused(self) -> None:
        """A receipt given as a datetime instead of a date is refused; nothing is changed."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        self.assert_refused(InvalidInputError, lambda: book.request_erasure(1, NOW))

    def test_a_request_for_an_unknown_customer_is_refused(self) -> None:
        """A request naming a number nobody has raises CustomerNotFoundError; nothing changes."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        self.assert_refused(CustomerNotFoundError, lambda: book.request_erasure(2, TODAY))

    def test_anonymize_completes_the_open_request(self) -> None:
        """Anonymizing a customer completes its open request at the clock time."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        request = book.request_erasure(1, TODAY).request
        book.anonymize(1, AGENCY)
        assert [attrs.evolve(request, completed_at=NOW)] == self.requests()

    def test_anonymize_completes_the_request_a_merge_folded(self) -> None:
        """The master's one open request, the duplicate's folded into it, is completed."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        own = book.request_erasure(1, TODAY).request
        book.request_erasure(2, TODAY)
        book.merge(1, [2])
        book.anonymize(1, AGENCY)
        assert [attrs.evolve(own, completed_at=NOW)] == self.requests()

    def test_a_refused_anonymization_leaves_the_request_open(self) -> None:
        """An ineligible customer's request stays open; nothing is changed."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.record_booking(_booking("B-1", 1, point_of_sale="AG2"))
        book.request_erasure(1, TODAY)
        self.assert_refused(NotEligibleError, lambda: book.anonymize(1, AGENCY))

    def test_anonymize_without_a_request_records_none(self) -> None:
        """Anonymizing a customer nobody asked about records no erasure request."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.anonymize(1, AGENCY)
        assert [] == self.requests()

    # -- erasure request states (R9) ------------------------------------------------------------

    def test_erasure_requests_list_the_open_requests_with_their_states(self) -> None:
        """Open requests come with DUE, WAITING or BLOCKED for the acting agency today."""
        book = self.erasure_book()
        states = [(s.request.customer, s.state) for s in book.erasure_requests(AGENCY)]
        assert [
            (1, ErasureState.DUE),
            (2, ErasureState.WAITING),
            (3, ErasureState.BLOCKED),
            (6, ErasureState.DUE),
        ] == states

    def test_done_requests_are_listed_only_when_asked(self) -> None:
        """A completed request appears as DONE with ``include_done`` and not without."""
        book = self.erasure_book()
        without = [s.request.customer for s in book.erasure_requests(AGENCY)]
        done = [
            (s.request.customer, s.state, s.due_on, s.request.completed_at)
            for s in book.erasure_requests(AGENCY, include_done=True)
            if s.request.customer == 4
        ]
        assert ([1, 2, 3, 6], [(4, ErasureState.DONE, None, NOW)]) == (without, done)

    def test_a_due_request_is_due_on_the_day_asked(self) -> None:
        """A DUE request's ``due_on`` is the day asked about."""
        book = self.erasure_book()
        later = TODAY + timedelta(days=5)
        due = [(s.request.customer, s.due_on) for s in book.erasure_requests(AGENCY, later)]
        assert (1, later) == due[0]

    def test_a_waiting_request_is_due_when_its_last_departure_is_old_enough(self) -> None:
        """A WAITING request's ``due_on`` is the day its eligibility names."""
        book = self.erasure_book()
        status = book.erasure_requests(AGENCY)[1]
        assert (2, TODAY + timedelta(days=32), TODAY + timedelta(days=32)) == (
            status.request.customer,
            status.due_on,
            status.eligibility.eligible_from,
        )

    def test_a_waiting_request_becomes_due_on_its_due_day(self) -> None:
        """Asked the day before its ``due_on`` it waits; asked on that day it is due."""
        book = self.erasure_book()
        states = [
            book.erasure_requests(AGENCY, TODAY + timedelta(days=days))[1].state
            for days in (31, 32)
        ]
        assert [ErasureState.WAITING, ErasureState.DUE] == states

    def test_a_blocked_request_lists_its_blockers(self) -> None:
        """A BLOCKED request has no ``due_on`` and names every blocking booking."""
        book = self.erasure_book()
        status = book.erasure_requests(AGENCY)[2]
        blockers = (Blocker("B-3", (BlockReason.NOT_POINT_OF_SALE,)),)
        assert (3, ErasureState.BLOCKED, None, blockers) == (
            status.request.customer,
            status.state,
            status.due_on,
            status.eligibility.blockers,
        )

    def test_an_external_channel_blocks_even_when_time_blocks_too(self) -> None:
        """A recent booking through an external partner is BLOCKED, not WAITING."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.record_booking(_booking("B-1", 1, departure=TODAY, channel=SalesChannel.external("X")))
        book.request_erasure(1, TODAY)
        status = book.erasure_requests(AGENCY)[0]
        assert (ErasureState.BLOCKED, None) == (status.state, status.due_on)

    def test_another_agency_sees_the_request_of_our_customer_blocked(self) -> None:
        """For AG2, a customer with AG1's booking is blocked; one without bookings is due."""
        book = self.erasure_book()
        states = {s.request.customer: s.state for s in book.erasure_requests("AG2")}
        assert (ErasureState.DUE, ErasureState.BLOCKED) == (states[1], states[2])

    def test_each_state_carries_the_eligibility_of_its_customer(self) -> None:
        """The eligibility of each listed request equals the book's eligibility answer."""
        book = self.erasure_book()
        statuses = book.erasure_requests(AGENCY)
        assert [book.eligibility(s.request.customer, AGENCY) for s in statuses] == [
            s.eligibility for s in statuses
        ]

    def answer_by(self, received_on: date) -> date:
        """The ``answer_by`` of a request received on ``received_on``."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.request_erasure(1, received_on)
        return book.erasure_requests(AGENCY)[0].answer_by

    def test_answer_by_is_the_same_day_next_month(self) -> None:
        """A request received on 15 December must be answered by 15 January."""
        assert date(2026, 1, 15) == self.answer_by(date(2025, 12, 15))

    def test_answer_by_of_january_31_is_february_28(self) -> None:
        """A request received on 31 January 2026 must be answered by 28 February."""
        assert date(2026, 2, 28) == self.answer_by(date(2026, 1, 31))

    def test_answer_by_of_january_31_in_a_leap_year_is_february_29(self) -> None:
        """A request received on 31 January 2024 must be answered by 29 February."""
        assert date(2024, 2, 29) == self.answer_by(date(2024, 1, 31))

    def test_erasure_requests_need_an_acting_agency(self) -> None:
        """Listing requests for an empty agency raises InvalidInputError."""
        book = self.erasure_book()
        with pytest.raises(InvalidInputError):
            book.erasure_requests(" ")

    def test_erasure_requests_need_a_date_not_a_datetime(self) -> None:
        """Listing requests for a datetime instead of a date raises InvalidInputError."""
        book = self.erasure_book()
        with pytest.raises(InvalidInputError):
            book.erasure_requests(AGENCY, NOW)

    # -- erasure requests: receipt day, repeats and merges (R9) ----------------------------------

    def test_a_sweep_leaves_a_request_received_after_its_day_alone(self) -> None:
        """A sweep for yesterday neither anonymizes nor counts a customer who asked today."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.request_erasure(1, TODAY)
        sweep = book.anonymize_due(AGENCY, TODAY - timedelta(days=1))
        assert (ErasureSweep(False, 0, 0, 0, ()), False, 1) == (
            sweep,
            book.get(1).is_anonymized,
            len(book.erasure_requests(AGENCY)),
        )

    def test_a_dry_sweep_for_a_day_before_the_receipt_finds_nobody(self) -> None:
        """A dry sweep for the day before a request arrived reports nobody due."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.request_erasure(1, TODAY - timedelta(days=1))
        sweep = book.anonymize_due(AGENCY, TODAY - timedelta(days=2), dry_run=True)
        assert ErasureSweep(True, 0, 0, 0, ()) == sweep

    def test_a_sweep_on_the_day_of_receipt_anonymizes(self) -> None:
        """A request received on the day the sweep runs for is due that day."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.request_erasure(1, TODAY - timedelta(days=1))
        assert (1,) == book.anonymize_due(AGENCY, TODAY - timedelta(days=1)).customers

    def test_a_listing_as_of_a_day_leaves_out_requests_received_later(self) -> None:
        """Listed as of three days ago, only the request received before then appears."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        book.request_erasure(1, TODAY - timedelta(days=4))
        book.request_erasure(2, TODAY - timedelta(days=2))
        listed = book.erasure_requests(AGENCY, TODAY - timedelta(days=3), include_done=True)
        assert [(1, ErasureState.DUE)] == [(s.request.customer, s.state) for s in listed]

    def test_due_erasures_leave_out_requests_received_after_the_day(self) -> None:
        """due_erasures finds only customers whose open request arrived by ``received_by``."""
        self.insert(_customer(1), _customer(2), _customer(3))
        with self.store.transaction() as tx:
            tx.add_request(RequestKind.ERASURE, 1, TODAY - timedelta(days=2), NOW)
            tx.add_request(RequestKind.ERASURE, 2, TODAY - timedelta(days=1), NOW)
            tx.add_request(RequestKind.ERASURE, 3, TODAY, NOW)
            due = tx.due_erasures(AGENCY, TODAY, 0, 100, received_by=TODAY - timedelta(days=1))
        assert [1, 2] == due

    def test_a_first_request_is_no_repeat(self) -> None:
        """The first request of a customer is reported as recorded, not as a repeat."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        recorded = book.request_erasure(1, TODAY)
        assert ErasureRequestRecorded(self.requests()[0], repeated=False) == recorded

    def test_a_repeat_received_earlier_moves_the_open_request_to_that_day(self) -> None:
        """A repeat received before the open request's day moves that request back and
        says from which day; no second request is recorded."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        first = book.request_erasure(1, TODAY - timedelta(days=1)).request
        again = book.request_erasure(1, TODAY - timedelta(days=5))
        moved = attrs.evolve(first, received_on=TODAY - timedelta(days=5))
        expected = ErasureRequestRecorded(moved, repeated=True, moved_from=first.received_on)
        assert (expected, [moved]) == (again, self.requests())

    def test_a_repeat_on_the_same_day_changes_nothing(self) -> None:
        """A repeat received on the open request's day is a repeat and changes nothing."""
        self.assert_repeat_records_nothing(first_days_ago=2, again_days_ago=2)

    def test_an_earlier_repeat_moves_the_answer_deadline(self) -> None:
        """The answer is due one month after the earliest receipt a repeat reported."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.request_erasure(1, date(2024, 2, 20))
        book.request_erasure(1, date(2024, 2, 10))
        assert date(2024, 3, 10) == book.erasure_requests(AGENCY)[0].answer_by

    def test_a_repeat_for_a_merged_number_moves_the_masters_request(self) -> None:
        """A repeat naming a tombstone, received earlier, moves the master's open request."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        book.merge(1, [2])
        book.request_erasure(1, TODAY - timedelta(days=1))
        again = book.request_erasure(2, TODAY - timedelta(days=4))
        stored = [(r.customer, r.received_on) for r in self.requests()]
        assert ([(1, TODAY - timedelta(days=4))], True) == (stored, again.repeated)

    def test_a_merge_keeps_the_masters_earlier_request_and_drops_the_moved_one(self) -> None:
        """The master's request, received first, stays unchanged; the duplicate's is gone."""
        own = self.merge_two_with_requests(master_days_ago=6, duplicate_days_ago=2)
        assert [own] == self.requests()

    def test_a_merge_of_duplicates_with_requests_leaves_the_master_one(self) -> None:
        """Two duplicates' open requests on a master without one fold into the first
        recorded, with the earliest receipt day of both."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft(), _draft()])
        first = book.request_erasure(3, TODAY - timedelta(days=1)).request
        book.request_erasure(2, TODAY - timedelta(days=7))
        book.merge(1, [2, 3])
        expected = attrs.evolve(first, customer=1, received_on=TODAY - timedelta(days=7))
        assert [expected] == self.requests()

    def test_a_merge_that_folds_requests_keeps_its_merge_record(self) -> None:
        """The merge record of a merge that folded requests names the same numbers and
        counts as one that folded none."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft(), _draft(), _draft()])
        book.request_erasure(1, TODAY)
        book.request_erasure(2, TODAY - timedelta(days=1))
        folding = book.merge(1, [2], actor="u-1").record
        plain = book.merge(3, [4], actor="u-1").record
        none = self.no_references_moved()
        assert (
            [(1, (2,), 0, none, "u-1"), (3, (4,), 0, none, "u-1")],
            [folding, plain],
        ) == (
            [
                (r.master, r.duplicates, r.bookings_moved, r.references_moved, r.actor)
                for r in (folding, plain)
            ],
            book.merge_history(),
        )

    def test_a_sweep_after_a_folding_merge_completes_the_one_request(self) -> None:
        """The master of a folding merge is swept once, its one request completed."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        book.request_erasure(1, TODAY)
        book.request_erasure(2, TODAY)
        book.merge(1, [2])
        sweep = book.anonymize_due(AGENCY)
        assert ((1,), [(1, NOW)]) == (
            sweep.customers,
            [(r.customer, r.completed_at) for r in self.requests()],
        )

    def test_redate_erasure_request_changes_an_open_request_only(self) -> None:
        """redate_request moves an open request's day; a completed or unknown id
        gives None and changes nothing."""
        self.insert(_customer(1), _customer(2))
        with self.store.transaction() as tx:
            open_one = tx.add_request(RequestKind.ERASURE, 1, TODAY, NOW)
            done = tx.add_request(RequestKind.ERASURE, 2, TODAY, NOW)
            tx.complete_requests(RequestKind.ERASURE, [2], NOW)
            results = [
                tx.redate_request(open_one.id, date(2024, 2, 29)),
                tx.redate_request(done.id, date(2024, 2, 29)),
                tx.redate_request(done.id + 1, date(2024, 2, 29)),
            ]
        moved = attrs.evolve(open_one, received_on=date(2024, 2, 29))
        assert (
            [moved, None, None],
            [moved, attrs.evolve(done, completed_at=NOW)],
        ) == (results, self.requests())

    def test_redate_erasure_request_refuses_a_datetime(self) -> None:
        """A datetime for the receipt day is refused at the port; nothing is changed."""
        self.insert(_customer(1))
        with self.store.transaction() as tx:
            request = tx.add_request(RequestKind.ERASURE, 1, TODAY, NOW)

        def redate() -> None:
            with self.store.transaction() as tx:
                tx.redate_request(request.id, NOW)

        self.assert_refused(InvalidInputError, redate)

    def test_delete_erasure_requests_deletes_open_ones_only(self) -> None:
        """delete_requests removes and counts open requests; completed ones and
        unknown ids stay as they are."""
        self.insert(_customer(1), _customer(2), _customer(3))
        with self.store.transaction() as tx:
            made = [tx.add_request(RequestKind.ERASURE, n, TODAY, NOW) for n in (1, 2, 3)]
            tx.complete_requests(RequestKind.ERASURE, [2], NOW)
            deleted = tx.delete_requests([r.id for r in made] + [made[-1].id + 1])
        assert (2, [attrs.evolve(made[1], completed_at=NOW)]) == (deleted, self.requests())

    def test_the_id_of_a_deleted_request_is_not_given_again(self) -> None:
        """After the newest request was deleted, the next one gets a new id."""
        self.insert(_customer(1), _customer(2))
        with self.store.transaction() as tx:
            first = tx.add_request(RequestKind.ERASURE, 1, TODAY, NOW)
            deleted = tx.add_request(RequestKind.ERASURE, 2, TODAY, NOW)
            tx.delete_requests([deleted.id])
        with self.store.transaction() as tx:
            later = tx.add_request(RequestKind.ERASURE, 2, TODAY, NOW)
        assert [first.id + 1, first.id + 2] == [deleted.id, later.id]

    def test_a_raising_transaction_undoes_redating_and_deleting(self) -> None:
        """A request moved and another deleted in a failed transaction are as before."""
        self.insert(_customer(1), _customer(2))
        with self.store.transaction() as tx:
            made = [tx.add_request(RequestKind.ERASURE, n, TODAY, NOW) for n in (1, 2)]
        before = self.snapshot()

        def write_then_fail() -> None:
            with self.store.transaction() as tx:
                tx.redate_request(made[0].id, date(2024, 1, 2))
                tx.delete_requests([made[1].id])
                raise _Abort

        with pytest.raises(_Abort):
            write_then_fail()
        assert before == self.snapshot()
