"""Recording, changing and moving bookings; a prospect converts at its first firm one (R4, R7)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

from custmodel import rules
from custmodel._usecases import _common
from custmodel._usecases._common import Clock, Runner
from custmodel.errors import (
    BookingExistsError,
    BookingNotFoundError,
    BookingOwnerError,
    InvalidInputError,
    StoreBusyError,
)
from custmodel.model._booking import Booking, BookingMoved, BookingRecorded
from custmodel.model._checks import to_enum
from custmodel.model._customer import Customer
from custmodel.model._kinds import CustomerKind
from custmodel.model._profile import KindChange
from custmodel.model._settings import Settings
from custmodel.storage.ports import StoreTransaction

T = TypeVar("T")


def booking_changes(changes: Mapping[str, Any]) -> None:
    """Refuse changes :func:`update_booking` does not make: unknown fields, owner, reference."""
    fixed = {"reference", "customer"} & set(changes)
    if fixed:
        raise InvalidInputError(
            f"update_booking does not change {', '.join(sorted(fixed))}; "
            "move a booking to another customer with move_booking"
        )
    unknown = set(changes) - {f.name for f in attrs.fields(Booking)}
    if unknown:
        raise InvalidInputError(f"unknown booking fields: {', '.join(sorted(unknown))}")


def conversion(convert_to: CustomerKind, keep_status: bool) -> CustomerKind:
    """Return the kind a prospect converts to, after checking the conversion's arguments."""
    kind = to_enum(CustomerKind, convert_to)
    _common.flag(keep_status, "keep_status")
    return kind


def record_booking(
    tx: StoreTransaction,
    booking: Booking,
    convert_to: CustomerKind,
    keep_status: bool,
    replace: bool,
    now: Clock,
) -> BookingRecorded:
    """Record a new booking or a change to one of the same customer (same reference)."""
    # The customer is locked first, then the booking, as every booking command does.
    customer = _common.changeable(tx, booking.customer, "record a booking")
    previous = tx.get_booking(booking.reference)
    if previous is not None and previous.customer != booking.customer:
        raise BookingOwnerError(booking.reference, previous.customer, booking.customer)
    if previous is not None and not replace:
        raise BookingExistsError(booking.reference, previous.customer)
    return store_booking(tx, customer, booking, previous, convert_to, keep_status, now)


def update_booking(
    tx: StoreTransaction,
    owner: int,
    reference: str,
    changes: Mapping[str, Any],
    convert_to: CustomerKind,
    keep_status: bool,
    now: Clock,
) -> BookingRecorded | None:
    """Change fields of booking ``reference`` of ``owner``; None if it has another owner now."""
    customer = _common.changeable(tx, owner, "change a booking")
    previous = tx.get_booking(reference)
    if previous is None or previous.customer != owner:
        return None
    booking = attrs.evolve(previous, **changes)
    return store_booking(tx, customer, booking, previous, convert_to, keep_status, now)


def move_booking(
    tx: StoreTransaction,
    owner: int,
    reference: str,
    target: int,
    convert_to: CustomerKind,
    keep_status: bool,
    now: Clock,
) -> BookingMoved | None:
    """Move booking ``reference`` from ``owner`` to ``target``; None if it has another owner."""
    if owner == target:
        raise InvalidInputError(f"booking {reference!r} belongs to customer {target}")
    for number in sorted((owner, target)):
        _common.get(tx, number)  # locks both customers, in number order
    _common.changeable(tx, owner, "move its bookings")
    customer = _common.changeable(tx, target, "take a booking")
    booking = tx.get_booking(reference)
    if booking is None or booking.customer != owner:
        return None
    moved = attrs.evolve(booking, customer=target)
    change = convert(tx, _common.settings(tx), customer, moved, convert_to, keep_status, now)
    tx.put_booking(moved)
    _common.logger.info(
        "moved booking %r from customer %d to customer %d", reference, owner, target
    )
    return BookingMoved(moved, owner, change)


def with_owner(
    run: Runner,
    retries: int,
    reference: str,
    operation: Callable[[StoreTransaction, int], T | None],
) -> T:
    """Run ``operation(tx, owner)`` in a write transaction with the booking's owner.

    The owner is read first without locks, so that the write transaction can lock the
    customers before the booking, in the order every booking command locks them. The
    operation returns None when the booking changed its owner in between; that is read
    anew then.
    """

    def owner_of(booking: Booking) -> Callable[[StoreTransaction], T | None]:
        return lambda tx: operation(tx, booking.customer)

    for _ in range(retries + 1):
        owner = run(lambda tx: tx.get_booking(reference), write=False)
        if owner is None:
            raise BookingNotFoundError(f"booking {reference!r} not found")
        done = run(owner_of(owner))
        if done is not None:
            return done
    raise StoreBusyError(f"booking {reference!r} kept changing its customer; try again later")


def store_booking(
    tx: StoreTransaction,
    customer: Customer,
    booking: Booking,
    previous: Booking | None,
    convert_to: CustomerKind,
    keep_status: bool,
    now: Clock,
) -> BookingRecorded:
    """Store ``booking`` of the locked ``customer`` (``previous``: as stored before)."""
    settings = _common.settings(tx)
    first_capture = booking.is_firm and (previous is None or not previous.is_firm)
    change = convert(tx, settings, customer, booking, convert_to, keep_status, now)
    if change is not None:
        customer = change.customer
    tx.put_booking(booking)
    prompt = rules.needs_deposit_prompt(settings.kind(customer.kind), booking, first_capture)
    return BookingRecorded(booking, first_capture, prompt, change)


def convert(
    tx: StoreTransaction,
    settings: Settings,
    customer: Customer,
    booking: Booking,
    convert_to: CustomerKind,
    keep_status: bool,
    now: Clock,
) -> KindChange | None:
    """Convert the locked ``customer`` if it is a prospect and ``booking`` its first firm one.

    Returns:
        The conversion as stored, or None when ``customer`` stays what it is (R4).
    """
    change = rules.convert_prospect(
        settings, customer, booking, target=convert_to, keep_status=keep_status, now=now()
    )
    return None if change is None else _common.store_kind_change(tx, change)


def get_booking(tx: StoreTransaction, reference: str) -> Booking:
    """The booking with ``reference``.

    Raises:
        BookingNotFoundError: if there is none.
    """
    booking = tx.get_booking(reference)
    if booking is None:
        raise BookingNotFoundError(f"booking {reference!r} not found")
    return booking


def bookings_of(tx: StoreTransaction, number: int) -> list[Booking]:
    """Every booking of customer ``number``, ordered by reference."""
    return tx.bookings_of([_common.get(tx, number).number])
