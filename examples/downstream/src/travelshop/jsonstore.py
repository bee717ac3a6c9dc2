"""A customer store in one JSON file: an adapter of custmodel's storage port, written outside it.

The whole store lives in memory. Each transaction works on a copy of it; when the transaction
ends without an error and has changed something, the copy is written to the file (a temporary
file that then replaces the old one, so the file is always complete) and becomes the store's
state. A transaction that raises, or whose file cannot be written, leaves store and file as they
were. Opening a store reads the file it names, if there is one.

A toy for small data: every write rewrites the whole file, nothing is synced to disk, and only
one process may use a file at a time (threads of that process are serialized by a lock).
custmodel's contract suite and state machine prove that it behaves like custmodel's own stores;
see the tests beside this project.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from custmodel import DistinctMark, rules
from custmodel.dedupe import CandidateKeys
from custmodel.errors import (
    ConcurrentUpdateError,
    CustomerNotFoundError,
    DebtorAccountError,
    InvalidInputError,
    StoreError,
)
from custmodel.model import (
    Booking,
    Customer,
    DeparturePeriod,
    HistoryEntry,
    HistoryQuery,
    HistoryStamp,
    HostVeto,
    MarketingChoice,
    MergeRecord,
    RequestKind,
    RetentionScan,
    Selection,
    Settings,
    Statistics,
    StatisticsDimension,
    SubjectRequest,
    to_enum,
)
from custmodel.serialization import make_converter
from custmodel.storage import (
    SettingsLock,
    StoreTransaction,
    candidate_lookups,
    customer_lookups,
)

if TYPE_CHECKING:
    from cattrs.preconf.json import JsonConverter

__all__ = ["JsonFileStore"]

#: The version of the file layout, written into every file.
FORMAT = 1


@attrs.define
class _State:
    """Everything a store holds."""

    settings: Settings | None = None
    last_number: int = 0
    customers: dict[int, Customer] = attrs.Factory(dict)
    bookings: dict[str, Booking] = attrs.Factory(dict)
    merge_records: list[MergeRecord] = attrs.Factory(list)
    #: The requests of every kind (the file keeps them under their first name).
    erasure_requests: dict[int, SubjectRequest] = attrs.Factory(dict)
    #: The last request id given: ids of deleted requests are not given again.
    last_erasure_request_id: int = 0
    distinct_marks: dict[tuple[int, int], DistinctMark] = attrs.Factory(dict)
    #: The ledger of objections and consents to advertising, by id.
    marketing_choices: dict[int, MarketingChoice] = attrs.Factory(dict)
    #: The last ledger id given: ids of deleted entries are not given again.
    last_marketing_choice_id: int = 0
    #: The change history by id, whose history each entry is part of, and the last id given.
    history: dict[int, HistoryEntry] = attrs.Factory(dict)
    history_owners: dict[int, int] = attrs.Factory(dict)
    last_history_id: int = 0

    def copy(self) -> _State:
        """A copy a transaction may change (the domain objects are immutable and shared)."""
        return _State(
            self.settings,
            self.last_number,
            dict(self.customers),
            dict(self.bookings),
            list(self.merge_records),
            dict(self.erasure_requests),
            self.last_erasure_request_id,
            dict(self.distinct_marks),
            dict(self.marketing_choices),
            self.last_marketing_choice_id,
            dict(self.history),
            dict(self.history_owners),
            self.last_history_id,
        )


class _JsonFileTransaction:
    """A transaction on a :class:`JsonFileStore`: the port's methods on a copy of the state."""

    def __init__(self, state: _State) -> None:
        self.state = state
        self.changed = False

    def _require(self, number: int) -> None:
        """Refuse a reference to a customer that is not stored, as a foreign key would."""
        if number not in self.state.customers:
            raise CustomerNotFoundError(f"customer {number} not found", number=number)

    def _account_holders(self) -> dict[int, int]:
        return {c.debtor_account: c.number for c in self.state.customers.values()}

    # -- settings and numbering ---------------------------------------------------------------

    def get_settings(self, *, lock: SettingsLock | None = None) -> Settings | None:
        # The store's lock serializes transactions, so nothing read can change before commit.
        del lock
        return self.state.settings

    def put_settings(self, settings: Settings) -> None:
        self.state.settings = settings
        self.changed = True

    def allocate_numbers(self, count: int = 1) -> int:
        if count < 1:
            raise InvalidInputError("allocate at least one customer number")
        first = self.state.last_number + 1
        self.state.last_number += count
        self.changed = True
        return first

    # -- customers ------------------------------------------------------------------------------

    def insert_customers(
        self, customers: Sequence[Customer], history: HistoryStamp | None = None
    ) -> None:
        holders = self._account_holders()
        numbers: set[int] = set()
        accounts: set[int] = set()
        for customer in customers:
            if customer.number in self.state.customers or customer.number in numbers:
                raise InvalidInputError(f"customer number {customer.number} is taken")
            if customer.debtor_account in holders or customer.debtor_account in accounts:
                raise DebtorAccountError(f"debtor account {customer.debtor_account} is taken")
            numbers.add(customer.number)
            accounts.add(customer.debtor_account)
        for customer in customers:
            self.state.customers[customer.number] = customer
        self.changed = True
        if history is not None:
            self.add_history(rules.stamped_entries((c.number for c in customers), history))

    def get_customer(self, number: int) -> Customer | None:
        return self.state.customers.get(number)

    def get_customers(self, numbers: Collection[int]) -> dict[int, Customer]:
        found = (self.state.customers.get(n) for n in numbers)
        return {c.number: c for c in found if c is not None}

    def customer_by_debtor_account(self, account: int) -> Customer | None:
        number = self._account_holders().get(account)
        return None if number is None else self.state.customers[number]

    def debtor_accounts_taken(self, accounts: Collection[int]) -> set[int]:
        holders = self._account_holders()
        return {a for a in accounts if a in holders}

    def update_customers(self, customers: Sequence[Customer]) -> list[Customer]:
        holders = self._account_holders()
        claimed: dict[int, int] = {}
        for customer in customers:
            stored = self.state.customers.get(customer.number)
            if stored is None:
                raise CustomerNotFoundError(
                    f"customer {customer.number} not found", number=customer.number
                )
            if stored.version != customer.version:
                raise ConcurrentUpdateError(customer.number, customer.version, stored.version)
            # Taken: held by another stored customer, or claimed by another one of this batch.
            holder = holders.get(customer.debtor_account, customer.number)
            claimant = claimed.setdefault(customer.debtor_account, customer.number)
            if customer.number != holder or customer.number != claimant:
                raise DebtorAccountError(f"debtor account {customer.debtor_account} is taken")
        stored_now = [attrs.evolve(c, version=c.version + 1) for c in customers]
        for customer in stored_now:
            self.state.customers[customer.number] = customer
        self.changed = True
        return stored_now

    def find_by_code1(self, code1: str) -> list[Customer]:
        return [c for c in self._by_number() if c.code1 == code1 and c.is_active]

    def _by_number(self) -> list[Customer]:
        return [self.state.customers[n] for n in sorted(self.state.customers)]

    def select(self, selection: Selection) -> list[Customer]:
        return [c for c in self._by_number() if selection.matches(c)]

    def count(self, selection: Selection) -> int:
        return len(self.select(selection))

    def select_page(self, selection: Selection, after: int, limit: int) -> list[Customer]:
        if limit < 1:
            return []
        return [c for c in self.select(selection) if c.number > after][:limit]

    def set_status(
        self,
        selection: Selection,
        flag: int,
        on: bool,
        now: datetime,
        history: HistoryStamp | None = None,
    ) -> int:
        changed = []
        for customer in self.select(selection):
            status = customer.status.with_flag(flag) if on else customer.status.without_flag(flag)
            if status != customer.status:
                changed.append(
                    attrs.evolve(
                        customer, status=status, updated_at=now, version=customer.version + 1
                    )
                )
        for customer in changed:
            self.state.customers[customer.number] = customer
        self.changed = self.changed or bool(changed)
        if history is not None:
            self.add_history(rules.stamped_entries((c.number for c in changed), history, flag, on))
        return len(changed)

    # -- change history -------------------------------------------------------------------------

    def add_history(self, entries: Sequence[HistoryEntry]) -> None:
        for entry in entries:
            if entry.customer is not None:
                self._require(entry.customer)
        for entry in entries:
            self.state.last_history_id += 1
            stored = attrs.evolve(entry, id=self.state.last_history_id)
            self.state.history[stored.id] = stored
            if stored.customer is not None:
                self.state.history_owners[stored.id] = stored.customer
        self.changed = self.changed or bool(entries)

    def history(self, query: HistoryQuery) -> list[HistoryEntry]:
        owners = self.state.history_owners
        found = [
            entry
            for entry_id, entry in sorted(self.state.history.items())
            if query.matches(entry, owners.get(entry_id))
        ]
        return found if query.limit is None else found[: max(query.limit, 0)]

    def move_history(self, from_customers: Collection[int], to_customer: int) -> int:
        moving = set(from_customers)
        owners = self.state.history_owners
        moved = [i for i, owner in owners.items() if owner in moving]
        for entry_id in moved:
            owners[entry_id] = to_customer
        self.changed = self.changed or bool(moved)
        return len(moved)

    def erase_history(self, customers: Collection[int], when: datetime) -> int:
        erasing = set(customers)
        ids = {i for i, owner in self.state.history_owners.items() if owner in erasing}
        runs = {self.state.history[i].operation for i in ids} - {None}
        ids |= {
            i
            for i, entry in self.state.history.items()
            if entry.customer is None and entry.operation in runs
        }
        erased = 0
        for entry_id in sorted(ids):
            entry = self.state.history[entry_id]
            cleaned = rules.erased_entry(entry, when)
            if cleaned is not entry:
                self.state.history[entry_id] = cleaned
                erased += 1
        self.changed = self.changed or bool(erased)
        return erased

    def kinds_in(self, selection: Selection) -> set[str]:
        return {c.kind.value for c in self.select(selection)}

    # -- bookings -------------------------------------------------------------------------------

    def get_booking(self, reference: str) -> Booking | None:
        return self.state.bookings.get(reference)

    def put_booking(self, booking: Booking) -> None:
        self._require(booking.customer)
        self.state.bookings[booking.reference] = booking
        self.changed = True

    def bookings_of(self, customers: Collection[int]) -> list[Booking]:
        wanted = set(customers)
        found = (b for b in self.state.bookings.values() if b.customer in wanted)
        return sorted(found, key=lambda b: b.reference)

    def blocking_bookings(
        self, customers: Collection[int], acting_agency: str, cutoff: date
    ) -> list[Booking]:
        # custmodel's rule for one booking: a store without a query language calls it.
        found = self.bookings_of(customers)
        return [b for b in found if rules.blocks_erasure(b, acting_agency, cutoff)]

    def booking_references(self, customers: Collection[int]) -> list[str]:
        return [b.reference for b in self.bookings_of(customers)]

    def move_bookings(self, from_customers: Collection[int], to_customer: int) -> list[str]:
        self._require(to_customer)
        moving = self.bookings_of(from_customers)
        for booking in moving:
            self.state.bookings[booking.reference] = attrs.evolve(booking, customer=to_customer)
        self.changed = True
        return [b.reference for b in moving]

    # -- statistics: custmodel's reference count over the selected customers -----------------

    def statistics(
        self,
        selection: Selection,
        group_by: Sequence[StatisticsDimension],
        period: DeparturePeriod,
    ) -> Statistics:
        # Tombstones never count, whatever the selection says (the port's contract).
        selected = self.select(attrs.evolve(selection, include_merged=False))
        bookings = self.bookings_of([c.number for c in selected])
        return rules.count_statistics(selected, bookings, group_by, period)

    # -- host references: this store knows of no other tables ---------------------------------

    def reference_counts(self, customers: Collection[int]) -> dict[str, int]:
        return {}

    def move_references(self, from_customers: Collection[int], to_customer: int) -> dict[str, int]:
        return {}

    def unregistered_references(self) -> list[str]:
        return []

    # -- marketing choices ------------------------------------------------------------------------

    def add_marketing_choices(self, choices: Sequence[MarketingChoice]) -> list[MarketingChoice]:
        for choice in choices:
            self._require(choice.customer)
        stored = []
        for choice in choices:
            self.state.last_marketing_choice_id += 1
            entry = attrs.evolve(choice, id=self.state.last_marketing_choice_id)
            self.state.marketing_choices[entry.id] = entry
            stored.append(entry)
        self.changed = self.changed or bool(stored)
        return stored

    def marketing_choices(self, customers: Collection[int]) -> list[MarketingChoice]:
        wanted = set(customers)
        return [
            self.state.marketing_choices[i]
            for i in sorted(self.state.marketing_choices)
            if self.state.marketing_choices[i].customer in wanted
        ]

    def move_marketing_choices(self, from_customers: Collection[int], to_customer: int) -> int:
        self._require(to_customer)
        moving = self.marketing_choices(from_customers)
        for entry in moving:
            self.state.marketing_choices[entry.id] = attrs.evolve(entry, customer=to_customer)
        self.changed = self.changed or bool(moving)
        return len(moving)

    def delete_marketing_choices(self, ids: Collection[int]) -> int:
        gone = [i for i in set(ids) if self.state.marketing_choices.pop(i, None) is not None]
        self.changed = self.changed or bool(gone)
        return len(gone)

    def blank_marketing_choices(self, ids: Collection[int]) -> int:
        found = [
            self.state.marketing_choices[i] for i in set(ids) if i in self.state.marketing_choices
        ]
        for entry in found:
            self.state.marketing_choices[entry.id] = attrs.evolve(entry, source="", note="")
        self.changed = self.changed or bool(found)
        return len(found)

    # -- the host's personal data: this application keeps none outside the store ------------------

    def erase_host_data(self, customers: Collection[int]) -> dict[str, int]:
        return {}

    def host_vetoes(self, customers: Collection[int]) -> dict[int, tuple[HostVeto, ...]]:
        return {}

    # -- merge audit ----------------------------------------------------------------------------

    def add_merge_record(self, record: MergeRecord) -> MergeRecord:
        stored = attrs.evolve(record, id=len(self.state.merge_records) + 1)
        self.state.merge_records.append(stored)
        self.changed = True
        return stored

    def merge_records(self, customer: int | None = None) -> list[MergeRecord]:
        return [
            r
            for r in self.state.merge_records
            if customer is None or customer == r.master or customer in r.duplicates
        ]

    # -- erasure requests -----------------------------------------------------------------------

    def add_distinct_mark(self, mark: DistinctMark) -> DistinctMark:
        if not isinstance(mark, DistinctMark):
            raise InvalidInputError("add_distinct_mark takes a DistinctMark")
        for number in mark.pair:
            self._require(number)
        stored = self.state.distinct_marks.setdefault(mark.pair, mark)
        self.changed = self.changed or stored is mark
        return stored

    def distinct_marks(self, numbers: Collection[int] | None = None) -> list[DistinctMark]:
        wanted = None if numbers is None else set(numbers)
        return [
            mark
            for pair, mark in sorted(self.state.distinct_marks.items())
            if wanted is None or not wanted.isdisjoint(pair)
        ]

    def remove_distinct_marks(self, pairs: Collection[tuple[int, int]]) -> int:
        removed = [p for p in set(pairs) if self.state.distinct_marks.pop(p, None) is not None]
        self.changed = self.changed or bool(removed)
        return len(removed)

    def duplicate_candidates(self, keys: CandidateKeys, max_per_value: int) -> list[Customer]:
        # custmodel's own functions say what the lookup compares; a value too many share is
        # skipped, as the port asks.
        wanted = candidate_lookups(keys)
        holders: dict[tuple[str, object], list[int]] = {}
        for customer in self._by_number():
            if customer.is_active and not customer.is_anonymized:
                for lookup in customer_lookups(customer):
                    if lookup in wanted:
                        holders.setdefault(lookup, []).append(customer.number)
        found = {n for held in holders.values() if len(held) <= max_per_value for n in held}
        return [self.state.customers[n] for n in sorted(found)]

    def add_request(
        self, kind: RequestKind, customer: int, received_on: date, recorded_at: datetime
    ) -> SubjectRequest:
        self._require(customer)
        request = SubjectRequest(
            id=self.state.last_erasure_request_id + 1,
            customer=customer,
            received_on=received_on,
            recorded_at=recorded_at,
            kind=kind,
        )
        self.state.erasure_requests[request.id] = request
        self.state.last_erasure_request_id = request.id
        self.changed = True
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
            for _, r in sorted(self.state.erasure_requests.items())
            if (not open_only or r.is_open)
            and (wanted is None or r.customer in wanted)
            and (of_kind is None or r.kind in of_kind)
        ]

    def move_requests(self, from_customers: Collection[int], to_customer: int) -> int:
        self._require(to_customer)
        moving = self.requests(open_only=False, customers=from_customers)
        for request in moving:
            self.state.erasure_requests[request.id] = attrs.evolve(request, customer=to_customer)
        self.changed = True
        return len(moving)

    def complete_requests(
        self, kind: RequestKind, customers: Collection[int], when: datetime
    ) -> int:
        completing = self.requests(kinds=[kind], open_only=True, customers=customers)
        for request in completing:
            self.state.erasure_requests[request.id] = attrs.evolve(request, completed_at=when)
        self.changed = True
        return len(completing)

    def redate_request(self, request_id: int, received_on: date) -> SubjectRequest | None:
        request = self.state.erasure_requests.get(request_id)
        if request is None or not request.is_open:
            return None
        redated = attrs.evolve(request, received_on=received_on)
        self.state.erasure_requests[request_id] = redated
        self.changed = True
        return redated

    def delete_requests(self, request_ids: Collection[int]) -> int:
        requests = self.state.erasure_requests
        deleting = [i for i in set(request_ids) if i in requests and requests[i].is_open]
        for request_id in deleting:
            del requests[request_id]
        self.changed = True
        return len(deleting)

    def due_erasures(
        self, acting_agency: str, cutoff: date, after: int, limit: int, *, received_by: date
    ) -> list[int]:
        # custmodel's shared scan: a store without a query language for the rule calls it.
        return rules.due_for_erasure(
            self.state.customers,
            self.state.erasure_requests.values(),
            lambda number: self.bookings_of([number]),
            acting_agency,
            cutoff,
            after,
            limit,
            received_by=received_by,
        )

    def due_retention(self, scan: RetentionScan) -> list[int]:
        # The same for the retention rules.
        return rules.due_for_retention(
            self.state.customers, lambda number: self.bookings_of([number]), scan
        )


class JsonFileStore:
    """A customer store kept in the JSON file ``path`` (see the module docstring).

    Example:
        >>> from custmodel import CustomerBook
        >>> book = CustomerBook(JsonFileStore("customers.json"))  # doctest: +SKIP

    Args:
        path: The file; it is created by the first write.
        converter: The converter between custmodel's objects and JSON, from
            :func:`custmodel.serialization.make_converter`; a new one by default. Stores that
            are opened often can share one: a converter compiles its code on first use.

    Raises:
        StoreError: when the file exists but is no customer file of this store.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, converter: JsonConverter | None = None
    ) -> None:
        self.path = Path(path)
        self._converter = converter or make_converter()
        self._lock = threading.RLock()
        self._closed = False
        self._state = self._load()

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[StoreTransaction]:
        """Open a transaction; it is written to the file when the block ends without an error.

        Raises:
            StoreError: when the store is closed, or the file cannot be written (then nothing
                of the transaction is kept).
        """
        del write  # every transaction works on a copy; only changes are written
        with self._lock:
            if self._closed:
                raise StoreError("the JSON file store is closed")
            tx = _JsonFileTransaction(self._state.copy())
            yield tx
            if tx.changed:
                self._save(tx.state)
                self._state = tx.state

    def purge(self) -> None:
        """Nothing to purge: every write replaces the whole file, no old version stays in it."""

    def close(self) -> None:
        """Make the store unusable; the file stays."""
        with self._lock:
            self._closed = True

    def __repr__(self) -> str:
        return f"JsonFileStore({self.path.name!r}, {len(self._state.customers)} customers)"

    # -- the file -------------------------------------------------------------------------------

    def _load(self) -> _State:
        if not self.path.exists():
            return _State()
        conv = self._converter
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise StoreError(f"{self.path.name} is not a customer file of format {FORMAT}")
            customers = conv.structure(data["customers"], list[Customer])
            bookings = conv.structure(data["bookings"], list[Booking])
            requests = conv.structure(data["erasure_requests"], list[SubjectRequest])
            # Files written before marks were kept have none.
            marks = conv.structure(data.get("distinct_marks", []), list[DistinctMark])
            # Files written before the ledger was kept have none.
            choices = conv.structure(data.get("marketing_choices", []), list[MarketingChoice])
            # Files written before the history was kept have none.
            history = conv.structure(data.get("history", []), list[HistoryEntry])
            owners = {int(i): int(n) for i, n in data.get("history_owners", {}).items()}
            return _State(
                settings=conv.structure(data["settings"], Settings | None),  # type: ignore[arg-type]
                last_number=int(data["last_number"]),
                customers={c.number: c for c in customers},
                bookings={b.reference: b for b in bookings},
                merge_records=conv.structure(data["merge_records"], list[MergeRecord]),
                erasure_requests={r.id: r for r in requests},
                # Files written before the counter was kept: no request was deleted then.
                last_erasure_request_id=int(
                    data.get("last_erasure_request_id", max((r.id for r in requests), default=0))
                ),
                distinct_marks={m.pair: m for m in marks},
                marketing_choices={c.id: c for c in choices},
                last_marketing_choice_id=int(
                    data.get("last_marketing_choice_id", max((c.id for c in choices), default=0))
                ),
                history={e.id: e for e in history},
                history_owners=owners,
                last_history_id=int(
                    data.get("last_history_id", max((e.id for e in history), default=0))
                ),
            )
        except StoreError:
            raise
        except Exception as error:  # unreadable JSON, a missing key, a value custmodel refuses
            raise StoreError(f"{self.path.name} is not a readable customer file") from error

    def _save(self, state: _State) -> None:
        conv = self._converter
        data: dict[str, Any] = {
            "format": FORMAT,
            "settings": conv.unstructure(state.settings),
            "last_number": state.last_number,
            "customers": conv.unstructure([state.customers[n] for n in sorted(state.customers)]),
            "bookings": conv.unstructure([state.bookings[r] for r in sorted(state.bookings)]),
            "merge_records": conv.unstructure(state.merge_records),
            "erasure_requests": conv.unstructure(
                [state.erasure_requests[i] for i in sorted(state.erasure_requests)]
            ),
            "last_erasure_request_id": state.last_erasure_request_id,
            "distinct_marks": conv.unstructure(
                [state.distinct_marks[p] for p in sorted(state.distinct_marks)]
            ),
            "marketing_choices": conv.unstructure(
                [state.marketing_choices[i] for i in sorted(state.marketing_choices)]
            ),
            "last_marketing_choice_id": state.last_marketing_choice_id,
            "history": conv.unstructure([state.history[i] for i in sorted(state.history)]),
            "history_owners": {str(i): n for i, n in sorted(state.history_owners.items())},
            "last_history_id": state.last_history_id,
        }
        text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
        try:
            fd, temporary = tempfile.mkstemp(
                dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp"
            )
        except OSError as error:
            raise StoreError(f"cannot write {self.path.name}: {error.strerror}") from error
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(text)
            os.replace(temporary, self.path)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise StoreError(f"cannot write {self.path.name}: {error.strerror}") from error
