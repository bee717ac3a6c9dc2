"""What every benchmark gets: the sizes, the repetitions, a temporary directory, shared stores.

A benchmark is a function from :class:`Context` to table rows (and optionally growth series);
:mod:`bench.operations` lists them. Expensive set-ups that several benchmarks read (the store of
a million customers) are built once per run through :meth:`Context.shared`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import Any, TypeVar

import attrs

from bench.harness import Growth, Row
from bench.quality import QualityRow
from bench.stores import SqliteFiles, postgres_problem

__all__ = ["QUICK", "Benchmark", "Context", "Sizes", "growth_sizes"]

T = TypeVar("T")


@attrs.frozen
class Sizes:
    """Every size the benchmarks use; ``python -m bench --size NAME=VALUE`` overrides one.

    Attributes:
        bulk: Customers one bulk registration registers.
        single: Single registrations (one transaction each) per run.
        customers: Customers of the large store (lookup, selection, erasure sweep).
        bookings_per_customer: Bookings per customer in the large store.
        erasure_share: Share of the large store's customers with an open erasure request.
        lookups: ``find_by_code1`` calls per run.
        merge_bookings: Bookings the duplicates of one merge hold.
        merge_duplicates: Duplicates merged into one master.
        duplicates: Customers searched for duplicates.
        febrl: FEBRL data sets compared (1: FEBRL1 only, 3: FEBRL1 to FEBRL3).
        linkage: German customers, planted duplicates included, compared with splink.
        linkage_duplicates: Planted duplicates among them.
        shared_email: Customers sharing one e-mail address in the block bound row.
        repeat: Repetitions of every measurement (the median is reported).
        growth_repeat: Repetitions of each smaller size of a growth series.
    """

    bulk: int = 100_000
    single: int = 2_000
    customers: int = 1_000_000
    bookings_per_customer: int = 3
    erasure_share: float = 0.01
    lookups: int = 2_000
    merge_bookings: int = 100_000
    merge_duplicates: int = 10
    duplicates: int = 100_000
    febrl: int = 3
    linkage: int = 100_000
    linkage_duplicates: int = 6_000
    shared_email: int = 8_000
    repeat: int = 5
    growth_repeat: int = 3

    def override(self, assignments: Iterable[str]) -> Sizes:
        """Return a copy with ``NAME=VALUE`` assignments applied.

        Raises:
            ValueError: for an unknown name or a value that is not a positive number.
        """
        changes: dict[str, Any] = {}
        fields = {field.name: field for field in attrs.fields(Sizes)}
        for assignment in assignments:
            name, _, text = assignment.partition("=")
            if name not in fields:
                raise ValueError(f"unknown size {name!r}; known: {', '.join(fields)}")
            value: float = float(text) if name == "erasure_share" else int(text.replace("_", ""))
            if value <= 0:
                raise ValueError(f"size {name} must be positive")
            changes[name] = value
        return attrs.evolve(self, **changes)


#: The sizes of ``--quick``: every benchmark runs, on tiny data, in seconds.
QUICK = Sizes(
    bulk=1_000,
    single=50,
    customers=4_000,
    lookups=100,
    merge_bookings=1_000,
    merge_duplicates=3,
    duplicates=1_000,
    febrl=1,
    linkage=2_000,
    linkage_duplicates=120,
    shared_email=500,
    repeat=3,
    growth_repeat=1,
)


def growth_sizes(largest: int, steps: int = 4, span: int = 100) -> tuple[int, ...]:
    """``steps`` sizes spaced evenly in log scale from ``largest / span`` to ``largest``.

    >>> growth_sizes(100_000)
    (1000, 4642, 21544, 100000)
    """
    if steps < 2 or largest < span:
        raise ValueError("a growth series needs two sizes or more, the smallest at least 1")
    smallest = largest / span
    factor = span ** (1 / (steps - 1))
    return tuple(round(smallest * factor**step) for step in range(steps))


#: A file system in memory, where a commit's fsync costs nothing (Linux).
_MEMORY_FILE_SYSTEM = Path("/dev/shm")  # noqa: S108 - a private mkdtemp inside it


class Context:
    """The run's sizes and services, handed to every benchmark.

    Attributes:
        sizes: The sizes of this run.
        sqlite: SQLite files in the run's temporary directory (on disk).
        sqlite_in_memory: SQLite files on a file system in memory (tmpfs), or None where
            there is none; for showing custmodel's own cost of a commit without the disk's.
    """

    def __init__(self, sizes: Sizes, directory: Path, *, postgres: bool, verbose: bool) -> None:
        self.sizes = sizes
        self.directory = directory
        self.sqlite = SqliteFiles(directory)
        self.sqlite_in_memory: SqliteFiles | None = None
        if _MEMORY_FILE_SYSTEM.is_dir() and os.access(_MEMORY_FILE_SYSTEM, os.W_OK):
            in_memory = Path(tempfile.mkdtemp(prefix="custmodel-bench-", dir=_MEMORY_FILE_SYSTEM))
            self.sqlite_in_memory = SqliteFiles(in_memory)
            self._in_memory: Path | None = in_memory
        else:
            self._in_memory = None
        self._verbose = verbose
        self._shared: dict[str, Any] = {}
        self._exit = ExitStack()
        self._postgres_problem: str | None = (
            postgres_problem() if postgres else "switched off (--no-postgres)"
        )

    @property
    def postgres_problem(self) -> str | None:
        """Why PostgreSQL rows are skipped, or None when the server answers."""
        return self._postgres_problem

    def shared(self, key: str, build: Callable[[], T], *, announce: bool = True) -> T:
        """Return what ``build`` made for ``key`` the first time it was asked for in this run.

        With ``announce``, building it is logged as a set-up with its duration; measurements
        kept for a growth series are not.
        """
        if key not in self._shared:
            started = time.perf_counter()
            if announce:
                self.log(f"setting up {key} ...")
            self._shared[key] = build()
            if announce:
                self.log(f"set up {key} in {time.perf_counter() - started:.1f} s")
        value: T = self._shared[key]
        return value

    def enter(self, manager: AbstractContextManager[T]) -> T:
        """Enter ``manager`` (a PostgreSQL schema, say) and exit it when the run ends."""
        return self._exit.enter_context(manager)

    def close(self) -> None:
        """Exit what :meth:`enter` entered (last first) and delete the files this run made on
        the file system in memory."""
        try:
            self._exit.close()
        finally:
            if self._in_memory is not None:
                shutil.rmtree(self._in_memory, ignore_errors=True)

    def log(self, message: str) -> None:
        """Print progress to standard error (the table goes to standard output)."""
        if self._verbose:
            print(f"[bench] {message}", file=sys.stderr, flush=True)


@attrs.frozen
class Benchmark:
    """One registered benchmark.

    Attributes:
        name: Short name for ``--only`` (e.g. "merge").
        rows: Measures and returns its table rows.
        growth: Measures its growth series (one or more), or None when it has none.
        quality: Measures duplicate-finding quality rows, or None when it has none.
    """

    name: str
    rows: Callable[[Context], list[Row]]
    growth: Callable[[Context], list[Growth]] | None = None
    quality: Callable[[Context], list[QualityRow]] | None = None
