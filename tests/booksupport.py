"""Helpers for the unit and property tests: a settable clock, fresh books, store snapshots.

Snapshots come from :mod:`custmodel.testing.snapshots`, the same ones the contract suite uses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from custmodel import (
    Booking,
    BookingKind,
    Customer,
    CustomerBook,
    MemoryStore,
    SalesChannel,
    Selection,
    Settings,
    StoreError,
)
from custmodel.storage import StoreTransaction
from custmodel.testing.snapshots import StoreSnapshot, peek_next_number, take_snapshot

__all__ = [
    "AGENCY",
    "START",
    "CountingStore",
    "SteppingClock",
    "StoreSnapshot",
    "firm_booking",
    "make_book",
    "offer",
    "peek_next_number",
    "snapshot",
    "strings_in",
]

#: The moment every test book starts at (aware, UTC).
START = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)

#: The acting agency of the tests: the point of sale of their own bookings.
AGENCY = "AG1"


class SteppingClock:
    """A clock that stands still until a test moves it on."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock on, e.g. ``advance(days=1)``."""
        self.now += timedelta(**delta)


def make_book(settings: Settings | None = None, clock: SteppingClock | None = None) -> CustomerBook:
    """Return a book over an empty memory store with ``settings`` (Jack's defaults if None)."""
    return CustomerBook(MemoryStore(), settings or Settings(), clock=clock or SteppingClock())


def firm_booking(
    reference: str,
    customer: int,
    departure: date = date(2023, 6, 1),
    *,
    point_of_sale: str = AGENCY,
    channel: SalesChannel | None = None,
    open_amount: Decimal = Decimal("0.00"),
) -> Booking:
    """A firm booking (Festbuchung), by default sold by :data:`AGENCY` through an own channel."""
    return Booking(
        reference=reference,
        customer=customer,
        kind=BookingKind.BOOKING,
        departure=departure,
        point_of_sale=point_of_sale,
        channel=channel or SalesChannel.own(),
        open_amount=open_amount,
    )


def offer(
    reference: str,
    customer: int,
    departure: date = date(2023, 6, 1),
    *,
    point_of_sale: str = AGENCY,
    channel: SalesChannel | None = None,
) -> Booking:
    """An offer (Angebot), by default made by :data:`AGENCY` through an own channel."""
    return attrs.evolve(
        firm_booking(reference, customer, departure, point_of_sale=point_of_sale, channel=channel),
        kind=BookingKind.OFFER,
    )


def snapshot(book: CustomerBook) -> StoreSnapshot:
    """Take a full snapshot of ``book``'s store: settings, customers, bookings, next number."""
    return take_snapshot(book.store)


def strings_in(root: object) -> set[str]:
    """Every string reachable from ``root`` through attributes, slots and containers.

    Objects of custmodel's own classes are entered through their attributes, so the walk reaches
    every table and index of a store without naming any of them.
    """
    found: set[str] = set()
    seen: set[int] = set()
    todo = [root]
    while todo:
        obj = todo.pop()
        if isinstance(obj, str):
            found.add(obj)
            continue
        if id(obj) in seen or isinstance(obj, int | float | bytes | type(None)):
            continue
        seen.add(id(obj))
        if isinstance(obj, dict):
            todo.extend(obj.keys())
            todo.extend(obj.values())
        elif isinstance(obj, list | tuple | set | frozenset):
            todo.extend(obj)
        elif attrs.has(cls := type(obj)):
            todo.extend(getattr(obj, a.name) for a in attrs.fields(cls))
        elif hasattr(obj, "__dict__") and type(obj).__module__.startswith("custmodel"):
            todo.extend(vars(obj).values())
    return found


class _CountingTransaction:
    """A memory store transaction that counts the port calls the book makes."""

    def __init__(self, tx: StoreTransaction, calls: Counter[str], fail_after: int | None) -> None:
        self._tx = tx
        self._calls = calls
        self._fail_after = fail_after

    def __getattr__(self, name: str) -> Any:
        self._calls[name] += 1
        return getattr(self._tx, name)

    def select_page(self, selection: Selection, after: int, limit: int) -> list[Customer]:
        self._calls["select_page"] += 1
        self._calls[f"limit {limit}"] += 1
        if self._fail_after is not None and self._calls["select_page"] > self._fail_after:
            raise StoreError("the store went away")
        return self._tx.select_page(selection, after, limit)

    def bookings_of(self, customers: Collection[int]) -> list[Any]:
        self._calls["bookings_of"] += 1
        self._calls["bookings_of customers"] += len(customers)
        return self._tx.bookings_of(customers)


class CountingStore(MemoryStore):
    """A memory store that counts transactions and port calls; with ``fail_after``, pages fail.

    ``calls["read transaction"]`` and ``calls["write transaction"]`` count the transactions,
    ``calls[name]`` the calls of each port method, ``calls["limit N"]`` the pages of N.
    """

    def __init__(self, fail_after: int | None = None) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()
        self.fail_after = fail_after

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[StoreTransaction]:
        self.calls["write transaction" if write else "read transaction"] += 1
        with super().transaction(write=write) as tx:
            yield _CountingTransaction(tx, self.calls, self.fail_after)
