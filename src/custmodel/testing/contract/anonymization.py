"""Erasure: eligibility, anonymization and the erasure sweep (R9)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from custmodel.book import CustomerBook
from custmodel.errors import (
    AlreadyMergedError,
    InvalidInputError,
    NotEligibleError,
)
from custmodel.model import (
    PERSONAL_FIELDS,
    Blocker,
    BlockReason,
    Booking,
    Customer,
    Eligibility,
    ErasureSweep,
    SalesChannel,
    Selection,
    StatusFlags,
    SweepItem,
)
from custmodel.rules import ANONYMIZED_NAME
from custmodel.testing import strategies as cst
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._shared import (
    AGENCY,
    NOW,
    OFFER,
    PRIVATE,
    SETTINGS,
    TODAY,
    _booking,
    _draft,
    _examples,
    _full_draft,
    _numbers,
)

__all__ = ["AnonymizationContract"]


class AnonymizationContract(_ContractBase):
    """Eligible customers are anonymized, alone or by the sweep, and leave no personal value."""

    __test__: ClassVar[bool] = False

    # -- anonymization (R9) -------------------------------------------------------------------

    def eligibility_of(self, *bookings: Booking, **settings: Any) -> Eligibility:
        """Eligibility of a private customer 1 with ``bookings``, for AGENCY on TODAY."""
        book = self.book(attrs.evolve(SETTINGS, **settings))
        book.register(PRIVATE, "Eins")
        for booking in bookings:
            book.record_booking(booking)
        return book.eligibility(1, AGENCY)

    def test_a_customer_without_bookings_is_eligible(self) -> None:
        """A customer without bookings may be anonymized."""
        assert Eligibility(eligible=True) == self.eligibility_of()

    def test_offers_never_block(self) -> None:
        """An offer of another agency, external and recent, does not block."""
        offer = _booking(
            "A-1",
            1,
            OFFER,
            departure=TODAY,
            point_of_sale="AG2",
            channel=SalesChannel.external("Holidu"),
        )
        assert Eligibility(eligible=True) == self.eligibility_of(offer)

    def test_a_firm_booking_of_another_point_of_sale_blocks(self) -> None:
        """A firm booking sold by another agency blocks."""
        expected = Eligibility(False, (Blocker("B-1", (BlockReason.NOT_POINT_OF_SALE,)),))
        assert expected == self.eligibility_of(_booking("B-1", 1, point_of_sale="AG2"))

    def test_a_firm_booking_of_an_external_channel_blocks(self) -> None:
        """A firm booking that came through an external sales partner blocks."""
        booking = _booking("B-1", 1, channel=SalesChannel.external("Booking.com"))
        expected = Eligibility(False, (Blocker("B-1", (BlockReason.EXTERNAL_CHANNEL,)),))
        assert expected == self.eligibility_of(booking)

    def test_departure_41_days_ago_blocks_until_tomorrow(self) -> None:
        """On D + 41 the customer is not eligible; the answer says D + 42."""
        booking = _booking("B-1", 1, departure=TODAY - timedelta(days=41))
        tomorrow = TODAY + timedelta(days=1)
        expected = Eligibility(
            False, (Blocker("B-1", (BlockReason.TOO_RECENT,), tomorrow),), tomorrow
        )
        assert expected == self.eligibility_of(booking)

    def test_departure_42_days_ago_no_longer_blocks(self) -> None:
        """On D + 42 the customer is eligible."""
        booking = _booking("B-1", 1, departure=TODAY - timedelta(days=42))
        assert Eligibility(eligible=True) == self.eligibility_of(booking)

    def test_the_configured_delay_is_used(self) -> None:
        """With a delay of 28 days, a departure 28 days ago no longer blocks."""
        booking = _booking("B-1", 1, departure=TODAY - timedelta(days=28))
        assert self.eligibility_of(booking, anonymization_delay_days=28).eligible

    def test_every_reason_and_every_blocking_booking_is_reported(self) -> None:
        """Each blocking booking is listed by reference with all its reasons."""
        everything = _booking(
            "B-2",
            1,
            departure=TODAY,
            point_of_sale="AG2",
            channel=SalesChannel.external("Holidu"),
        )
        recent = _booking("B-1", 1, departure=TODAY - timedelta(days=1))
        expected = Eligibility(
            False,
            (
                Blocker("B-1", (BlockReason.TOO_RECENT,), TODAY + timedelta(days=41)),
                Blocker(
                    "B-2",
                    (
                        BlockReason.NOT_POINT_OF_SALE,
                        BlockReason.EXTERNAL_CHANNEL,
                        BlockReason.TOO_RECENT,
                    ),
                    TODAY + timedelta(days=42),
                ),
            ),
        )
        assert expected == self.eligibility_of(everything, recent)

    def test_eligibility_is_asked_for_a_given_day(self) -> None:
        """A customer blocked today by time is eligible on the day the answer named."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        book.record_booking(_booking("B-1", 1, departure=TODAY - timedelta(days=41)))
        assert book.eligibility(1, AGENCY, TODAY + timedelta(days=1)).eligible

    def test_anonymize_refuses_a_customer_who_is_not_eligible(self) -> None:
        """Anonymizing an ineligible customer raises NotEligibleError; nothing is changed."""
        book = self.book(SETTINGS)
        book.register(**attrs.asdict(_full_draft(), recurse=False))
        book.record_booking(_booking("B-1", 1, point_of_sale="AG2"))
        error = self.assert_refused(NotEligibleError, lambda: book.anonymize(1, AGENCY))
        assert book.eligibility(1, AGENCY) == error.eligibility

    def anonymized_full_customer(self) -> tuple[CustomerBook, Customer]:
        """Register the full draft with an old own booking, anonymize it; return the original."""
        book = self.book(SETTINGS)
        original = book.register(**attrs.asdict(_full_draft(), recurse=False))
        book.record_booking(_booking("B-1", 1, open_amount=Decimal("12.00")))
        book.anonymize(1, AGENCY)
        return book, original

    def test_anonymize_replaces_every_personal_field(self) -> None:
        """Every personal field of the anonymized customer differs from the original."""
        book, original = self.anonymized_full_customer()
        anonymous = book.get(1)
        assert [] == [f for f in PERSONAL_FIELDS if getattr(anonymous, f) == getattr(original, f)]

    def test_anonymize_leaves_no_personal_value_in_the_store(self) -> None:
        """No personal value of the original appears anywhere in the store afterwards."""
        _, original = self.anonymized_full_customer()
        everything = repr(self.snapshot())
        # The category is left out: its value is a label of the settings, not the person's.
        values = [getattr(original, f) for f in PERSONAL_FIELDS if f != "category"]
        personal = [repr(v) for v in values if v not in ("", None, StatusFlags())]
        assert [] == [value for value in personal if value in everything]

    def test_anonymize_uses_the_dummy_name(self) -> None:
        """The anonymized customer is called "Anonymisiert" and has no other name."""
        book, _ = self.anonymized_full_customer()
        anonymous = book.get(1)
        assert (ANONYMIZED_NAME, "", "") == (
            anonymous.last_name,
            anonymous.first_name,
            anonymous.company,
        )

    def test_anonymize_reports_the_cleared_fields(self) -> None:
        """The report names every personal field that held data."""
        book = self.book(SETTINGS)
        book.register(**attrs.asdict(_full_draft(), recurse=False))
        assert PERSONAL_FIELDS == book.anonymize(1, AGENCY).fields_cleared

    def test_anonymize_keeps_number_kind_type_account_and_bookings(self) -> None:
        """Number, kind, type, debtor account and bookings stay."""
        book, original = self.anonymized_full_customer()
        anonymous = book.get(1)
        keep = ("number", "kind", "customer_type", "debtor_account", "created_at")
        assert ([getattr(original, f) for f in keep], ["B-1"]) == (
            [getattr(anonymous, f) for f in keep],
            [b.reference for b in book.bookings(1)],
        )

    def test_anonymize_records_the_clock_time(self) -> None:
        """The anonymization time comes from the clock."""
        book, _ = self.anonymized_full_customer()
        assert (NOW, True) == (book.get(1).anonymized_at, book.get(1).is_anonymized)

    def test_anonymizing_twice_is_a_no_op(self) -> None:
        """The second anonymization changes nothing and says so."""
        book, _ = self.anonymized_full_customer()
        before = self.snapshot()
        report = book.anonymize(1, AGENCY)
        assert (True, (), book.get(1)) == (
            report.already_anonymized,
            report.fields_cleared,
            report.customer,
        )
        assert before == self.snapshot()

    def test_anonymize_of_a_merged_customer_raises_already_merged(self) -> None:
        """A tombstone cannot be anonymized; its master can."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        book.merge(1, [2])
        self.assert_refused(AlreadyMergedError, lambda: book.anonymize(2, AGENCY))

    def test_anonymized_customers_keep_their_name_out_of_searches(self) -> None:
        """The original name no longer finds an anonymized customer; the dummy name does."""
        book, _ = self.anonymized_full_customer()
        assert ([], [1]) == (
            _numbers(book.select(Selection(name="qwertz"))),
            _numbers(book.select(Selection(name="anonymisiert"))),
        )

    # -- the erasure sweep (R9) ------------------------------------------------------------------

    def test_anonymize_due_anonymizes_exactly_the_due_customers(self) -> None:
        """The sweep anonymizes the customers whose requests are DUE, in one batch."""
        book = self.erasure_book()
        sweep = book.anonymize_due(AGENCY)
        items = (SweepItem(1, request=1), SweepItem(6, request=5))
        assert (ErasureSweep(False, 2, 2, 1, (1, 6), items=items), [1, 4, 6]) == (
            sweep,
            _numbers(book.select(Selection(anonymized=True))),
        )

    def test_anonymize_due_completes_the_requests_of_the_anonymized(self) -> None:
        """The swept customers' requests are completed at the clock time; others stay open."""
        book = self.erasure_book()
        book.anonymize_due(AGENCY)
        completed = {r.customer: r.completed_at for r in self.requests()}
        assert {1: NOW, 2: None, 3: None, 4: NOW, 6: NOW} == completed

    def test_anonymize_due_leaves_waiting_blocked_and_unrequested_customers_alone(self) -> None:
        """Customers waiting, blocked or without a request are not touched."""
        book = self.erasure_book()
        before = [book.get(n) for n in (2, 3, 5)]
        book.anonymize_due(AGENCY)
        assert before == [book.get(n) for n in (2, 3, 5)]

    def test_anonymize_due_anonymizes_like_anonymize(self) -> None:
        """A swept customer ends up exactly as one anonymized by ``anonymize``."""
        book = self.erasure_book()
        book.anonymize_due(AGENCY)
        book.anonymize(5, AGENCY)
        assert attrs.evolve(book.get(5), number=1, debtor_account=10001) == book.get(1)

    def test_a_dry_sweep_changes_nothing(self) -> None:
        """``dry_run`` anonymizes nobody and completes no request."""
        book = self.erasure_book()
        before = self.snapshot()
        sweep = book.anonymize_due(AGENCY, dry_run=True)
        assert ((True, 2, 0, (1, 6)), before) == (
            (sweep.dry_run, sweep.due, sweep.anonymized, sweep.customers),
            self.snapshot(),
        )

    def test_a_dry_sweep_reports_the_customers_the_real_one_anonymizes(self) -> None:
        """The dry run finds the same due customers the sweep then anonymizes."""
        book = self.erasure_book()
        dry = book.anonymize_due(AGENCY, TODAY + timedelta(days=32), dry_run=True)
        real = book.anonymize_due(AGENCY, TODAY + timedelta(days=32))
        assert ((3, (1, 2, 6)), (3, (1, 2, 6))) == (
            (dry.due, dry.customers),
            (real.due, real.customers),
        )

    def sweep_book(self) -> CustomerBook:
        """Customers 1..8 with requests; 3, 6 and 8 blocked by AG2's bookings, 5 others due."""
        book = self.book(SETTINGS)
        book.register_many(_draft(last_name=f"Kunde {n}") for n in range(1, 9))
        for number in (3, 6, 8):
            book.record_booking(_booking(f"B-{number}", number, point_of_sale="AG2"))
        for number in range(1, 9):
            book.request_erasure(number, TODAY)
        return book

    def test_a_sweep_takes_one_transaction_per_batch(self) -> None:
        """Five due customers in batches of two take three batches."""
        sweep = self.sweep_book().anonymize_due(AGENCY, batch_size=2)
        items = tuple(SweepItem(n, request=n) for n in (1, 2, 4, 5, 7))
        assert ErasureSweep(False, 5, 5, 3, (1, 2, 4, 5, 7), items=items) == sweep

    def test_a_sweep_whose_due_customers_fill_one_batch_takes_one(self) -> None:
        """Five due customers in batches of five take one batch."""
        sweep = self.sweep_book().anonymize_due(AGENCY, batch_size=5)
        assert (1, 5) == (sweep.batches, sweep.anonymized)

    def test_a_dry_sweep_pages_through_every_batch(self) -> None:
        """A dry run in batches of two still finds all five due customers."""
        sweep = self.sweep_book().anonymize_due(AGENCY, dry_run=True, batch_size=2)
        assert ((1, 2, 4, 5, 7), 5, 0) == (sweep.customers, sweep.due, sweep.anonymized)

    def test_a_sweep_with_nothing_due_takes_no_batch(self) -> None:
        """With no due request the sweep changes nothing and reports zeros."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        before = self.snapshot()
        assert (ErasureSweep(False, 0, 0, 0, ()), before) == (
            book.anonymize_due(AGENCY),
            self.snapshot(),
        )

    def test_a_second_sweep_finds_nothing_left(self) -> None:
        """After a sweep, the same sweep again anonymizes nobody."""
        book = self.erasure_book()
        book.anonymize_due(AGENCY)
        assert ErasureSweep(False, 0, 0, 0, ()) == book.anonymize_due(AGENCY)

    def test_a_sweep_refuses_an_unnamed_agency(self) -> None:
        """An empty acting agency is refused; nothing is changed."""
        book = self.erasure_book()
        self.assert_refused(InvalidInputError, lambda: book.anonymize_due(""))

    def test_a_sweep_refuses_a_datetime_for_today(self) -> None:
        """A datetime instead of a date is refused; nothing is changed."""
        book = self.erasure_book()
        self.assert_refused(
            InvalidInputError,
            lambda: book.anonymize_due(AGENCY, NOW),
        )

    # -- the sweep's query agrees with the rule function (R9) -----------------------------------

    def swept_and_eligible(
        self, *bookings: Booking, agency: str = AGENCY, delay: int = 42
    ) -> tuple[bool, bool]:
        """Whether the sweep anonymizes customer 1 with ``bookings``, and whether it is eligible.

        Customer 2 (no bookings, no request) stands beside it, so the query has a neighbour.
        """
        book = self.book(attrs.evolve(SETTINGS, anonymization_delay_days=delay))
        book.register_many([_draft(), _draft()])
        for booking in bookings:
            book.record_booking(booking)
        book.request_erasure(1, TODAY)
        eligible = book.eligibility(1, agency).eligible
        return 1 in book.anonymize_due(agency).customers, eligible

    def test_the_sweep_and_the_rule_agree_without_bookings(self) -> None:
        """A customer without bookings is swept and eligible."""
        assert (True, True) == self.swept_and_eligible()

    def test_the_sweep_and_the_rule_agree_on_another_point_of_sale(self) -> None:
        """A firm booking of another point of sale keeps the customer out of both."""
        assert (False, False) == self.swept_and_eligible(_booking("B-1", 1, point_of_sale="AG2"))

    def test_the_sweep_and_the_rule_agree_on_an_external_channel(self) -> None:
        """A firm booking through an external partner keeps the customer out of both."""
        booking = _booking("B-1", 1, channel=SalesChannel.external("Booking.com"))
        assert (False, False) == self.swept_and_eligible(booking)

    def test_the_sweep_and_the_rule_agree_on_a_departure_at_the_cutoff(self) -> None:
        """A departure exactly 42 days ago lets the customer into both."""
        booking = _booking("B-1", 1, departure=TODAY - timedelta(days=42))
        assert (True, True) == self.swept_and_eligible(booking)

    def test_the_sweep_and_the_rule_agree_on_a_departure_a_day_after_the_cutoff(self) -> None:
        """A departure 41 days ago keeps the customer out of both."""
        booking = _booking("B-1", 1, departure=TODAY - timedelta(days=41))
        assert (False, False) == self.swept_and_eligible(booking)

    def test_the_sweep_and_the_rule_agree_on_a_far_future_departure(self) -> None:
        """A departure in 2099 keeps the customer out of both."""
        booking = _booking("B-1", 1, departure=date(2099, 12, 31))
        assert (False, False) == self.swept_and_eligible(booking)

    def test_the_sweep_and_the_rule_agree_on_the_configured_delay(self) -> None:
        """With a delay of 28 days, a departure 28 days ago lets the customer into both."""
        booking = _booking("B-1", 1, departure=TODAY - timedelta(days=28))
        assert (True, True) == self.swept_and_eligible(booking, delay=28)

    def test_the_sweep_and_the_rule_agree_on_a_delay_of_zero(self) -> None:
        """With no delay, a departure today lets the customer into both."""
        booking = _booking("B-1", 1, departure=TODAY)
        assert (True, True) == self.swept_and_eligible(booking, delay=0)

    def test_the_sweep_and_the_rule_agree_that_offers_never_block(self) -> None:
        """Offers of another agency, external and recent, let the customer into both."""
        offers = [
            _booking("A-1", 1, OFFER, departure=TODAY, point_of_sale="AG2"),
            _booking("A-2", 1, OFFER, channel=SalesChannel.external("Holidu")),
        ]
        assert (True, True) == self.swept_and_eligible(*offers)

    def test_the_sweep_and_the_rule_agree_on_one_blocking_booking_among_good_ones(self) -> None:
        """An old own booking beside one of another agency keeps the customer out of both."""
        bookings = [_booking("B-1", 1), _booking("B-2", 1, point_of_sale="AG2")]
        assert (False, False) == self.swept_and_eligible(*bookings)

    def test_the_sweep_and_the_rule_agree_on_a_point_of_sale_in_another_case(self) -> None:
        """A point of sale "ag1" is not agency "AG1": the customer is out of both."""
        assert (False, False) == self.swept_and_eligible(_booking("B-1", 1, point_of_sale="ag1"))

    def test_the_sweep_and_the_rule_agree_on_a_point_of_sale_with_a_trailing_space(self) -> None:
        """A point of sale "AG1 " is not agency "AG1": the customer is out of both."""
        assert (False, False) == self.swept_and_eligible(_booking("B-1", 1, point_of_sale="AG1 "))

    def test_the_sweep_and_the_rule_agree_on_an_agency_with_a_trailing_space(self) -> None:
        """Agency "AG1 " did not sell a booking of "AG1": the customer is out of both."""
        assert (False, False) == self.swept_and_eligible(_booking("B-1", 1), agency="AG1 ")

    def test_the_sweep_and_the_rule_refuse_an_agency_no_store_can_hold(self) -> None:
        """An agency name with a lone surrogate is refused by both, before any store sees it."""
        with pytest.raises(InvalidInputError):
            self.swept_and_eligible(_booking("B-1", 1), agency="AG\ud800")
        with pytest.raises(InvalidInputError):
            self.book().anonymize_due("AG\ud800")

    def test_anonymize_succeeds_exactly_when_eligible(self) -> None:
        """For any bookings, ``anonymize`` and the sweep act exactly when the rule says yes."""
        book = self.book(SETTINGS)
        points_of_sale = st.sampled_from([AGENCY, AGENCY, "AG2"])

        @_examples(30)
        @given(data=st.data(), sweep=st.booleans())
        def agrees(data: st.DataObject, sweep: bool) -> None:
            number = book.register(PRIVATE, "Kunde").number
            drawn = data.draw(
                st.lists(
                    cst.bookings(customer=number, point_of_sale=points_of_sale, around=TODAY),
                    max_size=4,
                )
            )
            for booking in drawn:
                book.record_booking(
                    attrs.evolve(booking, reference=f"{number}/{booking.reference}")
                )
            book.request_erasure(number, TODAY)
            eligible = book.eligibility(number, AGENCY).eligible
            due = book.anonymize_due(AGENCY, dry_run=True).customers
            if sweep:
                anonymized = number in book.anonymize_due(AGENCY).customers
            else:
                try:
                    anonymized = not book.anonymize(number, AGENCY).already_anonymized
                except NotEligibleError:
                    anonymized = False
            assert ((number,) if eligible else (), eligible, eligible) == (
                due,
                anonymized,
                book.get(number).is_anonymized,
            )

        agrees()
