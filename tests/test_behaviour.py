"""Behaviour tests: the direction of each mechanism's effect, averaged over seeds.

Each test compares configurations on the same seeds (common random numbers), so a difference is
the mechanism's doing, not luck. One test per mechanism in MODEL.md, plus the issue's named
effects. Runs are 400 ticks on 6 seeds: long enough for the effects, short enough for CI, with
a 60-tick warm-up and the scenarios' events moved to match (tests.conftest.early).
"""

import dataclasses
import itertools
from functools import cache

import pandas as pd
import pytest

import sim
from tests.conftest import SHORT_WARMUP, early

SEEDS = range(6)
STEPS = 400


@cache
def _results(structure, scenario, shocks: bool, items: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Summaries and per-tick tables of one configuration over the seeds (cached across tests)."""
    scenario = early(scenario) if isinstance(scenario, str) else scenario
    kw = {"warmup": SHORT_WARMUP} | dict(items)
    results = [
        sim.run(scenario, structure=structure, seed=s, steps=STEPS, shocks=shocks, **kw)
        for s in SEEDS
    ]
    return (
        pd.concat([r.summary for r in results], ignore_index=True),
        pd.concat([r.ticks for r in results], ignore_index=True),
    )


def per_seed(outcome: str, structure="single_cio", scenario="baseline", shocks=True, **kw):
    """``outcome`` of each seed, in seed order (pairs with another configuration's)."""
    summaries, _ = _results(structure, scenario, shocks, tuple(sorted(kw.items())))
    return summaries[outcome].to_numpy(dtype=float)


def window_per_seed(
    outcome, start, end, structure="single_cio", scenario="baseline", shocks=True, **kw
):
    """Mean of a per-tick measure over ticks ``start <= t < end`` for each seed, in seed order."""
    _, ticks = _results(structure, scenario, shocks, tuple(sorted(kw.items())))
    window = ticks[(ticks["tick"] >= start) & (ticks["tick"] < end)]
    return window.groupby("seed")[outcome].mean().to_numpy(dtype=float)


def beyond_noise(differences) -> bool:
    """Paired differences whose mean is positive by more than twice its standard error."""
    d = pd.Series(differences)
    return bool(d.mean() > 0 and d.mean() > 2.0 * d.std(ddof=1) / len(d) ** 0.5)


def rises_step_by_step(outcome: str, knob: str, levels, structure="single_cio") -> bool:
    """Each step up ``levels`` raises ``outcome`` (strictly), the whole range beyond noise."""
    runs = [per_seed(outcome, structure, **{knob: x}) for x in levels]
    means = [r.mean() for r in runs]
    strictly = all(a < b for a, b in itertools.pairwise(means))
    return strictly and beyond_noise(runs[-1] - runs[0])


# --- the named effects ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["change", "strategic"])
def test_more_demand_lengthens_lead_times(kind):
    assert rises_step_by_step(f"lead_time_{kind}_mean", "request_rate", (0.6, 0.85, 1.0))


def test_incident_storm_raises_unplanned_work_and_lowers_business_trust():
    shocked = dict(scenario="incident_storm", shocks=True)
    calm = dict(scenario="incident_storm", shocks=False)  # the exact counterfactual
    unplanned = window_per_seed("unplanned_share", 300, 330, **shocked) - window_per_seed(
        "unplanned_share", 300, 330, **calm
    )
    assert beyond_noise(unplanned - 0.05), unplanned
    trust = window_per_seed("business_trust_mean", 310, 350, **calm) - window_per_seed(
        "business_trust_mean", 310, 350, **shocked
    )
    assert beyond_noise(trust), trust


@pytest.mark.parametrize(
    ("knob", "levels"),
    [
        ("coordination_multiplier", (0.0, 3.0, 8.0)),
        ("goal_incongruence_multiplier", (0.0, 2.0, 5.0)),
    ],
)
def test_coordination_cost_and_goal_incongruence_make_the_split_monotonically_worse(knob, levels):
    values = [per_seed("value_delivered", "cio_cto_split", **{knob: x}) for x in levels]
    # No step up makes value better beyond noise (at 3x coordination the executives' slack
    # absorbs the extra hours and most seeds deliver exactly the same), and the whole range
    # makes it worse beyond noise.
    assert not any(beyond_noise(b - a) for a, b in itertools.pairwise(values)), values
    assert beyond_noise(values[0] - values[-1]), values
    assert rises_step_by_step("hidden_work_share", knob, levels, "cio_cto_split")


def _feedback(hours: float):
    base = early("feedback_programme")
    programme = dataclasses.replace(base.interventions[0], magnitude=hours)
    return dataclasses.replace(base, interventions=(programme,))


def test_more_feedback_work_shrinks_the_blind_spot():
    # Half an hour a day of feedback work narrows the gap between perceived and actual trust, and
    # only through what executives learn from it (feedback_learning): with learning off, the same
    # hours change nothing. Larger doses do not narrow it reliably further on six seeds (their
    # attention comes out of stakeholder work), so the test asks for the first half hour only.
    def spots(hours, **kw):
        return abs(window_per_seed("blind_spot", 150, 400, scenario=_feedback(hours), **kw))

    on = spots(0) - spots(0.5)
    off = spots(0, feedback_learning=0.0) - spots(0.5, feedback_learning=0.0)
    assert beyond_noise(on), on
    assert beyond_noise(on - off), (on, off)


# --- one test per mechanism ------------------------------------------------------------------


def test_escalations_load_the_executives_who_serve_them():
    # Measured as decision work and utilisation: the decision_queue outcome counts investment
    # proposals too, which outnumber escalations and hide their effect in noise.
    for outcome in ("cio_share_decisions", "exec_utilisation_max"):
        calm = per_seed(outcome, escalation_prob_max=0.0)
        assert beyond_noise(per_seed(outcome, escalation_prob_max=0.6) - calm), outcome


def test_decisions_past_the_timeout_default():
    # The rework that defaults cause is guarded by the ablation test
    # test_decisions_defaulted_after_the_timeout_cause_hidden_rework.
    patient = dict(decision_timeout=40, request_rate=1.0)
    hasty = dict(decision_timeout=1, request_rate=1.0)
    timed_out = per_seed("decisions_timed_out", **hasty) - per_seed(
        "decisions_timed_out", **patient
    )
    assert beyond_noise(timed_out), timed_out


def test_negative_events_weigh_more_and_lower_business_trust():
    lower = per_seed("business_trust_mean", trust_negative_weight=1.0) - per_seed(
        "business_trust_mean", trust_negative_weight=5.0
    )
    assert beyond_noise(lower), lower


def test_overload_exhausts_staff_and_drives_attrition():
    for outcome in ("burnout_share", "attrition"):
        more = per_seed(outcome, request_rate=1.0) - per_seed(outcome, request_rate=0.6)
        assert beyond_noise(more), (outcome, more)


def test_more_governance_attention_keeps_the_portfolio_aligned_under_turbulence():
    turbulent = dict(turbulence=0.12)
    kept = per_seed("strategic_alignment", review_interval=5, **turbulent) - per_seed(
        "strategic_alignment", review_interval=200, **turbulent
    )
    assert beyond_noise(kept), kept


def test_a_debt_push_pays_debt_down():
    paid = per_seed("debt_mean") - per_seed("debt_mean", scenario="debt_push")
    assert beyond_noise(paid), paid


def test_safe_teams_pass_dissatisfaction_upward_and_shrink_the_blind_spot():
    quiet = dict(safety_initial=0.05, safety_gain=0.0)
    safe = dict(safety_initial=0.95, safety_gain=0.0)
    narrower = abs(window_per_seed("blind_spot", 150, 400, **quiet)) - abs(
        window_per_seed("blind_spot", 150, 400, **safe)
    )
    assert beyond_noise(narrower), narrower
