"""Customer kinds (Kundenart), customer types (Kundentyp) and booking kinds, with their
conversions.
"""

from __future__ import annotations

import enum

from custmodel.model._checks import to_enum

__all__ = ["BookingKind", "CustomerKind", "CustomerType"]


class CustomerKind(enum.StrEnum):
    """Kundenart: decides the settings (categories, flags, debtor offset...) that apply."""

    PRIVATE = "private"
    CORPORATE = "corporate"
    TRAVEL_AGENCY = "travel_agency"
    PROSPECT = "prospect"


class CustomerType(enum.StrEnum):
    """Kundentyp. "Alle Kunden" is no type: it is a selection without a type filter."""

    REGULAR = "regular"
    WALK_IN = "walk_in"
    TOUR_OPERATOR = "tour_operator"
    VIP_INCENTIVE = "vip_incentive"


class BookingKind(enum.StrEnum):
    """Vorgang: an offer (Angebot) or a firm booking (Festbuchung)."""

    OFFER = "offer"
    BOOKING = "booking"


def _kind(value: object) -> CustomerKind:
    return to_enum(CustomerKind, value)


def _type(value: object) -> CustomerType:
    return to_enum(CustomerType, value)


def _booking_kind(value: object) -> BookingKind:
    return to_enum(BookingKind, value)


def _optional_kind(value: object) -> CustomerKind | None:
    return None if value is None else to_enum(CustomerKind, value)


def _optional_type(value: object) -> CustomerType | None:
    return None if value is None else to_enum(CustomerType, value)
