"""GDPR erasure: eligibility, anonymization, erasure requests and the sweep over them (R9)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime, timedelta

import attrs

from custmodel import rules
from custmodel._usecases import _common, marketing
from custmodel._usecases._common import Clock, Runner
from custmodel.errors import InvalidInputError, NotEligibleError, StoreBusyError
from custmodel.model._booking import Booking
from custmodel.model._erasure import (
    AnonymizationReport,
    Eligibility,
    ErasureRequestRecorded,
    ErasureStatus,
    ErasureSweep,
)
from custmodel.storage.ports import CustomerStore, StoreTransaction


def eligibility(tx: StoreTransaction, number: int, acting_agency: str, day: date) -> Eligibility:
    """May ``acting_agency`` anonymize customer ``number`` on ``day``? (a value, R9)."""
    customer = _common.active(tx, number)
    return rules.anonymization_eligibility(
        tx.bookings_of([customer.number]),
        acting_agency,
        day,
        _common.settings(tx).anonymization_delay_days,
    )


def anonymize(
    tx: StoreTransaction, number: int, acting_agency: str, day: date, *, now: Clock
) -> AnonymizationReport:
    """Replace every personal field of customer ``number`` with dummy data, if it is eligible.

    Raises:
        NotEligibleError: with the reasons; nothing was changed.
    """
    customer = _common.active(tx, number)
    if customer.is_anonymized:
        return AnonymizationReport(customer, already_anonymized=True)
    found = rules.anonymization_eligibility(
        tx.bookings_of([customer.number]),
        acting_agency,
        day,
        _common.settings(tx).anonymization_delay_days,
    )
    if not found.eligible:
        raise NotEligibleError(customer.number, found)
    at = now()
    anonymous, cleared = rules.anonymized(customer, at)
    stored = tx.update_customers([anonymous])[0]
    tx.complete_erasure_requests([stored.number], at)
    marketing.follow_anonymization(tx, [stored.number])
    return AnonymizationReport(stored, already_anonymized=False, fields_cleared=cleared)


def settle(store: CustomerStore, report: AnonymizationReport) -> None:
    """After a committed anonymization: log it and purge old row versions."""
    if not report.already_anonymized:
        _common.logger.info("anonymized customer %d", report.customer.number)
        purge(store)


def purge(store: CustomerStore) -> bool:
    """Purge old versions after a committed anonymization, without undoing the success.

    The anonymization is committed already; a store busy with readers cannot purge now,
    which is logged, and the next anonymization or :meth:`CustomerStore.purge` does it.

    Returns:
        False if the store was busy and nothing was purged.
    """
    try:
        store.purge()
    except StoreBusyError:
        _common.logger.warning("could not purge old row versions now; the store is busy")
        return False
    return True


# -- erasure requests -------------------------------------------------------------------------


def received_on(value: date) -> date:
    """Return ``value`` if it is a receipt day (a date, not a datetime)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInputError("received_on must be a date (not a datetime)")
    return value


def request_erasure(
    tx: StoreTransaction, number: int, received: date, *, now: Clock
) -> ErasureRequestRecorded:
    """Record an erasure request for customer ``number`` (or its master), one open at most."""
    at = now()
    if received > at.date():
        raise InvalidInputError("an erasure request cannot be received in the future")
    # Reading the customer locks it in a write transaction, so a concurrent request for the
    # same customer waits here and then finds this one open.
    customer = _common.follow(tx, _common.get(tx, number))
    open_requests = tx.erasure_requests(open_only=True, customers=[customer.number])
    if open_requests:
        request = open_requests[0]
        if received >= request.received_on:
            return ErasureRequestRecorded(request, repeated=True)
        redated = tx.redate_erasure_request(request.id, received)
        if redated is not None:
            return ErasureRequestRecorded(redated, repeated=True, moved_from=request.received_on)
    request = tx.add_erasure_request(customer.number, received, at)
    if customer.is_anonymized:
        tx.complete_erasure_requests([customer.number], at)
        request = attrs.evolve(request, completed_at=at)
    return ErasureRequestRecorded(request)


def log_request(recorded: ErasureRequestRecorded) -> None:
    """Log a committed erasure request by its id and customer number."""
    request = recorded.request
    if recorded.moved_from is not None:
        _common.logger.info(
            "erasure request %d of customer %d repeated with an earlier receipt day",
            request.id,
            request.customer,
        )
    elif recorded.repeated:
        _common.logger.info(
            "erasure request %d of customer %d repeated; it stays open",
            request.id,
            request.customer,
        )
    else:
        _common.logger.info(
            "erasure request %d recorded for customer %d", request.id, request.customer
        )


def erasure_requests(
    tx: StoreTransaction, acting_agency: str, day: date, *, include_done: bool
) -> list[ErasureStatus]:
    """Each erasure request received by ``day`` with its state for ``acting_agency``."""
    requests = [r for r in tx.erasure_requests(open_only=not include_done) if r.received_on <= day]
    delay = _common.settings(tx).anonymization_delay_days
    bookings: dict[int, list[Booking]] = {}
    for booking in tx.bookings_of({r.customer for r in requests if r.is_open}):
        bookings.setdefault(booking.customer, []).append(booking)
    statuses = []
    for request in requests:
        found = rules.anonymization_eligibility(
            bookings.get(request.customer, []), acting_agency, day, delay
        )
        statuses.append(rules.erasure_status(request, found, day))
    return statuses


# -- the sweep --------------------------------------------------------------------------------


def sweep(
    run: Runner,
    purged_now: Callable[[], bool],
    acting_agency: str,
    day: date,
    *,
    dry_run: bool,
    batch_size: int,
    now: Clock,
) -> ErasureSweep:
    """Anonymize every customer whose open erasure request is due, one transaction a batch."""
    due: list[int] = []
    anonymized = batches = 0
    after = 0
    # Purged after each batch, so that a crash later in the sweep leaves no old data of the
    # customers already anonymized; once the store is busy, only at the end.
    purged = True
    while True:
        found, done = run(
            functools.partial(
                sweep_batch,
                acting_agency=acting_agency,
                day=day,
                after=after,
                limit=batch_size,
                dry_run=dry_run,
                now=now,
            ),
            write=not dry_run,
        )
        if not found:
            break
        batches += 1
        due.extend(found)
        anonymized += done
        after = found[-1]
        if done and purged:
            purged = purged_now()
    if anonymized:
        _common.logger.info("erasure sweep anonymized %d customers", anonymized)
        if not purged:
            purged_now()
    return ErasureSweep(
        dry_run=dry_run, due=len(due), anonymized=anonymized, batches=batches, customers=tuple(due)
    )


def sweep_batch(
    tx: StoreTransaction,
    acting_agency: str,
    day: date,
    after: int,
    limit: int,
    dry_run: bool,
    now: Clock,
) -> tuple[list[int], int]:
    """One batch of the sweep: the due customers found, and how many were anonymized."""
    delay = _common.settings(tx).anonymization_delay_days
    try:
        cutoff = day - timedelta(days=delay)
    except OverflowError:
        return [], 0
    numbers = tx.due_erasures(acting_agency, cutoff, after, limit, received_by=day)
    if dry_run or not numbers:
        return numbers, 0
    # The query read without locks: a booking or a merge of these customers may have committed
    # since, or be about to. Lock the customers first (a booking, a merge and an erasure
    # request lock them too, so they wait for this commit or this lock waits for theirs), then
    # read their state, requests and bookings again and decide on those.
    customers = tx.get_customers(numbers)
    requested = {
        r.customer
        for r in tx.erasure_requests(open_only=True, customers=numbers)
        if r.received_on <= day
    }
    candidates = [
        n
        for n in numbers
        if n in customers
        and n in requested
        and customers[n].is_active
        and not customers[n].is_anonymized
    ]
    bookings: dict[int, list[Booking]] = {n: [] for n in candidates}
    for booking in tx.bookings_of(candidates):
        bookings[booking.customer].append(booking)
    at = now()
    changed = []
    for number in candidates:
        # The store's query and the rule must agree; the rule, on locked data, decides.
        if rules.anonymization_eligibility(bookings[number], acting_agency, day, delay).eligible:
            changed.append(rules.anonymized(customers[number], at)[0])
    tx.update_customers(changed)
    tx.complete_erasure_requests([c.number for c in changed], at)
    if changed:
        marketing.follow_anonymization(tx, [c.number for c in changed])
    return numbers, len(changed)
