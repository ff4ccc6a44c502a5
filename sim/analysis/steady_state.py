"""Warm-up and steady state: where the baseline's start-up transient ends, and what still drifts.

A run starts from a fresh organisation: no backlog, rested staff, no debt, trust with no
evidence. The per-tick measures then move for hundreds of ticks before they settle, so run
summaries must leave that transient out (``Params.warmup``). The warm-up is set from the data,
with MSER-5 (White 1997; White, Cobb & Spratt 2000), which Hoad, Robinson & Davies (2010) found
the most reliable of the automatic truncation rules they compared: batch the series into means of
5 ticks and truncate where the variance of the mean of what remains is smallest. It is applied to
the mean over seeds of each measure (the ensemble mean, as Welch's method averages replications
before it looks for the end of the transient), and the truncation is searched in the first half
of the series only, as the rule requires.

Some processes are slow by design and do not settle within a run: under the single CIO, debt
grows for the whole run and the backlog with it (the capability trap of Repenning & Sterman 2001
unfolds over years), and the value delivered falls as more of it is lost to lateness;
psychological safety erodes slowly under sustained exhaustion; and the
share at burnout risk falls slowly as the most exhausted leave and are replaced (staff turnover
renews the workforce over about three years, while team exhaustion itself stays level). These
are named in :data:`SLOW`; the summaries average them over the stated window
``[warmup, steps)``, and :func:`drift_table` reports how far they move inside it. The measures in
:data:`SETTLING` must not drift by more than :data:`DRIFT_TOLERANCE` (tested in
``tests/test_steady_state.py``; the figures are in ``docs/steady_state.md``, made by
``scripts/steady_state.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

# MSER's batch size: 5 ticks (the "-5" of MSER-5).
BATCH = 5
# Headline per-tick measures whose start-up transient sets the warm-up, and which must be settled
# after it.
SETTLING = (
    "team_exhaustion",
    "business_trust_mean",
    "unplanned_share",
    "it_cost",
)
# Slow processes the ODD names (section 5): they move for the whole run by design.
SLOW = ("debt_mean", "backlog", "value_delivered", "safety_mean", "burnout_share")
# Largest drift allowed for a SETTLING measure after the warm-up: the difference between the
# means of the second and the first half of the window, in between-seed standard deviations of
# the window mean. At a quarter of what one seed differs from another, where in the window a
# comparison looks matters far less than which seed it looks at.
DRIFT_TOLERANCE = 0.25


def baseline_ticks(job: tuple[str, int, int]) -> pd.DataFrame:
    """The measures of one baseline run with no warm-up: ``job`` is (structure, seed, steps).

    A module-level function, so a spawned process pool can run it by name.
    """
    from sim.api import run  # here, not at the top: sim.api imports the analysis package

    structure, seed, steps = job
    result = run("baseline", structure=structure, seed=seed, steps=steps, warmup=0)
    return result.ticks[["tick", *SETTLING, *SLOW]]


def mser(series: Sequence[float] | np.ndarray, batch: int = BATCH) -> int:
    """The MSER truncation point of one series, in ticks.

    Args:
        series: The measure tick by tick (NaN ticks are left out of each batch mean).
        batch: Ticks per batch mean.

    Returns:
        The first tick kept: a multiple of ``batch`` below half the series' length, where
        ``sum((y_i - mean)^2) / (n - d)^2`` over the batch means kept is smallest.
    """
    values = np.asarray(series, dtype=float)
    n = len(values) // batch
    if n < 2:
        return 0
    with np.errstate(all="ignore"):  # an all-NaN batch gives NaN and is skipped below
        means = np.nanmean(values[: n * batch].reshape(n, batch), axis=1)
    means = means[~np.isnan(means)]
    n = len(means)
    best, best_d = math.inf, 0
    for d in range(n // 2):
        kept = means[d:]
        score = float(((kept - kept.mean()) ** 2).sum()) / len(kept) ** 2
        if score < best:
            best, best_d = score, d
    return best_d * batch


def ensemble_mean(runs: Sequence[pd.DataFrame], measure: str) -> np.ndarray:
    """The mean over runs of one per-tick measure, tick by tick (NaN where no run has a value)."""
    stacked = np.vstack([r[measure].to_numpy(dtype=float) for r in runs])
    with np.errstate(all="ignore"):
        return np.nanmean(stacked, axis=0)


def warmup_table(
    runs: Mapping[str, Sequence[pd.DataFrame]], measures: Sequence[str] = SETTLING + SLOW
) -> pd.DataFrame:
    """MSER-5 truncation point of each measure's ensemble mean, per structure.

    Args:
        runs: Structure -> the per-tick tables of its runs (one per seed, equal lengths).
        measures: Per-tick columns to analyse.

    Returns:
        One row per structure and measure: ``structure``, ``measure``, ``settling`` (True for a
        measure of :data:`SETTLING`), ``mser_tick`` (first tick kept) and ``series_ticks``.
    """
    rows = []
    for structure, tables in runs.items():
        for measure in measures:
            mean = ensemble_mean(tables, measure)
            rows.append(
                {
                    "structure": structure,
                    "measure": measure,
                    "settling": measure in SETTLING,
                    "mser_tick": mser(mean),
                    "series_ticks": len(mean),
                }
            )
    return pd.DataFrame(rows)


def recommended_warmup(table: pd.DataFrame, step: int = 50) -> int:
    """The warm-up the table supports: the latest MSER-5 point of a SETTLING measure, rounded up.

    Args:
        table: :func:`warmup_table` output.
        step: Rounding, in ticks.
    """
    latest = int(table.loc[table["settling"], "mser_tick"].max())
    return int(math.ceil(latest / step) * step)


def drift_table(
    runs: Mapping[str, Sequence[pd.DataFrame]],
    warmup: int,
    measures: Sequence[str] = SETTLING + SLOW,
) -> pd.DataFrame:
    """How far each measure still moves after the warm-up, per structure.

    The window ``[warmup, end)`` is cut in two halves; each run gives the mean of each half.

    Args:
        runs: Structure -> the per-tick tables of its runs.
        warmup: First tick of the window.
        measures: Per-tick columns.

    Returns:
        One row per structure and measure: ``first_half`` and ``second_half`` (means over runs),
        ``drift`` (second minus first), ``relative_drift`` (drift over the window mean),
        ``seed_sd`` (between-seed standard deviation of the window mean), ``drift_sd`` (drift in
        seed standard deviations), ``settling`` and ``within_tolerance``
        (``|drift_sd| <= DRIFT_TOLERANCE``).
    """
    rows = []
    for structure, tables in runs.items():
        for measure in measures:
            values = np.vstack([t[measure].to_numpy(dtype=float)[warmup:] for t in tables])
            half = values.shape[1] // 2
            with np.errstate(all="ignore"):
                first = np.nanmean(values[:, :half], axis=1)
                second = np.nanmean(values[:, half:], axis=1)
                window = np.nanmean(values, axis=1)
            drift = float(np.nanmean(second) - np.nanmean(first))
            level = float(np.nanmean(window))
            sd = float(np.nanstd(window, ddof=1)) if len(window) > 1 else math.nan
            drift_sd = drift / sd if sd > 0 else (0.0 if drift == 0 else math.inf)
            rows.append(
                {
                    "structure": structure,
                    "measure": measure,
                    "first_half": float(np.nanmean(first)),
                    "second_half": float(np.nanmean(second)),
                    "drift": drift,
                    "relative_drift": drift / level if level else math.nan,
                    "seed_sd": sd,
                    "drift_sd": drift_sd,
                    "settling": measure in SETTLING,
                    "within_tolerance": abs(drift_sd) <= DRIFT_TOLERANCE,
                }
            )
    return pd.DataFrame(rows)


def settled_warmup(
    runs: Mapping[str, Sequence[pd.DataFrame]],
    window: int,
    step: int = 50,
    measures: Sequence[str] = SETTLING,
) -> int | None:
    """The shortest warm-up after which every measure is flat over the next ``window`` ticks.

    Welch's method made automatic: the ensemble is flat over ``[w, w + window)`` when, for every
    structure and measure, :func:`drift_table` finds the drift within :data:`DRIFT_TOLERANCE`.

    Args:
        runs: Structure -> the per-tick tables of its runs, at least ``window`` ticks long.
        window: Measured ticks after the warm-up (``steps - warmup``).
        step: Candidate warm-ups are multiples of ``step``.
        measures: Columns that must be flat.

    Returns:
        The smallest such multiple of ``step``, or None when none fits in the runs.
    """
    length = min(len(t) for tables in runs.values() for t in tables)
    for warmup in range(0, length - window + 1, step):
        cut = {s: [t.iloc[: warmup + window] for t in tables] for s, tables in runs.items()}
        if drift_table(cut, warmup, measures)["within_tolerance"].all():
            return warmup
    return None
