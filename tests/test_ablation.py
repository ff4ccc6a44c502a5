"""Ablation tests: each guards one mechanism of MODEL.md by switching just that link off.

The pattern (issue 19): turn a lever that should act through the mechanism, over paired seeds,
once with the mechanism on and once with it off (its gain at zero, in both arms of the lever).
With it on, the lever's effect must lie beyond twice its standard error in the stated direction;
with it off, the effect must go, so the difference between the two effects must also lie beyond
twice its standard error. A test that still passes with its mechanism off is therefore red.
Every number is read from published columns (the per-tick table and the run summary).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

import sim

SEEDS = range(6)
STEPS = 300


def _outcome(outcome: str, seed: int, structure: str, overrides: Mapping[str, Any]) -> float:
    """``outcome`` of one run: a summary column, or the sum of a per-tick count column."""
    result = sim.run("baseline", structure=structure, seed=seed, steps=STEPS, **overrides)
    if outcome in result.summary.columns:
        return float(result.summary[outcome].iloc[0])
    return float(result.ticks[outcome].sum())


@dataclass(frozen=True)
class Ablation:
    """The lever's paired effects per seed, with the mechanism on and off."""

    on: np.ndarray
    off: np.ndarray

    @staticmethod
    def beyond_noise(d: np.ndarray, direction: int) -> bool:
        se = d.std(ddof=1) / np.sqrt(len(d))
        return direction * d.mean() > 2.0 * se and direction * d.mean() > 0

    def holds(self, direction: int) -> bool:
        """On: the effect in ``direction`` beyond noise; off: the effect (mostly) gone."""
        return self.beyond_noise(self.on, direction) and self.beyond_noise(
            self.on - self.off, direction
        )


def ablate(
    outcome: str,
    lever: Mapping[str, Any],
    off: Mapping[str, Any],
    *,
    base: Mapping[str, Any] | None = None,
    structure: str = "single_cio",
    seeds: int = len(SEEDS),
) -> Ablation:
    """The effect of ``lever`` on ``outcome`` per seed, with the mechanism on and with ``off``.

    Args:
        outcome: A summary column, or a per-tick count column (summed over the run).
        lever: Overrides that should move ``outcome`` through the mechanism.
        off: Overrides that switch the mechanism off (applied to both arms of the lever).
        base: Overrides of both arms and both settings, e.g. to make the lever bite.
        structure: The structure that runs.
        seeds: Paired seeds (more where the lever's effect is noisy).
    """
    base = dict(base or {})

    def effects(setting: dict[str, Any]) -> np.ndarray:
        return np.array(
            [
                _outcome(outcome, s, structure, setting | dict(lever))
                - _outcome(outcome, s, structure, setting)
                for s in range(seeds)
            ]
        )

    return Ablation(on=effects(base), off=effects(base | dict(off)))


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
