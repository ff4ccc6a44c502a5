"""The crossover chart: where over two parameters one structure beats another (a heatmap)."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import QuadMesh
from matplotlib.colors import TwoSlopeNorm
from matplotlib.ticker import MaxNLocator

from sim.analysis import stats as analysis
from sim.analysis.plot.output import save
from sim.analysis.plot.runs import (
    choose,
    default_outcome,
    manifest,
    n_text,
    ok_runs,
    outcome_columns,
)
from sim.analysis.plot.style import (
    PRESETS,
    check_preset,
    figure_style,
    outcome_unit,
    structure_label,
    with_unit,
    words,
)
from sim.model.outcomes import HEADLINE


def crossover(
    batch: Any,
    x: str | None = None,
    y: str | None = None,
    outcome: str | None = None,
    reference: str | None = None,
    other: str | None = None,
    out: str | Path = "figures",
    preset: str = "single",
) -> list[Path]:
    """Heatmap of the mean paired difference ``other - reference`` over two parameters.

    The zero contour separates where each structure does better; the diverging colours are
    centred on zero.

    Args:
        batch: A :class:`~sim.experiments.store.BatchResult` of a design over ``x`` and ``y``.
        x: Parameter on the horizontal axis (default: the design's first uncertainty).
        y: Parameter on the vertical axis (default: the design's second uncertainty).
        outcome: Summary column (default: the experiment's first outcome).
        reference: Reference structure (default: the experiment's first).
        other: The structure compared with it (default: the experiment's second).
        out: Folder for the files.
        preset: A key of :data:`PRESETS`.

    Returns:
        The paths written.
    """
    check_preset(preset)
    runs = ok_runs(batch)
    varied = _varied_parameters(batch, runs)
    x = choose("x", x, varied, varied[0] if varied else None)
    y = choose("y", y, [p for p in varied if p != x], next((p for p in varied if p != x), None))
    structures = list(dict.fromkeys(runs["structure"]))
    reference = choose("reference", reference, structures, structures[0])
    rest = [s for s in structures if s != reference]
    other = choose("other", other, rest, rest[0] if rest else None)
    outcome = choose("outcome", outcome, outcome_columns(runs), default_outcome(batch, runs))
    grid = analysis.crossover_grid(runs, x, y, outcome, reference, other)
    fig = _draw(grid, x, y, outcome, reference, other, preset)
    grid.insert(0, "outcome", outcome)
    grid.insert(1, "reference", reference)
    grid.insert(2, "other", other)
    grid = grid.rename(columns={"mean": "mean_difference", "count": "n_pairs"})
    caption = _caption(batch, grid, x, y, outcome, reference, other)
    stem = Path(out) / f"crossover_{outcome}_{y}_vs_{x}"
    return save(fig, stem, grid, caption)


def _varied_parameters(batch: Any, runs: pd.DataFrame) -> list[str]:
    """Parameters that take more than one value in ``runs``, the declared uncertainties first."""
    params = [c.removeprefix("param.") for c in runs.columns if c.startswith("param.")]
    declared = [u["name"] for u in manifest(batch).get("spec", {}).get("uncertainties", [])]
    varied = [p for p in dict.fromkeys([*declared, *params]) if p in params]
    return [p for p in varied if runs[f"param.{p}"].nunique() > 1]


def _draw(
    grid: pd.DataFrame,
    x: str,
    y: str,
    outcome: str,
    reference: str,
    other: str,
    preset: str,
) -> plt.Figure:
    table = grid.pivot(index=y, columns=x, values="mean").sort_index().sort_index(axis=1)
    xs = table.columns.to_numpy(dtype=float)
    ys = table.index.to_numpy(dtype=float)
    z = table.to_numpy(dtype=float)
    limit = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 1.0
    limit = limit or 1.0
    from sim.config.params import param_infos

    infos = param_infos()

    def axis_label(name: str) -> str:
        unit_ = infos[name].unit if name in infos else ""
        return with_unit(name, unit_)

    with figure_style(preset) as f:
        fig, ax = plt.subplots(figsize=PRESETS[preset], layout="constrained")
        mesh = _draw_cells(ax, xs, ys, z, limit, f)
        wrap = {"single": 40, "double": 60, "slides": 60}[preset]
        ax.set_xlabel(textwrap.fill(axis_label(x), wrap + 15))
        ax.set_ylabel(textwrap.fill(axis_label(y), wrap))
        ax.set_xticks(xs, [f"{v:.3g}" for v in xs])
        ax.set_yticks(ys, [f"{v:.3g}" for v in ys])
        ax.spines[["top", "right"]].set_visible(True)
        _draw_colourbar(fig, ax, mesh, outcome, reference, other, f)
        fig.get_layout_engine().set(h_pad=f["base"] / 72 * 1.6)
    return fig


def _draw_cells(
    ax: plt.Axes,
    xs: np.ndarray,
    ys: np.ndarray,
    z: np.ndarray,
    limit: float,
    f: dict[str, float],
) -> QuadMesh:
    """The coloured cells, the zero contour and (on small grids) each cell's number."""
    mesh = ax.pcolormesh(
        _edges(xs),
        _edges(ys),
        z,
        cmap="PuOr",
        norm=TwoSlopeNorm(0.0, -limit, limit),
        shading="flat",
        rasterized=False,
    )
    if len(xs) > 1 and len(ys) > 1 and np.nanmin(z) < 0 < np.nanmax(z):
        contour = ax.contour(xs, ys, z, levels=[0.0], colors="black", linewidths=f["line"])
        contour.set_label("zero difference")
    if z.size <= 64:
        for i, yv in enumerate(ys):
            for j, xv in enumerate(xs):
                if math.isfinite(z[i, j]):
                    dark = abs(z[i, j]) > 0.6 * limit
                    ax.text(
                        xv,
                        yv,
                        f"{z[i, j]:.2g}".replace("-", "−"),
                        ha="center",
                        va="center",
                        fontsize=f["tiny"],
                        color="white" if dark else "black",
                    )
    return mesh


def _draw_colourbar(
    fig: plt.Figure,
    ax: plt.Axes,
    mesh: QuadMesh,
    outcome: str,
    reference: str,
    other: str,
    f: dict[str, float],
) -> None:
    """The colourbar of the difference, with which structure does better at each end."""
    unit = outcome_unit(outcome)
    bar = fig.colorbar(mesh, ax=ax, fraction=0.08, pad=0.02, aspect=25)
    bar.set_label(
        f"Δ {words(outcome)} ({unit})" if unit else f"Δ {words(outcome)}",
        fontsize=f["small"],
    )
    bar.ax.tick_params(labelsize=f["tiny"])
    bar.ax.yaxis.set_major_locator(MaxNLocator(5))
    high_side, low_side = _sides(HEADLINE.get(outcome, ""), reference, other)
    for where, text in ((1.0, high_side), (0.0, low_side)):
        bar.ax.annotate(
            text,
            xy=(0.5, where),
            xycoords="axes fraction",
            xytext=(0, 3 if where else -3),
            textcoords="offset points",
            ha="center",
            va="bottom" if where else "top",
            fontsize=f["tiny"],
            in_layout=False,
            annotation_clip=False,
        )


def _caption(
    batch: Any, grid: pd.DataFrame, x: str, y: str, outcome: str, reference: str, other: str
) -> str:
    unit = outcome_unit(outcome)
    better = HEADLINE.get(outcome, "")
    return (
        f"Mean paired difference of {outcome}" + (f" ({unit})" if unit else "") + f", {other}"
        f" minus {reference}, over {x} (x) and {y} (y); each cell averages"
        f" {n_text(grid['n_pairs'])}"
        f" pairs of runs that share design point and seed. Colours diverge from 0 (PuOr): "
        + _side_sentence(better, reference, other)
        + " The black line is the zero contour (linear interpolation between cell centres): on"
        " either side a different structure does better. Cell numbers are the plotted means;"
        " no interval is shown (see the CSV's n_pairs)." + f" Batch: {batch.folder}."
    )


def _edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges around sorted centres (half-way between neighbours)."""
    if len(centres) == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    mids = (centres[1:] + centres[:-1]) / 2
    return np.concatenate(
        [[centres[0] - (mids[0] - centres[0])], mids, [centres[-1] + (centres[-1] - mids[-1])]]
    )


def _sides(better: str, reference: str, other: str) -> tuple[str, str]:
    """Labels for the top (positive) and bottom (negative) of the colourbar."""
    ref, oth = structure_label(reference), structure_label(other)
    if better == "higher":
        return f"{oth} better", f"{ref} better"
    if better == "lower":
        return f"{ref} better", f"{oth} better"
    return f"{oth} higher", f"{ref} higher"


def _side_sentence(better: str, reference: str, other: str) -> str:
    top, bottom = _sides(better, reference, other)
    direction = f" ({better} is better)" if better else ""
    return f"positive (top of the bar) means {top}, negative means {bottom}{direction}."
