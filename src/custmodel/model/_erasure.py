"""Anonymization and erasure requests: eligibility, blockers, reports, request states and sweeps."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date

import attrs

from custmodel.errors import InvalidInputError
from custmodel.model._checks import _optional_date
from custmodel.model._customer import Customer
from custmodel.model._requests import SubjectRequest
from custmodel.model._retention import SweepItem

__all__ = [
    "AnonymizationReport",
    "BlockReason",
    "Blocker",
    "Eligibility",
    "ErasureRequestRecorded",
    "ErasureState",
    "ErasureStatus",
    "ErasureSweep",
    "HostVeto",
]

#: The longest reason a host veto may give: a short code or phrase, never a person's data.
MAX_VETO_REASON = 200


class BlockReason(enum.StrEnum):
    """Why a booking blocks anonymization."""

    NOT_POINT_OF_SALE = "not_point_of_sale"
    EXTERNAL_CHANNEL = "external_channel"
    TOO_RECENT = "too_recent"


@attrs.frozen
class Blocker:
    """A firm booking that blocks anonymization, with every reason it does.

    Attributes:
        reference: The booking reference.
        reasons: Every reason that applies, in the order of :class:`BlockReason`.
        allowed_from: For TOO_RECENT: the first day this booking stops blocking.
    """

    reference: str
    reasons: tuple[BlockReason, ...]
    allowed_from: date | None = None


def _veto_text(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    """A host veto's source or reason: a non-blank text of at most MAX_VETO_REASON characters."""
    del instance
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_VETO_REASON:
        # The value itself stays out of the message: the host wrote it.
        raise InvalidInputError(
            f"a host veto's {attribute.name} must be a text of 1 to {MAX_VETO_REASON} characters"
        )


@attrs.frozen
class HostVeto:
    """A host application's objection to anonymizing a customer (e.g. an open claim).

    A registered veto callback of the store gives it; while a customer has one, the customer is
    not eligible for anonymization, whatever the bookings say.

    Attributes:
        source: The name the veto was registered under.
        reason: The host's short reason. The host must not put personal data in it; custmodel
            shows it in eligibility explanations, never in exception messages or logs.
    """

    source: str = attrs.field(validator=_veto_text)
    reason: str = attrs.field(validator=_veto_text)


@attrs.frozen
class Eligibility:
    """May this customer be anonymized by this agency on this day (R9)?

    Attributes:
        eligible: The answer.
        blockers: Every blocking booking with its reasons, ordered by reference.
        eligible_from: When only time blocks, the first day the customer becomes eligible;
            None when the customer is eligible now or something other than time blocks.
        vetoes: Every host application's veto, ordered by source: any one makes the customer
            not eligible, and since a veto is no matter of time, leaves no ``eligible_from``.
    """

    eligible: bool
    blockers: tuple[Blocker, ...] = ()
    eligible_from: date | None = None
    vetoes: tuple[HostVeto, ...] = ()

    def explain(self) -> str:
        """One line for a person: eligible, or why not and until when."""
        if self.eligible:
            return "eligible"
        parts = [
            f"{b.reference}: {', '.join(r.value.replace('_', ' ') for r in b.reasons)}"
            for b in self.blockers
        ]
        parts += [f"vetoed by {v.source}: {v.reason}" for v in self.vetoes]
        text = "not eligible - " + "; ".join(parts)
        if self.eligible_from is not None:
            text += f" (eligible from {self.eligible_from.isoformat()})"
        return text


@attrs.frozen
class AnonymizationReport:
    """What anonymizing a customer did.

    Attributes:
        customer: The customer after anonymization.
        already_anonymized: True if it was anonymized before: nothing was changed this time.
        fields_cleared: The personal fields that held data and were replaced.
        host_rows: Rows of the host application's tables blanked or erased, per registration
            of the store (personal columns of a host reference, erasers): every registration
            listed, 0 where it had none of the customer. Empty when nothing was done.
    """

    customer: Customer
    already_anonymized: bool
    fields_cleared: tuple[str, ...] = ()
    host_rows: Mapping[str, int] = attrs.field(factory=dict, hash=False)


@attrs.frozen
class ErasureRequestRecorded:
    """What recording an erasure request did.

    Attributes:
        request: The customer's request as stored now: the new one, or the one that was open
            already (completed at once when the customer is anonymized already).
        repeated: True if a request of the customer was open already: no second one was
            recorded, the open one stands for both.
        moved_from: The receipt day the open request had before this repeat moved it to the
            earlier day given (the one-month answer deadline runs from the first receipt);
            None when nothing moved.
    """

    request: SubjectRequest
    repeated: bool = False
    moved_from: date | None = attrs.field(default=None, validator=_optional_date)


class ErasureState(enum.StrEnum):
    """Where an erasure request stands for the acting agency on a day."""

    DUE = "due"
    WAITING = "waiting"
    BLOCKED = "blocked"
    DONE = "done"


@attrs.frozen
class ErasureStatus:
    """An erasure request with its state, for the agency's answer to the person.

    Attributes:
        request: The request.
        state: DUE (may be anonymized now), WAITING (only time blocks), BLOCKED (another
            point of sale or an external channel: not the agency's data to erase), DONE.
        due_on: DUE: the day asked about; WAITING: the first day it becomes due; else None.
        answer_by: The day the agency must have answered the person: one month after receipt
            (GDPR Art. 12(3)).
        eligibility: The eligibility behind the state, with every blocking booking.
    """

    request: SubjectRequest
    state: ErasureState
    due_on: date | None
    answer_by: date
    eligibility: Eligibility


@attrs.frozen
class ErasureSweep:
    """What a sweep over the due erasure requests did (or, dry, would do).

    Attributes:
        dry_run: True if nothing was changed.
        due: How many customers were due.
        anonymized: How many customers were anonymized (0 on a dry run).
        batches: How many batches (transactions) the sweep took.
        customers: The numbers of the due customers, ascending.
        vetoed: The customers the bookings allowed but a host application vetoed, ascending:
            not due, not anonymized (their eligibility's ``vetoes`` say why).
        host_rows: Rows of the host application's tables blanked or erased, summed per
            registration of the store; only registrations that had rows are listed.
        items: Each due customer with the reason it is due (its erasure request, or the
            retention rule of its kind), in the order of ``customers``.
    """

    dry_run: bool
    due: int
    anonymized: int
    batches: int
    customers: tuple[int, ...] = ()
    vetoed: tuple[int, ...] = ()
    host_rows: Mapping[str, int] = attrs.field(factory=dict, hash=False)
    items: tuple[SweepItem, ...] = ()

    def reasons(self) -> dict[int, str]:
        """Customer number -> why it is due, one line each."""
        return {item.number: item.explain() for item in self.items}
