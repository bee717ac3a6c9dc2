"""Work the entry check's race runs in separate processes (spawned: importable, picklable)."""

from __future__ import annotations

from typing import Any

from custmodel import CustomerBook, CustomerKind
from custmodel.errors import CustmodelError
from custmodel.storage.sql import SqlStore

#: The outcome of a registration that returned.
REGISTERED = "registered"


def register_twins(url: str, trials: int, start: Any) -> list[str]:
    """Per trial, register that trial's person with a refusing check once the other is ready.

    Both workers register the same person (name and e-mail of the trial) at the same moment.
    Returns, per trial, ``REGISTERED`` or the name of the error class the book raised.
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
                outcomes.append(REGISTERED)
    finally:
        store.close()
    return outcomes
