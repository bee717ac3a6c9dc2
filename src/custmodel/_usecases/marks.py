""" "Not a duplicate" marks: set, remove, list, and carry them over to a merge's master."""

from __future__ import annotations

from collections.abc import Collection

from custmodel._marks import DistinctMark, distinct_pair, marks_after_merge
from custmodel._usecases import _common
from custmodel._usecases._common import Clock
from custmodel.errors import AlreadyMergedError, CustomerNotFoundError
from custmodel.storage.ports import StoreTransaction


def _both_active(tx: StoreTransaction, first: int, second: int) -> tuple[int, int]:
    """The pair, lower number first, after checking both customers exist and are not merged.

    Both rows are read in one call, which in a write transaction holds them (a merge of
    either customer waits, or has committed and is seen).

    Raises:
        InvalidInputError: a value is no customer number, or both are the same.
        CustomerNotFoundError: a customer does not exist.
        AlreadyMergedError: a customer was merged (the error names its master).
    """
    low, high = distinct_pair(first, second)
    found = tx.get_customers([low, high])
    for number in (low, high):
        customer = found.get(number)
        if customer is None:
            raise CustomerNotFoundError(f"customer {number} not found", number=number)
        if customer.merged_into is not None:
            raise AlreadyMergedError(number, _common.follow(tx, customer).number)
    return low, high


def mark_distinct(
    tx: StoreTransaction, first: int, second: int, actor: str | None, now: Clock
) -> DistinctMark:
    """Mark two active customers as different parties; a pair marked already keeps its mark."""
    low, high = _both_active(tx, first, second)
    return tx.add_distinct_mark(DistinctMark(low, high, marked_at=now(), actor=actor))


def unmark_distinct(tx: StoreTransaction, first: int, second: int) -> bool:
    """Remove the mark of two active customers; return whether there was one."""
    pair = _both_active(tx, first, second)
    return tx.remove_distinct_marks([pair]) == 1


def distinct_marks(tx: StoreTransaction, number: int | None) -> list[DistinctMark]:
    """Every mark, or those naming customer ``number`` (which must exist)."""
    if number is None:
        return tx.distinct_marks()
    _common.get(tx, number)
    return tx.distinct_marks([number])


def follow_merge(tx: StoreTransaction, master: int, duplicates: Collection[int]) -> None:
    """Carry the duplicates' marks over to the master (see :func:`marks_after_merge`)."""
    removed, added = marks_after_merge(tx.distinct_marks([master, *duplicates]), master, duplicates)
    tx.remove_distinct_marks(removed)
    for mark in added:
        tx.add_distinct_mark(mark)
