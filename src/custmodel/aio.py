"""asyncio entry point: :class:`AsyncCustomerBook`, every operation of a book awaitable.

An :class:`AsyncCustomerBook` wraps a :class:`~custmodel.CustomerBook` and runs each of its
operations in a bounded thread pool of its own, so a coroutine awaits the operation while the
event loop goes on serving other tasks. It is the very same code as the book's: the same
arguments, the same checks, the same transactions and retries, the same errors. There is no
second, native-async SQL path to keep in step (see docs/async.md for the reasons).

Example:
    >>> import asyncio
    >>> from custmodel import CustomerBook, CustomerKind, MemoryStore, Settings
    >>> from custmodel.aio import AsyncCustomerBook
    >>> async def main() -> int:
    ...     async with AsyncCustomerBook(CustomerBook(MemoryStore(), Settings())) as book:
    ...         customer = await book.register(CustomerKind.PRIVATE, "Test")
    ...         return customer.debtor_account
    >>> asyncio.run(main())
    10001
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import itertools
import os
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar, overload

import attrs

from custmodel import letters as mailmerge
from custmodel._book_marketing import Channels
from custmodel._entrycheck import DuplicateMode, Registration
from custmodel._marks import DistinctMark
from custmodel.book import CustomerBook
from custmodel.dedupe import DEFAULT_THRESHOLD
from custmodel.errors import InvalidInputError, StoreError
from custmodel.model._access import AccessReport, RequestStatus
from custmodel.model._booking import Booking, BookingMoved, BookingRecorded
from custmodel.model._channels import ContactChannel
from custmodel.model._customer import Customer, NewCustomer
from custmodel.model._erasure import (
    AnonymizationReport,
    Eligibility,
    ErasureRequestRecorded,
    ErasureStatus,
    ErasureSweep,
)
from custmodel.model._history import HistoryEntry
from custmodel.model._kinds import CustomerKind, CustomerType
from custmodel.model._marketing import (
    MarketingChoice,
    MarketingChoiceKind,
    MarketingChoicesRecorded,
    Purpose,
)
from custmodel.model._merge import MergePlan, MergeRecord, MergeReport
from custmodel.model._profile import (
    CustomerProfile,
    EffectiveRules,
    KindChange,
    Letter,
    MergeDataWritten,
    MoneyField,
)
from custmodel.model._requests import RequestRecorded
from custmodel.model._selection import Selection
from custmodel.model._settings import Settings
from custmodel.model._statistics import DeparturePeriod, Statistics, StatisticsDimension
from custmodel.storage.ports import CustomerStore

if TYPE_CHECKING:
    from custmodel.dedupe import DuplicateGroup

__all__ = ["DEFAULT_WORKERS", "AsyncCustomerBook", "AsyncLetterRun"]

T = TypeVar("T")
P = ParamSpec("P")

#: Worker threads of a book whose store has no connection pool to size them by.
DEFAULT_WORKERS = 4


def _pool_size(store: CustomerStore) -> int:
    """The size of the store's connection pool, or :data:`DEFAULT_WORKERS`.

    More workers than pooled connections would only queue for a connection in their threads.
    """
    pool = getattr(getattr(store, "engine", None), "pool", None)
    size = getattr(pool, "size", None)
    if callable(size):
        found = size()
        if isinstance(found, int) and not isinstance(found, bool) and found > 0:
            return found
    return DEFAULT_WORKERS


@attrs.define
class _Workers:
    """The thread pool that one book and the books made from it by ``acting`` share."""

    executor: ThreadPoolExecutor
    closed: bool = False


class _Paged(AsyncIterator[T]):
    """An async iterator over a book's lazy iterator: each chunk is read in the worker pool.

    The book's iterator is made in the pool at the first step (its argument checks raise
    there), then read ``chunk`` items at a time, which is one page of the book's reads.
    """

    def __init__(self, book: AsyncCustomerBook, start: Callable[[], Iterator[T]], chunk: int):
        self._book = book
        self._start = start
        self._chunk = chunk if isinstance(chunk, int) and chunk > 0 else 1
        self._iterator: Iterator[T] | None = None
        self._buffer: deque[T] = deque()
        self._done = False
        # Two tasks stepping one iterator at once must not run its generator in two threads.
        self._turn = asyncio.Lock()

    def _read(self) -> list[T]:
        if self._iterator is None:
            self._iterator = self._start()
        return list(itertools.islice(self._iterator, self._chunk))

    async def __anext__(self) -> T:
        async with self._turn:
            if not self._buffer:
                if self._done:
                    raise StopAsyncIteration
                self._buffer.extend(await self._book._call(self._read))
                if not self._buffer:
                    self._done = True
                    raise StopAsyncIteration
            return self._buffer.popleft()


class AsyncLetterRun(AsyncIterator[Letter]):
    """The letters of a run, rendered in the worker pool as they are consumed.

    Iterate over it with ``async for``; the asyncio counterpart of
    :class:`~custmodel.letters.LetterRun`.

    Attributes:
        left_out: How many selected customers the run leaves out because they objected to
            advertising on its channel (0 for a contract run).
        credited: How the open amounts given were credited, as
            ``LetterRun.credited`` of :class:`~custmodel.letters.LetterRun` says.
    """

    def __init__(
        self,
        letters: AsyncIterator[Letter],
        left_out: int,
        credited: mailmerge.CreditedAmounts | None = None,
    ) -> None:
        self._letters = letters
        self.left_out = left_out
        self.credited = credited

    async def __anext__(self) -> Letter:
        return await anext(self._letters)

    def __repr__(self) -> str:
        return f"AsyncLetterRun(left_out={self.left_out})"


class AsyncCustomerBook:
    """A :class:`~custmodel.CustomerBook` for asyncio: every operation is awaited.

    Each call runs the book's method of the same name, with the same arguments, in a thread of
    this object's own bounded pool, so the event loop is never blocked by the store; what it
    returns and raises is what the book's method returns and raises. Iterators
    (:meth:`iter_customers`, :meth:`iter_bookings`, :meth:`iter_history`, the letters of
    :meth:`letters`) are async iterators that read each page in the pool; their arguments are
    checked at the first step.

    Cancelling a task that awaits an operation does not stop the operation: a thread cannot
    be interrupted, so it completes (or fails) as one transaction, and only its result is lost.

    Args:
        book: The book to run; its store, settings, clock, retries and actor apply.
        max_workers: Threads in the pool: how many operations run at once. None takes the
            size of the store's connection pool (a :class:`~custmodel.storage.sql.SqlStore`),
            or :data:`DEFAULT_WORKERS`.

    Use it as an async context manager, or call :meth:`aclose`, to shut the pool down; the
    store stays open (close it yourself).
    """

    def __init__(self, book: CustomerBook, *, max_workers: int | None = None) -> None:
        if not isinstance(book, CustomerBook):
            raise InvalidInputError("AsyncCustomerBook takes a CustomerBook")
        if max_workers is None:
            workers = _pool_size(book.store)
        elif isinstance(max_workers, int) and not isinstance(max_workers, bool) and max_workers > 0:
            workers = max_workers
        else:
            raise InvalidInputError("max_workers is a whole number from 1, or None")
        self._book = book
        self._workers = _Workers(
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="custmodel-aio")
        )
        self._owner = True

    @classmethod
    def _sharing(cls, book: CustomerBook, workers: _Workers) -> AsyncCustomerBook:
        shared = cls.__new__(cls)
        shared._book = book
        shared._workers = workers
        shared._owner = False
        return shared

    # -- the pool ---------------------------------------------------------------------------

    async def _call(self, operation: Callable[[], T]) -> T:
        """Run ``operation`` in a worker thread, with this task's context variables."""
        if self._workers.closed:
            raise StoreError("the AsyncCustomerBook is closed")
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()
        return await loop.run_in_executor(self._workers.executor, context.run, operation)

    async def run_in_pool(
        self, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Await ``function(*args, **kwargs)`` run in a worker thread of this book's pool.

        For the application's own blocking work beside the book's, such as a write to a host
        table in a transaction on the store's engine: it then shares the pool, which is sized
        to the store's connection pool, instead of adding threads that wait for a connection.
        """
        return await self._call(functools.partial(function, *args, **kwargs))

    async def aclose(self) -> None:
        """Shut the thread pool down, after the operations running in it have finished.

        A book made by :meth:`acting` shares its pool: closing it closes nothing; closing the
        book it was made from closes the pool for both. The store stays open.
        """
        if not self._owner or self._workers.closed:
            return
        self._workers.closed = True
        await asyncio.get_running_loop().run_in_executor(None, self._workers.executor.shutdown)

    async def __aenter__(self) -> AsyncCustomerBook:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"AsyncCustomerBook({self._book.store!r})"

    # -- plain properties ---------------------------------------------------------------------

    @property
    def book(self) -> CustomerBook:
        """The book whose operations this object runs."""
        return self._book

    @property
    def store(self) -> CustomerStore:
        """The store the book works on."""
        return self._book.store

    @property
    def actor(self) -> str | None:
        """Who the changes made through this book are recorded for (None: not named)."""
        return self._book.actor

    def acting(self, actor: str | None) -> AsyncCustomerBook:
        """Return a book for ``actor`` on the same store that shares this one's thread pool.

        Raises:
            InvalidInputError: as :meth:`CustomerBook.acting`.
        """
        return AsyncCustomerBook._sharing(self._book.acting(actor), self._workers)

    # -- settings ---------------------------------------------------------------------------

    async def settings(self) -> Settings:
        """The settings in force: :attr:`CustomerBook.settings`, which reads the store."""
        return await self._call(lambda: self._book.settings)

    async def configure(self, settings: Settings, *, replace: bool = True) -> Settings:
        """Await :meth:`CustomerBook.configure`."""
        return await self._call(lambda: self._book.configure(settings, replace=replace))

    async def update_kind_settings(self, kind: CustomerKind, **changes: Any) -> Settings:
        """Await :meth:`CustomerBook.update_kind_settings`."""
        return await self._call(lambda: self._book.update_kind_settings(kind, **changes))

    async def update_settings(
        self,
        *,
        per_kind: Mapping[CustomerKind, Mapping[str, Any]] | None = None,
        **changes: Any,
    ) -> Settings:
        """Await :meth:`CustomerBook.update_settings`."""
        return await self._call(lambda: self._book.update_settings(per_kind=per_kind, **changes))

    async def rename_status_label(self, kind: CustomerKind, flag: int, label: str | None) -> int:
        """Await :meth:`CustomerBook.rename_status_label`."""
        return await self._call(lambda: self._book.rename_status_label(kind, flag, label))

    # -- registration and lookup -------------------------------------------------------------

    @overload
    async def register(
        self,
        kind: CustomerKind,
        last_name: str,
        *,
        duplicates: Literal["off", "refuse"] = "off",
        duplicate_threshold: float | None = None,
        **fields: Any,
    ) -> Customer: ...

    @overload
    async def register(
        self,
        kind: CustomerKind,
        last_name: str,
        *,
        duplicates: Literal["warn"],
        duplicate_threshold: float | None = None,
        **fields: Any,
    ) -> Registration: ...

    @overload
    async def register(
        self,
        kind: CustomerKind,
        last_name: str,
        *,
        duplicates: DuplicateMode,
        duplicate_threshold: float | None = None,
        **fields: Any,
    ) -> Customer | Registration: ...

    async def register(
        self,
        kind: CustomerKind,
        last_name: str,
        *,
        duplicates: DuplicateMode = "off",
        duplicate_threshold: float | None = None,
        **fields: Any,
    ) -> Customer | Registration:
        """Await :meth:`CustomerBook.register`."""
        return await self._call(
            lambda: self._book.register(
                kind,
                last_name,
                duplicates=duplicates,
                duplicate_threshold=duplicate_threshold,
                **fields,
            )
        )

    @overload
    async def register_draft(
        self,
        draft: NewCustomer,
        *,
        duplicates: Literal["off", "refuse"] = "off",
        duplicate_threshold: float | None = None,
    ) -> Customer: ...

    @overload
    async def register_draft(
        self,
        draft: NewCustomer,
        *,
        duplicates: Literal["warn"],
        duplicate_threshold: float | None = None,
    ) -> Registration: ...

    @overload
    async def register_draft(
        self,
        draft: NewCustomer,
        *,
        duplicates: DuplicateMode,
        duplicate_threshold: float | None = None,
    ) -> Customer | Registration: ...

    async def register_draft(
        self,
        draft: NewCustomer,
        *,
        duplicates: DuplicateMode = "off",
        duplicate_threshold: float | None = None,
    ) -> Customer | Registration:
        """Await :meth:`CustomerBook.register_draft`."""
        return await self._call(
            lambda: self._book.register_draft(
                draft, duplicates=duplicates, duplicate_threshold=duplicate_threshold
            )
        )

    @overload
    async def register_many(
        self,
        drafts: Iterable[NewCustomer],
        *,
        duplicates: Literal["off", "refuse"] = "off",
        duplicate_threshold: float | None = None,
    ) -> list[Customer]: ...

    @overload
    async def register_many(
        self,
        drafts: Iterable[NewCustomer],
        *,
        duplicates: Literal["warn"],
        duplicate_threshold: float | None = None,
    ) -> list[Registration]: ...

    @overload
    async def register_many(
        self,
        drafts: Iterable[NewCustomer],
        *,
        duplicates: DuplicateMode,
        duplicate_threshold: float | None = None,
    ) -> list[Customer] | list[Registration]: ...

    async def register_many(
        self,
        drafts: Iterable[NewCustomer],
        *,
        duplicates: DuplicateMode = "off",
        duplicate_threshold: float | None = None,
    ) -> list[Customer] | list[Registration]:
        """Await :meth:`CustomerBook.register_many`; ``drafts`` is read in the worker thread."""
        return await self._call(
            lambda: self._book.register_many(
                drafts, duplicates=duplicates, duplicate_threshold=duplicate_threshold
            )
        )

    async def get(self, number: int) -> Customer:
        """Await :meth:`CustomerBook.get`."""
        return await self._call(lambda: self._book.get(number))

    async def resolve(self, number: int) -> Customer:
        """Await :meth:`CustomerBook.resolve`."""
        return await self._call(lambda: self._book.resolve(number))

    async def resolve_debtor_account(self, account: int) -> Customer:
        """Await :meth:`CustomerBook.resolve_debtor_account`."""
        return await self._call(lambda: self._book.resolve_debtor_account(account))

    async def find_by_code1(self, text: str) -> list[Customer]:
        """Await :meth:`CustomerBook.find_by_code1`."""
        return await self._call(lambda: self._book.find_by_code1(text))

    async def select(
        self,
        selection: Selection | None = None,
        *,
        limit: int | None = None,
        after: int | None = None,
    ) -> list[Customer]:
        """Await :meth:`CustomerBook.select`."""
        return await self._call(lambda: self._book.select(selection, limit=limit, after=after))

    async def count(self, selection: Selection | None = None) -> int:
        """Await :meth:`CustomerBook.count`."""
        return await self._call(lambda: self._book.count(selection))

    def iter_customers(
        self, selection: Selection | None = None, *, batch_size: int = 1000
    ) -> AsyncIterator[Customer]:
        """:meth:`CustomerBook.iter_customers` as an async iterator: a page per worker call."""
        return _Paged(
            self,
            lambda: self._book.iter_customers(selection, batch_size=batch_size),
            batch_size,
        )

    def iter_bookings(
        self, selection: Selection | None = None, *, batch_size: int = 1000
    ) -> AsyncIterator[Booking]:
        """:meth:`CustomerBook.iter_bookings` as an async iterator: a page per worker call."""
        return _Paged(
            self,
            lambda: self._book.iter_bookings(selection, batch_size=batch_size),
            batch_size,
        )

    async def statistics(
        self,
        selection: Selection | None = None,
        group_by: StatisticsDimension | str | Iterable[StatisticsDimension | str] = (
            StatisticsDimension.KIND
        ),
        period: DeparturePeriod | None = None,
    ) -> Statistics:
        """Await :meth:`CustomerBook.statistics`."""
        return await self._call(lambda: self._book.statistics(selection, group_by, period))

    # -- changes ----------------------------------------------------------------------------

    async def update(self, customer: Customer) -> Customer:
        """Await :meth:`CustomerBook.update`."""
        return await self._call(lambda: self._book.update(customer))

    async def change_kind(
        self, number: int, kind: CustomerKind, *, keep_status: bool = False
    ) -> KindChange:
        """Await :meth:`CustomerBook.change_kind`."""
        return await self._call(
            lambda: self._book.change_kind(number, kind, keep_status=keep_status)
        )

    async def change_type(self, number: int, customer_type: CustomerType) -> Customer:
        """Await :meth:`CustomerBook.change_type`."""
        return await self._call(lambda: self._book.change_type(number, customer_type))

    async def set_status(self, selection: Selection | None, flag: int, on: bool = True) -> int:
        """Await :meth:`CustomerBook.set_status`."""
        return await self._call(lambda: self._book.set_status(selection, flag, on))

    # -- bookings ---------------------------------------------------------------------------

    async def record_booking(
        self,
        booking: Booking,
        *,
        convert_to: CustomerKind = CustomerKind.PRIVATE,
        keep_status: bool = False,
        replace: bool = True,
    ) -> BookingRecorded:
        """Await :meth:`CustomerBook.record_booking`."""
        return await self._call(
            lambda: self._book.record_booking(
                booking, convert_to=convert_to, keep_status=keep_status, replace=replace
            )
        )

    async def update_booking(
        self,
        reference: str,
        /,
        *,
        convert_to: CustomerKind = CustomerKind.PRIVATE,
        keep_status: bool = False,
        **changes: Any,
    ) -> BookingRecorded:
        """Await :meth:`CustomerBook.update_booking`."""
        return await self._call(
            lambda: self._book.update_booking(
                reference, convert_to=convert_to, keep_status=keep_status, **changes
            )
        )

    async def move_booking(
        self,
        reference: str,
        to_customer: int,
        *,
        convert_to: CustomerKind = CustomerKind.PRIVATE,
        keep_status: bool = False,
    ) -> BookingMoved:
        """Await :meth:`CustomerBook.move_booking`."""
        return await self._call(
            lambda: self._book.move_booking(
                reference, to_customer, convert_to=convert_to, keep_status=keep_status
            )
        )

    async def get_booking(self, reference: str) -> Booking:
        """Await :meth:`CustomerBook.get_booking`."""
        return await self._call(lambda: self._book.get_booking(reference))

    async def bookings(self, number: int) -> list[Booking]:
        """Await :meth:`CustomerBook.bookings`."""
        return await self._call(lambda: self._book.bookings(number))

    # -- rules that read ----------------------------------------------------------------------

    async def effective_rules(self, number: int) -> EffectiveRules:
        """Await :meth:`CustomerBook.effective_rules`."""
        return await self._call(lambda: self._book.effective_rules(number))

    async def profile(self, number: int) -> CustomerProfile:
        """Await :meth:`CustomerBook.profile`."""
        return await self._call(lambda: self._book.profile(number))

    async def dunning_fields(self, number: int, open_amount: Decimal) -> dict[str, MoneyField]:
        """Await :meth:`CustomerBook.dunning_fields`."""
        return await self._call(lambda: self._book.dunning_fields(number, open_amount))

    async def letters(
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
    ) -> AsyncLetterRun:
        """Await :meth:`CustomerBook.letters`: the checks and the count of those left out.

        The letters are rendered in the pool as the returned run is consumed, a page of
        ``batch_size`` customers per worker call.
        """
        run = await self._call(
            lambda: self._book.letters(
                selection,
                template,
                open_amounts=open_amounts,
                owing_only=owing_only,
                batch_size=batch_size,
                purpose=purpose,
                channel=channel,
                due_by=due_by,
                days_before_departure=days_before_departure,
            )
        )
        return AsyncLetterRun(_Paged(self, lambda: run, batch_size), run.left_out, run.credited)

    async def write_merge_data(
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
        """Await :meth:`CustomerBook.write_merge_data`; the file is written in the worker."""
        return await self._call(
            lambda: self._book.write_merge_data(
                selection,
                target,
                fields=fields,
                open_amounts=open_amounts,
                owing_only=owing_only,
                delimiter=delimiter,
                batch_size=batch_size,
                purpose=purpose,
                channel=channel,
                due_by=due_by,
                days_before_departure=days_before_departure,
            )
        )

    # -- merge ------------------------------------------------------------------------------

    async def plan_merge(
        self,
        master: int,
        duplicates: Sequence[int],
        *,
        fill_blanks: bool = False,
        unite_status: bool = False,
    ) -> MergePlan:
        """Await :meth:`CustomerBook.plan_merge`."""
        return await self._call(
            lambda: self._book.plan_merge(
                master, duplicates, fill_blanks=fill_blanks, unite_status=unite_status
            )
        )

    async def merge(
        self,
        master: int,
        duplicates: Sequence[int],
        *,
        fill_blanks: bool = False,
        unite_status: bool = False,
        actor: str | None = None,
    ) -> MergeReport:
        """Await :meth:`CustomerBook.merge`."""
        return await self._call(
            lambda: self._book.merge(
                master,
                duplicates,
                fill_blanks=fill_blanks,
                unite_status=unite_status,
                actor=actor,
            )
        )

    async def merge_history(self, number: int | None = None) -> list[MergeRecord]:
        """Await :meth:`CustomerBook.merge_history`."""
        return await self._call(lambda: self._book.merge_history(number))

    # -- anonymization ----------------------------------------------------------------------

    async def eligibility(
        self, number: int, acting_agency: str, today: date | None = None
    ) -> Eligibility:
        """Await :meth:`CustomerBook.eligibility`."""
        return await self._call(lambda: self._book.eligibility(number, acting_agency, today))

    async def anonymize(
        self, number: int, acting_agency: str, today: date | None = None
    ) -> AnonymizationReport:
        """Await :meth:`CustomerBook.anonymize`."""
        return await self._call(lambda: self._book.anonymize(number, acting_agency, today))

    async def anonymize_due(
        self,
        acting_agency: str,
        today: date | None = None,
        *,
        dry_run: bool = False,
        batch_size: int = 500,
        retention: bool = True,
    ) -> ErasureSweep:
        """Await :meth:`CustomerBook.anonymize_due`; the whole sweep runs in one worker."""
        return await self._call(
            lambda: self._book.anonymize_due(
                acting_agency,
                today,
                dry_run=dry_run,
                batch_size=batch_size,
                retention=retention,
            )
        )

    # -- duplicates -------------------------------------------------------------------------

    async def find_duplicates(
        self, number: int | None = None, *, threshold: float = DEFAULT_THRESHOLD
    ) -> list[DuplicateGroup]:
        """Await :meth:`CustomerBook.find_duplicates`."""
        return await self._call(lambda: self._book.find_duplicates(number, threshold=threshold))

    async def mark_distinct(
        self, first: int, second: int, *, actor: str | None = None
    ) -> DistinctMark:
        """Await :meth:`CustomerBook.mark_distinct`."""
        return await self._call(lambda: self._book.mark_distinct(first, second, actor=actor))

    async def unmark_distinct(self, first: int, second: int) -> bool:
        """Await :meth:`CustomerBook.unmark_distinct`."""
        return await self._call(lambda: self._book.unmark_distinct(first, second))

    async def distinct_marks(self, number: int | None = None) -> list[DistinctMark]:
        """Await :meth:`CustomerBook.distinct_marks`."""
        return await self._call(lambda: self._book.distinct_marks(number))

    # -- requests of data subjects ----------------------------------------------------------

    async def request_erasure(self, number: int, received_on: date) -> ErasureRequestRecorded:
        """Await :meth:`CustomerBook.request_erasure`."""
        return await self._call(lambda: self._book.request_erasure(number, received_on))

    async def erasure_requests(
        self, acting_agency: str, today: date | None = None, *, include_done: bool = False
    ) -> list[ErasureStatus]:
        """Await :meth:`CustomerBook.erasure_requests`."""
        return await self._call(
            lambda: self._book.erasure_requests(acting_agency, today, include_done=include_done)
        )

    async def request_access(self, number: int, received_on: date) -> RequestRecorded:
        """Await :meth:`CustomerBook.request_access`."""
        return await self._call(lambda: self._book.request_access(number, received_on))

    async def requests(
        self, acting_agency: str, *, day: date | None = None, include_done: bool = False
    ) -> list[RequestStatus]:
        """Await :meth:`CustomerBook.requests`."""
        return await self._call(
            lambda: self._book.requests(acting_agency, day=day, include_done=include_done)
        )

    async def access_report(
        self, number: int, *, answer: bool = False, today: date | None = None
    ) -> AccessReport:
        """Await :meth:`CustomerBook.access_report`."""
        return await self._call(
            lambda: self._book.access_report(number, answer=answer, today=today)
        )

    async def access_letter(
        self,
        number: int,
        template: mailmerge.LetterTemplate | str | None = None,
        *,
        answer: bool = False,
        today: date | None = None,
    ) -> str:
        """Await :meth:`CustomerBook.access_letter`."""
        return await self._call(
            lambda: self._book.access_letter(number, template, answer=answer, today=today)
        )

    # -- advertising ------------------------------------------------------------------------

    async def record_marketing_choice(
        self,
        number: int,
        channels: Channels,
        choice: MarketingChoiceKind | str,
        *,
        given_on: date,
        source: str,
        note: str = "",
    ) -> MarketingChoicesRecorded:
        """Await :meth:`CustomerBook.record_marketing_choice`."""
        return await self._call(
            lambda: self._book.record_marketing_choice(
                number, channels, choice, given_on=given_on, source=source, note=note
            )
        )

    async def object_to_advertising(
        self,
        number: int,
        channels: Channels = tuple(ContactChannel),
        *,
        given_on: date,
        source: str,
        note: str = "",
    ) -> MarketingChoicesRecorded:
        """Await :meth:`CustomerBook.object_to_advertising`."""
        return await self._call(
            lambda: self._book.object_to_advertising(
                number, channels, given_on=given_on, source=source, note=note
            )
        )

    async def marketing_choices(self, number: int) -> list[MarketingChoice]:
        """Await :meth:`CustomerBook.marketing_choices`."""
        return await self._call(lambda: self._book.marketing_choices(number))

    # -- history ----------------------------------------------------------------------------

    async def history(
        self, number: int, *, after: int = 0, limit: int | None = None
    ) -> list[HistoryEntry]:
        """Await :meth:`CustomerBook.history`."""
        return await self._call(lambda: self._book.history(number, after=after, limit=limit))

    async def settings_history(
        self, *, after: int = 0, limit: int | None = None
    ) -> list[HistoryEntry]:
        """Await :meth:`CustomerBook.settings_history`."""
        return await self._call(lambda: self._book.settings_history(after=after, limit=limit))

    def iter_history(
        self, number: int | None = None, *, batch_size: int = 1000
    ) -> AsyncIterator[HistoryEntry]:
        """:meth:`CustomerBook.iter_history` as an async iterator: a page per worker call."""
        return _Paged(
            self, lambda: self._book.iter_history(number, batch_size=batch_size), batch_size
        )
