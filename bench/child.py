"""Peak memory of one custmodel operation, measured in a process of its own.

``python -m bench.child OPERATION DATABASE`` opens the SQLite store, notes the peak resident
set size so far (interpreter, imports, an open store), runs the operation once and prints a JSON
object with both peaks in MiB.

The peak is the kernel's high-water mark of the process's resident memory (``VmHWM`` in
``/proc/self/status``): every Python object, SQLite's page cache and the driver's buffers,
which tracemalloc (Python allocations only) would miss. ``getrusage().ru_maxrss`` would not
do: Linux carries it over from the parent through fork and exec, so a child started by a large
benchmark process would report the parent's peak. It is the fallback where there is no
``/proc``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["measure_peak"]


_STATUS = Path("/proc/self/status")


def _peak_mib() -> float:
    """The process's peak resident memory so far, MiB."""
    if _STATUS.exists():
        for line in _STATUS.read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    # Linux reports kibibytes, macOS bytes; the documented figures are Linux's.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(operation: str, database: Path) -> dict[str, Any]:
    from bench import data
    from custmodel import CustomerBook
    from custmodel.storage.sql import SqlStore

    store = SqlStore.from_url(f"sqlite:///{database}", upgrade=False)
    book = CustomerBook(store)
    book.count()  # the store is open and its connection made before the first reading
    before = _peak_mib()
    if operation == "sweep":
        result: Any = book.anonymize_due(data.AGENCY, data.TODAY).anonymized
    elif operation in ("request-dry-sweep", "retention-dry-sweep"):
        result = _dry_sweep(book, retention=operation == "retention-dry-sweep")
    elif operation == "duplicates":
        result = len(book.find_duplicates())
    else:
        raise SystemExit(f"unknown operation {operation!r}")
    store.close()
    return {"before_mib": before, "peak_mib": _peak_mib(), "result": result}


def _dry_sweep(book: Any, *, retention: bool) -> dict[str, Any]:
    """A dry sweep, of the requests only or with retention rules on every kind (set for the
    run and removed again, so the shared store keeps its settings)."""
    import time

    from bench import data
    from custmodel import CustomerKind, RetentionRule

    rules = (RetentionRule.prospect_idle(24), RetentionRule.last_departure(5))
    if retention:
        book.update_settings(per_kind={kind: {"retention": rules} for kind in CustomerKind})
    try:
        started = time.perf_counter()
        sweep = book.anonymize_due(data.AGENCY, data.TODAY, dry_run=True, retention=retention)
        seconds = time.perf_counter() - started
    finally:
        if retention:
            book.update_settings(per_kind={kind: {"retention": ()} for kind in CustomerKind})
    return {"due": sweep.due, "batches": sweep.batches, "seconds": seconds}


def measure_peak(operation: str, database: Path) -> dict[str, Any]:
    """Run ``operation`` on ``database`` in a new interpreter; return its peaks and result."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.child", operation, str(database)],
        capture_output=True,
        text=True,
        check=True,
    )
    measured: dict[str, Any] = json.loads(done.stdout)
    return measured


if __name__ == "__main__":
    print(json.dumps(_run(sys.argv[1], Path(sys.argv[2]))))
