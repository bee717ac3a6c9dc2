"""The work the change history's race tests run in spawned processes."""

from __future__ import annotations

import random
import time
from typing import Any

import attrs

from custmodel import CustomerBook, CustomerKind, Selection
from custmodel.errors import ConcurrentUpdateError
from tests.sql._workers_locks import SlowCommitStore, _store

#: The name every customer of a race's selection carries.
MATCH = "Treffer"
#: The flag the status runs set.
FLAG = 9


def run_status(url: str, trial: int, start: Any) -> int:
    """Set FLAG on every customer named MATCH (trial) when all are ready; return the count."""
    book = CustomerBook(_store(url), retries=50, actor=f"run {trial}")
    start.wait()
    return book.set_status(Selection(kind=CustomerKind.PRIVATE, name=f"{MATCH} {trial}"), FLAG)


def rename_in_race(url: str, numbers: list[int], trial: int, start: Any, seed: int) -> int:
    """Move customers into and out of the trial's selection while the run runs; return how
    many renames committed."""
    book = CustomerBook(SlowCommitStore(_store(url), seed), retries=50)
    shuffle = random.Random(seed)
    start.wait()
    renamed = 0
    for number in shuffle.sample(numbers, len(numbers)):
        time.sleep(shuffle.uniform(0, 0.004))
        while True:
            customer = book.get(number)
            inside = customer.last_name.startswith(MATCH)
            name = f"Anders {trial}" if inside else f"{MATCH} {trial}"
            try:
                book.update(attrs.evolve(customer, last_name=name))
            except ConcurrentUpdateError:
                continue  # the run flagged it since it was read: read it again
            renamed += 1
            break
    return renamed
