"""Data-subject requests of every kind (GDPR Art. 15, 17, 21): what was asked, when, answered."""

from __future__ import annotations

import enum
from datetime import date, datetime

import attrs

from custmodel.model._checks import _aware, _date, _optional_date, _positive, to_enum

__all__ = [
    "ErasureRequest",
    "RequestKind",
    "RequestRecorded",
    "SubjectRequest",
]


class RequestKind(enum.StrEnum):
    """What a person asked for: access (Art. 15), erasure (Art. 17) or objection (Art. 21)."""

    ACCESS = "access"
    ERASURE = "erasure"
    OBJECTION = "objection"


def _request_kind(value: object) -> RequestKind:
    return to_enum(RequestKind, value)


@attrs.frozen
class SubjectRequest:
    """A person's request about their data: access, erasure or objection.

    Attributes:
        id: Running number of the request, given by the store (one sequence for every kind).
        customer: The customer it applies to (a merged number is followed to its master).
        received_on: The day the agency received the request.
        recorded_at: When it was recorded (aware, UTC).
        completed_at: When it was answered (access: the report was sent; erasure: the customer
            was anonymized; objection: the choice was recorded), None while it is open.
        kind: What the person asked for; ERASURE for requests built without one.
    """

    id: int
    customer: int = attrs.field(validator=_positive)
    received_on: date = attrs.field(validator=_date)
    recorded_at: datetime = attrs.field(validator=_aware)
    completed_at: datetime | None = attrs.field(default=None, validator=_aware)
    kind: RequestKind = attrs.field(default=RequestKind.ERASURE, converter=_request_kind)

    @property
    def is_open(self) -> bool:
        """True until the request is answered."""
        return self.completed_at is None


#: The name of :class:`SubjectRequest` from before there were several kinds; an
#: ``ErasureRequest(...)`` built without ``kind`` is an erasure request.
ErasureRequest = SubjectRequest


@attrs.frozen
class RequestRecorded:
    """What recording a request of any kind did (see ``ErasureRequestRecorded`` for erasure).

    Attributes:
        request: The customer's request of that kind as stored now: the new one, or the one
            that was open already.
        repeated: True if a request of the kind was open already: no second one was recorded.
        moved_from: The receipt day the open request had before a repeat received earlier
            moved it; None when nothing moved.
    """

    request: SubjectRequest
    repeated: bool = False
    moved_from: date | None = attrs.field(default=None, validator=_optional_date)
