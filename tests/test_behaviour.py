"""Behaviour tests: the direction of each mechanism's effect, averaged over seeds.

Each test compares configurations on the same seeds (common random numbers), so a difference is
the mechanism's doing, not luck. One test per mechanism in MODEL.md, plus the issue's named
effects. Runs are 400 ticks on 6 seeds: long enough for the effects, short enough for CI.
"""

import dataclasses
import itertools
from functools import cache

import pandas as pd
import pytest

import sim
from sim.config.loaders import load_scenario

SEEDS = range(6)
STEPS = 400


@cache
def _results(structure, scenario, shocks: bool, items: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Summaries and per-tick tables of one configuration over the seeds (cached across tests)."""
    results = [
        sim.run(scenario, structure=structure, seed=s, steps=STEPS, shocks=shocks, **dict(items))
        for s in SEEDS
    ]
    return (
        pd.concat([r.summary for r in results], ignore_index=True),
        pd.concat([r.ticks for r in results], ignore_index=True),
    )


def mean(outcome: str, structure="single_cio", scenario="baseline", shocks=True, **kw) -> float:
    """Mean of ``outcome`` over the seeds."""
    summaries, _ = _results(structure, scenario, shocks, tuple(sorted(kw.items())))
    return float(summaries[outcome].mean())


def window_mean(
    outcome, start, end, structure="single_cio", scenario="baseline", shocks=True, **kw
) -> float:
    """Mean of a per-tick measure over ticks ``start <= t < end``, over the seeds."""
    _, ticks = _results(structure, scenario, shocks, tuple(sorted(kw.items())))
    return float(ticks[(ticks["tick"] >= start) & (ticks["tick"] < end)][outcome].mean())


def per_seed(outcome: str, structure="single_cio", scenario="baseline", shocks=True, **kw):
    """``outcome`` of each seed, in seed order (pairs with another configuration's)."""
    summaries, _ = _results(structure, scenario, shocks, tuple(sorted(kw.items())))
    return summaries[outcome].to_numpy(dtype=float)


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
    assert (
        window_mean("unplanned_share", 300, 330, **shocked)
        > window_mean("unplanned_share", 300, 330, **calm) + 0.05
    )
    assert window_mean("business_trust_mean", 310, 350, **shocked) < window_mean(
        "business_trust_mean", 310, 350, **calm
    )


def test_splitting_lowers_executive_utilisation_when_coordination_is_free_and_load_heavy():
    heavy = dict(coordination_multiplier=0.0, request_rate=1.0, stakeholder_hours_per_unit=0.8)
    single = mean("exec_utilisation_max", "single_cio", **heavy)
    split = mean("exec_utilisation_max", "cio_cto_split", **heavy)
    assert split < single


@pytest.mark.parametrize(
    ("knob", "levels"),
    [
        ("coordination_multiplier", (0.0, 3.0, 8.0)),
        ("goal_incongruence_multiplier", (0.0, 2.0, 5.0)),
    ],
)
def test_coordination_cost_and_goal_incongruence_make_the_split_monotonically_worse(knob, levels):
    values = [per_seed("value_delivered", "cio_cto_split", **{knob: x}) for x in levels]
    assert all(a.mean() > b.mean() for a, b in itertools.pairwise(values)), values
    assert beyond_noise(values[0] - values[-1]), values
    assert rises_step_by_step("hidden_work_share", knob, levels, "cio_cto_split")


def _feedback(hours: float):
    base = load_scenario("feedback_programme")
    programme = dataclasses.replace(base.interventions[0], magnitude=hours)
    return dataclasses.replace(base, interventions=(programme,))


def test_more_feedback_work_shrinks_the_blind_spot():
    # Returns saturate from about half an hour a day (0.5 h and 1 h differ by less than the seed
    # noise of six seeds), so the test asks for a clear drop from none at both doses rather than
    # a strict order between the two.
    spots = [abs(window_mean("blind_spot", 150, 400, scenario=_feedback(h))) for h in (0, 0.5, 1)]
    assert spots[1] < spots[0] - 0.01
    assert spots[2] < spots[0] - 0.01


# --- one test per mechanism ------------------------------------------------------------------


def test_escalations_load_the_executives_who_serve_them():
    # Measured as decision work and utilisation: the decision_queue outcome counts investment
    # proposals too, which outnumber escalations and hide their effect in noise.
    for outcome in ("cio_share_decisions", "exec_utilisation_max"):
        calm = mean(outcome, escalation_prob_max=0.0)
        assert mean(outcome, escalation_prob_max=0.6) > calm, outcome


def test_decisions_past_the_timeout_default_with_hidden_rework():
    patient = dict(decision_timeout=40, request_rate=1.0)
    hasty = dict(decision_timeout=1, request_rate=1.0)
    assert mean("decisions_timed_out", **hasty) > mean("decisions_timed_out", **patient)
    assert window_mean("rework_effort", 60, 400, **hasty) > window_mean(
        "rework_effort", 60, 400, **patient
    )


def test_span_of_control_loads_a_single_leader_more_than_linearly():
    assert mean("exec_utilisation_max", span_interaction=0.15) > mean(
        "exec_utilisation_max", span_interaction=0.0
    )


def test_capability_trap_cutting_improvement_under_pressure_breeds_debt_and_incidents():
    loaded = dict(request_rate=1.05)
    assert mean("debt_mean", pressure_cut=8.0, **loaded) > mean(
        "debt_mean", pressure_cut=0.0, **loaded
    )
    assert mean("incidents_new", pressure_cut=8.0, **loaded) > mean(
        "incidents_new", pressure_cut=0.0, **loaded
    )


def test_improvement_pays_back_only_after_its_delay():
    assert mean("debt_mean", improvement_delay=150) > mean("debt_mean", improvement_delay=0)


def test_negative_events_weigh_more_and_lower_business_trust():
    assert mean("business_trust_mean", trust_negative_weight=5.0) < mean(
        "business_trust_mean", trust_negative_weight=1.0
    )


def test_psychological_safety_voices_problems_that_would_otherwise_turn_into_debt():
    quiet = dict(safety_initial=0.05, safety_gain=0.0)
    safe = dict(safety_initial=0.95, safety_gain=0.0)
    assert mean("debt_mean", **quiet) > mean("debt_mean", **safe)  # hidden problems ship
    assert window_mean("exceptions_voiced", 60, 400, **safe) > window_mean(
        "exceptions_voiced", 60, 400, **quiet
    )
    assert window_mean("problems_hidden", 60, 400, **safe) < window_mean(
        "problems_hidden", 60, 400, **quiet
    )


def test_overload_exhausts_staff_and_drives_attrition():
    assert mean("burnout_share", request_rate=1.0) > mean("burnout_share", request_rate=0.6)
    assert mean("attrition", request_rate=1.0) > mean("attrition", request_rate=0.6)


def test_a_market_shock_devalues_the_pipeline_until_it_is_re_aimed():
    shocked = window_mean("strategic_alignment", 300, 340, scenario="market_shock")
    calm = window_mean("strategic_alignment", 300, 340, scenario="market_shock", shocks=False)
    assert shocked < calm
    assert window_mean("reaimed", 300, 400, scenario="market_shock") > window_mean(
        "reaimed", 300, 400, scenario="market_shock", shocks=False
    )


def test_more_governance_attention_keeps_the_portfolio_aligned_under_turbulence():
    turbulent = dict(turbulence=0.12)
    assert mean("strategic_alignment", review_interval=5, **turbulent) > mean(
        "strategic_alignment", review_interval=200, **turbulent
    )


def test_units_that_distrust_it_build_shadow_it():
    assert mean("shadow_share", shadow_trust_threshold=0.9) > mean(
        "shadow_share", shadow_trust_threshold=0.0
    )
    assert mean("shadow_share", shadow_trust_threshold=0.0) == 0.0


def test_protected_people_time_keeps_people_work_under_load():
    heavy = dict(request_rate=1.0, stakeholder_hours_per_unit=0.8)
    assert mean("cio_people_work_share", attention_policy="protected_people_time", **heavy) > mean(
        "cio_people_work_share", attention_policy="urgent_first", **heavy
    )


def test_a_restructure_appoints_a_cto_with_no_trust_history():
    result = sim.run("restructure_to_split", seed=1, steps=STEPS)
    roles = result.executives.groupby("role")["tick"].min()
    assert roles["CIO"] == 0 and roles["CTO"] == 250
    exec_trust = result.ticks.set_index("tick")["exec_trust"]
    assert exec_trust[:249].isna().all() and exec_trust[250:].notna().all()


def test_a_debt_push_pays_debt_down():
    assert mean("debt_mean", scenario="debt_push") < mean("debt_mean")


def test_losing_staff_cuts_headcount_until_hires_arrive():
    lost = window_mean("headcount", 301, 320, scenario="staff_loss")
    calm = window_mean("headcount", 301, 320, scenario="staff_loss", shocks=False)
    assert lost < 0.9 * calm


def test_safe_teams_pass_dissatisfaction_upward_and_shrink_the_blind_spot():
    quiet = dict(safety_initial=0.05, safety_gain=0.0)
    safe = dict(safety_initial=0.95, safety_gain=0.0)
    assert abs(window_mean("blind_spot", 150, 400, **safe)) < abs(
        window_mean("blind_spot", 150, 400, **quiet)
    )
