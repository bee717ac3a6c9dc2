"""R9: anonymization eligibility, what anonymization replaces, when a request is due."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from custmodel.errors import (
    InvalidInputError,
)
from custmodel.model._booking import Booking
from custmodel.model._customer import PERSONAL_FIELDS, Customer, blank_value, values_copier
from custmodel.model._erasure import (
    Blocker,
    BlockReason,
    Eligibility,
    ErasureState,
    ErasureStatus,
    HostVeto,
)
from custmodel.model._requests import RequestKind, SubjectRequest

__all__ = [
    "ANONYMIZED_NAME",
    "anonymization_eligibility",
    "anonymized",
    "anonymized_all",
    "answer_by",
    "blocks_erasure",
    "due_for_erasure",
    "erasure_due",
    "erasure_status",
]


#: The dummy last name an anonymized customer carries. It says what happened and nothing else.
ANONYMIZED_NAME = "Anonymisiert"


def anonymization_eligibility(
    bookings: Iterable[Booking],
    acting_agency: str,
    today: date,
    delay_days: int = 42,
    vetoes: Iterable[HostVeto] = (),
) -> Eligibility:
    """May the customer with these bookings be anonymized by ``acting_agency`` on ``today``?

    TSmart's rules: an offer never blocks. A firm booking blocks if the acting agency is not its
    point of sale, if it came through an external sales channel, or until ``delay_days`` after
    its departure (departure D allows anonymization from D + 42 days on). No bookings: eligible.
    A host application's veto (``vetoes``, from the store's ``host_vetoes``) makes the customer
    not eligible too, and leaves no eligible-from day: it is not a matter of time.

    Returns:
        An :class:`Eligibility` with every blocking booking and its reasons, and, when only time
        blocks, the first day the customer becomes eligible.

    Raises:
        InvalidInputError: for an empty agency, a negative delay or a veto that is no
            :class:`HostVeto`.
    """
    if not isinstance(acting_agency, str) or not acting_agency.strip():
        raise InvalidInputError("the acting agency must be named")
    if delay_days < 0:
        raise InvalidInputError("the anonymization delay must not be negative")
    objections = tuple(vetoes)
    if not all(isinstance(v, HostVeto) for v in objections):
        raise InvalidInputError("vetoes must be HostVeto values")
    objections = tuple(sorted(set(objections), key=lambda v: (v.source, v.reason)))
    delay = timedelta(days=delay_days)
    blockers: list[Blocker] = []
    for booking in sorted(bookings, key=lambda b: b.reference):
        if not booking.is_firm:
            continue
        reasons, allowed_from = _block_reasons(booking, acting_agency, today, delay)
        if reasons:
            blockers.append(
                Blocker(
                    booking.reference,
                    tuple(reasons),
                    allowed_from if BlockReason.TOO_RECENT in reasons else None,
                )
            )
    if not blockers and not objections:
        return Eligibility(eligible=True)
    only_time = not objections and all(b.reasons == (BlockReason.TOO_RECENT,) for b in blockers)
    eligible_from = max(b.allowed_from for b in blockers if b.allowed_from) if only_time else None
    return Eligibility(
        eligible=False, blockers=tuple(blockers), eligible_from=eligible_from, vetoes=objections
    )


def _block_reasons(
    booking: Booking, acting_agency: str, today: date, delay: timedelta
) -> tuple[list[BlockReason], date]:
    """The three blocking rules of R9 for one firm booking, in one place.

    Returns:
        Why ``booking`` keeps ``acting_agency`` from anonymizing on ``today`` (empty if it
        does not), and the day from which its departure no longer blocks.
    """
    reasons: list[BlockReason] = []
    if booking.point_of_sale != acting_agency:
        reasons.append(BlockReason.NOT_POINT_OF_SALE)
    if booking.channel.is_external:
        reasons.append(BlockReason.EXTERNAL_CHANNEL)
    try:
        allowed_from = booking.departure + delay
    except OverflowError:
        allowed_from = date.max
    if today < allowed_from:
        reasons.append(BlockReason.TOO_RECENT)
    return reasons, allowed_from


def erasure_due(bookings: Iterable[Booking], acting_agency: str, cutoff: date) -> bool:
    """Whether ``acting_agency`` may anonymize the customer with these bookings (R9), by cutoff.

    ``cutoff`` is the day minus the anonymization delay: a departure on or before it is old
    enough. The same answer as ``anonymization_eligibility(bookings, acting_agency, cutoff + delay,
    delay).eligible``, asked the way a store's sweep asks it: with the cutoff, for one customer
    of many, without building the reasons.
    """
    return not any(blocks_erasure(b, acting_agency, cutoff) for b in bookings)


def blocks_erasure(booking: Booking, acting_agency: str, cutoff: date) -> bool:
    """Whether ``booking`` keeps ``acting_agency`` from anonymizing its customer by ``cutoff``
    (R9): a firm booking of another point of sale, of an external channel, or departing after
    ``cutoff`` (the day minus the anonymization delay). Offers never block.

    :func:`anonymization_eligibility` lists exactly these bookings as blockers, so deciding on
    only the bookings for which this holds gives the same :class:`Eligibility`.
    """
    return booking.is_firm and bool(_block_reasons(booking, acting_agency, cutoff, _NO_DELAY)[0])


_NO_DELAY = timedelta(0)


def due_for_erasure(
    customers: Mapping[int, Customer],
    requests: Iterable[SubjectRequest],
    bookings_of: Callable[[int], Iterable[Booking]],
    acting_agency: str,
    cutoff: date,
    after: int,
    limit: int,
    *,
    received_by: date,
) -> list[int]:
    """The customers due for erasure (R9): the shared scan behind a store's ``due_erasures``.

    For the stores that have no query language for the rule: the memory store, a third
    party's store (the SQL store asks it set-based, and the contract suite checks that both
    agree with :func:`anonymization_eligibility`). Active, not anonymized customers with an
    open request received on or before ``received_by`` for whom :func:`erasure_due` holds;
    numbers greater than ``after``, ascending, at most ``limit`` of them. See
    :meth:`custmodel.storage.StoreTransaction.due_erasures`.

    Args:
        customers: Every customer by number (a request's customer must be in it).
        requests: The requests (open and completed); only those of kind ERASURE count.
        bookings_of: Returns the bookings of one customer number.
        acting_agency: The agency that runs the sweep.
        cutoff: The sweep's day minus the anonymization delay.
        after: Only numbers above it (keyset pagination).
        limit: At most this many numbers.
        received_by: The sweep's day: a request received later was not there yet.
    """
    if limit < 1:
        return []
    requested = sorted(
        {
            r.customer
            for r in requests
            if r.kind is RequestKind.ERASURE and r.is_open and r.received_on <= received_by
        }
    )
    due: list[int] = []
    for number in requested:
        if number <= after:
            continue
        customer = customers[number]
        if not customer.is_active or customer.is_anonymized:
            continue
        if erasure_due(bookings_of(number), acting_agency, cutoff):
            due.append(number)
            if len(due) == limit:
                break
    return due


def anonymized(customer: Customer, now: datetime) -> tuple[Customer, tuple[str, ...]]:
    """Return ``customer`` with every personal field replaced by dummy data, and those fields.

    The dummy data is constant ("Anonymisiert" as last name, everything else empty), so nothing
    about the person (no hash, initial or length) can be inferred from it. Number, kind, type,
    debtor account and the rule references stay.
    """
    cleared = tuple(f for f in PERSONAL_FIELDS if getattr(customer, f) != blank_value(f))
    changes: dict[str, Any] = {f: blank_value(f) for f in PERSONAL_FIELDS}
    changes["last_name"] = ANONYMIZED_NAME
    result = attrs.evolve(customer, anonymized_at=now, updated_at=now, **changes)
    return result, cleared


#: The fields :func:`anonymized` replaces.
_ANONYMIZED_FIELDS = frozenset({*PERSONAL_FIELDS, "anonymized_at", "updated_at"})


def anonymized_all(customers: Sequence[Customer], now: datetime) -> list[Customer]:
    """Return each of ``customers`` as :func:`anonymized` returns it, in order.

    The dummy values are the same for all of them; they are validated once, on the first,
    and given to the others without building each customer again (see
    :func:`custmodel.model._customer.values_copier`).
    """
    if not customers:
        return []
    first = anonymized(customers[0], now)[0]
    copy = values_copier(_ANONYMIZED_FIELDS)
    return [first, *(copy(c, first) for c in customers[1:])]


def answer_by(received_on: date) -> date:
    """The day a request received on ``received_on`` must be answered by (GDPR Art. 12(3)).

    The same day one calendar month later, or that month's last day (Jan 31 -> Feb 28). It
    holds for every kind of request: access, erasure and objection.
    """
    day = received_on
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def erasure_status(request: SubjectRequest, eligibility: Eligibility, day: date) -> ErasureStatus:
    """The state of an erasure request on ``day``, given its customer's eligibility then (R9).

    DONE: completed. DUE: the customer may be anonymized now. WAITING: only time blocks, from
    ``eligibility.eligible_from`` on. BLOCKED: another point of sale, an external channel or a
    host's veto. The answer is due one calendar month after receipt (GDPR Art. 12(3)).
    """
    deadline = answer_by(request.received_on)
    if not request.is_open:
        state, due_on = ErasureState.DONE, None
    elif eligibility.eligible:
        state, due_on = ErasureState.DUE, day
    elif eligibility.eligible_from is not None:
        state, due_on = ErasureState.WAITING, eligibility.eligible_from
    else:
        state, due_on = ErasureState.BLOCKED, None
    return ErasureStatus(request, state, due_on, deadline, eligibility)
