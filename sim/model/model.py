"""The model: an IT organisation under one leadership structure, stepped one working day at a time.

The model owns what crosses agents: routing requests to teams, raising decisions to whichever
roles hold the right under the structure, the portfolio, coordination channels, trust between
executives, and delivery. It never asks which structure it runs; it asks the structure who
decides, who leads whom and what a channel costs (:mod:`sim.structure`).
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import mesa

from sim.config.params import Params
from sim.config.scenario import Scenario
from sim.config.structure import DECISION_DOMAIN, TEAM_KINDS, Structure
from sim.model import streams
from sim.model.agents import INCIDENT_TYPE, BusinessUnit, Executive, ITTeam
from sim.model.market import Market
from sim.model.recorder import Recorder
from sim.model.records import (
    BLOCKED,
    DELIVERED,
    PROPOSED,
    QUEUED,
    REJECTED,
    SHADOWED,
    STRATEGIC,
    Decision,
    Incident,
    Request,
)
from sim.model.shocks import build_timeline
from sim.model.trust import BetaTrust, negative_all

KIND_PARAMS = ("strategic", "change", "service")


@dataclass(slots=True)
class TickCounters:
    """Flows during one tick, read by the recorder and then reset."""

    created: int = 0
    offered_effort: float = 0.0
    rejected: int = 0
    shadowed: int = 0
    escalations: int = 0
    exceptions: int = 0
    hidden_problems: int = 0
    timeouts: int = 0
    decisions: int = 0
    decision_latency: float = 0.0
    conflicts: int = 0
    rework: float = 0.0
    incidents: int = 0
    restored: int = 0
    restore_time: float = 0.0
    attrition: int = 0
    exec_turnover: int = 0
    reaimed: int = 0
    value: float = 0.0
    strategic_value: float = 0.0
    aligned_value: float = 0.0
    delivered: list[int] = field(default_factory=lambda: [0, 0, 0])
    lead: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])


@dataclass(slots=True)
class ChannelState:
    """A coordination channel in use: the two roles' trust and how well it is attended."""

    roles: tuple[str, str]
    hours: float
    incongruence: float
    trust: BetaTrust
    coverage: float = 1.0
    sides: dict[str, float] = field(default_factory=dict)


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
        self.coordination_rng = streams.stream(seed, streams.COORDINATION)
        # Per-tick multipliers as plain lists: read in inner loops.
        self.incident_mult = self.timeline.incident_mult.tolist()
        self.debt_floor = self.timeline.debt_floor.tolist()
        self.feedback_hours = self.timeline.feedback_hours.tolist()
        self.kind_table = [
            (
                getattr(params, f"effort_{name}"),
                getattr(params, f"value_per_effort_{name}"),
                getattr(params, f"due_{name}"),
            )
            for name in KIND_PARAMS
        ]
        self.counters = TickCounters()
        self.next_rid = 0
        self.totals = {"created": 0, "delivered": 0, "rejected": 0, "shadowed": 0}
        self.ontime_kpi = 0.8  # IT's own on-time measure, what perceived trust drifts toward
        self.timeouts: deque[Decision] = deque()
        self.proposal_timeouts: deque[Decision] = deque()
        self.held_back: dict[int, list[Decision]] = {}  # tick -> decisions delayed by conflict
        self.pipeline: dict[int, Request] = {}  # funded, open strategic work
        self.portfolio_room = 0.0
        self.delivered_log: list[tuple[int, int, int, int, float]] = []
        self.funded_log: dict[int, tuple[int, int]] = {}  # rid -> (created, due)

        self.n_units = params.n_business_units
        for i in range(self.n_units):
            unit_streams = tuple(streams.stream(seed, streams.DEMAND, i, k) for k in range(3))
            BusinessUnit(self, i, unit_streams)
        self.units = self.agents_by_type[BusinessUnit]
        self.unit_list = self.units.to_list()
        self.unit_trust = [u.trust for u in self.unit_list]
        org = streams.stream(seed, streams.ORGANISATION)
        kinds = ["delivery"] * params.n_delivery_teams + ["platform"] * params.n_platform_teams
        sizes = org.integers(params.team_size_min, params.team_size_max + 1, len(kinds))
        for j, (kind, size) in enumerate(zip(kinds, sizes, strict=True)):
            ITTeam(self, j, kind, int(size), streams.stream(seed, streams.TEAM, j))
        self.teams = self.agents_by_type[ITTeam]
        self.team_list = self.teams.to_list()
        self.teams_of_kind = {k: [t for t in self.team_list if t.kind == k] for k in TEAM_KINDS}
        for team in self.team_list:
            team.capacity = team.compute_capacity()
        self.blocked_count = [0] * len(self.team_list)

        self.executives_by_name: dict[str, Executive] = {}
        self.channels: dict[frozenset[str], ChannelState] = {}
        self.apply_structure(structure)
        self.recorder = Recorder(self)

    # --- structure ---------------------------------------------------------------------------
    def apply_structure(self, structure: Structure) -> None:
        """Install ``structure``: roles, reporting lines, decision rights and channels.

        Called at the start and by a ``restructure`` intervention. A role in both the old and the
        new structure keeps its state; a new role starts with no trust relationships; a removed
        role's queued decisions go to whoever holds the right now.
        """
        old = getattr(self, "structure", None)
        self.structure = structure
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
                existing.role = role
        self.executives = self.agents_by_type[Executive]
        self.executive_list = self.executives.to_list()
        # Teams whose leader changes start their relationship with the new leader over.
        for team in self.team_list:
            if old is not None and old.reports_to(team.kind) != structure.reports_to(team.kind):
                team.leader_trust.reset()
        channels = {}
        for c in structure.channels:
            key = frozenset(c.roles)
            previous = self.channels.get(key)
            trust = previous.trust if previous is not None else BetaTrust()
            channels[key] = ChannelState(c.roles, c.hours_per_tick, c.goal_incongruence, trust)
        self.channels = channels
        self.all_trust = self.unit_trust + [t.leader_trust for t in self.team_list]
        self.all_trust += [c.trust for c in channels.values()]
        self.reports = {name: [] for name in structure.role_names}
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
                self._reroute(d)

    def _reroute(self, d: Decision) -> None:
        """Give a decision whose holder's role was abolished to the new holders."""
        d.resolved = True
        for name in d.pending:  # a joint decision's surviving holder lets go of it too
            ex = self.executives_by_name.get(name)
            if ex is not None:
                ex.queue_stats.depart(d.queued, self.tick)
                if d.dtype != "investment":
                    ex.queued_hours["incidents" if d.urgent else "decisions"] -= d.hours_left[name]
        d.pending.clear()
        if d.dtype == "investment":
            self._propose(d.request, d.raised)  # type: ignore[arg-type]
            return
        team = self.team_list[d.team] if d.team >= 0 else self.teams_of_kind["delivery"][0]
        if d.request is not None and d.request.status == BLOCKED:
            self.blocked_count[team.index] -= 1
        self.raise_decision(
            d.dtype,
            team,
            request=d.request,
            incident=d.incident,
            vacancies=d.vacancies,
            unit=d.unit,
            raised=d.raised,
        )

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
        self._release_held_back(t)
        self._expire_overdue(t)
        self._portfolio_budget()
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
        self._forget()
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

    def _forget(self) -> None:
        f = self.p.trust_forgetting
        for trust in self.all_trust:
            trust.r *= f  # BetaTrust.forget, inlined: every dyad, every tick
            trust.s *= f

    # --- demand ------------------------------------------------------------------------------
    def new_request(self, unit: int, u: list[float], effort_z: float) -> Request:
        """Build a request from a unit's pre-drawn numbers (kind, size, theme, luck)."""
        p = self.p
        t = self.tick
        if u[0] < p.share_strategic:
            kind = STRATEGIC
        elif u[0] < p.share_strategic + p.share_change:
            kind = 1
        else:
            kind = 2
        median, value_per_effort, due = self.kind_table[kind]
        effort = median * math.exp(p.effort_sigma * effort_z)
        theme = -1
        if kind == STRATEGIC:
            cumulative = self.market.cumulative[t]
            theme = min(bisect.bisect_right(cumulative, u[1] * cumulative[-1]), p.n_themes - 1)
        # Positional: matching 14 keywords cost more than the rest of this method.
        request = Request(
            self.next_rid,  # rid
            unit,
            kind,
            effort,
            effort,  # remaining
            theme,
            value_per_effort * effort,  # value
            t,  # created
            t + due,  # due
            u[4],  # u_exception
            u[5],  # u_voice
            u[6],  # u_outcome
            u[7],  # u_decision
            (u[8], u[9]),  # route
        )
        self.next_rid += 1
        self.totals["created"] += 1
        self.counters.created += 1
        return request

    def shadow(self, request: Request) -> None:
        """The unit builds it itself: IT is bypassed, and the platform inherits debt and risk."""
        request.status = SHADOWED
        self.totals["shadowed"] += 1
        self.counters.shadowed += 1
        platform = self.teams_of_kind["platform"]
        platform[int(request.route[0] * len(platform))].debt += self.p.shadow_debt

    def intake(self, request: Request, escalate: bool) -> None:
        """Hand a request to IT: strategic work to the portfolio, the rest to a team."""
        self.counters.offered_effort += request.effort
        if request.kind == STRATEGIC:
            self._propose(request, self.tick)
            team = None
        else:
            team = self._route(request, "delivery" if request.kind == 1 else "platform")
        if escalate:
            target = team if team is not None else self.teams_of_kind["delivery"][0]
            self.counters.escalations += 1
            self.raise_decision("stakeholder", target, escalation=request, unit=request.unit)

    def _route(self, request: Request, kind: str) -> ITTeam:
        """Dispatch to the less loaded of two teams drawn by the request (two choices)."""
        teams = self.teams_of_kind[kind]
        a, b = request.route
        first, second = teams[int(a * len(teams))], teams[int(b * len(teams))]
        # Compare backlogs in ticks of capacity, cross-multiplied (no division per request).
        if first is not second and (
            second.backlog_effort * (first.capacity if first.capacity > 1e-9 else 1e-9)
            < first.backlog_effort * (second.capacity if second.capacity > 1e-9 else 1e-9)
        ):
            team = second
        else:
            team = first
        team.enqueue(request)
        team.backlog_effort += request.remaining
        if request.kind == STRATEGIC:
            team.project_effort += request.remaining
        request.entered = self.tick
        team.queue_stats.arrive(self.tick)
        return team

    # --- decisions ---------------------------------------------------------------------------
    def raise_decision(
        self,
        dtype: str,
        team: ITTeam,
        *,
        request: Request | None = None,
        incident: Incident | None = None,
        escalation: Request | None = None,
        vacancies: int = 0,
        unit: int = -1,
        raised: int | None = None,
    ) -> Decision:
        """Send a decision to the role or roles that hold the right (VDT's exception routing)."""
        p = self.p
        holders = self.structure.holders(dtype, team.kind)
        line = self.structure.reports_to(team.kind)
        d = Decision(
            dtype=dtype,
            team=team.index if unit < 0 else -1,
            raised=self.tick if raised is None else raised,
            pending=list(holders),
            request=request if request is not None else escalation,
            incident=incident,
            unit=unit,
            urgent=incident is not None,
            vacancies=vacancies,
            queued=self.tick,
        )
        d.crossing = any(h != line and self.channel(h, line) is not None for h in holders)
        base = p.major_incident_hours if incident is not None else p.decision_hours
        pool = "incidents" if d.urgent else "decisions"
        for name in holders:
            ex = self.executives_by_name[name]
            hours = ex.decision_hours(base, DECISION_DOMAIN[dtype], team.leader_trust.value)
            d.hours_left[name] = hours
            (ex.urgent if d.urgent else ex.decisions).append(d)
            ex.queued_hours[pool] += hours
            ex.queue_stats.arrive(self.tick)
        if request is not None:
            self.blocked_count[team.index] += 1
        if incident is not None:
            incident.blocked = True
        if dtype != "stakeholder" and dtype != "people":
            self.counters.exceptions += 1
        self.timeouts.append(d)
        return d

    def decided(self, d: Decision, ex: Executive) -> None:
        """``ex`` has decided its part of ``d``; the decision resolves once every holder has."""
        d.pending.remove(ex.name)
        ex.queue_stats.depart(d.queued, self.tick)
        u = d.request.u_decision if d.request is not None else float(ex.stream.random())
        if u < ex.accuracy(DECISION_DOMAIN[d.dtype]):
            d.right = True
        if not d.pending:
            self._resolve(d, timed_out=False)

    def _resolve(self, d: Decision, timed_out: bool) -> None:
        p = self.p
        t = self.tick
        d.resolved = True
        self.counters.decisions += 1
        self.counters.decision_latency += t - d.raised
        team = self.team_list[d.team] if d.team >= 0 else None
        if timed_out:
            self.counters.timeouts += 1
            for name in d.pending:
                ex = self.executives_by_name[name]
                ex.queued_hours["incidents" if d.urgent else "decisions"] -= d.hours_left[name]
                ex.queue_stats.depart(d.queued, t)
            d.pending.clear()
            if team is not None:
                team.leader_trust.negative(1.0, p.trust_negative_weight)
            if d.unit >= 0:
                self.unit_list[d.unit].trust.negative(0.5, p.trust_negative_weight)
            # The team takes a default and goes on: hidden work, with a chance of rework.
            request = d.request
            if d.dtype != "stakeholder" and request and request.u_outcome < p.default_rework_prob:
                self.team_list[d.team].add_rework(request)
            self._release(d)
            return
        if team is not None:
            team.leader_trust.positive(0.5)
        if d.unit >= 0:
            self.unit_list[d.unit].trust.positive(0.5)
        if not d.right:
            self._wrong(d)
        if d.crossing and self._conflict(d):
            self.counters.conflicts += 1
            if d.request is not None and d.dtype != "stakeholder":
                self.team_list[d.team].add_rework(d.request)
            self.held_back.setdefault(t + p.joint_conflict_delay, []).append(d)
            return
        self._release(d)

    def _wrong(self, d: Decision) -> None:
        """A wrong decision is no better than the default: the same chance of rework."""
        if d.team < 0:
            return
        team = self.team_list[d.team]
        if d.request is not None and d.dtype != "stakeholder":
            if d.request.u_outcome < self.p.default_rework_prob:
                team.add_rework(d.request)
        elif d.incident is not None:
            team.add_incident_rework(d.incident)

    def _conflict(self, d: Decision) -> bool:
        """Does coordination across roles go wrong? Goal incongruence, eased by trust and time."""
        line = self.structure.reports_to(self.team_list[d.team].kind) if d.team >= 0 else None
        holders = list(d.hours_left)
        roles = holders if len(holders) > 1 else [holders[0], line]
        channel = self.channel(*roles) if None not in roles else None
        if channel is None:
            return False
        chance = channel.incongruence * self.p.goal_incongruence_multiplier
        chance *= (1.5 - channel.trust.value) * (1.0 - 0.5 * channel.coverage)
        if self.coordination_rng.random() < min(1.0, chance):
            channel.trust.negative(1.0, self.p.trust_negative_weight)
            return True
        channel.trust.positive(0.2)
        return False

    def _release(self, d: Decision) -> None:
        """What a resolved decision unblocks."""
        if d.dtype == "stakeholder":
            request = d.request
            if request is not None and request.status == QUEUED and request.team >= 0:
                team = self.team_list[request.team]
                lane = team.projects if request.kind == STRATEGIC else team.queue
                if request in lane:
                    lane.remove(request)
                    lane.appendleft(request)
            return
        team = self.team_list[d.team]
        if d.incident is not None:
            d.incident.blocked = False
        elif d.vacancies:
            team.hires.extend([self.tick + self.p.hiring_delay] * d.vacancies)
        elif d.request is not None:
            self.blocked_count[team.index] -= 1
            team.enqueue(d.request, front=True)

    def _release_held_back(self, t: int) -> None:
        for d in self.held_back.pop(t, ()):
            self._release(d)

    def _expire_overdue(self, t: int) -> None:
        """Decisions past the timeout default; proposals past theirs are rejected."""
        limit = t - self.p.decision_timeout
        while self.timeouts and self.timeouts[0].raised <= limit:
            d = self.timeouts.popleft()
            if not d.resolved:
                self._resolve(d, timed_out=True)
        limit = t - self.p.proposal_timeout
        while self.proposal_timeouts and self.proposal_timeouts[0].raised <= limit:
            d = self.proposal_timeouts.popleft()
            if not d.resolved:
                self._close_proposal(d, funded=False)

    # --- portfolio governance ---------------------------------------------------------------
    def _propose(self, request: Request, raised: int) -> None:
        d = Decision(
            dtype="investment",
            team=-1,
            raised=raised,
            pending=[],
            request=request,
            queued=self.tick,
        )
        d.pending = list(self.investment_holders)
        for name in d.pending:
            ex = self.executives_by_name[name]
            d.hours_left[name] = self.p.governance_hours / ex.expertise("business")
            ex.proposals.append(d)
            ex.queue_stats.arrive(self.tick)
        request.status = PROPOSED
        self.proposal_timeouts.append(d)

    def _portfolio_budget(self) -> None:
        """Strategic work in flight may use up to a share of delivery capacity until it is due."""
        capacity = sum(t.capacity for t in self.teams_of_kind["delivery"])
        budget = self.p.portfolio_capacity_share * capacity * self.p.due_strategic
        in_flight = sum(r.remaining for r in self.pipeline.values())
        self.portfolio_room = budget - in_flight

    def govern(self, ex: Executive, hours: float) -> None:
        """Review proposals (fund the aligned ones while there is room), then re-aim the pipeline.

        Funding is judged against the market's current themes, estimated with an error that
        shrinks with business expertise (March 1991). When themes shift, funded work loses value
        until a review re-aims it, at the cost of rework; how often reviews come depends on the
        attention governance gets.
        """
        p = self.p
        while ex.proposals and hours > 1e-9:
            d = ex.proposals[0]
            if d.resolved or ex.name not in d.pending:
                ex.proposals.popleft()
                continue
            if self.portfolio_room <= 0.0:
                break  # no room: proposals wait, and may time out
            spend = min(hours, d.hours_left[ex.name])
            hours -= spend
            d.hours_left[ex.name] -= spend
            if d.hours_left[ex.name] > 1e-9:
                break
            ex.proposals.popleft()
            d.pending.remove(ex.name)
            ex.queue_stats.depart(d.queued, self.tick)
            request = d.request
            error = (request.u_decision - 0.5) * 2.0 * (1.0 - ex.accuracy("business"))
            estimate = self.market.alignment(request.theme, self.tick) + error
            if estimate < p.fund_threshold:
                self._close_proposal(d, funded=False)
            elif not d.pending:
                self._close_proposal(d, funded=True)
        review_cost = p.review_hours / ex.expertise("business")
        if hours > 1e-9 and self.pipeline and review_cost > 0.0:
            ex.review_credit += hours / review_cost
            self._review_pipeline(ex)
        else:
            ex.review_credit = 0.0

    def _close_proposal(self, d: Decision, funded: bool) -> None:
        request = d.request
        d.resolved = True
        for name in d.pending:
            ex = self.executives_by_name.get(name)
            if ex is not None:
                ex.queue_stats.depart(d.queued, self.tick)
        d.pending.clear()
        if funded:
            self.pipeline[request.rid] = request
            self.funded_log[request.rid] = (request.created, request.due)
            self.portfolio_room -= request.remaining
            self._route(request, "delivery")
            return
        request.status = REJECTED
        self.totals["rejected"] += 1
        self.counters.rejected += 1
        self.unit_list[request.unit].trust.negative(1.0, self.p.trust_negative_weight)

    def _review_pipeline(self, ex: Executive) -> None:
        if ex.review_credit < 1.0:
            return
        items = list(self.pipeline.values())
        n = min(int(ex.review_credit), len(items))
        ex.review_credit -= n
        accuracy = ex.accuracy("business")
        for k in range(n):
            request = items[(ex.review_cursor + k) % len(items)]
            faded = self.market.alignment(request.theme, self.tick) < 0.5
            if faded and ex.stream.random() < accuracy:
                request.theme = self.market.leading_theme(self.tick)
                if request.status == QUEUED or request.status == BLOCKED:
                    self.team_list[request.team].add_rework(request)
                self.counters.reaimed += 1
        ex.review_cursor = (ex.review_cursor + n) % max(1, len(items))

    # --- executive work ---------------------------------------------------------------------
    def channel(self, a: str, b: str) -> ChannelState | None:
        """The coordination channel between roles ``a`` and ``b``, if the structure has one."""
        return self.channels.get(frozenset((a, b)))

    def attention_demand(self, ex: Executive) -> dict[str, float]:
        """Hours each activity asks of ``ex`` this tick."""
        p = self.p
        t = self.tick
        name = ex.name
        demand = {
            "incidents": max(0.0, ex.queued_hours["incidents"]),
            "decisions": max(0.0, ex.queued_hours["decisions"]),
        }
        demand["coordination"] = sum(
            c.hours * p.coordination_multiplier for key, c in self.channels.items() if name in key
        )
        business = ex.expertise("business")
        # Only proposals that could be funded now ask for time; the rest wait for room.
        proposals = 0.0
        room = self.portfolio_room
        queue = ex.proposals
        # Proposals that timed out while governance got no time are still queued: drop them
        # here, or this loop walks thousands of them a tick when the executive is overloaded.
        while queue and queue[0].resolved:
            queue.popleft()
        for d in queue:
            if room <= 0.0:
                break
            if not d.resolved and name in d.pending:
                proposals += d.hours_left[name]
                room -= d.request.remaining
        reviews = len(self.pipeline) / p.review_interval * p.review_hours / business
        demand["governance"] = (proposals + reviews) if name in self.investment_holders else 0.0
        demand["planning"] = sum(
            share * (p.planning_hours + p.planning_hours_per_debt * team.debt)
            for team, share in self.planners[name]
        ) / ex.expertise("technical")
        if name in self.stakeholder_holders:
            # The executive acts on perceived satisfaction: a blind spot means too little time.
            n_holders = len(self.stakeholder_holders)
            need = p.stakeholder_hours_per_unit * self.n_units
            demand["stakeholder"] = need * (1.5 - ex.perceived_trust) / n_holders
            demand["feedback"] = self.feedback_hours[t] / n_holders
        n = len(self.reports[name])
        # Graicunas (1933): relationships, not reports, load a leader.
        demand["people"] = p.people_hours_per_report * n * (1.0 + p.span_interaction * (n - 1))
        return demand

    def coordinate(self, ex: Executive, hours: float) -> None:
        """Time on the channels; a poorly attended channel conflicts more."""
        mine = [c for key, c in self.channels.items() if ex.name in key]
        wanted = ex.demand["coordination"]  # what these channels asked of ex this tick
        coverage = 1.0 if wanted <= 0.0 else min(1.0, hours / wanted)
        for c in mine:
            c.sides[ex.name] = coverage
            c.coverage = min(c.sides.get(role, 1.0) for role in c.roles)
            c.trust.positive(0.05 * coverage)

    def plan(self, ex: Executive, hours: float) -> None:
        """Technical planning sets the improvement share of the teams ``ex`` plans for."""
        p = self.p
        teams = self.planners[ex.name]
        if not teams:
            return
        wanted = ex.demand["planning"]  # asked for this tick; debt has not moved since
        coverage = 1.0 if wanted <= 0.0 else min(1.0, hours / wanted)
        quality = coverage * ex.expertise("technical")
        span = p.improvement_share_max - p.improvement_share_min
        for team, share in teams:
            load = team.debt / p.debt_reference
            target = p.improvement_share_min + span * (load if load < 1.0 else 1.0)
            plan = p.improvement_share_min + (target - p.improvement_share_min) * quality
            team.improvement_plan += 0.1 * share * (plan - team.improvement_plan)

    def engage_stakeholders(self, ex: Executive, hours: float, feedback_hours: float) -> None:
        """Stakeholder time builds units' trust; feedback work shows the executive the truth."""
        p = self.p
        if ex.name not in self.stakeholder_holders:
            return
        if hours > 0.0:
            evidence = p.stakeholder_evidence * hours / self.n_units * ex.expertise("business")
            for unit in self.unit_list:
                unit.trust.positive(evidence)
        actual = self.business_trust()
        # Dissatisfaction reaches the executive through feedback work, and through staff who
        # pass on what they hear, which they do more where it is safe to speak (Edmondson 1999).
        voice = sum(team.safety for team in self.team_list) / len(self.team_list)
        learning = min(1.0, p.feedback_learning * (feedback_hours + 0.25 * hours) * (0.5 + voice))
        ex.perceived_trust += p.kpi_pull * (self.ontime_kpi - ex.perceived_trust)
        ex.perceived_trust += learning * (actual - ex.perceived_trust)

    def lead_people(self, ex: Executive, hours: float) -> None:
        """People time for the teams that report to ``ex``: safety, recovery, trust."""
        teams = self.reports[ex.name]
        if not teams:
            return
        each = hours / len(teams)
        need = self.p.people_hours_per_report
        evidence = 0.2 * min(1.0, each / max(need, 1e-9))
        for team in teams:
            team.people_hours += each
            team.leader_trust.positive(evidence)

    def executive_leaves(self, ex: Executive) -> None:
        """The role falls vacant; the successor's relationships start over."""
        p = self.p
        ex.vacant_until = self.tick + 1 + p.exec_vacancy
        ex.exhaustion = 0.0
        ex.perceived_trust = p.perceived_trust_prior
        self.counters.exec_turnover += 1
        for team in self.reports[ex.name]:
            team.leader_trust.reset()
        for key, channel in self.channels.items():
            if ex.name in key:
                channel.trust.reset()

    # --- outcomes ---------------------------------------------------------------------------
    def incident_raised(self, team: ITTeam, incident: Incident, unit: int) -> None:
        """An incident hurts business trust; a major one needs an executive."""
        p = self.p
        self.counters.incidents += 1
        self.counters.offered_effort += incident.remaining
        if incident.major:
            negative_all(self.unit_trust, 0.3, p.trust_negative_weight)
            self.raise_decision(INCIDENT_TYPE[team.kind], team, incident=incident)
        else:
            self.unit_list[unit].trust.negative(0.3, p.trust_negative_weight)

    def incident_restored(self, team: ITTeam, incident: Incident) -> None:
        """Count a restored incident and its time to restore."""
        self.counters.restored += 1
        self.counters.restore_time += self.tick - incident.created + 1

    def deliver(self, request: Request, team: ITTeam) -> None:
        """Hand finished work to the business: value, trust, and the debt fast work leaves."""
        p = self.p
        t = self.tick
        request.status = DELIVERED
        request.delivered = t
        team.queue_stats.depart(request.entered, t)
        self.totals["delivered"] += 1
        c = self.counters
        c.delivered[request.kind] += 1
        c.lead[request.kind] += t - request.created + 1
        late = t - request.due
        value = request.value
        if late > 0:
            value *= math.exp(-late / p.lateness_decay)
        else:
            late = 0
        if request.kind == STRATEGIC:
            self.pipeline.pop(request.rid, None)
            alignment = self.market.alignment(request.theme, t)
            c.strategic_value += value
            c.aligned_value += value * alignment
            value *= alignment
        c.value += value
        self.delivered_log.append((request.kind, request.created, t, request.due, request.rid))
        unit = self.unit_list[request.unit]
        if late == 0:
            unit.trust.positive(1.0)
        else:
            unit.trust.negative(1.0, p.trust_negative_weight)
        self.ontime_kpi += 0.02 * ((late == 0) - self.ontime_kpi)
        rushed = 2.0 if team.pressure > 1.0 else 1.0
        team.debt += p.debt_per_effort * request.effort * rushed

    def business_trust(self) -> float:
        """Mean trust of business units in IT."""
        return sum(u.trust.value for u in self.unit_list) / self.n_units

    def open_requests(self) -> int:
        """Requests that exist somewhere in the organisation, counted where they are."""
        seen: set[int] = set()
        for team in self.team_list:
            seen.update(r.rid for r in (*team.queue, *team.projects))
        for d in list(self.timeouts) + [d for ds in self.held_back.values() for d in ds]:
            if d.request is not None and d.dtype != "stakeholder" and d.request.status == BLOCKED:
                seen.add(d.request.rid)
        for d in self.proposal_timeouts:
            if not d.resolved:
                seen.add(d.request.rid)
        return len(seen)
