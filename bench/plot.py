"""The growth plot: custmodel's time over the size of the work, log-log, one line per operation.

``python -m bench.plot RESULTS.json PLOT.png`` draws it again from a run's results.json.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.harness import Growth

__all__ = ["plot_growth"]


def plot_growth(series: Sequence[Growth], path: Path) -> None:
    """Draw every growth series with its fitted exponent and a slope-1 guide; save a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(7.5, 5), dpi=110)
    for growth in series:
        (line,) = axes.plot(
            growth.sizes,
            growth.seconds,
            marker="o",
            label=f"{growth.operation} (size: {growth.unit}): k = {growth.exponent:.2f}",
        )
        # Linear growth through the smallest point, for the eye.
        first_size, first_time = growth.sizes[0], growth.seconds[0]
        axes.plot(
            [first_size, growth.sizes[-1]],
            [first_time, first_time * growth.sizes[-1] / first_size],
            linestyle=":",
            color=line.get_color(),
            alpha=0.6,
        )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("size (bookings moved, or customers in the store)")
    axes.set_ylabel("median time, seconds")
    axes.set_title("custmodel: time ~ size^k (dotted: k = 1)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize="small")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    pyplot.close(figure)


def _from_results(path: Path) -> list[Growth]:
    results = json.loads(path.read_text(encoding="utf-8"))
    return [
        Growth(g["operation"], g["unit"], tuple(g["sizes"]), tuple(g["seconds"]))
        for g in results["growth"]
    ]


if __name__ == "__main__":
    plot_growth(_from_results(Path(sys.argv[1])), Path(sys.argv[2]))
