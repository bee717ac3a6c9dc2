"""Advertising objections and consents (GDPR Art. 21 and 7): channels, choices, purposes."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import attrs

from custmodel.errors import InvalidInputError
from custmodel.model._channels import ContactChannel, _channel
from custmodel.model._checks import (
    _aware,
    _date,
    _limit,
    _multiline,
    _non_negative,
    _positive,
    _text,
    to_enum,
)
from custmodel.model._customer import Customer

__all__ = [
    "MarketingChoice",
    "MarketingChoiceKind",
    "MarketingChoicesRecorded",
    "Purpose",
]


class MarketingChoiceKind(enum.StrEnum):
    """What a person declared about advertising on a channel."""

    CONSENT = "consent"
    OBJECTION = "objection"


class Purpose(enum.StrEnum):
    """Why letters or a data file are produced: advertising honours objections, a contract
    (a dunning letter, a travel document) does not."""

    ADVERTISING = "advertising"
    CONTRACT = "contract"


def _choice(value: object) -> MarketingChoiceKind:
    return to_enum(MarketingChoiceKind, value)


def _timestamp(_inst: object, attribute: attrs.Attribute[Any], value: datetime) -> None:
    if not isinstance(value, datetime):
        raise InvalidInputError(f"{attribute.name} must be a timezone-aware datetime")
    _aware(_inst, attribute, value)


@attrs.frozen
class MarketingChoice:
    """One entry of the ledger of advertising objections and consents of a customer.

    The ledger is the history; what holds now per channel is its latest entry by
    ``given_on``, then ``id`` (see :func:`custmodel.rules.current_objections`).

    Attributes:
        id: Running number, given by the store (0 before it is stored).
        customer: The customer it applies to.
        channel: The channel it applies to.
        choice: CONSENT or OBJECTION.
        given_on: The day the person declared it.
        recorded_at: When it was recorded (aware, UTC).
        source: Where it came from, e.g. "Brief vom 3.11." or "Webformular" (one line).
        note: A note as proof, may span lines.
    """

    id: int = attrs.field(validator=_non_negative)
    customer: int = attrs.field(validator=_positive)
    channel: ContactChannel = attrs.field(converter=_channel)
    choice: MarketingChoiceKind = attrs.field(converter=_choice)
    given_on: date = attrs.field(validator=_date)
    recorded_at: datetime = attrs.field(validator=_timestamp)
    source: str = attrs.field(validator=_text, metadata=_limit(100))
    note: str = attrs.field(default="", validator=_multiline, metadata=_limit(1000))


@attrs.frozen
class MarketingChoicesRecorded:
    """What recording a person's choice about advertising did.

    Attributes:
        choices: The ledger entries recorded, one per channel, as stored (with their ids).
        customer: The customer as stored now, its ``advertising_objections`` updated (a merged
            number was followed to its master).
    """

    choices: tuple[MarketingChoice, ...]
    customer: Customer
