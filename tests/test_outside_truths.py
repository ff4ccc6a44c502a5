"""Published measures against truths computed outside the model's own bookkeeping (issue 19).

Little's law is checked against each item's own arrival and departure tick, timed in memory by
wrapping the points where an item joins and leaves a queue; the decision queue as a single server
is checked against the exact discrete-time queue, solved here with numpy.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.config.loaders import build_params, load_structure
from sim.config.scenario import Scenario
from sim.model.decisions import Decisions
from sim.model.model import ITLeadershipModel
from sim.model.portfolio import Portfolio
from sim.model.records import TickCounters

STEPS = 300
WARMUP = 60


# --- 1. Little's law from waits timed on each item ---------------------------------------------


def _timed_run(monkeypatch, **overrides):
    """Run baseline with every decision and proposal timed on its own; returns (ticks, items)."""
    items: dict[str, dict[int, list[int]]] = {"decision": {}, "proposal": {}}
    models = []

    raise_decision = Decisions.raise_decision
    release = Decisions._release
    propose = Portfolio.propose
    leave = Portfolio._leave_queue

    def raise_timed(self, dtype, team, **kw):
        d = raise_decision(self, dtype, team, **kw)
        assert kw.get("raised") is None, "a reroute: no restructure in these runs"
        items["decision"][id(d)] = [self.model.tick, -1]
        models.append(d)  # keep the object alive, so its id is not reused
        return d

    def release_timed(self, d):
        items["decision"][id(d)][1] = self.model.tick
        release(self, d)

    def propose_timed(self, request, raised, *, moved=False):
        assert not moved
        propose(self, request, raised, moved=moved)
        d = self.proposal_timeouts[-1]
        items["proposal"][id(d)] = [self.model.tick, -1]
        models.append(d)

    def leave_timed(self, d):
        items["proposal"][id(d)][1] = self.model.tick
        leave(self, d)

    monkeypatch.setattr(Decisions, "raise_decision", raise_timed)
    monkeypatch.setattr(Decisions, "_release", release_timed)
    monkeypatch.setattr(Portfolio, "propose", propose_timed)
    monkeypatch.setattr(Portfolio, "_leave_queue", leave_timed)
    result = sim.run("baseline", structure=overrides.pop("structure", "single_cio"), **overrides)
    return result, {k: np.array(list(v.values()), dtype=float) for k, v in items.items()}


QUEUES = {
    "decision": ("decision_queue", "decision_latency", "decisions_released"),
    "proposal": ("proposal_queue", "proposal_wait", "proposals_closed"),
}


@pytest.mark.parametrize("structure", ["single_cio", "cio_cto_split"])
@pytest.mark.parametrize("queue", list(QUEUES))
def test_littles_law_from_per_item_times(monkeypatch, queue, structure):
    """L (published) = lambda x W (per item), and the published waits are the per-item waits."""
    result, items = _timed_run(
        monkeypatch, structure=structure, seed=1, steps=STEPS, warmup=WARMUP, request_rate=1.1
    )
    ticks = result.ticks
    length, wait, count = QUEUES[queue]
    arrived, left = items[queue][:, 0], items[queue][:, 1]
    assert len(arrived) > 100
    end = np.where(left < 0, STEPS, left)  # still waiting: counted to the end of the run
    # Exact over the whole run (the queue starts empty; counted at the end of each tick).
    area = ticks[length].sum()
    assert area == pytest.approx((end - arrived).sum(), abs=1e-9)
    # Little's law over the window after warm-up, from items that arrived in it.
    window = STEPS - WARMUP
    inside = arrived >= WARMUP
    lam = inside.sum() / window
    w = (end[inside] - arrived[inside]).mean()
    big_l = ticks.loc[ticks["tick"] >= WARMUP, length].mean()
    # Edges: items open at the window's start count in L, not in lambda W (a few % here).
    assert big_l == pytest.approx(lam * w, rel=0.10)
    # The published per-tick mean wait is the mean of the items that left that tick.
    done = left >= 0
    for t in range(STEPS):
        mine = done & (left == t)
        published = ticks[wait].iloc[t]
        assert ticks[count].iloc[t] == mine.sum()
        if mine.sum():
            assert published == pytest.approx((left[mine] - arrived[mine]).mean(), abs=1e-9)
        else:
            assert np.isnan(published)
    after = done & (left >= result.params.warmup)
    assert result.summary[wait][0] == pytest.approx((left[after] - arrived[after]).mean())


# --- 2. The decision queue as a single server against the exact Geo/D/1 queue --------------------


def _geo_d1(p: float, k: int, cap: int = 1500) -> tuple[float, float]:
    """Exact Geo/D/1 (service k ticks): mean latency (release - raised) and end-of-tick queue.

    Work U (in ticks of service) at the end of a tick: U' = max(0, U + k A - 1), A ~ Bernoulli(p).
    An arrival is served in its own tick after the work ahead (it sees the time average: Bernoulli
    arrivals), so it is released U + k - 1 ticks after it was raised; ceil(U / k) items wait.
    """
    n = cap
    trans = np.zeros((n, n))
    for u in range(n):
        trans[u, max(0, u - 1)] += 1 - p
        trans[u, min(n - 1, max(0, u + k - 1))] += p
    lhs = trans.T - np.eye(n)
    lhs[-1, :] = 1.0
    b = np.zeros(n)
    b[-1] = 1.0
    pi = np.linalg.solve(lhs, b)
    u = np.arange(n)
    return float(pi @ u + k - 1), float(pi @ np.ceil(u / k))


K = 2  # service ticks per decision


def _single_server(rho: float, seed: int, steps: int) -> tuple[float, float]:
    """The model's executive serves a synthetic Bernoulli stream; published latency and queue."""
    scenario = Scenario(name="single_server", shocks=())
    params = build_params(
        scenario,
        {
            "steps": steps,
            "warmup": 0,
            "overtime_max": 0.0,
            "decision_timeout": 1000,  # never reached: waits here are tens of ticks
            "attention_policy": "urgent_first",
        },
    )
    model = ITLeadershipModel(params, load_structure("single_cio"), scenario, 0, load_structure)
    ex = model.executives_by_name["CIO"]
    team = model.team_list[0]
    budget = ex.role.attention_hours
    base = ex.decision_hours(1.0, "business", team.leader_trust.value)
    # Hours per decision = K x the budget: a K-tick deterministic service.
    object.__setattr__(params, "decision_hours", K * budget / base)
    rng = np.random.default_rng(seed)
    arrivals = rng.random(steps) < rho / K
    for t in range(steps):
        model.tick = t
        model.counters = TickCounters()
        if arrivals[t]:
            # An escalation for a business unit: team=-1, so no trust moves the service time.
            model.decisions.raise_decision("stakeholder", team, unit=0)
        model.decisions.expire_overdue(t)
        ex.allocate_attention()
        ex.given = {a: (h if a == "decisions" else 0.0) for a, h in ex.given.items()}
        ex._serve(ex.decisions, ex.given["decisions"], "decisions")
        model.recorder.collect(model)
    ticks = model.recorder.ticks_frame(steps)
    after = ticks[ticks["tick"] >= 200]
    latency = np.nansum(after["decision_latency"] * after["decisions_released"])
    return latency / after["decisions_released"].sum(), after["decision_queue"].mean()


RHOS = (0.5, 0.8, 0.9)


def test_the_decision_server_matches_the_exact_geo_d_1_queue():
    seeds, steps = 6, 4000
    latencies = {}
    for rho in RHOS:
        runs = np.array([_single_server(rho, s, steps) for s in range(seeds)])
        exact_w, exact_q = _geo_d1(rho / K, K)
        mean, se = runs.mean(axis=0), runs.std(axis=0, ddof=1) / np.sqrt(seeds)
        # Within 3 SE over independent seeds (plus 3% for the finite run's start from empty).
        assert abs(mean[0] - exact_w) < 3 * se[0] + 0.03 * exact_w, (rho, mean[0], exact_w)
        assert abs(mean[1] - exact_q) < 3 * se[1] + 0.03 * exact_q, (rho, mean[1], exact_q)
        latencies[rho] = mean[0]
    # Kingman: waits rise steeply near 1: the slope from 0.8 to 0.9 is over twice that below.
    low = (latencies[0.8] - latencies[0.5]) / 0.3
    high = (latencies[0.9] - latencies[0.8]) / 0.1
    assert high > 2 * low
