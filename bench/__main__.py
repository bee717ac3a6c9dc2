"""``python -m bench``: run every benchmark and print the table (see docs/benchmarks.md)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import attrs

from bench import machine
from bench.context import QUICK, Benchmark, Context, Sizes
from bench.harness import (
    MAX_HISTORY_GROWTH,
    Growth,
    HistoryCost,
    Row,
    floors,
    format_seconds,
    history_costs,
    history_markdown,
    history_table,
    markdown_table,
    text_table,
)
from bench.operations import BENCHMARKS
from bench.plot import plot_growth
from bench.quality import QualityRow, quality_markdown, quality_table
from bench.stores import postgres_url

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    names = [benchmark.name for benchmark in BENCHMARKS]
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure custmodel against the raw database drivers doing the same work.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, a few seconds (what CI runs)"
    )
    parser.add_argument(
        "--size",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"override one size ({', '.join(f.name for f in attrs.fields(Sizes))})",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=names,
        help="run only these benchmarks (repeatable); scale runs only when named here",
    )
    parser.add_argument(
        "--no-growth", action="store_true", help="skip the growth series and the plot"
    )
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL rows")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("bench-results"),
        help="directory for growth.png, results.md and results.json (default: bench-results)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def _growth_lines(series: Sequence[Growth]) -> list[str]:
    lines = []
    for growth in series:
        points = ", ".join(
            f"{size:,} {growth.unit}: {format_seconds(seconds)}"
            + (f" per {growth.per}" if growth.per else "")
            for size, seconds in zip(growth.sizes, growth.seconds, strict=True)
        )
        target = (
            ""
            if growth.max_exponent is None
            else f"; target <= {growth.max_exponent:g}: {growth.verdict()}"
        )
        lines.append(
            f"{growth.operation}: exponent {growth.exponent:.2f}{target} ({points}; "
            f"between the two largest sizes {growth.last_exponent:.2f})"
        )
    return lines


def _quality_json(rows: Sequence[QualityRow]) -> list[dict[str, object]]:
    return [
        {
            "data": row.data,
            "tools": {
                result.tool: {
                    "precision": None if result.quality is None else result.quality.precision,
                    "recall": None if result.quality is None else result.quality.recall,
                    "f1": None if result.quality is None else result.quality.f1,
                    "predicted_pairs": None if result.quality is None else result.quality.predicted,
                    "true_pairs": None if result.quality is None else result.quality.true,
                    "correct_pairs": None if result.quality is None else result.quality.correct,
                    "seconds": result.seconds,
                    "skipped": result.skipped,
                }
                for result in row.results
            },
            "target": row.target.describe(),
            "result": row.verdict(),
            "note": row.note,
        }
        for row in rows
    ]


def _history_json(costs: Sequence[HistoryCost]) -> list[dict[str, object]]:
    return [
        {
            "operation": cost.on.operation,
            "backend": cost.on.backend,
            "ratio_history_off": cost.off.ratio,
            "ratio_history_on": cost.on.ratio,
            "growth": cost.growth,
            "max_growth": MAX_HISTORY_GROWTH,
            "result": cost.verdict(),
        }
        for cost in costs
    ]


def _json(
    rows: Sequence[Row],
    series: Sequence[Growth],
    quality: Sequence[QualityRow],
    extra: dict[str, object],
) -> str:
    return json.dumps(
        {
            **extra,
            "rows": [
                {
                    "operation": row.operation,
                    "backend": row.backend,
                    "custmodel_seconds": list(row.custmodel),
                    "raw_seconds": list(row.raw),
                    "floor_seconds": list(row.floor),
                    "floor": row.floor_how,
                    "ratio": row.ratio,
                    "ratio_to_raw": row.raw_ratio,
                    "rate_per_second": row.rate,
                    "peak_memory_mib": row.peak_memory_mb,
                    "target": row.describe_target(),
                    "result": row.verdict(),
                    "note": row.note,
                    "history": row.history,
                }
                for row in rows
            ],
            "history_cost": _history_json(history_costs(rows)),
            "growth": [
                {
                    "operation": growth.operation,
                    "unit": growth.unit,
                    "sizes": list(growth.sizes),
                    "seconds": list(growth.seconds),
                    "per": growth.per,
                    "exponent": growth.exponent,
                    "exponent_between_two_largest": growth.last_exponent,
                    "max_exponent": growth.max_exponent,
                    "result": growth.verdict(),
                }
                for growth in series
            ],
            "quality": _quality_json(quality),
        },
        indent=2,
    )


def selected_benchmarks(only: Sequence[str] | None) -> list[Benchmark]:
    """The benchmarks ``--only`` names, in table order; without it every one not opt-in."""
    return [b for b in BENCHMARKS if (b.name in only if only else not b.opt_in)]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks; return the exit status (0 also when a target is missed)."""
    args = _parser().parse_args(argv)
    sizes = (QUICK if args.quick else Sizes()).override(args.size)
    selected = [b for b in BENCHMARKS if (b.name in args.only if args.only else not b.opt_in)]
    started = time.perf_counter()
    environment = machine.describe(None if args.no_postgres else postgres_url())
    rows: list[Row] = []
    series: list[Growth] = []
    quality: list[QualityRow] = []
    with tempfile.TemporaryDirectory(prefix="custmodel-bench-") as directory:
        ctx = Context(sizes, Path(directory), postgres=not args.no_postgres, verbose=not args.quiet)
        try:
            for benchmark in selected:
                rows.extend(benchmark.rows(ctx))
                if benchmark.quality is not None:
                    quality.extend(benchmark.quality(ctx))
                if benchmark.growth is not None and not args.no_growth:
                    series.extend(benchmark.growth(ctx))
        finally:
            ctx.close()
    total = time.perf_counter() - started

    print(
        "custmodel benchmarks"
        + (" (--quick: tiny sizes, figures mean nothing)" if args.quick else "")
    )
    for what, value in environment:
        print(f"  {what}: {value}")
    print(f"  load average at end (1/5/15 min): {machine.load_average()}")
    print(
        f"  repetitions: {sizes.repeat} (medians; growth: {sizes.growth_repeat} at smaller sizes)"
    )
    print()
    costs = history_costs(rows)
    if rows:
        print(text_table(rows))
    if costs:
        print()
        print(
            "the change history's cost (custmodel's ratio with the history on over the ratio off):"
        )
        print(history_table(costs))
    legend = floors(rows)
    if legend:
        print()
        print("floors (the fastest correct way to the same result; ratios are taken against it):")
        print("\n".join(f"- {line}" for line in legend))
    notes = [f"- {row.label} ({row.backend}): {row.note}" for row in rows if row.note]
    if notes:
        print()
        print("\n".join(notes))
    if quality:
        print()
        print("duplicate-finding quality (pairs within predicted groups against the true pairs):")
        print(quality_table(quality))
        quality_notes = [f"- {row.data}: {row.note}" for row in quality if row.note]
        if quality_notes:
            print()
            print("\n".join(quality_notes))
    if series:
        print()
        print("growth, time ~ size^k:")
        print("\n".join(f"  {line}" for line in _growth_lines(series)))
    print()
    print(f"total time: {total:.0f} s")

    args.out.mkdir(parents=True, exist_ok=True)
    if series:
        plot_growth(series, args.out / "growth.png")
    tables = [markdown_table(rows)] if rows else []
    if legend:
        tables.append("\n".join(f"- {line}" for line in legend))
    if costs:
        tables.append(history_markdown(costs))
    if quality:
        tables.append(quality_markdown(quality))
    (args.out / "results.md").write_text("\n\n".join(tables) + "\n", encoding="utf-8")
    extra = {"machine": dict(environment), "total_seconds": total, "sizes": attrs.asdict(sizes)}
    (args.out / "results.json").write_text(
        _json(rows, series, quality, extra) + "\n", encoding="utf-8"
    )
    print(f"wrote {args.out / 'results.md'}, results.json" + (", growth.png" if series else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
