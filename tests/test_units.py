"""Unit tests of the small building blocks: trust, attention, queues, draws, shocks, market."""

import math

import numpy as np
import pytest

import sim
from sim.config.params import Params
from sim.config.scenario import Scenario, ShockSpec
from sim.model.attention import ACTIVITIES, PEOPLE_WORK, allocate
from sim.model.draws import binomial_inverse, poisson_inverse, poisson_inverse_many
from sim.model.market import Market
from sim.model.outcomes import SUMMARY_OUTCOMES
from sim.model.queues import QueueStats
from sim.model.shocks import build_timeline
from sim.model.trust import BetaTrust, negative_all


class TestBetaTrust:
    def test_no_evidence_is_one_half(self):
        assert BetaTrust().value == 0.5

    def test_expected_value_of_beta(self):
        t = BetaTrust(r=3.0, s=1.0)
        assert t.value == pytest.approx(4 / 6)

    def test_negative_events_weigh_more(self):
        up, down = BetaTrust(), BetaTrust()
        up.positive(1.0)
        down.negative(1.0, weight=3.0)
        assert up.value - 0.5 < 0.5 - down.value

    def test_forgetting_pulls_back_toward_one_half(self):
        t = BetaTrust(r=10.0, s=0.0)
        before = t.value
        for _ in range(200):
            t.forget(0.98)
        assert 0.5 < t.value < before

    def test_reset_forgets_everything(self):
        t = BetaTrust(r=5.0, s=2.0)
        t.reset()
        assert t.value == 0.5

    def test_negative_all_is_negative_for_each(self):
        one_by_one = [BetaTrust(r=1.0, s=s) for s in (0.0, 0.7, 3.1)]
        at_once = [BetaTrust(r=1.0, s=s) for s in (0.0, 0.7, 3.1)]
        for t in one_by_one:
            t.negative(0.3, 2.5)
        negative_all(at_once, 0.3, 2.5)
        assert at_once == one_by_one


DEMAND = {"incidents": 2.0, "decisions": 4.0, "stakeholder": 3.0, "people": 4.0}


class TestAllocate:
    demand = DEMAND

    @pytest.mark.parametrize("policy", ["urgent_first", "protected_people_time"])
    def test_never_more_than_demanded_or_available(self, policy):
        given = allocate(self.demand, 8.0, policy=policy, overtime=2.0, protected_share=0.35)
        assert set(given) == set(ACTIVITIES)
        for a in ACTIVITIES:
            assert 0.0 <= given[a] <= self.demand.get(a, 0.0) + 1e-12
        assert sum(given.values()) <= 10.0 + 1e-9

    def test_urgent_first_crowds_out_people_work(self):
        given = allocate(
            self.demand, 6.0, policy="urgent_first", overtime=0.0, protected_share=0.35
        )
        assert given["incidents"] == 2.0 and given["decisions"] == 4.0
        assert given["people"] == 0.0 and given["stakeholder"] == 0.0

    def test_protected_policy_keeps_a_floor_for_people_work(self):
        given = allocate(
            self.demand, 6.0, policy="protected_people_time", overtime=0.0, protected_share=0.35
        )
        assert sum(given[a] for a in PEOPLE_WORK) == pytest.approx(0.35 * 6.0)

    def test_no_overtime_when_demand_fits(self):
        given = allocate(
            {"people": 1.0}, 8.0, policy="urgent_first", overtime=2.0, protected_share=0
        )
        assert sum(given.values()) == 1.0

    def test_unknown_policy_is_an_error(self):
        with pytest.raises(ValueError, match="policy"):
            allocate({}, 1.0, policy="whim", overtime=0.0, protected_share=0.0)


class TestQueueStats:
    def test_queue_stats_match_hand_counted_items(self):
        # Hand count, FIFO: end-of-tick lengths 2,3,2,2,3,2 (area 14); the six items wait
        # 2,3,2,2 ticks (left) and 3,2 (still waiting at tick 6): 14 in all.
        q = QueueStats()
        arrivals = {0: 2, 1: 1, 3: 2, 4: 1}
        waiting: list[int] = []
        departures = {2: 1, 3: 2, 5: 1}
        for t in range(6):
            for _ in range(arrivals.get(t, 0)):
                q.arrive(t)
                waiting.append(t)
            for _ in range(departures.get(t, 0)):
                q.depart(waiting.pop(0), t)
            q.end_tick()
        length, rate, sojourn = q.little(6)
        assert (length, rate, sojourn) == pytest.approx((14 / 6, 1.0, 14 / 6))
        assert (q.length, q.departures, q.sojourn) == (2, 4, 9)


@pytest.mark.parametrize("lam", [0.1, 1.5, 6.0])
def test_poisson_inverse_has_the_right_mean(lam):
    u = np.random.default_rng(1).random(20_000)
    mean = np.mean([poisson_inverse(x, lam) for x in u])
    assert mean == pytest.approx(lam, rel=0.05)


def test_vectorised_poisson_inverse_gives_the_scalar_counts():
    rng = np.random.default_rng(3)
    u = rng.random(50_000)
    lam = np.concatenate([[0.0, 0.0], rng.random(49_998) * 8.0])
    scalar = [poisson_inverse(x, rate) for x, rate in zip(u.tolist(), lam.tolist(), strict=True)]
    assert poisson_inverse_many(u, lam).tolist() == scalar


def test_binomial_inverse_has_the_right_mean():
    u = np.random.default_rng(2).random(20_000)
    mean = np.mean([binomial_inverse(x, 8, 0.1) for x in u])
    assert mean == pytest.approx(0.8, rel=0.05)
    assert binomial_inverse(0.999999, 8, 0.1) <= 8


class TestTimeline:
    def test_drawn_starts_lie_in_the_window(self):
        scen = Scenario(
            name="x",
            shocks=(
                ShockSpec(
                    kind="incident_storm", window=(100, 120), duration=5, magnitude=3.0, repeat=4
                ),
            ),
        )
        tl = build_timeline(scen, Params(), np.random.default_rng(0))
        assert len(tl.events) == 4
        assert all(100 <= e.start <= 120 for e in tl.events)
        assert tl.incident_mult.max() >= 3.0

    def test_overlapping_multipliers_multiply(self):
        shock = ShockSpec(kind="demand_surge", at=10, duration=5, magnitude=2.0)
        scen = Scenario(name="x", shocks=(shock, shock))
        tl = build_timeline(scen, Params(), np.random.default_rng(0))
        assert tl.demand_mult[12] == 4.0 and tl.demand_mult[15] == 1.0

    def test_permanent_demand_level_lasts_to_the_end(self):
        scen = Scenario(name="x", shocks=(ShockSpec(kind="demand_level", at=10, magnitude=1.2),))
        tl = build_timeline(scen, Params(steps=50, warmup=0), np.random.default_rng(0))
        assert tl.demand_mult[49] == 1.2 and tl.demand_mult[9] == 1.0


class TestMarket:
    def test_weights_are_a_distribution_every_tick(self):
        p = Params(steps=200, warmup=0, turbulence=0.2)
        tl = build_timeline(Scenario(name="x"), p, np.random.default_rng(0))
        m = Market(p, tl, np.random.default_rng(1))
        assert np.allclose(m.weights.sum(axis=1), 1.0)
        assert (m.weights > 0).all()
        assert 0.0 < m.alignment(0, 10) <= 1.0

    def test_reweighting_moves_the_weights_at_once(self):
        p = Params(steps=200, warmup=0, turbulence=0.0)
        shock = ShockSpec(kind="theme_reweighting", at=100, magnitude=1.0)
        tl = build_timeline(Scenario(name="x", shocks=(shock,)), p, np.random.default_rng(0))
        m = Market(p, tl, np.random.default_rng(1))
        assert np.allclose(m.weights[0], m.weights[99])
        assert not np.allclose(m.weights[99], m.weights[100])
        assert math.isclose(m.weights[100].sum(), 1.0)


def test_summary_outcomes_are_declared_in_the_order_a_run_reports_them():
    summary = sim.run("baseline", steps=80, warmup=10).summary
    assert tuple(summary.columns) == ("scenario", "structure", "seed", *SUMMARY_OUTCOMES)
