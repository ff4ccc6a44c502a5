"""The time-series chart: mean trajectory of a per-tick measure per structure, shocks marked."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

from sim.analysis.plot.output import save
from sim.analysis.plot.runs import choose, ok_runs, runs_text, t_interval
from sim.analysis.plot.style import (
    BAND_TEXT,
    PRESETS,
    check_preset,
    figure_style,
    structure_label,
    structure_order,
    structure_style,
    with_unit,
    words,
)
from sim.errors import ConfigError, ParameterError, did_you_mean
from sim.model.recorder import TICK_METRICS, fixed_range

Window = tuple[str, int, int]  # (shock kind, first tick, end tick exclusive)
SMOOTH = 20  # ticks of each run's trailing mean, about a working month


def timeseries(
    batch: Any,
    measure: str = "value_delivered",
    scenario: str | None = None,
    out: str | Path = "figures",
    preset: str = "single",
    smooth: int = SMOOTH,
) -> list[Path]:
    """Mean trajectory of a per-tick measure per structure, with its 95% band and shock windows.

    Args:
        batch: A :class:`~sim.experiments.store.BatchResult`.
        measure: A per-tick measure (a key of :data:`~sim.model.recorder.TICK_METRICS`).
        scenario: The scenario shown (default: the batch's first).
        out: Folder for the files.
        preset: A key of :data:`PRESETS`.
        smooth: Trailing rolling mean over this many ticks (default 20, about a working month),
            per run, before averaging; 1 shows the raw per-tick values.

    Returns:
        The paths written.
    """
    check_preset(preset)
    _check_measure(measure, smooth)
    runs = ok_runs(batch)
    scenarios = list(dict.fromkeys(runs["scenario"]))
    scenario = choose("scenario", scenario, scenarios, scenarios[0])
    here = runs[runs["scenario"] == scenario]
    summary = _tick_summary(batch, here, measure, scenario, smooth)
    windows = _shock_windows(batch, here)
    fig = _draw(summary, here, windows, measure, preset)
    caption = _caption(batch, here, windows, measure, scenario, smooth)
    stem = Path(out) / f"timeseries_{measure}_{Path(scenario).stem}"
    return save(fig, stem, summary, caption)


def _check_measure(measure: str, smooth: int) -> None:
    if measure not in TICK_METRICS:
        hint = did_you_mean(measure, TICK_METRICS)
        raise ParameterError(
            "measure",
            f"{measure!r} is unknown"
            + (f" ({hint})" if hint else "")
            + f"; allowed {', '.join(TICK_METRICS)}",
        )
    if smooth < 1:
        raise ParameterError("smooth", f"{smooth} is out of range; allowed 1 or more")


def _tick_summary(
    batch: Any, here: pd.DataFrame, measure: str, scenario: str, smooth: int
) -> pd.DataFrame:
    """Mean and band of ``measure`` per structure and tick over the runs ``here`` (the CSV)."""
    ticks = batch.ticks
    if measure not in ticks:
        raise ConfigError(f"{batch.folder}: ticks have no {measure!r}; allowed a recorded measure")
    ticks = ticks[ticks["run_id"].isin(here["run_id"])][["run_id", "tick", measure]]
    ticks = ticks.join(here.set_index("run_id")["structure"], on="run_id")
    summary = trajectory_band(ticks, measure, smooth)
    summary.insert(0, "scenario", scenario)
    summary.insert(1, "measure", measure)
    return summary


def trajectory_band(ticks: pd.DataFrame, measure: str, smooth: int) -> pd.DataFrame:
    """Per structure and tick, the mean of ``measure`` over runs and its 95% t-interval.

    Each run is smoothed first by a trailing ``smooth``-tick mean; the interval is clipped to the
    range the measure can take (a run-dependent ceiling is not clipped at).

    Args:
        ticks: One row per run and tick: ``run_id``, ``structure``, ``tick`` and ``measure``.
        measure: A per-tick measure.
        smooth: Ticks of the trailing mean (1: none).

    Returns:
        ``structure``, ``tick``, ``mean``, ``n``, ``ci_low`` and ``ci_high``.
    """
    ticks = ticks.sort_values(["run_id", "tick"])
    if smooth > 1:
        ticks[measure] = ticks.groupby("run_id")[measure].transform(
            lambda s: s.rolling(smooth, min_periods=1).mean()
        )
    summary = t_interval(ticks.groupby(["structure", "tick"])[measure]).reset_index()
    low, high = fixed_range(measure)
    summary[["ci_low", "ci_high"]] = summary[["ci_low", "ci_high"]].clip(low, high)
    return summary


def _draw(
    summary: pd.DataFrame,
    here: pd.DataFrame,
    windows: list[Window],
    measure: str,
    preset: str,
) -> plt.Figure:
    structures = [s for s in structure_order(summary["structure"]) if s in set(summary.structure)]
    with figure_style(preset) as f:
        fig, ax = plt.subplots(figsize=PRESETS[preset], layout="constrained")
        draw_shocks(ax, windows, f)
        counts = here.groupby("structure").size().to_dict()
        draw_lines(ax, summary, structures, counts, f)
        label_axes(ax, summary, measure)
        fig.legend(
            loc="outside upper center",
            ncol=min(len(structures), 2 if preset == "single" else 4),
            handlelength=2.6,
            columnspacing=1.2,
        )
    return fig


def label_axes(ax: plt.Axes, summary: pd.DataFrame, measure: str) -> None:
    """Axis labels with units, the ticks shown, and few tick marks on each axis."""
    ax.set_xlabel("tick (working day)")
    ax.set_ylabel(with_unit(measure, TICK_METRICS[measure][0]))
    ax.set_xlim(summary["tick"].min(), summary["tick"].max())
    ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(5))


def draw_shocks(ax: plt.Axes, windows: Sequence[Window], f: dict[str, float]) -> None:
    """A grey span (or a dashed line for one tick) per shock, named at the top of the axes."""
    names = [words(k) for k, _s, _e in windows] if len(windows) <= 2 else _window_letters(windows)
    for name, (_kind, start, end) in zip(names, windows, strict=True):
        if end - start > 1:
            ax.axvspan(start, end, color="0.85", lw=0, zorder=0)
        else:
            ax.axvline(start, color="0.55", lw=f["line"] * 0.8, ls=(0, (2, 2)), zorder=0)
        label_span(ax, start, name, f)


def label_span(ax: plt.Axes, x: float, name: str, f: dict[str, float], colour: str = "0.3") -> None:
    """Name a span of ticks that starts at ``x``, in small type at the top of the axes."""
    ax.annotate(
        name,
        xy=(x, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(2, -2),
        textcoords="offset points",
        va="top",
        ha="left",
        fontsize=f["tiny"],
        color=colour,
    )


def draw_lines(
    ax: plt.Axes,
    summary: pd.DataFrame,
    structures: Sequence[str],
    counts: dict[str, int],
    f: dict[str, float],
) -> None:
    """Per structure, its band and its mean line, labelled with its number of runs.

    Args:
        ax: The axes.
        summary: ``structure``, ``tick``, ``mean``, ``ci_low`` and ``ci_high`` per tick.
        structures: The structures to draw, in the order of their styles.
        counts: Runs per structure, for the legend.
        f: The preset's sizes (:func:`~sim.analysis.plot.style.figure_style`).
    """
    span = int(summary["tick"].max() - summary["tick"].min() + 1)
    for structure in structures:
        line = summary[summary["structure"] == structure]
        style = structure_style(structure)
        n = int(counts.get(structure, 0))
        ax.fill_between(
            line["tick"],
            line["ci_low"],
            line["ci_high"],
            color=style["color"],
            alpha=0.2,
            lw=0,
        )
        ax.plot(
            line["tick"],
            line["mean"],
            color=style["color"],
            linestyle=style["linestyle"],
            marker=style["marker"],
            markevery=(span // 16, max(1, span // 8)),
            markersize=f["base"] * 0.45,
            label=f"{structure_label(structure)} (n = {n})",
        )


def _caption(
    batch: Any,
    here: pd.DataFrame,
    windows: list[Window],
    measure: str,
    scenario: str,
    smooth: int,
) -> str:
    shocks = (
        "; ".join(
            f"{letter}: {kind} at ticks {start}-{end - 1}"
            if end - start > 1
            else f"{letter}: {kind} at tick {start}"
            for letter, (kind, start, end) in zip(_window_letters(windows), windows, strict=True)
        )
        or "none"
    )
    unit = TICK_METRICS[measure][0]
    return (
        f"{words(measure)} ({unit}) per tick under scenario '{scenario}', "
        f"mean over runs per structure (n = runs per structure, {runs_text(here)}; "
        f"structures paired by seed). Band: {BAND_TEXT} at each tick, clipped to the"
        " measure's range."
        + (f" Each run smoothed by a trailing {smooth}-tick mean first." if smooth > 1 else "")
        + f" Shaded spans and dashed lines mark shocks ({shocks})."
        + f" Batch: {batch.folder}."
    )


def _shock_windows(batch: Any, runs: pd.DataFrame) -> list[Window]:
    """Distinct ``(kind, start, end)`` of the events of ``runs``, by start."""
    events = batch.events
    if not len(events):
        return []
    events = events[events["run_id"].isin(runs["run_id"])]
    rows = {
        (str(k), int(s), int(e)) for k, s, e in events[["kind", "start", "end"]].itertuples(False)
    }
    return sorted(rows, key=lambda r: (r[1], r[2], r[0]))


def _window_letters(windows: Sequence[Any]) -> list[str]:
    return [chr(ord("a") + i) if i < 26 else str(i) for i in range(len(windows))]
