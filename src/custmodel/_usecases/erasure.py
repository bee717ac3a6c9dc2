"""GDPR erasure: eligibility, anonymization, erasure requests and the sweep over them (R9)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Protocol

import attrs

from custmodel import rules
from custmodel._usecases import _common, marketing
from custmodel._usecases._common import Clock, Runner
from custmodel.errors import InvalidInputError, NotEligibleError, StoreBusyError
from custmodel.model._booking import Booking
from custmodel.model._customer import Customer
from custmodel.model._erasure import (
    AnonymizationReport,
    Eligibility,
    ErasureRequestRecorded,
    ErasureStatus,
    ErasureSweep,
    HostVeto,
)
from custmodel.model._requests import RequestKind, SubjectRequest
from custmodel.model._retention import RetentionScan, SweepItem
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
    host_rows = follow_anonymization(tx, [stored.number], at)
    return AnonymizationReport(
        stored, already_anonymized=False, fields_cleared=cleared, host_rows=host_rows
    )


def follow_anonymization(
    tx: StoreTransaction, numbers: Sequence[int], at: datetime
) -> dict[str, int]:
    """Everything anonymizing these customers changes besides them: their erasure requests are
    answered, their advertising ledger and their change histories lose what is personal, and
    the host application's data of them is erased (last). Returns the host's rows erased."""
    if not numbers:
        return {}
    tx.complete_requests(RequestKind.ERASURE, numbers, at)
    marketing.follow_anonymization(tx, numbers)
    tx.erase_history(numbers, at)
    return erase_host_data(tx, numbers)


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


@attrs.frozen
class BatchResult:
    """What one batch of a sweep pass found and did.

    Attributes:
        last: The last number the store's query found; None when the pass is done (the keyset
            pagination goes on after it).
        items: The customers due, each with why, vetoed ones left out.
        vetoed: The customers the bookings allowed but a host application vetoed.
        anonymized: How many were anonymized (0 on a dry run).
        host_rows: The host's rows erased per registration.
    """

    last: int | None
    items: list[SweepItem] = attrs.field(factory=list)
    vetoed: frozenset[int] = frozenset()
    anonymized: int = 0
    host_rows: dict[str, int] = attrs.field(factory=dict)


@attrs.frozen
class BatchWindow:
    """Which page of a sweep pass one batch works on, and how.

    Attributes:
        acting_agency: The agency that anonymizes.
        day: The day the sweep runs for.
        after: The keyset: only customers with a greater number.
        limit: At most this many customers.
        dry_run: Find and explain only; change nothing.
        now: The clock of the anonymization time.
    """

    acting_agency: str
    day: date
    after: int
    limit: int
    dry_run: bool
    now: Clock


class SweepBatch(Protocol):
    """One batch of a sweep pass (:func:`sweep_batch`, :func:`retention_batch`)."""

    def __call__(self, tx: StoreTransaction, window: BatchWindow) -> BatchResult: ...


def sweep(
    run: Runner,
    purged_now: Callable[[], bool],
    acting_agency: str,
    day: date,
    *,
    dry_run: bool,
    batch_size: int,
    now: Clock,
    retention: bool = True,
) -> ErasureSweep:
    """Anonymize every customer due by an open erasure request, then (with ``retention``)
    every customer a retention rule of its kind makes due; one transaction a batch."""
    passes: list[SweepBatch] = [sweep_batch]
    if retention:
        passes.append(retention_batch)
    items: dict[int, SweepItem] = {}
    vetoed: set[int] = set()
    host_rows: dict[str, int] = {}
    anonymized = count = 0
    # Purged after each batch, so that a crash later in the sweep leaves no old data of the
    # customers already anonymized; once the store is busy, only at the end.
    purged = True
    for batch in passes:
        window = BatchWindow(acting_agency, day, 0, batch_size, dry_run, now)
        while True:
            result = run(functools.partial(batch, window=window), write=not dry_run)
            if result.last is None:
                break
            count += 1
            # A customer due by a request and by retention is listed once, for its request.
            items.update((i.number, i) for i in result.items if i.number not in items)
            vetoed |= result.vetoed
            anonymized += result.anonymized
            for name, rows in result.host_rows.items():
                if rows:
                    host_rows[name] = host_rows.get(name, 0) + rows
            window = attrs.evolve(window, after=result.last)
            if result.anonymized and purged:
                purged = purged_now()
    if anonymized:
        _common.logger.info("erasure sweep anonymized %d customers", anonymized)
        if not purged:
            purged_now()
    due = tuple(sorted((i for i in items.values() if i.number not in vetoed), key=_number))
    return ErasureSweep(
        dry_run=dry_run,
        due=len(due),
        anonymized=anonymized,
        batches=count,
        customers=tuple(i.number for i in due),
        vetoed=tuple(sorted(vetoed)),
        host_rows=dict(sorted(host_rows.items())),
        items=due,
    )


def _number(item: SweepItem) -> int:
    return item.number


def _cutoff(day: date, delay: int) -> date | None:
    """The latest departure old enough on ``day`` (R9), or None before the calendar began."""
    try:
        return day - timedelta(days=delay)
    except OverflowError:
        return None


def _anonymize_eligible(
    tx: StoreTransaction,
    window: BatchWindow,
    due: Sequence[Customer],
    bookings: Mapping[int, Sequence[Booking]],
    delay: int,
) -> tuple[frozenset[int], int, dict[str, int]]:
    """Decide with the pure rule, on what the batch read under its locks, and anonymize.

    Returns the vetoed customers, how many were anonymized and the host's rows erased.
    """
    vetoes = host_vetoes(tx, [c.number for c in due])
    if window.dry_run:
        return frozenset(vetoes), 0, {}
    at = window.now()
    # The store's query and the rule must agree; the rule, on locked data, decides.
    eligible = [
        customer
        for customer in due
        if rules.anonymization_eligibility(
            bookings.get(customer.number, ()),
            window.acting_agency,
            window.day,
            delay,
            vetoes.get(customer.number, ()),
        ).eligible
    ]
    changed = rules.anonymized_all(eligible, at)
    tx.update_customers(changed)
    host_rows = follow_anonymization(tx, [c.number for c in changed], at)
    return frozenset(vetoes), len(changed), host_rows


def _bookings_by_customer(
    tx: StoreTransaction, numbers: Collection[int]
) -> dict[int, list[Booking]]:
    bookings: dict[int, list[Booking]] = {n: [] for n in numbers}
    for booking in tx.bookings_of(list(numbers)):
        bookings[booking.customer].append(booking)
    return bookings


def sweep_batch(tx: StoreTransaction, window: BatchWindow) -> BatchResult:
    """One batch of the sweep over the erasure requests."""
    delay = _common.settings(tx).anonymization_delay_days
    cutoff = _cutoff(window.day, delay)
    if cutoff is None:
        return BatchResult(None)
    numbers = tx.due_erasures(
        window.acting_agency, cutoff, window.after, window.limit, received_by=window.day
    )
    if not numbers:
        return BatchResult(None)
    # The query read without locks: a booking or a merge of these customers may have committed
    # since, or be about to. Lock the customers first (a booking, a merge and an erasure
    # request lock them too, so they wait for this commit or this lock waits for theirs), then
    # read their state, requests and bookings again and decide on those.
    customers = tx.get_customers(numbers)
    requests = {
        r.customer: r.id
        for r in tx.requests(kinds=[RequestKind.ERASURE], open_only=True, customers=numbers)
        if r.received_on <= window.day
    }
    found = [SweepItem(n, request=requests[n]) for n in numbers if n in requests]
    candidates = [
        customers[n]
        for n in numbers
        if n in customers
        and n in requests
        and customers[n].is_active
        and not customers[n].is_anonymized
    ]
    # Only the bookings that can block: the rule decides the same on them as on all (see
    # rules.blocks_erasure), and a customer due has many old bookings that cannot.
    bookings: dict[int, list[Booking]] = {}
    for booking in tx.blocking_bookings(
        [c.number for c in candidates], window.acting_agency, cutoff
    ):
        bookings.setdefault(booking.customer, []).append(booking)
    vetoed, done, host_rows = _anonymize_eligible(tx, window, candidates, bookings, delay)
    return BatchResult(numbers[-1], found, vetoed, done, host_rows)


# -- the sweep over retention rules -----------------------------------------------------------


def retention_batch(tx: StoreTransaction, window: BatchWindow) -> BatchResult:
    """One batch of the sweep over the retention rules.

    As :func:`sweep_batch` does for requests: the store's query reads without locks, so the
    batch locks the customers it found, reads them and their bookings again and decides with
    the pure rules (:func:`rules.retention_due`, :func:`rules.anonymization_eligibility`).
    A customer whose state changed since the query read it (a booking, a merge) is left alone
    and not listed.
    """
    settings = _common.settings(tx)
    retention = {kind: ks.retention for kind, ks in settings.kinds.items() if ks.retention}
    if not retention:
        return BatchResult(None)
    delay = settings.anonymization_delay_days
    cutoff = _cutoff(window.day, delay)
    if cutoff is None:
        return BatchResult(None)
    scan = RetentionScan(
        window.acting_agency, cutoff, window.day, retention, window.after, window.limit
    )
    numbers = tx.due_retention(scan)
    if not numbers:
        return BatchResult(None)
    customers = tx.get_customers(numbers)
    bookings = _bookings_by_customer(tx, list(customers))
    found: list[SweepItem] = []
    due: list[Customer] = []
    for customer in (customers[n] for n in numbers if n in customers):
        reason = rules.retention_due(
            customer, bookings[customer.number], retention.get(customer.kind, ()), window.day
        )
        if reason is None:
            # Changed since the query read it (a booking, a merge): not due any longer.
            continue
        found.append(SweepItem(customer.number, retention=reason))
        due.append(customer)
    vetoed, done, host_rows = _anonymize_eligible(tx, window, due, bookings, delay)
    return BatchResult(numbers[-1], found, vetoed, done, host_rows)
