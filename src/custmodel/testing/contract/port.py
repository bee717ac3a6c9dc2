"""The storage port called directly, and its transactions."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import ClassVar

import attrs
import pytest

from custmodel import rules
from custmodel.errors import (
    ConcurrentUpdateError,
    CustomerNotFoundError,
    DebtorAccountError,
    InvalidInputError,
)
from custmodel.model import (
    Booking,
    Customer,
    ErasureRequest,
    MergeRecord,
    RequestKind,
    SalesChannel,
    Selection,
    Settings,
)
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._shared import (
    AGENCY,
    CORPORATE,
    FIRM,
    NOW,
    OFFER,
    PRIVATE,
    SETTINGS,
    TODAY,
    _Abort,
    _booking,
    _customer,
)
from custmodel.testing.snapshots import peek_next_number

__all__ = ["PortContract"]


class PortContract(_ContractBase):
    """Each port method does what its docstring says; a transaction that raises writes nothing."""

    __test__: ClassVar[bool] = False

    # -- the port directly ---------------------------------------------------------------------

    def test_allocate_numbers_hands_out_consecutive_blocks(self) -> None:
        """Allocating 3 then 2 numbers gives first numbers 1 and 4; the next is 6."""
        with self.store.transaction() as tx:
            firsts = [tx.allocate_numbers(3), tx.allocate_numbers(2)]
        assert ([1, 4], 6) == (firsts, peek_next_number(self.store))

    def test_a_rolled_back_allocation_gives_its_numbers_back(self) -> None:
        """Numbers allocated in a transaction that raised are handed out again."""

        def allocate_then_fail() -> None:
            with self.store.transaction() as tx:
                tx.allocate_numbers(5)
                raise _Abort

        with pytest.raises(_Abort):
            allocate_then_fail()
        with self.store.transaction() as tx:
            assert 1 == tx.allocate_numbers(1)

    def test_get_settings_is_none_until_settings_are_put(self) -> None:
        """A new store holds no settings; after put_settings it holds those."""
        with self.store.transaction() as tx:
            before = tx.get_settings()
            tx.put_settings(SETTINGS)
        with self.store.transaction(write=False) as tx:
            assert (None, SETTINGS) == (before, tx.get_settings())

    def assert_insert_refused(
        self, error: type[Exception], *customers: Customer, allocate: int = 0
    ) -> None:
        """Inserting ``customers``, after allocating ``allocate`` numbers, raises ``error``;
        nothing is written."""

        def insert() -> None:
            with self.store.transaction() as tx:
                if allocate:
                    tx.allocate_numbers(allocate)
                tx.insert_customers(list(customers))

        self.assert_refused(error, insert)

    def test_insert_customers_refuses_a_taken_number(self) -> None:
        """Inserting a number that is stored raises InvalidInputError; nothing is written."""
        self.insert(_customer(1))
        self.assert_insert_refused(InvalidInputError, _customer(1, account=20001))

    def test_insert_customers_refuses_a_number_twice_in_a_batch(self) -> None:
        """A batch holding one number twice raises InvalidInputError; nothing is written."""
        twice = (_customer(1), _customer(1, account=20001))
        self.assert_insert_refused(InvalidInputError, *twice, allocate=1)

    def test_insert_customers_refuses_a_taken_debtor_account(self) -> None:
        """Inserting an account that is stored raises DebtorAccountError; nothing is written."""
        self.insert(_customer(1, account=10005))
        self.assert_insert_refused(DebtorAccountError, _customer(2, account=10005), allocate=1)

    def test_insert_customers_refuses_a_debtor_account_twice_in_a_batch(self) -> None:
        """A batch holding one account twice raises DebtorAccountError; nothing is written."""
        twice = (_customer(1, account=10005), _customer(2, account=10005))
        self.assert_insert_refused(DebtorAccountError, *twice, allocate=2)

    def test_get_customers_returns_those_that_exist(self) -> None:
        """get_customers returns the stored ones among the numbers asked for, by number."""
        customers = [_customer(1), _customer(2), _customer(3)]
        self.insert(*customers)
        with self.store.transaction(write=False) as tx:
            found = tx.get_customers([3, 1, 7])
        assert {1: customers[0], 3: customers[2]} == found

    def test_tombstones_keep_their_debtor_account_taken(self) -> None:
        """A tombstone's account is still found and still counts as taken."""
        self.insert(_customer(1))
        self.insert(_customer(2, merged_into=1))
        with self.store.transaction(write=False) as tx:
            holder = tx.customer_by_debtor_account(10002)
            taken = tx.debtor_accounts_taken([10001, 10002, 10003])
        assert (2, {10001, 10002}) == (holder.number if holder else None, taken)

    def test_update_customers_stores_the_next_version(self) -> None:
        """update_customers stores and returns each customer with version + 1, in order."""
        self.insert(_customer(1), _customer(2))
        changed = [_customer(2, email="zwei@example.org"), _customer(1, city="Köln")]
        with self.store.transaction() as tx:
            returned = tx.update_customers(changed)
        expected = [attrs.evolve(c, version=2) for c in changed]
        assert (expected, expected[::-1]) == (returned, self.everyone())

    def test_update_customers_with_one_stale_version_writes_nothing(self) -> None:
        """A batch with one stale version raises ConcurrentUpdateError; nothing is written."""
        self.insert(_customer(1), _customer(2, version=3))

        def update() -> None:
            with self.store.transaction() as tx:
                tx.update_customers([_customer(1, city="Köln"), _customer(2, version=2)])

        self.assert_refused(ConcurrentUpdateError, update)

    def test_update_customers_of_an_unknown_number_raises(self) -> None:
        """Updating a number that is not stored raises CustomerNotFoundError."""

        def update() -> None:
            with self.store.transaction() as tx:
                tx.update_customers([_customer(1)])

        self.assert_refused(CustomerNotFoundError, update)

    def test_update_customers_refuses_an_account_held_by_another(self) -> None:
        """Changing an account to one another customer holds raises DebtorAccountError."""
        self.insert(_customer(1), _customer(2))

        def update() -> None:
            with self.store.transaction() as tx:
                tx.update_customers([_customer(2, account=10001)])

        self.assert_refused(DebtorAccountError, update)

    def test_update_customers_may_move_an_account(self) -> None:
        """A changed account is stored; the old one becomes free."""
        self.insert(_customer(1))
        with self.store.transaction() as tx:
            tx.update_customers([_customer(1, account=77777)])
        with self.store.transaction(write=False) as tx:
            assert (None, 1) == (
                tx.customer_by_debtor_account(10001),
                getattr(tx.customer_by_debtor_account(77777), "number", None),
            )

    def test_port_set_status_writes_only_changed_customers(self) -> None:
        """The port's set_status bumps version and time of changed customers only."""
        self.insert(_customer(1, status=[2]), _customer(2), _customer(3, kind=CORPORATE))
        later = NOW + timedelta(seconds=1)
        with self.store.transaction() as tx:
            changed = tx.set_status(Selection(kind=PRIVATE), 2, True, later)
        stamps = [(c.version, c.updated_at, c.status.bits) for c in self.everyone()]
        assert (1, [(1, NOW, 2), (2, later, 2), (1, NOW, 0)]) == (changed, stamps)

    def test_port_count_equals_the_length_of_select(self) -> None:
        """count returns how many customers select returns."""
        self.register_population()
        with self.store.transaction(write=False) as tx:
            pairs = [
                (len(tx.select(s)), tx.count(s))
                for s in (Selection(), Selection(kind=PRIVATE), Selection(include_merged=True))
            ]
        assert [(8, 8), (4, 4), (9, 9)] == pairs

    def test_kinds_in_lists_the_kinds_of_the_selected(self) -> None:
        """kinds_in returns the kind values present among the selected customers."""
        self.register_population()
        with self.store.transaction(write=False) as tx:
            kinds = tx.kinds_in(Selection(category="A"))
        assert {"private", "corporate", "prospect"} == kinds

    def test_put_booking_inserts_and_replaces_by_reference(self) -> None:
        """put_booking inserts a new reference and replaces a stored one, customer included."""
        self.insert(_customer(1), _customer(2))
        first, moved = _booking("B-1", 1, OFFER), _booking("B-1", 2, FIRM)
        with self.store.transaction() as tx:
            tx.put_booking(first)
            tx.put_booking(moved)
        with self.store.transaction(write=False) as tx:
            assert (moved, [], [moved]) == (
                tx.get_booking("B-1"),
                tx.bookings_of([1]),
                tx.bookings_of([2]),
            )

    def insert_three_with(self, *bookings: Booking) -> None:
        """Insert customers 1, 2 and 3, then put ``bookings`` through the port."""
        self.insert(_customer(1), _customer(2), _customer(3))
        with self.store.transaction() as tx:
            for booking in bookings:
                tx.put_booking(booking)

    def test_bookings_of_several_customers_are_ordered_by_reference(self) -> None:
        """bookings_of returns the bookings of all the customers, ordered by reference."""
        self.insert_three_with(
            _booking("C", 1), _booking("A", 2), _booking("B", 1), _booking("D", 3)
        )
        with self.store.transaction(write=False) as tx:
            assert ["A", "B", "C"] == [b.reference for b in tx.bookings_of([1, 2])]

    def test_blocking_bookings_are_those_the_rule_says_block(self) -> None:
        """blocking_bookings returns, ordered, exactly the bookings rules.blocks_erasure names:
        firm ones of another point of sale, an external channel or a departure past the
        cutoff; offers and the cutoff's own day do not block."""
        cutoff = TODAY - timedelta(days=42)
        bookings = [
            _booking("A-offer", 1, OFFER, point_of_sale="AG2"),
            _booking("B-own-old", 1),
            _booking("C-other-agency", 1, point_of_sale="AG2"),
            _booking("D-external", 2, channel=SalesChannel.external("Partner")),
            _booking("E-on-cutoff", 2, departure=cutoff),
            _booking("F-after-cutoff", 2, departure=cutoff + timedelta(days=1)),
            _booking("G-other-customer", 3, point_of_sale="AG2"),
        ]
        self.insert_three_with(*bookings)
        with self.store.transaction(write=False) as tx:
            found = tx.blocking_bookings([1, 2], AGENCY, cutoff)
        expected = [
            b for b in bookings if b.customer != 3 and rules.blocks_erasure(b, AGENCY, cutoff)
        ]
        assert ["C-other-agency", "D-external", "F-after-cutoff"] == [b.reference for b in expected]
        assert expected == found

    def test_booking_references_are_those_of_bookings_of_in_order(self) -> None:
        """booking_references lists the references bookings_of returns, in the same order."""
        self.insert_three_with(
            _booking("C", 1), _booking("a", 2), _booking("B", 1), _booking("D", 3)
        )
        with self.store.transaction(write=False) as tx:
            assert (["B", "C", "a"], []) == (
                tx.booking_references([1, 2]),
                tx.booking_references([4]),
            )

    def test_move_bookings_moves_and_counts(self) -> None:
        """move_bookings points every booking of the sources at the target and lists them."""
        self.insert(_customer(1), _customer(2), _customer(3))
        with self.store.transaction() as tx:
            for booking in (_booking("C", 3), _booking("a", 2), _booking("B", 3)):
                tx.put_booking(booking)
            moved = tx.move_bookings([2, 3], 1)
        with self.store.transaction(write=False) as tx:
            assert (["B", "C", "a"], ["B", "C", "a"], []) == (
                moved,
                [b.reference for b in tx.bookings_of([1])],
                tx.bookings_of([2, 3]),
            )

    def test_a_raising_transaction_leaves_the_store_unchanged(self) -> None:
        """Every kind of write in a transaction that raises is rolled back."""
        self.register_population()
        before = self.snapshot()

        def write_everything_then_fail() -> None:
            with self.store.transaction() as tx:
                tx.put_settings(Settings())
                first = tx.allocate_numbers(2)
                tx.insert_customers([_customer(first), _customer(first + 1, account=99999)])
                tx.update_customers([attrs.evolve(before.customers[0], city="Nirgendwo")])
                tx.set_status(Selection(), 5, True, NOW)
                tx.put_booking(_booking("X-1", first))
                tx.move_bookings([first], 1)
                raise _Abort

        with pytest.raises(_Abort):
            write_everything_then_fail()
        assert before == self.snapshot()

    def test_a_failed_operation_leaves_the_store_unchanged(self) -> None:
        """A merge that fails after writing bookings and customers leaves no trace."""
        book = self.merge_book()
        before = self.snapshot()

        def merge_then_fail() -> None:
            with self.store.transaction() as tx:
                tx.move_bookings([2, 3], 1)
                tx.update_customers([attrs.evolve(before.customers[1], merged_into=1)])
                tx.update_customers([attrs.evolve(before.customers[1], merged_into=1)])

        with pytest.raises(ConcurrentUpdateError):
            merge_then_fail()
        assert (before, ["B-2", "B-3"]) == (
            self.snapshot(),
            [b.reference for b in book.bookings(2)],
        )

    def test_add_merge_record_gives_running_ids_and_keeps_the_rest(self) -> None:
        """Records are stored as given under running ids, whatever id they carried."""
        self.insert(*(_customer(n) for n in range(1, 6)))
        given_records = [
            MergeRecord(0, NOW, 1, (5, 3), 2, {"invoices.customer": 4, "orders.payer": 0}, "u-1"),
            MergeRecord(99, NOW + timedelta(seconds=1), 4, (2,), 0),
        ]
        with self.store.transaction() as tx:
            stored = [tx.add_merge_record(record) for record in given_records]
        first = stored[0].id
        expected = [attrs.evolve(record, id=first + i) for i, record in enumerate(given_records)]
        with self.store.transaction(write=False) as tx:
            assert (expected, expected) == (stored, tx.merge_records())

    def test_merge_records_round_trip_exactly(self) -> None:
        """Order of duplicates, references, actor and an aware time read back equal."""
        self.insert(*(_customer(n) for n in range(1, 5)))
        merged_at = datetime(2026, 3, 29, 2, 30, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
        record = MergeRecord(0, merged_at, 2, (4, 1, 3), 7, {"ä.b": 1, "x": 0}, "Zoë ß 👍")
        with self.store.transaction() as tx:
            stored = tx.add_merge_record(record)
        with self.store.transaction(write=False) as tx:
            assert [attrs.evolve(record, id=stored.id)] == tx.merge_records()

    def test_merge_records_of_a_customer_name_it_as_master_or_duplicate(self) -> None:
        """merge_records(customer) returns the records naming it, ordered by id."""
        self.insert(*(_customer(n) for n in range(1, 6)))
        with self.store.transaction() as tx:
            records = [
                tx.add_merge_record(MergeRecord(0, NOW, master, duplicates, 0))
                for master, duplicates in ((1, (2,)), (3, (4, 5)), (5, (1,)))
            ]
        with self.store.transaction(write=False) as tx:
            found = [tx.merge_records(n) for n in (1, 2, 4, 5)]
        assert [
            [records[0], records[2]],
            [records[0]],
            [records[1]],
            [records[1], records[2]],
        ] == found

    def test_add_erasure_request_for_an_unknown_customer_is_refused_at_the_port(self) -> None:
        """add_erasure_request for a customer that is not stored raises CustomerNotFoundError."""
        self.insert(_customer(1))

        def add() -> None:
            with self.store.transaction() as tx:
                tx.add_request(RequestKind.ERASURE, 2, TODAY, NOW)

        self.assert_refused(CustomerNotFoundError, add)

    def test_add_erasure_request_gives_running_ids(self) -> None:
        """Requests are stored open, under running ids, as given."""
        self.insert(_customer(1), _customer(2))
        with self.store.transaction() as tx:
            first = tx.add_request(RequestKind.ERASURE, 2, TODAY, NOW)
            second = tx.add_request(
                RequestKind.ERASURE, 1, date(2024, 2, 29), NOW + timedelta(microseconds=7)
            )
        expected = [
            ErasureRequest(first.id, 2, TODAY, NOW),
            ErasureRequest(first.id + 1, 1, date(2024, 2, 29), NOW + timedelta(microseconds=7)),
        ]
        assert (expected, expected) == ([first, second], self.requests())

    def test_erasure_requests_are_open_ones_unless_asked_and_filter_by_customer(self) -> None:
        """erasure_requests lists open ones by default, all on request, and by customer."""
        self.insert(_customer(1), _customer(2), _customer(3))
        with self.store.transaction() as tx:
            made = [tx.add_request(RequestKind.ERASURE, n, TODAY, NOW) for n in (1, 2, 3)]
            tx.complete_requests(RequestKind.ERASURE, [2], NOW)
        with self.store.transaction(write=False) as tx:
            found = [
                tx.requests(),
                tx.requests(open_only=False),
                tx.requests(customers=[2, 3]),
                tx.requests(open_only=False, customers=[2]),
            ]
        done = attrs.evolve(made[1], completed_at=NOW)
        assert [[made[0], made[2]], [made[0], done, made[2]], [made[2]], [done]] == found

    def test_complete_erasure_requests_completes_only_open_ones(self) -> None:
        """Completing twice counts 1, then 0, and keeps the first completion time."""
        self.insert(_customer(1), _customer(2))
        later = NOW + timedelta(hours=1)
        with self.store.transaction() as tx:
            request = tx.add_request(RequestKind.ERASURE, 1, TODAY, NOW)
            tx.add_request(RequestKind.ERASURE, 2, TODAY, NOW)
            counts = [
                tx.complete_requests(RequestKind.ERASURE, [1], NOW),
                tx.complete_requests(RequestKind.ERASURE, [1], later),
            ]
        with self.store.transaction(write=False) as tx:
            completed = tx.requests(open_only=False, customers=[1])
        assert ([1, 0], [attrs.evolve(request, completed_at=NOW)]) == (counts, completed)

    def test_move_erasure_requests_moves_and_counts(self) -> None:
        """move_requests points the sources' requests at the target and counts them."""
        self.insert(_customer(1), _customer(2), _customer(3))
        with self.store.transaction() as tx:
            made = [tx.add_request(RequestKind.ERASURE, n, TODAY, NOW) for n in (2, 3, 1)]
            moved = tx.move_requests([2, 3], 1)
        assert (2, [attrs.evolve(r, customer=1) for r in made]) == (moved, self.requests())

    def test_erasure_port_calls_for_no_customers_do_nothing(self) -> None:
        """Listing, moving and completing the requests of no customers finds and changes none."""
        self.insert(_customer(1))
        with self.store.transaction() as tx:
            tx.add_request(RequestKind.ERASURE, 1, TODAY, NOW)
        before = self.snapshot()
        with self.store.transaction() as tx:
            results = (
                tx.requests(customers=[]),
                tx.move_requests([], 1),
                tx.complete_requests(RequestKind.ERASURE, [], NOW),
            )
        assert (([], 0, 0), before) == (results, self.snapshot())

    def test_due_erasures_page_by_number(self) -> None:
        """due_erasures returns numbers above ``after``, ascending, at most ``limit``."""
        self.insert(*(_customer(n) for n in range(1, 6)))
        with self.store.transaction() as tx:
            for number in (5, 2, 4, 1, 3):
                tx.add_request(RequestKind.ERASURE, number, TODAY, NOW)
        cutoff = TODAY - timedelta(days=42)
        with self.store.transaction(write=False) as tx:
            pages = [
                tx.due_erasures(AGENCY, cutoff, after, 2, received_by=TODAY)
                for after in (0, 2, 4, 5)
            ]
        assert [[1, 2], [3, 4], [5], []] == pages

    def test_due_erasures_leave_out_tombstones_anonymized_and_unrequested(self) -> None:
        """Only active, not anonymized customers with an open request are due."""
        self.insert(_customer(1))
        self.insert(
            _customer(2, merged_into=1),
            _customer(3, anonymized_at=NOW),
            _customer(4),
            _customer(5),
        )
        with self.store.transaction() as tx:
            for number in (1, 2, 3, 5):
                tx.add_request(RequestKind.ERASURE, number, TODAY, NOW)
            tx.complete_requests(RequestKind.ERASURE, [5], NOW)
            due = tx.due_erasures(AGENCY, TODAY, 0, 100, received_by=TODAY)
        assert [1] == due

    def test_due_erasures_apply_the_cutoff_inclusively(self) -> None:
        """A departure on the cutoff is due, one a day later is not; offers never count."""
        cutoff = TODAY - timedelta(days=42)
        self.insert(_customer(1), _customer(2), _customer(3))
        with self.store.transaction() as tx:
            tx.put_booking(_booking("B-1", 1, departure=cutoff))
            tx.put_booking(_booking("B-2", 2, departure=cutoff + timedelta(days=1)))
            tx.put_booking(
                _booking(
                    "A-3",
                    3,
                    OFFER,
                    departure=TODAY,
                    point_of_sale="AG2",
                    channel=SalesChannel.external("Holidu"),
                )
            )
            for number in (1, 2, 3):
                tx.add_request(RequestKind.ERASURE, number, TODAY, NOW)
            due = tx.due_erasures(AGENCY, cutoff, 0, 100, received_by=TODAY)
        assert [1, 3] == due

    def test_a_raising_transaction_leaves_audit_and_requests_unchanged(self) -> None:
        """Records and requests written, moved or completed in a failed transaction vanish."""
        book = self.audited_book()
        before = self.snapshot()

        def write_then_fail() -> None:
            with self.store.transaction() as tx:
                tx.add_merge_record(MergeRecord(0, NOW, 1, (2,), 0))
                tx.add_request(RequestKind.ERASURE, 3, TODAY, NOW)
                tx.move_requests([2], 1)
                tx.complete_requests(RequestKind.ERASURE, [1], NOW)
                raise _Abort

        with pytest.raises(_Abort):
            write_then_fail()
        assert (before, 1) == (self.snapshot(), len(book.merge_history()))
