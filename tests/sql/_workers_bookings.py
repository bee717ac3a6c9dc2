"""Work the booking ownership race runs in separate processes (spawned: importable, picklable)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from custmodel import Booking, BookingKind, CustomerBook
from custmodel.errors import CustmodelError
from custmodel.storage.sql import SqlStore

#: The outcome of a call that returned.
RECORDED = "recorded"


def booking(reference: str, customer: int) -> Booking:
    """A firm booking of ``customer`` with ``reference``."""
    return Booking(
        reference=reference,
        customer=customer,
        kind=BookingKind.BOOKING,
        departure=date(2027, 5, 1),
        point_of_sale="AG1",
    )


def record_same_references(url: str, customer: int, references: list[str], start: Any) -> list[str]:
    """Record each reference for ``customer`` as soon as the other worker is ready too.

    Returns, per reference, ``RECORDED`` or the name of the error class the book raised.
    """
    store = SqlStore.from_url(url, upgrade=False)
    book = CustomerBook(store, retries=50)
    book.get(customer)  # opens the connection before the first race
    outcomes: list[str] = []
    try:
        for reference in references:
            start.wait()
            try:
                book.record_booking(booking(reference, customer))
            except CustmodelError as error:
                outcomes.append(type(error).__name__)
            else:
                outcomes.append(RECORDED)
    finally:
        store.close()
    return outcomes


def move_or_update(
    url: str, action: str, references: list[str], amount: str, start: Any
) -> list[str]:
    """Per reference, move its booking to customer 2 (``"move"``) or set its open amount.

    Returns, per reference, ``RECORDED`` or the name of the error class the book raised.
    """
    store = SqlStore.from_url(url, upgrade=False)
    book = CustomerBook(store, retries=50)
    book.get(1)  # opens the connection before the first race
    outcomes: list[str] = []
    try:
        for reference in references:
            start.wait()
            try:
                if action == "move":
                    book.move_booking(reference, 2)
                else:
                    book.update_booking(reference, open_amount=Decimal(amount))
            except CustmodelError as error:
                outcomes.append(type(error).__name__)
            else:
                outcomes.append(RECORDED)
    finally:
        store.close()
    return outcomes
