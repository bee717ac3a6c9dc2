"""Data-subject requests of every kind, and the right of access (GDPR Art. 12, 15, 20)."""

from __future__ import annotations

from datetime import date, datetime

import attrs

from custmodel import rules
from custmodel._usecases import _common, erasure
from custmodel._usecases._common import Clock
from custmodel.errors import InvalidInputError
from custmodel.model._access import AccessReport, RequestStatus
from custmodel.model._erasure import ErasureRequestRecorded
from custmodel.model._requests import RequestKind, RequestRecorded, SubjectRequest
from custmodel.storage.ports import StoreTransaction


def record_request(
    tx: StoreTransaction,
    kind: RequestKind,
    number: int,
    received: date,
    now: Clock,
    *,
    completed: bool = False,
) -> RequestRecorded:
    """Record a request of ``kind`` for customer ``number`` (or its master), one open at most.

    While a request of the kind is open, a repeat records nothing; one received earlier moves
    the open request to that day (the answer deadline runs from the first receipt).
    ``completed`` answers the request at once, the open one or the new one: an erasure request
    of an anonymized customer, an objection whose choice the caller records in the same
    transaction.
    """
    at = now()
    if received > at.date():
        raise InvalidInputError("a request cannot be received in the future")
    # Reading the customer locks it in a write transaction, so a concurrent request for the
    # same customer waits here and then finds this one open.
    customer = _common.follow(tx, _common.get(tx, number))
    recorded = _open_or_new(tx, kind, customer.number, received, at)
    if completed:
        tx.complete_requests(kind, [customer.number], at)
        recorded = attrs.evolve(recorded, request=attrs.evolve(recorded.request, completed_at=at))
    return recorded


def _open_or_new(
    tx: StoreTransaction, kind: RequestKind, customer: int, received: date, at: datetime
) -> RequestRecorded:
    open_requests = tx.requests(kinds=[kind], open_only=True, customers=[customer])
    if open_requests:
        request = open_requests[0]
        if received >= request.received_on:
            return RequestRecorded(request, repeated=True)
        redated = tx.redate_request(request.id, received)
        if redated is not None:
            return RequestRecorded(redated, repeated=True, moved_from=request.received_on)
    return RequestRecorded(tx.add_request(kind, customer, received, at))


def request_erasure(
    tx: StoreTransaction, number: int, received: date, *, now: Clock
) -> ErasureRequestRecorded:
    """Record an erasure request for customer ``number`` (or its master), one open at most.

    For a customer anonymized already the request is completed at once.
    """
    customer = _common.follow(tx, _common.get(tx, number))
    recorded = record_request(
        tx,
        RequestKind.ERASURE,
        customer.number,
        received,
        now,
        completed=customer.is_anonymized,
    )
    return ErasureRequestRecorded(
        recorded.request, repeated=recorded.repeated, moved_from=recorded.moved_from
    )


def log_recorded(recorded: RequestRecorded) -> None:
    """Log a committed request by its kind, id and customer number."""
    request = recorded.request
    if recorded.moved_from is not None:
        what = "repeated with an earlier receipt day"
    elif recorded.repeated:
        what = "repeated; it stays open"
    else:
        what = "recorded"
    _common.logger.info(
        "%s request %d of customer %d %s", request.kind.value, request.id, request.customer, what
    )


def statuses(
    tx: StoreTransaction, acting_agency: str, day: date, *, include_done: bool
) -> list[RequestStatus]:
    """Every request received by ``day``, of every kind, with its deadline and state."""
    found = [r for r in tx.requests(open_only=not include_done) if r.received_on <= day]
    erasures = [r for r in found if r.kind is RequestKind.ERASURE]
    states = dict(
        zip(
            (r.id for r in erasures),
            erasure.erasure_statuses(tx, erasures, acting_agency, day),
            strict=True,
        )
    )
    return [rules.request_status(r, day, states.get(r.id)) for r in found]


def access_report(
    tx: StoreTransaction, number: int, day: date, *, answer: bool, now: Clock
) -> AccessReport:
    """Everything stored about customer ``number`` (or its master), in a constant number of
    reads however many bookings, merges and requests it has.

    ``answer`` completes the customer's open access requests in the same transaction: the
    report is what the person is sent.
    """
    customer = _common.follow(tx, _common.get(tx, number))
    settings = _common.settings(tx)
    at = now()
    if answer:
        tx.complete_requests(RequestKind.ACCESS, [customer.number], at)
    requests: list[SubjectRequest] = tx.requests(open_only=False, customers=[customer.number])
    merges = [m for m in tx.merge_records(customer.number) if m.master == customer.number]
    return AccessReport(
        generated_at=at,
        as_of=day,
        customer=customer,
        profile=rules.customer_profile(settings, customer),
        bookings=tuple(tx.bookings_of([customer.number])),
        merges=tuple(merges),
        requests=tuple(requests),
        marketing_choices=tuple(tx.marketing_choices([customer.number])),
        host_data=tx.reference_counts([customer.number]),
    )
