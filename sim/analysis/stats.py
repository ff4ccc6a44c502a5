"""Statistics on a finished batch: paired comparisons, resilience and sensitivity indices.

Runs pair when they share scenario, design point and replication: they then had the same seed,
so the same demand, shocks and market (common random numbers), and differ only by structure.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sim.model.outcomes import (
    HEADLINE,
    REALIGN_WINDOW,
    aligned_value,
    first_realigned,
    window_alignment,
)

PAIR_KEY = ["scenario", "point", "replication"]
N_BOOT = 2000
STABLE_SOBOL_N = 256  # Saltelli's N below which indices are often unstable


def bootstrap_ci(
    values: np.ndarray, *, level: float = 0.95, n_boot: int = N_BOOT, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (seeded, so the same data give the same CI)."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = rng.choice(values, size=(n_boot, len(values)), replace=True).mean(axis=1)
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(means, [tail, 100.0 - tail])
    return float(low), float(high)


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values (family-wise error control; NaNs stay NaN)."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    order = valid[np.argsort(p[valid], kind="stable")]
    m = len(order)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return adjusted


def paired_comparison(
    runs: pd.DataFrame,
    reference: str,
    outcomes: Sequence[str] | None = None,
    others: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Paired differences ``other - reference`` per scenario and outcome.

    Each row gives the pairs' count, both means, the mean difference with its 95% bootstrap
    interval, the effect size d_z (mean difference over the differences' standard deviation),
    the Wilcoxon signed-rank p-value and its Holm-adjusted value across the whole table.
    """
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    outcomes = list(outcomes or [o for o in HEADLINE if o in ok])
    structures = list(dict.fromkeys(ok["structure"]))
    if reference not in structures:
        raise ValueError(f"reference structure {reference!r} is not in the batch: {structures}")
    others = list(others or [s for s in structures if s != reference])
    rows = []
    for scenario in dict.fromkeys(ok["scenario"]):
        here = ok[ok["scenario"] == scenario]
        ref = here[here["structure"] == reference].set_index(PAIR_KEY)
        for other in others:
            alt = here[here["structure"] == other].set_index(PAIR_KEY)
            common = ref.index.intersection(alt.index)
            for outcome in outcomes:
                a = ref.loc[common, outcome].to_numpy(dtype=float)
                b = alt.loc[common, outcome].to_numpy(dtype=float)
                keep = ~(np.isnan(a) | np.isnan(b))
                rows.append(_row(scenario, outcome, reference, other, a[keep], b[keep]))
    table = pd.DataFrame(rows)
    if len(table):
        table["p_holm"] = holm(table["p_wilcoxon"])
    return table


def _row(scenario, outcome, reference, other, a: np.ndarray, b: np.ndarray) -> dict:
    diff = b - a
    n = len(diff)
    low, high = bootstrap_ci(diff)
    sd = float(diff.std(ddof=1)) if n > 1 else math.nan
    effect = float(diff.mean() / sd) if n > 1 and sd > 0 else math.nan
    p = math.nan
    if n > 0 and np.any(diff != 0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # small-sample notes from scipy
            p = float(stats.wilcoxon(diff, zero_method="wilcox").pvalue)
    elif n > 0:
        p = 1.0
    better = HEADLINE.get(outcome, "")
    winner = ""
    if better and n and not math.isnan(low) and (low > 0 or high < 0):
        other_higher = low > 0
        winner = other if (other_higher == (better == "higher")) else reference
    return {
        "scenario": scenario,
        "outcome": outcome,
        "reference": reference,
        "other": other,
        "n_pairs": n,
        "mean_reference": float(a.mean()) if n else math.nan,
        "mean_other": float(b.mean()) if n else math.nan,
        "mean_difference": float(diff.mean()) if n else math.nan,
        "ci_low": low,
        "ci_high": high,
        "effect_size_dz": effect,
        "p_wilcoxon": p,
        "better": better,
        "ci_favours": winner,
    }


def resilience(
    ticks: pd.DataFrame,
    runs: pd.DataFrame,
    measure: str,
    *,
    shock_start: int,
    counterfactual: str = "baseline",
    higher_is_better: bool = True,
    smooth: int = 10,
    tolerance: float = 0.1,
) -> pd.DataFrame:
    """Dip, recovery time and area between a shocked run and its no-shock counterfactual.

    A shocked scenario built on ``counterfactual`` by adding shocks only, run on the same seed,
    is its exact counterfactual (the shock stream never shifts any other). For every run of a
    shocked scenario, the loss is the counterfactual minus the shocked trajectory (reversed when
    lower is better), smoothed over a trailing window of ``smooth`` ticks that holds post-shock
    ticks only (so the first ticks after the shock are not diluted by calm ones).

    Returns:
        One row per shocked run: ``depth`` (largest loss), ``recovery_ticks`` (from the shock
        until the loss is back within ``tolerance`` of the depth, NaN if never), ``area`` (summed
        loss from the shock on).
    """
    key = ["structure", "point", "replication"]
    meta = runs.set_index("run_id")[["scenario", *key]]
    frame = ticks[["run_id", "tick", measure]].join(meta, on="run_id")
    base = frame[frame["scenario"] == counterfactual].set_index([*key, "tick"])[measure]
    rows = []
    for scenario in dict.fromkeys(frame["scenario"]):
        if scenario == counterfactual:
            continue
        shocked = frame[frame["scenario"] == scenario]
        for run_id, group in shocked.groupby("run_id", sort=False):
            first = group.iloc[0]
            index = pd.MultiIndex.from_arrays([group[k] for k in (*key, "tick")])
            reference = base.reindex(index).to_numpy(dtype=float)
            loss = reference - group[measure].to_numpy(dtype=float)
            if not higher_is_better:
                loss = -loss
            after = group["tick"].to_numpy() >= shock_start
            post = pd.Series(loss[after]).rolling(smooth, min_periods=1).mean().to_numpy()
            depth = float(np.nanmax(post)) if post.size else math.nan
            recovery = math.nan
            if post.size and depth > 0:
                peak = int(np.nanargmax(post))
                back = np.flatnonzero(post[peak:] <= tolerance * depth)
                if back.size:
                    recovery = float(group["tick"].to_numpy()[after][peak + back[0]] - shock_start)
            rows.append(
                {
                    "run_id": run_id,
                    "scenario": scenario,
                    "structure": first["structure"],
                    "point": first["point"],
                    "replication": first["replication"],
                    "measure": measure,
                    "depth": depth,
                    "recovery_ticks": recovery,
                    "area": float(np.nansum(post)),
                }
            )
    return pd.DataFrame(rows)


def realign_against_counterfactual(
    ticks: pd.DataFrame,
    runs: pd.DataFrame,
    *,
    shock_start: int,
    counterfactual: str = "baseline",
    window: int = REALIGN_WINDOW,
) -> pd.DataFrame:
    """Time to re-align after a market shock, against the no-shock run on the same seed.

    MODEL.md: the ticks until the aligned share of delivered strategic value is back to its
    pre-shock level. The level it would have had is the counterfactual's: for each tick ``k`` from
    the shock on, both runs' aligned share is taken over the ``window`` ticks ``k .. k + window -
    1`` (post-shock ticks only, value-weighted from the published ``strategic_alignment`` and
    ``strategic_value`` columns), and the answer is the first ``k - shock_start`` at which the
    shocked run's share is at least 95% of the counterfactual's (0 if the shock did not dent it,
    NaN if it never recovers within the run).

    Returns:
        One row per shocked run: ``run_id``, ``scenario``, ``structure``, ``point``,
        ``replication``, ``realign_ticks``.
    """
    key = ["structure", "point", "replication"]
    meta = runs.set_index("run_id")[["scenario", *key]]
    frame = ticks[["run_id", "tick", "strategic_alignment", "strategic_value"]].join(
        meta, on="run_id"
    )
    frame = frame[frame["tick"] >= shock_start].sort_values(["run_id", "tick"])
    base = {
        tuple(k): g for k, g in frame[frame["scenario"] == counterfactual].groupby(key, sort=False)
    }
    rows = []
    for (run_id, scenario, *ids), group in frame.groupby(["run_id", "scenario", *key], sort=False):
        if scenario == counterfactual:
            continue
        twin = base.get(tuple(ids))
        realign = math.nan
        if twin is not None:
            tick = group["tick"].to_numpy()
            # A batch may keep every k-th tick only: the window then spans as many ticks.
            step = int(np.median(np.diff(tick))) if len(tick) > 1 else 1
            rows_per_window = max(1, round(window / step))
            twin = twin.set_index("tick").reindex(tick)
            level = window_alignment(
                aligned_value(group), group["strategic_value"].to_numpy(float), rows_per_window
            )
            reference = window_alignment(
                aligned_value(twin), twin["strategic_value"].to_numpy(float), rows_per_window
            )
            k = first_realigned(level, reference)
            realign = math.nan if math.isnan(k) else float(tick[int(k)] - shock_start)
        rows.append(
            dict(zip(["run_id", "scenario", *key], [run_id, scenario, *ids], strict=True))
            | {"realign_ticks": realign}
        )
    return pd.DataFrame(rows)


def resilience_by_scenario(
    runs: pd.DataFrame,
    ticks: pd.DataFrame,
    events: pd.DataFrame,
    measure: str,
    *,
    counterfactual: str = "baseline",
    higher_is_better: bool = True,
) -> pd.DataFrame:
    """:func:`resilience` of every shocked scenario, each from its earliest shock's start.

    Scenarios with a market shock (``theme_reweighting``) also get ``realign_ticks`` from
    :func:`realign_against_counterfactual`, counted from their first re-weighting; it is NaN for
    the others.

    Returns:
        One row per shocked run (empty when no scenario but the counterfactual has shocks).
    """
    starts = events.merge(runs[["run_id", "scenario"]], on="run_id")
    parts = []
    for scenario, group in starts.groupby("scenario", sort=False):
        if scenario == counterfactual:
            continue
        pair = runs[runs["scenario"].isin([scenario, counterfactual])]
        part = resilience(
            ticks,
            pair,
            measure,
            shock_start=int(group["start"].min()),
            counterfactual=counterfactual,
            higher_is_better=higher_is_better,
        )
        market = group[group["kind"] == "theme_reweighting"]
        part["realign_ticks"] = math.nan
        if len(market) and len(part):
            realign = realign_against_counterfactual(
                ticks, pair, shock_start=int(market["start"].min()), counterfactual=counterfactual
            )
            part["realign_ticks"] = part["run_id"].map(realign.set_index("run_id")["realign_ticks"])
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def point_means(runs: pd.DataFrame, outcome: str, structure: str) -> pd.Series:
    """Mean of ``outcome`` per design point (replications averaged), for one structure."""
    ok = runs[(runs["status"] == "ok") & (runs["structure"] == structure)]
    return ok.groupby("point")[outcome].mean().sort_index()


def morris_indices(problem: dict, points: pd.DataFrame, y: pd.Series, levels: int) -> pd.DataFrame:
    """Morris elementary effects (mu*, sigma) per parameter (SALib)."""
    from SALib.analyze import morris

    x = points[problem["names"]].to_numpy(dtype=float)
    result = morris.analyze(problem, x, y.to_numpy(dtype=float), num_levels=levels, seed=0)
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "mu_star": result["mu_star"],
            "mu_star_conf": result["mu_star_conf"],
            "sigma": result["sigma"],
        }
    )


SOBOL_BOOT_SEED = 1  # any nonzero value; see sobol_indices


def sobol_indices(
    problem: dict, y: pd.Series, *, n: int, second_order: bool = False
) -> tuple[pd.DataFrame, list[str]]:
    """First-order and total Sobol indices with their 95% intervals (SALib), and warnings."""
    from SALib.analyze import sobol

    # SALib's Sobol analysis ignores a falsy seed (``if seed:``) and then draws its bootstrap
    # unseeded, so the intervals would change from call to call: seed it with a nonzero value.
    result = sobol.analyze(
        problem, y.to_numpy(dtype=float), calc_second_order=second_order, seed=SOBOL_BOOT_SEED
    )
    table = pd.DataFrame(
        {
            "parameter": problem["names"],
            "S1": result["S1"],
            "S1_conf": result["S1_conf"],
            "ST": result["ST"],
            "ST_conf": result["ST_conf"],
        }
    )
    notes = []
    if n < STABLE_SOBOL_N:
        notes.append(
            f"N = {n} is below {STABLE_SOBOL_N}: Sobol indices are often unstable at this size;"
            " raise design.n for conclusions"
        )
    wide = table[table["ST_conf"] > 0.5 * table["ST"].abs().clip(lower=0.05)]
    if len(wide):
        notes.append(
            "wide intervals (confidence above half the index) for: " + ", ".join(wide["parameter"])
        )
    return table, notes


def crossover_grid(
    runs: pd.DataFrame, x: str, y: str, outcome: str, reference: str, other: str
) -> pd.DataFrame:
    """Mean paired difference ``other - reference`` of ``outcome`` over a two-parameter grid."""
    ok = runs[runs["status"] == "ok"]
    key = ["scenario", "point", "replication"]
    a = ok[ok["structure"] == reference].set_index(key)
    b = ok[ok["structure"] == other].set_index(key)
    common = a.index.intersection(b.index)
    diff = pd.DataFrame(
        {
            x: a.loc[common, f"param.{x}"].to_numpy(),
            y: a.loc[common, f"param.{y}"].to_numpy(),
            "difference": (b.loc[common, outcome] - a.loc[common, outcome]).to_numpy(),
        }
    )
    return diff.groupby([y, x])["difference"].agg(["mean", "count"]).reset_index()
