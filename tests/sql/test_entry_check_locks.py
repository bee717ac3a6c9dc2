"""The duplicate check at entry decides on what it locked, on every SQL engine.

A registration that refuses likely duplicates looks for them only after it has taken its
customer numbers: the counter row it locks then makes it wait for a registration that took
numbers before it, and sees that registration's customer once it commits.
"""

from __future__ import annotations

from typing import Any

import pytest

from custmodel import CustomerBook, CustomerKind, LikelyDuplicateError
from custmodel.storage.sql import SqlStore
from tests.sql import _workers_locks as work

TWIN: dict[str, Any] = {"first_name": "Testine", "email": "testine@example.org"}


def test_a_refusing_check_waits_for_a_registration_of_the_same_person(url: str) -> None:
    """While "Test, Testine" is registered in a transaction held open, a refusing registration
    of her waits for it, then refuses naming her number; only one customer is stored."""
    pytest.importorskip("rapidfuzz")

    with pytest.raises(LikelyDuplicateError) as refused:
        work.while_held(
            url,
            lambda held: held.register(CustomerKind.PRIVATE, "Test", **TWIN),
            lambda acting: acting.register(
                CustomerKind.PRIVATE, "Test", duplicates="refuse", **TWIN
            ),
        )

    store = SqlStore.from_url(url, upgrade=False)
    try:
        assert ((1,), 1) == (refused.value.numbers, CustomerBook(store).count())
    finally:
        store.close()
