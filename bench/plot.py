"""The growth plot: custmodel's time over the size of the work, log-log, one line per operation."""

from __future__ import annotations

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
            label=f"{growth.operation} (per {growth.unit}): k = {growth.exponent:.2f}",
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
