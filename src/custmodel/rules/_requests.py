"""Data-subject requests of every kind: their answer deadline and whether they are overdue."""

from __future__ import annotations

from datetime import date

from custmodel.model._access import RequestStatus
from custmodel.model._erasure import ErasureStatus
from custmodel.model._requests import SubjectRequest
from custmodel.rules._erasure import answer_by

__all__ = ["request_status"]


def request_status(
    request: SubjectRequest, day: date, erasure: ErasureStatus | None = None
) -> RequestStatus:
    """Where ``request`` stands on ``day``: its answer deadline and whether it is overdue.

    The deadline is one calendar month after receipt (GDPR Art. 12(3)) for every kind; an open
    request is overdue from the day after it. ``erasure`` is the state of an erasure request
    (:func:`erasure_status`), None for the other kinds.
    """
    deadline = answer_by(request.received_on)
    return RequestStatus(request, deadline, request.is_open and deadline < day, erasure)
