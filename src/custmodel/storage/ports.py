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
from datetime import datetime
from typing import Protocol, runtime_checkable

from custmodel.model import Booking, Customer, Selection, Settings

__all__ = ["CustomerStore", "StoreTransaction"]


class StoreTransaction(Protocol):
    """One transaction on a store: the repository methods the book works with."""

    # -- settings ---------------------------------------------------------------------------

    def get_settings(self) -> Settings | None:
        """Return the stored settings, or None if none were ever stored."""
        ...

    def put_settings(self, settings: Settings) -> None:
        """Store ``settings``, replacing what was stored."""
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

    def insert_customers(self, customers: Sequence[Customer]) -> None:
        """Insert new customers (numbers come from :meth:`allocate_numbers`).

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

    def set_status(self, selection: Selection, flag: int, on: bool, now: datetime) -> int:
        """Set (``on``) or clear one flag on every selected customer, as one statement.

        Only customers whose flag actually changes are written: their version is incremented
        and ``updated_at`` set to ``now``.

        Returns:
            How many customers changed.
        """
        ...

    def kinds_in(self, selection: Selection) -> set[str]:
        """Return the kind values (``CustomerKind.value``) present among the selected."""
        ...

    # -- bookings ---------------------------------------------------------------------------

    def get_booking(self, reference: str) -> Booking | None:
        """Return the booking with ``reference``, or None."""
        ...

    def put_booking(self, booking: Booking) -> None:
        """Insert ``booking``, or replace the stored booking with its reference.

        Raises:
            CustomerNotFoundError: if the booking's customer is not stored.
        """
        ...

    def bookings_of(self, customers: Collection[int]) -> list[Booking]:
        """Return every booking of these customers, ordered by reference, in one read."""
        ...

    def move_bookings(self, from_customers: Collection[int], to_customer: int) -> int:
        """Point every booking of ``from_customers`` at ``to_customer``, as one statement.

        Raises ``CustomerNotFoundError`` if ``to_customer`` is not stored.

        Returns:
            How many bookings moved.
        """
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

    def close(self) -> None:
        """Release connections and files; the store is unusable afterwards."""
        ...
