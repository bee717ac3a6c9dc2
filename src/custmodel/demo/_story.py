"""The demo's run: check the options, register the data set, and tell the walkthrough's chapters."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol, TextIO, TypeVar

from custmodel.book import CustomerBook
from custmodel.demo import _master_data, _processes
from custmodel.demo._constants import MAX_CUSTOMERS, MIN_CUSTOMERS, OWN_AGENCY, TODAY
from custmodel.demo._dataset import DemoData, generate
from custmodel.demo._report import _Printer
from custmodel.demo._settings import _BOOKING_BATCH, _CUSTOMER_BATCH, demo_settings
from custmodel.errors import InvalidInputError
from custmodel.model import Selection
from custmodel.storage import CustomerStore
from custmodel.storage.memory import MemoryStore

#: The seed the demo uses unless told otherwise.
DEFAULT_SEED = 4711
#: How many customers the demo registers unless told otherwise.
DEFAULT_CUSTOMERS = 3000


_T = TypeVar("_T")


class Track(Protocol):
    """A progress hook around the demo's long loops, shaped like ``rich.progress.track``.

    It receives the items, a description and their number, and yields the same items.
    """

    def __call__(
        self, sequence: Iterable[_T], description: str, total: int | None
    ) -> Iterable[_T]: ...


def _untracked(sequence: Iterable[_T], description: str, total: int | None) -> Iterable[_T]:
    """The default progress hook: no progress shown."""
    del description, total
    return sequence


def _fixed_clock(start: datetime) -> Callable[[], datetime]:
    ticks: Iterator[int] = iter(range(10**12))
    return lambda: start + timedelta(milliseconds=next(ticks))


def _batches(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    batch: list[_T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def run(
    out: TextIO = sys.stdout,
    store: CustomerStore | None = None,
    *,
    seed: int = DEFAULT_SEED,
    customers: int = DEFAULT_CUSTOMERS,
    track: Track = _untracked,
    letters_dir: str | os.PathLike[str] | None = None,
) -> CustomerBook:
    """Make the demo data set, register it in ``store`` and play the manuals' scenarios.

    Args:
        out: Where the report goes.
        store: An empty store (default: a new in-memory store).
        seed: The data set's seed; the same seed prints the same report.
        customers: How many customers the data set has (300 to 100,000).
        track: Progress hook around the long loops, e.g. ``rich.progress.track``.
        letters_dir: A directory (made if missing) for the dunning run's mail-merge data file
            :data:`MERGE_DATA_FILE`; None (the default) writes no file.

    Returns:
        The book, for callers that want to look further.

    Raises:
        InvalidInputError: a bad seed, size or letters directory, or a store that holds
            customers already.
    """
    letters = _letters_path(seed, customers, letters_dir)
    book = CustomerBook(
        store if store is not None else MemoryStore(),
        clock=_fixed_clock(datetime.combine(TODAY, datetime.min.time(), UTC) + timedelta(hours=9)),
    )
    present = book.count(Selection(include_merged=True))
    if present:
        raise InvalidInputError(
            f"the demo needs an empty store; this one holds {present} customers"
        )
    if letters is not None:
        # Made now, so that a directory that cannot be made stops the demo before it starts.
        try:
            letters.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise InvalidInputError(
                f"the demo cannot make its letters directory: {error.strerror}"
            ) from error
    book.configure(demo_settings())
    data = generate(seed, customers)
    Story(book, data, _Printer(out), track, letters).play()
    return book


def _letters_path(
    seed: object, customers: object, letters_dir: str | os.PathLike[str] | None
) -> Path | None:
    """Check the options of :func:`run`; the letters directory as a path (None: no file).

    Raises:
        InvalidInputError: a bad seed, size or letters directory.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidInputError("the demo's seed is a whole number")
    if isinstance(customers, bool) or not isinstance(customers, int):
        raise InvalidInputError("the demo's number of customers is a whole number")
    if not MIN_CUSTOMERS <= customers <= MAX_CUSTOMERS:
        raise InvalidInputError(f"the demo registers {MIN_CUSTOMERS} to {MAX_CUSTOMERS} customers")
    if letters_dir is None:
        return None
    if not isinstance(letters_dir, str | os.PathLike):
        raise InvalidInputError("the demo's letters directory is a path")
    letters = Path(letters_dir)
    if letters.exists() and not letters.is_dir():
        raise InvalidInputError("the demo's letters directory is a file, not a directory")
    return letters


class Story:
    """The walkthrough's state: the book, the data set and what the chapters leave behind.

    The chapters are functions of :mod:`custmodel.demo._master_data` (chapters 1 to 7) and
    :mod:`custmodel.demo._processes` (8 to 12) that take the story; :meth:`play` tells them in
    their order.
    """

    def __init__(
        self,
        book: CustomerBook,
        data: DemoData,
        p: _Printer,
        track: Track,
        letters_dir: Path | None,
    ) -> None:
        self.book = book
        self.data = data
        self.p = p
        self.track = track
        self.letters_dir = letters_dir
        self.numbers: list[int] = []
        self.recorded = 0
        #: Merged duplicates and their master: the ledger moves their open items there.
        self.masters: dict[int, int] = {}

    def number(self, index: int) -> int:
        """The customer number of the data set's customer ``index``."""
        return self.numbers[index]

    def play(self) -> None:
        """Register the data set and tell every chapter, then the summary."""
        self.p.line("custmodel demo: the customer master data of a German travel agency")
        self.p.line(
            f"Seed {self.data.seed}, {len(self.data.customers)} customers; the story's today "
            f"(Stichtag) is {TODAY.isoformat()}; we are agency {OWN_AGENCY}, AG2 and AG3 are "
            "other points of sale in the same system."
        )
        self.load()
        for chapter in _CHAPTERS:
            chapter(self)
        self.closing()

    def load(self) -> None:
        """Register the customers in batches and import the booking history."""
        data = self.data
        drafts = self.track(
            data.customers, description="Registering customers", total=len(data.customers)
        )
        for batch in _batches(drafts, _CUSTOMER_BATCH):
            self.numbers.extend(c.number for c in self.book.register_many(batch))
        for kind, index in data.cast.templates.items():
            self.book.update_kind_settings(kind, template_customer=self.number(index))
        # The booking history is imported like a data migration: straight through the store's
        # transaction, a few thousand bookings per commit. CustomerBook.record_booking (one
        # transaction per booking, used for the new bookings below) would commit each one,
        # which takes the embedded SQLite store milliseconds apiece. The history applies no
        # rule: prospects hold offers only (a firm booking would have converted them), and
        # every customer is new and active.
        bookings = self.track(
            data.bookings, description="Importing the booking history", total=len(data.bookings)
        )
        for chunk in _batches(bookings, _BOOKING_BATCH):
            with self.book.store.transaction() as tx:
                for planned in chunk:
                    tx.put_booking(planned.booking(self.number(planned.customer)))

    def story_indexes(self) -> set[int]:
        """The indexes of the customers the walkthrough talks about."""
        cast = self.data.cast
        return {
            *cast.templates.values(),
            *cast.testine,
            *(i for group in cast.variants for i in group),
            *cast.eligibility.values(),
            *cast.rules.values(),
            cast.prospect,
            cast.dunning,
            cast.agency,
        }

    def closing(self) -> None:
        """The summary: how many customers, records and bookings the story leaves."""
        p, book = self.p, self.book
        p.heading("Summary")
        p.line(
            f"{book.count()} active customers ({book.count(Selection(anonymized=True))} of them "
            f"anonymized), {book.count(Selection(include_merged=True))} records in all "
            f"(tombstones included); {len(self.data.bookings) + self.recorded} bookings."
        )


#: The chapters after the data set is loaded, in the order they are told.
_CHAPTERS: tuple[Callable[[Story], None], ...] = (
    _master_data.summary,
    _master_data.debtor_accounts,
    _master_data.status,
    _master_data.code1,
    _master_data.profile,
    _master_data.templates,
    _master_data.dunning,
    _processes.conversion,
    _processes.duplicates,
    _processes.gdpr,
    _processes.statistics,
    _processes.dunning_run,
)
