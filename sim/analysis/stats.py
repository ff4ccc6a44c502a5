"""Statistics on a finished batch: paired comparisons, resilience and sensitivity indices.

Runs pair when they share scenario, design point and replication: they then had the same seed,
so the same demand, shocks and market (common random numbers), and differ only by structure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis import verdict
from sim.experiments.design import DUMMY
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


def design_cells(runs: pd.DataFrame) -> list[str]:
    """The ``param.*`` columns that a batch sweeps: they differ between its design points.

    A column counts when it has more than one value among the runs that have it (a structure
    number is recorded only for the structures that have it, so the others' NaN is not a value).

    Args:
        runs: One row per run.

    Returns:
        The swept columns, in table order (empty for a batch of one design point).
    """
    columns = [c for c in runs.columns if c.startswith("param.")]
    return [c for c in columns if runs[c].nunique(dropna=True) > 1]


def paired_comparison(
    runs: pd.DataFrame,
    reference: str,
    outcomes: Sequence[str] | None = None,
    others: Sequence[str] | None = None,
    *,
    pool: bool = False,
) -> pd.DataFrame:
    """Paired differences ``other - reference`` per scenario, design point and outcome.

    A batch whose design points differ (a sweep) is compared point by point, each point labelled
    by the levers it sets (:func:`design_cells`), never pooled over a lever that may flip the
    answer; pass ``pool=True`` to pool the points on purpose (the pairs still share their point).
    Every row carries the verdict rule of :mod:`sim.analysis.verdict`; the family of Holm's
    adjustment is the outcomes of one comparison (scenario, point and structure).

    Args:
        runs: One row per run (a batch's runs table, or stacked run summaries).
        reference: The structure the others are compared with.
        outcomes: Outcome columns; default the headline outcomes present.
        others: Structures compared with ``reference``; default all the others.
        pool: Compare over every design point at once instead of point by point.

    Returns:
        One row per scenario, (point and swept lever values), other structure and outcome:
        ``n_pairs``, ``mean_reference``, ``mean_other``, ``mean_difference`` with its interval
        ``ci_low``/``ci_high`` (``ci_method``: ``t`` or ``bca``), ``ratio`` (mean of other over
        mean of reference) with ``ratio_low``/``ratio_high`` (NaN unless both are
        non-negative), ``effect_size_dz`` (mean difference over the differences' standard
        deviation), ``p_value`` (paired t-test), ``p_holm``, ``p_wilcoxon`` (a
        distribution-free check beside the rule), ``better`` (``higher``/``lower``/``""``),
        ``favours`` (the structure the rule says does better, or ``""``), ``pairs_needed`` and
        ``verdict`` in words.

    Raises:
        ValueError: If ``reference`` is not one of the structures.
    """
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    outcomes = list(outcomes or [o for o in HEADLINE if o in ok])
    structures = list(dict.fromkeys(ok["structure"]))
    if reference not in structures:
        raise ValueError(f"reference structure {reference!r} is not in the batch: {structures}")
    others = list(others or [s for s in structures if s != reference])
    levers = [] if pool or "point" not in ok else design_cells(ok)
    by = ["scenario", "point"] if levers else ["scenario"]
    rows: list[dict] = []
    for key, here in ok.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        cell = dict(zip(by, key, strict=True))
        cell |= {c: here[c].dropna().iloc[0] if here[c].notna().any() else math.nan for c in levers}
        ref = here[here["structure"] == reference].set_index(PAIR_KEY)
        for other in others:
            alt = here[here["structure"] == other].set_index(PAIR_KEY)
            common = ref.index.intersection(alt.index)
            family = []
            for outcome in outcomes:
                a = ref.loc[common, outcome].to_numpy(dtype=float)
                b = alt.loc[common, outcome].to_numpy(dtype=float)
                keep = ~(np.isnan(a) | np.isnan(b))
                names = {"outcome": outcome, "reference": reference, "other": other}
                family.append((cell | names, a[keep], b[keep]))
            rows += _judge(family, reference, other)
    return pd.DataFrame(rows)


def _judge(family: list[tuple[dict, np.ndarray, np.ndarray]], reference: str, other: str):
    """The rows of one comparison: statistics, Holm over its outcomes, then each verdict."""
    p_values = [verdict.paired_p(b - a) for _, a, b in family]
    adjusted = verdict.holm(p_values)
    tests = max(1, int(np.sum(~np.isnan(adjusted))))
    rows = []
    for (row, a, b), p, p_holm in zip(family, p_values, adjusted, strict=True):
        diff = b - a
        n = len(diff)
        low, high, method = verdict.mean_interval(diff)
        ratio, ratio_low, ratio_high = verdict.ratio_interval(a, b)
        sd = float(diff.std(ddof=1)) if n > 1 else math.nan
        better = HEADLINE.get(row["outcome"], "")
        winner = verdict.favours(n, p_holm, low, high, better, reference, other)
        # Planned at the level Bonferroni gives the same family: Holm's first step.
        needed = verdict.pairs_needed(diff, alpha=verdict.ALPHA / tests)
        rows.append(
            row
            | {
                "n_pairs": n,
                "mean_reference": float(a.mean()) if n else math.nan,
                "mean_other": float(b.mean()) if n else math.nan,
                "mean_difference": float(diff.mean()) if n else math.nan,
                "ci_low": low,
                "ci_high": high,
                "ci_method": method,
                "ratio": ratio,
                "ratio_low": ratio_low,
                "ratio_high": ratio_high,
                "effect_size_dz": float(diff.mean() / sd) if n > 1 and sd > 0 else math.nan,
                "p_value": p,
                "p_holm": float(p_holm),
                "p_wilcoxon": verdict.wilcoxon_p(diff),
                "better": better,
                "favours": winner,
                "pairs_needed": needed,
                "verdict": verdict.verdict_text(winner, n, needed),
            }
        )
    return rows


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

    A run that is never back within the run is a right-censored observation, not a missing
    one: it is known not to have recovered within ``observed_ticks`` ticks of the shock, and
    :func:`resilience_summary` counts it as such.

    Sign of the loss: positive when the shocked run is worse than its counterfactual (lower
    when higher is better, higher when lower is better); negative when it does better.

    Returns:
        One row per shocked run: ``depth`` (largest smoothed loss, in the measure's unit),
        ``recovery_ticks`` (from the shock until the loss is back within ``tolerance`` of the
        depth after its peak; 0 when the loss never rises above zero, so there is nothing to
        recover from; NaN if never back within the run), ``area`` (the smoothed loss summed over
        the ticks from the shock to the run's end, in the measure's unit x ticks: positive is a
        cumulative loss against the no-shock run, negative means the shocked run did better than
        its counterfactual over that window), ``recovered`` (``recovery_ticks`` is finite) and
        ``observed_ticks`` (ticks observed after the shock, the last post-shock tick minus
        ``shock_start``: the censoring time of a run that did not recover; NaN when the run has
        no post-shock tick with a counterfactual to compare with).
    """
    key = ["structure", "point", "replication"]
    meta = runs.set_index("run_id")[["scenario", *key]]
    # Inner: a batch's tick table holds every run, and a left join would give the runs outside
    # ``runs`` NaN ids (and turn the integer ids into floats).
    frame = ticks[["run_id", "tick", measure]].join(meta, on="run_id", how="inner")
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
            tick = group["tick"].to_numpy()[after]
            post = pd.Series(loss[after]).rolling(smooth, min_periods=1).mean().to_numpy()
            seen = post.size > 0 and bool(np.isfinite(post).any())
            depth = float(np.nanmax(post)) if seen else math.nan
            recovery = math.nan
            if seen and depth <= 0:
                recovery = 0.0  # never worse than the counterfactual: nothing to recover from
            elif seen:
                peak = int(np.nanargmax(post))
                back = np.flatnonzero(post[peak:] <= tolerance * depth)
                if back.size:
                    recovery = float(tick[peak + back[0]] - shock_start)
            # A batch may keep every k-th tick only: each kept row then stands for k ticks.
            step = int(np.median(np.diff(tick))) if len(tick) > 1 else 1
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
                    "area": float(np.nansum(post)) * step if seen else math.nan,
                    "recovered": not math.isnan(recovery),
                    "observed_ticks": float(tick[-1] - shock_start) if seen else math.nan,
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

    A run that never re-aligns is right-censored at ``realign_observed_ticks``: the last ``k -
    shock_start`` whose window still fits in the run, so the latest re-alignment the run could
    have shown.

    Returns:
        One row per shocked run: ``run_id``, ``scenario``, ``structure``, ``point``,
        ``replication``, ``realign_ticks``, ``realigned`` (``realign_ticks`` is finite) and
        ``realign_observed_ticks`` (the censoring time; NaN when the run has no counterfactual
        or is too short for one window after the shock).
    """
    key = ["structure", "point", "replication"]
    meta = runs.set_index("run_id")[["scenario", *key]]
    frame = ticks[["run_id", "tick", "strategic_alignment", "strategic_value"]].join(
        meta, on="run_id", how="inner"
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
        realign = observed = math.nan
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
            if len(level):
                observed = float(tick[len(level) - 1] - shock_start)
        rows.append(
            dict(zip(["run_id", "scenario", *key], [run_id, scenario, *ids], strict=True))
            | {
                "realign_ticks": realign,
                "realigned": not math.isnan(realign),
                "realign_observed_ticks": observed,
            }
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

    Scenarios with a market shock (``theme_reweighting``) also get ``realign_ticks``,
    ``realigned`` and ``realign_observed_ticks`` from :func:`realign_against_counterfactual`,
    counted from their first re-weighting; for the others they are NaN (``realigned``: NA, a
    nullable boolean), since there is nothing to re-align from.

    Returns:
        One row per shocked run with the columns of :func:`resilience` and the three above
        (empty when no scenario but the counterfactual has shocks). :func:`resilience_summary`
        turns it into counts and survival-style medians.
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
        part["realigned"] = pd.array([pd.NA] * len(part), dtype="boolean")
        part["realign_observed_ticks"] = math.nan
        if len(market) and len(part):
            realign = realign_against_counterfactual(
                ticks, pair, shock_start=int(market["start"].min()), counterfactual=counterfactual
            ).set_index("run_id")
            for column in ("realign_ticks", "realign_observed_ticks"):
                part[column] = part["run_id"].map(realign[column]).astype(float)
            part["realigned"] = part["run_id"].map(realign["realigned"]).astype("boolean")
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def kaplan_meier(times: Sequence[float], events: Sequence[bool]) -> pd.DataFrame:
    """The product-limit (Kaplan-Meier) estimate of the share of runs not yet recovered.

    Each run gives a time and whether the event (recovery) was seen at it; a run without the
    event is right-censored there: it is known to have gone at least that long unrecovered. At
    each distinct event time ``t``, ``n`` runs are at risk (time >= t, so a run censored at ``t``
    still counts) and ``d`` recover; the survival just after ``t`` is the product of ``1 - d/n``
    over the event times up to ``t``. Without censoring this is one minus the empirical share
    recovered.

    Args:
        times: Ticks to the event, or to censoring (finite, one per run).
        events: Whether each run's event was seen at its time.

    Returns:
        One row per distinct event time, ascending: ``time``, ``at_risk``, ``events`` and
        ``survival`` (the share still unrecovered after that time). Empty without events.

    Raises:
        ValueError: If the two differ in length or a time is not finite.
    """
    t = np.asarray(times, dtype=float)
    seen = np.asarray(events, dtype=bool)
    if t.shape != seen.shape or t.ndim != 1:
        raise ValueError(f"times ({t.shape}) and events ({seen.shape}) must be 1-d, same length")
    if not np.isfinite(t).all():
        raise ValueError("every time must be finite: a run that never recovers is censored at")
    distinct = np.unique(t[seen])
    at_risk = np.array([(t >= u).sum() for u in distinct], dtype=int)
    count = np.array([(t[seen] == u).sum() for u in distinct], dtype=int)
    survival = np.cumprod(1.0 - count / np.maximum(at_risk, 1))
    return pd.DataFrame(
        {"time": distinct, "at_risk": at_risk, "events": count, "survival": survival}
    )


def km_median(times: Sequence[float], events: Sequence[bool]) -> float:
    """Median time to the event from :func:`kaplan_meier`; NaN when it is not reached.

    The median is the first event time at which the estimated survival is at or below one half
    (a small tolerance absorbs rounding in the product). When the survival never gets there,
    fewer than half the runs are known to have recovered and the median lies beyond the longest
    observation: NaN, read as "not recovered within the run".
    """
    curve = kaplan_meier(times, events)
    below = curve["time"][curve["survival"] <= 0.5 + 1e-12]
    return float(below.iloc[0]) if len(below) else math.nan


# Per-run columns (time, event seen, censoring time) -> summary names (runs, count, prefix).
_SURVIVAL = {
    ("recovery_ticks", "recovered", "observed_ticks"): ("runs", "recovered", "recovery"),
    ("realign_ticks", "realigned", "realign_observed_ticks"): (
        "realign_runs",
        "realigned",
        "realign",
    ),
}


def _survival_columns(group: pd.DataFrame, columns: tuple[str, str, str]) -> dict:
    """N, n, share, Kaplan-Meier median and longest observation for one event of one group."""
    time, event, observed = columns
    runs, count, what = _SURVIVAL[columns]
    seen = group[group[observed].notna() & group[event].notna()]
    done = seen[event].astype(bool).to_numpy()
    # A recovered run is observed until its recovery; the others until the run's end.
    at = np.where(done, seen[time].to_numpy(float), seen[observed].to_numpy(float))
    n = len(seen)
    median = km_median(at, done) if n else math.nan
    return {
        runs: n,
        count: int(done.sum()),
        f"share_{count}": float(done.mean()) if n else math.nan,
        f"{what}_median_ticks": median,
        f"{what}_median_reached": (not math.isnan(median)) if n else pd.NA,
        observed: float(seen[observed].max()) if n else math.nan,
    }


def resilience_summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Counts and survival-style medians of recovery, per scenario, structure and measure.

    A run that does not recover within the run is right-censored, not missing: it counts in the
    number of runs and, at its ``observed_ticks``, in the Kaplan-Meier estimate
    (:func:`kaplan_meier`), so the median is not the mean of the runs that happened to recover.
    When the median is not reached (fewer than half recovered), it is NaN with
    ``recovery_median_reached`` false: read it as "not recovered within the run (more than
    ``observed_ticks`` ticks)". The same is done for re-alignment after a market shock when the
    rows have it (:func:`resilience_by_scenario`).

    Sign of ``area_mean``: positive is a cumulative loss of the measure against the no-shock
    run (measure unit x ticks, from the shock to the run's end); negative means the shocked run
    did better than its counterfactual over that window. ``depth_mean`` is the mean largest
    loss, in the measure's unit (negative: never worse than the counterfactual).

    Args:
        rows: Per-run rows from :func:`resilience` or :func:`resilience_by_scenario`. Runs with
            no ``observed_ticks`` (no post-shock tick compared) are left out of every count.

    Returns:
        One row per scenario, structure and measure, in the order met: ``runs`` (N),
        ``recovered`` (n), ``share_recovered``, ``recovery_median_ticks``,
        ``recovery_median_reached``, ``observed_ticks`` (the longest observation after the
        shock, T), ``depth_mean``, ``area_mean`` and, when the rows have re-alignment,
        ``realign_runs``, ``realigned``, ``share_realigned``, ``realign_median_ticks``,
        ``realign_median_reached`` and ``realign_observed_ticks`` (``realign_runs`` is 0 for a
        scenario without a market shock).

    Raises:
        ValueError: If a column the summary needs is missing from ``rows``.
    """
    recovery, realign = _SURVIVAL
    need = ["scenario", "structure", "measure", "depth", "area", *recovery]
    missing = [c for c in need if c not in rows]
    if missing:
        raise ValueError(
            f"resilience rows lack {', '.join(missing)}; make them with resilience() or "
            "resilience_by_scenario()"
        )
    has_realign = all(c in rows for c in realign)
    out = []
    for (scenario, structure, measure), group in rows.groupby(
        ["scenario", "structure", "measure"], sort=False
    ):
        seen = group[group["observed_ticks"].notna()]
        row = {"scenario": scenario, "structure": structure, "measure": measure}
        row |= _survival_columns(group, recovery)
        row |= {"depth_mean": seen["depth"].mean(), "area_mean": seen["area"].mean()}
        if has_realign:
            row |= _survival_columns(group, realign)
        out.append(row)
    table = pd.DataFrame(out)
    for column in ("recovery_median_reached", "realign_median_reached"):
        if column in table:
            table[column] = table[column].astype("boolean")
    return table


def point_means(runs: pd.DataFrame, outcome: str, structure: str) -> pd.Series:
    """Mean of ``outcome`` per design point over its replications, for one structure.

    The indices are computed from these means: averaging R replications shrinks the seed noise
    in every point's value (about by the square root of R), and with it the dummy's index.

    Args:
        runs: A batch's runs table (failed runs and NaN outcomes are left out of the mean).
        outcome: A summary column.
        structure: The structure analysed.

    Returns:
        One mean per point that has a value, indexed by point, in point order.
    """
    ok = runs[(runs["status"] == "ok") & (runs["structure"] == structure)]
    return ok.groupby("point")[outcome].mean().sort_index()


SENSITIVITY_LEVEL = 0.95  # confidence level of every sensitivity index's interval
MORRIS_BOOT_SEED = 0  # SALib's Morris analysis seeds numpy's default_rng with it (0 is used)
SOBOL_BOOT_SEED = 1  # any nonzero value; see sobol_indices


def above_dummy(table: pd.DataFrame, index: str) -> pd.Series:
    """Whether each parameter's index is distinguishable from the dummy's (the noise floor).

    A parameter is distinguishable when the lower end of its interval (``index - index_conf``)
    is above the upper end of the dummy's (``index + index_conf`` of the :data:`DUMMY` row). The
    dummy itself is never above itself; a NaN interval is not distinguishable.

    Args:
        table: Indices with a ``parameter`` column, ``index`` and ``index + "_conf"`` (half-widths).
        index: The index judged (``mu_star`` for Morris, ``ST`` for Sobol).

    Returns:
        A boolean Series aligned with ``table``.

    Raises:
        ValueError: If ``table`` has no :data:`DUMMY` row.
    """
    conf = f"{index}_conf"
    dummy = table[table["parameter"] == DUMMY]
    if len(dummy) != 1:
        raise ValueError(f"the table has no {DUMMY!r} row to judge {index} against")
    floor = float(dummy[index].iloc[0] + dummy[conf].iloc[0])
    low = table[index] - table[conf]
    return (low > floor).fillna(False).astype(bool) & (table["parameter"] != DUMMY)


def morris_indices(problem: dict, points: pd.DataFrame, y: pd.Series, levels: int) -> pd.DataFrame:
    """Morris elementary effects per parameter (SALib), with seeded bootstrap intervals.

    Args:
        problem: The SALib problem the design was sampled from (with the dummy last).
        points: One row per design point in SALib's order, a column per problem name.
        y: The outcome per point (:func:`point_means`), in the same order.
        levels: The design's grid levels.

    Returns:
        One row per problem name: ``mu_star`` (mean absolute elementary effect),
        ``mu_star_conf`` (half-width of its 95% bootstrap interval over trajectories,
        :data:`N_BOOT` resamples), ``sigma`` and, when the problem has the dummy,
        ``above_dummy`` (:func:`above_dummy` on ``mu_star``).
    """
    from SALib.analyze import morris

    x = points[problem["names"]].to_numpy(dtype=float)
    result = morris.analyze(
        problem,
        x,
        y.to_numpy(dtype=float),
        num_levels=levels,
        num_resamples=N_BOOT,
        conf_level=SENSITIVITY_LEVEL,
        seed=MORRIS_BOOT_SEED,
    )
    table = pd.DataFrame(
        {
            "parameter": problem["names"],
            "mu_star": result["mu_star"],
            "mu_star_conf": result["mu_star_conf"],
            "sigma": result["sigma"],
        }
    )
    if DUMMY in problem["names"]:
        table["above_dummy"] = above_dummy(table, "mu_star")
    return table


def sobol_indices(
    problem: dict, y: pd.Series, *, n: int, second_order: bool = False
) -> tuple[pd.DataFrame, list[str]]:
    """First-order and total Sobol indices with seeded bootstrap intervals (SALib), and warnings.

    Args:
        problem: The SALib problem the design was sampled from (with the dummy last).
        y: The outcome per point (:func:`point_means`), in Saltelli's order.
        n: The base sample size.
        second_order: Whether the design has second-order rows.

    Returns:
        One row per problem name: ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (half-widths of the
        95% bootstrap intervals, :data:`N_BOOT` resamples) and, when the problem has the dummy,
        ``above_dummy`` (:func:`above_dummy` on ``ST``); and notes on instability.
    """
    from SALib.analyze import sobol

    # SALib's Sobol analysis ignores a falsy seed (``if seed:``) and then draws its bootstrap
    # unseeded, so the intervals would change from call to call: seed it with a nonzero value.
    result = sobol.analyze(
        problem,
        y.to_numpy(dtype=float),
        calc_second_order=second_order,
        num_resamples=N_BOOT,
        conf_level=SENSITIVITY_LEVEL,
        seed=SOBOL_BOOT_SEED,
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
    if DUMMY in problem["names"]:
        table["above_dummy"] = above_dummy(table, "ST")
    notes = []
    if n < STABLE_SOBOL_N:
        notes.append(
            f"N = {n} is below {STABLE_SOBOL_N}: Sobol indices are often unstable at this size;"
            " raise design.n for conclusions"
        )
    wide = table[
        (table["ST_conf"] > 0.5 * table["ST"].abs().clip(lower=0.05))
        & (table["parameter"] != DUMMY)
    ]
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
