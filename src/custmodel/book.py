"""The application API: :class:`CustomerBook`, one facade over rules and a store.

Every public method runs in one store transaction: it loads what the rules need, asks the pure
functions in :mod:`custmodel.rules`, and writes the outcome. When anything fails, the
transaction rolls back and nothing is changed. A store that is busy for the moment (a lock, a
serialization failure) makes the book retry the whole operation a bounded number of times.
"""

from __future__ import annotations

import calendar
import functools
import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from custmodel import letters as mailmerge
from custmodel import rules
from custmodel.errors import (
    AlreadyMergedError,
    AnonymizedCustomerError,
    BookingExistsError,
    BookingNotFoundError,
    BookingOwnerError,
    ConcurrentUpdateError,
    CustomerNotFoundError,
    DebtorAccountError,
    InvalidCategoryError,
    InvalidInputError,
    MergeRefusedError,
    NotEligibleError,
    StoreBusyError,
)
from custmodel.model import (
    AnonymizationReport,
    Booking,
    BookingMoved,
    BookingRecorded,
    Customer,
    CustomerKind,
    CustomerProfile,
    CustomerType,
    DeparturePeriod,
    EffectiveRules,
    Eligibility,
    ErasureRequest,
    ErasureRequestRecorded,
    ErasureState,
    ErasureStatus,
    ErasureSweep,
    KindChange,
    KindSettings,
    Letter,
    MergePlan,
    MergeRecord,
    MergeReport,
    MoneyField,
    NewCustomer,
    Selection,
    Settings,
    Statistics,
    StatisticsDimension,
    StatusFlags,
    check_flag_number,
    check_lookup_text,
    check_merge_duplicates,
    check_number,
    to_enum,
)
from custmodel.storage.ports import CustomerStore, StoreTransaction

if TYPE_CHECKING:
    from custmodel.dedupe import DuplicateGroup

__all__ = ["CustomerBook", "utc_now"]

T = TypeVar("T")

#: custmodel logs what it changed by customer number only, never with personal data.
logger = logging.getLogger("custmodel")

#: Fields :meth:`CustomerBook.update` must not change; each has its own command.
_FIXED_FIELDS = ("kind", "debtor_account", "created_at", "merged_into", "anonymized_at")

#: How far :meth:`CustomerBook.resolve` follows merge tombstones before it calls the data broken.
_MAX_CHAIN = 10_000


def utc_now() -> datetime:
    """The default clock: the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def _reference(value: object) -> str:
    """Return ``value`` if it is text a booking lookup can search for; see check_lookup_text."""
    return check_lookup_text(value, "a booking reference")


def _number(value: object, what: str = "customer number") -> int:
    """Return ``value`` if it is a number a store can hold (1..2**63 - 1); see check_number."""
    return check_number(value, what)


def _flag(value: object, what: str) -> bool:
    """Return ``value`` if it is True or False: a switch argument of a public method."""
    if not isinstance(value, bool):
        raise InvalidInputError(f"{what} is True or False")
    return value


class CustomerBook:
    """Customer master data of one agency: register, find, classify, merge and anonymize.

    Args:
        store: Where the data lives (:class:`~custmodel.storage.memory.MemoryStore`, a SQL
            store, or any :class:`~custmodel.storage.CustomerStore`).
        settings: Settings to apply to the store now (validated and stored). None keeps the
            settings stored, or Jack's defaults if the store has none.
        clock: Returns the current time, timezone-aware; "today" defaults to its date.
        retries: How often an operation is retried while the store is busy.

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
    ) -> None:
        self._store = store
        self._clock = clock
        self._retries = retries
        if settings is not None:
            self.configure(settings)

    @property
    def store(self) -> CustomerStore:
        """The store this book works on."""
        return self._store

    # -- plumbing ---------------------------------------------------------------------------

    def _run(self, operation: Callable[[StoreTransaction], T], *, write: bool = True) -> T:
        """Run ``operation`` in one transaction, retrying while the store is busy."""
        delay = 0.005
        for attempt in range(self._retries + 1):
            try:
                with self._store.transaction(write=write) as tx:
                    return operation(tx)
            except StoreBusyError as error:
                if attempt == self._retries:
                    raise StoreBusyError(
                        f"the store stayed busy through {attempt + 1} attempts; try again later"
                    ) from error
                # Jitter keeps competing writers from waking up in lockstep.
                time.sleep(delay * (1 + random.random()))  # noqa: S311
                delay = min(delay * 2, 0.5)
        raise AssertionError("unreachable")  # pragma: no cover

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None or now.utcoffset() is None:
            raise InvalidInputError("the clock must return timezone-aware datetimes")
        return now.astimezone(UTC)

    def _today(self, today: date | None) -> date:
        if today is None:
            return self._now().date()
        if isinstance(today, datetime) or not isinstance(today, date):
            raise InvalidInputError("today must be a date (not a datetime)")
        return today

    @staticmethod
    def _settings(tx: StoreTransaction) -> Settings:
        """The settings, held (shared) until a write transaction ends.

        A write decided on them (a category's validity, a label, the debtor base) then cannot
        interleave with a settings change: the change waits for the commit, or the read waits
        for the change's commit and sees it.
        """
        return tx.get_settings(lock="share") or Settings()

    @staticmethod
    def _settings_for_update(tx: StoreTransaction) -> Settings:
        """The settings, locked for this transaction's read-modify-write of them.

        Taken before the read, never after a shared read: two transactions upgrading their
        shared locks would wait for each other.
        """
        return tx.get_settings(lock="update") or Settings()

    @staticmethod
    def _get(tx: StoreTransaction, number: int) -> Customer:
        customer = tx.get_customer(_number(number))
        if customer is None:
            raise CustomerNotFoundError(f"customer {number} not found", number=number)
        return customer

    def _active(self, tx: StoreTransaction, number: int) -> Customer:
        customer = self._get(tx, number)
        if customer.merged_into is not None:
            raise AlreadyMergedError(customer.number, self._follow(tx, customer).number)
        return customer

    @staticmethod
    def _follow(tx: StoreTransaction, customer: Customer) -> Customer:
        for _ in range(_MAX_CHAIN):
            if customer.merged_into is None:
                return customer
            master = tx.get_customer(customer.merged_into)
            if master is None:
                raise CustomerNotFoundError(
                    f"customer {customer.number} points to missing master {customer.merged_into}",
                    number=customer.merged_into,
                )
            customer = master
        raise CustomerNotFoundError(f"merge chain of customer {customer.number} does not end")

    # -- settings ---------------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """The settings in force (stored, or Jack's defaults)."""
        return self._run(self._settings, write=False)

    def configure(self, settings: Settings) -> Settings:
        """Validate and store ``settings``.

        Raises:
            TemplateCustomerError: a template customer that does not exist, is of another kind
                or was merged.
            InvalidCategoryError: a category removed from a kind's list is still carried by
                customers of that kind.
        """
        if not isinstance(settings, Settings):
            raise InvalidInputError("settings must be a Settings object")

        def op(tx: StoreTransaction) -> Settings:
            self._check_settings(tx, self._settings_for_update(tx), settings)
            tx.put_settings(settings)
            return settings

        return self._run(op)

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
        unknown = set(changes) - _BOOK_SETTINGS
        if unknown:
            raise InvalidInputError(
                f"unknown book settings: {', '.join(sorted(unknown))} (kinds change through "
                "per_kind)"
            )
        kind_changes = _kind_changes(per_kind)

        def op(tx: StoreTransaction) -> Settings:
            old = self._settings_for_update(tx)
            new = attrs.evolve(old, **changes)
            for kind, fields in kind_changes.items():
                new = new.with_kind(kind, attrs.evolve(new.kind(kind), **fields))
            self._check_settings(tx, old, new)
            tx.put_settings(new)
            return new

        return self._run(op)

    @staticmethod
    def _check_settings(tx: StoreTransaction, old: Settings, new: Settings) -> None:
        for kind in CustomerKind:
            template = new.kind(kind).template_customer
            if template is not None:
                rules.check_template_customer(kind, tx.get_customer(template), template)
            kept = set(new.kind(kind).categories)
            for position, category in enumerate(old.kind(kind).categories, start=1):
                if category in kept:
                    continue
                carriers = tx.count(Selection(kind=kind, category=category, include_merged=True))
                if carriers:
                    # Named by its place in the list: a category is text a person typed.
                    raise InvalidCategoryError(
                        f"category {position} of the {len(old.kind(kind).categories)} of kind "
                        f"{kind.value} is carried by {carriers} customers; move them to "
                        "another category first"
                    )

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

        def op(tx: StoreTransaction) -> int:
            settings = self._settings_for_update(tx)
            labels = dict(settings.kind(kind).status_labels)
            if label:
                labels[flag] = label
            else:
                labels.pop(flag, None)
            kind_settings = attrs.evolve(settings.kind(kind), status_labels=labels)
            tx.put_settings(settings.with_kind(kind, kind_settings))
            return tx.count(Selection(kind=kind, status_all=frozenset({flag})))

        return self._run(op)

    # -- registration and lookup -------------------------------------------------------------

    def register(
        self,
        kind: CustomerKind,
        last_name: str,
        **fields: Any,
    ) -> Customer:
        """Register one customer; it gets the next number and its debtor account (R4).

        Args:
            kind: The customer kind.
            last_name: Family name, or the name of a company or agency.
            **fields: Any other field of :class:`~custmodel.model.NewCustomer`
                (``customer_type``, ``first_name``, ``email``, ``category``, ``status``...).

        Raises:
            InvalidInputError: a bad field value (and its subclasses for categories and flags).
            DebtorAccountError: the computed account is taken or outside the kind's range.
        """
        try:
            draft = NewCustomer(kind=kind, last_name=last_name, **fields)
        except TypeError as error:
            raise InvalidInputError(str(error)) from None
        return self.register_many([draft])[0]

    def register_many(self, drafts: Iterable[NewCustomer]) -> list[Customer]:
        """Register many customers in one transaction, with consecutive numbers.

        Either all are registered or, on any error, none.
        """
        if isinstance(drafts, str | bytes) or not isinstance(drafts, Iterable):
            raise InvalidInputError("register_many takes NewCustomer objects")
        batch = list(drafts)
        for draft in batch:
            if not isinstance(draft, NewCustomer):
                raise InvalidInputError("register_many takes NewCustomer objects")
        if not batch:
            return []

        def op(tx: StoreTransaction) -> list[Customer]:
            settings = self._settings(tx)
            for draft in batch:
                rules.check_category(settings, draft.kind, draft.category)
                rules.check_status(settings, draft.kind, draft.status)
            first = tx.allocate_numbers(len(batch))
            now = self._now()
            customers = []
            for offset, draft in enumerate(batch):
                number = first + offset
                account = rules.debtor_account(settings, draft.kind, number)
                rules.check_debtor_range(settings, draft.kind, account)
                customers.append(
                    Customer.from_draft(
                        draft, number=number, debtor_account=account, created_at=now
                    )
                )
            # The store refuses a taken debtor account (DebtorAccountError, a port guarantee),
            # so the book does not ask for the accounts first.
            tx.insert_customers(customers)
            return customers

        return self._run(op)

    def get(self, number: int) -> Customer:
        """Return customer ``number`` as stored; a merged one comes back as its tombstone.

        Raises:
            CustomerNotFoundError: if no customer has that number.
        """
        return self._run(lambda tx: self._get(tx, number), write=False)

    def resolve(self, number: int) -> Customer:
        """Return the active customer ``number`` stands for, following merges to the master."""
        return self._run(lambda tx: self._follow(tx, self._get(tx, number)), write=False)

    def resolve_debtor_account(self, account: int) -> Customer:
        """Return the active customer a debtor account belongs to, following merges.

        Raises:
            CustomerNotFoundError: if no customer ever held the account.
        """
        _number(account, "debtor account")

        def op(tx: StoreTransaction) -> Customer:
            customer = tx.customer_by_debtor_account(account)
            if customer is None:
                raise CustomerNotFoundError(f"no customer holds debtor account {account}")
            return self._follow(tx, customer)

        return self._run(op, write=False)

    def find_by_code1(self, text: str) -> list[Customer]:
        """Return the active customers whose Code1 is exactly ``text`` (an index lookup)."""
        check_lookup_text(text, "code1")
        return self._run(lambda tx: tx.find_by_code1(text), write=False)

    def select(self, selection: Selection | None = None) -> list[Customer]:
        """Return the customers of a selection, ordered by number (no selection: all active)."""
        selection = _selection(selection)
        return self._run(lambda tx: tx.select(selection), write=False)

    def count(self, selection: Selection | None = None) -> int:
        """Return how many customers a selection holds."""
        selection = _selection(selection)
        return self._run(lambda tx: tx.count(selection), write=False)

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
        chosen = _selection(selection)
        _batch_size(batch_size)
        return self._paged(chosen, batch_size, _the_customers)

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
        chosen = _selection(selection)
        _batch_size(batch_size)
        return self._paged(chosen, batch_size, _their_bookings)

    def _paged(
        self,
        selection: Selection,
        batch_size: int,
        read: Callable[[StoreTransaction, list[Customer]], list[T]],
    ) -> Iterator[T]:
        """Yield what ``read`` makes of each page of the selection, one transaction per page."""
        after = 0
        while True:
            last, items = self._run(
                functools.partial(
                    _page, selection=selection, after=after, limit=batch_size, read=read
                ),
                write=False,
            )
            # Yielded outside the transaction: a slow consumer holds no lock and no snapshot.
            yield from items
            if last is None:
                return
            after = last

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
        selection = attrs.evolve(_selection(selection), include_merged=False)
        dimensions = _dimensions(group_by)
        if period is None:
            period = DeparturePeriod()
        elif not isinstance(period, DeparturePeriod):
            raise InvalidInputError("a statistics period is a DeparturePeriod")
        counted_by = rules.statistics_dimensions(dimensions)

        def op(tx: StoreTransaction) -> Statistics:
            counted = tx.statistics(selection, counted_by, period)
            return rules.label_statistics(self._settings(tx), counted, dimensions)

        return self._run(op, write=False)

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

        def op(tx: StoreTransaction) -> Customer:
            # The customer's state first: a merged or anonymized customer cannot change at all,
            # whatever else is wrong with the changes (a tombstone's last name is empty).
            stored = self._active(tx, customer.number)
            if stored.is_anonymized:
                raise AnonymizedCustomerError(customer.number, "update")
            if customer.version != stored.version:
                raise ConcurrentUpdateError(customer.number, customer.version, stored.version)
            for field in _FIXED_FIELDS:
                if getattr(customer, field) != getattr(stored, field):
                    raise InvalidInputError(
                        f"customer {customer.number}: {field} cannot be changed by update"
                    )
            if not customer.last_name.strip():
                raise InvalidInputError(f"customer {customer.number}: last_name must not be empty")
            settings = self._settings(tx)
            rules.check_category(settings, stored.kind, customer.category)
            rules.check_new_flags(settings, stored.kind, stored.status, customer.status)
            return tx.update_customers([attrs.evolve(customer, updated_at=self._now())])[0]

        return self._run(op)

    def change_kind(
        self, number: int, kind: CustomerKind, *, keep_status: bool = False
    ) -> KindChange:
        """Give customer ``number`` another kind (R1); the result says what was dropped."""
        kind = to_enum(CustomerKind, kind)
        _flag(keep_status, "keep_status")

        def op(tx: StoreTransaction) -> KindChange:
            customer = self._changeable(tx, number, "change kind")
            change = rules.change_kind(
                self._settings(tx), customer, kind, keep_status=keep_status, now=self._now()
            )
            return self._store_kind_change(tx, change)

        return self._run(op)

    @staticmethod
    def _store_kind_change(tx: StoreTransaction, change: KindChange) -> KindChange:
        if change.renumbered and tx.debtor_accounts_taken([change.new_debtor_account]):
            raise DebtorAccountError(f"debtor account {change.new_debtor_account} is taken")
        stored = tx.update_customers([change.customer])[0]
        return attrs.evolve(change, customer=stored)

    def change_type(self, number: int, customer_type: CustomerType) -> Customer:
        """Give customer ``number`` another type (Kundentyp)."""
        customer_type = to_enum(CustomerType, customer_type)

        def op(tx: StoreTransaction) -> Customer:
            customer = self._changeable(tx, number, "change type")
            changed = attrs.evolve(customer, customer_type=customer_type, updated_at=self._now())
            return tx.update_customers([changed])[0]

        return self._run(op)

    def _changeable(self, tx: StoreTransaction, number: int, action: str) -> Customer:
        customer = self._active(tx, number)
        if customer.is_anonymized:
            raise AnonymizedCustomerError(customer.number, action)
        return customer

    def set_status(self, selection: Selection | None, flag: int, on: bool = True) -> int:
        """Set (or with ``on=False`` clear) one flag on every customer of a selection (R2).

        Anonymized customers and merged duplicates (tombstones) are never touched: flags are
        personal data, which neither keeps. Setting needs the flag to be labelled on every kind
        present in the selection; clearing works on unlabelled flags too, which is how
        customers are cleaned up after a label was deleted.

        Returns:
            How many customers changed.
        """
        selection = _selection(selection)
        check_flag_number(flag)
        _flag(on, "on")
        if selection.anonymized:
            # Asking for anonymized customers only selects nobody this command may touch.
            return 0
        selection = attrs.evolve(selection, anonymized=False, include_merged=False)

        def op(tx: StoreTransaction) -> int:
            now = self._now()
            if not on:
                return tx.set_status(selection, flag, on, now)
            # The labels are held until commit; the kinds are read without a lock, so each
            # statement sets the flag only on customers of a kind checked here: a customer
            # whose kind changed meanwhile, or one of another kind registered meanwhile, is
            # left alone (the statement re-checks the kind of each row it writes).
            settings = self._settings(tx)
            kinds = [CustomerKind(k) for k in sorted(tx.kinds_in(selection))]
            for kind in kinds:
                rules.check_status(settings, kind, StatusFlags.of([flag]))
            if selection.kind is not None:
                return tx.set_status(selection, flag, on, now) if kinds else 0
            return sum(
                tx.set_status(attrs.evolve(selection, kind=kind), flag, on, now) for kind in kinds
            )

        return self._run(op)

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
        _flag(replace, "replace")
        convert_to = to_enum(CustomerKind, convert_to)
        _flag(keep_status, "keep_status")

        def op(tx: StoreTransaction) -> BookingRecorded:
            # The customer is locked first, then the booking, as every booking command does.
            customer = self._changeable(tx, booking.customer, "record a booking")
            previous = tx.get_booking(booking.reference)
            if previous is not None and previous.customer != booking.customer:
                raise BookingOwnerError(booking.reference, previous.customer, booking.customer)
            if previous is not None and not replace:
                raise BookingExistsError(booking.reference, previous.customer)
            return self._store_booking(tx, customer, booking, previous, convert_to, keep_status)

        return self._run(op)

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
        reference = _reference(reference)
        fixed = {"reference", "customer"} & set(changes)
        if fixed:
            raise InvalidInputError(
                f"update_booking does not change {', '.join(sorted(fixed))}; "
                "move a booking to another customer with move_booking"
            )
        unknown = set(changes) - {f.name for f in attrs.fields(Booking)}
        if unknown:
            raise InvalidInputError(f"unknown booking fields: {', '.join(sorted(unknown))}")
        convert_to = to_enum(CustomerKind, convert_to)
        _flag(keep_status, "keep_status")

        def op(tx: StoreTransaction, owner: int) -> BookingRecorded | None:
            customer = self._changeable(tx, owner, "change a booking")
            previous = tx.get_booking(reference)
            if previous is None or previous.customer != owner:
                return None
            booking = attrs.evolve(previous, **changes)
            return self._store_booking(tx, customer, booking, previous, convert_to, keep_status)

        return self._with_owner(reference, op)

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
        reference = _reference(reference)
        target = _number(to_customer)
        convert_to = to_enum(CustomerKind, convert_to)
        _flag(keep_status, "keep_status")

        def op(tx: StoreTransaction, owner: int) -> BookingMoved | None:
            if owner == target:
                raise InvalidInputError(f"booking {reference!r} belongs to customer {target}")
            for number in sorted((owner, target)):
                self._get(tx, number)  # locks both customers, in number order
            self._changeable(tx, owner, "move its bookings")
            customer = self._changeable(tx, target, "take a booking")
            booking = tx.get_booking(reference)
            if booking is None or booking.customer != owner:
                return None
            moved = attrs.evolve(booking, customer=target)
            change = rules.convert_prospect(
                self._settings(tx),
                customer,
                moved,
                target=convert_to,
                keep_status=keep_status,
                now=self._now(),
            )
            if change is not None:
                change = self._store_kind_change(tx, change)
            tx.put_booking(moved)
            logger.info(
                "moved booking %r from customer %d to customer %d", reference, owner, target
            )
            return BookingMoved(moved, owner, change)

        return self._with_owner(reference, op)

    def _with_owner(
        self, reference: str, operation: Callable[[StoreTransaction, int], T | None]
    ) -> T:
        """Run ``operation(tx, owner)`` in a write transaction with the booking's owner.

        The owner is read first without locks, so that the write transaction can lock the
        customers before the booking, in the order every booking command locks them. The
        operation returns None when the booking changed its owner in between; that is read
        anew then.
        """

        def owner_of(booking: Booking) -> Callable[[StoreTransaction], T | None]:
            return lambda tx: operation(tx, booking.customer)

        for _ in range(self._retries + 1):
            owner = self._run(lambda tx: tx.get_booking(reference), write=False)
            if owner is None:
                raise BookingNotFoundError(f"booking {reference!r} not found")
            done = self._run(owner_of(owner))
            if done is not None:
                return done
        raise StoreBusyError(f"booking {reference!r} kept changing its customer; try again later")

    def _store_booking(
        self,
        tx: StoreTransaction,
        customer: Customer,
        booking: Booking,
        previous: Booking | None,
        convert_to: CustomerKind,
        keep_status: bool,
    ) -> BookingRecorded:
        """Store ``booking`` of the locked ``customer`` (``previous``: as stored before)."""
        settings = self._settings(tx)
        first_capture = booking.is_firm and (previous is None or not previous.is_firm)
        change = rules.convert_prospect(
            settings,
            customer,
            booking,
            target=convert_to,
            keep_status=keep_status,
            now=self._now(),
        )
        if change is not None:
            change = self._store_kind_change(tx, change)
            customer = change.customer
        tx.put_booking(booking)
        prompt = rules.needs_deposit_prompt(settings.kind(customer.kind), booking, first_capture)
        return BookingRecorded(booking, first_capture, prompt, change)

    def get_booking(self, reference: str) -> Booking:
        """Return the booking with ``reference``.

        Raises:
            BookingNotFoundError: if there is none.
        """
        reference = _reference(reference)

        def op(tx: StoreTransaction) -> Booking:
            booking = tx.get_booking(reference)
            if booking is None:
                raise BookingNotFoundError(f"booking {reference!r} not found")
            return booking

        return self._run(op, write=False)

    def bookings(self, number: int) -> list[Booking]:
        """Return every booking of customer ``number``, ordered by reference."""
        return self._run(lambda tx: tx.bookings_of([self._get(tx, number).number]), write=False)

    # -- rules that read ----------------------------------------------------------------------

    def effective_rules(self, number: int) -> EffectiveRules:
        """Commission scheme and fee schedule in force for customer ``number`` (R5)."""

        def op(tx: StoreTransaction) -> EffectiveRules:
            customer = self._active(tx, number)
            template_number = self._settings(tx).kind(customer.kind).template_customer
            template = None if template_number is None else tx.get_customer(template_number)
            return rules.effective_rules(customer, template)

        return self._run(op, write=False)

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

        def op(tx: StoreTransaction) -> CustomerProfile:
            customer = self._follow(tx, self._get(tx, number))
            return rules.customer_profile(self._settings(tx), customer)

        return self._run(op, write=False)

    def dunning_fields(self, number: int, open_amount: Decimal) -> dict[str, MoneyField]:
        """Mail-merge fields ``Kunde-Mahngebühr`` and ``OP-Betrag+Mahngebühr`` (R6).

        Raises:
            AnonymizedCustomerError: anonymized customers receive no letters.
        """

        def op(tx: StoreTransaction) -> dict[str, MoneyField]:
            customer = self._changeable(tx, number, "receive letters")
            fee = self._settings(tx).kind(customer.kind).dunning_fee
            return rules.dunning_fields(fee, open_amount)

        return self._run(op, write=False)

    def letters(
        self,
        selection: Selection | None,
        template: str | mailmerge.LetterTemplate,
        *,
        open_amounts: Mapping[int, Decimal | int | str] | None = None,
        owing_only: bool = False,
        batch_size: int = 500,
    ) -> Iterator[Letter]:
        """Render a mail-merge letter for every customer of a selection (R6, R10), lazily.

        Anonymized customers and merged duplicates never receive letters, whatever the
        selection says. The template and the arguments are checked now; the letters are
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
                takes the sum of the ``open_amount`` of the customer's firm bookings.
            owing_only: Only customers whose open amount is above zero (a dunning run).
            batch_size: Customers read per transaction.

        Raises:
            LetterTemplateError: an unknown or malformed placeholder, before any letter.
            InvalidInputError: a bad selection, open amount or batch size.
        """
        parsed = (
            template
            if isinstance(template, mailmerge.LetterTemplate)
            else mailmerge.LetterTemplate.parse(template)
        )
        recipients = self._recipients(
            selection, open_amounts, owing_only, batch_size, parsed.needs_open_amount
        )
        return (
            Letter(customer.number, customer.debtor_account, parsed.render(values))
            for customer, values in recipients
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
    ) -> int:
        """Write a mail-merge data file for word processors: one row per selected customer.

        CSV in UTF-8 with a byte order mark, a header row of field names, one column per field,
        rows in order of customer number, written as they are read (``batch_size`` customers
        per read transaction). Customers are chosen as by :meth:`letters`: never anonymized
        ones or merged duplicates.

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

        Returns:
            How many rows were written (the header not counted).

        Raises:
            LetterTemplateError: an unknown field, before anything is written.
            InvalidInputError: a bad selection, target, delimiter, open amount or batch size.
        """
        columns = mailmerge.FIELDS if fields is None else mailmerge.check_fields(fields)
        mailmerge.check_delimiter(delimiter)
        needs_amount = not mailmerge.OPEN_AMOUNT_FIELDS.isdisjoint(columns)
        if not isinstance(target, str | os.PathLike) and not callable(
            getattr(target, "write", None)
        ):
            raise InvalidInputError("target must be a file path or a text file open for writing")
        recipients = self._recipients(selection, open_amounts, owing_only, batch_size, needs_amount)
        rows = (values for _customer, values in recipients)
        if not isinstance(target, str | os.PathLike):
            return mailmerge.write_data_file(target, columns, rows, delimiter=delimiter)
        path = Path(target)
        partial = path.with_name(path.name + ".part")
        try:
            with partial.open("w", encoding="utf-8", newline="") as sink:
                count = mailmerge.write_data_file(sink, columns, rows, delimiter=delimiter)
            partial.replace(path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return count

    def _recipients(
        self,
        selection: Selection | None,
        open_amounts: Mapping[int, Decimal | int | str] | None,
        owing_only: bool,
        batch_size: int,
        needs_amount: bool,
    ) -> Iterator[tuple[Customer, dict[str, str]]]:
        """Check the arguments now; return the recipients with their merge fields, lazily.

        Anonymized customers and tombstones are left out whatever ``selection`` says; a
        selection of anonymized customers only has no recipients at all.
        """
        asked = _selection(selection)
        chosen = attrs.evolve(asked, anonymized=False, include_merged=False)
        amounts = None if open_amounts is None else mailmerge.check_open_amounts(open_amounts)
        if not isinstance(owing_only, bool):
            raise InvalidInputError("owing_only is True or False")
        _batch_size(batch_size)
        if asked.anonymized:
            return iter(())
        read = functools.partial(
            self._recipients_of,
            amounts=amounts,
            owing_only=owing_only,
            needs_amount=needs_amount or owing_only,
        )
        return self._paged(chosen, batch_size, read)

    def _recipients_of(
        self,
        tx: StoreTransaction,
        customers: list[Customer],
        amounts: dict[int, Decimal] | None,
        owing_only: bool,
        needs_amount: bool,
    ) -> list[tuple[Customer, dict[str, str]]]:
        """The recipients among one page of customers, with their merge fields."""
        settings = self._settings(tx)
        owed: dict[int, Decimal] = {}
        if needs_amount and amounts is None:
            bookings: dict[int, list[Booking]] = {c.number: [] for c in customers}
            for booking in tx.bookings_of(list(bookings)):
                bookings[booking.customer].append(booking)
            owed = {n: mailmerge.open_amount_of(found) for n, found in bookings.items()}
        elif needs_amount and amounts is not None:
            owed = {c.number: amounts.get(c.number, Decimal("0.00")) for c in customers}
        batch = []
        for customer in customers:
            amount = owed.get(customer.number)
            if owing_only and not amount:
                continue
            batch.append((customer, mailmerge.merge_fields(customer, settings, amount)))
        return batch

    # -- merge ------------------------------------------------------------------------------

    def _plan(
        self,
        tx: StoreTransaction,
        master: int,
        duplicates: Sequence[int],
        fill_blanks: bool,
        unite_status: bool,
    ) -> tuple[MergePlan, Customer, list[Customer]]:
        """Plan the merge on the customers, locked in a write transaction, and the settings.

        The settings are read without a lock: a merge that does not touch them must not wait
        for, or hold up, every registration. A plan that writes them or decides on them
        (template customers follow, a category fills a blank, flags are united) is made again
        by :meth:`merge` on settings it locked for update.
        """
        if isinstance(duplicates, str | bytes) or not isinstance(duplicates, Iterable):
            raise InvalidInputError("duplicates must be a list of customer numbers")
        numbers = [_number(n) for n in duplicates]
        _number(master)
        if master in numbers:
            raise MergeRefusedError(f"customer {master} cannot be merged into itself")
        if len(set(numbers)) != len(numbers):
            twice = next(n for n in numbers if numbers.count(n) > 1)
            raise MergeRefusedError(f"customer {twice} is listed twice as a duplicate")
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
        plan = rules.plan_merge(
            tx.get_settings() or Settings(),
            found[master],
            dups,
            tx.booking_references(numbers),
            fill_blanks=fill_blanks,
            unite_status=unite_status,
            references=tx.reference_counts(numbers),
        )
        return plan, found[master], dups

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
        _flag(fill_blanks, "fill_blanks")
        _flag(unite_status, "unite_status")
        check_merge_duplicates(duplicates)
        return self._run(
            lambda tx: self._plan(tx, master, duplicates, fill_blanks, unite_status)[0],
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
        _flag(fill_blanks, "fill_blanks")
        _flag(unite_status, "unite_status")
        check_merge_duplicates(duplicates)
        if actor is not None:
            # Validate the actor before anything moves: host rows moved by the memory store
            # could not be taken back if the audit record refused it afterwards.
            MergeRecord(
                id=0, merged_at=self._now(), master=1, duplicates=(), bookings_moved=0, actor=actor
            )

        def op(tx: StoreTransaction) -> MergeReport:
            plan, master_customer, dups = self._plan(
                tx, master, duplicates, fill_blanks, unite_status
            )
            settings: Settings | None = None
            if _plan_uses_settings(plan):
                # Decided on settings read without a lock: decide again on locked ones, which
                # this transaction may write (template customers follow to the master).
                settings = self._settings_for_update(tx)
                plan = rules.plan_merge(
                    settings,
                    master_customer,
                    dups,
                    plan.bookings,
                    fill_blanks=fill_blanks,
                    unite_status=unite_status,
                    references=plan.references,
                )
            now = self._now()
            moved = tx.move_bookings(plan.duplicates, plan.master)
            new_master = rules.filled_master(plan, master_customer, dups, now)
            changed = [rules.tombstone(d, plan.master, now) for d in dups]
            if new_master is not master_customer:
                changed.insert(0, new_master)
            stored = tx.update_customers(changed)
            if new_master is not master_customer:
                new_master = stored[0]
            if plan.templates and settings is not None:
                for kind in plan.templates:
                    settings = settings.with_kind(
                        kind, attrs.evolve(settings.kind(kind), template_customer=plan.master)
                    )
                tx.put_settings(settings)
            tx.move_erasure_requests(plan.duplicates, plan.master)
            _fold_open_requests(tx, plan.master)
            # Host rows are moved last: the memory store cannot take them back if a later
            # step failed, and nothing after this point can refuse the merge.
            references = tx.move_references(plan.duplicates, plan.master)
            record = tx.add_merge_record(
                MergeRecord(
                    id=0,
                    merged_at=now,
                    master=plan.master,
                    duplicates=plan.duplicates,
                    bookings_moved=moved,
                    references_moved=references,
                    actor=actor,
                )
            )
            return MergeReport(
                plan=plan,
                master=new_master,
                bookings_moved=moved,
                merged_at=now,
                references_moved=references,
                record=record,
            )

        report = self._run(op)
        logger.info(
            "merged customers %s into customer %d (%d bookings moved)",
            ", ".join(map(str, report.plan.duplicates)),
            report.plan.master,
            report.bookings_moved,
        )
        return report

    def merge_history(self, number: int | None = None) -> list[MergeRecord]:
        """Return the merge audit, oldest first; with ``number``, the merges naming it."""
        if number is not None:
            _number(number)
        return self._run(lambda tx: tx.merge_records(number), write=False)

    # -- anonymization ----------------------------------------------------------------------

    def eligibility(
        self, number: int, acting_agency: str, today: date | None = None
    ) -> Eligibility:
        """May ``acting_agency`` anonymize customer ``number`` on ``today``? (R9).

        Returns a value, never raises for "no": see :class:`~custmodel.model.Eligibility`.
        """
        day = self._today(today)
        _agency(acting_agency)

        def op(tx: StoreTransaction) -> Eligibility:
            customer = self._active(tx, number)
            return rules.anonymization_eligibility(
                tx.bookings_of([customer.number]),
                acting_agency,
                day,
                self._settings(tx).anonymization_delay_days,
            )

        return self._run(op, write=False)

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
        _agency(acting_agency)

        def op(tx: StoreTransaction) -> AnonymizationReport:
            customer = self._active(tx, number)
            if customer.is_anonymized:
                return AnonymizationReport(customer, already_anonymized=True)
            eligibility = rules.anonymization_eligibility(
                tx.bookings_of([customer.number]),
                acting_agency,
                day,
                self._settings(tx).anonymization_delay_days,
            )
            if not eligibility.eligible:
                raise NotEligibleError(customer.number, eligibility)
            now = self._now()
            anonymous, cleared = rules.anonymized(customer, now)
            stored = tx.update_customers([anonymous])[0]
            tx.complete_erasure_requests([stored.number], now)
            return AnonymizationReport(stored, already_anonymized=False, fields_cleared=cleared)

        report = self._run(op)
        if not report.already_anonymized:
            logger.info("anonymized customer %d", report.customer.number)
            self._purge()
        return report

    def _purge(self) -> bool:
        """Purge old versions after a committed anonymization, without undoing the success.

        The anonymization is committed already; a store busy with readers cannot purge now,
        which is logged, and the next anonymization or :meth:`CustomerStore.purge` does it.

        Returns:
            False if the store was busy and nothing was purged.
        """
        try:
            self._store.purge()
        except StoreBusyError:
            logger.warning("could not purge old row versions now; the store is busy")
            return False
        return True

    # -- erasure requests -------------------------------------------------------------------

    def request_erasure(self, number: int, received_on: date) -> ErasureRequestRecorded:
        """Record a person's request to erase their data (GDPR Art. 17).

        A merged number follows to its master. A customer has at most one open request: while
        one is open, a repeat records nothing and says so (``repeated``); the open request
        keeps the earliest receipt day, because the one-month answer deadline runs from the
        first receipt, so a repeat received earlier moves it there (``moved_from``). For an
        anonymized customer the request is recorded as completed at once.

        Raises:
            InvalidInputError: ``received_on`` is not a date or lies after today.
            CustomerNotFoundError: no customer has the number.
        """
        if isinstance(received_on, datetime) or not isinstance(received_on, date):
            raise InvalidInputError("received_on must be a date (not a datetime)")

        def op(tx: StoreTransaction) -> ErasureRequestRecorded:
            now = self._now()
            if received_on > now.date():
                raise InvalidInputError("an erasure request cannot be received in the future")
            # Reading the customer locks it in a write transaction, so a concurrent request
            # for the same customer waits here and then finds this one open.
            customer = self._follow(tx, self._get(tx, number))
            open_requests = tx.erasure_requests(open_only=True, customers=[customer.number])
            if open_requests:
                request = open_requests[0]
                if received_on >= request.received_on:
                    return ErasureRequestRecorded(request, repeated=True)
                redated = tx.redate_erasure_request(request.id, received_on)
                if redated is not None:
                    return ErasureRequestRecorded(
                        redated, repeated=True, moved_from=request.received_on
                    )
            request = tx.add_erasure_request(customer.number, received_on, now)
            if customer.is_anonymized:
                tx.complete_erasure_requests([customer.number], now)
                request = attrs.evolve(request, completed_at=now)
            return ErasureRequestRecorded(request)

        recorded = self._run(op)
        request = recorded.request
        if recorded.moved_from is not None:
            logger.info(
                "erasure request %d of customer %d repeated with an earlier receipt day",
                request.id,
                request.customer,
            )
        elif recorded.repeated:
            logger.info(
                "erasure request %d of customer %d repeated; it stays open",
                request.id,
                request.customer,
            )
        else:
            logger.info("erasure request %d recorded for customer %d", request.id, request.customer)
        return recorded

    def erasure_requests(
        self, acting_agency: str, today: date | None = None, *, include_done: bool = False
    ) -> list[ErasureStatus]:
        """Each erasure request with its state for ``acting_agency`` on ``today``.

        DUE: may be anonymized now. WAITING: only time blocks; ``due_on`` says from when.
        BLOCKED: another point of sale or an external channel holds bookings of the person, so
        it is not the agency's data to erase; the eligibility says which. DONE (with
        ``include_done``): anonymized. ``answer_by`` is the GDPR's one month after receipt.
        The list is as of ``today``: a request received after that day is not in it.
        """
        day = self._today(today)
        _agency(acting_agency)
        _flag(include_done, "include_done")

        def op(tx: StoreTransaction) -> list[ErasureStatus]:
            requests = [
                r for r in tx.erasure_requests(open_only=not include_done) if r.received_on <= day
            ]
            delay = self._settings(tx).anonymization_delay_days
            bookings: dict[int, list[Booking]] = {}
            for booking in tx.bookings_of({r.customer for r in requests if r.is_open}):
                bookings.setdefault(booking.customer, []).append(booking)
            statuses = []
            for request in requests:
                eligibility = rules.anonymization_eligibility(
                    bookings.get(request.customer, []), acting_agency, day, delay
                )
                statuses.append(_erasure_status(request, eligibility, day))
            return statuses

        return self._run(op, write=False)

    def anonymize_due(
        self,
        acting_agency: str,
        today: date | None = None,
        *,
        dry_run: bool = False,
        batch_size: int = 500,
    ) -> ErasureSweep:
        """Anonymize every customer whose open erasure request is due, batch by batch.

        Each batch is one transaction: the store selects the due customers set-based (no query
        per customer), their bookings are read in one query and checked once more against the
        rule, and they are anonymized and their requests completed together. Memory stays flat
        however many customers the store holds. ``dry_run`` only reports who is due.

        Raises:
            InvalidInputError: empty agency, a datetime for ``today``, batch_size below 1.
        """
        day = self._today(today)
        _agency(acting_agency)
        _flag(dry_run, "dry_run")
        _batch_size(batch_size)
        due: list[int] = []
        anonymized = batches = 0
        after = 0
        # Purged after each batch, so that a crash later in the sweep leaves no old data of
        # the customers already anonymized; once the store is busy, only at the end.
        purged = True
        while True:
            batch = self._run(
                functools.partial(
                    self._sweep_batch,
                    acting_agency=acting_agency,
                    day=day,
                    after=after,
                    limit=batch_size,
                    dry_run=dry_run,
                ),
                write=not dry_run,
            )
            found, done = batch
            if not found:
                break
            batches += 1
            due.extend(found)
            anonymized += done
            after = found[-1]
            if done and purged:
                purged = self._purge()
        if anonymized:
            logger.info("erasure sweep anonymized %d customers", anonymized)
            if not purged:
                self._purge()
        return ErasureSweep(
            dry_run=dry_run,
            due=len(due),
            anonymized=anonymized,
            batches=batches,
            customers=tuple(due),
        )

    def _sweep_batch(
        self,
        tx: StoreTransaction,
        acting_agency: str,
        day: date,
        after: int,
        limit: int,
        dry_run: bool,
    ) -> tuple[list[int], int]:
        """One batch of the sweep: the due customers found, and how many were anonymized."""
        delay = self._settings(tx).anonymization_delay_days
        try:
            cutoff = day - timedelta(days=delay)
        except OverflowError:
            return [], 0
        numbers = tx.due_erasures(acting_agency, cutoff, after, limit, received_by=day)
        if dry_run or not numbers:
            return numbers, 0
        # The query read without locks: a booking or a merge of these customers may have
        # committed since, or be about to. Lock the customers first (a booking, a merge and an
        # erasure request lock them too, so they wait for this commit or this lock waits for
        # theirs), then read their state, requests and bookings again and decide on those.
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
        now = self._now()
        changed = []
        for number in candidates:
            # The store's query and the rule must agree; the rule, on locked data, decides.
            if rules.anonymization_eligibility(
                bookings[number], acting_agency, day, delay
            ).eligible:
                changed.append(rules.anonymized(customers[number], now)[0])
        tx.update_customers(changed)
        tx.complete_erasure_requests([c.number for c in changed], now)
        return numbers, len(changed)

    # -- duplicates -------------------------------------------------------------------------

    def find_duplicates(
        self, number: int | None = None, *, threshold: float = 0.85
    ) -> list[DuplicateGroup]:
        """Find customers that are probably the same party, best candidates first.

        German-aware (umlauts, ß, titles, company suffixes, Kölner Phonetik); each group says
        why its customers matched and feeds :meth:`plan_merge` directly
        (``book.plan_merge(group.master, group.duplicates)``). Needs ``custmodel[dedupe]``.

        Args:
            number: Only the matches of this customer; None searches the whole store.
            threshold: The lowest pair score that counts as a match (0..1).

        Raises:
            MissingExtraError: without the ``dedupe`` extra.
        """
        from custmodel.dedupe import find_duplicate_groups

        if number is not None:
            _number(number)
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, int | float)
            or not 0 < threshold <= 1
        ):
            raise InvalidInputError("threshold is a number in (0, 1]")

        def op(tx: StoreTransaction) -> list[DuplicateGroup]:
            if number is not None:
                self._active(tx, number)
            customers = tx.select(Selection(anonymized=False))
            return find_duplicate_groups(customers, threshold=threshold, focus=number)

        return self._run(op, write=False)


def _plan_uses_settings(plan: MergePlan) -> bool:
    """Whether a merge plan writes the settings or rests on what they allow."""
    return bool(plan.templates or "category" in plan.filled_fields or plan.united_status.bits)


def _page(
    tx: StoreTransaction,
    selection: Selection,
    after: int,
    limit: int,
    read: Callable[[StoreTransaction, list[Customer]], list[T]],
) -> tuple[int | None, list[T]]:
    """One page: the last customer number read (None at the end) and what ``read`` made of it."""
    customers = tx.select_page(selection, after, limit)
    if not customers:
        return None, []
    # A short page is the last one: no further transaction is needed to find the end.
    return (customers[-1].number if len(customers) == limit else None), read(tx, customers)


def _the_customers(_tx: StoreTransaction, customers: list[Customer]) -> list[Customer]:
    return customers


def _their_bookings(tx: StoreTransaction, customers: list[Customer]) -> list[Booking]:
    bookings = tx.bookings_of([c.number for c in customers])
    return sorted(bookings, key=lambda b: (b.customer, b.reference))


def _fold_open_requests(tx: StoreTransaction, customer: int) -> None:
    """Leave ``customer`` one open erasure request (see :func:`rules.folded_erasure_requests`)."""
    open_requests = tx.erasure_requests(open_only=True, customers=[customer])
    if len(open_requests) < 2:
        return
    kept, folded = rules.folded_erasure_requests(open_requests)
    tx.delete_erasure_requests(folded)
    if kept not in open_requests:
        tx.redate_erasure_request(kept.id, kept.received_on)


def _one_month_after(day: date) -> date:
    """The same day one calendar month later, or that month's last day (Jan 31 -> Feb 28)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _erasure_status(request: ErasureRequest, eligibility: Eligibility, day: date) -> ErasureStatus:
    answer_by = _one_month_after(request.received_on)
    if not request.is_open:
        state, due_on = ErasureState.DONE, None
    elif eligibility.eligible:
        state, due_on = ErasureState.DUE, day
    elif eligibility.eligible_from is not None:
        state, due_on = ErasureState.WAITING, eligibility.eligible_from
    else:
        state, due_on = ErasureState.BLOCKED, None
    return ErasureStatus(request, state, due_on, answer_by, eligibility)


def _agency(acting_agency: str) -> str:
    if not isinstance(acting_agency, str) or not acting_agency.strip():
        raise InvalidInputError("the acting agency must be named")
    return check_lookup_text(acting_agency, "the acting agency")


def _batch_size(batch_size: int) -> int:
    return check_number(batch_size, "batch_size")


#: The settings :meth:`CustomerBook.update_settings` changes by name; kinds have ``per_kind``.
_BOOK_SETTINGS = frozenset(a.name for a in attrs.fields(Settings)) - {"kinds"}
_KIND_SETTINGS = frozenset(a.name for a in attrs.fields(KindSettings))


def _kind_changes(
    per_kind: Mapping[CustomerKind, Mapping[str, Any]] | None,
) -> dict[CustomerKind, dict[str, Any]]:
    """Return ``per_kind`` with its kinds as members and checked field names.

    Raises:
        InvalidInputError: for something else than a mapping, an unknown kind or field name.
    """
    if per_kind is None:
        return {}
    if not isinstance(per_kind, Mapping):
        raise InvalidInputError("per_kind maps customer kinds to their settings changes")
    checked: dict[CustomerKind, dict[str, Any]] = {}
    for kind, fields in per_kind.items():
        if not isinstance(fields, Mapping):
            raise InvalidInputError("per_kind maps each kind to field names and new values")
        unknown = set(fields) - _KIND_SETTINGS
        if unknown:
            raise InvalidInputError(
                f"unknown kind settings: {', '.join(sorted(map(str, unknown)))}"
            )
        checked[to_enum(CustomerKind, kind)] = dict(fields)
    return checked


def _dimensions(
    group_by: StatisticsDimension | str | Iterable[StatisticsDimension | str],
) -> tuple[StatisticsDimension, ...]:
    """Return ``group_by`` as distinct dimensions, at least one.

    Raises:
        InvalidInputError: for an unknown dimension, none, or one twice.
    """
    if isinstance(group_by, str):
        group_by = (group_by,)
    elif not isinstance(group_by, Iterable):
        raise InvalidInputError("group_by is a statistics dimension or a sequence of them")
    dimensions = tuple(to_enum(StatisticsDimension, d) for d in group_by)
    if not dimensions:
        raise InvalidInputError("statistics group by at least one dimension")
    for dimension in dimensions:
        if dimensions.count(dimension) > 1:
            raise InvalidInputError(f"statistics group by {dimension} only once")
    return dimensions


def _selection(selection: Selection | None) -> Selection:
    if selection is None:
        return Selection()
    if not isinstance(selection, Selection):
        raise InvalidInputError("a selection must be a Selection object")
    return selection
