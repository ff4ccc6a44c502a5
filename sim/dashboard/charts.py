"""The dashboard's charts, drawn by hand as inline SVG.

Drawn by hand rather than with matplotlib: a PNG per chart per update was too slow for the charts
to follow the model; a chart is a few kilobytes of text. Nothing here needs Solara.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np

from sim.dashboard.session import ChartSpec, RunView, chart_values

WIDTH, HEIGHT = 440, 210  # the whole chart, in pixels
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 26, 30  # margins around the plot area
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
COLOURS = ("#0072B2", "#D55E00")  # Okabe-Ito blue and vermillion
MAX_POINTS = 400  # points drawn per line, at most about


@dataclass(frozen=True, slots=True)
class _Scale:
    """Data to pixels: ticks ``0..steps`` across, ``low..high`` up."""

    low: float
    high: float
    steps: int

    def x(self, x: float) -> float:
        """The pixel column of tick ``x``."""
        return LEFT + PLOT_W * x / self.steps

    def y(self, y: float) -> float:
        """The pixel row of value ``y``."""
        return TOP + PLOT_H * (1.0 - (y - self.low) / (self.high - self.low))


def _polylines(xs: np.ndarray, ys: np.ndarray) -> list[list[tuple[float, float]]]:
    """Runs of finite points (a NaN breaks the line)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in zip(xs, ys, strict=True):
        if math.isfinite(y):
            runs[-1].append((float(x), float(y)))
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r]


def _scale(values: dict[str, np.ndarray], steps: int) -> _Scale:
    """The range of every finite value, padded by 5% (a flat line gets one unit either side)."""
    finite = [v[np.isfinite(v)] for v in values.values()]
    finite = [v for v in finite if len(v)]
    low = min(float(v.min()) for v in finite) if finite else 0.0
    high = max(float(v.max()) for v in finite) if finite else 1.0
    if high - low < 1e-12:
        low, high = low - 1.0, high + 1.0
    pad = 0.05 * (high - low)
    return _Scale(low - pad, high + pad, max(steps, 1))


def _frame(title: str, scale: _Scale) -> list[str]:
    """The SVG's opening, the title, the plot's border, and both axes with their labels."""
    parts = [
        f'<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" '
        f'font-size="10">',
        f'<text x="{LEFT}" y="14" font-size="12" font-weight="bold">{html.escape(title)}</text>',
        f'<rect x="{LEFT}" y="{TOP}" width="{PLOT_W}" height="{PLOT_H}" fill="none" '
        'stroke="#bbb"/>',
    ]
    low, high = scale.low, scale.high
    for k in range(5):
        y = low + (high - low) * k / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{scale.y(y):.1f}" y2="{scale.y(y):.1f}" '
            f'stroke="#eee"/><text x="{LEFT - 4}" y="{scale.y(y) + 3:.1f}" text-anchor="end">'
            f"{y:.3g}</text>"
        )
    for x in (0, scale.steps // 2, scale.steps):
        parts.append(
            f'<text x="{scale.x(x):.1f}" y="{HEIGHT - BOTTOM + 13}" text-anchor="middle">{x}</text>'
        )
    parts.append(
        f'<text x="{LEFT + PLOT_W / 2:.1f}" y="{HEIGHT - 4}" text-anchor="middle">tick</text>'
    )
    return parts


def _lines(values: dict[str, np.ndarray], scale: _Scale) -> tuple[list[str], int]:
    """Each structure's line (thinned to about MAX_POINTS points) and name; and points drawn."""
    parts = []
    points = 0
    for i, (colour, (name, ys)) in enumerate(zip(COLOURS, values.items(), strict=False)):
        xs = np.arange(len(ys))
        stride = max(1, len(ys) // MAX_POINTS)
        for run in _polylines(xs[::stride], ys[::stride]):
            points += len(run)
            coords = " ".join(f"{scale.x(x):.1f},{scale.y(y):.1f}" for x, y in run)
            parts.append(
                f'<polyline class="series-{i}" fill="none" stroke="{colour}" '
                f'stroke-width="1.5" points="{coords}"/>'
            )
        parts.append(
            f'<text x="{WIDTH - RIGHT - 4}" y="{TOP + 12 + 12 * i}" text-anchor="end" '
            f'fill="{colour}">{html.escape(name)}</text>'
        )
    return parts, points


def chart_svg(view: RunView, chart: ChartSpec) -> str:
    """One chart as inline SVG: both structures' lines over the ticks run so far.

    Args:
        view: The run's view; its series are drawn.
        chart: One of :data:`sim.dashboard.session.CHARTS`.

    Returns:
        The ``<svg>`` element; its ``data-points`` attribute counts the points drawn.
    """
    values = chart_values(view, chart)
    scale = _scale(values, view.steps)
    lines, points = _lines(values, scale)
    svg = "".join([*_frame(chart[1], scale), *lines, "</svg>"])
    return svg.replace("<svg ", f'<svg data-points="{points}" ', 1)
