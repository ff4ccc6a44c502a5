"""Behaviour the ODD states and the code once got wrong (issue 20, item 4).

Each test fails on the code before its fix:

- (b) an escalation that times out was decided by nobody, so its request keeps its place in the
  lane (ODD 7.1.1); only a decided escalation moves it to the front;
- (e) an escalation flagged as crossing (a unit's escalation of a request whose team reports to
  another role than the stakeholder holder, e.g. a service request under the split) can conflict
  over the two roles' channel like any other crossing decision (ODD 7.9; MODEL.md: goal
  incongruence is the chance that the two roles' priorities conflict, adding rework or delay).
"""

from __future__ import annotations

import sim
from sim.model.decisions import Decisions
from sim.model.teams import ITTeam
from tests.conftest import make_model

STEPS = 250
WARMUP = 50  # summaries only; every tick counts here
# Only escalations can cross roles: no exceptions, no major incidents (the line leader decides
# staffing, which never crosses).
ESCALATIONS_ONLY = {
    "exception_prob_strategic": 0.0,
    "exception_prob_change": 0.0,
    "exception_prob_service": 0.0,
    "major_incident_share": 0.0,
    "escalation_prob_max": 1.0,
    "goal_incongruence_multiplier": 20.0,
}


def _conflicts(structure: str, **overrides) -> int:
    run = sim.run("baseline", structure=structure, seed=3, steps=STEPS, warmup=WARMUP, **overrides)
    ticks = run.ticks
    return int(ticks["conflicts"].sum())


def test_crossing_escalations_can_conflict():
    # Under the split, platform teams report to the CTO while the CIO holds the stakeholder
    # right: escalated service requests cross, and with a large incongruence they conflict.
    assert _conflicts("cio_cto_split", **ESCALATIONS_ONLY) > 0
    assert _conflicts("cio_with_coo", **ESCALATIONS_ONLY) > 0


def test_escalations_conflict_only_where_they_cross():
    # Exact counts: no escalation, or no channel, means no conflict at all.
    assert _conflicts("cio_cto_split", **{**ESCALATIONS_ONLY, "escalation_prob_max": 0.0}) == 0
    assert _conflicts("single_cio", **ESCALATIONS_ONLY) == 0


def test_timed_out_escalation_does_not_jump_the_lane(monkeypatch):
    # Decisions are slow and time out fast, so many escalations time out, some are decided.
    timed_out: set[int] = set()
    prioritised: set[int] = set()
    default, prioritise = Decisions._default, ITTeam.prioritise

    def record_default(self, d):
        if d.dtype == "stakeholder" and d.request is not None:
            timed_out.add(d.request.rid)
        default(self, d)

    def record_prioritise(self, request):
        prioritised.add(request.rid)
        prioritise(self, request)

    monkeypatch.setattr(Decisions, "_default", record_default)
    monkeypatch.setattr(ITTeam, "prioritise", record_prioritise)
    model = make_model(
        "single_cio",
        "high_load",
        seed=1,
        steps=STEPS,
        warmup=WARMUP,
        escalation_prob_max=1.0,
        decision_timeout=3,
    )
    for _ in range(STEPS):
        model.step()
    assert timed_out, "the set-up must time escalations out"
    assert prioritised, "decided escalations still jump the lane"
    assert not timed_out & prioritised
