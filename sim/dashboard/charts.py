"""The dashboard's charts, drawn by the paper figures' own code (matplotlib, the project style).

Each chart is :mod:`sim.analysis.plot.timeseries_chart`'s figure for one measure: per structure
the mean over the seeds finished so far with its 95% band, the same labels, units, Okabe-Ito
colours and line styles as the paper, shocks shaded, and the warm-up (left out of every summary)
hatched. The page shows it as a PNG. Nothing here needs Solara.
"""

from __future__ import annotations

import base64
import html
import io

import matplotlib.pyplot as plt

from sim.analysis.plot.style import (
    PRESETS,
    figure_style,
    structure_order,
    words,
)
from sim.analysis.plot.timeseries_chart import draw_lines, draw_shocks, label_axes, label_span
from sim.dashboard.session import SMOOTH, RunView, chart_frame

DPI = 130  # one-column print size (3.5 x 2.6 in) at about 455 x 340 pixels on screen
WARMUP_HATCH = "////"


def chart_title(measure: str) -> str:
    """A chart's title: the measure in words, and how each run is smoothed."""
    name = words(measure)
    return f"{name[:1].upper()}{name[1:]} ({SMOOTH}-tick mean)"


def _draw_warmup(ax: plt.Axes, warmup: int, f: dict[str, float]) -> None:
    """The warm-up, hatched and named: the ticks every summary leaves out."""
    if warmup <= 0:
        return
    ax.axvspan(0, warmup, facecolor="none", edgecolor="0.85", hatch=WARMUP_HATCH, lw=0, zorder=0)
    label_span(ax, 0, "warm-up", f, colour="0.35")


def chart_figure(view: RunView, measure: str) -> plt.Figure | None:
    """The chart of ``measure`` for ``view`` (None before the first points).

    Args:
        view: A run's view.
        measure: A per-tick measure of :data:`sim.dashboard.session.CHART_MEASURES`.

    Returns:
        A figure at the one-column print size; the caller closes it.
    """
    summary = chart_frame(view, measure)
    if summary.empty:
        return None
    names = list(dict.fromkeys(summary["structure"]))
    structures = [s for s in structure_order(names) if s in names]
    counts = summary.groupby("structure")["n"].max().astype(int).to_dict()
    with figure_style("single") as f:
        fig, ax = plt.subplots(figsize=PRESETS["single"], layout="constrained")
        _draw_warmup(ax, view.warmup, f)
        draw_shocks(ax, view.windows, f)
        draw_lines(ax, summary, structures, counts, f)
        label_axes(ax, summary, measure)
        ax.set_xlim(0, max(view.steps, 1))  # the whole run, so the lines grow into it
        ax.set_title(chart_title(measure), loc="left")
        fig.legend(loc="outside lower center", ncol=2, handlelength=2.6, columnspacing=1.2)
    return fig


def chart_png(view: RunView, measure: str) -> bytes:
    """The chart as PNG bytes (empty before the first points)."""
    fig = chart_figure(view, measure)
    if fig is None:
        return b""
    try:
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=DPI)
        return out.getvalue()
    finally:
        plt.close(fig)


def chart_html(view: RunView, css: str, measure: str) -> str:
    """The chart as an ``<img>`` with its alternative text, and the ticks and seeds it shows."""
    png = chart_png(view, measure)
    seeds = view.replications_done or (1 if view.live else 0)
    state = f'data-ticks="{view.tick}" data-seeds="{seeds}" data-measure="{measure}"'
    if not png:
        return f'<div class="chart-empty {css}" {state}>{html.escape(chart_title(measure))}</div>'
    data = base64.b64encode(png).decode("ascii")
    alt = html.escape(f"{chart_title(measure)} per structure over ticks")
    return (
        f'<img class="chart-img" {state} alt="{alt}" src="data:image/png;base64,{data}" '
        'style="width:100%;max-width:560px;height:auto"/>'
    )
