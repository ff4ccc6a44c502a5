"""Ablation tests: each guards one mechanism of MODEL.md by switching just that link off.

The pattern and its helper are in :mod:`tests.ablation`. These cover trust, shadow IT, debt and
exhaustion; ``test_ablation_*.py`` cover the rest.
"""

from __future__ import annotations

import numpy as np

from tests.ablation import ablate


def test_debt_raises_incidents():
    # Repenning & Sterman: incidents arise faster with technical debt (debt_incident_gain).
    a = ablate("incidents_new", {"debt_per_effort": 0.003}, {"debt_incident_gain": 0.0})
    assert a.holds(+1), a
    assert np.all(a.off <= 0.0), a  # debt alone adds no incident once the link is cut


def test_exhausted_executives_leave_more_often():
    # Over-demand exhausts an executive; exhaustion raises the hazard of leaving.
    a = ablate(
        "exec_turnover",
        {"decision_hours": 4.0},
        {"exec_turnover_gain": 0.0},
        base={"exec_turnover_base": 0.01},
    )
    assert a.holds(+1), a


def test_units_that_trust_it_less_escalate_more():
    # Low trust raises escalations to executives (escalation_prob_max x (1 - trust)).
    a = ablate("escalations", {"trust_negative_weight": 6.0}, {"escalation_prob_max": 0.0})
    assert a.holds(+1), a
    assert np.all(a.off == 0.0), a


def test_shadow_it_adds_debt():
    # A unit that builds around IT leaves debt on a platform team (shadow_debt).
    a = ablate(
        "debt_mean",
        {"shadow_prob_max": 0.6, "shadow_trust_threshold": 0.9},
        {"shadow_debt": 0.0},
    )
    assert a.holds(+1), a


def test_units_that_trust_it_less_build_more_shadow_it():
    # Below the trust threshold a unit may build around IT, the more likely the lower its trust.
    a = ablate(
        "shadowed",
        {"trust_negative_weight": 6.0},
        {"shadow_prob_max": 0.0},
        base={"shadow_trust_threshold": 0.9},
    )
    assert a.holds(+1), a
    assert np.all(a.off == 0.0), a


def test_exhausted_staff_deliver_more_slowly():
    # JD-R: sustained demand exhausts a team, and exhaustion lowers its capacity
    # (exhaustion_productivity), so overload lengthens lead times more than its load alone.
    a = ablate(
        "lead_time_change_mean", {"request_rate": 1.0}, {"exhaustion_productivity": 0.0}, seeds=12
    )
    assert a.holds(+1), a


def test_exhausted_executives_decide_more_slowly():
    # An over-demanded executive tires, and a tired one takes longer over each decision; with
    # exhaustion that never rises, the same overload lengthens decision latency less.
    a = ablate(
        "decision_latency",
        {"decision_hours": 3.0},
        {"exec_exhaustion_rise": 0.0},
        base={"exception_prob_change": 0.4},
        seeds=12,
    )
    assert a.holds(+1), a


def test_debt_drags_on_capacity():
    # Technical debt slows all work (debt_drag), beyond the incidents it causes.
    a = ablate(
        "lead_time_change_mean",
        {"debt_per_effort": 0.003},
        {"debt_drag": 0.0},
        base={"debt_incident_gain": 0.0},
        seeds=12,
    )
    assert a.holds(+1), a


def test_decisions_defaulted_after_the_timeout_cause_hidden_rework():
    # VDT hidden work: a team that stops waiting takes a default, which needs rework with
    # default_rework_prob; with that at zero, a short timeout adds no rework (it even saves the
    # rework of wrong decisions it no longer waits for).
    a = ablate(
        "rework_effort",
        {"decision_timeout": 1},
        {"default_rework_prob": 0.0},
        base={"decision_timeout": 40, "request_rate": 1.0},
        seeds=8,
    )
    assert a.holds(+1), a


def test_exhausted_staff_leave_more_often():
    # JD-R: high exhaustion raises attrition (attrition_exhaustion_gain scales the base hazard).
    a = ablate("attrition", {"request_rate": 1.0}, {"attrition_exhaustion_gain": 0.0})
    assert a.holds(+1), a
    assert np.all(a.off == 0.0), a  # overload alone makes no one leave once the link is cut


# An executive with hours to spare, so more demanded people or stakeholder time is really given.
AMPLE_HOURS = {"structure.roles.CIO.attention_hours": 24.0}


def test_stakeholder_time_builds_business_trust():
    # Beta reputation: stakeholder time adds a little positive evidence (stakeholder_evidence).
    a = ablate(
        "business_trust_mean",
        {"stakeholder_hours_per_unit": 1.2},
        {"stakeholder_evidence": 0.0},
        base=AMPLE_HOURS,
    )
    assert a.holds(+1), a


def test_leaders_people_time_raises_psychological_safety():
    # Edmondson 1999: a leader's time with the team raises its safety (safety_gain per hour).
    a = ablate(
        "safety_mean", {"people_hours_per_report": 1.0}, {"safety_gain": 0.0}, base=AMPLE_HOURS
    )
    assert a.holds(+1), a


def test_a_debt_push_pays_debt_down_through_improvement():
    # Repenning & Sterman: reserved improvement time lowers debt, only through what improvement
    # does (improvement_effect); with that at zero the reserved capacity is merely lost.
    a = ablate("debt_mean", {"scenario": "debt_push"}, {"improvement_effect": 0.0})
    assert a.holds(-1), a
