"""The model: an IT organisation under one leadership structure, stepped one working day at a time.

The model builds the organisation (ODD section 5), installs the structure, and schedules the day
(ODD section 3); each mechanism lives with the agent or the submodel that owns its state (ODD
section 7, one subsection per file):
:mod:`~sim.model.demand`, :mod:`~sim.model.decisions`, :mod:`~sim.model.portfolio`,
:mod:`~sim.model.coordination`, and the agents :mod:`~sim.model.units`,
:mod:`~sim.model.teams` and :mod:`~sim.model.executives`. It never asks which structure it runs;
it asks the structure who decides, who leads whom and what a channel costs
(:mod:`sim.config.structure`).
"""

from __future__ import annotations

from collections.abc import Callable

import mesa

from sim.config.params import Params
from sim.config.scenario import Scenario
from sim.config.structure import TEAM_KINDS, Structure
from sim.model import streams
from sim.model.coordination import Coordination
from sim.model.decisions import Decisions
from sim.model.demand import Demand
from sim.model.executives import Executive
from sim.model.market import Market
from sim.model.portfolio import Portfolio
from sim.model.recorder import Recorder
from sim.model.records import Decision, TickCounters
from sim.model.shocks import build_timeline
from sim.model.teams import ITTeam
from sim.model.units import BusinessUnit


class ITLeadershipModel(mesa.Model):
    """An IT organisation: business units, IT teams and executives under one structure.

    Args:
        params: Every parameter of the run.
        structure: The leadership structure.
        scenario: Shocks and interventions (its parameter overrides are already in ``params``).
        seed: Root seed; every random stream is derived from it by purpose.
        structure_loader: Resolves a structure name for a ``restructure`` intervention.
    """

    def __init__(
        self,
        params: Params,
        structure: Structure,
        scenario: Scenario,
        seed: int,
        structure_loader: Callable[[str], Structure] | None = None,
    ) -> None:
        super().__init__(rng=seed)
        self.p = params
        self.seed = seed
        self.scenario_spec = scenario
        self.structure_loader = structure_loader
        self.initial_structure = structure  # its name labels the results, after a restructure too
        self.tick = 0
        self.timeline = build_timeline(scenario, params, streams.stream(seed, streams.SHOCKS))
        self.market = Market(params, self.timeline, streams.stream(seed, streams.MARKET))
        # Per-tick multipliers as plain lists: read in inner loops.
        self.incident_mult = self.timeline.incident_mult.tolist()
        self.debt_floor = self.timeline.debt_floor.tolist()
        self.feedback_hours = self.timeline.feedback_hours.tolist()
        self.counters = TickCounters()
        self.demand = Demand(self)
        self.decisions = Decisions(self)
        self.portfolio = Portfolio(self)
        self.coordination = Coordination(params, streams.stream(seed, streams.COORDINATION))
        self._build_units()
        self._build_teams()
        self.executives_by_name: dict[str, Executive] = {}
        self.apply_structure(structure)
        self.recorder = Recorder(self)

    def _build_units(self) -> None:
        self.n_units = self.p.n_business_units
        for i in range(self.n_units):
            BusinessUnit(self, i, streams.stream(self.seed, streams.DEMAND, i, 0))
        self.units = self.agents_by_type[BusinessUnit]
        self.unit_list = self.units.to_list()
        self.unit_trust = [u.trust for u in self.unit_list]

    def _build_teams(self) -> None:
        p = self.p
        org = streams.stream(self.seed, streams.ORGANISATION)
        kinds = ["delivery"] * p.n_delivery_teams + ["platform"] * p.n_platform_teams
        sizes = org.integers(p.team_size_min, p.team_size_max + 1, len(kinds))
        for j, (kind, size) in enumerate(zip(kinds, sizes, strict=True)):
            ITTeam(self, j, kind, int(size), streams.stream(self.seed, streams.TEAM, j))
        self.teams = self.agents_by_type[ITTeam]
        self.team_list = self.teams.to_list()
        self.teams_of_kind = {k: [t for t in self.team_list if t.kind == k] for k in TEAM_KINDS}
        for team in self.team_list:
            team.capacity = team.compute_capacity()

    # --- structure ---------------------------------------------------------------------------
    def apply_structure(self, structure: Structure) -> None:
        """Install ``structure``: roles, reporting lines, decision rights and channels.

        Called at the start and by a ``restructure`` intervention. A role in both the old and the
        new structure keeps its state; a new role starts with no trust relationships; a removed
        role's queued decisions go to whoever holds the right now.
        """
        old = getattr(self, "structure", None)
        self.structure = structure
        orphans = self._install_roles(structure)
        # Teams whose leader changes start their relationship with the new leader over.
        for team in self.team_list:
            if old is not None and old.reports_to(team.kind) != structure.reports_to(team.kind):
                team.leader_changed()
        self.coordination.install(structure)
        self.all_trust = self.unit_trust + [t.leader_trust for t in self.team_list]
        self.all_trust += self.coordination.trusts()
        self.reports: dict[str, list[ITTeam]] = {name: [] for name in structure.role_names}
        self.planners: dict[str, list[tuple[ITTeam, float]]] = {n: [] for n in self.reports}
        for team in self.team_list:
            self.reports[structure.reports_to(team.kind)].append(team)
            right = "architecture" if team.kind == "delivery" else "infrastructure"
            holders = structure.holders(right, team.kind)
            for name in holders:
                self.planners[name].append((team, 1.0 / len(holders)))
        self.stakeholder_holders = structure.holders("stakeholder", "delivery")
        self.investment_holders = structure.holders("investment", "delivery")
        for d in orphans:
            if not d.resolved:
                self.decisions.reroute(d)

    def _install_roles(self, structure: Structure) -> list[Decision]:
        """Executives for the structure's roles; returns the queued work of roles abolished."""
        orphans: list[Decision] = []
        for name in list(self.executives_by_name):
            if name not in structure.role_names:
                gone = self.executives_by_name.pop(name)
                orphans.extend(d for d in (*gone.urgent, *gone.decisions, *gone.proposals))
                gone.remove()
        for role in structure.roles:
            existing = self.executives_by_name.get(role.name)
            if existing is None:
                rng = streams.stream(self.seed, streams.EXECUTIVE, streams.stable_id(role.name))
                self.executives_by_name[role.name] = Executive(self, role, rng)
            else:
                existing.take_role(role)  # the incumbent keeps their expertise and trust
        self.executives = self.agents_by_type[Executive]
        self.executive_list = self.executives.to_list()
        return orphans

    # --- the day -----------------------------------------------------------------------------
    def step(self) -> None:
        """One working day, in the order MODEL.md describes it.

        Agents are stepped from lists cached when they come or go (MESA-NOTES: "cache
        to_list()"), in the AgentSets' order: seven ``AgentSet.do`` calls a tick cost about a
        tenth of a default run.
        """
        t = self.tick
        self.counters = TickCounters()
        self._scheduled_events(t)
        for unit in self.unit_list:
            unit.generate_requests()
        for team in self.team_list:
            team.raise_incidents()
        self.decisions.release_held_back(t)
        self.decisions.expire_overdue(t)
        self.portfolio.expire_overdue(t)
        self.portfolio.budget()
        executives = self.executive_list
        for ex in executives:
            ex.allocate_attention()
        for ex in executives:
            ex.act()
        for team in self.team_list:
            team.work()
        for team in self.team_list:
            team.update_people()
        for ex in executives:
            ex.update_wellbeing()
        self._end_of_day()
        self.recorder.collect(self)
        self.tick += 1

    def run(self) -> None:
        """Run every tick of ``params.steps``."""
        for _ in range(self.p.steps - self.tick):
            self.step()

    def _scheduled_events(self, t: int) -> None:
        tl = self.timeline
        if t in tl.restructure:
            if self.structure_loader is None:
                raise RuntimeError("a restructure needs a structure_loader")
            self.apply_structure(self.structure_loader(tl.restructure[t]))
        if t in tl.staff_loss:
            for team in self.team_list:
                team.lose_staff(round(tl.staff_loss[t] * team.headcount))

    def _end_of_day(self) -> None:
        """Trust fades (forgetting) and every queue is counted for Little's law."""
        f = self.p.trust_forgetting
        for trust in self.all_trust:  # BetaTrust.forget, inlined: every dyad, every tick
            r = trust.r = trust.r * f
            s = trust.s = trust.s * f
            trust.value = (r + 1.0) / (r + s + 2.0)
        for team in self.team_list:
            team.queue_stats.end_tick()
        for ex in self.executive_list:
            ex.queue_stats.end_tick()

    # --- what the organisation is now --------------------------------------------------------
    def business_trust(self) -> float:
        """Mean trust of business units in IT."""
        return sum(u.trust.value for u in self.unit_list) / self.n_units

    def open_requests(self) -> int:
        """Requests that exist somewhere in the organisation, counted where they are."""
        seen: set[int] = set()
        for team in self.team_list:
            seen.update(r.rid for r in (*team.queue, *team.projects))
        seen |= self.decisions.open_blocked()
        seen |= self.portfolio.open_proposals()
        return len(seen)
