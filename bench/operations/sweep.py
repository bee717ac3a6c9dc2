"""The due-erasure sweep over the large store (R9, GDPR Art. 17), and its memory.

custmodel's ``CustomerBook.anonymize_due`` finds every customer whose open erasure request is
due for the acting agency, checks each against the eligibility rule once more, anonymizes them
batch by batch and purges the old row versions. It is compared with:

* the floor: the fastest correct way to the same stored rows by hand, in one transaction on a
  kept driver connection. The selection of the due customers (the anti-join), then set-based
  statements over that list of numbers (``json_each`` on SQLite, ``= ANY`` of an array on
  PostgreSQL): one UPDATE writing the anonymized values, one completing the erasure requests,
  the advertising ledger kept to the blanked objections, the change histories' personal
  values erased and (with the history on) one anonymization entry per customer written by an
  INSERT ... SELECT; on SQLite the write-ahead log checkpoint custmodel's purge runs too;
* the raw driver: the same selection plus the UPDATEs of the anonymized values and the
  requests in chunks of 900 numbers (no ledger, no history), and the same checkpoint;
* the raw selection alone, which anonymizes nothing (a reference row).

custmodel runs twice, with its change history off and on (see
:func:`bench.harness.with_history`), each against a floor doing the same (the floor with the
history on writes the entries). All must find the same customers and leave the same rows: the
anonymized customers (every column but the timestamps), their requests, and the history
entries of them. After every run that anonymized, the customers and requests are restored
from a copy and the run's history entries deleted (unmeasured), so every run finds the same
due customers and the same history. Peak memory is the resident set of a separate process
running the sweep once (:mod:`bench.child`, SQLite).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

import attrs

from bench import data, raw
from bench.child import measure_peak
from bench.context import Benchmark, Context, growth_sizes
from bench.harness import Contender, Growth, Row, Target, interleave, median, with_history
from bench.operations.large import Large, large_postgres, large_sqlite
from bench.stores import SqliteFiles, load_sqlite
from custmodel import CustomerBook

__all__ = ["SWEEP", "rows_on"]

_BACKUP: Final = "bench_sweep_backup"

#: The benchmark settings' anonymization delay (R9: six weeks after the departure).
_DELAY: Final = timedelta(days=42)

#: The customers with an open erasure request received by the day (third ``{p}``) whom the
#: acting agency (first) may anonymize on a day whose cutoff (today - 42 days) is the second:
#: active, not anonymized, no firm booking of another point of sale, of an external channel,
#: or departing after the cutoff. The anti-join custmodel's store runs too, in one statement.
_DUE: Final = """
SELECT DISTINCT e.customer
FROM custmodel_requests AS e
JOIN custmodel_customers AS c ON c.number = e.customer
LEFT JOIN custmodel_bookings AS b
  ON b.customer = e.customer AND b.kind = 'booking'
  AND (b.point_of_sale <> {p} OR b.channel_external = {true} OR b.departure > {p})
WHERE e.kind = 'erasure' AND e.completed_at IS NULL AND e.received_on <= {p}
  AND c.merged_into IS NULL AND c.anonymized_at IS NULL AND b.reference IS NULL
ORDER BY e.customer
"""

#: The latest entry of each channel of an anonymized customer's ledger, if it is an objection:
#: what anonymization keeps (rules.anonymized_ledger); the rest is deleted.
_LEDGER_KEPT: Final = """
SELECT id FROM (
  SELECT id, choice, row_number() OVER (
    PARTITION BY customer, channel ORDER BY given_on DESC, id DESC) AS r
  FROM custmodel_marketing_choices WHERE customer {numbers}
) AS latest WHERE r = 1 AND choice = 'objection'
"""


@attrs.frozen
class _Dialect:
    """What the hand-written SQL spells differently on the two engines."""

    sqlite: bool

    @property
    def mark(self) -> str:
        return "?" if self.sqlite else "%s"

    @property
    def numbers(self) -> str:
        """``IN`` one parameter holding the list of customer numbers."""
        return "IN (SELECT value FROM json_each(?))" if self.sqlite else "= ANY(%s)"

    def listed(self, numbers: list[int]) -> Any:
        return json.dumps(numbers) if self.sqlite else numbers

    def time(self, when: datetime) -> Any:
        return raw.sqlite_time(when) if self.sqlite else when

    def day(self, value: date) -> Any:
        return value.isoformat() if self.sqlite else value

    def due(self) -> str:
        return _DUE.format(p=self.mark, true="1" if self.sqlite else "true")

    def begin(self, connection: Any) -> None:
        connection.execute("BEGIN IMMEDIATE" if self.sqlite else "BEGIN")

    def checkpoint(self, connection: Any) -> None:
        if self.sqlite:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _dialect(large: Large) -> _Dialect:
    return _Dialect(sqlite=large.path is not None)


def _due(connection: Any, dialect: _Dialect) -> list[int]:
    found = connection.execute(
        dialect.due(),
        (data.AGENCY, dialect.day(data.TODAY - _DELAY), dialect.day(data.TODAY)),
    )
    return [int(row[0]) for row in found.fetchall()]


def _keep_copy(connection: Any, dialect: _Dialect) -> int:
    """Copy the customers with erasure requests aside, once, so runs can be undone; return the
    highest history id, what :func:`_restore` keeps."""
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS {_BACKUP} AS SELECT * FROM custmodel_customers "
        "WHERE number IN (SELECT customer FROM custmodel_requests)"
    )
    connection.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {_BACKUP}_number ON {_BACKUP} (number)")
    (mark,) = connection.execute("SELECT coalesce(max(id), 0) FROM custmodel_history").fetchone()
    return int(mark)


def _restore(connection: Any, dialect: _Dialect, mark: int) -> None:
    """Undo a sweep: the customers as copied, every request open, the history entries after
    ``mark`` deleted, the log checkpointed (SQLite) or the dead rows vacuumed (PostgreSQL).

    The number stays out of the SET list: writing it makes SQLite check the foreign keys that
    refer to it, one scan of the customers per row (see docs/benchmarks.md).
    """
    columns = ", ".join(c for c in data.CUSTOMER_COLUMNS if c != "number")
    dialect.begin(connection)
    connection.execute(
        f"UPDATE custmodel_customers SET ({columns}) = "
        f"(SELECT {columns} FROM {_BACKUP} AS b WHERE b.number = custmodel_customers.number) "
        f"WHERE number IN (SELECT number FROM {_BACKUP})"
    )
    connection.execute("UPDATE custmodel_requests SET completed_at = NULL")
    connection.execute(f"DELETE FROM custmodel_history WHERE id > {dialect.mark}", (mark,))
    connection.execute("COMMIT")
    if dialect.sqlite:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        connection.execute("VACUUM custmodel_customers, custmodel_requests, custmodel_history")


def _outcome(connection: Any, dialect: _Dialect, numbers: list[int]) -> dict[str, Any]:
    """What a run left of the customers it anonymized, for the agreement check: their rows
    (timestamps as "set or not"), their requests, and the history entries they own."""
    columns = [c for c in data.CUSTOMER_COLUMNS if c not in ("updated_at", "anonymized_at")]
    listed = dialect.listed(numbers)
    customers = connection.execute(
        f"SELECT {', '.join(columns)}, anonymized_at IS NOT NULL FROM custmodel_customers "
        f"WHERE number {dialect.numbers} ORDER BY number",
        (listed,),
    ).fetchall()
    requests = connection.execute(
        "SELECT id, customer, completed_at IS NOT NULL FROM custmodel_requests "
        f"WHERE customer {dialect.numbers} ORDER BY id",
        (listed,),
    ).fetchall()
    history = connection.execute(
        "SELECT action, customer, owner, actor, operation, count, flag, reference, related, "
        "details, personal, erased_at IS NOT NULL FROM custmodel_history "
        f"WHERE owner {dialect.numbers} ORDER BY owner, id",
        (listed,),
    ).fetchall()
    return {
        "numbers": numbers,
        "customers": [tuple(r) for r in customers],
        "requests": [tuple(r) for r in requests],
        "history": [tuple(r) for r in history],
    }


def anonymize_floor(connection: Any, dialect: _Dialect, *, history: bool) -> list[int]:
    """The floor: select the due customers and anonymize them with set-based statements over
    that list, in one transaction; return their numbers."""
    when = dialect.time(datetime.now(UTC))
    values = raw.blanked_values()
    assignments = ", ".join(f"{name} = {dialect.mark}" for name in values)
    dialect.begin(connection)
    numbers = _due(connection, dialect)
    listed = dialect.listed(numbers)
    mark = dialect.mark
    connection.execute(
        f"UPDATE custmodel_customers SET {assignments}, anonymized_at = {mark}, "
        f"updated_at = {mark}, version = version + 1 WHERE number {dialect.numbers}",
        (*values.values(), when, when, listed),
    )
    connection.execute(
        f"UPDATE custmodel_requests SET completed_at = {mark} WHERE kind = 'erasure' "
        f"AND completed_at IS NULL AND customer {dialect.numbers}",
        (when, listed),
    )
    connection.execute(
        f"DELETE FROM custmodel_marketing_choices WHERE customer {dialect.numbers} "
        f"AND id NOT IN ({_LEDGER_KEPT.format(numbers=dialect.numbers)})",
        (listed, listed),
    )
    connection.execute(
        "UPDATE custmodel_marketing_choices SET source = '', note = '' "
        f"WHERE customer {dialect.numbers}",
        (listed,),
    )
    # The personal values of their histories, and of the bulk runs' summaries that changed them.
    connection.execute(
        f"UPDATE custmodel_history SET personal = NULL, erased_at = {mark} "
        f"WHERE personal IS NOT NULL AND (owner {dialect.numbers} OR (owner IS NULL AND "
        "operation IN (SELECT operation FROM custmodel_history "
        f"WHERE owner {dialect.numbers} AND operation IS NOT NULL)))",
        (when, listed, listed),
    )
    if history:
        connection.execute(
            "INSERT INTO custmodel_history (at, action, customer, owner, related, details) "
            f"SELECT {mark}, 'anonymized', n.number, n.number, '', '{{\"changes\":[]}}' FROM "
            f"(SELECT number FROM custmodel_customers WHERE number {dialect.numbers}) AS n "
            "ORDER BY n.number",
            (when, listed),
        )
    connection.execute("COMMIT")
    dialect.checkpoint(connection)
    return numbers


def _outcome_after(
    connection: Any, dialect: _Dialect, mark: int
) -> Callable[[None, list[int]], dict[str, Any]]:
    def finish(_state: None, numbers: list[int]) -> dict[str, Any]:
        found = _outcome(connection, dialect, numbers)
        _restore(connection, dialect, mark)
        return found

    return finish


def _custmodel(
    book: CustomerBook, connection: Any, dialect: _Dialect, mark: int
) -> Contender[None]:
    def run(_state: None) -> list[int]:
        sweep = book.anonymize_due(data.AGENCY, data.TODAY)
        assert sweep.anonymized == sweep.due, "the rule disagreed with the store's selection"
        return list(sweep.customers)

    return Contender(run, lambda: None, _outcome_after(connection, dialect, mark))


def _floor(connection: Any, dialect: _Dialect, mark: int, *, history: bool) -> Contender[None]:
    return Contender(
        lambda _state: anonymize_floor(connection, dialect, history=history),
        lambda: None,
        _outcome_after(connection, dialect, mark),
    )


def _raw_selection(connection: Any, dialect: _Dialect) -> Contender[None]:
    return Contender(lambda _state: _due(connection, dialect), lambda: None)


def _raw_anonymization(connection: Any, dialect: _Dialect, mark: int) -> Contender[None]:
    def run(_state: None) -> list[int]:
        dialect.begin(connection)
        numbers = _due(connection, dialect)
        raw.anonymize(
            connection.cursor(), numbers, dialect.time(datetime.now(UTC)), mark=dialect.mark
        )
        connection.execute("COMMIT")
        dialect.checkpoint(connection)
        return numbers

    return Contender(run, lambda: None, _outcome_after(connection, dialect, mark))


#: The contenders in the order :func:`rows_on` hands them to :func:`interleave`.
_ORDER: Final = ("off", "on", "floor off", "floor on", "raw", "selection")


def _agree(evidence: list[Any]) -> None:
    """All found the same customers; all that anonymized left the same rows; the history
    entries agree with the history on, and there are none with it off."""
    found = dict(zip(_ORDER, evidence, strict=True))
    numbers = found["selection"]
    assert numbers, "nobody is due: the data set cannot show the sweep"
    for name in ("off", "on", "floor off", "floor on", "raw"):
        assert found[name]["numbers"] == numbers, f"{name} found other due customers"
        for part in ("customers", "requests"):
            assert found[name][part] == found["floor on"][part], f"{name}: other {part} rows"
    assert found["on"]["history"] == found["floor on"]["history"], "other history entries"
    assert found["on"]["history"], "the history on recorded no anonymization"
    for name in ("off", "floor off", "raw"):
        assert found[name]["history"] == [], f"{name} recorded history entries"


def rows_on(ctx: Context, large: Large) -> list[Row]:
    """The sweep's rows on one large store (SQLite or PostgreSQL), leaving it as it found it."""
    sizes = ctx.sizes
    dialect = _dialect(large)
    ctx.log(f"erasure sweeps over {large.customers:,} customers on {large.backend}")
    store = large.store()
    with closing(large.raw()) as connection:
        mark = _keep_copy(connection, dialect)
        (open_requests,) = connection.execute("SELECT count(*) FROM custmodel_requests").fetchone()
        due = len(_due(connection, dialect))
        contenders = {
            "off": _custmodel(CustomerBook(store, history=False), connection, dialect, mark),
            "on": _custmodel(CustomerBook(store), connection, dialect, mark),
            "floor off": _floor(connection, dialect, mark, history=False),
            "floor on": _floor(connection, dialect, mark, history=True),
            "raw": _raw_anonymization(connection, dialect, mark),
            "selection": _raw_selection(connection, dialect),
        }
        measured = interleave([contenders[n] for n in _ORDER], sizes.repeat, _agree)
    store.close()
    times = dict(zip(_ORDER, measured, strict=True))
    operation = (
        f"erasure sweep over {large.customers:,} customers, {large.bookings:,} bookings "
        f"({due:,} of {open_requests:,} requests due)"
    )
    floor_how = (
        "one transaction on a kept connection: the due customers' anti-join, then one UPDATE "
        "each of the customers, requests, advertising ledger and history over that list "
        "(json_each / = ANY), one INSERT ... SELECT of the history entries"
        + (", the WAL checkpoint" if dialect.sqlite else "")
    )
    row = Row(
        operation,
        large.backend,
        tuple(times["off"]),
        tuple(times["raw"]),
        Target(max_ratio=2, max_memory_mb=500 if dialect.sqlite else None),
        floor=tuple(times["floor off"]),
        floor_how=floor_how,
    )
    extra: dict[str, Any] = {"floor": tuple(times["floor on"])}
    rows = []
    if dialect.sqlite:
        ctx.shared(
            f"sweep seconds at {large.customers}", lambda: median(times["on"]), announce=False
        )
        ctx.log("erasure sweep in a process of its own, for its peak memory")
        assert large.path is not None
        peak = measure_peak("sweep", large.path)
        _restore_on(large, dialect, mark)
        assert peak["result"] == due, "the measured sweep anonymized other customers"
        # The process measured for its peak memory sweeps as the book does by default.
        extra.update(
            peak_memory_mb=peak["peak_mib"],
            note=(
                f"peak resident memory of a process running the sweep "
                f"{peak['peak_mib']:,.0f} MiB, {peak['before_mib']:,.0f} MiB of it before the "
                "sweep began (interpreter, imports, open store); VmHWM"
            ),
        )
        rows.append(_retention_row(ctx, large))
    rows.extend(with_history(row, times["on"], **extra))
    rows.append(
        Row(
            operation + ", the raw selection alone (a reference: it anonymizes nobody)",
            large.backend,
            tuple(times["on"]),
            tuple(times["selection"]),
            Target(),
        )
    )
    return rows


def _restore_on(large: Large, dialect: _Dialect, mark: int) -> None:
    with closing(large.raw()) as connection:
        _restore(connection, dialect, mark)


def _retention_row(ctx: Context, large: Large) -> Row:
    """Dry sweeps with retention rules (24 months idle, 5 years since the last departure)
    beside dry sweeps of the requests only, each in a process of its own for its memory."""
    assert large.path is not None
    ctx.log("dry sweeps with retention rules and of requests only, for time and memory")
    retention = measure_peak("retention-dry-sweep", large.path)
    requests = measure_peak("request-dry-sweep", large.path)
    found, asked = retention["result"], requests["result"]
    assert found["due"] >= asked["due"], "retention rules found fewer than the requests"
    return Row(
        f"dry erasure sweep with retention rules over {large.customers:,} customers "
        f"({found['due']:,} due, {found['batches']:,} batches) vs of requests only "
        f"({asked['due']:,} due)",
        large.backend,
        (found["seconds"],),
        (asked["seconds"],),
        Target(max_memory_mb=500),
        peak_memory_mb=retention["peak_mib"],
        note=(
            f"peak resident memory {retention['peak_mib']:,.0f} MiB with retention rules, "
            f"{requests['peak_mib']:,.0f} MiB of requests only; VmHWM"
        ),
    )


def _sweep(ctx: Context) -> list[Row]:
    rows = rows_on(ctx, large_sqlite(ctx))
    postgres = large_postgres(ctx)
    if postgres is not None:
        return rows + rows_on(ctx, postgres)
    return [
        *rows,
        Row(
            f"erasure sweep over {ctx.sizes.customers:,} customers",
            "PostgreSQL",
            (),
            (),
            Target(max_ratio=2),
            skipped=ctx.postgres_problem,
        ),
    ]


def _growth(ctx: Context) -> list[Growth]:
    sizes = ctx.sizes
    steps = growth_sizes(sizes.customers)
    seconds = []
    dialect = _Dialect(sqlite=True)
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
            large = Large("SQLite", customers, 0, path, None)
            store = large.store()
            with closing(large.raw()) as connection:
                mark = _keep_copy(connection, dialect)
                times = interleave(
                    [_custmodel(CustomerBook(store), connection, dialect, mark)],
                    sizes.growth_repeat,
                )
            store.close()
            SqliteFiles.remove(path)
            return median(times[0])

        seconds.append(ctx.shared(f"sweep seconds at {customers}", measure, announce=False))
    return [
        Growth("erasure sweep", "customers in the store", steps, tuple(seconds), max_exponent=1.05)
    ]


SWEEP = Benchmark("sweep", _sweep, _growth)
