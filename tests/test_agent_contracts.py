"""Contract tests every agent role inherits, plus role-specific checks.

Each role class says how to find its agent in a small model; the contract then checks what every
agent must honour: it is registered with the model, it runs its part of a tick, its state stays
in range, and the same seed gives it the same history.
"""

import math

import pytest

from sim.model.executives import Executive
from sim.model.teams import ITTeam
from sim.model.units import BusinessUnit

from .conftest import make_model


class AgentContract:
    """What every agent role honours. Subclasses set ``structure`` and implement ``pick``."""

    structure = "single_cio"
    phases: tuple[str, ...] = ()

    def pick(self, model):
        raise NotImplementedError

    def state(self, agent) -> tuple:
        raise NotImplementedError

    def check_ranges(self, agent) -> None:
        raise NotImplementedError

    def run(self, ticks: int = 200, seed: int = 3):
        model = make_model(self.structure, seed=seed, steps=400, warmup=10)
        for _ in range(ticks):
            model.step()
        return model

    def test_is_a_registered_mesa_agent(self):
        model = make_model(self.structure)
        agent = self.pick(model)
        assert agent in model.agents
        assert agent.model is model

    def test_has_its_phases(self):
        agent = self.pick(make_model(self.structure))
        for phase in self.phases:
            assert callable(getattr(agent, phase))

    def test_state_stays_in_range(self):
        model = self.run()
        self.check_ranges(self.pick(model))

    def test_same_seed_same_history(self):
        assert self.state(self.pick(self.run())) == self.state(self.pick(self.run()))

    def test_different_seed_different_history(self):
        assert self.state(self.pick(self.run(seed=3))) != self.state(self.pick(self.run(seed=4)))


class TestBusinessUnit(AgentContract):
    phases = ("generate_requests",)

    def pick(self, model):
        return model.unit_list[0]

    def state(self, agent):
        return (agent.cursor, round(agent.trust.r, 12), round(agent.trust.s, 12))

    def check_ranges(self, agent):
        assert isinstance(agent, BusinessUnit)
        assert 0.0 < agent.trust.value < 1.0
        assert agent.cursor == sum(agent.counts[: agent.model.tick])

    def test_demand_is_the_same_under_every_structure(self):
        a = make_model("single_cio", seed=5).unit_list[2]
        b = make_model("cio_cto_split", seed=5).unit_list[2]
        assert a.counts == b.counts and a.uniforms == b.uniforms


class TeamContract(AgentContract):
    kind = "delivery"
    phases = ("raise_incidents", "work", "update_people")

    def pick(self, model):
        return model.teams_of_kind[self.kind][0]

    def state(self, agent):
        return (agent.headcount, round(agent.debt, 12), round(agent.exhaustion, 12), agent.safety)

    def check_ranges(self, agent):
        p = agent.model.p
        assert isinstance(agent, ITTeam) and agent.kind == self.kind
        assert 0 <= agent.headcount <= p.team_size_max
        assert agent.headcount == len(agent.offsets)
        assert agent.offsets == sorted(agent.offsets)
        assert 0.0 <= agent.exhaustion <= 1.0
        assert 0.0 < agent.safety < 1.0
        assert agent.debt >= 0.0
        assert agent.capacity >= 0.0
        assert agent.backlog_effort >= -1e-6
        open_effort = sum(r.remaining for r in (*agent.queue, *agent.projects))
        incident_effort = sum(i.remaining for i in agent.incidents)
        assert all(i.remaining > 0.0 for i in agent.incidents)  # restored ones have left
        assert agent.incident_effort == pytest.approx(incident_effort, rel=1e-9, abs=1e-9)
        open_effort += incident_effort
        assert open_effort <= agent.backlog_effort + 1e-6  # blocked work is counted too
        assert p.improvement_share_min - 1e-9 <= agent.improvement_plan
        assert agent.improvement_plan <= p.improvement_share_max + 1e-9

    def test_open_incident_effort_is_kept_exactly(self):
        # Many major incidents, so that wrong calls add rework to some while they are open.
        model = make_model(
            self.structure, incident_rate=1.0, major_incident_share=0.5, steps=120, warmup=10
        )
        for _ in range(120):
            model.step()
            for team in model.team_list:
                total = sum(i.remaining for i in team.incidents)
                assert team.incident_effort == pytest.approx(total, rel=1e-9, abs=1e-9)

    def test_incidents_pre_empt_planned_work(self):
        model = make_model(self.structure, incident_rate=3.0, steps=200, warmup=10)
        for _ in range(60):
            model.step()
        team = self.pick(model)
        if team.incidents and any(not i.blocked for i in team.incidents):
            assert team.spent_planned == 0.0


class TestDeliveryTeam(TeamContract):
    kind = "delivery"


class TestPlatformTeam(TeamContract):
    kind = "platform"
    structure = "cio_cto_split"


class ExecutiveContract(AgentContract):
    role = "CIO"
    phases = ("allocate_attention", "act", "update_wellbeing")

    def pick(self, model):
        return model.executives_by_name[self.role]

    def state(self, agent):
        q = agent.queue_stats.decisions  # counts alone can coincide across seeds (106 = 106 once)
        p = agent.queue_stats.proposals
        return (
            round(agent.exhaustion, 12),
            q.arrivals,
            q.sojourn,
            q.area,
            p.arrivals,
            p.sojourn,
            agent.vacant_until,
        )

    def check_ranges(self, agent):
        p = agent.model.p
        assert isinstance(agent, Executive) and agent.name == self.role
        assert 0.0 <= agent.exhaustion <= 1.0
        used = sum(agent.given.values())
        assert used <= agent.budget * (1 + p.overtime_max) + 1e-9
        for activity, hours in agent.given.items():
            assert 0.0 <= hours <= agent.demand.get(activity, 0.0) + 1e-9
        assert agent.queue_stats.decisions.length >= 0
        assert agent.queue_stats.proposals.length >= 0
        assert 0.0 <= agent.perceived_trust <= 1.0

    def test_decisions_need_its_attention(self):
        model = make_model(self.structure, steps=300, warmup=10)
        ex = self.pick(model)
        for _ in range(100):
            model.step()
        assert ex.queue_stats.decisions.arrivals > 0
        assert ex.queue_stats.decisions.departures > 0


class TestCIO(ExecutiveContract):
    role = "CIO"


class TestSplitCIO(ExecutiveContract):
    role = "CIO"
    structure = "cio_cto_split"


class TestCTO(ExecutiveContract):
    role = "CTO"
    structure = "cio_cto_split"

    def test_cto_holds_the_technical_rights(self):
        model = make_model(self.structure)
        assert model.structure.holders("infrastructure", "platform") == ("CTO",)
        assert [t.kind for t in model.reports["CTO"]] == ["platform"] * 5


class TestCOO(ExecutiveContract):
    role = "COO_IT"
    structure = "cio_with_coo"


def test_span_of_control_costs_more_than_linearly():
    """Graicunas: one leader of 12 teams needs more people time than two leaders of 7 and 5."""
    single = make_model("single_cio")
    split = make_model("cio_cto_split")
    single.portfolio.budget()
    split.portfolio.budget()
    one = single.executives_by_name["CIO"].attention_demand()["people"]
    two = sum(split.executives_by_name[r].attention_demand()["people"] for r in ("CIO", "CTO"))
    assert one > two
    assert one > 12 * single.p.people_hours_per_report


def test_no_executive_role_is_hard_coded():
    """A structure file with a role the code has never heard of runs."""
    model = make_model("cio_with_coo", steps=100, warmup=10)
    model.run()
    assert set(model.executives_by_name) == {"CIO", "COO_IT"}
    assert not math.isnan(model.recorder.by_tick["exec_utilisation_mean"][-1])


@pytest.mark.parametrize("structure", ["single_cio", "cio_cto_split"])
def test_every_decision_type_reaches_a_holder(structure):
    model = make_model(structure, steps=300, warmup=10)
    model.run()
    assert all(e.queue_stats.decisions.arrivals > 0 for e in model.executives_by_name.values())
