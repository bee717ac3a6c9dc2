"""The registered benchmarks, in the order the table lists them.

To add one, write a module here whose function takes a :class:`bench.context.Context` and
returns :class:`bench.harness.Row` objects, wrap it in a :class:`bench.context.Benchmark`, and
add that to :data:`BENCHMARKS`. One with ``opt_in`` runs only when ``--only`` names it.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from bench.context import Benchmark, Context
from bench.harness import Growth
from bench.operations import (
    duplicates,
    growth,
    linkage,
    lookup,
    merge,
    registration,
    scale,
    selection,
    statistics,
    status,
    sweep,
)

__all__ = ["BENCHMARKS"]


def _with_growth(benchmark: Benchmark, more: Callable[[Context], list[Growth]]) -> Benchmark:
    """``benchmark`` with the growth series of ``more`` after its own (if it has any)."""
    own = benchmark.growth

    def series(ctx: Context) -> list[Growth]:
        return [*(own(ctx) if own is not None else []), *more(ctx)]

    return attrs.evolve(benchmark, growth=series)


BENCHMARKS: tuple[Benchmark, ...] = (
    registration.BULK,
    registration.SINGLE,
    registration.CHECKED,
    # The growth of a lookup, a selection and statistics (bench.operations.growth).
    _with_growth(lookup.LOOKUP, growth.lookup_growth),
    _with_growth(selection.SELECTION, growth.selection_growth),
    status.STATUS,
    _with_growth(statistics.STATISTICS, growth.statistics_growth),
    merge.MERGE,
    sweep.SWEEP,
    duplicates.DUPLICATES,
    linkage.FEBRL,
    linkage.GERMAN,
    scale.SCALE,
)
