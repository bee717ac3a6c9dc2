"""The due-erasure sweep over the large store (R9, GDPR Art. 17), and its memory.

custmodel's ``CustomerBook.anonymize_due`` finds every customer whose open erasure request is
due for the acting agency, checks each against the eligibility rule once more, anonymizes them
batch by batch and purges the old row versions. It is compared with two baselines:

* the issue's: a raw SQL selection of the same due customers (the anti-join custmodel's store
  runs too), which anonymizes nothing;
* the same logical work: that selection plus the UPDATEs that blank the personal fields and
  complete the requests, and the same write-ahead log checkpoint, in one transaction.

custmodel runs twice, with its change history off and on, against the same baselines (see
:func:`bench.harness.with_history`). All must name the same customers. After every run that
anonymized, the customers and requests are restored from a copy and the run's history entries
deleted (unmeasured), so every run finds the same due customers and the same history.
Peak memory is the resident set of a separate process running the sweep once
(:mod:`bench.child`).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import data, raw
from bench.child import measure_peak
from bench.context import Benchmark, Context, growth_sizes
from bench.harness import Contender, Growth, Row, Target, interleave, median, with_history
from bench.operations.large import large_store
from bench.stores import (
    SqliteFiles,
    drop_history_after,
    history_mark,
    load_sqlite,
    raw_sqlite,
)
from custmodel import CustomerBook

__all__ = ["SWEEP"]

_BACKUP = "bench_sweep_backup"


def _keep_copy(path: Path) -> int:
    """Copy the customers with erasure requests aside, once, so runs can be undone; return the
    history's mark (see :func:`bench.stores.history_mark`)."""
    with closing(raw_sqlite(path)) as connection:
        connection.execute(
            f"CREATE TABLE IF NOT EXISTS {_BACKUP} AS SELECT * FROM custmodel_customers "
            "WHERE number IN (SELECT customer FROM custmodel_requests)"
        )
        connection.execute(
            f"CREATE UNIQUE INDEX IF NOT EXISTS {_BACKUP}_number ON {_BACKUP} (number)"
        )
        return history_mark(connection)


def _restore(path: Path, mark: int) -> None:
    """Undo a sweep: the customers as copied, every request open, the history entries after
    ``mark`` deleted, the log checkpointed.

    The number stays out of the SET list: writing it makes SQLite check the foreign keys that
    refer to it, one scan of the customers per row (see docs/benchmarks.md).
    """
    columns = ", ".join(c for c in data.CUSTOMER_COLUMNS if c != "number")
    with closing(raw_sqlite(path)) as connection:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            f"UPDATE custmodel_customers SET ({columns}) = "
            f"(SELECT {columns} FROM {_BACKUP} AS b WHERE b.number = custmodel_customers.number) "
            f"WHERE number IN (SELECT number FROM {_BACKUP})"
        )
        connection.execute("UPDATE custmodel_requests SET completed_at = NULL")
        drop_history_after(connection, mark)
        connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _custmodel(book: CustomerBook, path: Path, mark: int) -> Contender[None]:
    def run(_state: None) -> list[int]:
        sweep = book.anonymize_due(data.AGENCY, data.TODAY)
        assert sweep.anonymized == sweep.due, "the rule disagreed with the store's selection"
        return list(sweep.customers)

    def finish(_state: None, customers: list[int]) -> list[int]:
        _restore(path, mark)
        return customers

    return Contender(run, lambda: None, finish)


def _due(connection: sqlite3.Connection) -> list[int]:
    found = connection.execute(raw.DUE_CUSTOMERS, (data.AGENCY, raw.cutoff(data.TODAY)))
    return [row[0] for row in found.fetchall()]


def _raw_selection(connection: sqlite3.Connection) -> Contender[None]:
    return Contender(lambda _state: _due(connection), lambda: None)


def _raw_anonymization(connection: sqlite3.Connection, path: Path, mark: int) -> Contender[None]:
    def run(_state: None) -> list[int]:
        connection.execute("BEGIN IMMEDIATE")
        numbers = _due(connection)
        raw.anonymize(connection, numbers, raw.sqlite_time(datetime.now(UTC)))
        connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return numbers

    def finish(_state: None, numbers: list[int]) -> list[int]:
        _restore(path, mark)
        return numbers

    return Contender(run, lambda: None, finish)


def _same_customers(evidence: list[Any]) -> None:
    first = evidence[0]
    assert first, "nobody is due: the data set cannot show the sweep"
    for other in evidence[1:]:
        assert first == other, "custmodel and a raw baseline found different due customers"


def _sweep(ctx: Context) -> list[Row]:
    sizes = ctx.sizes
    path = large_store(ctx)
    mark = _keep_copy(path)
    store = SqliteFiles.store(path)
    ctx.log(f"erasure sweeps over {sizes.customers:,} customers")
    with closing(raw_sqlite(path)) as connection:
        requests = connection.execute("SELECT count(*) FROM custmodel_requests")
        (open_requests,) = requests.fetchone()
        due = len(_due(connection))
        times = interleave(
            [
                _custmodel(CustomerBook(store, history=False), path, mark),
                _custmodel(CustomerBook(store), path, mark),
                _raw_selection(connection),
                _raw_anonymization(connection, path, mark),
            ],
            sizes.repeat,
            _same_customers,
        )
    store.close()
    ctx.shared(f"sweep seconds at {sizes.customers}", lambda: median(times[1]), announce=False)
    ctx.log("erasure sweep in a process of its own, for its peak memory")
    peak = measure_peak("sweep", path)
    _restore(path, mark)
    assert peak["result"] == due, "the measured sweep anonymized other customers"
    operation = (
        f"erasure sweep over {sizes.customers:,} customers, "
        f"{sizes.customers * sizes.bookings_per_customer:,} bookings "
        f"({due:,} of {open_requests:,} requests due)"
    )
    memory = (
        f"peak resident memory of a process running the sweep {peak['peak_mib']:,.0f} MiB, "
        f"{peak['before_mib']:,.0f} MiB of it before the sweep began (interpreter, imports, "
        "open store); VmHWM"
    )
    selection = Row(
        operation + " vs raw selection",
        "SQLite",
        tuple(times[0]),
        tuple(times[2]),
        Target(max_ratio=3, max_memory_mb=500),
    )
    anonymization = Row(
        operation + " vs raw selection + anonymizing UPDATEs",
        "SQLite",
        tuple(times[0]),
        tuple(times[3]),
        Target(max_ratio=3),
    )
    return [
        _retention_row(ctx, path),
        # The process measured for its peak memory sweeps as the book does by default.
        *with_history(selection, times[1], peak_memory_mb=peak["peak_mib"], note=memory),
        *with_history(anonymization, times[1]),
    ]


def _retention_row(ctx: Context, path: Path) -> Row:
    """Dry sweeps with retention rules (24 months idle, 5 years since the last departure)
    beside dry sweeps of the requests only, each in a process of its own for its memory."""
    ctx.log("dry sweeps with retention rules and of requests only, for time and memory")
    retention = measure_peak("retention-dry-sweep", path)
    requests = measure_peak("request-dry-sweep", path)
    found, asked = retention["result"], requests["result"]
    assert found["due"] >= asked["due"], "retention rules found fewer than the requests"
    return Row(
        f"dry erasure sweep with retention rules over {ctx.sizes.customers:,} customers "
        f"({found['due']:,} due, {found['batches']:,} batches) vs of requests only "
        f"({asked['due']:,} due)",
        "SQLite",
        (found["seconds"],),
        (asked["seconds"],),
        Target(max_memory_mb=500),
        peak_memory_mb=retention["peak_mib"],
        note=(
            f"peak resident memory {retention['peak_mib']:,.0f} MiB with retention rules, "
            f"{requests['peak_mib']:,.0f} MiB of requests only; VmHWM"
        ),
    )


def _growth(ctx: Context) -> list[Growth]:
    sizes = ctx.sizes
    steps = growth_sizes(sizes.customers)
    seconds = []
    for customers in steps:

        def measure(customers: int = customers) -> float:
            ctx.log(f"growth: erasure sweeps over {customers:,} customers")
            path = ctx.sqlite.fresh(f"sweep-{customers}")
            load_sqlite(
                path,
                customers,
                bookings_per_customer=sizes.bookings_per_customer,
                erasure_share=sizes.erasure_share,
            )
            mark = _keep_copy(path)
            store = SqliteFiles.store(path)
            times = interleave([_custmodel(CustomerBook(store), path, mark)], sizes.growth_repeat)
            store.close()
            SqliteFiles.remove(path)
            return median(times[0])

        seconds.append(ctx.shared(f"sweep seconds at {customers}", measure, announce=False))
    return [Growth("erasure sweep", "customers in the store", steps, tuple(seconds))]


SWEEP = Benchmark("sweep", _sweep, _growth)
