"""Random choices for the demo's data set, built on :meth:`random.Random.random` alone.

That is the one method whose sequence Python promises to keep across versions, so the same
seed gives the same data set on every supported Python.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

_T = TypeVar("_T")
_W = TypeVar("_W")


class _Draw:
    """Random choices built on :meth:`random.Random.random` alone (stable across Pythons)."""

    def __init__(self, seed: int) -> None:
        # Demo data, not secrets: a seeded, reproducible generator is the point.
        self._rng = random.Random(seed)  # noqa: S311

    def unit(self) -> float:
        return self._rng.random()

    def chance(self, probability: float) -> bool:
        return self._rng.random() < probability

    def below(self, n: int) -> int:
        return min(int(self._rng.random() * n), n - 1)

    def between(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``, both included."""
        return low + self.below(high - low + 1)

    def pick(self, items: Sequence[_T]) -> _T:
        return items[self.below(len(items))]

    def shuffle(self, items: list[_T]) -> None:
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


class _Weighted(Generic[_W]):
    """Items with weights, drawn in proportion to them."""

    def __init__(self, pairs: Iterable[tuple[_W, float]]) -> None:
        self.items: list[_W] = []
        self.cumulative: list[float] = []
        total = 0.0
        for item, weight in pairs:
            total += weight
            self.items.append(item)
            self.cumulative.append(total)
        self.total = total

    def pick(self, draw: _Draw) -> _W:
        index = bisect.bisect_right(self.cumulative, draw.unit() * self.total)
        return self.items[min(index, len(self.items) - 1)]
