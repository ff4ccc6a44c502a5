"""The paired-comparison chart: each structure's difference from a reference, per scenario.

Differences are percent of the reference's mean, so outcomes of different units share one axis.
An outcome whose paired values are all non-negative is drawn as the ratio of the two means
(:func:`sim.analysis.verdict.ratio_interval`): its interval is built on the log scale and so can
never reach below -100%, which a difference of a share or a count cannot. An outcome that can be
negative keeps the mean difference over the reference's absolute mean. A dot is filled only when
the verdict rule (:mod:`sim.analysis.verdict`) names a structure as doing better.
"""

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
from sim.analysis import verdict
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
LABEL_WRAP = 16  # characters per line of an outcome name in a one-column figure of panels
#: Labelled ticks of a symlog axis, and the order they are kept in when not all fit.
TICK_PRIORITY = (0.0, -100.0, 100.0, 1000.0, -1000.0, -LINTHRESH, LINTHRESH)
SYMLOG_TICKS = tuple(sorted(TICK_PRIORITY))
#: ``pct_scale`` of a row drawn as the ratio of means (interval on the log scale).
RATIO_SCALE = "ratio"
#: ``pct_scale`` of a row drawn as the mean difference over the reference's absolute mean.
DIFFERENCE_SCALE = "difference"
#: ``pct_scale`` of a non-negative row whose other mean is zero: no ratio interval exists, so
#: the difference interval is cut at -100%, which only drops values the outcome cannot take.
CUT_SCALE = "difference, cut at -100%"


def comparison(
    batch: Any,
    reference: str | None = None,
    out: str | Path = "figures",
    preset: str = "single",
    outcomes: Sequence[str] | None = None,
) -> list[Path]:
    """Paired differences against ``reference`` as percent of its mean: dots and 95% CIs.

    One small panel per scenario, one row per outcome, one colour per other structure. Percent
    of the reference mean puts outcomes of different units on one axis; a non-negative outcome
    is drawn as the ratio of means, so its interval stays above -100%. A dot is filled when the
    verdict rule favours a structure (``favours`` is not empty), hollow otherwise.

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
    swept = analysis.design_cells(runs)
    if swept:
        # One dot per outcome would pool over levers that may flip the answer.
        raise ConfigError(
            f"{batch.folder}: sweeps {', '.join(c.removeprefix('param.') for c in swept)}, so"
            " each design point has its own comparison; allowed: a batch of one design point"
            " for --kind comparison, or --kind crossover for a sweep"
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
    fig, symlog = _draw(table, undefined, outcomes, reference, preset)
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

    ``pct_difference``, ``pct_ci_low`` and ``pct_ci_high`` come from the ratio of means,
    ``100 (ratio - 1)``, where the row's paired values are all non-negative (``ratio`` is not
    NaN), and from the mean difference over the reference's absolute mean otherwise;
    ``pct_scale`` says which (:data:`RATIO_SCALE`, :data:`DIFFERENCE_SCALE` or
    :data:`CUT_SCALE`). ``filled_dot`` is True where the verdict rule favours a structure.
    Rows whose reference mean is zero (percent undefined) are left out of the first table.
    """
    table = analysis.paired_comparison(runs, reference, outcomes)
    scale = table["mean_reference"].abs()
    undefined = table[(scale < 1e-12) | scale.isna()]
    table = table.drop(undefined.index)
    scale = scale.drop(undefined.index)
    by_ratio = table["ratio"].notna()
    # The ratio interval needs a positive mean on both sides; an outcome that is never negative
    # with an other mean of exactly zero has none, but its difference still cannot pass -100%.
    never_negative = pd.Series(
        [bool((runs[o].dropna() >= 0).all()) for o in table["outcome"]], index=table.index
    )
    cut = ~by_ratio & never_negative & (table["mean_other"] == 0.0)
    table["pct_scale"] = np.where(by_ratio, RATIO_SCALE, np.where(cut, CUT_SCALE, DIFFERENCE_SCALE))
    for col, ratio_col, diff_col in (
        ("pct_difference", "ratio", "mean_difference"),
        ("pct_ci_low", "ratio_low", "ci_low"),
        ("pct_ci_high", "ratio_high", "ci_high"),
    ):
        from_ratio = 100.0 * (table[ratio_col] - 1.0)
        from_difference = 100.0 * table[diff_col] / scale
        table[col] = from_ratio.where(by_ratio, from_difference)
    table.loc[cut, ["pct_difference", "pct_ci_low", "pct_ci_high"]] = table.loc[
        cut, ["pct_difference", "pct_ci_low", "pct_ci_high"]
    ].clip(lower=-100.0)
    table["filled_dot"] = table["favours"].fillna("").astype(str) != ""
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
    table: pd.DataFrame,
    undefined: pd.DataFrame,
    outcomes: list[str],
    reference: str,
    preset: str,
) -> tuple[plt.Figure, bool]:
    """The figure (one panel per scenario), and whether its x axis is symlog.

    A row left out of a panel because its reference mean is zero says ``n/a``, so an empty row
    is not read as a missing run.
    """
    scenarios = list(dict.fromkeys(table["scenario"]))
    others = [s for s in structure_order(table["other"]) if s in set(table["other"])]
    width, height = PRESETS[preset]
    rows = len(outcomes)
    # In one journal column, several panels leave each too narrow for its tick labels unless
    # the outcome names take two lines.
    wrap = LABEL_WRAP if preset == "single" and len(scenarios) > 1 else None
    labels = [_outcome_label(o, wrap) for o in outcomes]
    lines = max(label.count("\n") + 1 for label in labels)
    with figure_style(preset) as f:
        row_inches = f["small"] / 72 * (1.9 if lines == 1 else 2.3)
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
            here = table[table["scenario"] == scenario]
            _draw_differences(ax, here, others, y_of, f)
            gone = set(undefined.loc[undefined["scenario"] == scenario, "outcome"])
            for outcome in sorted((gone & set(y_of)) - set(here["outcome"])):
                ax.text(
                    0.5,
                    y_of[outcome],
                    "n/a",
                    transform=ax.get_yaxis_transform(),
                    ha="center",
                    va="center",
                    color="0.35",
                    fontsize=f["tiny"],
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
                    zorder=4,
                )
            ax.set_title(
                "\n".join(textwrap.wrap(words(scenario), 12 if len(scenarios) > 2 else 30)),
                fontsize=f["small"],
            )
            _set_x_axis(ax, lo, hi, pad, symlog, preset)
            ax.set_ylim(-0.5, rows - 0.5)
            ax.tick_params(axis="y", length=0)
        axes[0][0].set_yticks([y_of[o] for o in outcomes], labels, linespacing=0.95)
        fig.supxlabel(
            f"difference vs {structure_label(reference)} (% of its mean)", fontsize=f["base"]
        )
        _legend(fig, others, reference, _legend_note(table), preset)
        if symlog:
            _thin_ticks(fig, axes[0], f["small"] * 0.35)
    return fig, symlog


def _draw_differences(
    ax: plt.Axes,
    part_of_scenario: pd.DataFrame,
    others: list[str],
    y_of: dict[str, int],
    f: dict[str, float],
) -> None:
    """One scenario's dots and intervals, dodged per other structure; filled if the rule favours."""
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
        filled = part["filled_dot"].to_numpy(dtype=bool)
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


def _set_x_axis(ax: plt.Axes, lo: float, hi: float, pad: float, symlog: bool, preset: str) -> None:
    """Scale, limits and ticks of one panel's x axis (symlog ticks at round percents)."""
    if symlog:
        ax.set_xscale("symlog", linthresh=LINTHRESH, linscale=0.6)
        ax.set_xlim(lo, hi)
        ticks = [t for t in SYMLOG_TICKS if lo <= t <= hi]
        ax.set_xticks(ticks, [_percent(t) for t in ticks])
        minor = [t for t in (-50, -20, -5, 5, 20, 50, 200, 500) if lo <= t <= hi]
        ax.set_xticks(minor, minor=True)
    else:
        ax.set_xlim(lo - pad, hi + pad)
        ax.xaxis.set_major_locator(MaxNLocator(2 if preset == "single" else 4))


def _thin_ticks(fig: plt.Figure, axes: Sequence[plt.Axes], gap_points: float) -> None:
    """Keep the symlog tick labels that fit side by side at print size, most telling first.

    Narrow panels (a journal column split by scenario) cannot hold every round percent; labels
    that would overlap become unlabelled minor ticks. The panels share their limits and width,
    so the first panel decides for all.
    """
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    first = axes[0]
    gap = renderer.points_to_pixels(gap_points)
    labels = dict(zip(first.get_xticks(), first.get_xticklabels(), strict=True))
    kept: list[float] = []
    spans: list[tuple[float, float]] = []
    for tick in sorted(labels, key=lambda t: TICK_PRIORITY.index(t)):
        box = labels[tick].get_window_extent(renderer)
        span = (box.x0 - gap / 2, box.x1 + gap / 2)
        if all(span[1] <= a or span[0] >= b for a, b in spans):
            kept.append(tick)
            spans.append(span)
    kept.sort()
    dropped = [t for t in labels if t not in kept]
    for ax in axes:
        minor = list(ax.get_xticks(minor=True))
        ax.set_xticks(kept, [_percent(t) for t in kept])
        ax.set_xticks(sorted(minor + dropped), minor=True)


def _percent(tick: float) -> str:
    """A tick label: the number with a true minus sign (the axis label gives the %)."""
    return f"{tick:g}".replace("-", "−")


def _legend(fig: plt.Figure, others: list[str], reference: str, note: str, preset: str) -> None:
    """Structures above the panels, titled by what a filled dot means here."""
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
    # Two entries side by side overflow one journal column; stack them there.
    ncol = 1 if preset == "single" else min(2, len(handles))
    fig.legend(
        handles=handles,
        loc="outside upper center",
        ncol=ncol,
        title=note,
        title_fontsize=plt.rcParams["legend.fontsize"],
    )


def _legend_note(table: pd.DataFrame) -> str:
    """One line on the figure itself, so a reproduced chart still says what filled means."""
    most = int(table["n_pairs"].max())
    if most < verdict.MIN_PAIRS:
        return f"{most} pairs (< {verdict.MIN_PAIRS}): indicative, no verdicts"
    return f"filled: the verdict rule favours a structure ({n_text(table['n_pairs'])} pairs)"


def _caption(
    batch: Any, table: pd.DataFrame, undefined: pd.DataFrame, reference: str, symlog: bool
) -> str:
    """What the chart shows, its pairs, which interval each row has and what a filled dot means."""
    pairs = n_text(table["n_pairs"])
    scenarios = list(dict.fromkeys(table["scenario"]))
    return (
        f"Paired differences of each outcome (other structure minus {reference}), per scenario, "
        f"as percent of {reference}'s mean of that outcome, so outcomes of different units share "
        "one axis (the CSV holds the differences in their own units too, and pct_scale says how "
        f"each row was drawn). Each dot rests on {pairs} pairs (runs sharing scenario, design "
        "point and seed): the difference of the two means as percent of the reference's"
        " absolute mean."
        + _scale_text(table, scenarios)
        + " A filled dot means the verdict rule names a structure as doing better on that"
        f" outcome: >= {verdict.MIN_PAIRS} pairs, Holm-adjusted paired t-test at"
        f" {verdict.ALPHA:.0%} (over the outcomes of one scenario and structure) and interval of"
        " the mean difference excluding zero; a hollow dot means no verdict."
        + _rule_text(table)
        + " Arrows after a name: the better direction (↑ higher, ↓ lower)."
        + (
            f" The axis is linear within ±{LINTHRESH:g}% and logarithmic beyond (symlog), so"
            " small and large effects are both visible."
            if symlog
            else " The axis is linear."
        )
        + (
            " n/a, left out (reference mean zero, percent undefined): "
            + _where(undefined, scenarios)
            + "."
            if len(undefined)
            else ""
        )
        + f" Batch: {batch.folder}."
    )


def _scale_text(table: pd.DataFrame, scenarios: list[str]) -> str:
    """Which interval the bars show, per scale present in ``table``."""
    text = ""
    scale = table["pct_scale"]
    if (scale == RATIO_SCALE).any():
        which = (
            " (every outcome here is never negative)"
            if (scale == RATIO_SCALE).all()
            else " of the outcomes that are never negative"
        )
        text += (
            f" Bars{which}: the 95% t-interval of the log of the ratio of the two means (paired"
            " delta method) taken back to percent, so a bar cannot pass -100%."
        )
    methods = {
        "t": "t-interval",
        "bca": f"BCa bootstrap interval ({verdict.N_RESAMPLES} seeded resamples)",
    }
    for kind, what, tail in (
        (DIFFERENCE_SCALE, "that can be negative", ""),
        (CUT_SCALE, "never negative but with an other mean of zero (no ratio)", ", cut at -100%"),
    ):
        rows = table[scale == kind]
        if not len(rows):
            continue
        named = [methods[m] for m in dict.fromkeys(rows["ci_method"]) if m in methods]
        text += (
            f" Bars of outcomes {what} [{_where(rows, scenarios)}]: the 95% "
            + " or ".join(named or ["interval"])
            + f" of the mean difference over the absolute reference mean{tail}."
        )
    return text


def _rule_text(table: pd.DataFrame) -> str:
    """What the pairs allow: a warning when they are too few for the rule, and disagreements."""
    few = table["n_pairs"] < verdict.MIN_PAIRS
    if few.all():
        text = (
            f" With {n_text(table['n_pairs'])} pairs (fewer than {verdict.MIN_PAIRS}) this chart"
            " is indicative only: no dot is filled, whatever its bar."
        )
    elif few.any():
        text = (
            f" Dots with fewer than {verdict.MIN_PAIRS} pairs"
            f" ({n_text(table.loc[few, 'n_pairs'])}) are indicative only and never filled."
        )
    else:
        text = ""
    # The rule tests the mean difference; a ratio bar is another interval and can disagree.
    ratio = table[table["pct_scale"] == RATIO_SCALE]
    bar_excludes = (ratio["pct_ci_low"] > 0) | (ratio["pct_ci_high"] < 0)
    odd = int((ratio["filled_dot"] & ~bar_excludes).sum())
    if odd:
        text += (
            f" On {odd} filled dot{'s' if odd > 1 else ''} the ratio bar includes 0% while the"
            " interval of the mean difference that the rule uses does not (both in the CSV)."
        )
    return text


def _where(rows: pd.DataFrame, scenarios: list[str]) -> str:
    """Outcomes of ``rows`` in words, each with its scenarios unless it has them all.

    The items are joined by semicolons, since a list of scenarios has commas.
    """
    parts = []
    for outcome, group in rows.groupby("outcome", sort=False):
        seen = list(dict.fromkeys(group["scenario"]))
        if set(scenarios) <= set(seen):
            parts.append(words(outcome))
        else:
            parts.append(f"{words(outcome)} ({', '.join(words(s) for s in seen)})")
    return "; ".join(parts)


def _symlog_limits(value: float) -> float:
    """A round limit just beyond ``value`` on a symlog axis."""
    if value == 0.0:
        return 0.0
    for bound in (LINTHRESH, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0):
        if abs(value) <= bound * 0.97:
            return math.copysign(bound, value)
    return math.copysign(abs(value) * 1.1, value)


def _outcome_label(outcome: str, wrap: int | None = None) -> str:
    """The outcome in words with its better direction, on lines of ``wrap`` characters."""
    arrow = {"higher": " ↑", "lower": " ↓"}.get(HEADLINE.get(outcome, ""), "")
    # The arrow stays on the last line: alone on a line it reads as a stray mark.
    return (
        "\n".join(textwrap.wrap(words(outcome), wrap)) + arrow if wrap else words(outcome) + arrow
    )
