"""The paired-comparison chart: each structure's difference from a reference, per scenario."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from sim.analysis import stats as analysis
from sim.analysis.plot.output import save
from sim.analysis.plot.runs import choose, manifest, n_text, ok_runs, outcome_columns
from sim.analysis.plot.style import (
    PRESETS,
    check_preset,
    figure_style,
    outcome_unit,
    structure_label,
    structure_order,
    structure_style,
    words,
)
from sim.errors import ConfigError
from sim.model.outcomes import HEADLINE

SYMLOG_ABOVE = 30.0  # percent: a comparison axis reaching beyond this goes symlog
LINTHRESH = 10.0  # percent: linear part of a symlog comparison axis


def comparison(
    batch: Any,
    reference: str | None = None,
    out: str | Path = "figures",
    preset: str = "single",
    outcomes: Sequence[str] | None = None,
) -> list[Path]:
    """Paired differences against ``reference`` as percent of its mean: dots and 95% CIs.

    One small panel per scenario, one row per outcome, one colour per other structure; a
    filled dot's interval excludes zero. Percent of the reference mean puts outcomes of
    different units on one axis.

    Args:
        batch: A :class:`~sim.experiments.store.BatchResult`.
        reference: The reference structure (default: the experiment's first).
        out: Folder for the files.
        preset: A key of :data:`PRESETS`.
        outcomes: Summary columns (default: the experiment's outcomes).

    Returns:
        The paths written.
    """
    check_preset(preset)
    runs = ok_runs(batch)
    structures = list(dict.fromkeys(runs["structure"]))
    if len(structures) < 2:
        raise ConfigError(
            f"{batch.folder}: holds one structure ({structures[0]}); allowed: a batch of two"
            " or more"
        )
    reference = choose("reference", reference, structures, structures[0])
    available = outcome_columns(runs)
    outcomes = _wanted_outcomes(batch, available, outcomes)
    table, undefined = _percent_table(runs, reference, outcomes)
    outcomes = [o for o in outcomes if o in set(table["outcome"])]
    if not outcomes:
        raise ConfigError(
            f"{batch.folder}: no outcome has a nonzero reference mean; allowed outcomes such as "
            + ", ".join(available[:8])
        )
    fig, symlog = _draw(table, outcomes, reference, preset)
    caption = _caption(batch, table, undefined, reference, symlog)
    stem = Path(out) / f"comparison_vs_{Path(reference).stem}"
    return save(fig, stem, table.reset_index(drop=True), caption)


def _wanted_outcomes(
    batch: Any, available: list[str], outcomes: Sequence[str] | None
) -> Sequence[str]:
    """``outcomes`` checked against the batch, or the experiment's outcomes that it holds."""
    if outcomes is None:
        wanted = manifest(batch).get("spec", {}).get("outcomes") or list(HEADLINE)
        return [o for o in wanted if o in available]
    for o in outcomes:
        choose("outcomes", o, available, None)
    return outcomes


def _percent_table(
    runs: pd.DataFrame, reference: str, outcomes: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The paired differences with percent columns (the CSV), and the rows left out.

    Rows whose reference mean is zero (percent undefined) are left out of the first table.
    """
    table = analysis.paired_comparison(runs, reference, outcomes)
    scale = table["mean_reference"].abs()
    undefined = table[(scale < 1e-12) | scale.isna()]
    table = table.drop(undefined.index)
    for col, src in (("pct_difference", "mean_difference"), ("pct_ci_low", "ci_low")):
        table[col] = 100.0 * table[src] / table["mean_reference"].abs()
    table["pct_ci_high"] = 100.0 * table["ci_high"] / table["mean_reference"].abs()
    table["excludes_zero"] = (table["ci_low"] > 0) | (table["ci_high"] < 0)
    table["unit"] = [outcome_unit(o) for o in table["outcome"]]
    return table, undefined


def _x_range(table: pd.DataFrame) -> tuple[float, float, float, bool]:
    """Limits of the shared x axis, the padding of a linear one, and whether it is symlog."""
    lo = min(0.0, float(table["pct_ci_low"].min()))
    hi = max(0.0, float(table["pct_ci_high"].max()))
    symlog = max(-lo, hi) > SYMLOG_ABOVE
    if symlog:
        lo, hi = _symlog_limits(lo), _symlog_limits(hi)
    pad = 0.06 * (hi - lo or 1.0)
    return lo, hi, pad, symlog


def _draw(
    table: pd.DataFrame, outcomes: list[str], reference: str, preset: str
) -> tuple[plt.Figure, bool]:
    """The figure (one panel per scenario), and whether its x axis is symlog."""
    scenarios = list(dict.fromkeys(table["scenario"]))
    others = [s for s in structure_order(table["other"]) if s in set(table["other"])]
    width, height = PRESETS[preset]
    rows = len(outcomes)
    with figure_style(preset) as f:
        row_inches = f["small"] / 72 * 1.9
        height = max(height, 0.9 + rows * row_inches)
        fig, axes = plt.subplots(
            1,
            len(scenarios),
            figsize=(width, height),
            sharey=True,
            squeeze=False,
            layout="constrained",
        )
        y_of = {o: rows - 1 - i for i, o in enumerate(outcomes)}
        lo, hi, pad, symlog = _x_range(table)
        for ax, scenario in zip(axes[0], scenarios, strict=True):
            ax.axvline(0.0, color="0.3", lw=f["line"] * 0.7, zorder=1)
            for i in range(rows):
                if i % 2 == 0:
                    ax.axhspan(i - 0.5, i + 0.5, color="0.94", lw=0, zorder=0)
            _draw_differences(ax, table[table["scenario"] == scenario], others, y_of, f)
            ax.set_title(
                "\n".join(textwrap.wrap(words(scenario), 12 if len(scenarios) > 2 else 30)),
                fontsize=f["small"],
            )
            _set_x_axis(ax, lo, hi, pad, symlog, preset, len(scenarios))
            ax.set_ylim(-0.5, rows - 0.5)
            ax.tick_params(axis="y", length=0)
        axes[0][0].set_yticks([y_of[o] for o in outcomes], [_outcome_label(o) for o in outcomes])
        fig.supxlabel(
            f"difference vs {structure_label(reference)} (% of its mean)", fontsize=f["base"]
        )
        _legend(fig, others, reference)
    return fig, symlog


def _draw_differences(
    ax: plt.Axes,
    part_of_scenario: pd.DataFrame,
    others: list[str],
    y_of: dict[str, int],
    f: dict[str, float],
) -> None:
    """One scenario's dots and intervals, dodged per other structure; filled if excluding 0."""
    dodge = 0.6 / max(1, len(others))
    for k, other in enumerate(others):
        style = structure_style(other)
        part = part_of_scenario[part_of_scenario["other"] == other]
        y = np.array([y_of[o] for o in part["outcome"]], dtype=float)
        y += (k - (len(others) - 1) / 2) * dodge
        ax.errorbar(
            part["pct_difference"],
            y,
            xerr=[
                part["pct_difference"] - part["pct_ci_low"],
                part["pct_ci_high"] - part["pct_difference"],
            ],
            fmt="none",
            ecolor=style["color"],
            elinewidth=f["line"],
            zorder=2,
        )
        filled = part["excludes_zero"].to_numpy()
        for mask, face in ((filled, style["color"]), (~filled, "white")):
            ax.plot(
                part["pct_difference"][mask],
                y[mask],
                linestyle="none",
                marker=style["marker"],
                markerfacecolor=face,
                markeredgecolor=style["color"],
                markeredgewidth=f["line"] * 0.8,
                markersize=f["base"] * 0.5,
                zorder=3,
            )


def _set_x_axis(
    ax: plt.Axes, lo: float, hi: float, pad: float, symlog: bool, preset: str, panels: int
) -> None:
    """Scale, limits and ticks of one panel's x axis (symlog ticks at round percents)."""
    if symlog:
        ax.set_xscale("symlog", linthresh=LINTHRESH, linscale=0.6)
        ax.set_xlim(lo, hi)
        ticks = [t for t in (-100, -LINTHRESH, 0, LINTHRESH, 100) if lo <= t <= hi]
        if preset == "single" and panels > 1:
            ticks = [t for t in ticks if abs(t) != LINTHRESH]
        ax.set_xticks(ticks, [f"{t:g}".replace("-", "−") for t in ticks])
        minor = [t for t in (-50, -20, -5, 5, 20, 50) if lo <= t <= hi]
        ax.set_xticks(minor, minor=True)
    else:
        ax.set_xlim(lo - pad, hi + pad)
        ax.xaxis.set_major_locator(MaxNLocator(2 if preset == "single" else 4))


def _legend(fig: plt.Figure, others: list[str], reference: str) -> None:
    handles = [
        plt.Line2D(
            [],
            [],
            color=structure_style(o)["color"],
            marker=structure_style(o)["marker"],
            linestyle="-",
            label=f"{structure_label(o)} − {structure_label(reference)}",
        )
        for o in others
    ]
    fig.legend(handles=handles, loc="outside upper center", ncol=min(2, len(handles)))


def _caption(
    batch: Any, table: pd.DataFrame, undefined: pd.DataFrame, reference: str, symlog: bool
) -> str:
    return (
        f"Paired differences of each outcome (other structure minus {reference}), per scenario, "
        f"as percent of {reference}'s mean of that outcome, so outcomes of different units share "
        f"one axis (the CSV holds the differences in their own units too). Dot: mean difference "
        f"over {n_text(table['n_pairs'])} pairs (runs sharing scenario, design point and seed)."
        " Bars: 95% percentile bootstrap interval (2000 resamples); a filled dot's interval"
        " excludes zero, a hollow one's does not. Arrows after a name: the better direction"
        " (↑ higher, ↓ lower)."
        + (
            f" The axis is linear within ±{LINTHRESH:g}% and logarithmic beyond (symlog), so"
            " small and large effects are both visible."
            if symlog
            else " The axis is linear."
        )
        + (
            " Left out (reference mean zero, percent undefined): "
            + ", ".join(sorted(set(undefined["outcome"])))
            + "."
            if len(undefined)
            else ""
        )
        + f" Batch: {batch.folder}."
    )


def _symlog_limits(value: float) -> float:
    """A round limit just beyond ``value`` on a symlog axis."""
    if value == 0.0:
        return 0.0
    for bound in (LINTHRESH, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0):
        if abs(value) <= bound * 0.97:
            return math.copysign(bound, value)
    return math.copysign(abs(value) * 1.1, value)


def _outcome_label(outcome: str) -> str:
    arrow = {"higher": " ↑", "lower": " ↓"}.get(HEADLINE.get(outcome, ""), "")
    return words(outcome) + arrow
