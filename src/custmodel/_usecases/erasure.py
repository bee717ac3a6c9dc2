"""GDPR erasure: eligibility, anonymization, erasure requests and the sweep over them (R9)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime, timedelta

import attrs

from custmodel import rules
from custmodel._usecases import _common
from custmodel._usecases._common import Clock, Runner
from custmodel.errors import InvalidInputError, NotEligibleError, StoreBusyError
from custmodel.model._booking import Booking
from custmodel.model._erasure import (
    AnonymizationReport,
    Eligibility,
    ErasureRequestRecorded,
    ErasureStatus,
    ErasureSweep,
    HostVeto,
)
from custmodel.model._requests import RequestKind, SubjectRequest
from custmodel.storage.ports import CustomerStore, StoreTransaction


def eligibility(tx: StoreTransaction, number: int, acting_agency: str, day: date) -> Eligibility:
    """May ``acting_agency`` anonymize customer ``number`` on ``day``? (a value, R9)."""
    customer = _common.active(tx, number)
    return rules.anonymization_eligibility(
        tx.bookings_of([customer.number]),
        acting_agency,
        day,
        _common.settings(tx).anonymization_delay_days,
        host_vetoes(tx, [customer.number]).get(customer.number, ()),
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
    found = eligibility(tx, customer.number, acting_agency, day)
    if not found.eligible:
        raise NotEligibleError(customer.number, found)
    at = now()
    anonymous, cleared = rules.anonymized(customer, at)
    stored = tx.update_customers([anonymous])[0]
    tx.complete_requests(RequestKind.ERASURE, [stored.number], at)
    host_rows = erase_host_data(tx, [stored.number])
    return AnonymizationReport(
        stored, already_anonymized=False, fields_cleared=cleared, host_rows=host_rows
    )


# -- the host application's data --------------------------------------------------------------


def host_vetoes(tx: StoreTransaction, numbers: Collection[int]) -> dict[int, tuple[HostVeto, ...]]:
    """The host's vetoes against anonymizing these customers: one question to the store."""
    return tx.host_vetoes(numbers) if numbers else {}


def erase_host_data(tx: StoreTransaction, numbers: Collection[int]) -> dict[str, int]:
    """Erase the host's personal data of the customers being anonymized, last in the
    transaction (a store that cannot undo the host's changes makes them after every check)."""
    return tx.erase_host_data(numbers) if numbers else {}


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
    found = tx.requests(kinds=[RequestKind.ERASURE], open_only=not include_done)
    return erasure_statuses(tx, [r for r in found if r.received_on <= day], acting_agency, day)


def erasure_statuses(
    tx: StoreTransaction, requests: Sequence[SubjectRequest], acting_agency: str, day: date
) -> list[ErasureStatus]:
    """The state of each of these erasure requests for ``acting_agency`` on ``day``."""
    delay = _common.settings(tx).anonymization_delay_days
    bookings: dict[int, list[Booking]] = {}
    open_customers = {r.customer for r in requests if r.is_open}
    for booking in tx.bookings_of(open_customers):
        bookings.setdefault(booking.customer, []).append(booking)
    vetoes = host_vetoes(tx, open_customers)
    statuses = []
    for request in requests:
        found = rules.anonymization_eligibility(
            bookings.get(request.customer, []),
            acting_agency,
            day,
            delay,
            vetoes.get(request.customer, ()) if request.is_open else (),
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
    vetoed: list[int] = []
    host_rows: dict[str, int] = {}
    anonymized = batches = 0
    after = 0
    # Purged after each batch, so that a crash later in the sweep leaves no old data of the
    # customers already anonymized; once the store is busy, only at the end.
    purged = True
    while True:
        batch = run(
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
        if not batch.found:
            break
        batches += 1
        due.extend(n for n in batch.found if n not in batch.vetoed)
        vetoed.extend(batch.vetoed)
        anonymized += batch.anonymized
        for name, rows in batch.host_rows.items():
            if rows:
                host_rows[name] = host_rows.get(name, 0) + rows
        after = batch.found[-1]
        if batch.anonymized and purged:
            purged = purged_now()
    if anonymized:
        _common.logger.info("erasure sweep anonymized %d customers", anonymized)
        if not purged:
            purged_now()
    return ErasureSweep(
        dry_run=dry_run,
        due=len(due),
        anonymized=anonymized,
        batches=batches,
        customers=tuple(due),
        vetoed=tuple(vetoed),
        host_rows=dict(sorted(host_rows.items())),
    )


@attrs.frozen
class SweepBatch:
    """What one batch of the sweep found and did.

    Attributes:
        found: The customers the store's query found due by their bookings, ascending.
        vetoed: Those of them a host vetoed.
        anonymized: How many were anonymized.
        host_rows: The host's rows erased per registration.
    """

    found: list[int]
    vetoed: frozenset[int] = frozenset()
    anonymized: int = 0
    host_rows: dict[str, int] = attrs.field(factory=dict)


def sweep_batch(
    tx: StoreTransaction,
    acting_agency: str,
    day: date,
    after: int,
    limit: int,
    dry_run: bool,
    now: Clock,
) -> SweepBatch:
    """One batch of the sweep: the due customers found, the vetoed and the anonymized."""
    delay = _common.settings(tx).anonymization_delay_days
    try:
        cutoff = day - timedelta(days=delay)
    except OverflowError:
        return SweepBatch([])
    numbers = tx.due_erasures(acting_agency, cutoff, after, limit, received_by=day)
    if not numbers:
        return SweepBatch(numbers)
    if dry_run:
        return SweepBatch(numbers, frozenset(host_vetoes(tx, numbers)))
    # The query read without locks: a booking or a merge of these customers may have committed
    # since, or be about to. Lock the customers first (a booking, a merge and an erasure
    # request lock them too, so they wait for this commit or this lock waits for theirs), then
    # read their state, requests and bookings again and decide on those.
    customers = tx.get_customers(numbers)
    requested = {
        r.customer
        for r in tx.requests(kinds=[RequestKind.ERASURE], open_only=True, customers=numbers)
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
    vetoes = host_vetoes(tx, candidates)
    at = now()
    changed = []
    for number in candidates:
        # The store's query and the rule must agree; the rule, on locked data, decides.
        found = rules.anonymization_eligibility(
            bookings[number], acting_agency, day, delay, vetoes.get(number, ())
        )
        if found.eligible:
            changed.append(rules.anonymized(customers[number], at)[0])
    tx.update_customers(changed)
    anonymous = [c.number for c in changed]
    tx.complete_requests(RequestKind.ERASURE, anonymous, at)
    host_rows = erase_host_data(tx, anonymous)
    return SweepBatch(numbers, frozenset(vetoes), len(changed), host_rows)
