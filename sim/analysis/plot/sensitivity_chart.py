"""The sensitivity chart: Morris or Sobol indices of one outcome, per parameter.

The design's dummy (:data:`sim.experiments.design.DUMMY`, a factor the model never reads that only
re-draws the random numbers) is drawn as the noise floor: a grey band over its 95% interval and a
dashed line at its index. A parameter's bar is dark when its interval lies wholly above the band
(:func:`sim.analysis.stats.above_dummy`), pale when it does not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from sim.analysis import stats as analysis
from sim.analysis.plot.output import save
from sim.analysis.plot.runs import choose, default_outcome, manifest, ok_runs, outcome_columns
from sim.analysis.plot.style import (
    PRESETS,
    check_preset,
    figure_style,
    outcome_unit,
    structure_label,
    words,
)
from sim.errors import ConfigError, ParameterError
from sim.experiments.design import DUMMY

_ERROR_BARS = {"capsize": 0, "ecolor": "0.25"}  # and elinewidth, per preset
_ABOVE, _WITHIN = "#0072B2", "#B9CCDD"  # bars above the noise floor / not distinguishable
_FLOOR = "0.85"  # the noise band: light enough that bars and whiskers stay legible over it


def sensitivity(
    batch: Any,
    outcome: str | None = None,
    structure: str | None = None,
    out: str | Path = "figures",
    preset: str = "single",
) -> list[Path]:
    """Morris mu* (bars) and sigma (markers), or Sobol S1 and ST with 95% intervals, per parameter.

    The design kind is read from the batch manifest. The dummy's index is drawn as a noise-floor
    band (its 95% interval) with a dashed line (its index), and the data CSV has a row for it.

    Args:
        batch: A :class:`~sim.experiments.store.BatchResult` of a Morris or Sobol design.
        outcome: Summary column (default: the experiment's first outcome).
        structure: The structure analysed (default: the experiment's first).
        out: Folder for the files.
        preset: A key of :data:`PRESETS`.

    Returns:
        The paths written.
    """
    from sim.experiments.batch import experiment_from_spec

    check_preset(preset)
    runs = ok_runs(batch)
    experiment = experiment_from_spec(manifest(batch)["spec"])
    kind = experiment.design.kind
    if kind not in ("morris", "sobol"):
        raise ConfigError(
            f"{batch.folder}: design kind is {kind!r}; allowed for a sensitivity chart: a morris"
            " or sobol batch"
        )
    structures = list(dict.fromkeys(runs["structure"]))
    structure = choose("structure", structure, structures, structures[0])
    outcome = choose("outcome", outcome, outcome_columns(runs), default_outcome(batch, runs))
    points = pd.DataFrame(experiment.points(dummy=True))
    table, notes = _indices(experiment, points, runs, outcome, structure)
    fig = _draw(table, kind, outcome, structure, preset)
    table.insert(0, "outcome", outcome)
    table.insert(1, "structure", structure)
    table.insert(2, "design", kind)
    caption = _caption(batch, experiment, len(points), outcome, structure, notes, table)
    stem = Path(out) / f"sensitivity_{kind}_{outcome}_{Path(structure).stem}"
    return save(fig, stem, table, caption)


def _indices(
    experiment: Any, points: pd.DataFrame, runs: pd.DataFrame, outcome: str, structure: str
) -> tuple[pd.DataFrame, list[str]]:
    """The indices of ``outcome`` per parameter, sorted by importance, and SALib's notes."""
    problem = experiment.salib_problem()
    y = analysis.point_means(runs, outcome, structure).reindex(range(len(points)))
    missing = int(y.isna().sum())
    if missing:
        raise ParameterError(
            "outcome",
            f"{outcome!r} is missing (NaN or failed runs) at {missing} of {len(y)} design points"
            f" for {structure}; allowed an outcome measured at every point",
        )
    design = experiment.design
    if design.kind == "morris":
        table = analysis.morris_indices(problem, points, y, design.morris_levels)
        return table.sort_values("mu_star").reset_index(drop=True), []
    table, notes = analysis.sobol_indices(
        problem, y, n=design.n or 0, second_order=design.second_order
    )
    return table.sort_values("ST").reset_index(drop=True), notes


def _draw(table: pd.DataFrame, kind: str, outcome: str, structure: str, preset: str) -> plt.Figure:
    dummy = table[table["parameter"] == DUMMY].iloc[0]
    rows = table[table["parameter"] != DUMMY].reset_index(drop=True)
    names = [words(p) for p in rows["parameter"]]
    width, height = PRESETS[preset]
    with figure_style(preset) as f:
        height = max(height, 1.1 + len(names) * f["small"] / 72 * 1.7)
        fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
        pos = np.arange(len(names))
        index = "mu_star" if kind == "morris" else "ST"
        floor = _draw_floor(ax, dummy, index, f)
        if kind == "morris":
            _draw_morris(ax, rows, pos, outcome, f)
        else:
            _draw_sobol(ax, rows, pos, outcome, f)
        # A bar of exactly zero (a parameter the structure never reads) would be invisible.
        shift = 0.0 if kind == "morris" else -0.19
        for y in pos[rows[index].to_numpy() == 0.0]:
            ax.annotate(
                "0",
                (0.0, y + shift),
                xytext=(5, 0),  # clear of sigma's diamond at zero
                textcoords="offset points",
                va="center",
                fontsize=f["tiny"],
            )
        ax.set_yticks(pos, names)
        ax.tick_params(axis="y", length=0)
        ax.set_ylim(-0.6, len(names) - 0.4)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.set_xlim(left=min(0.0, ax.get_xlim()[0]))
        handles, labels = ax.get_legend_handles_labels()
        handles.append(floor)
        labels.append("noise floor (dummy)")
        # Filled column by column: S1 first (Sobol), then the judged index above and within the
        # noise, then sigma (Morris) and the floor.
        judged = [i for i, label in enumerate(labels) if " noise" in label]
        s1 = [i for i, label in enumerate(labels) if label.startswith("S1")]
        order = s1 + judged + [i for i in range(len(labels)) if i not in judged + s1]
        fig.legend(
            [handles[i] for i in order],
            [labels[i] for i in order],
            loc="outside upper center",
            ncol=2,
        )
        ax.set_title(structure_label(structure), fontsize=f["small"], loc="left")
    return fig


def _draw_floor(ax: plt.Axes, dummy: pd.Series, index: str, f: dict[str, float]) -> tuple:
    """The noise floor: a band over the dummy's 95% interval and a dashed line at its index.

    Returns:
        The band and the line, for one legend entry that overlays them.
    """
    value, half = float(dummy[index]), float(dummy[f"{index}_conf"])
    band = ax.axvspan(value - half, value + half, color=_FLOOR, lw=0, zorder=0)
    line = ax.axvline(value, color="0.35", ls="--", lw=f["line"] * 0.7, zorder=0.5)
    return (band, line)


def _bars(
    ax: plt.Axes,
    table: pd.DataFrame,
    pos: np.ndarray,
    index: str,
    height: float,
    label: str,
    f: dict[str, float],
) -> None:
    """Bars of ``index`` with their intervals: dark above the noise floor, pale within it."""
    above = table["above_dummy"].to_numpy(dtype=bool)
    for mask, colour, text in (
        (above, _ABOVE, f"{label} above noise"),
        (~above, _WITHIN, f"{label} within noise"),
    ):
        if mask.any():
            ax.barh(
                pos[mask],
                table.loc[mask, index],
                xerr=table.loc[mask, f"{index}_conf"],
                color=colour,
                height=height,
                error_kw={"elinewidth": f["line"] * 0.8, **_ERROR_BARS},
                label=text,
                zorder=2,
            )


def _draw_morris(
    ax: plt.Axes, table: pd.DataFrame, pos: np.ndarray, outcome: str, f: dict[str, float]
) -> None:
    """Bars of mu* with their intervals, hollow diamonds of sigma."""
    unit = outcome_unit(outcome)
    _bars(ax, table, pos, "mu_star", 0.65, "μ*", f)
    ax.plot(
        table["sigma"],
        pos,
        linestyle="none",
        marker="D",
        markerfacecolor="white",
        markeredgecolor="#D55E00",
        markeredgewidth=f["line"],
        markersize=f["base"] * 0.5,
        label="σ",
        zorder=3,
    )
    # Right-aligned: long parameter names leave a narrow axis, and a centred label would run
    # off the figure's right edge.
    label = f"elementary effect on\n{words(outcome)}" + (f" ({unit})" if unit else "")
    ax.set_xlabel(label, loc="right")


def _draw_sobol(
    ax: plt.Axes, table: pd.DataFrame, pos: np.ndarray, outcome: str, f: dict[str, float]
) -> None:
    """Paired bars of S1 and ST with their intervals (ST judged against the floor), a zero line."""
    h = 0.38
    ax.barh(
        pos + h / 2,
        table["S1"],
        xerr=table["S1_conf"],
        height=h,
        color="#E69F00",
        error_kw={"elinewidth": f["line"] * 0.8, **_ERROR_BARS},
        label="S1 (first order)",
        zorder=2,
    )
    _bars(ax, table, pos - h / 2, "ST", h, "ST (total)", f)
    ax.axvline(0.0, color="0.3", lw=f["line"] * 0.6)
    ax.set_xlabel(f"Sobol index of {words(outcome)}\n(share of variance)", loc="right")


def _caption(
    batch: Any,
    experiment: Any,
    n_points: int,
    outcome: str,
    structure: str,
    notes: list[str],
    table: pd.DataFrame,
) -> str:
    unit = outcome_unit(outcome)
    design = experiment.design
    reps = experiment.replications
    index = "mu*" if design.kind == "morris" else "ST"
    key = "mu_star" if design.kind == "morris" else "ST"
    dummy = table[table["parameter"] == DUMMY].iloc[0]
    above = table.loc[table["above_dummy"], "parameter"].tolist()
    floor = (
        f" The grey band is the noise floor: the {index} of a dummy factor the model never reads,"
        f" whose changes only re-draw the random numbers while every parameter keeps them (common"
        f" random numbers); {index} = {dummy[key]:.3g} with 95% interval +-"
        f" {dummy[f'{key}_conf']:.3g} (dashed line and band). Dark bars lie wholly above it:"
        f" {len(above)} of {len(table) - 1} parameters"
        + (f" ({', '.join(above)})" if above else "")
        + "; pale bars are not distinguishable from seed noise."
    )
    if design.kind == "morris":
        what = (
            f"Morris screening of {outcome}" + (f" ({unit})" if unit else "") + f" for "
            f"{structure}: bars give mu* (mean absolute elementary effect, in the outcome's unit"
            " per full parameter range) with 95% bootstrap intervals, hollow diamonds give sigma"
            " (their standard deviation: large sigma means interactions or nonlinearity)."
            f" n = {design.n} trajectories on a {design.morris_levels}-level"
            f" grid ({n_points} design points, {reps} replication(s) each, averaged per point)."
        )
    else:
        what = (
            f"Sobol indices of {outcome} for {structure}: first-order S1 and total-order ST"
            " (share of the outcome's variance) with 95% bootstrap intervals (SALib)."
            f" Saltelli base n = {design.n} ({n_points} design points,"
            f" {reps} replication(s) each, averaged per point)."
        )
    caption = what + floor + (" Notes: " + "; ".join(notes) + "." if notes else "")
    return caption + f" Batch: {batch.folder}."
