"""The booking commands refuse bad arguments with InvalidInputError and change nothing."""

# Handing the book values of the wrong type is the point of this module.
# mypy: disable-error-code="arg-type"

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from custmodel import CustomerBook, CustomerKind, InvalidInputError, Settings
from tests.booksupport import firm_booking, make_book, snapshot

Attempt = Callable[[CustomerBook], Any]

#: id -> a call with one bad argument.
CASES: dict[str, Attempt] = {
    "record with replace not a bool": lambda b: b.record_booking(
        firm_booking("VG-2", 2), replace="no"
    ),
    "update a reference that is no text": lambda b: b.update_booking(1, point_of_sale="AG2"),
    "update an unknown field": lambda b: b.update_booking("VG-1", colour="red"),
    "update the reference": lambda b: b.update_booking("VG-1", reference="VG-9"),
    "update with keep_status not a bool": lambda b: b.update_booking(
        "VG-1", point_of_sale="AG2", keep_status="no"
    ),
    "update into a prospect": lambda b: b.update_booking(
        "VG-1", point_of_sale="AG2", convert_to=CustomerKind.PROSPECT
    ),
    "move a reference that is no text": lambda b: b.move_booking(1, 2),
    "move to a number given as text": lambda b: b.move_booking("VG-1", "2"),
    "move to True": lambda b: b.move_booking("VG-1", True),
    "move to 0": lambda b: b.move_booking("VG-1", 0),
    "move with keep_status not a bool": lambda b: b.move_booking("VG-1", 2, keep_status="no"),
    "move converting into an unknown kind": lambda b: b.move_booking("VG-1", 2, convert_to="bogus"),
}


@pytest.mark.parametrize("attempt", CASES.values(), ids=CASES.keys())
def test_bad_booking_command_arguments_are_refused(attempt: Attempt) -> None:
    """Each bad argument raises InvalidInputError and leaves the store as it was."""
    book = make_book(Settings())
    book.register(CustomerKind.PRIVATE, "Eins")
    book.register(CustomerKind.PRIVATE, "Zwei")
    book.record_booking(firm_booking("VG-1", 1, date(2024, 2, 1)))
    before = snapshot(book)
    with pytest.raises(InvalidInputError):
        attempt(book)
    assert before == snapshot(book)
