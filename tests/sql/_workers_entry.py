"""Work the entry check's and the marks' races run in separate processes (spawned: picklable)."""

from __future__ import annotations

from typing import Any

from custmodel import CustomerBook, CustomerKind
from custmodel.errors import CustmodelError
from custmodel.storage.sql import SqlStore

#: The outcome of a call that returned.
RETURNED = "registered"


def register_twins(url: str, trials: int, start: Any) -> list[str]:
    """Per trial, register that trial's person with a refusing check once the other is ready.

    Both workers register the same person (name and e-mail of the trial) at the same moment.
    Returns, per trial, ``RETURNED`` or the name of the error class the book raised.
    """
    store = SqlStore.from_url(url, upgrade=False)
    book = CustomerBook(store, retries=50)
    book.count()  # opens the connection before the first race
    outcomes: list[str] = []
    try:
        for trial in range(trials):
            start.wait()
            try:
                book.register(
                    CustomerKind.PRIVATE,
                    f"Zwilling{trial}",
                    first_name="Testine",
                    email=f"zwilling{trial}@example.org",
                    duplicates="refuse",
                )
            except CustmodelError as error:
                outcomes.append(type(error).__name__)
            else:
                outcomes.append(RETURNED)
    finally:
        store.close()
    return outcomes


def mark_or_merge(
    url: str, action: str, trios: list[tuple[int, int, int]], start: Any
) -> list[str]:
    """Per trio (master, duplicate, other): mark duplicate and other distinct (``"mark"``), or
    merge the duplicate into the master (``"merge"``), once the other worker is ready too.

    Returns, per trio, ``RETURNED`` or the name of the error class the book raised.
    """
    store = SqlStore.from_url(url, upgrade=False)
    book = CustomerBook(store, retries=50)
    book.count()  # opens the connection before the first race
    outcomes: list[str] = []
    try:
        for master, duplicate, other in trios:
            start.wait()
            try:
                if action == "mark":
                    book.mark_distinct(duplicate, other)
                else:
                    book.merge(master, [duplicate])
            except CustmodelError as error:
                outcomes.append(type(error).__name__)
            else:
                outcomes.append(RETURNED)
    finally:
        store.close()
    return outcomes
