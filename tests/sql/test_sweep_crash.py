"""A sweep killed half-way leaves no old data of the customers it anonymized in SQLite's files.

Customers get marker strings in their personal fields, ask for erasure, and the store is closed
cleanly (the markers are then in the database file only). A spawned process sweeps them in small
batches and kills itself with SIGKILL inside a later batch, before that batch commits. The
database file and its ``-wal`` and ``-shm`` files are then read byte for byte, without opening
the database with SQLite (which would recover and checkpoint the log).
"""

from __future__ import annotations

import multiprocessing
import signal
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from custmodel import CustomerBook, CustomerKind, NewCustomer, Settings
from custmodel.storage.sql import SqlStore
from tests.sql import _workers_sweep_crash as workers
from tests.sql.helpers import NOW

AGENCY = "AG1"
RECEIVED = date(2024, 2, 1)
CUSTOMERS = 40
BATCH = 8
#: The batch the sweep dies in: batches 1 to KILL_IN - 1 committed, 8 customers each.
KILL_IN = 3
#: The personal fields that get a marker, each its own.
FIELDS = ("first_name", "last_name", "street", "city", "notes")


def _marker(number: int, field: str) -> str:
    """A marker no other customer's or field's marker contains."""
    return f"zq{number:04d}{field.replace('_', '')}zq"


def _prepare(path: Path) -> list[int]:
    """Register the marked customers with an erasure request each; close the store cleanly."""
    store = SqlStore.from_url(f"sqlite:///{path}")
    book = CustomerBook(store, Settings(), clock=lambda: NOW)
    drafts = []
    for n in range(1, CUSTOMERS + 1):
        fields: dict[str, Any] = {field: _marker(n, field) for field in FIELDS}
        drafts.append(NewCustomer(kind=CustomerKind.PRIVATE, **fields))
    numbers = [c.number for c in book.register_many(drafts)]
    for number in numbers:
        book.request_erasure(number, RECEIVED)
    store.close()
    assert not Path(f"{path}-wal").exists()
    return numbers


def _marked(path: Path, numbers: list[int]) -> list[int]:
    """The customers of whom some marker is in the database file, its -wal or its -shm."""
    content = b"".join(
        Path(f"{path}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(f"{path}{suffix}").exists()
    )
    needles = {
        n: {form.encode() for f in FIELDS for form in (_marker(n, f), _marker(n, f).upper())}
        for n in numbers
    }
    return [n for n in numbers if any(needle in content for needle in needles[n])]


def _run(target: Any, *args: Any) -> int | None:
    """Run ``target(*args)`` in a spawned process; return its exit code."""
    process = multiprocessing.get_context("spawn").Process(target=target, args=args)
    process.start()
    process.join(120)
    if process.is_alive():
        process.kill()
        pytest.fail("the spawned process did not end within 120 s")
    return process.exitcode


def test_a_killed_sweep_leaves_no_marker_of_its_committed_batches(tmp_path: Path) -> None:
    """Killed inside its third batch, the sweep left markers only of that batch and later ones."""
    path = tmp_path / "sweep.sqlite"
    numbers = _prepare(path)

    exit_code = _run(workers.sweep_until_killed, str(path), AGENCY, NOW.date(), BATCH, KILL_IN)

    committed = (KILL_IN - 1) * BATCH
    assert (-signal.SIGKILL, numbers[committed:]) == (exit_code, _marked(path, numbers))


def test_opening_a_file_a_killed_process_left_checkpoints_its_log(tmp_path: Path) -> None:
    """Anonymizations committed by a process killed before its purge are purged by the next
    open: while that store is open, the files hold no marker of the anonymized customers."""
    path = tmp_path / "open.sqlite"
    numbers = _prepare(path)
    anonymized = numbers[:5]
    exit_code = _run(workers.anonymize_then_die, str(path), anonymized)
    assert (-signal.SIGKILL, anonymized) == (exit_code, _marked(path, anonymized))

    store = SqlStore.from_url(f"sqlite:///{path}")
    try:
        left = _marked(path, numbers)
    finally:
        store.close()

    assert numbers[5:] == left
