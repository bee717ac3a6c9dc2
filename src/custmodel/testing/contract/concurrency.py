"""Races inside the contract: books working on one store at once."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

from custmodel.book import CustomerBook
from custmodel.model import (
    Customer,
    ErasureRequest,
)
from custmodel.testing.contract._base import _ContractBase
from custmodel.testing.contract._shared import (
    _RACE_TIMEOUT,
    AGENCY,
    PRIVATE,
    SETTINGS,
    TODAY,
    _draft,
    _PausingStore,
    fixed_clock,
)

__all__ = ["ConcurrencyContract"]


class ConcurrencyContract(_ContractBase):
    """Books on one store at the same time neither share numbers nor record requests twice."""

    __test__: ClassVar[bool] = False

    def test_concurrent_registrations_get_distinct_numbers(self) -> None:
        """Books registering at the same time on one store never share a number or account."""
        self.book(SETTINGS)
        start = threading.Barrier(4)

        def register_ten(worker: int) -> list[Customer]:
            book = self.book()
            start.wait()
            return [book.register(PRIVATE, f"Kunde {worker}-{i}") for i in range(10)]

        with ThreadPoolExecutor(max_workers=4) as pool:
            registered = [c for batch in pool.map(register_ten, range(4)) for c in batch]
        assert list(range(1, 41)) == sorted(c.number for c in registered)
        assert list(range(10001, 10041)) == sorted(c.debtor_account for c in registered)

    def test_concurrent_requests_for_one_customer_record_one(self) -> None:
        """Books asking for one customer's erasure at once record one request, even when all
        of them look for an open request before any records its own."""
        self.book(SETTINGS).register(PRIVATE, "Eins")
        all_looked = threading.Barrier(4, timeout=_RACE_TIMEOUT)

        def pause() -> None:
            with contextlib.suppress(threading.BrokenBarrierError):
                all_looked.wait()

        start = threading.Barrier(4)

        def request(_: int) -> ErasureRequest:
            book = CustomerBook(_PausingStore(self.store, pause), clock=fixed_clock)
            start.wait()
            return book.request_erasure(1, TODAY).request

        with ThreadPoolExecutor(max_workers=4) as pool:
            returned = list(pool.map(request, range(4)))
        stored = self.requests()
        assert (1, [stored[0]] * 4) == (len(stored), returned)

    def race_request_against(self, number: int, other: Callable[[], object]) -> None:
        """Request erasure of ``number`` while ``other`` runs between its check and its write."""
        looked, other_done = threading.Event(), threading.Event()

        def pause() -> None:
            looked.set()
            other_done.wait(_RACE_TIMEOUT)

        book = CustomerBook(_PausingStore(self.store, pause), clock=fixed_clock)
        with ThreadPoolExecutor(max_workers=1) as pool:
            requested = pool.submit(book.request_erasure, number, TODAY)
            looked.wait(_RACE_TIMEOUT)
            other()
            other_done.set()
            requested.result()

    def test_a_request_racing_a_merge_of_its_customer_ends_on_the_master(self) -> None:
        """A request recorded while its customer is merged away still ends on the master."""
        book = self.book(SETTINGS)
        book.register_many([_draft(), _draft()])
        self.race_request_against(2, lambda: book.merge(1, [2]))
        assert [(1, True)] == [(r.customer, r.is_open) for r in self.requests()]

    def test_a_request_racing_the_anonymization_of_its_customer_ends_completed(self) -> None:
        """A request recorded while its customer is anonymized does not stay open."""
        book = self.book(SETTINGS)
        book.register(PRIVATE, "Eins")
        self.race_request_against(1, lambda: book.anonymize(1, AGENCY))
        assert [(1, False)] == [(r.customer, r.is_open) for r in self.requests()]
