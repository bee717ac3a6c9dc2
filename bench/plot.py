"""The growth plot: custmodel's time over the size of the work, log-log, one line per series.

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
    """Draw every growth series with its fitted exponent and a slope-1 guide; save a PNG.

    Series of whole operations share the left panel (seconds); series timed per operation
    (``Growth.per``, a lookup's microseconds) get a panel of their own on the right, with a
    flat guide, since their promise is to stay flat.
    """
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    from matplotlib import pyplot, ticker

    whole = [growth for growth in series if not growth.per]
    each = [growth for growth in series if growth.per]
    panels = [panel for panel in (whole, each) if panel]
    figure, axes_list = pyplot.subplots(
        1,
        len(panels),
        figsize=(7.5 + 5 * (len(panels) - 1), 5.5),
        dpi=110,
        squeeze=False,
        width_ratios=[3, 2][: len(panels)] if len(panels) > 1 else None,
    )
    for axes, panel in zip(axes_list[0], panels, strict=True):
        per_operation = panel is each
        scale = 1e6 if per_operation else 1.0
        for growth in panel:
            seconds = [value * scale for value in growth.seconds]
            (line,) = axes.plot(
                growth.sizes,
                seconds,
                marker="o",
                label=f"{growth.operation}\n(size: {growth.unit}): k = {growth.exponent:.2f}",
            )
            # Through the smallest point: linear growth, or for a per-operation cost no growth.
            first_size, first_time = growth.sizes[0], seconds[0]
            last = first_time if per_operation else first_time * growth.sizes[-1] / first_size
            axes.plot(
                [first_size, growth.sizes[-1]],
                [first_time, last],
                linestyle=":",
                color=line.get_color(),
                alpha=0.6,
            )
        axes.set_xscale("log")
        axes.set_yscale("log")
        if per_operation:
            # Two decades at least, so that a flat line looks flat and noise looks small.
            low = min(min(g.seconds) for g in panel) * scale
            high = max(max(g.seconds) for g in panel) * scale
            axes.set_ylim(min(low, high / 100) / 3, high * 3)
            axes.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize="x-small")
        if per_operation:
            axes.set_xlabel("customers in the store")
            axes.set_ylabel(f"median time per {panel[0].per}, µs")
            axes.set_title("per operation (dotted: k = 0)", fontsize="medium")
        else:
            axes.set_xlabel("size (rows read or moved, or customers in the store)")
            axes.set_ylabel("median time, seconds")
            axes.set_title("whole operation (dotted: k = 1)", fontsize="medium")
    figure.suptitle("custmodel: time ~ size^k")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    pyplot.close(figure)


def _from_results(path: Path) -> list[Growth]:
    results = json.loads(path.read_text(encoding="utf-8"))
    return [
        Growth(
            g["operation"],
            g["unit"],
            tuple(g["sizes"]),
            tuple(g["seconds"]),
            g.get("max_exponent"),
            g.get("per", ""),
        )
        for g in results["growth"]
    ]


if __name__ == "__main__":
    plot_growth(_from_results(Path(sys.argv[1])), Path(sys.argv[2]))
