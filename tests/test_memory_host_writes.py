"""``MemoryStore.hold_customer``: host rows written under it never stay on a merged customer.

The host keeps payments in a list of customer numbers and registers a mover for them; the
hold runs the host's write under the store's lock, which every merge takes too.
"""

from __future__ import annotations

import functools
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from custmodel import CustomerBook
from custmodel.errors import CustomerNotFoundError, InvalidInputError
from custmodel.model import CustomerKind, NewCustomer
from custmodel.storage.memory import MemoryStore
from tests.background import Background

#: How long a test waits before it takes the other thread as blocked, and at most for it.
PAUSE = 0.2
PATIENCE = 10.0
#: Race: trials, writer threads, payments per writer and trial.
TRIALS = 30
WRITERS = 3
PER_WRITER = 12
#: Race: each trial merges its four customers into the first, as (master, duplicate) offsets.
MERGES = [(0, 1), (2, 3), (0, 2)]


class Payments:
    """The host's payments (customer numbers, by position) and their mover."""

    def __init__(self) -> None:
        self.payers: list[int] = []
        self.moving: Callable[[], None] = lambda: None

    def __call__(self, customers: frozenset[int], master: int | None) -> int:
        pointing = [i for i, payer in enumerate(self.payers) if payer in customers]
        if master is not None:
            self.moving()
            for i in pointing:
                self.payers[i] = master
        return len(pointing)


@pytest.fixture
def store() -> MemoryStore:
    """A memory store."""
    return MemoryStore()


@pytest.fixture
def payments(store: MemoryStore) -> Payments:
    """The host's payments, registered on the store."""
    payments = Payments()
    store.register_reference("payments.customer", payments)
    return payments


@pytest.fixture
def book(store: MemoryStore, payments: Payments) -> CustomerBook:
    """A book over the store."""
    return CustomerBook(store)


def _register(book: CustomerBook, count: int) -> list[int]:
    drafts = [NewCustomer(kind=CustomerKind.PRIVATE, last_name=f"Kunde {i}") for i in range(count)]
    return [customer.number for customer in book.register_many(drafts)]


def test_hold_yields_an_active_customers_own_number(store: MemoryStore, book: CustomerBook) -> None:
    """Holding an active customer yields its own number."""
    (number,) = _register(book, 1)

    with store.hold_customer(number) as held:
        pass

    assert number == held


def test_hold_follows_a_chain_of_merges(store: MemoryStore, book: CustomerBook) -> None:
    """A customer merged into one that was merged in turn yields the last master."""
    first, second, third = _register(book, 3)
    book.merge(second, [first])
    book.merge(third, [second])

    with store.hold_customer(first) as held:
        pass

    assert third == held


def test_hold_of_an_unknown_number_raises_customer_not_found(store: MemoryStore) -> None:
    """A number no customer has raises CustomerNotFoundError."""
    with pytest.raises(CustomerNotFoundError, match="customer 7 not found"), store.hold_customer(7):
        pass


@pytest.mark.parametrize("number", ["1", 1.0, True, None])
def test_hold_of_something_else_than_a_number_is_refused(store: MemoryStore, number: Any) -> None:
    """A customer number that is no int raises InvalidInputError."""
    with pytest.raises(InvalidInputError, match="customer number"), store.hold_customer(number):
        pass


def test_a_merge_waits_for_a_held_customer_and_then_moves_the_row(
    store: MemoryStore, book: CustomerBook, payments: Payments
) -> None:
    """A merge of a customer held by another thread waits, then moves the row written."""
    master, duplicate = _register(book, 2)

    with store.hold_customer(duplicate) as held:
        merge = Background(lambda: book.merge(master, [duplicate]))
        time.sleep(PAUSE)
        assert not merge.done
        payments.payers.append(held)
    merge.result()

    assert [master] == payments.payers


def test_a_held_customer_waits_for_a_merge_and_then_names_the_master(
    store: MemoryStore, book: CustomerBook, payments: Payments
) -> None:
    """A hold while a merge of the customer is under way waits, then yields the master."""
    master, duplicate = _register(book, 2)
    moving, release = threading.Event(), threading.Event()

    def hold_the_merge() -> None:
        moving.set()
        release.wait(PATIENCE)

    payments.moving = hold_the_merge
    merge = Background(lambda: book.merge(master, [duplicate]))
    assert moving.wait(PATIENCE)

    def write() -> int:
        with store.hold_customer(duplicate) as held:
            payments.payers.append(held)
        return held

    writer = Background(write)
    time.sleep(PAUSE)
    assert not writer.done
    release.set()
    merge.result()

    assert (master, [master]) == (writer.result(), payments.payers)


def _merge_in_turn(book: CustomerBook, numbers: list[int], start: threading.Barrier) -> None:
    """Merge 1 into 0, 3 into 2, then 2 into 0 (of ``numbers``): pairs, then a chain."""
    start.wait()
    for master, duplicate in MERGES:
        book.merge(numbers[master], [numbers[duplicate]])


def _pay_held(
    store: MemoryStore,
    payments: Payments,
    numbers: list[int],
    start: threading.Barrier,
    seed: int,
) -> None:
    """Write PER_WRITER payments of random ``numbers``, each under a hold."""
    rng = random.Random(seed)
    start.wait()
    for _ in range(PER_WRITER):
        with store.hold_customer(rng.choice(numbers)) as held:
            payments.payers.append(held)
        time.sleep(rng.uniform(0, 0.001))


def test_held_payments_never_stay_on_a_merged_customer(
    store: MemoryStore, book: CustomerBook, payments: Payments
) -> None:
    """30 races of 3 holding writer threads against 3 merges each: no payment on a tombstone."""
    for trial in range(TRIALS):
        numbers = _register(book, 4)
        start = threading.Barrier(WRITERS + 1)
        workers = [Background(functools.partial(_merge_in_turn, book, numbers, start))]
        workers += [
            Background(functools.partial(_pay_held, store, payments, numbers, start, seed))
            for seed in range(trial * WRITERS, (trial + 1) * WRITERS)
        ]
        for worker in workers:
            worker.result()

    merged = {n for n in range(1, 4 * TRIALS + 1) if book.get(n).merged_into is not None}
    assert TRIALS * WRITERS * PER_WRITER == len(payments.payers)
    assert [] == [payer for payer in payments.payers if payer in merged]
