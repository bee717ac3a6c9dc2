"""The demo's booking history: departures by season, trips, prices, open amounts, channels."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import attrs

from custmodel.demo._constants import (
    EXTERNAL_CHANNELS,
    FIRST_DEPARTURE,
    OTHER_AGENCIES,
    OWN_AGENCY,
    OWN_CHANNELS,
    TODAY,
)
from custmodel.demo._draw import _Draw, _Weighted
from custmodel.model._booking import Booking, SalesChannel
from custmodel.model._customer import NewCustomer
from custmodel.model._kinds import BookingKind, CustomerKind, CustomerType

_EXTERNAL = _Weighted(zip(EXTERNAL_CHANNELS, (5, 3, 2), strict=True))
_OWN = _Weighted(zip(OWN_CHANNELS, (40, 42, 18), strict=True))
_PROSPECT_OFFERS = _Weighted(((0, 30), (1, 50), (2, 20)))
_MONTHS = _Weighted(
    zip(range(1, 13), (5, 5, 6, 8, 9, 11, 13, 13, 10, 9, 5, 6), strict=True)
)  # fmt: skip

#: Reiseart: the name, the price range per booking of a private customer in EUR, and the
#: weights for leisure (private customers, prospects), business travel (companies),
#: incentives (companies of type VIP/incentive) and groups (travel agencies, tour operators).
_TRAVEL_TYPES: tuple[tuple[str, tuple[int, int], tuple[int, int, int, int]], ...] = (
    ("Pauschalreise", (700, 4200), (40, 4, 30, 30)),
    ("Flug", (120, 1300), (12, 50, 8, 8)),
    ("Hotel", (160, 1600), (10, 40, 6, 6)),
    ("Kreuzfahrt", (1400, 8500), (8, 0, 18, 12)),
    ("Rundreise", (1600, 7500), (7, 2, 26, 16)),
    ("Ferienhaus", (450, 2900), (15, 0, 0, 4)),
    ("Busreise", (280, 1400), (8, 4, 12, 24)),
)
#: Zielgebiete per Reiseart, weighted for departures in summer (April to October) and winter:
#: the Baltic in July, the Canaries and Egypt in January.
_DESTINATIONS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "Pauschalreise": (("Mallorca", 30, 8), ("Türkei", 28, 8), ("Griechenland", 22, 2),
                      ("Kanaren", 6, 30), ("Ägypten", 6, 24), ("Italien", 12, 3),
                      ("Kroatien", 10, 1), ("Tunesien", 5, 4)),
    "Flug": (("Mallorca", 20, 6), ("Türkei", 15, 5), ("Kanaren", 4, 14),
             ("Griechenland", 10, 1), ("Fernreise Asien", 8, 14), ("Nordamerika", 12, 8),
             ("Karibik", 3, 10), ("Europa", 12, 10)),
    "Hotel": (("Ostsee", 14, 4), ("Nordsee", 12, 4), ("Österreich", 8, 14),
              ("Deutschland", 14, 10), ("Europa", 12, 10), ("Italien", 8, 3)),
    "Kreuzfahrt": (("Mittelmeer", 30, 6), ("Nordland", 18, 2), ("Ostsee", 12, 1),
                   ("Karibik", 4, 20), ("Kanaren", 2, 12), ("Fernreise Asien", 2, 8)),
    "Rundreise": (("Fernreise Asien", 10, 16), ("Nordamerika", 16, 4), ("Italien", 12, 4),
                  ("Griechenland", 8, 2), ("Skandinavien", 10, 1), ("Südafrika", 3, 10)),
    "Ferienhaus": (("Ostsee", 30, 6), ("Nordsee", 26, 6), ("Dänemark", 22, 6),
                   ("Österreich", 8, 16), ("Italien", 12, 2), ("Kroatien", 12, 1)),
    "Busreise": (("Österreich", 14, 12), ("Italien", 14, 4), ("Ostsee", 10, 2),
                 ("Deutschland", 16, 14), ("Europa", 12, 10)),
}  # fmt: skip
#: Where companies fly and stay on business, in any season.
_BUSINESS_DESTINATIONS = _Weighted(
    (("Deutschland", 45), ("Europa", 30), ("Nordamerika", 10), ("Fernreise Asien", 8),
     ("Österreich", 7))
)  # fmt: skip
#: The travel segments of :data:`_TRAVEL_TYPES`, and what a booking costs in each compared
#: with a private customer's: several travellers on business, a whole group on an incentive
#: or a tour operator's group booking.
_LEISURE, _BUSINESS, _INCENTIVE, _GROUPS = range(4)
_SEGMENT_PRICE = (1.0, 1.5, 5.0, 2.5)
_TRIP_TYPES = tuple(
    _Weighted((name, float(weights[segment])) for name, _, weights in _TRAVEL_TYPES)
    for segment in range(4)
)
_PRICE_RANGES = {name: prices for name, prices, _ in _TRAVEL_TYPES}
_SEASON_DESTINATIONS = {
    name: (
        _Weighted((place, float(summer)) for place, summer, _ in places),
        _Weighted((place, float(winter)) for place, _, winter in places),
    )
    for name, places in _DESTINATIONS.items()
}
#: Bookings migrated from the previous back office (departures in 2022) often lack their
#: revenue; since then it is recorded for almost every firm booking.
_MIGRATED_UNTIL = date(2022, 12, 31)
_UNRECORDED = {True: 0.2, False: 0.02}


@attrs.frozen
class PlannedBooking:
    """A booking of the data set, for a customer given by its position in the data set.

    Attributes:
        customer: Index of the customer in :attr:`DemoData.customers`.
        reference: Vorgangsnummer, ``AN-…`` for an offer, ``VG-…`` for a firm booking.
        kind: OFFER or BOOKING.
        departure: Abreisedatum.
        point_of_sale: The agency that sold it.
        channel: The sales channel it came through.
        open_amount: What the customer still owes on it.
        revenue: Umsatz: the price of a firm booking (None where it was not recorded), the
            quoted price of an offer.
        travel_type: Reiseart (Pauschalreise, Flug, Kreuzfahrt ...).
        destination: Zielgebiet (Mallorca, Ostsee, Fernreise Asien ...).
    """

    customer: int
    reference: str
    kind: BookingKind
    departure: date
    point_of_sale: str
    channel: SalesChannel
    open_amount: Decimal = Decimal("0.00")
    revenue: Decimal | None = None
    travel_type: str | None = None
    destination: str | None = None

    def booking(self, number: int) -> Booking:
        """The booking for the customer registered under ``number``."""
        return Booking(
            reference=self.reference,
            customer=number,
            kind=self.kind,
            departure=self.departure,
            point_of_sale=self.point_of_sale,
            channel=self.channel,
            open_amount=self.open_amount,
            revenue=self.revenue,
            travel_type=self.travel_type,
            destination=self.destination,
        )


def _reference(kind: BookingKind, year: int, sequence: int) -> str:
    prefix = "AN" if kind is BookingKind.OFFER else "VG"
    return f"{prefix}-{year}-{sequence:06d}"


class _Bookings:
    """Draws the bookings of the data set; numbers their references in order."""

    def __init__(self, draw: _Draw) -> None:
        self.draw = draw
        self.sequence = itertools.count(1)

    def departure(self, latest: date) -> date:
        """A departure between the start of the history and ``latest``, weighted by season."""
        while True:
            year = self.draw.between(FIRST_DEPARTURE.year, latest.year)
            month = _MONTHS.pick(self.draw)
            day = date(year, month, self.draw.between(1, 28))
            if FIRST_DEPARTURE <= day <= latest:
                return day

    def trip(self, customer: NewCustomer, departure: date) -> tuple[str, str]:
        """Reiseart and Zielgebiet of a booking, as the customer travels and the season goes."""
        segment = _segment(customer)
        travel_type = _TRIP_TYPES[segment].pick(self.draw)
        if segment == _BUSINESS and travel_type in ("Flug", "Hotel"):
            return travel_type, _BUSINESS_DESTINATIONS.pick(self.draw)
        summer, winter = _SEASON_DESTINATIONS[travel_type]
        return travel_type, (summer if 4 <= departure.month <= 10 else winter).pick(self.draw)

    def price_cents(self, customer: NewCustomer, travel_type: str) -> int:
        """The price of a booking: the travel type's range, scaled for the customer's segment."""
        low, high = _PRICE_RANGES[travel_type]
        factor = _SEGMENT_PRICE[_segment(customer)]
        if customer.kind is CustomerKind.PRIVATE and (
            customer.customer_type is CustomerType.VIP_INCENTIVE
        ):
            factor = 2.5  # VIPs book the better hotels and cabins
        # Prices cluster at the low end, as holiday prices do.
        euros = int(factor * (low + (high - low) * self.draw.unit() ** 2))
        return euros * 100 + self.draw.pick((0, 0, 0, 50, 90, 99))

    def open_cents(self, price: int, departure: date) -> int:
        """OP-Betrag: the rest payment before travel, now and then an overdue amount after."""
        days = (departure - TODAY).days
        if days > 30:
            return price - price // 5  # the 20 % deposit is paid
        if days > 0:
            return price - price // 5 if self.draw.chance(0.15) else 0
        if self.draw.chance(0.04):
            # An unpaid rest: part of the price, the deposit at least was paid.
            return min(price, max(5000, price * self.draw.between(10, 60) // 100))
        return 0

    def revenue_cents(self, kind: BookingKind, price: int, departure: date) -> int | None:
        """The revenue a booking records: its price, or None where nobody recorded it.

        An offer records its quoted price; statistics leave it out, as it is no revenue.
        """
        if kind is BookingKind.BOOKING and self.draw.chance(
            _UNRECORDED[departure <= _MIGRATED_UNTIL]
        ):
            return None
        return price

    def channel(self, customer: NewCustomer) -> SalesChannel:
        roll = self.draw.unit()
        external = 0.1 if customer.kind is CustomerKind.PRIVATE else 0.04
        if roll < external:
            return SalesChannel.external(_EXTERNAL.pick(self.draw))
        return SalesChannel.own(_OWN.pick(self.draw))

    def point_of_sale(self) -> str:
        roll = self.draw.unit()
        return OWN_AGENCY if roll < 0.72 else OTHER_AGENCIES[0] if roll < 0.9 else OTHER_AGENCIES[1]

    def booking(
        self,
        index: int,
        customer: NewCustomer,
        kind: BookingKind,
        departure: date,
        point_of_sale: str | None = None,
        channel: SalesChannel | None = None,
        open_cents: int | None = None,
        trip: tuple[str, str, int] | None = None,
    ) -> PlannedBooking:
        """A booking of customer ``index``; what is not given is drawn.

        Args:
            trip: Reiseart, Zielgebiet and price in cents, for a booking the walkthrough
                tells about; its revenue is always recorded.
        """
        if trip is None:
            travel_type, destination = self.trip(customer, departure)
            price = self.price_cents(customer, travel_type)
            revenue = self.revenue_cents(kind, price, departure)
        else:
            travel_type, destination, price = trip
            revenue = price
        if open_cents is None:
            open_cents = 0 if kind is BookingKind.OFFER else self.open_cents(price, departure)
        return PlannedBooking(
            customer=index,
            reference=_reference(kind, departure.year, next(self.sequence)),
            kind=kind,
            departure=departure,
            point_of_sale=point_of_sale or self.point_of_sale(),
            channel=channel or self.channel(customer),
            open_amount=_euros(open_cents),
            revenue=None if revenue is None else _euros(revenue),
            travel_type=travel_type,
            destination=destination,
        )

    def history(self, index: int, customer: NewCustomer) -> list[PlannedBooking]:
        """The bookings of one customer: how many and what kind depends on kind and type."""
        kind, kind_type = customer.kind, customer.customer_type
        if kind is CustomerKind.PROSPECT:
            # A prospect has never booked firmly (a firm booking would have converted it).
            count = _PROSPECT_OFFERS.pick(self.draw)
            return [
                self.booking(index, customer, BookingKind.OFFER, self.departure(_LATEST))
                for _ in range(count)
            ]
        low, high = {
            (CustomerKind.PRIVATE, CustomerType.WALK_IN): (0, 2),
            (CustomerKind.PRIVATE, CustomerType.REGULAR): (1, 6),
            (CustomerKind.PRIVATE, CustomerType.VIP_INCENTIVE): (2, 8),
            (CustomerKind.CORPORATE, CustomerType.WALK_IN): (1, 3),
            (CustomerKind.CORPORATE, CustomerType.REGULAR): (3, 12),
            (CustomerKind.CORPORATE, CustomerType.VIP_INCENTIVE): (2, 6),
            (CustomerKind.TRAVEL_AGENCY, CustomerType.WALK_IN): (1, 4),
            (CustomerKind.TRAVEL_AGENCY, CustomerType.REGULAR): (3, 10),
            (CustomerKind.TRAVEL_AGENCY, CustomerType.TOUR_OPERATOR): (4, 12),
        }.get((kind, kind_type), (0, 3))
        count = low + int((high - low + 1) * self.draw.unit() ** 1.5)
        return [
            self.booking(
                index,
                customer,
                BookingKind.OFFER if self.draw.chance(0.2) else BookingKind.BOOKING,
                self.departure(_LATEST),
            )
            for _ in range(min(count, high))
        ]


#: The latest departure of the history: trips booked up to almost a year ahead.
_LATEST = TODAY + timedelta(days=330)


def _segment(customer: NewCustomer) -> int:
    """How a customer travels: leisure, business, incentive or group (:data:`_TRAVEL_TYPES`)."""
    if customer.kind is CustomerKind.TRAVEL_AGENCY:
        return _GROUPS
    if customer.kind is CustomerKind.CORPORATE:
        return _INCENTIVE if customer.customer_type is CustomerType.VIP_INCENTIVE else _BUSINESS
    return _LEISURE


def _euros(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)
