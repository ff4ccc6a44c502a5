"""Publication charts of a finished batch: each writes a PDF, a 300 dpi PNG, its data and a caption.

Every chart is drawn at a fixed print size (:data:`PRESETS`: one journal column, two columns, or
a slide), with fonts sized for it, so what is checked on screen is what is printed. Fonts are
embedded as TrueType (``pdf.fonttype = 42``), never Type 3, as publishers ask.

Each structure keeps one colour, line style and marker in every figure (redundant encoding, so a
figure still reads in grey or to a colour-blind reader): shipped structures take the Okabe-Ito
colours in the sorted order of their names, other structures follow.

Next to ``<stem>.pdf`` and ``<stem>.png``, :func:`save` writes ``<stem>.csv`` (exactly the numbers
plotted) and ``<stem>.txt`` (the caption: what is shown, how many runs, what bands and bars mean).
"""

from __future__ import annotations

import contextlib
import json
import math
import textwrap
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.ticker import MaxNLocator
from scipy import stats

from sim.analysis import stats as analysis
from sim.analysis.calibration import PATTERNS
from sim.errors import ConfigError, did_you_mean
from sim.model.attention import ACTIVITIES, PEOPLE_WORK
from sim.model.outcomes import HEADLINE
from sim.model.recorder import TICK_METRICS

matplotlib.rcParams["pdf.fonttype"] = 42  # TrueType, not Type 3
matplotlib.rcParams["ps.fonttype"] = 42

# Figure sizes in inches: one journal column, two columns, a 16:9 slide.
PRESETS: dict[str, tuple[float, float]] = {
    "single": (3.5, 2.6),
    "double": (7.0, 3.6),
    "slides": (10.0, 5.6),
}
# Font sizes (points) per preset: body, tick labels, legend; and the line width.
_FONTS: dict[str, dict[str, float]] = {
    "single": {"base": 8.0, "small": 7.0, "tiny": 6.0, "line": 1.0},
    "double": {"base": 9.0, "small": 8.0, "tiny": 7.0, "line": 1.2},
    "slides": {"base": 16.0, "small": 14.0, "tiny": 12.0, "line": 2.2},
}
OKABE_ITO = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#000000",
)
# The order structures take them in (shipped, sorted: cio_cto_joint_architecture blue,
# cio_cto_split vermillion, cio_with_coo green, single_cio black): the strongest contrasts on white
# first, yellow (hard to see as a thin line on white) last.
STRUCTURE_COLOURS = tuple(OKABE_ITO[i] for i in (4, 5, 2, 7, 0, 1, 6, 3))
LINE_STYLES = ("-", "--", ":", "-.", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 1)), "-")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
# Activities of the CIO's time: Paul Tol's "muted" colour-blind-safe scheme, kept apart from the
# Okabe-Ito colours so an activity is never mistaken for a structure.
ACTIVITY_COLOURS = dict(
    zip(
        ACTIVITIES,
        ("#CC6677", "#882255", "#AA4499", "#DDCC77", "#999933", "#332288", "#88CCEE", "#44AA99"),
        strict=True,
    )
)
DPI = 300
SYMLOG_ABOVE = 30.0  # percent: a comparison axis reaching beyond this goes symlog
LINTHRESH = 10.0  # percent: linear part of a symlog comparison axis
BAND_TEXT = "95% t-interval of the mean over runs"


# --- style -----------------------------------------------------------------------------------


def _check_preset(preset: str) -> tuple[float, float]:
    if preset not in PRESETS:
        hint = did_you_mean(preset, PRESETS)
        raise ConfigError(
            f"--preset = {preset!r} is unknown; allowed {', '.join(PRESETS)}"
            + (f" ({hint})" if hint else "")
        )
    return PRESETS[preset]


@contextlib.contextmanager
def _style(preset: str) -> Iterator[dict[str, float]]:
    """Font sizes and line widths for ``preset``, for the figures drawn inside."""
    _check_preset(preset)
    f = _FONTS[preset]
    rc = {
        "font.size": f["base"],
        "axes.titlesize": f["base"],
        "axes.labelsize": f["base"],
        "xtick.labelsize": f["small"],
        "ytick.labelsize": f["small"],
        "legend.fontsize": f["small"],
        "legend.title_fontsize": f["small"],
        "figure.titlesize": f["base"],
        "lines.linewidth": f["line"],
        "lines.markersize": f["base"] * 0.5,
        "axes.linewidth": f["line"] * 0.6,
        "xtick.major.width": f["line"] * 0.6,
        "ytick.major.width": f["line"] * 0.6,
        "xtick.major.size": f["base"] * 0.4,
        "ytick.major.size": f["base"] * 0.4,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "savefig.dpi": DPI,
        "figure.constrained_layout.h_pad": 0.03,
        "figure.constrained_layout.w_pad": 0.03,
    }
    with plt.rc_context(rc):
        yield f


def structure_order(names: Sequence[str] = ()) -> list[str]:
    """Shipped structures sorted by name, then any others (sorted): the order styles follow."""
    from sim.config.loaders import list_structures

    shipped = sorted(list_structures())
    return shipped + sorted(set(names) - set(shipped))


def structure_style(name: str) -> dict[str, Any]:
    """The fixed colour, line style and marker of a structure (the same in every figure)."""
    order = structure_order([name])
    k = order.index(name) % len(STRUCTURE_COLOURS)
    return {"color": STRUCTURE_COLOURS[k], "linestyle": LINE_STYLES[k], "marker": MARKERS[k]}


_ROLES = {"cio", "cto", "coo", "cfo", "ceo", "cdo", "ciso"}


def structure_label(name: str) -> str:
    """A reader's name for a structure: ``cio_cto_split`` -> ``CIO/CTO split``."""
    words = Path(name).stem.split("_")
    out: list[str] = []
    for word in words:
        if word in _ROLES:
            if (
                out
                and out[-1].split("/")[-1].isupper()
                and out[-1].split("/")[-1].lower() in _ROLES
            ):
                out[-1] += "/" + word.upper()
            else:
                out.append(word.upper())
        else:
            out.append(word)
    return " ".join(out)


def _words(name: str) -> str:
    """``it_cost`` -> ``IT cost``: a name as words for a label."""
    return " ".join("IT" if w == "it" else w for w in name.split("_"))


# Units of the run-summary columns (means over the ticks after warm-up unless a total).
_SUMMARY_UNITS = {
    "delivered": "requests/tick",
    "value_delivered": "value units/tick",
    "incidents_new": "incidents/tick",
    "it_cost": "cost units/tick",
    "value_total": "value units",
    "attrition": "people",
    "exec_turnover": "executives",
    "decisions_timed_out": "decisions",
    "strategic_late_or_failed": "fraction",
    "realign_ticks": "ticks",
    "requests_created": "requests",
    "requests_delivered": "requests",
    "requests_rejected": "requests",
    "requests_shadowed": "requests",
    "requests_open": "requests",
}


def outcome_unit(name: str) -> str:
    """The unit of a run-summary column or per-tick measure ('' when unknown)."""
    if name in _SUMMARY_UNITS:
        return _SUMMARY_UNITS[name]
    if name.startswith("lead_time_"):
        return "ticks"
    if name.startswith("cio_"):
        return "fraction"
    if name in TICK_METRICS:
        return TICK_METRICS[name][0]
    return ""


def _with_unit(name: str, unit: str | None = None) -> str:
    unit = outcome_unit(name) if unit is None else unit
    return f"{_words(name)} ({unit})" if unit else _words(name)


# --- saving ----------------------------------------------------------------------------------


def save(fig: plt.Figure, path_stem: str | Path, data: pd.DataFrame, caption: str) -> list[Path]:
    """Write ``<stem>.pdf``, ``<stem>.png`` (300 dpi), ``<stem>.csv`` (data) and ``<stem>.txt``.

    Args:
        fig: The figure (closed afterwards).
        path_stem: Path without suffix; its folder is created.
        data: The numbers plotted, one row per plotted element.
        caption: What is shown, n, and what bands or bars mean.

    Returns:
        The four paths written, in the order pdf, png, csv, txt.
    """
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_name(stem.name + s) for s in (".pdf", ".png", ".csv", ".txt")]
    try:
        with plt.rc_context({"pdf.fonttype": 42, "ps.fonttype": 42}):
            fig.savefig(paths[0], metadata={"CreationDate": None})
            fig.savefig(paths[1], dpi=DPI)
    finally:
        plt.close(fig)
    data.to_csv(paths[2], index=False)
    paths[3].write_text(" ".join(caption.split()) + "\n")
    return paths


# --- shared helpers --------------------------------------------------------------------------


def _ok_runs(batch: Any) -> pd.DataFrame:
    runs = batch.runs
    if not len(runs):
        raise ConfigError(f"{batch.folder}: holds no runs; allowed: a finished batch folder")
    ok = runs[runs["status"] == "ok"]
    if not len(ok):
        raise ConfigError(f"{batch.folder}: every run failed; allowed: a batch with ok runs")
    return ok


def _manifest(batch: Any) -> dict[str, Any]:
    return json.loads((Path(batch.folder) / "manifest.json").read_text())


def _choose(option: str, value: str | None, allowed: Sequence[str], default: str | None) -> str:
    """``value`` if allowed (else a ConfigError naming what is), or ``default``."""
    allowed = list(dict.fromkeys(allowed))
    if value is None:
        if default is None:
            raise ConfigError(f"{option} is required here; allowed {', '.join(allowed)}")
        return default
    if value not in allowed:
        hint = did_you_mean(value, allowed)
        raise ConfigError(
            f"{option} = {value!r} is not in the batch; allowed {', '.join(allowed)}"
            + (f" ({hint})" if hint else "")
        )
    return value


def _outcome_columns(runs: pd.DataFrame) -> list[str]:
    skip = {"run_id", "run_index", "point", "replication", "scenario", "structure", "seed"}
    skip |= {"status"}
    return [
        c
        for c in runs.columns
        if c not in skip and not c.startswith("param.") and pd.api.types.is_numeric_dtype(runs[c])
    ]


def _default_outcome(batch: Any, runs: pd.DataFrame) -> str:
    outcomes = _manifest(batch).get("spec", {}).get("outcomes") or list(HEADLINE)
    return next((o for o in outcomes if o in runs), "value_delivered")


def _t_interval(values: pd.core.groupby.DataFrameGroupBy) -> pd.DataFrame:
    """Mean, 95% t-interval and n of each group (no interval for n < 2)."""
    out = values.agg(["mean", "std", "count"])
    half = stats.t.ppf(0.975, (out["count"] - 1).clip(lower=1)) * out["std"] / np.sqrt(out["count"])
    half[out["count"] < 2] = np.nan
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    return out.drop(columns="std").rename(columns={"count": "n"})


def _n_text(counts: pd.Series) -> str:
    values = sorted(set(int(v) for v in counts))
    return f"n = {values[0]}" if len(values) == 1 else f"n = {values[0]}-{values[-1]}"


def _runs_text(runs: pd.DataFrame) -> str:
    points = runs["point"].nunique()
    reps = runs["replication"].nunique()
    if points > 1:
        return f"{points} design points x {reps} replications"
    return f"{reps} seeded replications"


# --- 1. time series --------------------------------------------------------------------------


def timeseries(
    batch: Any,
    measure: str = "value_delivered",
    scenario: str | None = None,
    out: str | Path = "figures",
    preset: str = "single",
    smooth: int = 20,
) -> list[Path]:
    """Mean trajectory of a per-tick measure per structure, with its 95% band and shock windows.

    Args:
        batch: A :class:`~sim.batch.BatchResult`.
        measure: A per-tick measure (a key of :data:`~sim.metrics.TICK_METRICS`).
        scenario: The scenario shown (default: the batch's first).
        out: Folder for the files.
        preset: A key of :data:`PRESETS`.
        smooth: Trailing rolling mean over this many ticks (default 20, about a working month),
            per run, before averaging; 1 shows the raw per-tick values.

    Returns:
        The paths written.
    """
    _check_preset(preset)
    if measure not in TICK_METRICS:
        hint = did_you_mean(measure, TICK_METRICS)
        raise ConfigError(
            f"--measure = {measure!r} is unknown"
            + (f" ({hint})" if hint else "")
            + f"; allowed {', '.join(TICK_METRICS)}"
        )
    if smooth < 1:
        raise ConfigError(f"--smooth = {smooth} is out of range; allowed 1 or more")
    runs = _ok_runs(batch)
    scenarios = list(dict.fromkeys(runs["scenario"]))
    scenario = _choose("--scenario", scenario, scenarios, scenarios[0])
    here = runs[runs["scenario"] == scenario]
    ticks = batch.ticks
    if measure not in ticks:
        raise ConfigError(f"{batch.folder}: ticks have no {measure!r}; allowed a recorded measure")
    ticks = ticks[ticks["run_id"].isin(here["run_id"])][["run_id", "tick", measure]]
    ticks = ticks.join(here.set_index("run_id")["structure"], on="run_id")
    ticks = ticks.sort_values(["run_id", "tick"])
    if smooth > 1:
        ticks[measure] = ticks.groupby("run_id")[measure].transform(
            lambda s: s.rolling(smooth, min_periods=1).mean()
        )
    summary = _t_interval(ticks.groupby(["structure", "tick"])[measure]).reset_index()
    _unit, low, high, _meaning = TICK_METRICS[measure]
    summary[["ci_low", "ci_high"]] = summary[["ci_low", "ci_high"]].clip(low, high)
    summary.insert(0, "scenario", scenario)
    summary.insert(1, "measure", measure)
    structures = [s for s in structure_order(summary["structure"]) if s in set(summary.structure)]
    windows = _shock_windows(batch, here)
    unit = TICK_METRICS[measure][0]

    with _style(preset) as f:
        fig, ax = plt.subplots(figsize=PRESETS[preset], layout="constrained")
        names = (
            [_words(k) for k, _s, _e in windows] if len(windows) <= 2 else _window_letters(windows)
        )
        for name, (_kind, start, end) in zip(names, windows, strict=True):
            if end - start > 1:
                ax.axvspan(start, end, color="0.85", lw=0, zorder=0)
            else:
                ax.axvline(start, color="0.55", lw=f["line"] * 0.8, ls=(0, (2, 2)), zorder=0)
            ax.annotate(
                name,
                xy=(start, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(2, -2),
                textcoords="offset points",
                va="top",
                ha="left",
                fontsize=f["tiny"],
                color="0.3",
            )
        span = int(summary["tick"].max() - summary["tick"].min() + 1)
        for structure in structures:
            line = summary[summary["structure"] == structure]
            style = structure_style(structure)
            n = int(here[here["structure"] == structure].shape[0])
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
        ax.set_xlabel("tick (working day)")
        ax.set_ylabel(_with_unit(measure, unit))
        ax.set_xlim(summary["tick"].min(), summary["tick"].max())
        ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(5))
        fig.legend(
            loc="outside upper center",
            ncol=min(len(structures), 2 if preset == "single" else 4),
            handlelength=2.6,
            columnspacing=1.2,
        )
    shocks = (
        "; ".join(
            f"{letter}: {kind} at ticks {start}-{end - 1}"
            if end - start > 1
            else f"{letter}: {kind} at tick {start}"
            for letter, (kind, start, end) in zip(_window_letters(windows), windows, strict=True)
        )
        or "none"
    )
    caption = (
        f"{_words(measure)} ({unit}) per tick under scenario '{scenario}', "
        f"mean over runs per structure (n = runs per structure, {_runs_text(here)}; "
        f"structures paired by seed). Band: {BAND_TEXT} at each tick, clipped to the"
        " measure's range."
        + (f" Each run smoothed by a trailing {smooth}-tick mean first." if smooth > 1 else "")
        + f" Shaded spans and dashed lines mark shocks ({shocks})."
        + f" Batch: {batch.folder}."
    )
    stem = Path(out) / f"timeseries_{measure}_{Path(scenario).stem}"
    return save(fig, stem, summary, caption)


def _shock_windows(batch: Any, runs: pd.DataFrame) -> list[tuple[str, int, int]]:
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


# --- 2. paired comparison --------------------------------------------------------------------


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
        batch: A :class:`~sim.batch.BatchResult`.
        reference: The reference structure (default: the experiment's first).
        out: Folder for the files.
        preset: A key of :data:`PRESETS`.
        outcomes: Summary columns (default: the experiment's outcomes).

    Returns:
        The paths written.
    """
    _check_preset(preset)
    runs = _ok_runs(batch)
    structures = list(dict.fromkeys(runs["structure"]))
    if len(structures) < 2:
        raise ConfigError(
            f"{batch.folder}: holds one structure ({structures[0]}); allowed: a batch of two"
            " or more"
        )
    reference = _choose("--reference", reference, structures, structures[0])
    available = _outcome_columns(runs)
    if outcomes is None:
        wanted = _manifest(batch).get("spec", {}).get("outcomes") or list(HEADLINE)
        outcomes = [o for o in wanted if o in available]
    else:
        for o in outcomes:
            _choose("--outcome", o, available, None)
    table = analysis.paired_comparison(runs, reference, outcomes)
    scale = table["mean_reference"].abs()
    undefined = table[(scale < 1e-12) | scale.isna()]
    table = table.drop(undefined.index)
    for col, src in (("pct_difference", "mean_difference"), ("pct_ci_low", "ci_low")):
        table[col] = 100.0 * table[src] / table["mean_reference"].abs()
    table["pct_ci_high"] = 100.0 * table["ci_high"] / table["mean_reference"].abs()
    table["excludes_zero"] = (table["ci_low"] > 0) | (table["ci_high"] < 0)
    table["unit"] = [outcome_unit(o) for o in table["outcome"]]
    outcomes = [o for o in outcomes if o in set(table["outcome"])]
    if not outcomes:
        raise ConfigError(
            f"{batch.folder}: no outcome has a nonzero reference mean; allowed outcomes such as "
            + ", ".join(available[:8])
        )
    scenarios = list(dict.fromkeys(table["scenario"]))
    others = [s for s in structure_order(table["other"]) if s in set(table["other"])]
    width, height = PRESETS[preset]
    rows = len(outcomes)
    with _style(preset) as f:
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
        dodge = 0.6 / max(1, len(others))
        lo = min(0.0, float(table["pct_ci_low"].min()))
        hi = max(0.0, float(table["pct_ci_high"].max()))
        symlog = max(-lo, hi) > SYMLOG_ABOVE
        if symlog:
            lo, hi = _symlog_limits(lo), _symlog_limits(hi)
        pad = 0.06 * (hi - lo or 1.0)
        for ax, scenario in zip(axes[0], scenarios, strict=True):
            ax.axvline(0.0, color="0.3", lw=f["line"] * 0.7, zorder=1)
            for i in range(rows):
                if i % 2 == 0:
                    ax.axhspan(i - 0.5, i + 0.5, color="0.94", lw=0, zorder=0)
            for k, other in enumerate(others):
                style = structure_style(other)
                part = table[(table["scenario"] == scenario) & (table["other"] == other)]
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
            ax.set_title(
                "\n".join(textwrap.wrap(_words(scenario), 12 if len(scenarios) > 2 else 30)),
                fontsize=f["small"],
            )
            if symlog:
                ax.set_xscale("symlog", linthresh=LINTHRESH, linscale=0.6)
                ax.set_xlim(lo, hi)
                ticks = [t for t in (-100, -LINTHRESH, 0, LINTHRESH, 100) if lo <= t <= hi]
                if preset == "single" and len(scenarios) > 1:
                    ticks = [t for t in ticks if abs(t) != LINTHRESH]
                ax.set_xticks(ticks, [f"{t:g}".replace("-", "−") for t in ticks])
                minor = [t for t in (-50, -20, -5, 5, 20, 50) if lo <= t <= hi]
                ax.set_xticks(minor, minor=True)
            else:
                ax.set_xlim(lo - pad, hi + pad)
                ax.xaxis.set_major_locator(MaxNLocator(2 if preset == "single" else 4))
            ax.set_ylim(-0.5, rows - 0.5)
            ax.tick_params(axis="y", length=0)
        axes[0][0].set_yticks([y_of[o] for o in outcomes], [_outcome_label(o) for o in outcomes])
        fig.supxlabel(
            f"difference vs {structure_label(reference)} (% of its mean)", fontsize=f["base"]
        )
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
    n_text = _n_text(table["n_pairs"])
    caption = (
        f"Paired differences of each outcome (other structure minus {reference}), per scenario, "
        f"as percent of {reference}'s mean of that outcome, so outcomes of different units share "
        f"one axis (the CSV holds the differences in their own units too). Dot: mean difference "
        f"over {n_text} pairs (runs sharing scenario, design point and seed). Bars: 95% percentile"
        " bootstrap interval (2000 resamples); a filled dot's interval excludes zero, a hollow"
        " one's does not. Arrows after a name: the better direction (↑ higher, ↓ lower)."
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
    stem = Path(out) / f"comparison_vs_{Path(reference).stem}"
    return save(fig, stem, table.reset_index(drop=True), caption)


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
    return _words(outcome) + arrow


# --- 3. crossover ----------------------------------------------------------------------------


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
        batch: A :class:`~sim.batch.BatchResult` of a design over ``x`` and ``y``.
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
    _check_preset(preset)
    runs = _ok_runs(batch)
    params = [c.removeprefix("param.") for c in runs.columns if c.startswith("param.")]
    declared = [u["name"] for u in _manifest(batch).get("spec", {}).get("uncertainties", [])]
    varied = [p for p in dict.fromkeys([*declared, *params]) if p in params]
    varied = [p for p in varied if runs[f"param.{p}"].nunique() > 1]
    x = _choose("--x", x, varied, varied[0] if varied else None)
    y = _choose("--y", y, [p for p in varied if p != x], next((p for p in varied if p != x), None))
    structures = list(dict.fromkeys(runs["structure"]))
    reference = _choose("--reference", reference, structures, structures[0])
    rest = [s for s in structures if s != reference]
    other = _choose("--other", other, rest, rest[0] if rest else None)
    outcome = _choose("--outcome", outcome, _outcome_columns(runs), _default_outcome(batch, runs))
    grid = analysis.crossover_grid(runs, x, y, outcome, reference, other)
    table = grid.pivot(index=y, columns=x, values="mean").sort_index().sort_index(axis=1)
    xs = table.columns.to_numpy(dtype=float)
    ys = table.index.to_numpy(dtype=float)
    z = table.to_numpy(dtype=float)
    limit = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 1.0
    limit = limit or 1.0
    unit = outcome_unit(outcome)
    better = HEADLINE.get(outcome, "")
    from sim.config.params import param_infos

    infos = param_infos()

    def axis_label(name: str) -> str:
        unit_ = infos[name].unit if name in infos else ""
        return _with_unit(name, unit_)

    with _style(preset) as f:
        fig, ax = plt.subplots(figsize=PRESETS[preset], layout="constrained")
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
        wrap = {"single": 40, "double": 60, "slides": 60}[preset]
        ax.set_xlabel(textwrap.fill(axis_label(x), wrap + 15))
        ax.set_ylabel(textwrap.fill(axis_label(y), wrap))
        ax.set_xticks(xs, [f"{v:.3g}" for v in xs])
        ax.set_yticks(ys, [f"{v:.3g}" for v in ys])
        ax.spines[["top", "right"]].set_visible(True)
        bar = fig.colorbar(mesh, ax=ax, fraction=0.08, pad=0.02, aspect=25)
        bar.set_label(
            f"Δ {_words(outcome)} ({unit})" if unit else f"Δ {_words(outcome)}",
            fontsize=f["small"],
        )
        bar.ax.tick_params(labelsize=f["tiny"])
        bar.ax.yaxis.set_major_locator(MaxNLocator(5))
        high_side, low_side = _sides(better, reference, other)
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
        fig.get_layout_engine().set(h_pad=f["base"] / 72 * 1.6)
    grid.insert(0, "outcome", outcome)
    grid.insert(1, "reference", reference)
    grid.insert(2, "other", other)
    grid = grid.rename(columns={"mean": "mean_difference", "count": "n_pairs"})
    caption = (
        f"Mean paired difference of {outcome}" + (f" ({unit})" if unit else "") + f", {other}"
        f" minus {reference}, over {x} (x) and {y} (y); each cell averages"
        f" {_n_text(grid['n_pairs'])}"
        f" pairs of runs that share design point and seed. Colours diverge from 0 (PuOr): "
        + _side_sentence(better, reference, other)
        + " The black line is the zero contour (linear interpolation between cell centres): on"
        " either side a different structure does better. Cell numbers are the plotted means;"
        " no interval is shown (see the CSV's n_pairs)." + f" Batch: {batch.folder}."
    )
    stem = Path(out) / f"crossover_{outcome}_{y}_vs_{x}"
    return save(fig, stem, grid, caption)


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


# --- 4. sensitivity --------------------------------------------------------------------------


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
        batch: A :class:`~sim.batch.BatchResult` of a Morris or Sobol design.
        outcome: Summary column (default: the experiment's first outcome).
        structure: The structure analysed (default: the experiment's first).
        out: Folder for the files.
        preset: A key of :data:`PRESETS`.

    Returns:
        The paths written.
    """
    from sim.experiments.batch import experiment_from_spec

    _check_preset(preset)
    runs = _ok_runs(batch)
    manifest = _manifest(batch)
    experiment = experiment_from_spec(manifest["spec"])
    kind = experiment.design.kind
    if kind not in ("morris", "sobol"):
        raise ConfigError(
            f"{batch.folder}: design kind is {kind!r}; allowed for --kind sensitivity: a morris or"
            " sobol batch"
        )
    structures = list(dict.fromkeys(runs["structure"]))
    structure = _choose("--structure", structure, structures, structures[0])
    outcome = _choose("--outcome", outcome, _outcome_columns(runs), _default_outcome(batch, runs))
    problem = experiment.salib_problem()
    points = pd.DataFrame(experiment.points())
    y = analysis.point_means(runs, outcome, structure).reindex(range(len(points)))
    missing = int(y.isna().sum())
    if missing:
        raise ConfigError(
            f"--outcome = {outcome!r} is missing (NaN or failed runs) at {missing} of {len(y)}"
            f" design points for {structure}; allowed an outcome measured at every point"
        )
    unit = outcome_unit(outcome)
    reps = experiment.replications
    if kind == "morris":
        levels = experiment.design.morris_levels
        table = analysis.morris_indices(problem, points, y, levels)
        table = table.sort_values("mu_star").reset_index(drop=True)
        notes: list[str] = []
    else:
        table, notes = analysis.sobol_indices(
            problem, y, n=experiment.design.n or 0, second_order=experiment.design.second_order
        )
        table = table.sort_values("ST").reset_index(drop=True)
    names = [_words(p) for p in table["parameter"]]
    width, height = PRESETS[preset]
    with _style(preset) as f:
        height = max(height, 0.8 + len(names) * f["small"] / 72 * 1.7)
        fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
        pos = np.arange(len(names))
        if kind == "morris":
            ax.barh(
                pos,
                table["mu_star"],
                xerr=table["mu_star_conf"],
                color="#0072B2",
                height=0.65,
                error_kw={"elinewidth": f["line"] * 0.8, "capsize": 0, "ecolor": "0.25"},
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
            ax.set_xlabel(
                f"elementary effect on {_words(outcome)}" + (f"\n({unit})" if unit else "")
            )
        else:
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
                    error_kw={"elinewidth": f["line"] * 0.8, "capsize": 0, "ecolor": "0.25"},
                    label=label,
                )
            ax.axvline(0.0, color="0.3", lw=f["line"] * 0.6)
            ax.set_xlabel(f"Sobol index of {_words(outcome)}\n(share of variance)")
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
    table.insert(0, "outcome", outcome)
    table.insert(1, "structure", structure)
    table.insert(2, "design", kind)
    n_points = len(points)
    if kind == "morris":
        what = (
            f"Morris screening of {outcome}" + (f" ({unit})" if unit else "") + f" for "
            f"{structure}: bars give mu* (mean absolute elementary effect, in the outcome's unit"
            " per full parameter range) with 95% bootstrap intervals, hollow diamonds give sigma"
            " (their standard deviation: large sigma means interactions or nonlinearity)."
            f" n = {experiment.design.n} trajectories on a {experiment.design.morris_levels}-level"
            f" grid ({n_points} design points, {reps} replication(s) each, averaged per point)."
        )
    else:
        what = (
            f"Sobol indices of {outcome} for {structure}: first-order S1 and total-order ST"
            " (share of the outcome's variance) with 95% bootstrap intervals (SALib)."
            f" Saltelli base n = {experiment.design.n} ({n_points} design points,"
            f" {reps} replication(s) each, averaged per point)."
        )
    caption = what + (" Notes: " + "; ".join(notes) + "." if notes else "")
    caption += f" Batch: {batch.folder}."
    stem = Path(out) / f"sensitivity_{kind}_{outcome}_{Path(structure).stem}"
    return save(fig, stem, table, caption)


# --- 5. time allocation ----------------------------------------------------------------------


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
        batch: A :class:`~sim.batch.BatchResult`.
        out: Folder for the files.
        preset: A key of :data:`PRESETS`.
        scenario: The scenario shown (default: the batch's first).

    Returns:
        The paths written.
    """
    _check_preset(preset)
    runs = _ok_runs(batch)
    scenarios = list(dict.fromkeys(runs["scenario"]))
    scenario = _choose("--scenario", scenario, scenarios, scenarios[0])
    here = runs[runs["scenario"] == scenario]
    share_cols = [f"cio_share_{a}" for a in ACTIVITIES]
    absent = [c for c in [*share_cols, "cio_nontechnical_share"] if c not in here]
    if absent:
        raise ConfigError(f"{batch.folder}: runs lack {', '.join(absent)}; allowed a newer batch")
    here = here.dropna(subset=["cio_nontechnical_share"])
    if not len(here):
        raise ConfigError(f"{batch.folder}: no run has a CIO with time used; allowed a CIO batch")
    structures = [s for s in structure_order(here["structure"]) if s in set(here["structure"])]
    shares = here.groupby("structure")[share_cols].mean().reindex(structures)
    nontech = _t_interval(here.groupby("structure")["cio_nontechnical_share"]).reindex(structures)
    low, high, _pattern, source = PATTERNS["cio_nontechnical_share"]
    labels = [structure_label(s) for s in structures]
    width, height = PRESETS[preset]
    with _style(preset) as f:
        fig, (ax, side) = plt.subplots(
            1,
            2,
            figsize=(width, height),
            sharey=True,
            width_ratios=(2.2, 1.0),
            layout="constrained",
        )
        fig.get_layout_engine().set(wspace=0.06)
        pos = np.arange(len(structures))[::-1]
        left = np.zeros(len(structures))
        for activity, col in zip(ACTIVITIES, share_cols, strict=True):
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
                    dark = activity in ("decisions", "coordination", "stakeholder", "incidents")
                    ax.text(
                        start + v / 2,
                        p,
                        f"{v:.0%}".replace("%", ""),
                        ha="center",
                        va="center",
                        fontsize=f["tiny"],
                        color="white" if dark else "black",
                    )
            left += np.nan_to_num(values)
        ax.set_xlim(0, 1)
        ax.set_yticks(pos, labels)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("share of CIO hours (%)")
        ax.xaxis.set_major_locator(plt.FixedLocator([0, 0.25, 0.5, 0.75, 1.0]))
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v * 100:.0f}"))
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
        ncol = 4 if preset != "slides" else 8
        fig.legend(
            loc="outside lower center",
            ncol=ncol,
            handlelength=1.0,
            columnspacing=0.8,
            handletextpad=0.4,
            fontsize=f["tiny"] if preset == "single" else f["small"],
        )
    data = shares.copy()
    data.columns = [c.removeprefix("cio_share_") for c in share_cols]
    data = data.add_prefix("share_")
    data["nontechnical_mean"] = nontech["mean"]
    data["nontechnical_ci_low"] = nontech["ci_low"]
    data["nontechnical_ci_high"] = nontech["ci_high"]
    data["n"] = nontech["n"]
    data["survey_low"] = low
    data["survey_high"] = high
    data = data.reset_index().rename(columns={"index": "structure"})
    data.insert(0, "scenario", scenario)
    caption = (
        f"How the CIO's hours split over activities under scenario '{scenario}' (left: mean"
        f" share per activity over runs, {_n_text(nontech['n'])} runs per structure,"
        f" {_runs_text(here)}; numbers are percent; * marks people work), and the CIO's"
        f" non-technical share (right: dot = mean, bar = {BAND_TEXT}). Non-technical time is all"
        " but incidents, planning and technical decisions, so it is not one stack of the bars."
        f" Grey band: the surveyed range {low}-{high} ({source})."
        f" Batch: {batch.folder}."
    )
    stem = Path(out) / f"time_allocation_{Path(scenario).stem}"
    return save(fig, stem, data, caption)


KINDS: dict[str, Callable[..., list[Path]]] = {
    "timeseries": timeseries,
    "comparison": comparison,
    "crossover": crossover,
    "sensitivity": sensitivity,
    "allocation": time_allocation,
}
