"""The change history: recording every change in its transaction, and reading it back.

The book runs every write operation on a :class:`Journaled` transaction: the store transaction
with the history written alongside. It records what the use cases write through the port
(customers inserted and updated, settings stored, bookings stored, status runs, merges),
comparing each with the state the transaction read before, so that no use case can change a
customer without its entry, and none has to say so.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any, cast

import attrs

from custmodel import rules
from custmodel._usecases._common import Clock, Runner
from custmodel.model._booking import Booking
from custmodel.model._customer import Customer
from custmodel.model._history import (
    FieldChange,
    HistoryAction,
    HistoryEntry,
    HistoryQuery,
    HistoryStamp,
    check_actor,
    entry_for_customer,
)
from custmodel.model._merge import MergeRecord
from custmodel.model._selection import Selection
from custmodel.model._settings import Settings
from custmodel.storage.ports import SettingsLock, StoreTransaction

__all__ = ["Journal", "Journaled", "history_pages"]

#: The largest key of a bulk run: positive on every engine's BIGINT.
_MAX_OPERATION = 2**62


@attrs.frozen
class Journal:
    """How a book records its changes: who makes them, and whether they are recorded.

    Attributes:
        actor: Who the changes are recorded for (None: not named).
        on: False writes no entries (bulk migrations); anonymization still erases the
            personal values of the histories that exist.
    """

    actor: str | None = attrs.field(default=None, converter=check_actor)
    on: bool = True


def _action(before: Customer, after: Customer) -> HistoryAction:
    """What a stored change of a customer was, read from the change itself."""
    if after.merged_into is not None and before.merged_into is None:
        return HistoryAction.MERGED_INTO
    if after.is_anonymized and not before.is_anonymized:
        return HistoryAction.ANONYMIZED
    if after.kind != before.kind:
        return HistoryAction.KIND_CHANGED
    if after.customer_type != before.customer_type:
        return HistoryAction.TYPE_CHANGED
    if after.advertising_objections != before.advertising_objections:
        return HistoryAction.ADVERTISING_CHANGED
    return HistoryAction.UPDATED


def _booking_changes(before: Booking | None, after: Booking) -> tuple[FieldChange, ...]:
    changes = []
    for field in attrs.fields(Booking):
        if field.name in ("reference", "customer"):
            continue
        old = None if before is None else rules.value_text(getattr(before, field.name))
        new = rules.value_text(getattr(after, field.name))
        if old != new and not (before is None and new in (None, "")):
            changes.append(FieldChange(field.name, old, new))
    return tuple(changes)


class Journaled:
    """A store transaction whose changes are recorded in the history as they are written.

    Every port method is the store transaction's own; those that write also write their
    entries. Reads of customers, settings and bookings are kept as the state a later write
    is compared with.
    """

    def __init__(
        self,
        tx: StoreTransaction,
        journal: Journal,
        now: Clock,
        selection: Selection | None = None,
    ) -> None:
        """Record the changes made through ``tx`` for ``journal``.

        Args:
            selection: The selection a bulk status run was asked for (the use case may run it
                kind by kind); None when the operation is no such run.
        """
        self._tx = tx
        self._selection = selection
        self._journal = journal
        self._clock = now
        self._at: datetime | None = None
        self._customers: dict[int, Customer] = {}
        self._bookings: dict[str, Booking | None] = {}
        self._settings: Settings | None = None
        self._masters: dict[int, tuple[FieldChange, ...]] = {}
        self._run: HistoryEntry | None = None
        self._last_anonymized: HistoryEntry | None = None

    @property
    def transaction(self) -> StoreTransaction:
        """This object as the port type the use cases take."""
        return cast(StoreTransaction, self)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    def _now(self) -> datetime:
        if self._at is None:
            self._at = self._clock()
        return self._at

    def _entry(self, action: HistoryAction, **fields: Any) -> HistoryEntry:
        fields.setdefault("at", self._now())
        return HistoryEntry(action=action, actor=self._journal.actor, **fields)

    def _anonymized(self, after: Customer) -> HistoryEntry:
        """The ANONYMIZED entry of ``after``: the one before it for another customer when they
        were anonymized at the same time (a sweep's batch), else a new one."""
        last = self._last_anonymized
        if last is not None and last.at == after.updated_at:
            return entry_for_customer(last, after.number)
        entry = self._entry(HistoryAction.ANONYMIZED, at=after.updated_at, customer=after.number)
        self._last_anonymized = entry
        return entry

    # -- reads kept for comparison ------------------------------------------------------------

    def get_settings(self, *, lock: SettingsLock | None = None) -> Settings | None:
        found = self._tx.get_settings(lock=lock)
        self._settings = found or Settings()
        return found

    def allocate_numbers(self, count: int = 1) -> int:
        # Passed on as it is, like the methods __getattr__ finds, but found without it:
        # every registration takes numbers.
        return self._tx.allocate_numbers(count)

    def get_customer(self, number: int) -> Customer | None:
        found = self._tx.get_customer(number)
        if found is not None:
            self._customers[found.number] = found
        return found

    def get_customers(self, numbers: Collection[int]) -> dict[int, Customer]:
        found = self._tx.get_customers(numbers)
        self._customers.update(found)
        return found

    def get_booking(self, reference: str) -> Booking | None:
        found = self._tx.get_booking(reference)
        self._bookings[reference] = found
        return found

    # -- writes, recorded -----------------------------------------------------------------------

    def insert_customers(
        self, customers: Sequence[Customer], history: HistoryStamp | None = None
    ) -> None:
        del history  # this transaction stamps the registrations itself
        stamp = None
        if customers:
            stamp = HistoryStamp(at=customers[0].created_at, actor=self._journal.actor)
        self._tx.insert_customers(customers, stamp)
        self._customers.update((c.number, c) for c in customers)

    def update_customers(self, customers: Sequence[Customer]) -> list[Customer]:
        missing = [c.number for c in customers if c.number not in self._customers]
        before = (
            {**self._tx.get_customers(missing), **self._customers}
            if missing
            else dict(self._customers)
        )
        stored = self._tx.update_customers(customers)
        masters = {c.merged_into for c in stored if c.merged_into is not None}
        entries = []
        for after in stored:
            old = before.get(after.number)
            self._customers[after.number] = after
            if old is None:
                continue
            action = _action(old, after)
            # Anonymization replaced every personal field: its entry says so, and keeps none.
            changes = (
                () if action is HistoryAction.ANONYMIZED else rules.customer_changes(old, after)
            )
            if after.number in masters and after.merged_into is None:
                # The merge's master: its entry follows with the merge record.
                self._masters[after.number] = changes
            elif action is HistoryAction.MERGED_INTO:
                entries.append(
                    self._entry(
                        action,
                        at=after.updated_at,
                        customer=after.number,
                        changes=changes,
                        related=(after.merged_into,),
                    )
                )
            elif action is HistoryAction.ANONYMIZED:
                entries.append(self._anonymized(after))
            elif changes:
                entries.append(
                    self._entry(action, at=after.updated_at, customer=after.number, changes=changes)
                )
        self._tx.add_history(entries)
        return stored

    def add_merge_record(self, record: MergeRecord) -> MergeRecord:
        stored = self._tx.add_merge_record(record)
        self._tx.add_history(
            [
                self._entry(
                    HistoryAction.MERGED,
                    at=stored.merged_at,
                    customer=stored.master,
                    changes=self._masters.pop(stored.master, ()),
                    related=stored.duplicates,
                    count=stored.bookings_moved,
                )
            ]
        )
        return stored

    def put_settings(self, settings: Settings) -> None:
        old = self._settings if self._settings is not None else self._tx.get_settings()
        self._tx.put_settings(settings)
        changes = rules.settings_changes(old or Settings(), settings)
        self._settings = settings
        if not changes:
            return
        labels = all(".status_labels." in c.field for c in changes)
        action = HistoryAction.LABEL_CHANGED if labels else HistoryAction.SETTINGS_CHANGED
        self._tx.add_history([self._entry(action, changes=changes)])

    def put_booking(self, booking: Booking) -> None:
        if booking.reference in self._bookings:
            before = self._bookings[booking.reference]
        else:
            before = self._tx.get_booking(booking.reference)
        self._tx.put_booking(booking)
        self._bookings[booking.reference] = booking
        reference = booking.reference
        if before is None or before.customer == booking.customer:
            action = (
                HistoryAction.BOOKING_RECORDED if before is None else HistoryAction.BOOKING_CHANGED
            )
            changes = _booking_changes(before, booking)
            entries = [
                self._entry(action, customer=booking.customer, reference=reference, changes=changes)
            ]
        else:
            entries = [
                self._entry(
                    HistoryAction.BOOKING_MOVED_OUT,
                    customer=before.customer,
                    reference=reference,
                    related=(booking.customer,),
                ),
                self._entry(
                    HistoryAction.BOOKING_MOVED_IN,
                    customer=booking.customer,
                    reference=reference,
                    related=(before.customer,),
                ),
            ]
        self._tx.add_history(entries)

    def move_bookings(self, from_customers: Collection[int], to_customer: int) -> list[str]:
        self._bookings.clear()
        return self._tx.move_bookings(from_customers, to_customer)

    def set_status(self, selection: Selection, flag: int, on: bool, now: datetime, *_: Any) -> int:
        # A stamp the use case passed is replaced: this transaction stamps the run itself.
        if self._run is None:
            self._run = self._entry(
                HistoryAction.STATUS_SET_ON_SELECTION
                if on
                else HistoryAction.STATUS_CLEARED_ON_SELECTION,
                at=now,
                operation=1 + secrets.randbelow(_MAX_OPERATION),
                selection=self._selection or selection,
                flag=flag,
                count=0,
            )
        run = self._run
        stamp = HistoryStamp(at=now, operation=cast(int, run.operation), actor=run.actor)
        changed = self._tx.set_status(selection, flag, on, now, stamp)
        self._run = attrs.evolve(run, count=(run.count or 0) + changed)
        self._customers.clear()
        return changed

    def finish(self) -> None:
        """Write what is recorded at the end of the transaction: a bulk run's summary."""
        if self._run is not None:
            self._tx.add_history([self._run])
            self._run = None


def history_pages(run: Runner, query: HistoryQuery, batch_size: int) -> Iterator[HistoryEntry]:
    """Every entry ``query`` selects, read ``batch_size`` at a time, a transaction per page."""
    page_query = attrs.evolve(query, limit=batch_size)
    while True:
        page = run(functools.partial(_read, page_query), write=False)
        yield from page
        if len(page) < batch_size:
            return
        page_query = attrs.evolve(page_query, after=page[-1].id)


def _read(query: HistoryQuery, tx: StoreTransaction) -> list[HistoryEntry]:
    return tx.history(query)
