"""Timing, statistics and the result table of the benchmarks.

A comparison runs custmodel and its raw-driver baseline in turns (interleaved, the order
alternating from one repetition to the next, so neither profits from a warm cache the other
left), checks after every repetition that both did the same work, and reports the medians and
their ratio. Growth series are fitted with a least-squares line in log-log space; its slope is
the exponent of ``time ~ size ** k``.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import attrs

__all__ = [
    "MAX_HISTORY_GROWTH",
    "Check",
    "Contender",
    "Growth",
    "HistoryCost",
    "Row",
    "Target",
    "fit_exponent",
    "floors",
    "format_seconds",
    "history_costs",
    "history_markdown",
    "history_table",
    "interleave",
    "markdown_table",
    "median",
    "ratio",
    "text_table",
    "with_history",
]

S = TypeVar("S")


def median(values: Sequence[float]) -> float:
    """The median of ``values`` (the mean of the middle two for an even count).

    Raises:
        ValueError: for no values.
    """
    if not values:
        raise ValueError("the median of no values is undefined")
    return float(statistics.median(values))


def ratio(custmodel: float, raw: float) -> float:
    """How many times the raw baseline's time custmodel took.

    Raises:
        ValueError: if the baseline took no measurable time.
    """
    if raw <= 0:
        raise ValueError("the baseline took no measurable time; increase the size")
    return custmodel / raw


def fit_exponent(sizes: Sequence[float], times: Sequence[float]) -> float:
    """The exponent k of ``time ~ size ** k``: the slope of a least-squares line in log-log space.

    Near 1 the cost grows linearly with the size, near 2 quadratically.

    Raises:
        ValueError: for fewer than two points, different lengths, values that are not
            positive, or sizes that are all equal.
    """
    if len(sizes) != len(times):
        raise ValueError("every size needs exactly one time")
    if len(sizes) < 2:
        raise ValueError("fitting an exponent needs at least two sizes")
    if min(sizes) <= 0 or min(times) <= 0:
        raise ValueError("sizes and times must be positive")
    xs = [math.log(s) for s in sizes]
    ys = [math.log(t) for t in times]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        raise ValueError("fitting an exponent needs at least two different sizes")
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def _keep(_state: object, result: object) -> object:
    return result


@attrs.frozen
class Contender(Generic[S]):
    """One side of a comparison.

    Attributes:
        run: The measured work; gets what ``prepare`` returned.
        prepare: Unmeasured set-up before every run (a fresh database, a reset...).
        finish: Unmeasured, right after every run: gets the state and the run's result, cleans
            up (closes, resets, deletes) and returns the evidence the agreement check
            compares. By default the evidence is the run's result.
    """

    run: Callable[[S], Any]
    prepare: Callable[[], S]
    finish: Callable[[S, Any], Any] = _keep


def interleave(
    contenders: Sequence[Contender[Any]],
    repeat: int,
    agree: Callable[[list[Any]], None] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> list[list[float]]:
    """Run every contender ``repeat`` times in turns; return the seconds of each run.

    The order alternates between repetitions (A B, B A, A B...). Garbage is collected before
    each run, outside the measurement. After every repetition ``agree`` gets the contenders'
    evidence (see :class:`Contender`) in the order given, and raises if they did not do the
    same work.

    Raises:
        ValueError: for a ``repeat`` below 1.
        AssertionError: from ``agree``, when the contenders disagree.
    """
    if repeat < 1:
        raise ValueError("repeat at least once")
    times: list[list[float]] = [[] for _ in contenders]
    for repetition in range(repeat):
        indexes = list(range(len(contenders)))
        if repetition % 2:
            indexes.reverse()
        evidence: list[Any] = [None] * len(contenders)
        for index in indexes:
            contender = contenders[index]
            state = contender.prepare()
            gc.collect()
            start = clock()
            result = contender.run(state)
            times[index].append(clock() - start)
            evidence[index] = contender.finish(state, result)
        if agree is not None:
            agree(evidence)
    return times


@attrs.frozen
class Target:
    """What a row promises; each bound is checked when it is set.

    Attributes:
        max_ratio: custmodel's median time at most this many times the baseline's.
        min_rate: At least this many operations per second (with ``Row.operations``).
        max_memory_mb: Peak memory at most this many MiB (with ``Row.peak_memory_mb``).
    """

    max_ratio: float | None = None
    min_rate: float | None = None
    max_memory_mb: float | None = None

    def describe(self) -> str:
        """The target as the table prints it, e.g. "ratio <= 1.5"."""
        parts = []
        if self.max_ratio is not None:
            parts.append(f"ratio <= {self.max_ratio:g}")
        if self.min_rate is not None:
            parts.append(f">= {self.min_rate:,.0f}/s")
        if self.max_memory_mb is not None:
            parts.append(f"peak < {self.max_memory_mb:,.0f} MiB")
        return ", ".join(parts) or "reported"


@attrs.frozen
class Check:
    """A bound a benchmark checks itself (a count, a share), beside its target's timing bounds.

    Attributes:
        bound: What is promised, as the table prints it ("0 false groups").
        actual: What was measured, as a miss prints it ("3 false groups").
        met: Whether the bound holds.
    """

    bound: str
    actual: str
    met: bool


@attrs.frozen
class Row:
    """One line of the result table.

    Attributes:
        operation: What was measured, with its size.
        backend: "SQLite", "PostgreSQL"...
        custmodel: Seconds of each custmodel run.
        raw: Seconds of each baseline run (empty when there is no baseline).
        target: The promise the row is checked against.
        operations: How many operations one run did, for a rate (0: no rate).
        peak_memory_mb: Peak resident memory of the run, MiB (None: not measured).
        note: Anything else worth printing (how memory was measured...).
        skipped: Why the row was not measured, or None.
        checks: Further bounds the benchmark checked itself (counts, shares).
        history: Whether custmodel recorded its change history in this row (None: the row is
            not measured both ways; see :func:`with_history`).
        floor: Seconds of each run of the floor: the fastest correct way to get the same result
            on the same engine (hand-written SQL, the driver on a kept connection, COPY, the
            best indexes). When set, the ratio and the target are taken against it, and
            ``raw`` (the driver running custmodel's own statements) is the second reference.
        floor_how: How the floor gets its result, as the table's legend prints it.
    """

    operation: str
    backend: str
    custmodel: tuple[float, ...] = ()
    raw: tuple[float, ...] = ()
    target: Target = Target()
    operations: int = 0
    peak_memory_mb: float | None = None
    note: str = ""
    skipped: str | None = None
    checks: tuple[Check, ...] = ()
    history: bool | None = None
    floor: tuple[float, ...] = ()
    floor_how: str = ""

    @property
    def label(self) -> str:
        """The operation as the table prints it, with the history's state when it is paired."""
        if self.history is None:
            return self.operation
        return f"{self.operation}, history {'on' if self.history else 'off'}"

    @property
    def custmodel_median(self) -> float | None:
        """custmodel's median seconds, or None when not measured."""
        return median(self.custmodel) if self.custmodel else None

    @property
    def raw_median(self) -> float | None:
        """The baseline's median seconds, or None."""
        return median(self.raw) if self.raw else None

    @property
    def floor_median(self) -> float | None:
        """The floor's median seconds, or None when the row has no floor."""
        return median(self.floor) if self.floor else None

    @property
    def ratio(self) -> float | None:
        """custmodel's median over the floor's (over the raw driver's without a floor).

        None without either baseline.
        """
        reference = self.floor_median if self.floor else self.raw_median
        if self.custmodel_median is None or reference is None:
            return None
        return ratio(self.custmodel_median, reference)

    @property
    def raw_ratio(self) -> float | None:
        """custmodel's median over the raw driver's, or None without that baseline."""
        if self.custmodel_median is None or self.raw_median is None:
            return None
        return ratio(self.custmodel_median, self.raw_median)

    @property
    def rate(self) -> float | None:
        """Operations per second at custmodel's median, or None."""
        if not self.operations or not self.custmodel_median:
            return None
        return self.operations / self.custmodel_median

    def misses(self) -> list[str]:
        """The bounds of the target this row misses (empty: met, or nothing to check)."""
        if self.skipped is not None:
            return []
        missed = []
        bound = self.target
        if bound.max_ratio is not None and self.ratio is not None and self.ratio > bound.max_ratio:
            missed.append(f"ratio {self.ratio:.2f} > {bound.max_ratio:g}")
        if bound.min_rate is not None and self.rate is not None and self.rate < bound.min_rate:
            missed.append(f"{self.rate:,.0f}/s < {bound.min_rate:,.0f}/s")
        if (
            bound.max_memory_mb is not None
            and self.peak_memory_mb is not None
            and self.peak_memory_mb >= bound.max_memory_mb
        ):
            missed.append(f"peak {self.peak_memory_mb:,.0f} MiB >= {bound.max_memory_mb:,.0f}")
        missed.extend(
            f"{check.actual} (bound: {check.bound})" for check in self.checks if not check.met
        )
        return missed

    def describe_target(self) -> str:
        """The target and the further checks, as the table prints them."""
        bounds = [check.bound for check in self.checks]
        if not bounds:
            return self.target.describe()
        timing = self.target.describe()
        return ", ".join([timing, *bounds] if timing != "reported" else bounds)

    def verdict(self) -> str:
        """Return "met", "MISSED: ...", "skipped: ..." or "-" (nothing to check)."""
        if self.skipped is not None:
            return f"skipped: {self.skipped}"
        missed = self.misses()
        if missed:
            return "MISSED: " + "; ".join(missed)
        checked = (
            (self.target.max_ratio is not None and self.ratio is not None)
            or (self.target.min_rate is not None and self.rate is not None)
            or (self.target.max_memory_mb is not None and self.peak_memory_mb is not None)
            or bool(self.checks)
        )
        return "met" if checked else "-"


@attrs.frozen
class Growth:
    """custmodel's median time of one operation at several sizes, and the fitted exponent.

    Attributes:
        operation: What grows, e.g. "merge".
        unit: What the size counts, e.g. "bookings".
        sizes: The sizes, ascending.
        seconds: The median seconds at each size.
        max_exponent: The exponent promised at most, or None when nothing is promised.
        per: What one time is the cost of ("lookup": the seconds are per lookup), or "" when
            each time is the whole operation's at that size.
    """

    operation: str
    unit: str
    sizes: tuple[int, ...]
    seconds: tuple[float, ...]
    max_exponent: float | None = None
    per: str = ""

    @property
    def exponent(self) -> float:
        """The k of ``time ~ size ** k`` (see :func:`fit_exponent`)."""
        return fit_exponent(self.sizes, self.seconds)

    @property
    def last_exponent(self) -> float:
        """The exponent between the two largest sizes alone, where fixed costs weigh least."""
        return fit_exponent(self.sizes[-2:], self.seconds[-2:])

    def verdict(self) -> str:
        """Return "met", "MISSED: ..." or "-" when no exponent is promised."""
        if self.max_exponent is None:
            return "-"
        if self.exponent > self.max_exponent:
            return f"MISSED: exponent {self.exponent:.2f} > {self.max_exponent:g}"
        return "met"


def format_seconds(seconds: float | None) -> str:
    """Seconds for the table: "1.23 s", "45.6 ms", "789 µs", or "-"."""
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


_HEADER = (
    "operation",
    "backend",
    "custmodel",
    "floor",
    "ratio",
    "raw driver",
    "ratio to raw",
    "target",
    "result",
)


def _cells(row: Row) -> tuple[str, ...]:
    custmodel = format_seconds(row.custmodel_median)
    extras = []
    if row.rate is not None:
        extras.append(f"{row.rate:,.0f}/s")
    if row.peak_memory_mb is not None:
        extras.append(f"peak {row.peak_memory_mb:,.0f} MiB")
    if extras:
        custmodel += f" ({', '.join(extras)})"
    return (
        row.label,
        row.backend,
        custmodel,
        format_seconds(row.floor_median),
        "-" if row.ratio is None else f"{row.ratio:.2f}",
        format_seconds(row.raw_median),
        "-" if row.raw_ratio is None else f"{row.raw_ratio:.2f}",
        row.describe_target(),
        row.verdict(),
    )


def _text(header: tuple[str, ...], lines: Sequence[tuple[str, ...]]) -> str:
    every = [header, *lines]
    widths = [max(len(line[i]) for line in every) for i in range(len(header))]
    rendered = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in every
    ]
    rendered.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in rendered)


def _markdown(header: tuple[str, ...], lines: Sequence[tuple[str, ...]]) -> str:
    rendered = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    rendered.extend("| " + " | ".join(line) + " |" for line in lines)
    return "\n".join(rendered)


def floors(rows: Sequence[Row]) -> list[str]:
    """The legend under the table: how each row's floor got its result, once per text.

    Each line names the operations it applies to, once each, with their backends.
    """
    seen: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        if row.floor_how:
            backends = seen.setdefault(row.floor_how, {}).setdefault(row.operation, [])
            if row.backend not in backends:
                backends.append(row.backend)
    return [
        "; ".join(f"{name} ({', '.join(backends)})" for name, backends in names.items())
        + f": {how}"
        for how, names in seen.items()
    ]


def text_table(rows: Sequence[Row]) -> str:
    """The rows as an aligned plain-text table for a terminal.

    The ratio is custmodel's over the floor's where the row has a floor, else over the raw
    driver's; the target is checked against that ratio.
    """
    return _text(_HEADER, [_cells(row) for row in rows])


def markdown_table(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table (for docs/benchmarks.md)."""
    return _markdown(_HEADER, [_cells(row) for row in rows])


# -- the change history's cost ------------------------------------------------------------------

#: How much custmodel's ratio to the raw driver may grow when the change history is on.
MAX_HISTORY_GROWTH = 1.15


def with_history(row: Row, on: Sequence[float], **on_changes: Any) -> list[Row]:
    """``row`` (custmodel measured with the history off) and its twin with the history on.

    Both keep the same baseline: the raw driver records no history, so the history is part of
    what custmodel adds, and the twin's ratio over the first one's is the history's cost.
    ``on_changes`` sets further attributes of the twin (a peak memory measured with it).
    """
    return [
        attrs.evolve(row, history=False),
        attrs.evolve(row, custmodel=tuple(on), history=True, **on_changes),
    ]


@attrs.frozen
class HistoryCost:
    """A row measured with the change history off and on, against the same baseline.

    Attributes:
        off: The row with the history off.
        on: The same row with the history on.
    """

    off: Row
    on: Row

    @property
    def growth(self) -> float | None:
        """The ratio with the history on over the ratio with it off, or None if one is missing."""
        if self.off.ratio is None or self.on.ratio is None:
            return None
        return self.on.ratio / self.off.ratio

    def verdict(self) -> str:
        """Return "met", "MISSED: ..." or "skipped: ..."."""
        if self.on.skipped is not None:
            return f"skipped: {self.on.skipped}"
        growth = self.growth
        if growth is None:
            return "-"
        if growth > MAX_HISTORY_GROWTH:
            return f"MISSED: growth {growth:.2f} > {MAX_HISTORY_GROWTH:g}"
        return "met"


def history_costs(rows: Sequence[Row]) -> list[HistoryCost]:
    """Pair the rows measured with the history off and on (same operation and backend)."""
    off = {(row.operation, row.backend): row for row in rows if row.history is False}
    return [
        HistoryCost(off[row.operation, row.backend], row)
        for row in rows
        if row.history and (row.operation, row.backend) in off
    ]


_HISTORY_HEADER = (
    "operation",
    "backend",
    "ratio, history off",
    "ratio, history on",
    "growth",
    "target",
    "result",
)


def _history_cells(cost: HistoryCost) -> tuple[str, ...]:
    def shown(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    return (
        cost.on.operation,
        cost.on.backend,
        shown(cost.off.ratio),
        shown(cost.on.ratio),
        shown(cost.growth),
        f"growth <= {MAX_HISTORY_GROWTH:g}",
        cost.verdict(),
    )


def history_table(costs: Sequence[HistoryCost]) -> str:
    """The history's cost per pair of rows, as a plain-text table."""
    return _text(_HISTORY_HEADER, [_history_cells(cost) for cost in costs])


def history_markdown(costs: Sequence[HistoryCost]) -> str:
    """The history's cost per pair of rows, as a Markdown table."""
    return _markdown(_HISTORY_HEADER, [_history_cells(cost) for cost in costs])
