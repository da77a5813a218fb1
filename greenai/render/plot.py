"""The expected-best curve of `greenai curve` drawn: as text for the terminal, or as a PNG, SVG
or PDF figure with matplotlib (the optional extra greenai[plot], imported only here)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from greenai.render import escape
from greenai.render.numbers import number, score

if TYPE_CHECKING:
    from greenai.curve import Curve


def chart(curve: Curve, columns: int = 60, lines: int = 12) -> list[str]:
    """A text plot of the expected best score against n (and the cost of n trials)."""
    points = curve.points
    low = min(p.expected_max for p in points)
    high = max(p.expected_max for p in points)
    last = points[-1].n
    grid = [[" "] * columns for _ in range(lines)]
    for p in points:
        x = 0 if last == 1 else round((p.n - 1) / (last - 1) * (columns - 1))
        y = 0 if high == low else round((p.expected_max - low) / (high - low) * (lines - 1))
        grid[lines - 1 - y][x] = "•"
    labels = [score(high), score(low)]
    pad = max(len(label) for label in labels)
    out = []
    for index, row in enumerate(grid):
        label = labels[0] if index == 0 else labels[1] if index == lines - 1 else ""
        edge = "┤" if label else "│"
        out.append(f"{label:>{pad}} {edge}{''.join(row).rstrip()}")
    out.append(" " * pad + " └" + "─" * columns)
    axis = f"1{'trials (n)':^{columns - len(str(last)) - 1}}{last}"
    out.append(" " * (pad + 2) + axis)
    if points[-1].cost is not None and curve.cost_label:
        first, end = number(points[0].cost), number(points[-1].cost)
        label = escape.terminal(curve.cost_label)
        middle = columns - len(first) - len(end)
        out.append(" " * (pad + 2) + f"{first}{label:^{middle}}{end}")
    return out


def figure(curve: Curve, kind: str) -> bytes:
    """The curve as a PNG, SVG or PDF figure: against n, and against cost when there is one."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    metric = curve.metric.replace("$", r"\$")  # names from the file: no mathtext in them
    label = (curve.cost_label or "").replace("$", r"\$")
    n = [p.n for p in curve.points]
    mean = [p.expected_max for p in curve.points]
    # shade +- one standard deviation, not past the observed range (as Dodge et al. plot it)
    floor, ceiling = (curve.best, max(mean)) if curve.minimize else (min(mean), curve.best)
    low = [max(p.expected_max - p.std, floor) for p in curve.points]
    high = [min(p.expected_max + p.std, ceiling) for p in curve.points]
    costed = curve.points[-1].cost is not None
    drawing, axes = plt.subplots(1, 2 if costed else 1, figsize=(10 if costed else 5.5, 4))
    panels = list(axes) if costed else [axes]
    xs = [(n, "hyperparameter trials (n)")]
    if costed:
        xs.append(([p.cost for p in curve.points], f"cost of n trials ({label})"))
    name = "min" if curve.minimize else "max"
    for panel, (x, label) in zip(panels, xs, strict=True):
        panel.plot(x, mean, color="#1b7837")
        panel.fill_between(x, low, high, color="#1b7837", alpha=0.2, linewidth=0)
        panel.set_xscale("log")
        panel.set_xlabel(label)
        panel.set_ylabel(f"expected {name} {metric}")
        panel.grid(True, alpha=0.3)
    drawing.suptitle(f"Expected {name} {metric} (Dodge et al. 2019), {curve.trials} trials")
    drawing.tight_layout()
    buffer = io.BytesIO()
    drawing.savefig(buffer, format=kind, metadata={"Date": None} if kind == "svg" else None)
    plt.close(drawing)
    return buffer.getvalue()
