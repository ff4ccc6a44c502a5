"""The time-allocation chart: how the CIO's hours split over activities, per structure."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.analysis.calibration import PATTERNS
from sim.analysis.plot.output import save
from sim.analysis.plot.runs import choose, n_text, ok_runs, runs_text, t_interval
from sim.analysis.plot.style import (
    ACTIVITY_COLOURS,
    BAND_TEXT,
    PRESETS,
    check_preset,
    figure_style,
    structure_label,
    structure_order,
    structure_style,
)
from sim.errors import ConfigError
from sim.model.attention import ACTIVITIES, PEOPLE_WORK

SHARE_COLUMNS = [f"cio_share_{a}" for a in ACTIVITIES]
# Activities whose colour is dark enough for a white number on their bar.
_DARK = ("decisions", "coordination", "stakeholder", "incidents")


def time_allocation(
    batch: Any,
    out: str | Path = "figures",
    preset: str = "single",
    scenario: str | None = None,
) -> list[Path]:
    """The CIO's time shares by activity per structure, next to the surveyed non-technical share.

    Left: stacked bars of the mean share of the CIO's hours per activity. Right: the mean
    non-technical share with its 95% t-interval against the survey range (0.5-0.8).

    Args:
        batch: A :class:`~sim.experiments.store.BatchResult`.
        out: Folder for the files.
        preset: A key of :data:`PRESETS`.
        scenario: The scenario shown (default: the batch's first).

    Returns:
        The paths written.
    """
    check_preset(preset)
    runs = ok_runs(batch)
    scenarios = list(dict.fromkeys(runs["scenario"]))
    scenario = choose("scenario", scenario, scenarios, scenarios[0])
    here = _cio_runs(batch, runs[runs["scenario"] == scenario])
    structures = [s for s in structure_order(here["structure"]) if s in set(here["structure"])]
    shares = here.groupby("structure")[SHARE_COLUMNS].mean().reindex(structures)
    nontech = t_interval(here.groupby("structure")["cio_nontechnical_share"]).reindex(structures)
    fig = _draw(shares, nontech, structures, preset)
    data = _table(shares, nontech, scenario)
    caption = _caption(batch, here, nontech, scenario)
    stem = Path(out) / f"time_allocation_{Path(scenario).stem}"
    return save(fig, stem, data, caption)


def _cio_runs(batch: Any, here: pd.DataFrame) -> pd.DataFrame:
    """The runs of ``here`` whose CIO used time (checked to record the shares)."""
    absent = [c for c in [*SHARE_COLUMNS, "cio_nontechnical_share"] if c not in here]
    if absent:
        raise ConfigError(f"{batch.folder}: runs lack {', '.join(absent)}; allowed a newer batch")
    here = here.dropna(subset=["cio_nontechnical_share"])
    if not len(here):
        raise ConfigError(f"{batch.folder}: no run has a CIO with time used; allowed a CIO batch")
    return here


def _draw(
    shares: pd.DataFrame, nontech: pd.DataFrame, structures: list[str], preset: str
) -> plt.Figure:
    with figure_style(preset) as f:
        fig, (ax, side) = plt.subplots(
            1,
            2,
            figsize=PRESETS[preset],
            sharey=True,
            width_ratios=(2.2, 1.0),
            layout="constrained",
        )
        fig.get_layout_engine().set(wspace=0.06)
        pos = np.arange(len(structures))[::-1]
        _draw_stacks(ax, shares, pos, f)
        ax.set_xlim(0, 1)
        ax.set_yticks(pos, [structure_label(s) for s in structures])
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("share of CIO hours (%)")
        ax.xaxis.set_major_locator(plt.FixedLocator([0, 0.25, 0.5, 0.75, 1.0]))
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v * 100:.0f}"))
        _draw_nontechnical(side, nontech, structures, pos, f)
        fig.legend(
            loc="outside lower center",
            ncol=4 if preset != "slides" else 8,
            handlelength=1.0,
            columnspacing=0.8,
            handletextpad=0.4,
            fontsize=f["tiny"] if preset == "single" else f["small"],
        )
    return fig


def _draw_stacks(ax: plt.Axes, shares: pd.DataFrame, pos: np.ndarray, f: dict[str, float]) -> None:
    """One stacked bar per structure, a segment per activity, numbered where wide enough."""
    left = np.zeros(len(pos))
    for activity, col in zip(ACTIVITIES, SHARE_COLUMNS, strict=True):
        values = shares[col].to_numpy(dtype=float)
        ax.barh(
            pos,
            values,
            left=left,
            height=0.6,
            color=ACTIVITY_COLOURS[activity],
            edgecolor="white",
            linewidth=f["line"] * 0.5,
            label=activity + (" *" if activity in PEOPLE_WORK else ""),
        )
        for p, v, start in zip(pos, values, left, strict=True):
            if v >= 0.09:
                ax.text(
                    start + v / 2,
                    p,
                    f"{v:.0%}".replace("%", ""),
                    ha="center",
                    va="center",
                    fontsize=f["tiny"],
                    color="white" if activity in _DARK else "black",
                )
        left += np.nan_to_num(values)


def _draw_nontechnical(
    side: plt.Axes,
    nontech: pd.DataFrame,
    structures: list[str],
    pos: np.ndarray,
    f: dict[str, float],
) -> None:
    """Per structure, the mean non-technical share and its interval, over the survey band."""
    low, high, _pattern, _source = PATTERNS["cio_nontechnical_share"]
    side.axvspan(low, high, color="0.85", lw=0, zorder=0)
    side.annotate(
        f"survey\n{low * 100:.0f}-{high * 100:.0f}%",
        xy=((low + high) / 2, 1.0),
        xycoords=("data", "axes fraction"),
        ha="center",
        va="bottom",
        fontsize=f["tiny"],
        color="0.3",
        annotation_clip=False,
    )
    for p, structure in zip(pos, structures, strict=True):
        row = nontech.loc[structure]
        style = structure_style(structure)
        err = (
            [[row["mean"] - row["ci_low"]], [row["ci_high"] - row["mean"]]]
            if math.isfinite(row["ci_low"])
            else None
        )
        side.errorbar(
            [row["mean"]],
            [p],
            xerr=err,
            fmt=style["marker"],
            color=style["color"],
            markeredgecolor="black" if style["color"] == "#F0E442" else style["color"],
            elinewidth=f["line"],
            markersize=f["base"] * 0.6,
            capsize=0,
            clip_on=False,
            zorder=3,
        )
    side.set_xlim(0, 1)
    side.xaxis.set_major_locator(plt.FixedLocator([0.25, 0.5, 0.75, 1.0]))
    side.xaxis.set_major_formatter(
        plt.FuncFormatter(lambda v, _: f"{v * 100:.0f}" if v in (0.5, 1.0) else "")
    )
    side.set_xlabel("non-technical\nshare (%)")
    side.tick_params(axis="y", length=0)


def _table(shares: pd.DataFrame, nontech: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """The numbers plotted (the CSV): shares, non-technical share and the survey range."""
    low, high, _pattern, _source = PATTERNS["cio_nontechnical_share"]
    data = shares.copy()
    data.columns = [c.removeprefix("cio_share_") for c in SHARE_COLUMNS]
    data = data.add_prefix("share_")
    data["nontechnical_mean"] = nontech["mean"]
    data["nontechnical_ci_low"] = nontech["ci_low"]
    data["nontechnical_ci_high"] = nontech["ci_high"]
    data["n"] = nontech["n"]
    data["survey_low"] = low
    data["survey_high"] = high
    data = data.reset_index().rename(columns={"index": "structure"})
    data.insert(0, "scenario", scenario)
    return data


def _caption(batch: Any, here: pd.DataFrame, nontech: pd.DataFrame, scenario: str) -> str:
    low, high, _pattern, source = PATTERNS["cio_nontechnical_share"]
    return (
        f"How the CIO's hours split over activities under scenario '{scenario}' (left: mean"
        f" share per activity over runs, {n_text(nontech['n'])} runs per structure,"
        f" {runs_text(here)}; numbers are percent; * marks people work), and the CIO's"
        f" non-technical share (right: dot = mean, bar = {BAND_TEXT}). Non-technical time is all"
        " but incidents, planning and technical decisions, so it is not one stack of the bars."
        f" Grey band: the surveyed range {low}-{high} ({source})."
        f" Batch: {batch.folder}."
    )
