"""Ablation tests of work, people and shocks: trust and support, exhaustion, debt, voice, shocks.

Each test turns a lever over paired seeds and asserts a margin (a paired difference beyond twice
its standard error); where a mechanism can be switched off, the effect must go with it (the
pattern of :mod:`tests.ablation`). Shock tests compare a shocked run with its exact counterfactual
(the same seed without the shocks). Every number is read from the published per-tick table or the
run summary.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

import sim
from sim.model import teams
from tests.ablation import Ablation, ablate, beyond_noise, record, replaced
from tests.conftest import SHORT_WARMUP
from tests.conftest import early as early_events


def _runs(scenario, seed: int, steps: int, **overrides) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-tick tables of the shocked run and of its exact counterfactual (no shocks)."""
    scenario = early_events(scenario) if isinstance(scenario, str) else scenario
    overrides = {"warmup": SHORT_WARMUP} | overrides
    shocked = sim.run(scenario, seed=seed, steps=steps, **overrides).ticks
    calm = sim.run(scenario, seed=seed, steps=steps, shocks=False, **overrides).ticks
    return shocked, calm


def _window_alignment(ticks: pd.DataFrame, start: int, end: int) -> float:
    """Value-weighted alignment of the strategic work delivered in ``start <= t < end``."""
    value = ticks["strategic_value"].to_numpy()[start:end]
    alignment = np.nan_to_num(ticks["strategic_alignment"].to_numpy()[start:end])
    total = value.sum()
    return float((alignment * value).sum() / total) if total > 0.0 else np.nan


def _finite(d: np.ndarray) -> np.ndarray:
    """Paired differences of the seeds where both runs delivered strategic work in the window."""
    return d[np.isfinite(d)]


# --- trust and support ---------------------------------------------------------------------------


@pytest.mark.slow
def test_trust_in_the_leader_raises_team_capacity():
    # De Jong et al. 2016: team trust in its leader raises its productivity
    # (trust_productivity_gain). People time the leader cannot give (a need of 3 h per report)
    # brings less positive evidence, so team trust falls and so does capacity; exhaustion's own
    # drag on capacity is held off so the support this time also gives cannot carry the effect.
    lever = {"people_hours_per_report": 3.0}
    base = {"exhaustion_productivity": 0.0, "warmup": SHORT_WARMUP}
    trust = [
        sim.run(seed=s, steps=300, **base | lever).summary["team_trust"].iloc[0]
        - sim.run(seed=s, steps=300, **base).summary["team_trust"].iloc[0]
        for s in range(6)
    ]
    assert beyond_noise(trust, -1), trust  # the lever moves trust in the leader
    for outcome in ("capacity", "delivered"):
        a = ablate(outcome, lever, {"trust_productivity_gain": 0.0}, base=base, seeds=16)
        assert a.holds(-1), (outcome, a)


@pytest.mark.slow
def test_leader_support_speeds_recovery_from_exhaustion():
    # JD-R (Demerouti et al. 2001): a leader's people time is a resource that speeds recovery.
    # Less of it (more needed than can be given) leaves teams more exhausted and burnt out.
    for outcome in ("team_exhaustion", "burnout_share"):
        a = ablate(outcome, {"people_hours_per_report": 3.0}, {"support_recovery": 0.0})
        assert a.holds(+1), (outcome, a)


# --- exhaustion: depletion and recovery ----------------------------------------------------------


def _rise_and_fall(excess: np.ndarray, start: int, end: int) -> float:
    """Ticks to fall back from the peak by half of it, less the ticks it took to rise that far."""
    peak = start + int(np.argmax(excess[start : end + 1]))
    half = excess[peak] / 2.0
    rise = int(np.argmax(excess[start:] >= half))
    fallen = excess[peak:] <= half
    fall = int(np.argmax(fallen)) if fallen.any() else len(fallen)  # censored at the run's end
    return float(fall - rise)


@pytest.mark.slow
def test_exhaustion_rises_faster_under_overload_than_it_falls_after():
    # JD-R and Homer 1985: demands deplete fast, recovery is slow. In a 40-tick demand surge the
    # excess exhaustion (against the no-surge run) climbs to half its peak well before it sheds
    # that half after the surge. With fast recovery (exhaustion_recovery 0.1, a time constant
    # of a few ticks) exhaustion follows the load down about as fast as it rose.
    surge, steps = (300, 340), 440

    def asymmetry(seed: int, **overrides) -> float:
        shocked, calm = _runs("demand_surge", seed, steps, **overrides)
        excess = (shocked["team_exhaustion"] - calm["team_exhaustion"]).to_numpy()
        return _rise_and_fall(excess, *surge)

    seeds = range(8)
    a = Ablation(
        on=np.array([asymmetry(s) for s in seeds]),
        off=np.array([asymmetry(s, exhaustion_recovery=0.1) for s in seeds]),
    )
    assert record("exhaustion_fall_minus_rise_ticks", a).holds(+1), a


# --- firefighting -------------------------------------------------------------------------------


@contextlib.contextmanager
def incidents_last() -> Iterator[None]:
    """Incidents get only the hours that improvement and planned work leave (no pre-emption)."""
    firefight, plan = teams.ITTeam._firefight, teams.ITTeam._plan

    def plan_first(team: teams.ITTeam, left: float, run_work: float) -> float:
        return firefight(team, plan(team, left, run_work))

    with (
        replaced(teams.ITTeam, "_firefight", lambda team, left: left),
        replaced(teams.ITTeam, "_plan", plan_first),
    ):
        yield


@pytest.mark.slow
@pytest.mark.parametrize(
    ("outcome", "seeds"), [("unplanned_share", 6), ("lead_time_change_mean", 10)]
)
def test_incidents_pre_empt_planned_work(outcome, seeds):
    # MODEL.md (firefighting; Repenning 2001): incidents are restored before planned work, so an
    # incident storm takes hours from planned work at once: a larger unplanned share, slower
    # changes. Worked last, incidents wait for spare hours and planned work barely notices.
    a = ablate(
        outcome,
        {"shocks": True},
        switch=incidents_last,
        scenario="incident_storm",
        steps=400,
        seeds=seeds,
    )
    assert a.holds(+1), a


# --- technical debt and improvement --------------------------------------------------------------


LIGHT_LOAD = {"request_rate": 0.6}  # well below capacity: pressure rarely tops 1


@pytest.mark.slow
def test_the_capability_trap_tips_as_load_rises():
    # Repenning & Sterman 2001: teams under schedule pressure cut improvement time, debt grows,
    # capacity falls, pressure rises: a reinforcing loop with a tipping point. Below capacity
    # the cut costs (almost) nothing; past it, the debt it adds grows faster than the load.
    # Without the cut (pressure_cut = 0), that extra debt goes.
    levels = (0.85, 1.05, 1.2)
    extra = []
    for rate in levels:
        a = ablate("debt_mean", {"request_rate": rate}, {"pressure_cut": 0.0}, base=LIGHT_LOAD)
        assert a.holds(+1), (rate, a)
        extra.append((a.on - a.off).mean())  # debt the cut adds, against light load
    slopes = np.diff([0.0, *extra]) / np.diff([LIGHT_LOAD["request_rate"], *levels])
    assert all(np.diff(slopes) > 0), (extra, slopes)  # convex: it tips
    a = ablate("incidents_new", {"request_rate": 1.2}, {"pressure_cut": 0.0}, base=LIGHT_LOAD)
    assert a.holds(+1), a  # and debt brings incidents


def test_capability_erodes_without_upkeep():
    # Repenning 2001: capability erodes without upkeep (debt_erosion adds debt every tick).
    # Without improvement time debt grows; without erosion, less of that growth is left.
    cut = {"improvement_share_min": 0.0, "improvement_share_max": 0.0}
    a = ablate("debt_mean", cut, {"debt_erosion": 0.0})
    assert a.holds(+1), a


def test_improvement_pays_back_only_after_its_delay():
    # Repenning & Sterman 2001: improvement pays back only after a delay. A debt push (from
    # tick 150) against the same seed without it: with a 60-tick delay, debt is no lower until
    # the first payback and clearly lower after; with no delay it is lower at once.
    push, delay = 150, 60
    before, after = slice(push, push + delay), slice(push + delay + 20, push + delay + 120)

    def paid(seed: int, improvement_delay: int) -> tuple[float, float]:
        runs = [
            sim.run(
                early_events(s),
                seed=seed,
                steps=400,
                warmup=SHORT_WARMUP,
                improvement_delay=improvement_delay,
            ).ticks
            for s in ("baseline", "debt_push")
        ]
        gap = (runs[0]["debt_mean"] - runs[1]["debt_mean"]).to_numpy()  # debt the push saved
        return float(gap[before].mean()), float(gap[after].mean())

    seeds = range(6)
    delayed = np.array([paid(s, delay) for s in seeds])
    prompt = np.array([paid(s, 0) for s in seeds])
    assert beyond_noise(delayed[:, 1]), delayed  # pays back after the delay
    assert delayed[:, 0].mean() < 0.2 * delayed[:, 1].mean(), delayed  # and not before
    assert beyond_noise(prompt[:, 0] - delayed[:, 0]), (prompt, delayed)  # the delay held it


# --- voice ---------------------------------------------------------------------------------------


# Edmondson 1999: whether a team voices a problem depends on its safety; this switch makes
# voicing a fixed even chance, whatever the team's safety.
def deaf_to_safety():
    return replaced(teams.ITTeam, "_voices", lambda team, request: request.u_voice < 0.5)


@pytest.mark.parametrize("outcome", ["rework_effort", "debt_mean", "incidents_new"])
def test_hidden_problems_surface_later_as_rework_debt_and_incidents(outcome):
    # Edmondson 1999, VDT hidden work: an unsafe team keeps problems quiet; they ship and
    # surface later as rework and debt, and debt raises incidents. Safety is held where it
    # starts (no gain, no decay), so the lever is safety itself.
    fixed = {"safety_initial": 0.95, "safety_gain": 0.0, "safety_decay": 0.0}
    a = ablate(outcome, {"safety_initial": 0.05}, switch=deaf_to_safety, base=fixed, seeds=10)
    assert a.holds(+1), a


# --- shocks --------------------------------------------------------------------------------------


def _headcount_lost(seed: int, hiring_delay: int, windows: list[slice]) -> list[float]:
    """Share of headcount the staff-loss shock costs, against the no-shock run, per window."""
    shocked, calm = _runs("staff_loss", seed, 480, hiring_delay=hiring_delay)
    lost = (calm["headcount"] - shocked["headcount"]) / calm["headcount"]
    return [float(lost.iloc[w].mean()) for w in windows]


def test_losing_staff_cuts_headcount_until_hires_arrive():
    # 15% of staff leave at tick 300; their vacancies are approved and filled after the hiring
    # delay. Headcount is down at once, back soon after the delay; a longer delay keeps it down.
    early, mid, late = slice(301, 320), slice(380, 400), slice(440, 460)
    seeds = range(6)
    usual = np.array([_headcount_lost(s, 60, [early, mid]) for s in seeds])
    slow = np.array([_headcount_lost(s, 120, [mid, late]) for s in seeds])
    assert beyond_noise(usual[:, 0]) and usual[:, 0].mean() > 0.10, usual  # down after the shock
    assert abs(usual[:, 1].mean()) < 0.2 * usual[:, 0].mean(), usual  # back after the hires
    assert beyond_noise(slow[:, 0] - usual[:, 1]) and slow[:, 0].mean() > 0.10, slow  # still down
    assert abs(slow[:, 1].mean()) < 0.2 * usual[:, 0].mean(), slow  # back after a longer wait


@pytest.mark.slow
def test_a_market_shock_devalues_the_pipeline_until_it_is_re_aimed():
    # March 1991: when themes are re-drawn (tick 300), funded work loses alignment until reviews
    # re-aim it. At the usual review interval alignment is back within about 30 ticks; with
    # reviews five times rarer it stays down for longer.
    windows = [(300, 330), (330, 390), (360, 420)]

    def dents(seed: int, review_interval: int) -> list[float]:
        shocked, calm = _runs("market_shock", seed, 420, review_interval=review_interval)
        return [_window_alignment(calm, *w) - _window_alignment(shocked, *w) for w in windows]

    seeds = range(32)
    usual = np.array([dents(s, 20) for s in seeds])
    rare = np.array([dents(s, 100) for s in seeds])
    after, later = _finite(usual[:, 0]), _finite(usual[:, 2])
    assert beyond_noise(after), usual  # the pipeline is devalued
    assert later.mean() < 0.25 * after.mean(), usual  # re-aimed, it recovers
    assert beyond_noise(_finite(rare[:, 1] - usual[:, 1])), (rare, usual)  # re-aimed later, later


def test_a_demand_surge_lengthens_lead_times_and_raises_the_backlog():
    # A demand surge (60% more requests, ticks 300-340) queues work: the backlog grows during
    # the surge and changes take longer (Little's law), against the same seed without it.
    backlog, lead_time = [], []
    for seed in range(12):
        shocked, calm = _runs("demand_surge", seed, 380)
        backlog.append(shocked["backlog"][300:340].mean() - calm["backlog"][300:340].mean())
        lead_time.append(
            np.nanmean(shocked["lead_time_change"][310:350])
            - np.nanmean(calm["lead_time_change"][310:350])
        )
    assert beyond_noise(backlog), backlog
    assert beyond_noise(lead_time), lead_time


def test_a_turbulence_jump_lowers_strategic_alignment():
    # March 1991: faster drift of the themes fades funded work before it is delivered. The
    # turbulent market's jump alone, made stronger (x8 for 120 ticks from tick 300) so that its
    # effect on the few strategic deliveries lies beyond noise: more work must be re-aimed and
    # what is delivered is less aligned.
    market = early_events("turbulent_market")
    jump = next(s for s in market.shocks if s.kind == "turbulence_jump")
    scenario = dataclasses.replace(market, shocks=(dataclasses.replace(jump, magnitude=8.0),))
    reaimed, dented = [], []
    for seed in range(20):
        shocked, calm = _runs(scenario, seed, 420)
        reaimed.append(shocked["reaimed"][300:420].sum() - calm["reaimed"][300:420].sum())
        dented.append(_window_alignment(calm, 320, 420) - _window_alignment(shocked, 320, 420))
    assert beyond_noise(reaimed), reaimed
    assert beyond_noise(dented), dented


def test_a_demand_level_change_moves_requests_and_load():
    # A lasting 15% rise in demand (the turbulent market's demand level, alone): units raise
    # about 15% more requests, and the load on IT (work offered over capacity) rises.
    market = early_events("turbulent_market")
    scenario = dataclasses.replace(
        market, shocks=tuple(s for s in market.shocks if s.kind == "demand_level")
    )
    ratio, load = [], []
    for seed in range(6):
        shocked, calm = _runs(scenario, seed, 400)
        ratio.append(
            shocked["requests_created"][300:].sum() / calm["requests_created"][300:].sum() - 1.0
        )
        load.append(
            shocked["demand_capacity_ratio"][320:].mean()
            - calm["demand_capacity_ratio"][320:].mean()
        )
    assert beyond_noise(ratio) and 0.10 < np.mean(ratio) < 0.20, ratio
    assert beyond_noise(load), load
    # Nothing changes before the shock: the no-shock run is its exact counterfactual.
    assert shocked["requests_created"][:300].equals(calm["requests_created"][:300])
