"""Work the objection-versus-merge race runs in spawned processes (picklable functions)."""

from __future__ import annotations

from datetime import date
from typing import Any

from custmodel import CustomerBook
from custmodel.errors import CustmodelError
from tests.sql._workers_locks import SlowCommitStore, _store

#: The day every objection of the race was given.
GIVEN = date(2026, 1, 5)


def object_in_race(url: str, customer: int, start: Any, seed: int) -> str:
    """Record an e-mail objection of ``customer`` when all are ready; say how it ended."""
    book = CustomerBook(SlowCommitStore(_store(url), seed), retries=50)
    start.wait()
    try:
        book.object_to_advertising(customer, "email", given_on=GIVEN, source="Brief")
    except CustmodelError as error:
        return type(error).__name__
    return "recorded"


def merge_in_race(url: str, master: int, duplicate: int, start: Any, seed: int) -> str:
    """Merge ``duplicate`` into ``master`` when all are ready; say how it ended."""
    book = CustomerBook(SlowCommitStore(_store(url), seed + 1), retries=50)
    start.wait()
    try:
        book.merge(master, [duplicate])
    except CustmodelError as error:
        return type(error).__name__
    return "merged"
