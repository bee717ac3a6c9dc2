"""Merging duplicates into a master: the plan, the merge and its audit (R8)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from custmodel import rules
from custmodel._usecases import _common, marketing, marks
from custmodel._usecases._common import Clock
from custmodel.errors import CustomerNotFoundError, InvalidInputError, MergeRefusedError
from custmodel.model import (
    Customer,
    MergePlan,
    MergeRecord,
    MergeReport,
    RequestKind,
    Settings,
    SubjectRequest,
)
from custmodel.storage.ports import StoreTransaction


def check_actor(actor: str | None, now: Clock) -> None:
    """Refuse an ``actor`` the merge audit cannot record, before anything moves.

    Host rows moved by the memory store could not be taken back if the audit record refused
    the actor afterwards.
    """
    if actor is not None:
        MergeRecord(id=0, merged_at=now(), master=1, duplicates=(), bookings_moved=0, actor=actor)


def plan(
    tx: StoreTransaction,
    master: int,
    duplicates: Sequence[int],
    fill_blanks: bool,
    unite_status: bool,
    *,
    with_bookings: bool = True,
) -> tuple[MergePlan, Customer, list[Customer]]:
    """Plan the merge on the customers, locked in a write transaction, and the settings.

    Without ``with_bookings`` the plan lists no bookings: :func:`merge` fills them in from
    the statement that moves them, and reads the bookings once.

    The settings are read without a lock: a merge that does not touch them must not wait
    for, or hold up, every registration. A plan that writes them or decides on them
    (template customers follow, a category fills a blank, flags are united) is made again
    by :func:`merge` on settings it locked for update.

    Returns:
        The plan, the master and the duplicates as loaded.
    """
    if isinstance(duplicates, str | bytes) or not isinstance(duplicates, Iterable):
        raise InvalidInputError("duplicates must be a list of customer numbers")
    numbers = [_common.number(n) for n in duplicates]
    _common.number(master)
    # Refused on the numbers before anything is read; rules.plan_merge asks the same rule.
    rules.check_merge_numbers(master, numbers)
    found = tx.get_customers([master, *numbers])
    for number in (master, *numbers):
        if number not in found:
            raise CustomerNotFoundError(f"customer {number} not found", number=number)
    dups = [found[n] for n in numbers]
    dangling = tx.unregistered_references()
    if dangling:
        raise MergeRefusedError(
            "a merge would leave these references to customers behind; register them "
            f"first: {', '.join(dangling)}"
        )
    planned = rules.plan_merge(
        tx.get_settings() or Settings(),
        found[master],
        dups,
        tx.booking_references(numbers) if with_bookings else (),
        fill_blanks=fill_blanks,
        unite_status=unite_status,
        references=tx.reference_counts(numbers),
    )
    return planned, found[master], dups


def merge(
    tx: StoreTransaction,
    master: int,
    duplicates: Sequence[int],
    fill_blanks: bool,
    unite_status: bool,
    actor: str | None,
    now: Clock,
) -> MergeReport:
    """Merge ``duplicates`` into ``master``: bookings, requests and host rows move, audited."""
    planned, master_customer, dups = plan(
        tx, master, duplicates, fill_blanks, unite_status, with_bookings=False
    )
    settings: Settings | None = None
    if plan_uses_settings(planned):
        # Decided on settings read without a lock: decide again on locked ones, which this
        # transaction may write (template customers follow to the master).
        settings = _common.settings_for_update(tx)
        planned = rules.plan_merge(
            settings,
            master_customer,
            dups,
            planned.bookings,
            fill_blanks=fill_blanks,
            unite_status=unite_status,
            references=planned.references,
        )
    at = now()
    # The plan lists the bookings the statement that moved them returned: read once, and
    # exactly those that moved.
    moved_bookings = tx.move_bookings(planned.duplicates, planned.master)
    planned = attrs.evolve(planned, bookings=tuple(moved_bookings))
    moved = len(moved_bookings)
    new_master = rules.filled_master(planned, master_customer, dups, at)
    objections = marketing.follow_merge(tx, planned.master, planned.duplicates, at)
    if objections != new_master.advertising_objections:
        new_master = attrs.evolve(new_master, advertising_objections=objections, updated_at=at)
    changed = [rules.tombstone(d, planned.master, at) for d in dups]
    if new_master is not master_customer:
        changed.insert(0, new_master)
    stored = tx.update_customers(changed)
    if new_master is not master_customer:
        new_master = stored[0]
    if planned.templates and settings is not None:
        for kind in planned.templates:
            settings = settings.with_kind(
                kind, attrs.evolve(settings.kind(kind), template_customer=planned.master)
            )
        tx.put_settings(settings)
    tx.move_requests(planned.duplicates, planned.master)
    tx.move_history(planned.duplicates, planned.master)
    fold_open_requests(tx, planned.master)
    marks.follow_merge(tx, planned.master, planned.duplicates)
    # Host rows are moved last: the memory store cannot take them back if a later step
    # failed, and nothing after this point can refuse the merge.
    references = tx.move_references(planned.duplicates, planned.master)
    record = tx.add_merge_record(
        MergeRecord(
            id=0,
            merged_at=at,
            master=planned.master,
            duplicates=planned.duplicates,
            bookings_moved=moved,
            references_moved=references,
            actor=actor,
        )
    )
    return MergeReport(
        plan=planned,
        master=new_master,
        bookings_moved=moved,
        merged_at=at,
        references_moved=references,
        record=record,
    )


def log_merged(report: MergeReport) -> None:
    """Log a committed merge by customer numbers and counts."""
    _common.logger.info(
        "merged customers %s into customer %d (%d bookings moved)",
        ", ".join(map(str, report.plan.duplicates)),
        report.plan.master,
        report.bookings_moved,
    )


def plan_uses_settings(planned: MergePlan) -> bool:
    """Whether a merge plan writes the settings or rests on what they allow."""
    return bool(
        planned.templates or "category" in planned.filled_fields or planned.united_status.bits
    )


def fold_open_requests(tx: StoreTransaction, customer: int) -> None:
    """Leave ``customer`` one open request of each kind (see :func:`rules.folded_requests`)."""
    by_kind: dict[RequestKind, list[SubjectRequest]] = {}
    for request in tx.requests(open_only=True, customers=[customer]):
        by_kind.setdefault(request.kind, []).append(request)
    folded: list[int] = []
    redated: list[SubjectRequest] = []
    for open_requests in by_kind.values():
        if len(open_requests) < 2:
            continue
        kept, others = rules.folded_requests(open_requests)
        folded.extend(others)
        if kept not in open_requests:
            redated.append(kept)
    if folded:
        tx.delete_requests(folded)
    for kept in redated:
        tx.redate_request(kept.id, kept.received_on)
