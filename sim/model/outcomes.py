"""Outcomes: what a run's summary reports, and which direction of each is better.

The summary of a run is one row of outcomes over the ticks after the warm-up. Its columns are
declared here, not learnt by running the model, so that an experiment file naming outcomes is
checked without a simulation; a test checks :func:`summarise` gives exactly these. Which outcomes
are headline and which direction is better is declared here too, below every module that reads
it (the statistics, the report, the dashboard, the command line).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.model.attention import ACTIVITIES, PEOPLE_WORK
from sim.model.records import REQUEST_KINDS, STRATEGIC

# Outcomes the comparison table shows, with the direction that is better.
HEADLINE = {
    "lead_time_change_mean": "lower",
    "lead_time_strategic_mean": "lower",
    "strategic_late_or_failed": "lower",
    "value_delivered": "higher",
    "strategic_alignment": "higher",
    "business_trust_mean": "higher",
    "blind_spot": "lower",
    "unplanned_share": "lower",
    "debt_mean": "lower",
    "burnout_share": "lower",
    "exec_utilisation_max": "lower",
    "exec_exhaustion": "lower",
    "exec_turnover": "lower",
    "decision_latency": "lower",
    "hidden_work_share": "lower",
    "shadow_share": "lower",
    "it_cost": "lower",
}

# Per-tick measures whose post-warm-up mean is an outcome of the same name.
TICK_MEANS = (
    "delivered",
    "backlog",
    "value_delivered",
    "incidents_new",
    "incidents_open",
    "restore_time",
    "debt_mean",
    "unplanned_share",
    "run_share",
    "improvement_share",
    "demand_capacity_ratio",
    "business_trust_mean",
    "business_trust_sd",
    "perceived_trust",
    "blind_spot",
    "exec_trust",
    "team_trust",
    "safety_mean",
    "team_exhaustion",
    "burnout_share",
    "exec_utilisation_mean",
    "exec_utilisation_max",
    "exec_exhaustion",
    "decision_queue",
    "proposal_queue",
    "hidden_work_share",
    "it_cost",
)

# Waits averaged over the items that finished waiting after the warm-up (not over days):
# outcome -> (per-tick mean wait, per-tick count it is the mean of).
ITEM_MEANS = {
    "decision_latency": ("decision_latency", "decisions_released"),
    "proposal_wait": ("proposal_wait", "proposals_closed"),
}

# Time to re-align after a market shock (MODEL.md): the aligned share of delivered strategic
# value over a window of post-shock ticks must be back to this share of its reference level.
REALIGN_WINDOW = 30  # ticks; about 4-5 strategic deliveries at the defaults
REALIGN_SHARE = 0.95
PRE_SHOCK_TICKS = 90  # the per-run reference: the aligned share over this many ticks before

# Every outcome of a run summary, in column order (the inputs scenario, structure, seed aside).
SUMMARY_OUTCOMES = (
    "lead_time_strategic_mean",
    "lead_time_strategic_p50",
    "lead_time_strategic_p90",
    "lead_time_change_mean",
    "lead_time_change_p50",
    "lead_time_change_p90",
    "lead_time_service_mean",
    "lead_time_service_p50",
    "lead_time_service_p90",
    "delivered",
    "backlog",
    "value_delivered",
    "incidents_new",
    "incidents_open",
    "restore_time",
    "debt_mean",
    "unplanned_share",
    "run_share",
    "improvement_share",
    "demand_capacity_ratio",
    "business_trust_mean",
    "business_trust_sd",
    "perceived_trust",
    "blind_spot",
    "exec_trust",
    "team_trust",
    "safety_mean",
    "team_exhaustion",
    "burnout_share",
    "exec_utilisation_mean",
    "exec_utilisation_max",
    "exec_exhaustion",
    "decision_queue",
    "decision_latency",
    "proposal_queue",
    "proposal_wait",
    "hidden_work_share",
    "it_cost",
    "value_total",
    "strategic_alignment",
    "shadow_share",
    "attrition",
    "exec_turnover",
    "decisions_timed_out",
    "strategic_late_or_failed",
    "realign_ticks",
    "cio_nontechnical_share",
    "cio_share_incidents",
    "cio_share_decisions",
    "cio_share_coordination",
    "cio_share_governance",
    "cio_share_planning",
    "cio_share_stakeholder",
    "cio_share_feedback",
    "cio_share_people",
    "cio_people_work_share",
    "requests_created",
    "requests_delivered",
    "requests_rejected",
    "requests_shadowed",
    "requests_open",
)


def _mean(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(values.mean()) if len(values) else math.nan


def summarise(
    ticks: dict[str, np.ndarray],
    executives: dict[str, np.ndarray],
    delivered_log: list[tuple[int, int, int, int, int]],
    funded: dict[int, tuple[int, int]],
    totals: dict[str, int],
    open_requests: int,
    *,
    warmup: int,
    steps: int,
    market_shock: int | None,
) -> dict[str, float]:
    """One row of outcomes over the ticks after the warm-up.

    Args:
        ticks: The per-tick table by column (:meth:`Recorder.tick_columns`).
        executives: The per-executive table by column (:meth:`Recorder.executive_columns`).
        delivered_log: ``(kind, created, delivered, due, rid)`` of every delivered request.
        funded: ``rid -> (created, due)`` of every funded strategic request.
        totals: Whole-run counts of created, delivered, rejected and shadowed requests.
        open_requests: Requests still open at the end.
        warmup: Ticks left out.
        steps: Ticks run.
        market_shock: Tick of the first theme re-weighting, if any (for the time to re-align).

    Returns:
        Outcome name -> value (NaN when there was nothing to measure).
    """
    keep = ticks["tick"] >= warmup
    columns = {name: values[keep] for name, values in ticks.items()}
    out: dict[str, float] = {}
    log = np.array(delivered_log, dtype=np.float64).reshape(-1, 5)
    log = log[log[:, 2] >= warmup]
    out.update(_lead_times(log))
    for name in TICK_MEANS:
        out[name] = _mean(columns[name])
    for name, (wait, count) in ITEM_MEANS.items():
        out[name] = _item_mean(columns[wait], columns[count])
    out["value_total"] = float(columns["value_delivered"].sum())
    strategic = log[log[:, 0] == STRATEGIC]
    out["strategic_alignment"] = _weighted_alignment(
        columns["strategic_alignment"], columns["strategic_value"]
    )
    created = columns["requests_created"].sum()
    out["shadow_share"] = float(columns["shadowed"].sum() / max(1.0, created))
    out["attrition"] = float(columns["attrition"].sum())
    out["exec_turnover"] = float(columns["exec_turnover"].sum())
    out["decisions_timed_out"] = float(columns["decisions_timed_out"].sum())
    out["strategic_late_or_failed"] = _late_or_failed(strategic, funded, warmup, steps)
    out["realign_ticks"] = realign_ticks(ticks, market_shock)
    out.update(_cio_shares(executives, warmup))
    out["requests_created"] = float(totals["created"])
    out["requests_delivered"] = float(totals["delivered"])
    out["requests_rejected"] = float(totals["rejected"])
    out["requests_shadowed"] = float(totals["shadowed"])
    out["requests_open"] = float(open_requests)
    return {name: out[name] for name in SUMMARY_OUTCOMES}  # the declared column order


def _item_mean(wait: np.ndarray, count: np.ndarray) -> float:
    """Mean wait per item from per-tick means and counts: total wait over items, not days."""
    n = count.sum()
    if n <= 0:
        return math.nan
    return float(np.nansum(wait * count) / n)


def _lead_times(log: np.ndarray) -> dict[str, float]:
    """Mean, median and 90th percentile lead time of each kind of request delivered."""
    out = {}
    for k, kind in enumerate(REQUEST_KINDS):
        lead = log[log[:, 0] == k][:, 2] - log[log[:, 0] == k][:, 1] + 1
        has = len(lead) > 0
        out[f"lead_time_{kind}_mean"] = float(lead.mean()) if has else math.nan
        out[f"lead_time_{kind}_p50"] = float(np.percentile(lead, 50)) if has else math.nan
        out[f"lead_time_{kind}_p90"] = float(np.percentile(lead, 90)) if has else math.nan
    return out


def _weighted_alignment(alignment: np.ndarray, value: np.ndarray) -> float:
    """Share of delivered strategic value that matches the current themes."""
    mask = ~np.isnan(alignment)
    weight = value[mask]
    total = weight.sum()
    if total <= 0.0:
        return math.nan
    return float((alignment[mask] * weight).sum() / total)


def _late_or_failed(
    strategic: np.ndarray, funded: dict[int, tuple[int, int]], warmup: int, steps: int
) -> float:
    """Share of funded strategic work, due within the run, delivered late or not at all."""
    delivered = {int(row[4]): int(row[2]) for row in strategic}
    late = n = 0
    for rid, (created, due) in funded.items():
        if created < warmup or due >= steps:
            continue
        n += 1
        done = delivered.get(rid)
        if done is None or done > due:
            late += 1
    return late / n if n else math.nan


def aligned_value(ticks: dict[str, np.ndarray] | pd.DataFrame) -> np.ndarray:
    """Aligned strategic value delivered per tick, from the published columns."""
    alignment = np.asarray(ticks["strategic_alignment"], dtype=np.float64)
    value = np.asarray(ticks["strategic_value"], dtype=np.float64)
    return np.where(value > 0.0, np.nan_to_num(alignment) * value, 0.0)


def window_alignment(aligned: np.ndarray, value: np.ndarray, window: int) -> np.ndarray:
    """Aligned share of strategic value over each run of ``window`` ticks (NaN: none delivered).

    Entry ``k`` covers ticks ``k .. k + window - 1`` of the arrays given.
    """
    if len(value) < window:
        return np.array([])
    ca = np.concatenate([[0.0], np.cumsum(aligned)])
    cv = np.concatenate([[0.0], np.cumsum(value)])
    wa = ca[window:] - ca[:-window]
    wv = cv[window:] - cv[:-window]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(wv > 1e-12, wa / np.where(wv > 1e-12, wv, 1.0), np.nan)


def first_realigned(level: np.ndarray, reference: np.ndarray | float) -> float:
    """Index of the first window whose aligned share is back to ``REALIGN_SHARE`` x reference."""
    with np.errstate(invalid="ignore"):
        back = np.flatnonzero(level >= REALIGN_SHARE * np.asarray(reference) - 1e-12)
    return float(back[0]) if back.size else math.nan


def realign_ticks(ticks: dict[str, np.ndarray], shock: int | None) -> float:
    """Ticks after a market shock until aligned strategic value is back to its pre-shock level.

    The reference is the aligned share of the ``PRE_SHOCK_TICKS`` before the shock. From each
    tick ``k`` after it, the window ``k .. k + REALIGN_WINDOW - 1`` holds post-shock ticks only;
    the answer is the first ``k - shock`` whose window is back to 95% of the reference (0 when
    the shock did not dent alignment). The counterfactual form is
    :func:`sim.analysis.stats.realign_against_counterfactual`.
    """
    if shock is None:
        return math.nan
    aligned = aligned_value(ticks)
    value = np.asarray(ticks["strategic_value"], dtype=np.float64)
    start = max(0, shock - PRE_SHOCK_TICKS)
    before = value[start:shock].sum()
    if before <= 0.0:
        return math.nan
    reference = aligned[start:shock].sum() / before
    level = window_alignment(aligned[shock:], value[shock:], REALIGN_WINDOW)
    return first_realigned(level, reference)


def _cio_shares(execs: dict[str, np.ndarray], warmup: int) -> dict[str, float]:
    """The CIO's time shares after the warm-up (calibration: non-technical work 0.5-0.8)."""
    cio = (execs["role"] == "CIO") & (execs["tick"] >= warmup)
    used = execs["used"][cio].sum()
    out = {}
    if used <= 0.0:
        out["cio_nontechnical_share"] = math.nan
    else:
        out["cio_nontechnical_share"] = float(1.0 - execs["hours_technical"][cio].sum() / used)
    for activity in ACTIVITIES:
        col = execs[f"hours_{activity}"][cio].sum()
        out[f"cio_share_{activity}"] = float(col / used) if used > 0.0 else math.nan
    out["cio_people_work_share"] = float(
        sum(out[f"cio_share_{a}"] for a in PEOPLE_WORK) if used > 0.0 else math.nan
    )
    return out
