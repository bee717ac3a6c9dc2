"""Everything a store holds, read through the port, as one comparable value.

The contract suite compares a snapshot before and after a refused command ("nothing changed");
the state machine compares the snapshots of two stores ("both stores agree"). The merge audit,
the erasure requests, the distinct marks and the change history belong to it, so "nothing
changed" covers them too::

    before = take_snapshot(store)
    ...  # a command that fails
    assert before == take_snapshot(store)
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from custmodel._marks import DistinctMark
from custmodel.model import (
    Booking,
    Customer,
    ErasureRequest,
    HistoryEntry,
    HistoryQuery,
    MarketingChoice,
    MergeRecord,
    Selection,
    Settings,
)
from custmodel.storage.ports import CustomerStore

__all__ = ["StoreSnapshot", "history_without_ids", "peek_next_number", "take_snapshot"]


class _Rollback(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised inside a transaction only to roll it back."""


@attrs.frozen
class StoreSnapshot:
    """The complete content of a store at one moment.

    Attributes:
        settings: The stored settings, None if none were ever stored.
        customers: Every customer, tombstones included, ordered by number.
        bookings: Every booking of those customers, ordered by reference.
        next_number: The number the next registration would get.
        merge_records: Every merge record of the audit, ordered by id.
        erasure_requests: Every erasure request, open and completed, ordered by id.
        distinct_marks: Every "not a duplicate" mark, ordered by pair.
        marketing_choices: Every entry of the ledger of advertising choices, ordered by id.
        history: Every entry of the change history in order, as :func:`history_without_ids`
            gives it (comparable across stores).
    """

    settings: Settings | None
    customers: tuple[Customer, ...]
    bookings: tuple[Booking, ...]
    next_number: int
    merge_records: tuple[MergeRecord, ...] = ()
    erasure_requests: tuple[ErasureRequest, ...] = ()
    distinct_marks: tuple[DistinctMark, ...] = ()
    marketing_choices: tuple[MarketingChoice, ...] = ()
    history: tuple[HistoryEntry, ...] = ()


def history_without_ids(entries: Sequence[HistoryEntry]) -> list[HistoryEntry]:
    """``entries`` comparable across stores: ids 0 (an engine may skip ids after a rollback),
    bulk run keys numbered 1, 2 ... in order of appearance (they are random)."""
    runs: dict[int, int] = {}
    return [
        attrs.evolve(
            e,
            id=0,
            operation=None if e.operation is None else runs.setdefault(e.operation, len(runs) + 1),
        )
        for e in entries
    ]


def peek_next_number(store: CustomerStore) -> int:
    """Return the customer number the next allocation gets, without using it up.

    The number is allocated in a transaction that is then rolled back, which the port promises
    gives the number back.
    """
    peeked: list[int] = []
    try:
        with store.transaction() as tx:
            peeked.append(tx.allocate_numbers(1))
            raise _Rollback
    except _Rollback:
        pass
    return peeked[0]


def take_snapshot(store: CustomerStore) -> StoreSnapshot:
    """Read settings, every customer (``Selection(include_merged=True)``), every booking, the
    merge audit, every erasure request, mark, advertising choice and history entry, in one read
    transaction; then peek the next number."""
    with store.transaction(write=False) as tx:
        settings = tx.get_settings()
        customers = tuple(tx.select(Selection(include_merged=True)))
        bookings = tuple(tx.bookings_of([c.number for c in customers]))
        merge_records = tuple(tx.merge_records())
        erasure_requests = tuple(tx.requests(open_only=False))
        distinct_marks = tuple(tx.distinct_marks())
        marketing_choices = tuple(tx.marketing_choices([c.number for c in customers]))
        history = tuple(history_without_ids(tx.history(HistoryQuery())))
    return StoreSnapshot(
        settings,
        customers,
        bookings,
        peek_next_number(store),
        merge_records=merge_records,
        erasure_requests=erasure_requests,
        distinct_marks=distinct_marks,
        marketing_choices=marketing_choices,
        history=history,
    )
