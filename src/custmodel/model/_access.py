"""The right of access and portability (GDPR Art. 15, 20): request states and the report."""

from __future__ import annotations

from datetime import date, datetime

import attrs

from custmodel.model._booking import Booking
from custmodel.model._checks import _aware
from custmodel.model._customer import Customer
from custmodel.model._erasure import ErasureStatus
from custmodel.model._marketing import MarketingChoice
from custmodel.model._merge import MergeRecord
from custmodel.model._profile import CustomerProfile
from custmodel.model._requests import RequestKind, SubjectRequest

__all__ = ["AccessReport", "RequestStatus"]


@attrs.frozen
class RequestStatus:
    """A request of any kind as the agency tracks it on a day.

    Attributes:
        request: The request (its ``kind``, ``customer``, receipt and completion).
        answer_by: The day the person must have been answered: one month after receipt
            (GDPR Art. 12(3)), for every kind.
        overdue: True while the request is open after ``answer_by``.
        erasure: For an erasure request, its state and the eligibility behind it for the
            acting agency; None for the other kinds.
    """

    request: SubjectRequest
    answer_by: date
    overdue: bool
    erasure: ErasureStatus | None = None

    @property
    def kind(self) -> RequestKind:
        """What the person asked for."""
        return self.request.kind

    @property
    def received_on(self) -> date:
        """The day the request was received."""
        return self.request.received_on

    @property
    def is_open(self) -> bool:
        """True until the request is answered."""
        return self.request.is_open


@attrs.frozen
class AccessReport:
    """Everything custmodel holds about a person: the answer to GDPR Art. 15 and 20.

    Attributes:
        generated_at: When the report was made (aware, UTC).
        as_of: The day the report speaks for (the letter's date).
        customer: The customer record with every field (the master's for a merged number).
        profile: Kind, type, category, status flags and codes under the labels of the kind.
        bookings: The customer's bookings and offers, by reference.
        merges: The merges that folded other customer records into this one (their numbers).
        requests: Every request of the person (every kind, open and answered), by id.
        marketing_choices: The person's ledger of objections and consents to advertising, by
            id (the customer's ``advertising_objections`` are the current objections).
        host_data: Per registered host reference, how many of the host application's rows
            point at the customer.
    """

    generated_at: datetime = attrs.field(validator=_aware)
    as_of: date
    customer: Customer
    profile: CustomerProfile
    bookings: tuple[Booking, ...] = ()
    merges: tuple[MergeRecord, ...] = ()
    requests: tuple[SubjectRequest, ...] = ()
    marketing_choices: tuple[MarketingChoice, ...] = ()
    host_data: dict[str, int] = attrs.field(factory=dict, hash=False)
