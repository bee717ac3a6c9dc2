"""A booking reference recorded for two customers at once ends with one owner, on every engine.

Two writers record the same new reference for different customers. Neither can lock a row that
does not exist yet: they collide on the booking's key, the loser retries and then finds the
booking of another customer, which it must refuse instead of moving it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import pytest

from custmodel import CustomerBook, CustomerKind
from custmodel.errors import BookingOwnerError
from custmodel.storage.sql import SqlStore
from tests.sql import _workers_bookings as work
from tests.sql.helpers import PausingStore

TRIALS = 30


@pytest.fixture
def book(url: str) -> Iterator[CustomerBook]:
    """A book on ``url`` with private customers 1 and 2."""
    store = SqlStore.from_url(url, upgrade=False)
    book = CustomerBook(store)
    book.register(CustomerKind.PRIVATE, "Eins")
    book.register(CustomerKind.PRIVATE, "Zwei")
    yield book
    store.close()


def test_a_held_first_insert_makes_the_other_customer_refused(url: str, book: CustomerBook) -> None:
    """While customer 1's new booking is uncommitted, recording it for 2 waits, then refuses."""
    holder = SqlStore.from_url(url, upgrade=False)
    inserted, release = threading.Event(), threading.Event()

    def hold() -> None:
        with holder.transaction() as tx:
            tx.get_customer(1)
            tx.put_booking(work.booking("VG-1", 1))
            inserted.set()
            release.wait(30)

    holding = threading.Thread(target=hold)
    holding.start()
    try:
        assert inserted.wait(30)
        with ThreadPoolExecutor(1) as executor:
            other = executor.submit(book.record_booking, work.booking("VG-1", 2))
            time.sleep(0.5)
            waited = not other.done()
            release.set()
            with pytest.raises(BookingOwnerError) as info:
                other.result(timeout=60)
    finally:
        release.set()
        holding.join()
        holder.close()
    assert (True, 1, 2, 1) == (
        waited,
        info.value.owner,
        info.value.customer,
        book.get_booking("VG-1").customer,
    )


def test_a_booking_committed_between_read_and_write_is_not_taken_over(
    url: str, book: CustomerBook
) -> None:
    """A booking committed after the other writer found the reference free is never moved."""
    read, go = threading.Event(), threading.Event()
    paused = CustomerBook(
        PausingStore(
            SqlStore.from_url(url, upgrade=False),
            "get_booking",
            lambda found, _options: found is None,
            read,
            go,
        )
    )
    outcomes: dict[int, str] = {}

    def record(on: CustomerBook, customer: int) -> None:
        try:
            on.record_booking(work.booking("VG-1", customer))
        except BookingOwnerError:
            outcomes[customer] = "refused"
        else:
            outcomes[customer] = "recorded"

    with ThreadPoolExecutor(1) as executor:
        second = executor.submit(record, paused, 2)
        assert read.wait(30)
        record(book, 1)
        go.set()
        second.result(timeout=60)
    paused.store.close()
    owner = book.get_booking("VG-1").customer
    assert {owner: "recorded", 3 - owner: "refused"} == outcomes


def test_racing_first_inserts_leave_one_owner_and_one_refusal(
    pool: tuple[ProcessPoolExecutor, Any], url: str, book: CustomerBook
) -> None:
    """30 times two processes record one new reference for customers 1 and 2: one refusal each."""
    executor, manager = pool
    start = manager.Barrier(2, timeout=120)
    references = [f"VG-{trial}" for trial in range(TRIALS)]
    futures = [
        executor.submit(work.record_same_references, url, customer, references, start)
        for customer in (1, 2)
    ]
    first, second = (future.result(timeout=300) for future in futures)

    owners = {r: book.get_booking(r).customer for r in references}
    outcomes = Counter((a, b, owners[r]) for r, a, b in zip(references, first, second, strict=True))
    refused = BookingOwnerError.__name__
    print(f"outcomes over {TRIALS} trials: {dict(outcomes)}")
    wrong = sum(
        count
        for (a, b, owner), count in outcomes.items()
        if (a, b, owner) not in ((work.RECORDED, refused, 1), (refused, work.RECORDED, 2))
    )
    assert 0 == wrong


def test_a_move_racing_a_change_loses_neither(
    pool: tuple[ProcessPoolExecutor, Any], url: str, book: CustomerBook
) -> None:
    """30 times one process moves a booking to customer 2 while another changes its amount."""
    references = [f"VG-{trial}" for trial in range(TRIALS)]
    for reference in references:
        book.record_booking(work.booking(reference, 1))
    executor, manager = pool
    start = manager.Barrier(2, timeout=120)
    futures = [
        executor.submit(work.move_or_update, url, action, references, "77.00", start)
        for action in ("move", "update")
    ]
    outcomes = [future.result(timeout=300) for future in futures]

    stored = Counter((b.customer, str(b.open_amount)) for b in book.bookings(2))
    print(f"outcomes over {TRIALS} trials: {Counter(zip(*outcomes, strict=True))}")
    assert ([[work.RECORDED] * TRIALS] * 2, {(2, "77.00"): TRIALS}, []) == (
        outcomes,
        dict(stored),
        book.bookings(1),
    )
