"""The storage port: what :class:`custmodel.CustomerBook` needs from a store.

A store hands out transactions. Everything the book does inside one transaction happens
completely or not at all: when the ``with`` block raises, the store is exactly as before.
Stores raise only :mod:`custmodel.errors` classes; an adapter translates its driver's
exceptions at this boundary (``raise StoreError(...) from e``), and a store that is only busy
for now (a lock, a serialization failure) raises :class:`~custmodel.errors.StoreBusyError`, on
which the book retries the whole operation.

Stores keep domain objects as they are given; they never apply rules. Every method's meaning is
pinned by the contract suite in ``custmodel.testing.contract``: an adapter that passes it is
interchangeable with :class:`custmodel.storage.memory.MemoryStore`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Literal, Protocol, runtime_checkable

from custmodel._marks import DistinctMark
from custmodel.dedupe._types import CandidateKeys
from custmodel.model._booking import Booking
from custmodel.model._customer import Customer
from custmodel.model._erasure import HostVeto
from custmodel.model._history import HistoryEntry, HistoryQuery, HistoryStamp
from custmodel.model._marketing import MarketingChoice
from custmodel.model._merge import MergeRecord
from custmodel.model._requests import RequestKind, SubjectRequest
from custmodel.model._retention import RetentionScan
from custmodel.model._selection import Selection
from custmodel.model._settings import Settings
from custmodel.model._statistics import DeparturePeriod, Statistics, StatisticsDimension

__all__ = ["CustomerStore", "SettingsLock", "SingleReads", "StoreTransaction"]

#: How :meth:`StoreTransaction.get_settings` holds the settings it reads in a write transaction.
SettingsLock = Literal["share", "update"]


class StoreTransaction(Protocol):
    """One transaction on a store: the repository methods the book works with.

    In a write transaction, reading a customer (``get_customer``, ``get_customers``) or a
    booking (``get_booking``) holds it until the transaction ends, so that the book's
    check-then-write on one customer or booking cannot interleave with another transaction's
    (SQLite: one writer at a time; PostgreSQL and MariaDB: the rows read are locked). The book
    locks customers before bookings, customers in number order. A booking that does not exist
    yet cannot be locked: two transactions inserting the same reference collide on its key, and
    the loser raises :class:`~custmodel.errors.StoreBusyError`, so that the book retries and
    then finds the booking.
    """

    # -- settings ---------------------------------------------------------------------------

    def get_settings(self, *, lock: SettingsLock | None = None) -> Settings | None:
        """Return the stored settings, or None if none were ever stored.

        Args:
            lock: In a write transaction, hold the settings until the transaction ends, taken
                before they are read: ``"share"`` keeps other transactions from changing them
                (a check that decides a write on them, such as a category's validity, stays
                true until commit); ``"update"`` also makes other ``"share"`` and ``"update"``
                reads wait, so that a read-modify-write of the settings cannot lose a
                concurrent change. A transaction that will write the settings reads them with
                ``"update"`` from the start (a share lock upgraded later can deadlock). None,
                and any lock in a read transaction, reads without holding anything. Stores
                that serialize their write transactions (SQLite, the memory store) need no
                lock of their own.
        """
        ...

    def put_settings(self, settings: Settings) -> None:
        """Store ``settings``, replacing what was stored.

        Changes the stored settings in place (stores with rows update the rows of what
        differs) rather than deleting and re-inserting them, so a concurrent reader never sees
        them missing. The first settings of a store raced by another transaction's first
        settings end in :class:`~custmodel.errors.StoreBusyError` (the book retries), never in
        another error.
        """
        ...

    # -- numbering --------------------------------------------------------------------------

    def allocate_numbers(self, count: int = 1) -> int:
        """Reserve ``count`` consecutive customer numbers and return the first.

        The counter starts at 1 and is advanced in this transaction, so a rolled-back
        transaction gives its numbers back and concurrent transactions never get the same
        number. SQL stores lock the counter row until the transaction ends.
        """
        ...

    # -- customers --------------------------------------------------------------------------

    def insert_customers(
        self, customers: Sequence[Customer], history: HistoryStamp | None = None
    ) -> None:
        """Insert new customers (numbers come from :meth:`allocate_numbers`).

        With ``history``, every customer also gets its history's first entry (action
        REGISTERED, the stamp's time and actor, no field changes: what it was registered
        with is the record itself until the first change, whose entry holds the old values),
        set-based: SQL stores write them with one statement, never one per customer.

        The book may make a batch's customers as they are taken from ``customers`` (it is a
        sequence, each customer made once): a store that writes each as it iterates lets the
        database store the first while the next are made. An error raised while taking one
        (a debtor account outside its range) is to pass through; the transaction then writes
        nothing.

        Raises:
            DebtorAccountError: if a debtor account is taken (stored, or twice in the batch).
            InvalidInputError: if a customer number is taken.
        """
        ...

    def get_customer(self, number: int) -> Customer | None:
        """Return the customer with ``number`` (tombstones included), or None."""
        ...

    def get_customers(self, numbers: Collection[int]) -> dict[int, Customer]:
        """Return the customers with these numbers that exist, by number, in one read."""
        ...

    def customer_by_debtor_account(self, account: int) -> Customer | None:
        """Return the customer (tombstones included) holding ``account``, or None."""
        ...

    def debtor_accounts_taken(self, accounts: Collection[int]) -> set[int]:
        """Return which of ``accounts`` are held by a stored customer (tombstones included)."""
        ...

    def update_customers(self, customers: Sequence[Customer]) -> list[Customer]:
        """Replace stored customers, each only if its stored version equals its ``version``.

        Stores each with ``version + 1`` and returns them as stored, in the given order.

        Raises:
            CustomerNotFoundError: if a number is not stored.
            ConcurrentUpdateError: if a stored version differs (nothing is written).
            DebtorAccountError: if a changed debtor account is held by another customer.
        """
        ...

    def duplicate_candidates(self, keys: CandidateKeys, max_per_value: int) -> list[Customer]:
        """Return the active, not anonymized customers that share a key, ordered by number.

        A customer shares a key when its e-mail address (trimmed, lower case: see
        :func:`custmodel._entrycheck.email_key`) is one of ``keys.emails``, its phone, birth
        date or postal code equals one of those given, or its last name (folded:
        :func:`custmodel._entrycheck.name_key`) equals one of ``keys.name_keys`` folded. A
        value that more than ``max_per_value`` such customers share (a placeholder e-mail, a
        big town's postal code) is no evidence and is skipped, so the answer stays small
        however large the store. Empty values are skipped.

        Index lookups on stores that have indexes, read without holding any customer: the
        entry check before a registration runs it on every registration.
        """
        ...

    def find_by_code1(self, code1: str) -> list[Customer]:
        """Return active customers whose Code1 equals ``code1`` exactly, ordered by number.

        This is an index lookup on stores that have indexes.
        """
        ...

    def select(self, selection: Selection) -> list[Customer]:
        """Return the customers ``selection.matches``, ordered by number."""
        ...

    def count(self, selection: Selection) -> int:
        """Return how many customers ``selection.matches``."""
        ...

    def select_page(self, selection: Selection, after: int, limit: int) -> list[Customer]:
        """Return the next page of a selection: customers ``selection.matches`` whose number is
        greater than ``after``, ordered by number, at most ``limit`` of them (none for a limit
        below 1).

        Keyset pagination: reading a large selection page by page, each page in a transaction
        of its own, keeps memory flat however many customers the store holds.
        """
        ...

    def set_status(
        self,
        selection: Selection,
        flag: int,
        on: bool,
        now: datetime,
        history: HistoryStamp | None = None,
    ) -> int:
        """Set (``on``) or clear one flag on every selected customer, as one statement.

        Only customers whose flag actually changes are written: their version is incremented
        and ``updated_at`` set to ``now``. With ``history``, every customer changed also gets
        a history entry (action STATUS_SET or STATUS_CLEARED, the flag, its change
        ``status.N``, the stamp's time, actor and operation), set-based: SQL stores write them
        with one statement, never one per customer.

        Returns:
            How many customers changed.
        """
        ...

    def kinds_in(self, selection: Selection) -> set[str]:
        """Return the kind values (``CustomerKind.value``) present among the selected."""
        ...

    # -- bookings ---------------------------------------------------------------------------

    def get_booking(self, reference: str) -> Booking | None:
        """Return the booking with ``reference``, or None (held in a write transaction)."""
        ...

    def put_booking(self, booking: Booking) -> None:
        """Insert ``booking``, or replace the stored booking with its reference.

        The store does not ask whose booking it replaces: the book decides that first, on
        what ``get_booking`` read. If ``get_booking`` found no booking with the reference in
        this transaction, a booking another transaction inserted since is never replaced: the
        store raises ``StoreBusyError`` instead (stores that run one writer at a time never
        meet that case).

        Raises:
            CustomerNotFoundError: if the booking's customer is not stored.
            StoreBusyError: if a concurrent transaction inserted the same reference first.
        """
        ...

    def bookings_of(self, customers: Collection[int]) -> list[Booking]:
        """Return every booking of these customers, ordered by reference, in one read."""
        ...

    def blocking_bookings(
        self, customers: Collection[int], acting_agency: str, cutoff: date
    ) -> list[Booking]:
        """Return the bookings of these customers that keep ``acting_agency`` from anonymizing
        them by ``cutoff``, ordered by reference, in one read.

        Those of ``bookings_of`` for which :func:`custmodel.rules.blocks_erasure` holds: firm
        bookings of another point of sale, of an external channel, or departing after
        ``cutoff``. The sweep decides with the rule on these alone (the others cannot block),
        so it does not read the many old bookings of the customers it anonymizes.
        """
        ...

    def booking_references(self, customers: Collection[int]) -> list[str]:
        """Return the references of every booking of these customers, ordered, in one read.

        The references ``bookings_of`` would return, without building the bookings: a merge
        plan lists them, and a master's duplicates can hold a great many.
        """
        ...

    def move_bookings(self, from_customers: Collection[int], to_customer: int) -> list[str]:
        """Point every booking of ``from_customers`` at ``to_customer``, as one statement.

        A merge reports the references it moved; an engine that can return them from the
        statement that moves them reads the bookings once, however many they are.

        Raises ``CustomerNotFoundError`` if ``to_customer`` is not stored.

        Returns:
            The references of the bookings moved, ordered as ``booking_references`` orders
            them.
        """
        ...

    # -- statistics (R10) ---------------------------------------------------------------------

    def statistics(
        self,
        selection: Selection,
        group_by: Sequence[StatisticsDimension],
        period: DeparturePeriod,
    ) -> Statistics:
        """Count the selected customers, their firm bookings, offers and revenue per group.

        The result equals :func:`custmodel.rules.count_statistics` over the active customers
        ``select(selection)`` returns and their bookings: merged duplicates (tombstones) never
        count, even when ``selection.include_merged`` is set. Keys carry no labels; the book
        adds them. Set-based: SQL stores answer with one statement however many customers and
        bookings there are, never with a query per customer.

        Args:
            selection: Which customers.
            group_by: The dimensions, at least one and each once (the book checks).
            period: The departures that count.
        """
        ...

    # -- host references (columns of the host application that point at customers) ---------

    def reference_counts(self, customers: Collection[int]) -> dict[str, int]:
        """Return, per registered host reference, how many rows point at these customers.

        Every registered reference appears, with 0 where no row points at them.
        """
        ...

    def move_references(self, from_customers: Collection[int], to_customer: int) -> dict[str, int]:
        """Point every registered host reference at ``from_customers`` to ``to_customer``.

        One statement per reference. Returns rows moved per reference (every one listed).
        """
        ...

    def unregistered_references(self) -> list[str]:
        """Return "table.column" of every foreign key to the customers that is not registered.

        A merge is refused while there is one: it would leave a dangling reference behind.
        Stores without foreign keys return an empty list.
        """
        ...

    # -- the host application's personal data (erased with the customer, R9) -----------------

    def erase_host_data(self, customers: Collection[int]) -> dict[str, int]:
        """Blank or erase the host application's personal data of ``customers``.

        Runs every registration of the store in this transaction: the personal columns of a
        host reference get their dummy values (one set-based statement per reference and chunk
        of customers), each eraser callback erases what it keeps. Anonymization calls it for
        the customers it anonymizes; if a registration fails, the transaction rolls back.

        Returns:
            Rows blanked or erased per registration, every registration listed (0 where it
            had none of the customers); empty when the store has none.
        """
        ...

    def host_vetoes(self, customers: Collection[int]) -> dict[int, tuple[HostVeto, ...]]:
        """Ask every registered veto callback whether ``customers`` may be anonymized.

        One call per veto for all the customers, in this transaction.

        Returns:
            The vetoes per vetoed customer, ordered by source; customers nobody vetoed (and
            customers that were not asked) are not listed.

        Raises:
            InvalidInputError: if a veto gave a reason that is no short text.
        """
        ...

    # -- merge audit --------------------------------------------------------------------------

    def add_merge_record(self, record: MergeRecord) -> MergeRecord:
        """Store ``record`` with the next running id (its own ``id`` is ignored); return it.

        Raises:
            CustomerNotFoundError: if the master or a duplicate is not stored.
        """
        ...

    def merge_records(self, customer: int | None = None) -> list[MergeRecord]:
        """Return the merge records, ordered by id; with ``customer``, only those naming it
        as master or duplicate."""
        ...

    # -- "not a duplicate" marks ---------------------------------------------------------------

    def add_distinct_mark(self, mark: DistinctMark) -> DistinctMark:
        """Store ``mark`` unless its pair is marked already; return the mark stored for it.

        Marking a pair twice keeps the first mark (its time and actor) and returns it.

        Raises:
            CustomerNotFoundError: if either customer is not stored.
        """
        ...

    def distinct_marks(self, numbers: Collection[int] | None = None) -> list[DistinctMark]:
        """Return the marks ordered by pair; with ``numbers``, only those naming one of them.

        An index lookup per number on stores that have indexes: a duplicate search of one
        customer and a merge read only the marks of the customers concerned.
        """
        ...

    def remove_distinct_marks(self, pairs: Collection[tuple[int, int]]) -> int:
        """Remove the marks of these pairs (lower number first); return how many there were."""
        ...

    # -- data-subject requests (access, erasure, objection) ------------------------------------

    def add_request(
        self, kind: RequestKind, customer: int, received_on: date, recorded_at: datetime
    ) -> SubjectRequest:
        """Store an open request of ``kind`` with the next running id and return it.

        One sequence of ids serves every kind.

        Raises:
            CustomerNotFoundError: if the customer is not stored.
            InvalidInputError: for a kind that is no :class:`RequestKind`.
        """
        ...

    def requests(
        self,
        *,
        kinds: Collection[RequestKind] | None = None,
        open_only: bool = True,
        customers: Collection[int] | None = None,
    ) -> list[SubjectRequest]:
        """Return requests ordered by id: of these ``kinds`` (None: every kind), open ones only
        unless ``open_only`` is False, and with ``customers`` only theirs.

        An index lookup per customer on stores that have indexes.
        """
        ...

    def move_requests(self, from_customers: Collection[int], to_customer: int) -> int:
        """Point the requests of every kind of ``from_customers`` at ``to_customer`` (one
        statement). Returns how many moved.
        """
        ...

    def complete_requests(
        self, kind: RequestKind, customers: Collection[int], when: datetime
    ) -> int:
        """Mark the open requests of ``kind`` of these customers completed at ``when`` (one
        statement); requests of other kinds stay open. Returns how many were completed.
        """
        ...

    def redate_request(self, request_id: int, received_on: date) -> SubjectRequest | None:
        """Set the receipt day of the open request ``request_id`` (of whatever kind).

        Returns the request as stored now, or None if no open request has that id (a
        completed request keeps the day it was answered for).

        Raises:
            InvalidInputError: if ``received_on`` is no date.
        """
        ...

    def delete_requests(self, request_ids: Collection[int]) -> int:
        """Delete the open requests with these ids (one statement per chunk).

        Completed requests are never deleted: they record an answer that was given. Returns
        how many were deleted.
        """
        ...

    def due_erasures(
        self, acting_agency: str, cutoff: date, after: int, limit: int, *, received_by: date
    ) -> list[int]:
        """Return customers with an open erasure request whom ``acting_agency`` may anonymize.

        Only requests of kind ERASURE count. Set-based (one query, no query per customer):
        active, not anonymized customers with an open request received on or before
        ``received_by`` (the day the sweep runs for: a request received later was not there
        yet) whose every firm booking has
        ``acting_agency`` as point of sale, an own sales channel and a departure on or before
        ``cutoff`` (that day minus the anonymization delay). Offers never count. Numbers
        greater than ``after``, ascending, at most ``limit`` of them (keyset pagination keeps
        memory flat on large stores).
        """
        ...

    def due_retention(self, scan: RetentionScan) -> list[int]:
        """Return customers a retention rule makes due whom the scan's agency may anonymize.

        Set-based (one query, no query per customer): active, not anonymized customers for
        whom a rule of their kind in ``scan.retention`` holds on ``scan.day`` (see
        :func:`custmodel.rules.retention_due`: no firm booking and no change for N months, or
        the latest firm departure more than N years ago with nothing owed), and whose every
        firm booking has ``scan.acting_agency`` as point of sale, an own sales channel and a
        departure on or before ``scan.cutoff``, as for :meth:`due_erasures`. Numbers greater
        than ``scan.after``, ascending, at most ``scan.limit`` of them.
        """
        ...

    # -- change history -------------------------------------------------------------------------

    def add_history(self, entries: Sequence[HistoryEntry]) -> None:
        """Store ``entries`` with the next running ids, in the order given (their own ids are
        ignored). Ids grow with every entry stored; a rolled-back entry's id may be skipped.

        Raises:
            CustomerNotFoundError: if an entry's customer is not stored (nothing is stored).
        """
        ...

    def history(self, query: HistoryQuery) -> list[HistoryEntry]:
        """Return the entries ``query`` selects, ordered by id, at most ``query.limit``.

        With ``query.customers``, the histories of these customers: their own entries and
        those :meth:`move_history` gave them. An index lookup per customer on stores that have
        indexes.
        """
        ...

    def move_history(self, from_customers: Collection[int], to_customer: int) -> int:
        """Make the histories of ``from_customers`` part of ``to_customer``'s (one statement).

        The entries keep their ``customer``; a merge calls it, so that the master's history
        shows its duplicates' and anonymizing the master erases them too. Returns how many
        entries moved.
        """
        ...

    def erase_history(self, customers: Collection[int], when: datetime) -> int:
        """Remove the personal values from the histories of ``customers`` (set-based).

        Every entry of these histories that holds a personal value keeps its fields' names
        without values and gets ``erased_at = when``; so does the summary entry of every bulk
        status run that changed one of them, whose selection loses its name and code filters
        (see :func:`custmodel.rules.erased_entry`). Returns how many entries were changed.
        """
        ...

    # -- marketing choices (objections and consents to advertising) ---------------------------

    def add_marketing_choices(self, choices: Sequence[MarketingChoice]) -> list[MarketingChoice]:
        """Store ``choices`` with the next running ids, in the order given; return them.

        Their own ids are ignored. Ids are never given twice, not even after a deletion. The
        customers' ``advertising_objections`` are not touched: the book writes them in the
        same transaction.

        Raises:
            CustomerNotFoundError: if a choice's customer is not stored (nothing is stored).
        """
        ...

    def marketing_choices(self, customers: Collection[int]) -> list[MarketingChoice]:
        """Return every ledger entry of these customers, ordered by id, in one read."""
        ...

    def move_marketing_choices(self, from_customers: Collection[int], to_customer: int) -> int:
        """Point the ledger entries of ``from_customers`` at ``to_customer`` (one statement).

        Returns how many moved.

        Raises:
            CustomerNotFoundError: if ``to_customer`` is not stored.
        """
        ...

    def delete_marketing_choices(self, ids: Collection[int]) -> int:
        """Delete the ledger entries with these ids (set-based); return how many there were."""
        ...

    def blank_marketing_choices(self, ids: Collection[int]) -> int:
        """Set ``source`` and ``note`` of the entries with these ids to "" (set-based).

        Returns how many entries there were.
        """
        ...


class SingleReads(Protocol):
    """The reads of customers that are one statement each, as :class:`StoreTransaction` has
    them. A store may offer them outside a transaction, as ``single_read(operation)``: each
    read then sees what was committed before it started (see
    :meth:`custmodel.storage.sql.SqlStore.single_read`)."""

    def find_by_code1(self, code1: str) -> list[Customer]:
        """Return the active customers whose Code1 equals ``code1``, by number."""
        ...

    def select(self, selection: Selection) -> list[Customer]:
        """Return the customers ``selection.matches``, ordered by number."""
        ...

    def select_page(self, selection: Selection, after: int, limit: int) -> list[Customer]:
        """Return at most ``limit`` selected customers numbered above ``after``, by number."""
        ...

    def count(self, selection: Selection) -> int:
        """Return how many customers ``selection.matches``."""
        ...


@runtime_checkable
class CustomerStore(Protocol):
    """A place where a customer book keeps its data."""

    def transaction(self, *, write: bool = True) -> AbstractContextManager[StoreTransaction]:
        """Open a transaction; it commits when the block ends, rolls back when it raises.

        Args:
            write: False promises that the block only reads, which lets a store skip the
                write lock (SQLite: a deferred instead of an immediate transaction).
        """
        ...

    def purge(self) -> None:
        """Make data that was overwritten unrecoverable from the store's own files.

        Called after a transaction that anonymized customers has committed. SQLite
        checkpoints and truncates its write-ahead log (secure delete zeroes freed pages);
        stores that keep no old versions do nothing.
        """
        ...

    def close(self) -> None:
        """Release connections and files; the store is unusable afterwards."""
        ...
