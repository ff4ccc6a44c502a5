"""Mechanisms that are inert at the defaults bind where docs/validation.md says they do.

At the defaults no decision times out (executives clear escalations well inside the timeout), so
the Virtual Design Team's hidden work from defaulted decisions does not operate.
``scenarios/decision_overload.toml`` makes decisions cost more attention and teams wait less; there
the timeouts must fire and decisions must wait longer, or the scenario no longer shows the
mechanism. Checked from the published columns only, on a few short single-CIO runs.
"""

from dataclasses import asdict

import pytest

import sim
from sim.config.loaders import build_params, load_scenario

SEEDS = (0, 1, 2)
STEPS = 300
WARMUP = 60  # short runs keep a short warm-up (the default is 550)


@pytest.fixture(scope="module")
def runs():
    return {
        scenario: [
            sim.run(scenario, structure="single_cio", seed=s, steps=STEPS, warmup=WARMUP)
            for s in SEEDS
        ]
        for scenario in ("baseline", "decision_overload")
    }


def _timeouts(result):
    return float(result.ticks["decisions_timed_out"].iloc[result.params.warmup :].sum())


def _latency(results):
    return sum(float(r.summary["decision_latency"].iloc[0]) for r in results) / len(results)


def test_decision_timeouts_fire_in_most_overload_runs(runs):
    fired = [_timeouts(r) > 0 for r in runs["decision_overload"]]
    assert sum(fired) > len(SEEDS) / 2, f"timeouts fired in {sum(fired)} of {len(SEEDS)} runs"


def test_decision_overload_raises_decision_latency(runs):
    base, overload = _latency(runs["baseline"]), _latency(runs["decision_overload"])
    # A clear rise, not noise: at the time of writing 0.72 against 1.9 ticks.
    assert overload > 1.25 * base, f"latency {overload:.2f} in overload, {base:.2f} at baseline"


def test_overload_changes_only_decision_parameters():
    """The scenario isolates the decision mechanism: everything else stays at the defaults."""
    base = asdict(build_params(load_scenario("baseline")))
    overload = asdict(build_params(load_scenario("decision_overload")))
    changed = {k for k, v in overload.items() if base[k] != v}
    assert changed == {"decision_hours", "decision_timeout", "exception_prob_change"}
