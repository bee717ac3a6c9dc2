"""The application API: :class:`CustomerBook`, one facade over rules and a store.

Every public method checks its arguments, then runs one use case of :mod:`custmodel._usecases`
in one store transaction: the use case loads what the rules need, asks the pure functions in
:mod:`custmodel.rules`, and writes the outcome. When anything fails, the transaction rolls back
and nothing is changed. A store that is busy for the moment (a lock, a serialization failure)
makes the book retry the whole operation a bounded number of times.
"""

from __future__ import annotations

import copy
import functools
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import attrs

from custmodel import _mergefile
from custmodel import letters as mailmerge
from custmodel._book_duplicates import DuplicateMethods
from custmodel._book_history import HistoryMethods
from custmodel._book_marketing import MarketingMethods
from custmodel._book_requests import RequestMethods
from custmodel._entrycheck import DuplicateMode, Registration, check_mode
from custmodel._usecases import (
    _common,
    bookings,
    entry,
    erasure,
    merge,
    reading,
    registration,
)
from custmodel._usecases import changes as changing
from custmodel._usecases.history import Journal, Journaled
from custmodel.errors import InvalidInputError, SettingsMissingError, StoreBusyError
from custmodel.model._booking import Booking, BookingMoved, BookingRecorded
from custmodel.model._channels import ContactChannel
from custmodel.model._checks import MAX_NUMBER, check_lookup_text, to_enum
from custmodel.model._customer import Customer, NewCustomer
from custmodel.model._erasure import (
    AnonymizationReport,
    Eligibility,
    ErasureSweep,
)
from custmodel.model._flags import check_flag_number
from custmodel.model._kinds import CustomerKind, CustomerType
from custmodel.model._marketing import Purpose
from custmodel.model._merge import MergePlan, MergeRecord, MergeReport, check_merge_duplicates
from custmodel.model._profile import (
    CustomerProfile,
    EffectiveRules,
    KindChange,
    Letter,
    MergeDataWritten,
    MoneyField,
)
from custmodel.model._selection import Selection
from custmodel.model._settings import Settings
from custmodel.model._statistics import DeparturePeriod, Statistics, StatisticsDimension
from custmodel.storage.ports import CustomerStore, SingleReads, StoreTransaction

if TYPE_CHECKING:
    pass

__all__ = ["CustomerBook", "utc_now"]

T = TypeVar("T")


def utc_now() -> datetime:
    """The default clock: the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class CustomerBook(DuplicateMethods, RequestMethods, MarketingMethods, HistoryMethods):
    """Customer master data of one agency: register, find, classify, merge and anonymize.

    Args:
        store: Where the data lives (:class:`~custmodel.storage.memory.MemoryStore`, a SQL
            store, or any :class:`~custmodel.storage.CustomerStore`).
        settings: Settings to apply to the store now (validated and stored). None keeps the
            settings stored, or Jack's defaults if the store has none.
        require_settings: With ``settings`` None, refuse a store that holds no settings
            (:class:`~custmodel.errors.SettingsMissingError`) instead of working on the
            defaults: an application whose store is set up separately says so, and learns
            at start-up, not at the first refused category, that it was not.
        clock: Returns the current time, timezone-aware; "today" defaults to its date.
        retries: How often an operation is retried while the store is busy.
        actor: Who the changes made through this book are recorded for in the change
            history (a user name; one line, at most 100 characters). :meth:`acting` gives a
            book for another actor on the same store.
        history: False records no change history (for bulk migrations; see
            docs/history.md for what that costs). Anonymization still erases the personal
            values of the history that exists.

    Example:
        >>> from custmodel import CustomerBook, CustomerKind, MemoryStore, Settings
        >>> book = CustomerBook(MemoryStore(), Settings())
        >>> book.register(kind=CustomerKind.PRIVATE, last_name="Test").debtor_account
        10001
    """

    def __init__(
        self,
        store: CustomerStore,
        settings: Settings | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        retries: int = 8,
        actor: str | None = None,
        history: bool = True,
        require_settings: bool = False,
    ) -> None:
        self._store = store
        self._clock = clock
        self._retries = retries
        self._journal = Journal(actor, _common.flag(history, "history"))
        _common.flag(require_settings, "require_settings")
        if settings is not None:
            self.configure(settings)
        elif require_settings and self._run(lambda tx: tx.get_settings(), write=False) is None:
            raise SettingsMissingError(
                "the store holds no settings; store them once with "
                "CustomerBook(store, settings) or book.configure(settings)"
            )

    @property
    def store(self) -> CustomerStore:
        """The store this book works on."""
        return self._store

    @property
    def actor(self) -> str | None:
        """Who the changes made through this book are recorded for (None: not named)."""
        return self._journal.actor

    def acting(self, actor: str | None) -> CustomerBook:
        """Return a book on the same store whose changes are recorded for ``actor``.

        Cheap: a web application makes one per request for the user signed in.

        Raises:
            InvalidInputError: ``actor`` is no single line of 1 to 100 characters.
        """
        book = copy.copy(self)
        book._journal = attrs.evolve(self._journal, actor=actor)
        return book

    # -- plumbing ---------------------------------------------------------------------------

    def _run(
        self,
        operation: Callable[[StoreTransaction], T],
        *,
        write: bool = True,
        journal: Journal | None = None,
        selection: Selection | None = None,
    ) -> T:
        """Run ``operation`` in one transaction, retrying while the store is busy.

        A write transaction records its changes in the history (see
        :class:`~custmodel._usecases.history.Journaled`) unless the journal is off.

        Args:
            journal: Record for this journal instead of the book's.
            selection: The selection of a bulk status run, for its summary entry.
        """
        journal = journal or self._journal

        def attempt() -> T:
            with self._store.transaction(write=write) as tx:
                if not (write and journal.on):
                    return operation(tx)
                journaled = Journaled(tx, journal, self._now, selection)
                result = operation(journaled.transaction)
                journaled.finish()
                return result

        return self._retrying(attempt)

    def _read(self, operation: Callable[[SingleReads], T]) -> T:
        """Run a read of one statement: on the store's kept connection where it has one
        (``single_read``, see :class:`custmodel.storage.sql.SqlStore`), otherwise in a read
        transaction; retried while the store is busy."""
        single_read: Callable[[Callable[[SingleReads], T]], T] | None = getattr(
            self._store, "single_read", None
        )
        if single_read is None:
            return self._run(operation, write=False)
        return self._retrying(lambda: single_read(operation))

    def _retrying(self, attempt: Callable[[], T]) -> T:
        """Call ``attempt`` until the store is not busy, at most ``retries`` times more."""
        delay = 0.005
        for number in range(self._retries + 1):
            try:
                return attempt()
            except StoreBusyError as error:
                if number == self._retries:
                    raise StoreBusyError(
                        f"the store stayed busy through {number + 1} attempts; try again later"
                    ) from error
                # Jitter keeps competing writers from waking up in lockstep.
                time.sleep(delay * (1 + random.random()))  # noqa: S311
                delay = min(delay * 2, 0.5)
        raise AssertionError("unreachable")  # pragma: no cover

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is UTC:
            return now  # the default clock's: nothing to check or convert
        if now.tzinfo is None or now.utcoffset() is None:
            raise InvalidInputError("the clock must return timezone-aware datetimes")
        return now.astimezone(UTC)

    def _today(self, today: date | None) -> date:
        if today is None:
            return self._now().date()
        if isinstance(today, datetime) or not isinstance(today, date):
            raise InvalidInputError("today must be a date (not a datetime)")
        return today

    # -- settings ---------------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """The settings in force (stored, or Jack's defaults)."""
        return self._run(_common.settings, write=False)

    def configure(self, settings: Settings, *, replace: bool = True) -> Settings:
        """Validate and store ``settings``.

        With ``replace=False`` the store must hold no settings yet, or these very settings:
        a store that was set up already is not overwritten (checked under the settings' lock).

        Raises:
            TemplateCustomerError: a template customer that does not exist, is of another kind
                or was merged.
            InvalidCategoryError: a category removed from a kind's list is still carried by
                customers of that kind.
            InvalidSettingsError: ``replace=False`` and the store holds other settings.
        """
        if not isinstance(settings, Settings):
            raise InvalidInputError("settings must be a Settings object")
        _common.flag(replace, "replace")
        return self._run(lambda tx: changing.configure(tx, settings, replace=replace))

    def update_kind_settings(self, kind: CustomerKind, **changes: Any) -> Settings:
        """Change some settings of one kind, e.g. ``update_kind_settings(kind, dunning_fee=...)``.

        The stored settings are read, changed and written back in one transaction, so a change
        another process made meanwhile to other settings is kept.

        Raises:
            InvalidInputError: for an unknown kind or setting name, or a bad value.
        """
        return self.update_settings(per_kind={to_enum(CustomerKind, kind): changes})

    def update_settings(
        self,
        *,
        per_kind: Mapping[CustomerKind, Mapping[str, Any]] | None = None,
        **changes: Any,
    ) -> Settings:
        """Change book-wide settings and, with ``per_kind``, some of the kinds', atomically.

        ``update_settings(debtor_base=20000, anonymization_delay_days=30)`` reads the stored
        settings, changes the fields named and writes them back in one transaction, so a change
        another process made meanwhile to other settings is kept, never overwritten (as it
        would be by :meth:`configure` with settings read a moment before).
        ``per_kind={CustomerKind.PRIVATE: {"dunning_fee": Decimal("7.50")}}`` changes fields
        of kinds in the same transaction, as :meth:`update_kind_settings` does for one kind.

        Args:
            per_kind: Kind -> field name of :class:`~custmodel.model.KindSettings` -> new
                value.
            **changes: Field name of :class:`~custmodel.model.Settings` (``debtor_base``,
                ``anonymization_delay_days``) -> new value.

        Returns:
            The settings now stored.

        Raises:
            InvalidInputError: an unknown setting name (``kinds`` too: kinds change through
                ``per_kind``), an unknown kind or a bad value; nothing is stored.
            TemplateCustomerError, InvalidCategoryError: as for :meth:`configure`.
        """
        changing.book_changes(changes)
        kind_changes = changing.kind_changes(per_kind)
        return self._run(lambda tx: changing.update_settings(tx, changes, kind_changes))

    def rename_status_label(self, kind: CustomerKind, flag: int, label: str | None) -> int:
        """Set, rename or (with None or "") delete the label of a status flag of ``kind``.

        Flags set on customers are never touched: selections use the number (R2).

        Returns:
            How many active customers of ``kind`` carry the flag, so a person can review them.
        """
        kind = to_enum(CustomerKind, kind)
        check_flag_number(flag)
        if label is not None and not isinstance(label, str):
            raise InvalidInputError("a status label is text, or None to delete it")
        return self._run(lambda tx: changing.rename_status_label(tx, kind, flag, label))

    # -- registration and lookup -------------------------------------------------------------

    @overload
    def register(
        self,
        kind: CustomerKind,
        last_name: str,
        *,
        duplicates: Literal["off", "refuse"] = "off",
        duplicate_threshold: float | None = None,
        **fields: Any,
    ) -> Customer: ...

    @overload
    def register(
        self,
        kind: CustomerKind,
        last_name: str,
        *,
        duplicates: Literal["warn"],
        duplicate_threshold: float | None = None,
        **fields: Any,
    ) -> Registration: ...

    @overload
    def register(
        self,
        kind: CustomerKind,
        last_name: str,
        *,
        duplicates: DuplicateMode,
        duplicate_threshold: float | None = None,
        **fields: Any,
    ) -> Customer | Registration: ...

    def register(
        self,
        kind: CustomerKind,
        last_name: str,
        *,
        duplicates: DuplicateMode = "off",
        duplicate_threshold: float | None = None,
        **fields: Any,
    ) -> Customer | Registration:
        """Register one customer; it gets the next number and its debtor account (R4).

        Args:
            kind: The customer kind.
            last_name: Family name, or the name of a company or agency.
            duplicates: Look for likely duplicates among the stored customers first:
                ``"off"`` (the default) does not; ``"warn"`` registers and returns a
                :class:`~custmodel._entrycheck.Registration` with the candidates;
                ``"refuse"`` raises :class:`~custmodel.errors.LikelyDuplicateError` instead
                of registering when there is one. Needs ``custmodel[dedupe]``.
            duplicate_threshold: The lowest match probability that counts (0..1); None for
                the finder's default.
            **fields: Any other field of :class:`~custmodel.model.NewCustomer`
                (``customer_type``, ``first_name``, ``email``, ``category``, ``status``...).

        Raises:
            InvalidInputError: a bad field value (and its subclasses for categories and flags).
            DebtorAccountError: the computed account is taken or outside the kind's range.
            LikelyDuplicateError: with ``duplicates="refuse"``, naming the stored customers.
        """
        batch = [registration.draft(kind, last_name, fields)]
        mode = check_mode(duplicates)
        found = self._register(batch, mode, entry.threshold(duplicate_threshold, mode))
        return found[0]

    @overload
    def register_draft(
        self,
        draft: NewCustomer,
        *,
        duplicates: Literal["off", "refuse"] = "off",
        duplicate_threshold: float | None = None,
    ) -> Customer: ...

    @overload
    def register_draft(
        self,
        draft: NewCustomer,
        *,
        duplicates: Literal["warn"],
        duplicate_threshold: float | None = None,
    ) -> Registration: ...

    @overload
    def register_draft(
        self,
        draft: NewCustomer,
        *,
        duplicates: DuplicateMode,
        duplicate_threshold: float | None = None,
    ) -> Customer | Registration: ...

    def register_draft(
        self,
        draft: NewCustomer,
        *,
        duplicates: DuplicateMode = "off",
        duplicate_threshold: float | None = None,
    ) -> Customer | Registration:
        """Register the customer a :class:`~custmodel.model.NewCustomer` describes.

        What :meth:`register` does with keyword arguments, for a draft built beforehand (from
        a request body, an import row, a form): the next number, its debtor account, the
        duplicate check and the change history, in one transaction.

        Args:
            draft: The customer to register.
            duplicates: As for :meth:`register`.
            duplicate_threshold: As for :meth:`register`.

        Raises:
            InvalidInputError: ``draft`` is no NewCustomer, or a category or flag does not fit
                the settings (and its subclasses for categories and flags).
            DebtorAccountError: the computed account is taken or outside the kind's range.
            LikelyDuplicateError: with ``duplicates="refuse"``, naming the stored customers.
        """
        if not isinstance(draft, NewCustomer):
            raise InvalidInputError("register_draft takes a NewCustomer")
        found = self.register_many(
            [draft], duplicates=duplicates, duplicate_threshold=duplicate_threshold
        )
        return found[0]

    @overload
    def register_many(
        self,
        drafts: Iterable[NewCustomer],
        *,
        duplicates: Literal["off", "refuse"] = "off",
        duplicate_threshold: float | None = None,
    ) -> list[Customer]: ...

    @overload
    def register_many(
        self,
        drafts: Iterable[NewCustomer],
        *,
        duplicates: Literal["warn"],
        duplicate_threshold: float | None = None,
    ) -> list[Registration]: ...

    @overload
    def register_many(
        self,
        drafts: Iterable[NewCustomer],
        *,
        duplicates: DuplicateMode,
        duplicate_threshold: float | None = None,
    ) -> list[Customer] | list[Registration]: ...

    def register_many(
        self,
        drafts: Iterable[NewCustomer],
        *,
        duplicates: DuplicateMode = "off",
        duplicate_threshold: float | None = None,
    ) -> list[Customer] | list[Registration]:
        """Register many customers in one transaction, with consecutive numbers.

        Either all are registered or, on any error, none. ``duplicates`` and
        ``duplicate_threshold`` work as for :meth:`register`; each draft is also compared with
        the drafts before it, so with ``"warn"`` a candidate may be another customer of the
        same batch (by its new number), and ``"refuse"`` refuses such pairs too.
        """
        mode = check_mode(duplicates)
        threshold = entry.threshold(duplicate_threshold, mode)
        return self._register(registration.drafts(drafts), mode, threshold)

    def _register(
        self, batch: list[NewCustomer], mode: DuplicateMode, threshold: float
    ) -> list[Customer] | list[Registration]:
        """:meth:`register_many` of drafts checked to be :class:`NewCustomer` objects, with
        the checked mode and threshold."""
        if not batch:
            return []
        customers, registrations = self._run(
            lambda tx: registration.register_many(
                tx, batch, now=self._now, mode=mode, threshold=threshold
            )
        )
        if mode == "warn" and registrations is not None:
            return registrations
        return customers

    def get(self, number: int) -> Customer:
        """Return customer ``number`` as stored; a merged one comes back as its tombstone.

        Raises:
            CustomerNotFoundError: if no customer has that number.
        """
        return self._run(lambda tx: _common.get(tx, number), write=False)

    def resolve(self, number: int) -> Customer:
        """Return the active customer ``number`` stands for, following merges to the master."""
        return self._run(lambda tx: reading.resolve(tx, number), write=False)

    def resolve_debtor_account(self, account: int) -> Customer:
        """Return the active customer a debtor account belongs to, following merges.

        Raises:
            CustomerNotFoundError: if no customer ever held the account.
        """
        _common.number(account, "debtor account")
        return self._run(lambda tx: reading.resolve_debtor_account(tx, account), write=False)

    def find_by_code1(self, text: str) -> list[Customer]:
        """Return the active customers whose Code1 is exactly ``text`` (an index lookup)."""
        check_lookup_text(text, "code1")
        return self._read(lambda tx: tx.find_by_code1(text))

    def select(
        self,
        selection: Selection | None = None,
        *,
        limit: int | None = None,
        after: int | None = None,
    ) -> list[Customer]:
        """Return the customers of a selection, ordered by number (no selection: all active).

        ``limit`` and ``after`` read one page (keyset paging): at most ``limit`` customers
        whose number is above ``after``. The next page starts after the last number of this
        one; a page shorter than ``limit`` is the last. Each page is one read of the primary
        key's range, as fast on the thousandth page as on the first, and a customer
        registered meanwhile neither shifts nor repeats the pages read already.

        Args:
            selection: Which customers; None for every active one.
            limit: At most this many customers (1 or more); None for all.
            after: Only customers numbered above it (0 or more, usually the last number
                of the previous page); None starts at the first.

        Raises:
            InvalidInputError: a bad selection, a limit below 1 or an ``after`` below 0 (or
                either not a whole number).
        """
        selection = _common.selection(selection)
        if limit is None and after is None:
            return self._read(lambda tx: tx.select(selection))
        size = MAX_NUMBER if limit is None else _common.number(limit, "limit")
        start = 0 if after is None else _common.position(after, "after")
        return self._read(lambda tx: tx.select_page(selection, start, size))

    def count(self, selection: Selection | None = None) -> int:
        """Return how many customers a selection holds."""
        selection = _common.selection(selection)
        return self._read(lambda tx: tx.count(selection))

    def iter_customers(
        self, selection: Selection | None = None, *, batch_size: int = 1000
    ) -> Iterator[Customer]:
        """Yield the customers of a selection in order of number, read page by page.

        The arguments are checked now; the customers are read as they are consumed,
        ``batch_size`` per read transaction, so memory stays flat however many customers are
        selected and no transaction stays open while the caller handles them. The run is not
        one snapshot: a customer changed meanwhile shows the change if its page is read later.

        Args:
            selection: Which customers; None for every active one, as :meth:`select`.
            batch_size: Customers read per transaction.

        Raises:
            InvalidInputError: a bad selection or batch size.
        """
        return reading.pages(self._run, selection, batch_size, reading.the_customers)

    def iter_bookings(
        self, selection: Selection | None = None, *, batch_size: int = 1000
    ) -> Iterator[Booking]:
        """Yield the bookings of a selection's customers, by customer number and reference.

        Read like :meth:`iter_customers`: each read transaction takes ``batch_size`` customers
        of the selection and all their bookings in one read.

        Args:
            selection: Whose bookings; None for those of every active customer.
            batch_size: Customers (not bookings) read per transaction.

        Raises:
            InvalidInputError: a bad selection or batch size.
        """
        return reading.pages(self._run, selection, batch_size, reading.their_bookings)

    def statistics(
        self,
        selection: Selection | None = None,
        group_by: StatisticsDimension | str | Iterable[StatisticsDimension | str] = (
            StatisticsDimension.KIND
        ),
        period: DeparturePeriod | None = None,
    ) -> Statistics:
        """Customers, firm bookings, offers and revenue of a selection per group (R10).

        Groups by one dimension or several at once (``[KIND, CATEGORY]``); each row holds the
        distinct selected customers of its group, their firm bookings and offers departing in
        ``period`` and the revenue of those firm bookings (offers carry none; unknown revenue
        counts as 0). Grouped by customer-level dimensions only, every selected customer is in
        the groups of its values, also without bookings; with a booking-level dimension
        (travel type, destination, departure year) a customer is in each group in which it has
        a booking in the period. A customer with several status flags is in each of their rows,
        one without flags in the row None; None values (no category, no travel type ...) form
        their own group. Merged duplicates never count (their bookings belong to the master);
        anonymized customers do. Flag and code keys carry the labels of the kinds of their
        customers. ``totals`` count every customer and booking of the rows once.

        Args:
            selection: Which customers (default "Alle Kunden"); ``include_merged`` is ignored.
            group_by: A :class:`~custmodel.model.StatisticsDimension` (or its value), or a
                sequence of them, each once.
            period: The departures that count (both days included); None counts all.

        Raises:
            InvalidInputError: an unknown dimension, none, one twice, or a period that is no
                :class:`~custmodel.model.DeparturePeriod` (a reversed one cannot be built).
        """
        selection = attrs.evolve(_common.selection(selection), include_merged=False)
        grouped = reading.dimensions(group_by)
        departures = reading.period(period)
        return self._run(
            lambda tx: reading.statistics(tx, selection, grouped, departures), write=False
        )

    # -- changes ----------------------------------------------------------------------------

    def update(self, customer: Customer) -> Customer:
        """Store changed fields of ``customer``; its ``version`` must still be the stored one.

        Kind, debtor account, creation time and merge/anonymization state have their own
        commands and must not differ from what is stored.

        Raises:
            ConcurrentUpdateError: somebody changed the customer since it was read.
            AlreadyMergedError, AnonymizedCustomerError: the customer cannot change any more.
        """
        if not isinstance(customer, Customer):
            raise InvalidInputError("update takes a Customer")
        return self._run(lambda tx: changing.update(tx, customer, now=self._now))

    def change_kind(
        self, number: int, kind: CustomerKind, *, keep_status: bool = False
    ) -> KindChange:
        """Give customer ``number`` another kind (R1); the result says what was dropped."""
        kind = to_enum(CustomerKind, kind)
        _common.flag(keep_status, "keep_status")
        return self._run(
            lambda tx: changing.change_kind(
                tx, number, kind, keep_status=keep_status, now=self._now
            )
        )

    def change_type(self, number: int, customer_type: CustomerType) -> Customer:
        """Give customer ``number`` another type (Kundentyp)."""
        customer_type = to_enum(CustomerType, customer_type)
        return self._run(lambda tx: changing.change_type(tx, number, customer_type, now=self._now))

    def set_status(self, selection: Selection | None, flag: int, on: bool = True) -> int:
        """Set (or with ``on=False`` clear) one flag on every customer of a selection (R2).

        Anonymized customers and merged duplicates (tombstones) are never touched: flags are
        personal data, which neither keeps. Setting needs the flag to be labelled on every kind
        present in the selection; clearing works on unlabelled flags too, which is how
        customers are cleaned up after a label was deleted.

        Returns:
            How many customers changed.
        """
        selection = _common.selection(selection)
        check_flag_number(flag)
        _common.flag(on, "on")
        if selection.anonymized:
            # Asking for anonymized customers only selects nobody this command may touch.
            return 0
        asked = selection
        selection = attrs.evolve(selection, anonymized=False, include_merged=False)
        return self._run(
            lambda tx: changing.set_status(tx, selection, flag, on, now=self._now),
            selection=asked,
        )

    # -- bookings ---------------------------------------------------------------------------

    def record_booking(
        self,
        booking: Booking,
        *,
        convert_to: CustomerKind = CustomerKind.PRIVATE,
        keep_status: bool = False,
        replace: bool = True,
    ) -> BookingRecorded:
        """Record a new booking, or a change to one of the same customer (same reference).

        A booking never changes its customer here: a reference stored for another customer is
        refused (:meth:`move_booking` moves a booking). A prospect becomes a customer of
        ``convert_to`` at its first firm booking (R4). The result says whether to ask for a
        deposit now (R7): at the booking's first capture as a firm booking, on a kind whose
        deposit prompt is on.

        Args:
            booking: The booking as it is to be stored, every field given.
            convert_to: The kind a prospect becomes at its first firm booking.
            keep_status: Whether a converted prospect keeps its status flags.
            replace: False records new bookings only: a stored reference is refused with
                :class:`~custmodel.errors.BookingExistsError`, whoever owns it.

        Raises:
            BookingOwnerError: the reference is stored for another customer; nothing changed.
            BookingExistsError: the reference is stored and ``replace`` is False.
            CustomerNotFoundError, AlreadyMergedError, AnonymizedCustomerError: the booking's
                customer cannot take bookings.
        """
        if not isinstance(booking, Booking):
            raise InvalidInputError("record_booking takes a Booking")
        _common.flag(replace, "replace")
        target = bookings.conversion(convert_to, keep_status)
        return self._run(
            lambda tx: bookings.record_booking(tx, booking, target, keep_status, replace, self._now)
        )

    def update_booking(
        self,
        reference: str,
        /,
        *,
        convert_to: CustomerKind = CustomerKind.PRIVATE,
        keep_status: bool = False,
        **changes: Any,
    ) -> BookingRecorded:
        """Change some fields of the booking ``reference``; the others keep their stored value.

        ``update_booking("VG-1", open_amount=Decimal("0.00"), revenue=None)`` reads, changes
        and writes the booking in one transaction, so a change another process made meanwhile
        to other fields is kept. Recording an offer as firm (``kind=BookingKind.BOOKING``) is
        its first capture and converts a prospect, as :meth:`record_booking` does.

        Args:
            reference: The booking to change.
            convert_to: The kind a prospect becomes at its first firm booking.
            keep_status: Whether a converted prospect keeps its status flags.
            **changes: Field name of :class:`~custmodel.model.Booking` -> new value; None
                clears ``revenue``, ``travel_type`` or ``destination``.

        Raises:
            BookingNotFoundError: no booking has ``reference``.
            InvalidInputError: an unknown field, ``reference`` or ``customer`` (a booking
                changes its customer through :meth:`move_booking`), or a bad value.
            AlreadyMergedError, AnonymizedCustomerError: the booking's customer takes no
                changes.
        """
        reference = _common.reference(reference)
        bookings.booking_changes(changes)
        target = bookings.conversion(convert_to, keep_status)

        def update(tx: StoreTransaction, owner: int) -> BookingRecorded | None:
            return bookings.update_booking(
                tx, owner, reference, changes, target, keep_status, self._now
            )

        return bookings.with_owner(self._run, self._retries, reference, update)

    def move_booking(
        self,
        reference: str,
        to_customer: int,
        *,
        convert_to: CustomerKind = CustomerKind.PRIVATE,
        keep_status: bool = False,
    ) -> BookingMoved:
        """Move the booking ``reference`` to customer ``to_customer``; its fields stay.

        This is the one way a booking changes its customer. Both customers and the booking
        are locked (the customers in number order) before anything is decided. A firm booking
        moved to a prospect converts the prospect to ``convert_to``, as recording it would
        (R4); a move is no capture, so it never prompts for a deposit, and the former owner
        keeps its kind. Nothing is changed on a refusal.

        Returns:
            The booking as stored, the customer it came from and the conversion, if any.

        Raises:
            BookingNotFoundError: no booking has ``reference``.
            CustomerNotFoundError: ``to_customer`` does not exist.
            AlreadyMergedError, AnonymizedCustomerError: the booking's customer or
                ``to_customer`` is merged or anonymized (an anonymized customer's bookings
                stay where they are, and it takes none).
            InvalidInputError: the booking belongs to ``to_customer`` already.
        """
        reference = _common.reference(reference)
        number = _common.number(to_customer)
        kind = bookings.conversion(convert_to, keep_status)

        def move(tx: StoreTransaction, owner: int) -> BookingMoved | None:
            return bookings.move_booking(tx, owner, reference, number, kind, keep_status, self._now)

        return bookings.with_owner(self._run, self._retries, reference, move)

    def get_booking(self, reference: str) -> Booking:
        """Return the booking with ``reference``.

        Raises:
            BookingNotFoundError: if there is none.
        """
        reference = _common.reference(reference)
        return self._run(lambda tx: bookings.get_booking(tx, reference), write=False)

    def bookings(self, number: int) -> list[Booking]:
        """Return every booking of customer ``number``, ordered by reference."""
        return self._run(lambda tx: bookings.bookings_of(tx, number), write=False)

    # -- rules that read ----------------------------------------------------------------------

    def effective_rules(self, number: int) -> EffectiveRules:
        """Commission scheme and fee schedule in force for customer ``number`` (R5)."""
        return self._run(lambda tx: reading.effective_rules(tx, number), write=False)

    def profile(self, number: int) -> CustomerProfile:
        """Customer ``number``'s classification under its kind's labels: Jack's "Attribute" card.

        Every flag labelled on the kind appears, set or not, and a flag the customer still
        carries after its label was deleted appears by number without a label (R2); Code1 and
        Code2 appear under the kind's labels (R3). A merged number shows its master's profile,
        as :meth:`resolve` does. An anonymized customer's profile is shown too: number, kind,
        type and debtor account, with category, flags and codes blank, and ``anonymized`` set.

        Raises:
            CustomerNotFoundError: if no customer has that number.
        """
        return self._run(lambda tx: reading.profile(tx, number), write=False)

    def dunning_fields(self, number: int, open_amount: Decimal) -> dict[str, MoneyField]:
        """Mail-merge fields ``Kunde-Mahngebühr`` and ``OP-Betrag+Mahngebühr`` (R6).

        Raises:
            AnonymizedCustomerError: anonymized customers receive no letters.
        """
        return self._run(lambda tx: reading.dunning_fields(tx, number, open_amount), write=False)

    def letters(
        self,
        selection: Selection | None,
        template: str | mailmerge.LetterTemplate,
        *,
        open_amounts: Mapping[int, Decimal | int | str] | None = None,
        owing_only: bool = False,
        batch_size: int = 500,
        purpose: Purpose | str = Purpose.ADVERTISING,
        channel: ContactChannel | str = ContactChannel.LETTER,
        due_by: date | None = None,
        days_before_departure: int = 0,
    ) -> mailmerge.LetterRun:
        """Render a mail-merge letter for every customer of a selection (R6, R10), lazily.

        Anonymized customers and merged duplicates never receive letters, whatever the
        selection says. By default a run is advertising: it leaves out every customer who
        objected to advertising on ``channel`` (GDPR Art. 21); a run for a contract (a
        dunning letter, a travel document) says ``purpose=Purpose.CONTRACT`` and reaches
        them. The run's ``left_out`` says how many were left out, known before the first
        letter. The template and the arguments are checked now; the letters are
        rendered as they are consumed, in order of customer number, reading ``batch_size``
        customers (and their bookings) per read transaction, so memory stays flat however many
        customers are selected.

        Args:
            selection: Who receives a letter; None for every customer.
            template: Text with ``{Field}`` placeholders (see :data:`custmodel.letters.FIELDS`)
                and ``{{``/``}}`` for literal braces, or a parsed
                :class:`~custmodel.letters.LetterTemplate`.
            open_amounts: Customer number -> open amount (OP-Betrag), as the host's accounting
                knows the open items; a selected customer missing from it owes 0,00 €. None
                takes the sum of the ``open_amount`` of the customer's firm bookings. The
                amount of a merged number is credited to its master; the run's ``credited``
                says which numbers were merged and which no customer has.
            owing_only: Only customers whose open amount is above zero (a dunning run).
            batch_size: Customers read per transaction.
            purpose: ADVERTISING (the default) or CONTRACT.
            channel: The channel the letters go out on (LETTER, the default).
            due_by: Count only the bookings due by this day towards the open amount (not
                with ``open_amounts``): a booking falls due on its departure, or
                ``days_before_departure`` days before it. Today leaves out the bookings that
                have not departed.
            days_before_departure: When a booking's balance falls due (with ``due_by``).

        Raises:
            LetterTemplateError: an unknown or malformed placeholder, before any letter.
            InvalidInputError: a bad selection, open amount, batch size, purpose or channel.
        """
        parsed = (
            template
            if isinstance(template, mailmerge.LetterTemplate)
            else mailmerge.LetterTemplate.parse(template)
        )
        recipients, left_out, credited = reading.recipients(
            self._run,
            selection,
            open_amounts,
            owing_only,
            batch_size,
            parsed.needs_open_amount,
            purpose,
            channel,
            due_by,
            days_before_departure,
        )
        return mailmerge.LetterRun(
            (
                Letter(customer.number, customer.debtor_account, parsed.render(values))
                for customer, values in recipients
            ),
            left_out,
            credited,
        )

    def write_merge_data(
        self,
        selection: Selection | None,
        target: str | os.PathLike[str] | mailmerge.TextSink,
        *,
        fields: Sequence[str] | None = None,
        open_amounts: Mapping[int, Decimal | int | str] | None = None,
        owing_only: bool = False,
        delimiter: str = ";",
        batch_size: int = 500,
        purpose: Purpose | str = Purpose.ADVERTISING,
        channel: ContactChannel | str = ContactChannel.LETTER,
        due_by: date | None = None,
        days_before_departure: int = 0,
    ) -> MergeDataWritten:
        """Write a mail-merge data file for word processors: one row per selected customer.

        CSV in UTF-8 with a byte order mark, a header row of field names, one column per field,
        rows in order of customer number, written as they are read (``batch_size`` customers
        per read transaction). Customers are chosen as by :meth:`letters`: never anonymized
        ones or merged duplicates, and by default (an advertising run) nobody who objected to
        advertising on ``channel``, the channel of the campaign the file feeds.

        Args:
            selection: Whose rows to write; None for every customer.
            target: A file path (written to ``<name>.part`` first and renamed when complete,
                so a failed export leaves no half file) or an open text file (opened with
                ``newline=""``).
            fields: The columns, from :data:`custmodel.letters.FIELDS` (the default: all).
            open_amounts: As for :meth:`letters`.
            owing_only: As for :meth:`letters`.
            delimiter: ``";"`` (the default, as German office software expects), ``","`` or
                ``"\\t"``.
            batch_size: Customers read per transaction.
            purpose: ADVERTISING (the default) or CONTRACT, as for :meth:`letters`.
            channel: The campaign's channel (LETTER, the default), as for :meth:`letters`.
            due_by: As for :meth:`letters`.
            days_before_departure: As for :meth:`letters`.

        Returns:
            How many rows were written (the header not counted) and how many were left out.

        Raises:
            LetterTemplateError: an unknown field, before anything is written.
            InvalidInputError: a bad selection, target, delimiter, open amount or batch size.
        """
        columns = mailmerge.FIELDS if fields is None else mailmerge.check_fields(fields)
        mailmerge.check_delimiter(delimiter)
        needs_amount = not mailmerge.OPEN_AMOUNT_FIELDS.isdisjoint(columns)
        _mergefile.check_target(target)
        recipients, left_out, credited = reading.recipients(
            self._run,
            selection,
            open_amounts,
            owing_only,
            batch_size,
            needs_amount,
            purpose,
            channel,
            due_by,
            days_before_departure,
        )
        rows = (values for _customer, values in recipients)
        written = _mergefile.write(target, columns, rows, delimiter=delimiter)
        if credited is None:
            return MergeDataWritten(written, left_out)
        return MergeDataWritten(written, left_out, credited.merged, credited.unknown)

    # -- merge ------------------------------------------------------------------------------

    def plan_merge(
        self,
        master: int,
        duplicates: Sequence[int],
        *,
        fill_blanks: bool = False,
        unite_status: bool = False,
    ) -> MergePlan:
        """Plan merging ``duplicates`` into ``master`` (R8) without changing anything.

        Raises:
            MergeRefusedError, CustomerNotFoundError: the merge would be refused.
        """
        _common.flag(fill_blanks, "fill_blanks")
        _common.flag(unite_status, "unite_status")
        check_merge_duplicates(duplicates)
        return self._run(
            lambda tx: merge.plan(tx, master, duplicates, fill_blanks, unite_status)[0],
            write=False,
        )

    def merge(
        self,
        master: int,
        duplicates: Sequence[int],
        *,
        fill_blanks: bool = False,
        unite_status: bool = False,
        actor: str | None = None,
    ) -> MergeReport:
        """Merge ``duplicates`` into ``master`` in one transaction (R8).

        Every booking of the duplicates moves to the master; each duplicate becomes a tombstone
        that keeps its number and debtor account and points to the master; template customer
        settings follow to the master. The master's data wins; ``fill_blanks`` fills its empty
        fields from the duplicates in the order given; ``unite_status`` gives it the flags of
        duplicates of its kind. Registered host references and open erasure requests of the
        duplicates move to the master too, and an audit record (numbers and counts, ``actor``
        if given) is written, all in the same transaction.

        Raises:
            MergeRefusedError, CustomerNotFoundError: nothing was changed.
        """
        _common.flag(fill_blanks, "fill_blanks")
        _common.flag(unite_status, "unite_status")
        check_merge_duplicates(duplicates)
        merge.check_actor(actor, self._now)
        journal = self._journal if actor is None else attrs.evolve(self._journal, actor=actor)
        report = self._run(
            lambda tx: merge.merge(
                tx, master, duplicates, fill_blanks, unite_status, journal.actor, self._now
            ),
            journal=journal,
        )
        merge.log_merged(report)
        return report

    def merge_history(self, number: int | None = None) -> list[MergeRecord]:
        """Return the merge audit, oldest first; with ``number``, the merges naming it."""
        if number is not None:
            _common.number(number)
        return self._run(lambda tx: tx.merge_records(number), write=False)

    # -- anonymization ----------------------------------------------------------------------

    def eligibility(
        self, number: int, acting_agency: str, today: date | None = None
    ) -> Eligibility:
        """May ``acting_agency`` anonymize customer ``number`` on ``today``? (R9).

        Returns a value, never raises for "no": see :class:`~custmodel.model.Eligibility`.
        """
        day = self._today(today)
        _common.agency(acting_agency)
        return self._run(
            lambda tx: erasure.eligibility(tx, number, acting_agency, day), write=False
        )

    def anonymize(
        self, number: int, acting_agency: str, today: date | None = None
    ) -> AnonymizationReport:
        """Replace every personal field of customer ``number`` with dummy data (R9).

        Number, kind, type, debtor account and bookings stay. Anonymizing twice changes
        nothing the second time, which the report says.

        Raises:
            NotEligibleError: with the reasons; nothing was changed.
            AlreadyMergedError: a merged number; anonymize its master instead.
        """
        day = self._today(today)
        _common.agency(acting_agency)
        report = self._run(
            lambda tx: erasure.anonymize(tx, number, acting_agency, day, now=self._now)
        )
        erasure.settle(self._store, report)
        return report

    def anonymize_due(
        self,
        acting_agency: str,
        today: date | None = None,
        *,
        dry_run: bool = False,
        batch_size: int = 500,
        retention: bool = True,
    ) -> ErasureSweep:
        """Anonymize every customer whose open erasure request is due, batch by batch, then
        every customer a retention rule of its kind makes due (``KindSettings.retention``).

        Each batch is one transaction: the store selects the due customers set-based (no query
        per customer), the bookings that can block them are read in one query and checked once
        more against the rules, and they are anonymized and their requests completed together.
        Memory stays flat however many customers the store holds. ``dry_run`` only reports who
        is due; the result's ``items`` say why each customer is due (its request, or the
        retention rule). ``retention=False`` sweeps the requests only.

        Raises:
            InvalidInputError: empty agency, a datetime for ``today``, batch_size below 1.
        """
        day = self._today(today)
        _common.agency(acting_agency)
        _common.flag(dry_run, "dry_run")
        _common.flag(retention, "retention")
        _common.batch_size(batch_size)
        return erasure.sweep(
            self._run,
            functools.partial(erasure.purge, self._store),
            acting_agency,
            day,
            dry_run=dry_run,
            batch_size=batch_size,
            now=self._now,
            retention=retention,
        )
