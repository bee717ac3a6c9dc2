"""How well a duplicate finder finds duplicates: pair metrics and the quality table.

Every tool is judged the same way, whatever it returns: its groups (clusters) are turned into
the pairs they imply, every two records inside one group, and those pairs are compared with the
true pairs of the data set. Precision is the share of the predicted pairs that are true, recall
the share of the true pairs that were predicted, F1 their harmonic mean.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations

import attrs

from bench.harness import format_seconds

__all__ = [
    "Pair",
    "Quality",
    "QualityRow",
    "QualityTarget",
    "ToolResult",
    "pairs_from_groups",
    "quality",
    "quality_markdown",
    "quality_table",
]

#: Two record ids, the lower first.
Pair = tuple[int, int]


def pairs_from_groups(groups: Iterable[Iterable[int]]) -> frozenset[Pair]:
    """Every pair of records inside one group, the lower id first.

    A group of three gives three pairs; groups of one give none.

    >>> sorted(pairs_from_groups([[3, 1, 2], [5]]))
    [(1, 2), (1, 3), (2, 3)]
    """
    pairs: set[Pair] = set()
    for group in groups:
        members = sorted(set(group))
        pairs.update(combinations(members, 2))
    return frozenset(pairs)


@attrs.frozen
class Quality:
    """Pair counts of one finder's result against the true pairs, and the metrics they give.

    Attributes:
        predicted: Pairs the finder's groups imply.
        true: Pairs that are really duplicates.
        correct: Predicted pairs that are true.
    """

    predicted: int
    true: int
    correct: int

    @property
    def precision(self) -> float:
        """Share of predicted pairs that are true (1.0 when nothing was predicted)."""
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of true pairs that were predicted (1.0 when there are none)."""
        return self.correct / self.true if self.true else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (0.0 when both are 0)."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def describe(self) -> str:
        """ "P / R / F1", e.g. "1.000 / 0.590 / 0.742"."""
        return f"{self.precision:.3f} / {self.recall:.3f} / {self.f1:.3f}"


def quality(predicted: Iterable[Pair], true: Iterable[Pair]) -> Quality:
    """Compare predicted pairs with the true ones (each pair given lower id first)."""
    predicted_set, true_set = frozenset(predicted), frozenset(true)
    return Quality(len(predicted_set), len(true_set), len(predicted_set & true_set))


@attrs.frozen
class ToolResult:
    """What one tool achieved on one data set.

    Attributes:
        tool: "custmodel", "recordlinkage", "splink".
        quality: The pair metrics, None when the tool did not run.
        seconds: Median seconds of the tool's runs (everything from the records to the groups).
        skipped: Why the tool did not run, or None.
    """

    tool: str
    quality: Quality | None = None
    seconds: float | None = None
    skipped: str | None = None

    def cell(self) -> str:
        """The table cell: "P / R / F1, time", or why it was skipped."""
        if self.skipped is not None:
            return f"skipped: {self.skipped}"
        if self.quality is None:
            return "-"
        return f"{self.quality.describe()}, {format_seconds(self.seconds)}"


@attrs.frozen
class QualityTarget:
    """What custmodel's result on a data set promises; each bound is checked when it is set.

    Attributes:
        min_precision: custmodel's precision at least this.
        min_recall: custmodel's recall at least this.
        f1_of: custmodel's F1 at least that of this tool (when the tool ran).
        faster_than: custmodel's time below that of this tool (when the tool ran).
    """

    min_precision: float | None = None
    min_recall: float | None = None
    f1_of: str | None = None
    faster_than: str | None = None

    def describe(self) -> str:
        """The target as the table prints it, e.g. "P >= 0.995, F1 >= splink"."""
        parts = []
        if self.min_precision is not None:
            parts.append(f"P >= {self.min_precision:g}")
        if self.min_recall is not None:
            parts.append(f"R >= {self.min_recall:g}")
        if self.f1_of is not None:
            parts.append(f"F1 >= {self.f1_of}")
        if self.faster_than is not None:
            parts.append(f"time < {self.faster_than}")
        return ", ".join(parts) or "reported"


@attrs.frozen
class QualityRow:
    """One data set with every tool's result side by side; custmodel's is checked.

    Attributes:
        data: The data set, with its size and its number of true pairs.
        results: One result per tool, custmodel's first.
        target: What custmodel's result promises.
        note: Anything else worth printing.
    """

    data: str
    results: tuple[ToolResult, ...]
    target: QualityTarget = QualityTarget()
    note: str = ""

    def result(self, tool: str) -> ToolResult | None:
        """The result of ``tool``, or None when the row has none."""
        return next((r for r in self.results if r.tool == tool), None)

    def misses(self) -> list[str]:
        """The bounds of the target custmodel's result misses (empty: met or nothing to check)."""
        own = self.result("custmodel")
        if own is None or own.quality is None:
            return []
        q, bound, missed = own.quality, self.target, []
        if bound.min_precision is not None and q.precision < bound.min_precision:
            missed.append(f"P {q.precision:.3f} < {bound.min_precision:g}")
        if bound.min_recall is not None and q.recall < bound.min_recall:
            missed.append(f"R {q.recall:.3f} < {bound.min_recall:g}")
        peer = self.result(bound.f1_of) if bound.f1_of else None
        if peer is not None and peer.quality is not None and q.f1 < peer.quality.f1:
            missed.append(f"F1 {q.f1:.3f} < {peer.quality.f1:.3f}")
        rival = self.result(bound.faster_than) if bound.faster_than else None
        if (
            rival is not None
            and rival.seconds is not None
            and own.seconds is not None
            and own.seconds >= rival.seconds
        ):
            missed.append(f"time {format_seconds(own.seconds)} >= {format_seconds(rival.seconds)}")
        return missed

    def verdict(self) -> str:
        """Return "met", "MISSED: ...", or "-" when custmodel's result was not measured."""
        own = self.result("custmodel")
        if own is None or own.quality is None:
            return "-"
        missed = self.misses()
        return "MISSED: " + "; ".join(missed) if missed else "met"


def _columns(rows: Sequence[QualityRow]) -> list[str]:
    tools: list[str] = []
    for row in rows:
        tools.extend(r.tool for r in row.results if r.tool not in tools)
    return tools


def _lines(rows: Sequence[QualityRow]) -> list[tuple[str, ...]]:
    tools = _columns(rows)
    header = ("data", *(f"{t} P / R / F1, time" for t in tools), "target", "result")
    lines = [header]
    for row in rows:
        cells = []
        for tool in tools:
            found = row.result(tool)
            cells.append("-" if found is None else found.cell())
        lines.append((row.data, *cells, row.target.describe(), row.verdict()))
    return lines


def quality_table(rows: Sequence[QualityRow]) -> str:
    """The rows as an aligned plain-text table, one column per tool."""
    lines = _lines(rows)
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    rendered = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in lines
    ]
    rendered.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in rendered)


def quality_markdown(rows: Sequence[QualityRow]) -> str:
    """The rows as a Markdown table (for docs/benchmarks.md)."""
    lines = _lines(rows)
    out = ["| " + " | ".join(lines[0]) + " |", "|" + "|".join("---" for _ in lines[0]) + "|"]
    out.extend("| " + " | ".join(line) + " |" for line in lines[1:])
    return "\n".join(out)
