"""The sensitivity chart: Morris or Sobol indices of one outcome, per parameter."""

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

_ERROR_BARS = {"capsize": 0, "ecolor": "0.25"}  # and elinewidth, per preset


def sensitivity(
    batch: Any,
    outcome: str | None = None,
    structure: str | None = None,
    out: str | Path = "figures",
    preset: str = "single",
) -> list[Path]:
    """Morris mu* (bars) and sigma (markers), or Sobol S1 and ST with 95% intervals, per parameter.

    The design kind is read from the batch manifest.

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
    points = pd.DataFrame(experiment.points())
    table, notes = _indices(experiment, points, runs, outcome, structure)
    fig = _draw(table, kind, outcome, structure, preset)
    table.insert(0, "outcome", outcome)
    table.insert(1, "structure", structure)
    table.insert(2, "design", kind)
    caption = _caption(batch, experiment, len(points), outcome, structure, notes)
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
    names = [words(p) for p in table["parameter"]]
    width, height = PRESETS[preset]
    with figure_style(preset) as f:
        height = max(height, 0.8 + len(names) * f["small"] / 72 * 1.7)
        fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
        pos = np.arange(len(names))
        if kind == "morris":
            _draw_morris(ax, table, pos, outcome, f)
        else:
            _draw_sobol(ax, table, pos, outcome, f)
        ax.set_yticks(pos, names)
        ax.tick_params(axis="y", length=0)
        ax.set_ylim(-0.6, len(names) - 0.4)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.set_xlim(left=min(0.0, ax.get_xlim()[0]))
        handles, labels = ax.get_legend_handles_labels()
        order = sorted(range(len(labels)), key=lambda i: not labels[i].startswith(("μ", "S1")))
        fig.legend(
            [handles[i] for i in order],
            [labels[i] for i in order],
            loc="outside upper center",
            ncol=2,
        )
        ax.set_title(structure_label(structure), fontsize=f["small"], loc="left")
    return fig


def _draw_morris(
    ax: plt.Axes, table: pd.DataFrame, pos: np.ndarray, outcome: str, f: dict[str, float]
) -> None:
    """Bars of mu* with their intervals, hollow diamonds of sigma."""
    unit = outcome_unit(outcome)
    ax.barh(
        pos,
        table["mu_star"],
        xerr=table["mu_star_conf"],
        color="#0072B2",
        height=0.65,
        error_kw={"elinewidth": f["line"] * 0.8, **_ERROR_BARS},
        label="μ* (bar: 95% CI)",
    )
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
    )
    ax.set_xlabel(f"elementary effect on {words(outcome)}" + (f"\n({unit})" if unit else ""))


def _draw_sobol(
    ax: plt.Axes, table: pd.DataFrame, pos: np.ndarray, outcome: str, f: dict[str, float]
) -> None:
    """Paired bars of S1 and ST with their intervals, and a line at zero."""
    h = 0.38
    for shift, key, colour, label in (
        (h / 2, "S1", "#56B4E9", "S1 (first order)"),
        (-h / 2, "ST", "#0072B2", "ST (total order)"),
    ):
        ax.barh(
            pos + shift,
            table[key],
            xerr=table[f"{key}_conf"],
            height=h,
            color=colour,
            error_kw={"elinewidth": f["line"] * 0.8, **_ERROR_BARS},
            label=label,
        )
    ax.axvline(0.0, color="0.3", lw=f["line"] * 0.6)
    ax.set_xlabel(f"Sobol index of {words(outcome)}\n(share of variance)")


def _caption(
    batch: Any, experiment: Any, n_points: int, outcome: str, structure: str, notes: list[str]
) -> str:
    unit = outcome_unit(outcome)
    design = experiment.design
    reps = experiment.replications
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
    caption = what + (" Notes: " + "; ".join(notes) + "." if notes else "")
    return caption + f" Batch: {batch.folder}."
