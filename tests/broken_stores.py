"""Deliberately broken stores, each run against the shipped contract suite.

The file name does not match ``test_*.py``, so the project's test run does not collect it;
``tests/test_testing_kit.py`` runs it in a pytest of its own and checks which tests fail.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from custmodel.storage import CustomerStore, StoreTransaction
from custmodel.storage.memory import MemoryStore
from custmodel.testing.contract import StoreContract


class _MovesNoBookings:
    """A transaction whose ``move_bookings`` reports that nothing moved, and moves nothing."""

    def __init__(self, tx: StoreTransaction) -> None:
        self._tx = tx

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    def move_bookings(self, from_customers: Collection[int], to_customer: int) -> list[str]:
        return []


class StoreThatMovesNoBookings(MemoryStore):
    """A memory store that forgets to move the bookings of merged duplicates."""

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[StoreTransaction]:
        with super().transaction(write=write) as tx:
            yield _MovesNoBookings(tx)


class StoreThatKeepsFailedWrites(MemoryStore):
    """A memory store whose failed transactions keep what they wrote before the error."""

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[StoreTransaction]:
        failure: Exception | None = None
        with super().transaction(write=write) as tx:
            try:
                yield tx
            except Exception as error:  # held back, so the memory store commits
                failure = error
        if failure is not None:
            raise failure


class TestIntactStore(StoreContract):
    """The memory store as shipped."""

    def make_store(self) -> CustomerStore:
        return MemoryStore()


class TestStoreThatMovesNoBookings(StoreContract):
    """Merges leave the duplicates' bookings behind."""

    def make_store(self) -> CustomerStore:
        return StoreThatMovesNoBookings()


class TestStoreThatKeepsFailedWrites(StoreContract):
    """Refused commands leave half their writes behind."""

    def make_store(self) -> CustomerStore:
        return StoreThatKeepsFailedWrites()
