"""Bookings (Vorgänge) with their sales channel, and what recording or moving one reports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import attrs

from custmodel.errors import InvalidInputError
from custmodel.model._checks import (
    _bool,
    _limit,
    _non_empty,
    _optional_non_empty,
    _positive,
    cents,
)
from custmodel.model._kinds import BookingKind, _booking_kind
from custmodel.model._profile import KindChange

__all__ = ["Booking", "BookingMoved", "BookingRecorded", "SalesChannel"]


@attrs.frozen
class SalesChannel:
    """Vertriebskanal: own (website, shop, phone) or an external partner (Booking.com, Holidu).

    Attributes:
        name: Name of the channel.
        is_external: True for an external sales partner, whose customers are "not your
            customer data" (TSmart).
    """

    name: str = attrs.field(validator=_non_empty, metadata=_limit(100))
    is_external: bool = attrs.field(default=False, validator=_bool)

    @classmethod
    def own(cls, name: str = "own") -> SalesChannel:
        """An own sales channel, e.g. ``SalesChannel.own("Website")``."""
        return cls(name, is_external=False)

    @classmethod
    def external(cls, name: str) -> SalesChannel:
        """An external sales partner, e.g. ``SalesChannel.external("Booking.com")``."""
        return cls(name, is_external=True)


def _open_amount(value: Decimal | int | str) -> Decimal:
    return cents(value, "open_amount")


def _revenue(value: Decimal | int | str | None) -> Decimal | None:
    return None if value is None else cents(value, "revenue")


@attrs.frozen
class Booking:
    """Vorgang: an offer or a firm booking of a customer.

    Attributes:
        reference: Unique booking reference (Vorgangsnummer).
        customer: Number of the customer who booked.
        kind: OFFER or BOOKING (firm).
        departure: Abreisedatum, the first day of travel.
        point_of_sale: Id of the agency that sold it (POS).
        channel: The sales channel it came through.
        open_amount: What the customer still owes on it (OP-Betrag), EUR.
        revenue: Umsatz of the booking, EUR; None while unknown. Statistics add up the revenue
            of firm bookings only: an offer's amount is a quote, not revenue.
        travel_type: Reiseart (package tour, cruise, holiday home ...), free text; None when
            not recorded.
        destination: Zielgebiet, free text; None when not recorded.
    """

    reference: str = attrs.field(validator=_non_empty, metadata=_limit(191))
    customer: int = attrs.field(validator=_positive)
    kind: BookingKind = attrs.field(converter=_booking_kind)
    departure: date = attrs.field()
    point_of_sale: str = attrs.field(validator=_non_empty, metadata=_limit(100))
    channel: SalesChannel = attrs.field(factory=SalesChannel.own)
    open_amount: Decimal = attrs.field(default=Decimal("0.00"), converter=_open_amount)
    revenue: Decimal | None = attrs.field(default=None, converter=_revenue)
    travel_type: str | None = attrs.field(
        default=None, validator=_optional_non_empty, metadata=_limit(100)
    )
    destination: str | None = attrs.field(
        default=None, validator=_optional_non_empty, metadata=_limit(100)
    )

    @channel.validator
    def _check_channel(self, _attribute: attrs.Attribute[SalesChannel], value: object) -> None:
        if not isinstance(value, SalesChannel):
            raise InvalidInputError("channel must be a SalesChannel")

    @departure.validator
    def _check_departure(self, _attribute: attrs.Attribute[date], value: date) -> None:
        if not isinstance(value, date) or isinstance(value, datetime):
            raise InvalidInputError("departure must be a date (not a datetime)")

    @property
    def is_firm(self) -> bool:
        """True for a firm booking (Festbuchung), False for an offer."""
        return self.kind is BookingKind.BOOKING


@attrs.frozen
class BookingRecorded:
    """What recording a booking did.

    Attributes:
        booking: The booking as stored.
        first_capture: True if this recording is the booking's first as a firm booking.
        deposit_prompt: True if the user should be asked to record a deposit now (R7).
        conversion: The prospect conversion this booking triggered, if any (R4).
    """

    booking: Booking
    first_capture: bool
    deposit_prompt: bool
    conversion: KindChange | None = None


@attrs.frozen
class BookingMoved:
    """What moving a booking to another customer did.

    Attributes:
        booking: The booking as stored, with its new customer.
        from_customer: The number of the customer it belonged to before.
        conversion: The prospect conversion the move triggered (a firm booking moved to a
            prospect converts it, as recording one does, R4), if any.
    """

    booking: Booking
    from_customer: int
    conversion: KindChange | None = None
