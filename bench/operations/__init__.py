"""The registered benchmarks, in the order the table lists them.

To add one, write a module here whose function takes a :class:`bench.context.Context` and
returns :class:`bench.harness.Row` objects, wrap it in a :class:`bench.context.Benchmark`, and
add that to :data:`BENCHMARKS`. One with ``opt_in`` runs only when ``--only`` names it.
"""

from __future__ import annotations

from bench.context import Benchmark
from bench.operations import (
    duplicates,
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

BENCHMARKS: tuple[Benchmark, ...] = (
    registration.BULK,
    registration.SINGLE,
    registration.CHECKED,
    lookup.LOOKUP,
    selection.SELECTION,
    status.STATUS,
    statistics.STATISTICS,
    merge.MERGE,
    sweep.SWEEP,
    duplicates.DUPLICATES,
    linkage.FEBRL,
    linkage.GERMAN,
    scale.SCALE,
)
