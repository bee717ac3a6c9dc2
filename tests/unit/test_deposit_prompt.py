"""R7: after the first capture of a firm booking, ask whether a deposit is to be recorded."""

from __future__ import annotations

import pytest

from custmodel import BookingKind, CustomerBook, CustomerKind, KindSettings, Settings, rules
from tests.booksupport import firm_booking, make_book, offer

PROMPTING = Settings(
    kinds={
        CustomerKind.PRIVATE: KindSettings(deposit_prompt=True),
        CustomerKind.PROSPECT: KindSettings(deposit_prompt=False),
    }
)


@pytest.mark.parametrize(
    ("switch", "kind", "first_capture", "expected"),
    [
        (True, BookingKind.BOOKING, True, True),
        (True, BookingKind.BOOKING, False, False),
        (True, BookingKind.OFFER, True, False),
        (True, BookingKind.OFFER, False, False),
        (False, BookingKind.BOOKING, True, False),
        (False, BookingKind.BOOKING, False, False),
        (False, BookingKind.OFFER, True, False),
        (False, BookingKind.OFFER, False, False),
    ],
)
def test_deposit_prompt_rule_truth_table(
    switch: bool, kind: BookingKind, first_capture: bool, expected: bool
) -> None:
    """Yes only for the kind's switch on, a firm booking, and its first capture."""
    booking = firm_booking("VG-1", 1) if kind is BookingKind.BOOKING else offer("VG-1", 1)

    actual = rules.needs_deposit_prompt(KindSettings(deposit_prompt=switch), booking, first_capture)

    assert expected == actual


def _book() -> tuple[CustomerBook, int]:
    book = make_book(PROMPTING)
    return book, book.register(CustomerKind.PRIVATE, "Test").number


def test_first_capture_of_a_firm_booking_prompts() -> None:
    """Recording a new firm booking asks for a deposit."""
    book, number = _book()

    recorded = book.record_booking(firm_booking("VG-1", number))

    assert (True, True) == (recorded.first_capture, recorded.deposit_prompt)


def test_recording_the_same_firm_booking_again_does_not_prompt() -> None:
    """A change to a firm booking is no first capture: no prompt."""
    book, number = _book()
    book.record_booking(firm_booking("VG-1", number))

    recorded = book.record_booking(firm_booking("VG-1", number))

    assert (False, False) == (recorded.first_capture, recorded.deposit_prompt)


def test_offer_never_prompts() -> None:
    """An offer is not a firm booking: no deposit prompt."""
    book, number = _book()

    recorded = book.record_booking(offer("AN-1", number))

    assert (False, False) == (recorded.first_capture, recorded.deposit_prompt)


def test_offer_upgraded_to_a_booking_prompts_once() -> None:
    """The offer's upgrade is the first capture as a firm booking; later changes do not prompt."""
    book, number = _book()
    book.record_booking(offer("VG-1", number))

    prompts = [
        book.record_booking(firm_booking("VG-1", number)).deposit_prompt,
        book.record_booking(firm_booking("VG-1", number)).deposit_prompt,
    ]

    assert [True, False] == prompts


def test_kind_with_the_switch_off_never_prompts() -> None:
    """A corporate customer (switch off) gets no prompt at its first firm booking."""
    book = make_book(PROMPTING)
    number = book.register(CustomerKind.CORPORATE, "Firma").number

    assert False is book.record_booking(firm_booking("VG-1", number)).deposit_prompt


def test_converted_prospect_is_prompted_by_its_new_kind() -> None:
    """A prospect's first firm booking converts it; the private kind's switch decides."""
    book = make_book(PROMPTING)
    number = book.register(CustomerKind.PROSPECT, "Interessent").number

    assert True is book.record_booking(firm_booking("VG-1", number)).deposit_prompt
