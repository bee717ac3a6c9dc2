"""Bookings: recording, the deposit prompt and ownership (R7)."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

import attrs
import pytest

from custmodel.book import CustomerBook
from custmodel.errors import (
    AlreadyMergedError,
    AnonymizedCustomerError,
    BookingExistsError,
    BookingNotFoundError,
    BookingOwnerError,
    CustomerNotFoundError,
    InvalidInputError,
)
from custmodel.model import Booking, Settings
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._shared import (
    AGENCY,
    CORPORATE,
    FIRM,
    OFFER,
    PRIVATE,
    PROSPECT,
    SETTINGS,
    _booking,
    _converted,
    _customer,
    _draft,
)

__all__ = ["BookingContract"]


class BookingContract(_ContractBase):
    """Bookings belong to one customer; a first firm booking may prompt for a deposit."""

    __test__: ClassVar[bool] = False

    # -- bookings and the deposit prompt (R7) -------------------------------------------------

    def test_the_first_capture_of_a_firm_booking_prompts_for_a_deposit(self) -> None:
        """A new firm booking on a kind with the switch on asks for a deposit."""
        recorded = self.deposit_book().record_booking(_booking("B-1", 1))
        assert (True, True) == (recorded.first_capture, recorded.deposit_prompt)

    def test_an_offer_never_prompts_for_a_deposit(self) -> None:
        """An offer is no capture of a firm booking and never prompts."""
        recorded = self.deposit_book().record_booking(_booking("A-1", 1, OFFER))
        assert (False, False) == (recorded.first_capture, recorded.deposit_prompt)

    def test_recording_a_firm_booking_again_does_not_prompt(self) -> None:
        """Changing a firm booking later is no first capture and does not prompt."""
        book = self.deposit_book()
        book.record_booking(_booking("B-1", 1))
        again = book.record_booking(_booking("B-1", 1, open_amount=Decimal("10.00")))
        assert (False, False) == (again.first_capture, again.deposit_prompt)

    def test_upgrading_an_offer_to_a_booking_prompts_for_a_deposit(self) -> None:
        """An offer that becomes a firm booking is captured for the first time then."""
        book = self.deposit_book()
        book.record_booking(_booking("B-1", 1, OFFER))
        upgraded = book.record_booking(_booking("B-1", 1, FIRM))
        assert (True, True) == (upgraded.first_capture, upgraded.deposit_prompt)

    def test_a_kind_without_the_switch_never_prompts(self) -> None:
        """A first capture on a kind with the switch off does not prompt."""
        recorded = self.deposit_book().record_booking(_booking("B-1", 2))
        assert (True, False) == (recorded.first_capture, recorded.deposit_prompt)

    def test_a_converted_prospect_is_prompted_by_its_new_kind(self) -> None:
        """A prospect converted to PRIVATE gets PRIVATE's deposit prompt."""
        book = self.deposit_book()
        book.register(PROSPECT, "Interessent")
        assert book.record_booking(_booking("B-1", 3)).deposit_prompt

    def assert_recorded_as_given(self, book: CustomerBook, booking: Booking) -> None:
        """Recording ``booking`` in ``book`` stores it as it is given."""
        book.record_booking(booking)
        assert booking == book.get_booking(booking.reference)

    def test_record_booking_stores_the_booking(self) -> None:
        """A recorded booking reads back equal."""
        booking = _booking("B-1", 1, open_amount=Decimal("199.99"))
        self.assert_recorded_as_given(self.deposit_book(), booking)

    def test_recording_a_booking_again_replaces_it(self) -> None:
        """Recording the same reference again replaces the stored booking."""
        book = self.deposit_book()
        book.record_booking(_booking("B-1", 1, OFFER))
        changed = _booking("B-1", 1, FIRM, point_of_sale="AG2", open_amount=Decimal("5.00"))
        book.record_booking(changed)
        assert ([changed], changed) == (book.bookings(1), book.get_booking("B-1"))

    def test_recording_an_unchanged_booking_again_keeps_it(self) -> None:
        """Recording a booking exactly as stored again keeps one booking, unchanged."""
        book = self.deposit_book()
        booking = _booking("B-1", 1)
        book.record_booking(booking)
        book.record_booking(booking)
        assert [booking] == book.bookings(1)

    def test_booking_references_are_exact(self) -> None:
        """References differing in case or a trailing space are different bookings."""
        book = self.deposit_book()
        references = ["B-1", "b-1", "B-1 ", "B-1\u00a0"]
        for reference in references:
            book.record_booking(_booking(reference, 1))
        assert sorted(references) == [b.reference for b in book.bookings(1)]

    def test_get_booking_of_an_unknown_reference_raises(self) -> None:
        """get_booking of a reference nobody recorded raises BookingNotFoundError."""
        with pytest.raises(BookingNotFoundError):
            self.deposit_book().get_booking("B-404")

    def test_a_booking_of_an_unknown_customer_is_refused_at_the_port(self) -> None:
        """put_booking for a customer that is not stored raises CustomerNotFoundError."""
        self.insert(_customer(1))

        def put() -> None:
            with self.store.transaction() as tx:
                tx.put_booking(_booking("B-1", 2))

        self.assert_refused(CustomerNotFoundError, put)

    def test_moving_bookings_to_an_unknown_customer_is_refused_at_the_port(self) -> None:
        """move_bookings to a customer that is not stored raises CustomerNotFoundError."""
        self.insert(_customer(1))
        with self.store.transaction() as tx:
            tx.put_booking(_booking("B-1", 1))

        def move() -> None:
            with self.store.transaction() as tx:
                tx.move_bookings([1], 2)

        self.assert_refused(CustomerNotFoundError, move)

    def test_numbers_beyond_64_bits_are_refused_before_any_store(self) -> None:
        """A debtor base too large to add up within 64 bits is bad input, on every store."""
        with pytest.raises(InvalidInputError):
            Settings(debtor_base=10**19)
        assert 0 == self.book().count()

    def test_bookings_are_listed_by_reference(self) -> None:
        """A customer's bookings come ordered by reference."""
        book = self.deposit_book()
        for reference in ("B-2", "A-9", "C-1"):
            book.record_booking(_booking(reference, 1))
        book.record_booking(_booking("B-5", 2))
        assert ["A-9", "B-2", "C-1"] == [b.reference for b in book.bookings(1)]

    def test_record_booking_for_an_unknown_customer_is_refused(self) -> None:
        """A booking for a number nobody has is refused; nothing is changed."""
        book = self.deposit_book()
        self.assert_refused(CustomerNotFoundError, lambda: book.record_booking(_booking("B-1", 3)))

    def test_record_booking_for_a_merged_customer_is_refused(self) -> None:
        """A booking for a tombstone raises AlreadyMergedError; nothing is changed."""
        book = self.deposit_book()
        book.register(PRIVATE, "Doppelt")
        book.merge(1, [3])
        self.assert_refused(AlreadyMergedError, lambda: book.record_booking(_booking("B-1", 3)))

    def test_record_booking_for_an_anonymized_customer_is_refused(self) -> None:
        """A booking for an anonymized customer is refused; nothing is changed."""
        book = self.deposit_book()
        book.anonymize(1, AGENCY)
        self.assert_refused(
            AnonymizedCustomerError, lambda: book.record_booking(_booking("B-1", 1))
        )

    # -- bookings belong to their customer ------------------------------------------------------

    def owned_book(self) -> CustomerBook:
        """Private customers 1 and 2 and prospect 3; booking B-1 (firm) of customer 1."""
        book = self.book(SETTINGS)
        book.register_many([_draft(PRIVATE), _draft(PRIVATE), _draft(PROSPECT)])
        book.record_booking(_booking("B-1", 1, open_amount=Decimal("12.00")))
        return book

    def test_recording_a_reference_of_another_customer_is_refused(self) -> None:
        """Recording B-1 of customer 1 for customer 2 raises BookingOwnerError; nothing changes."""
        book = self.owned_book()
        error = self.assert_refused(
            BookingOwnerError, lambda: book.record_booking(_booking("B-1", 2))
        )
        assert ("B-1", 1, 2) == (error.reference, error.owner, error.customer)

    def test_the_owner_refusal_names_the_reference_and_both_numbers(self) -> None:
        """The refusal's message names the reference and both customer numbers."""
        book = self.owned_book()
        with pytest.raises(BookingOwnerError) as info:
            book.record_booking(_booking("B-1", 2))
        assert "booking 'B-1' belongs to customer 1, not to customer 2" in str(info.value)

    def test_a_booking_of_an_anonymized_customer_is_not_taken_by_recording(self) -> None:
        """An anonymized customer's booking recorded for a named customer is refused."""
        book = self.owned_book()
        book.anonymize(1, AGENCY)
        self.assert_refused(BookingOwnerError, lambda: book.record_booking(_booking("B-1", 2)))

    def test_recording_for_the_owner_still_changes_the_booking(self) -> None:
        """The same reference recorded again for its own customer changes that booking."""
        changed = _booking("B-1", 1, open_amount=Decimal("0.00"))
        self.assert_recorded_as_given(self.owned_book(), changed)

    def test_recording_without_replace_refuses_a_stored_reference(self) -> None:
        """``replace=False`` refuses a stored reference of the same customer too."""
        book = self.owned_book()
        error = self.assert_refused(
            BookingExistsError,
            lambda: book.record_booking(_booking("B-1", 1), replace=False),
        )
        assert ("B-1", 1) == (error.reference, error.owner)

    def test_recording_without_replace_records_a_new_reference(self) -> None:
        """``replace=False`` records a reference nobody holds."""
        book = self.owned_book()
        book.record_booking(_booking("B-2", 2), replace=False)
        assert 2 == book.get_booking("B-2").customer

    def test_update_booking_changes_only_the_fields_given(self) -> None:
        """update_booking changes the open amount and keeps every other stored field."""
        book = self.owned_book()
        book.record_booking(attrs.evolve(_booking("B-2", 2), revenue=Decimal("900.00")))
        book.update_booking("B-2", open_amount=Decimal("50.00"))
        expected = attrs.evolve(
            _booking("B-2", 2), revenue=Decimal("900.00"), open_amount=Decimal("50.00")
        )
        assert expected == book.get_booking("B-2")

    def test_update_booking_clears_the_revenue_with_none(self) -> None:
        """``revenue=None`` clears the revenue of a booking."""
        book = self.owned_book()
        book.record_booking(attrs.evolve(_booking("B-2", 2), revenue=Decimal("900.00")))
        book.update_booking("B-2", revenue=None)
        assert None is book.get_booking("B-2").revenue

    def test_update_booking_of_an_unknown_reference_is_refused(self) -> None:
        """update_booking of a reference nobody recorded raises BookingNotFoundError."""
        book = self.owned_book()
        self.assert_refused(
            BookingNotFoundError, lambda: book.update_booking("B-9", point_of_sale="AG2")
        )

    def test_update_booking_does_not_change_the_customer(self) -> None:
        """update_booking refuses ``customer``: a booking moves only with move_booking."""
        book = self.owned_book()
        self.assert_refused(InvalidInputError, lambda: book.update_booking("B-1", customer=2))

    def test_update_booking_refuses_a_bad_value(self) -> None:
        """A bad value (an empty point of sale) is refused; nothing changes."""
        book = self.owned_book()
        self.assert_refused(InvalidInputError, lambda: book.update_booking("B-1", point_of_sale=""))

    def test_update_booking_of_an_anonymized_customer_is_refused(self) -> None:
        """An anonymized customer's bookings take no changes."""
        book = self.owned_book()
        book.anonymize(1, AGENCY)
        self.assert_refused(
            AnonymizedCustomerError, lambda: book.update_booking("B-1", point_of_sale="AG2")
        )

    def test_update_booking_making_an_offer_firm_converts_a_prospect(self) -> None:
        """An offer of a prospect updated to a firm booking converts the prospect."""
        book = self.owned_book()
        book.record_booking(_booking("A-1", 3, OFFER))
        recorded = book.update_booking("A-1", kind=FIRM)
        assert (True, PRIVATE) == (recorded.first_capture, book.get(3).kind)

    def test_move_booking_moves_it_with_its_fields(self) -> None:
        """move_booking gives B-1 to customer 2 and keeps every other field."""
        book = self.owned_book()
        moved = book.move_booking("B-1", 2)
        expected = _booking("B-1", 2, open_amount=Decimal("12.00"))
        assert (expected, 1, expected, [], [expected]) == (
            moved.booking,
            moved.from_customer,
            book.get_booking("B-1"),
            book.bookings(1),
            book.bookings(2),
        )

    def test_moving_an_unknown_booking_is_refused(self) -> None:
        """move_booking of a reference nobody recorded raises BookingNotFoundError."""
        book = self.owned_book()
        self.assert_refused(BookingNotFoundError, lambda: book.move_booking("B-9", 2))

    def test_moving_a_booking_to_an_unknown_customer_is_refused(self) -> None:
        """move_booking to a number nobody has raises CustomerNotFoundError."""
        book = self.owned_book()
        self.assert_refused(CustomerNotFoundError, lambda: book.move_booking("B-1", 9))

    def test_moving_a_booking_to_its_owner_is_refused(self) -> None:
        """move_booking to the customer who has the booking already is refused."""
        book = self.owned_book()
        self.assert_refused(InvalidInputError, lambda: book.move_booking("B-1", 1))

    def test_moving_a_booking_to_a_merged_customer_is_refused(self) -> None:
        """move_booking to a tombstone raises AlreadyMergedError naming the master."""
        book = self.owned_book()
        book.merge(3, [2])
        error = self.assert_refused(AlreadyMergedError, lambda: book.move_booking("B-1", 2))
        assert (2, 3) == (error.number, error.master)

    def test_moving_a_booking_to_an_anonymized_customer_is_refused(self) -> None:
        """move_booking to an anonymized customer raises AnonymizedCustomerError."""
        book = self.owned_book()
        book.anonymize(2, AGENCY)
        error = self.assert_refused(AnonymizedCustomerError, lambda: book.move_booking("B-1", 2))
        assert 2 == error.number

    def test_moving_a_booking_of_an_anonymized_customer_is_refused(self) -> None:
        """The booking of an anonymized customer is never moved to a named one."""
        book = self.owned_book()
        book.anonymize(1, AGENCY)
        error = self.assert_refused(AnonymizedCustomerError, lambda: book.move_booking("B-1", 2))
        assert 1 == error.number

    def test_moving_a_firm_booking_to_a_prospect_converts_it(self) -> None:
        """A firm booking moved to a prospect converts the prospect to the kind named."""
        book = self.owned_book()
        moved = book.move_booking("B-1", 3, convert_to=CORPORATE)
        assert (PROSPECT, CORPORATE, CORPORATE) == _converted(book, moved.conversion, 3)

    def test_moving_an_offer_to_a_prospect_does_not_convert_it(self) -> None:
        """An offer moved to a prospect leaves it a prospect."""
        book = self.owned_book()
        book.record_booking(_booking("A-1", 1, OFFER))
        moved = book.move_booking("A-1", 3)
        assert (None, PROSPECT) == (moved.conversion, book.get(3).kind)
