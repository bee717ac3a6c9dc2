"""Contact channels: the ways advertising reaches a person, and their bits in a store."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Final

from custmodel.errors import InvalidInputError
from custmodel.model._checks import to_enum

__all__ = ["ContactChannel", "channel_bits", "channels_from_bits"]


class ContactChannel(enum.StrEnum):
    """A way to reach a person with advertising (not :class:`SalesChannel`, which sells)."""

    LETTER = "letter"
    EMAIL = "email"
    PHONE = "phone"
    SMS = "sms"


#: Each channel's bit in a store's small-integer column, in declaration order.
_BITS: Final[dict[ContactChannel, int]] = {c: 1 << i for i, c in enumerate(ContactChannel)}


def channel_bits(channels: Iterable[ContactChannel]) -> int:
    """Return ``channels`` as a bit mask (letter 1, e-mail 2, phone 4, SMS 8)."""
    bits = 0
    for channel in channels:
        bits |= _BITS[channel]
    return bits


def channels_from_bits(bits: int) -> frozenset[ContactChannel]:
    """Return the channels of a bit mask written by :func:`channel_bits`."""
    return frozenset(c for c, bit in _BITS.items() if bits & bit)


def _channel(value: object) -> ContactChannel:
    return to_enum(ContactChannel, value)


def _optional_channel(value: object) -> ContactChannel | None:
    return None if value is None else _channel(value)


def to_channels(value: object) -> frozenset[ContactChannel]:
    """Return ``value`` (a channel or channels) as a set of channels.

    Raises:
        InvalidInputError: for anything that is not a channel or an iterable of them.
    """
    if isinstance(value, str):
        return frozenset({_channel(value)})
    if not isinstance(value, Iterable):
        raise InvalidInputError("channels are a ContactChannel or a collection of them")
    return frozenset(_channel(v) for v in value)
