"""The in-memory store: a complete store for tests, demos and small embedded uses.

It keeps the domain objects in dictionaries with the same indexes a SQL store has (Code1,
debtor account, bookings by customer, the duplicate check's keys). A transaction writes
straight into them and keeps an undo log; when the transaction's block raises, the log is
played backwards, so a failed operation leaves the store exactly as it was. One lock
serializes transactions, which makes the store safe to share between threads of one process.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import attrs

from custmodel import rules
from custmodel._entrycheck import Lookup, candidate_lookups, customer_lookups
from custmodel._marks import DistinctMark
from custmodel.dedupe._types import CandidateKeys
from custmodel.errors import (
    ConcurrentUpdateError,
    CustomerNotFoundError,
    DebtorAccountError,
    InvalidInputError,
)
from custmodel.model._booking import Booking
from custmodel.model._checks import to_enum
from custmodel.model._customer import Customer, next_version
from custmodel.model._erasure import HostVeto
from custmodel.model._history import HistoryEntry, HistoryQuery, HistoryStamp
from custmodel.model._marketing import MarketingChoice
from custmodel.model._merge import MergeRecord
from custmodel.model._requests import RequestKind, SubjectRequest
from custmodel.model._retention import RetentionScan
from custmodel.model._selection import Selection
from custmodel.model._settings import Settings
from custmodel.model._statistics import DeparturePeriod, Statistics, StatisticsDimension
from custmodel.storage import _hostdata
from custmodel.storage.ports import SettingsLock, StoreTransaction

__all__ = ["HostEraser", "HostVetoCheck", "MemoryStore", "ReferenceMover"]

#: A host reference of the memory store: ``mover(customers, None)`` counts the host's rows that
#: point at ``customers``; ``mover(customers, master)`` points them at ``master`` and returns how
#: many moved.
ReferenceMover = Callable[[frozenset[int], int | None], int]

#: Erases (or blanks) the host's personal data of the customers; returns the rows it erased.
HostEraser = Callable[[frozenset[int]], int]

#: Returns customer -> reason for each of the customers the host objects to anonymizing. The
#: reason is a short text without personal data (it shows in eligibility explanations).
HostVetoCheck = Callable[[frozenset[int]], Mapping[int, str]]


class _State:
    """The data of a memory store and its indexes."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.counter = 0
        self.customers: dict[int, Customer] = {}
        self.by_account: dict[int, int] = {}
        self.by_code1: defaultdict[str, set[int]] = defaultdict(set)
        #: The entry check's lookups (custmodel._entrycheck.customer_lookups) -> numbers.
        self.by_lookup: defaultdict[Lookup, set[int]] = defaultdict(set)
        self.bookings: dict[str, Booking] = {}
        self.bookings_by_customer: defaultdict[int, set[str]] = defaultdict(set)
        self.references: dict[str, ReferenceMover] = {}
        self.erasers: dict[str, HostEraser] = {}
        self.vetoes: dict[str, HostVetoCheck] = {}
        self.merges: list[MergeRecord] = []
        self.requests: dict[int, SubjectRequest] = {}
        #: The last request id given: ids of deleted requests are not given again.
        self.request_ids = 0
        self.marks: dict[tuple[int, int], DistinctMark] = {}
        self.choices: dict[int, MarketingChoice] = {}
        #: The last marketing choice id given: ids of deleted entries are not given again.
        self.choice_ids = 0
        self.marks_by_customer: defaultdict[int, set[tuple[int, int]]] = defaultdict(set)
        #: The change history by id (ids ascend in insertion order) and its indexes.
        self.history: dict[int, HistoryEntry] = {}
        self.history_ids = 0
        #: Whose history an entry is part of (its customer, or the master it was merged into).
        self.history_owner: dict[int, int] = {}
        self.history_by_owner: defaultdict[int, list[int]] = defaultdict(list)
        self.history_by_operation: defaultdict[int, list[int]] = defaultdict(list)


class _MemoryTransaction:
    """A transaction on a :class:`MemoryStore`; see :class:`StoreTransaction`."""

    def __init__(self, state: _State) -> None:
        self._s = state
        self._undo: list[Callable[[], None]] = []

    def rollback(self) -> None:
        while self._undo:
            self._undo.pop()()

    # -- settings ---------------------------------------------------------------------------

    def get_settings(self, *, lock: SettingsLock | None = None) -> Settings | None:
        # One lock serializes every transaction: what was read stays as read until the end.
        del lock
        return self._s.settings

    def put_settings(self, settings: Settings) -> None:
        old = self._s.settings
        self._s.settings = settings
        self._undo.append(lambda: setattr(self._s, "settings", old))

    # -- numbering --------------------------------------------------------------------------

    def allocate_numbers(self, count: int = 1) -> int:
        if count < 1:
            raise InvalidInputError("allocate at least one customer number")
        first = self._s.counter + 1
        self._s.counter += count
        self._undo.append(lambda: setattr(self._s, "counter", first - 1))
        return first

    # -- customers --------------------------------------------------------------------------

    def _unindex_code1(self, code1: str, number: int) -> None:
        """Remove ``number`` from the Code1 index, and the Code1 text once nobody has it.

        An empty entry would keep the text of an anonymized customer's Code1 alive (R9).
        """
        numbers = self._s.by_code1.get(code1)
        if numbers is not None:
            numbers.discard(number)
            if not numbers:
                del self._s.by_code1[code1]

    def _index_lookups(self, customer: Customer, *, on: bool) -> None:
        """Add ``customer`` to the entry check's index, or take it out (no empty entry stays)."""
        for lookup in customer_lookups(customer):
            if lookup[1] in ("", None):
                continue
            if on:
                self._s.by_lookup[lookup].add(customer.number)
                continue
            numbers = self._s.by_lookup.get(lookup)
            if numbers is not None:
                numbers.discard(customer.number)
                if not numbers:
                    del self._s.by_lookup[lookup]

    def _store(self, customer: Customer) -> None:
        """Put ``customer`` into the tables and indexes, undoably."""
        s = self._s
        old = s.customers.get(customer.number)
        if old is not None:
            s.by_account.pop(old.debtor_account, None)
            self._unindex_code1(old.code1, old.number)
            self._index_lookups(old, on=False)
        s.customers[customer.number] = customer
        s.by_account[customer.debtor_account] = customer.number
        s.by_code1[customer.code1].add(customer.number)
        self._index_lookups(customer, on=True)

        def undo() -> None:
            s.by_account.pop(customer.debtor_account, None)
            self._unindex_code1(customer.code1, customer.number)
            self._index_lookups(customer, on=False)
            if old is None:
                del s.customers[customer.number]
            else:
                s.customers[old.number] = old
                s.by_account[old.debtor_account] = old.number
                s.by_code1[old.code1].add(old.number)
                self._index_lookups(old, on=True)

        self._undo.append(undo)

    def insert_customers(
        self, customers: Sequence[Customer], history: HistoryStamp | None = None
    ) -> None:
        accounts: set[int] = set()
        numbers: set[int] = set()
        for customer in customers:
            if customer.number in self._s.customers or customer.number in numbers:
                raise InvalidInputError(f"customer number {customer.number} is taken")
            if customer.debtor_account in self._s.by_account or customer.debtor_account in accounts:
                raise DebtorAccountError(f"debtor account {customer.debtor_account} is taken")
            accounts.add(customer.debtor_account)
            numbers.add(customer.number)
        for customer in customers:
            self._store(customer)
        if history is not None:
            self.add_history(rules.stamped_entries((c.number for c in customers), history))

    def get_customer(self, number: int) -> Customer | None:
        return self._s.customers.get(number)

    def get_customers(self, numbers: Collection[int]) -> dict[int, Customer]:
        found = (self._s.customers.get(n) for n in numbers)
        return {c.number: c for c in found if c is not None}

    def customer_by_debtor_account(self, account: int) -> Customer | None:
        number = self._s.by_account.get(account)
        return None if number is None else self._s.customers[number]

    def debtor_accounts_taken(self, accounts: Collection[int]) -> set[int]:
        return {a for a in accounts if a in self._s.by_account}

    def update_customers(self, customers: Sequence[Customer]) -> list[Customer]:
        claimed: dict[int, int] = {}
        for customer in customers:
            stored = self._s.customers.get(customer.number)
            if stored is None:
                raise CustomerNotFoundError(
                    f"customer {customer.number} not found", number=customer.number
                )
            if stored.version != customer.version:
                raise ConcurrentUpdateError(customer.number, customer.version, stored.version)
            # Taken: held by another stored customer, or claimed by another one of this batch.
            holder = self._s.by_account.get(customer.debtor_account, customer.number)
            claimant = claimed.setdefault(customer.debtor_account, customer.number)
            if customer.number != holder or customer.number != claimant:
                raise DebtorAccountError(f"debtor account {customer.debtor_account} is taken")
        result = [next_version(c) for c in customers]
        for customer in result:
            self._store(customer)
        return result

    def duplicate_candidates(self, keys: CandidateKeys, max_per_value: int) -> list[Customer]:
        customers = self._s.customers
        found: set[int] = set()
        for lookup in candidate_lookups(keys):
            holders = [
                n
                for n in self._s.by_lookup.get(lookup, ())
                if customers[n].merged_into is None and customers[n].anonymized_at is None
            ]
            if len(holders) <= max_per_value:
                found.update(holders)
        return [customers[n] for n in sorted(found)]

    def find_by_code1(self, code1: str) -> list[Customer]:
        numbers = sorted(self._s.by_code1.get(code1, ()))
        found = (self._s.customers[n] for n in numbers)
        return [c for c in found if c.is_active]

    def _matching(self, selection: Selection) -> Iterator[Customer]:
        customers = self._s.customers
        if selection.code1 is not None:
            candidates = (customers[n] for n in sorted(self._s.by_code1.get(selection.code1, ())))
        else:
            candidates = (customers[n] for n in sorted(customers))
        return (c for c in candidates if selection.matches(c))

    def select(self, selection: Selection) -> list[Customer]:
        return list(self._matching(selection))

    def count(self, selection: Selection) -> int:
        return sum(1 for _ in self._matching(selection))

    def select_page(self, selection: Selection, after: int, limit: int) -> list[Customer]:
        if limit < 1:
            return []
        page = (c for c in self._matching(selection) if c.number > after)
        return list(itertools.islice(page, limit))

    def set_status(
        self,
        selection: Selection,
        flag: int,
        on: bool,
        now: datetime,
        history: HistoryStamp | None = None,
    ) -> int:
        changed = []
        for customer in self._matching(selection):
            status = customer.status.with_flag(flag) if on else customer.status.without_flag(flag)
            if status != customer.status:
                changed.append(
                    attrs.evolve(
                        customer, status=status, updated_at=now, version=customer.version + 1
                    )
                )
        for customer in changed:
            self._store(customer)
        if history is not None:
            self.add_history(rules.stamped_entries((c.number for c in changed), history, flag, on))
        return len(changed)

    def kinds_in(self, selection: Selection) -> set[str]:
        return {c.kind.value for c in self._matching(selection)}

    # -- bookings ---------------------------------------------------------------------------

    def get_booking(self, reference: str) -> Booking | None:
        return self._s.bookings.get(reference)

    def _put(self, booking: Booking) -> None:
        s = self._s
        old = s.bookings.get(booking.reference)
        if old is not None:
            s.bookings_by_customer[old.customer].discard(old.reference)
        s.bookings[booking.reference] = booking
        s.bookings_by_customer[booking.customer].add(booking.reference)

        def undo() -> None:
            s.bookings_by_customer[booking.customer].discard(booking.reference)
            if old is None:
                del s.bookings[booking.reference]
            else:
                s.bookings[old.reference] = old
                s.bookings_by_customer[old.customer].add(old.reference)

        self._undo.append(undo)

    def _require(self, number: int) -> None:
        """Refuse a reference to a customer that is not stored, as SQL foreign keys do."""
        if number not in self._s.customers:
            raise CustomerNotFoundError(f"customer {number} not found", number=number)

    def put_booking(self, booking: Booking) -> None:
        self._require(booking.customer)
        self._put(booking)

    def bookings_of(self, customers: Collection[int]) -> list[Booking]:
        refs = set().union(*(self._s.bookings_by_customer.get(n, set()) for n in customers))
        return [self._s.bookings[r] for r in sorted(refs)]

    def blocking_bookings(
        self, customers: Collection[int], acting_agency: str, cutoff: date
    ) -> list[Booking]:
        return [
            b for b in self.bookings_of(customers) if rules.blocks_erasure(b, acting_agency, cutoff)
        ]

    def booking_references(self, customers: Collection[int]) -> list[str]:
        return sorted(set().union(*(self._s.bookings_by_customer.get(n, set()) for n in customers)))

    def move_bookings(self, from_customers: Collection[int], to_customer: int) -> list[str]:
        self._require(to_customer)
        moving = self.bookings_of(from_customers)
        for booking in moving:
            self._put(attrs.evolve(booking, customer=to_customer))
        return [b.reference for b in moving]

    # -- statistics -----------------------------------------------------------------------------

    def statistics(
        self,
        selection: Selection,
        group_by: Sequence[StatisticsDimension],
        period: DeparturePeriod,
    ) -> Statistics:
        customers = list(self._matching(attrs.evolve(selection, include_merged=False)))
        bookings = self.bookings_of([c.number for c in customers])
        return rules.count_statistics(customers, bookings, group_by, period)

    # -- host references ----------------------------------------------------------------------

    def reference_counts(self, customers: Collection[int]) -> dict[str, int]:
        group = frozenset(customers)
        return {name: mover(group, None) for name, mover in sorted(self._s.references.items())}

    def move_references(self, from_customers: Collection[int], to_customer: int) -> dict[str, int]:
        # The host's own rows cannot be rolled back from here; the book moves references
        # last, after every check that could refuse the merge.
        group = frozenset(from_customers)
        return {
            name: mover(group, to_customer) for name, mover in sorted(self._s.references.items())
        }

    def unregistered_references(self) -> list[str]:
        return []

    # -- the host's personal data -------------------------------------------------------------

    def erase_host_data(self, customers: Collection[int]) -> dict[str, int]:
        # The host's own rows cannot be rolled back from here; anonymization erases them
        # last, after every check that could refuse it.
        group = frozenset(customers)
        return {
            name: _hostdata.rows_erased(name, eraser(group)) if group else 0
            for name, eraser in sorted(self._s.erasers.items())
        }

    def host_vetoes(self, customers: Collection[int]) -> dict[int, tuple[HostVeto, ...]]:
        group = frozenset(customers)
        if not group:
            return {}
        answers = [(name, veto(group)) for name, veto in sorted(self._s.vetoes.items())]
        return _hostdata.collect_vetoes(answers, group)

    # -- merge audit ----------------------------------------------------------------------------

    def add_merge_record(self, record: MergeRecord) -> MergeRecord:
        for number in (record.master, *record.duplicates):
            self._require(number)
        stored = attrs.evolve(record, id=len(self._s.merges) + 1)
        merges = self._s.merges
        merges.append(stored)
        self._undo.append(lambda: merges.remove(stored))
        return stored

    def merge_records(self, customer: int | None = None) -> list[MergeRecord]:
        return [
            r
            for r in self._s.merges
            if customer is None or customer == r.master or customer in r.duplicates
        ]

    # -- "not a duplicate" marks -----------------------------------------------------------------

    def _index_mark(self, mark: DistinctMark, *, on: bool) -> None:
        s = self._s
        if on:
            s.marks[mark.pair] = mark
        else:
            del s.marks[mark.pair]
        for number in mark.pair:
            pairs = s.marks_by_customer[number]
            if on:
                pairs.add(mark.pair)
            else:
                pairs.discard(mark.pair)
                if not pairs:
                    del s.marks_by_customer[number]

    def add_distinct_mark(self, mark: DistinctMark) -> DistinctMark:
        if not isinstance(mark, DistinctMark):
            raise InvalidInputError("add_distinct_mark takes a DistinctMark")
        for number in mark.pair:
            self._require(number)
        stored = self._s.marks.get(mark.pair)
        if stored is not None:
            return stored
        self._index_mark(mark, on=True)
        self._undo.append(functools.partial(self._index_mark, mark, on=False))
        return mark

    def distinct_marks(self, numbers: Collection[int] | None = None) -> list[DistinctMark]:
        if numbers is None:
            pairs: Iterable[tuple[int, int]] = self._s.marks
        else:
            by_customer = self._s.marks_by_customer
            pairs = set().union(*(by_customer.get(n, ()) for n in numbers))
        return [self._s.marks[p] for p in sorted(pairs)]

    def remove_distinct_marks(self, pairs: Collection[tuple[int, int]]) -> int:
        removing = [self._s.marks[p] for p in dict.fromkeys(pairs) if p in self._s.marks]
        for mark in removing:
            self._index_mark(mark, on=False)
            self._undo.append(functools.partial(self._index_mark, mark, on=True))
        return len(removing)

    # -- data-subject requests ------------------------------------------------------------------

    def _put_request(self, request: SubjectRequest) -> None:
        stored = self._s.requests
        old = stored.get(request.id)
        stored[request.id] = request

        def undo() -> None:
            if old is None:
                del stored[request.id]
            else:
                stored[old.id] = old

        self._undo.append(undo)

    def add_request(
        self, kind: RequestKind, customer: int, received_on: date, recorded_at: datetime
    ) -> SubjectRequest:
        self._require(customer)
        request = SubjectRequest(
            id=self._s.request_ids + 1,
            customer=customer,
            received_on=received_on,
            recorded_at=recorded_at,
            kind=kind,
        )
        self._put_request(request)
        self._s.request_ids = request.id
        self._undo.append(lambda: setattr(self._s, "request_ids", request.id - 1))
        return request

    def requests(
        self,
        *,
        kinds: Collection[RequestKind] | None = None,
        open_only: bool = True,
        customers: Collection[int] | None = None,
    ) -> list[SubjectRequest]:
        wanted = None if customers is None else set(customers)
        of_kind = None if kinds is None else {to_enum(RequestKind, k) for k in kinds}
        return [
            r
            for _, r in sorted(self._s.requests.items())
            if (not open_only or r.is_open)
            and (wanted is None or r.customer in wanted)
            and (of_kind is None or r.kind in of_kind)
        ]

    def move_requests(self, from_customers: Collection[int], to_customer: int) -> int:
        self._require(to_customer)
        moving = self.requests(open_only=False, customers=from_customers)
        for request in moving:
            self._put_request(attrs.evolve(request, customer=to_customer))
        return len(moving)

    def complete_requests(
        self, kind: RequestKind, customers: Collection[int], when: datetime
    ) -> int:
        completing = self.requests(
            kinds=[to_enum(RequestKind, kind)], open_only=True, customers=customers
        )
        for request in completing:
            self._put_request(attrs.evolve(request, completed_at=when))
        return len(completing)

    def redate_request(self, request_id: int, received_on: date) -> SubjectRequest | None:
        request = self._s.requests.get(request_id)
        if request is None or not request.is_open:
            return None
        redated = attrs.evolve(request, received_on=received_on)
        self._put_request(redated)
        return redated

    def delete_requests(self, request_ids: Collection[int]) -> int:
        stored = self._s.requests
        deleting = [stored[i] for i in set(request_ids) if i in stored and stored[i].is_open]
        for request in deleting:
            del stored[request.id]
            self._undo.append(functools.partial(stored.__setitem__, request.id, request))
        return len(deleting)

    def due_erasures(
        self, acting_agency: str, cutoff: date, after: int, limit: int, *, received_by: date
    ) -> list[int]:
        return rules.due_for_erasure(
            self._s.customers,
            self._s.requests.values(),
            lambda number: self.bookings_of([number]),
            acting_agency,
            cutoff,
            after,
            limit,
            received_by=received_by,
        )

    def due_retention(self, scan: RetentionScan) -> list[int]:
        return rules.due_for_retention(
            self._s.customers, lambda number: self.bookings_of([number]), scan
        )

    # -- change history -------------------------------------------------------------------------

    def _own(self, entry_id: int, owner: int | None) -> None:
        """Make entry ``entry_id`` part of ``owner``'s history (None: of nobody's), undoably."""
        self._undo.append(
            functools.partial(self._set_owner, entry_id, self._s.history_owner.get(entry_id))
        )
        self._set_owner(entry_id, owner)

    def _set_owner(self, entry_id: int, owner: int | None) -> None:
        s = self._s
        current = s.history_owner.pop(entry_id, None)
        if current is not None:
            s.history_by_owner[current].remove(entry_id)
        if owner is not None:
            s.history_owner[entry_id] = owner
            bisect.insort(s.history_by_owner[owner], entry_id)

    def add_history(self, entries: Sequence[HistoryEntry]) -> None:
        batch = list(entries)
        if not all(isinstance(e, HistoryEntry) for e in batch):
            raise InvalidInputError("add_history takes HistoryEntry objects")
        for number in sorted({e.customer for e in batch if e.customer is not None}):
            self._require(number)
        s = self._s
        first = s.history_ids + 1
        stored = [attrs.evolve(e, id=first + offset) for offset, e in enumerate(batch)]

        def undo() -> None:
            for entry in stored:
                del s.history[entry.id]
                if entry.operation is not None:
                    s.history_by_operation[entry.operation].remove(entry.id)
            s.history_ids = first - 1

        # Undone last, after the owners the loop gives (undo runs backwards).
        self._undo.append(undo)
        for entry in stored:
            s.history[entry.id] = entry
            self._own(entry.id, entry.customer)
            if entry.operation is not None:
                s.history_by_operation[entry.operation].append(entry.id)
        s.history_ids += len(batch)

    def history(self, query: HistoryQuery) -> list[HistoryEntry]:
        s = self._s
        if query.customers is None:
            ids: Iterable[int] = s.history
        else:
            ids = sorted(i for n in query.customers for i in s.history_by_owner.get(n, ()))
        found = (s.history[i] for i in ids if query.matches(s.history[i], s.history_owner.get(i)))
        return list(itertools.islice(found, query.limit))

    def move_history(self, from_customers: Collection[int], to_customer: int) -> int:
        s = self._s
        moving = [i for n in set(from_customers) for i in s.history_by_owner.get(n, ())]
        for entry_id in moving:
            self._own(entry_id, to_customer)
        return len(moving)

    def erase_history(self, customers: Collection[int], when: datetime) -> int:
        s = self._s
        ids = {i for n in set(customers) for i in s.history_by_owner.get(n, ())}
        for operation in {s.history[i].operation for i in ids}:
            summary = s.history_by_operation.get(operation, []) if operation else []
            ids.update(i for i in summary if s.history[i].customer is None)
        erased = 0
        for entry_id in sorted(ids):
            entry = s.history[entry_id]
            cleaned = rules.erased_entry(entry, when)
            if cleaned is not entry:
                s.history[entry_id] = cleaned
                self._undo.append(functools.partial(s.history.__setitem__, entry_id, entry))
                erased += 1
        return erased

    # -- marketing choices ----------------------------------------------------------------------

    def _put_choice(self, choice: MarketingChoice) -> None:
        choices = self._s.choices
        old = choices.get(choice.id)
        choices[choice.id] = choice

        def undo() -> None:
            if old is None:
                del choices[choice.id]
            else:
                choices[old.id] = old

        self._undo.append(undo)

    def add_marketing_choices(self, choices: Sequence[MarketingChoice]) -> list[MarketingChoice]:
        entries = list(choices)
        if not all(isinstance(c, MarketingChoice) for c in entries):
            raise InvalidInputError("add_marketing_choices takes MarketingChoice entries")
        for number in sorted({c.customer for c in entries}):
            self._require(number)
        first = self._s.choice_ids + 1
        stored = [attrs.evolve(c, id=first + i) for i, c in enumerate(entries)]
        for choice in stored:
            self._put_choice(choice)
        self._s.choice_ids += len(stored)
        self._undo.append(lambda: setattr(self._s, "choice_ids", first - 1))
        return stored

    def marketing_choices(self, customers: Collection[int]) -> list[MarketingChoice]:
        wanted = set(customers)
        return [c for _, c in sorted(self._s.choices.items()) if c.customer in wanted]

    def move_marketing_choices(self, from_customers: Collection[int], to_customer: int) -> int:
        self._require(to_customer)
        moving = self.marketing_choices(from_customers)
        for choice in moving:
            self._put_choice(attrs.evolve(choice, customer=to_customer))
        return len(moving)

    def delete_marketing_choices(self, ids: Collection[int]) -> int:
        choices = self._s.choices
        deleting = [choices[i] for i in set(ids) if i in choices]
        for choice in deleting:
            del choices[choice.id]
            self._undo.append(functools.partial(choices.__setitem__, choice.id, choice))
        return len(deleting)

    def blank_marketing_choices(self, ids: Collection[int]) -> int:
        choices = self._s.choices
        blanking = [choices[i] for i in set(ids) if i in choices]
        for choice in blanking:
            self._put_choice(attrs.evolve(choice, source="", note=""))
        return len(blanking)


class MemoryStore:
    """A store that keeps everything in this process; nothing survives the process.

    Example:
        >>> from custmodel import CustomerBook, Settings
        >>> book = CustomerBook(MemoryStore(), Settings())
    """

    def __init__(self) -> None:
        self._state = _State()
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[StoreTransaction]:
        """Open a transaction; see :meth:`custmodel.storage.CustomerStore.transaction`."""
        del write  # one lock serves readers and writers alike
        with self._lock:
            tx = _MemoryTransaction(self._state)
            try:
                yield tx
            except BaseException:
                tx.rollback()
                raise

    def register_reference(
        self, name: str, mover: ReferenceMover, *, eraser: HostEraser | None = None
    ) -> None:
        """Register a host reference, so that merges move it (see :data:`ReferenceMover`).

        Registering the same name again with the same mover and the same eraser (or, as
        before, none) changes nothing, so start-up code may run twice; the functions are
        compared with ``==`` (a bound method of the same object is the same).

        Args:
            name: How plans and reports name it, e.g. "invoices.customer".
            mover: Counts (with ``None``) or moves (with the master's number) the host's rows.
            eraser: Blanks the personal data of the host's rows of the customers anonymization
                erases, as :meth:`register_eraser` registers it, under the same name.

        Raises:
            InvalidInputError: for an empty name, or one registered already with another mover
                or eraser.
        """
        _hostdata.registration_name(name, "reference")
        with self._lock:
            state = self._state
            if state.references.get(name) == mover and state.erasers.get(name) == eraser:
                return  # the same registration again
            if name in state.references or (eraser is not None and name in state.erasers):
                raise InvalidInputError(f"host reference {name!r} is registered already")
            state.references[name] = mover
            if eraser is not None:
                state.erasers[name] = eraser

    @property
    def erasers(self) -> list[str]:
        """The names of the registered erasers, sorted."""
        return sorted(self._state.erasers)

    @property
    def vetoes(self) -> list[str]:
        """The names of the registered vetoes, sorted."""
        return sorted(self._state.vetoes)

    def register_eraser(self, name: str, eraser: HostEraser) -> None:
        """Register a function that erases the host's personal data of anonymized customers.

        Anonymization (single and the sweep) calls ``eraser(customers)`` with the customers it
        anonymizes, in its transaction and after every check, and reports the rows it returns
        under ``name``. The memory store cannot undo the host's changes: if an eraser raises,
        the customers stay as they were, but an eraser that ran before it keeps what it did.

        Raises:
            InvalidInputError: for an empty name or one registered already.
        """
        self._register(self._state.erasers, "eraser", name, eraser)

    def register_veto(self, name: str, veto: HostVetoCheck) -> None:
        """Register a function that may object to anonymizing customers (see :data:`HostVetoCheck`).

        Eligibility, anonymization, the erasure requests' states and the sweep ask it, once
        for all the customers they decide on; a vetoed customer is not eligible, with a
        :class:`~custmodel.model.HostVeto` (``name``, reason) in its eligibility. The reason
        must be a short text (at most 200 characters) without personal data.

        Raises:
            InvalidInputError: for an empty name or one registered already.
        """
        self._register(self._state.vetoes, "veto", name, veto)

    def _register(self, registry: dict[str, Any], what: str, name: str, function: Any) -> None:
        """Add a host's ``function`` to ``registry`` under ``name``, which must be new."""
        _hostdata.registration_name(name, what)
        with self._lock:
            if name in registry:
                raise InvalidInputError(f"host {what} {name!r} is registered already")
            registry[name] = function

    @contextmanager
    def hold_customer(self, number: int) -> Iterator[int]:
        """Hold customer ``number`` against merges while the block writes the host's rows.

        Yields the number of the active customer ``number`` stands for (following merges to
        the master): write that one. The block runs under the store's lock, so no merge (and
        no other transaction) runs until it ends, and a host row written in it is in place
        before a later merge moves the host's references. Keep the block short, and do not
        wait in it for another thread that uses the store.

        Raises:
            CustomerNotFoundError: if no customer has ``number``.
            InvalidInputError: if ``number`` is no whole number.
        """
        if isinstance(number, bool) or not isinstance(number, int):
            raise InvalidInputError("a customer number is a whole number")
        with self._lock:
            customer = self._state.customers.get(number)
            seen: set[int] = set()
            while customer is not None and customer.merged_into is not None:
                if customer.number in seen:
                    raise CustomerNotFoundError(f"merge chain of customer {number} does not end")
                seen.add(customer.number)
                customer = self._state.customers.get(customer.merged_into)
            if customer is None:
                raise CustomerNotFoundError(f"customer {number} not found", number=number)
            yield customer.number

    def purge(self) -> None:
        """Nothing to purge: the memory store keeps no old versions."""

    def close(self) -> None:
        """Nothing to release; present for the port."""

    def __repr__(self) -> str:
        return f"MemoryStore({len(self._state.customers)} customers)"
