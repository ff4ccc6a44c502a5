"""The agents: business units, IT teams and executives.

Each class holds its own state and the mechanisms that MODEL.md gives it; everything that crosses
agents (routing a request, raising a decision to whoever holds the right, delivering) goes through
the model, which knows the structure. Requests, incidents and decisions are plain records
(:mod:`sim.records`).
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import deque
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.config.structure import Role
from sim.model.attention import ACTIVITIES, allocate
from sim.model.queues import QueueStats
from sim.model.records import (
    BLOCKED,
    CHANGE,
    QUEUED,
    SERVICE,
    STRATEGIC,
    Decision,
    Incident,
    Request,
)
from sim.model.trust import BetaTrust

if TYPE_CHECKING:
    from sim.model.model import ITLeadershipModel

# Decision type an exception on each kind of work raises, by the kind of team doing it.
EXCEPTION_TYPE = {
    ("delivery", STRATEGIC): "architecture",
    ("delivery", CHANGE): "application",
    ("delivery", SERVICE): "application",
    ("platform", STRATEGIC): "architecture",
    ("platform", CHANGE): "infrastructure",
    ("platform", SERVICE): "infrastructure",
}
INCIDENT_TYPE = {"delivery": "application", "platform": "infrastructure"}
INCIDENT_LUCK_BLOCK = 32  # incidents' random numbers drawn per numpy call


class BusinessUnit(mesa.Agent):
    """A business unit: raises requests and trusts IT more or less.

    Its demand (how many requests each tick, of which kind, how large, and the luck each will
    meet) is drawn in full before the run from its own stream; the market's demand multipliers
    are exogenous, so the same unit asks for the same work under every structure. How the unit
    handles a request (shadow IT, escalation) depends on its trust in IT, through the same
    pre-drawn uniforms.
    """

    def __init__(
        self,
        model: ITLeadershipModel,
        index: int,
        streams: tuple[np.random.Generator, np.random.Generator, np.random.Generator],
    ) -> None:
        super().__init__(model)
        p = model.p
        self.index = index
        self.trust = BetaTrust()
        # Three streams (how many, what each is like, how large), so that a demand shock, which
        # changes how many requests come, never shifts the draws of any other request.
        counting, describing, sizing = streams
        rates = p.request_rate * model.market.demand_level
        # One uniform per tick, inverted: numpy's Poisson sampler would shift later draws.
        self.counts = _poisson_inverse_many(counting.random(len(rates)), rates).tolist()
        total = sum(self.counts)
        # Column order is part of the reproducibility contract. Plain lists: indexing them in the
        # inner loop is several times cheaper than indexing numpy arrays.
        self.uniforms = describing.random((total, 11)).tolist()
        self.effort_z = sizing.standard_normal(total).tolist()
        self.cursor = 0

    def generate_requests(self) -> None:
        """Raise this tick's requests and hand each to IT, or build it in the shadow."""
        model = self.model
        p = model.p
        t = model.tick
        n = self.counts[t]
        if n == 0:
            return
        trust = self.trust.value
        shadow_p = 0.0
        if trust < p.shadow_trust_threshold:
            shadow_p = p.shadow_prob_max * (1.0 - trust / p.shadow_trust_threshold)
        escalate_p = p.escalation_prob_max * (1.0 - trust)
        for j in range(self.cursor, self.cursor + n):
            u = self.uniforms[j]
            request = model.new_request(self.index, u, self.effort_z[j])
            if request.kind != STRATEGIC and u[2] < shadow_p:
                model.shadow(request)
                continue
            model.intake(request, escalate=u[3] < escalate_p)
        self.cursor += n


class ITTeam(mesa.Agent):
    """A delivery or platform team: capacity, a queue, firefighting, debt, climate and people.

    Capacity in person-days per tick is headcount x productivity, lowered by exhaustion and by
    technical debt, raised by trust in its leader (De Jong et al. 2016). Incidents pre-empt
    planned work (Repenning & Sterman 2001); a share of what is left goes to improvement, which
    pays back only after a delay, and is cut under pressure.
    """

    def __init__(
        self,
        model: ITLeadershipModel,
        index: int,
        kind: str,
        headcount: int,
        rng: np.random.Generator,
    ) -> None:
        super().__init__(model)
        p = model.p
        self.index = index
        self.kind = kind
        self.stream = rng
        self.headcount = headcount
        # Individual exhaustion offsets (sorted): who is above the burnout threshold.
        self.offsets = sorted(rng.normal(0.0, p.exhaustion_spread, headcount).tolist())
        incident_u = rng.random(p.steps)
        self.incident_u = incident_u.tolist()
        # No incident while the rate is below -log(u): the common case, decided without exp().
        with np.errstate(divide="ignore"):  # u = 0 gives inf: no incident, as with exp()
            self.quiet_below = (-np.log(incident_u)).tolist()
        self.attrition_u = rng.random(p.steps).tolist()
        self.incident_luck: list[list[float]] = []  # see _draw_incident_luck
        self.debt = 0.0
        self.exhaustion = 0.0
        self.safety = p.safety_initial
        self.leader_trust = BetaTrust()
        self.queue: deque[Request] = deque()  # changes and service requests
        self.projects: deque[Request] = deque()  # funded strategic work
        self.incidents: deque[Incident] = deque()
        self.incident_effort = 0.0  # what the open incidents still need, person-days
        self.backlog_effort = 0.0  # all open work, person-days
        self.project_effort = 0.0  # the strategic part of it
        self.improvement_plan = p.improvement_share_min
        self.pipeline = [0.0] * (p.improvement_delay + 1)  # improvement effort paying back later
        self.hires: deque[int] = deque()  # ticks at which approved hires arrive
        self.people_hours = 0.0
        self.queue_stats = QueueStats()
        self.pressure = 0.0
        self.capacity = 0.0
        # Effort spent this tick, by purpose (read by the metrics).
        self.spent_incidents = 0.0
        self.spent_improvement = 0.0
        self.spent_planned = 0.0
        self.spent_strategic = 0.0
        self.idle_blocked = 0.0

    # --- capacity and load -----------------------------------------------------------------------
    def compute_capacity(self) -> float:
        """Person-days available this tick."""
        p = self.model.p
        c = self.headcount * p.productivity
        c *= 1.0 - p.exhaustion_productivity * self.exhaustion
        c *= 1.0 + p.trust_productivity_gain * (self.leader_trust.value - 0.5)
        c /= 1.0 + p.debt_drag * self.debt
        return c if c > 0.0 else 0.0  # conditionals, not max(): every team, every tick

    def enqueue(self, request: Request, front: bool = False) -> None:
        """Accept a request into the work queue."""
        request.team = self.index
        request.status = QUEUED
        lane = self.projects if request.kind == STRATEGIC else self.queue
        if front or request.priority:
            lane.appendleft(request)
        else:
            lane.append(request)

    # --- incidents -------------------------------------------------------------------------------
    def raise_incidents(self) -> None:
        """Draw this tick's incidents: the rate grows with debt and with an incident storm."""
        model = self.model
        p = model.p
        t = model.tick
        lam = p.incident_rate * (1.0 + p.debt_incident_gain * self.debt)
        lam *= model.incident_mult[t]
        if lam <= self.quiet_below[t]:  # u <= exp(-lam): Poisson inversion gives 0
            return
        for _ in range(_poisson_inverse(self.incident_u[t], lam)):
            if not self.incident_luck:
                self.incident_luck = self._draw_incident_luck()
            z, u_major, u_unit = self.incident_luck.pop()
            effort = p.incident_effort * math.exp(0.8 * z)
            incident = Incident(self.index, effort, t, u_major < p.major_incident_share)
            self.incidents.append(incident)
            self.incident_effort += effort
            self.backlog_effort += effort
            model.incident_raised(self, incident, int(u_unit * model.n_units))

    def _draw_incident_luck(self) -> list[list[float]]:
        """The next incidents' size, major flag and affected unit (z, u, u), in draw order.

        Drawn from the team's stream in blocks: three numpy calls per incident cost more than
        the rest of raising it. Reversed, so that ``pop()`` hands them out in order.
        """
        n = INCIDENT_LUCK_BLOCK
        block = np.column_stack((self.stream.standard_normal(n), self.stream.random((n, 2))))
        return block[::-1].tolist()

    # --- work ------------------------------------------------------------------------------------
    def work(self) -> None:
        """Firefight, improve, then work the queue; deliver what is finished."""
        model = self.model
        p = model.p
        t = model.tick
        self.spent_planned = self.spent_strategic = self.idle_blocked = 0.0
        self.capacity = capacity = self.compute_capacity()
        # Schedule pressure: run work is expected within days, projects within their horizon.
        # Incidents are due at once; they strain most.
        incidents = self.incidents
        incident_work = self.incident_effort
        run_work = self.backlog_effort - self.project_effort - incident_work
        expected = incident_work + run_work / p.backlog_norm + self.project_effort / p.due_strategic
        self.pressure = pressure = expected / capacity if capacity > 1e-9 else expected * 1e9
        left = capacity
        # Firefighting: incidents pre-empt everything else. Blocked ones wait for a decision.
        spent_incidents = 0.0
        if incidents:
            restored = []
            for incident in incidents:
                if left <= 0.0:
                    break
                if incident.blocked:
                    continue
                remaining = incident.remaining
                spend = left if left < remaining else remaining
                left -= spend
                spent_incidents += spend
                if remaining - spend <= 1e-9:
                    incident.remaining = 0.0
                    restored.append(incident)
                else:
                    incident.remaining = remaining - spend
            for incident in restored:  # few a tick: cheaper than rebuilding the deque
                incidents.remove(incident)
                model.incident_restored(self, incident)
            self.backlog_effort -= spent_incidents
            # Reset when none are left, so that rounding cannot accumulate over the run.
            self.incident_effort = incident_work - spent_incidents if incidents else 0.0
        self.spent_incidents = spent_incidents
        # Improvement: the plan, cut under pressure (the capability trap's tipping point).
        share = self.improvement_plan
        if pressure > 1.0:
            share /= 1.0 + p.pressure_cut * (pressure - 1.0)
        if self.kind == "platform" and model.debt_floor[t] > share:
            share = model.debt_floor[t]
        improvement = share * left
        left -= improvement
        self.spent_improvement = improvement
        pipeline = self.pipeline
        slot = t % len(pipeline)
        if pipeline[slot]:
            debt = self.debt - p.improvement_effect * pipeline[slot]
            self.debt = debt if debt > 0.0 else 0.0
        pipeline[slot] = improvement
        # Planned work. Strategic projects get the portfolio's share while other work waits,
        # less when run work is piling up (projects slip first); what one lane cannot use flows
        # to the other. A lane is only entered with capacity to spend.
        queue, projects = self.queue, self.projects
        if projects and queue:
            run_pressure = run_work / p.backlog_norm / (capacity if capacity > 1e-9 else 1e-9)
            reserved = p.portfolio_capacity_share * left
            if run_pressure > 1.0:
                reserved /= run_pressure
            unused = self._work_lane(projects, reserved) if reserved > 1e-9 else reserved
            left = left - reserved + unused
        if queue and left > 1e-9:
            left = self._work_lane(queue, left)
        if projects and left > 1e-9:
            left = self._work_lane(projects, left)
        if left > 1e-9 and model.blocked_count[self.index] > 0:
            self.idle_blocked = left
        self.debt += p.debt_erosion

    def _work_lane(self, lane: deque[Request], left: float) -> float:
        """Work items from the front: about one person per item, leftovers flow down.

        ``left`` is more than nothing (the caller checks). This is the model's innermost loop,
        so effort is summed in locals and booked to the team once.
        """
        people = self.headcount if self.headcount > 0 else 1
        n = len(lane)
        share = left / (n if n < people else people)
        changed = False  # did an item block or finish (and so must leave the lane)?
        worked = visited = 0
        planned = strategic = 0.0
        for request in lane:
            if left <= 1e-9:
                break
            visited += 1
            if not request.started and self._start(request):
                changed = True
                continue
            worked += 1
            amount = share if worked <= people and share < left else left
            remaining = request.remaining
            if remaining < amount:
                amount = remaining
            if amount > 0.0:
                request.remaining = remaining = remaining - amount
                left -= amount
                planned += amount
                if request.kind == STRATEGIC:
                    strategic += amount
                if remaining <= 1e-9:
                    changed = True
        if left > 1e-9:  # capacity an item did not need goes to the others already started
            for request in itertools.islice(lane, visited):
                if left <= 1e-9:
                    break
                remaining = request.remaining
                if request.status == QUEUED and remaining > 1e-9:
                    amount = remaining if remaining < left else left
                    request.remaining = remaining - amount
                    left -= amount
                    planned += amount
                    if request.kind == STRATEGIC:
                        strategic += amount
        self.backlog_effort -= planned
        self.spent_planned += planned
        if strategic:
            self.spent_strategic += strategic
            self.project_effort -= strategic
        if changed:  # only the visited front can hold finished or blocked items
            if visited == n:
                front = list(lane)
                lane.clear()
            else:
                front = [lane.popleft() for _ in range(visited)]
            for request in front:
                if request.status == QUEUED and request.remaining <= 1e-9:
                    self._finish(request)
            lane.extendleft(reversed([r for r in front if r.status == QUEUED]))
        return left

    def _start(self, request: Request) -> bool:
        """Begin an item. Returns True when it raised a voiced exception and is now blocked.

        Whether work raises an exception is the item's luck; whether the team voices it
        depends on psychological safety (Edmondson 1999). An unvoiced problem stays hidden.
        """
        p = self.model.p
        request.started = True
        probability = (
            p.exception_prob_strategic,
            p.exception_prob_change,
            p.exception_prob_service,
        )[request.kind]
        if request.u_exception >= probability:
            return False
        if request.u_voice < self.safety:
            request.status = BLOCKED
            self.model.raise_decision(
                EXCEPTION_TYPE[(self.kind, request.kind)], self, request=request
            )
            return True
        request.hidden_problem = True
        self.model.counters.hidden_problems += 1
        return False

    def _finish(self, request: Request) -> None:
        p = self.model.p
        if request.hidden_problem:
            # A hidden problem surfaces late: rework now, and debt either way (VDT hidden work).
            request.hidden_problem = False
            self.debt += p.hidden_defect_debt
            if request.u_outcome < p.default_rework_prob:
                self.add_rework(request)
                return
        self.model.deliver(request, self)

    def add_rework(self, request: Request, fraction: float | None = None) -> None:
        """Add rework to ``request``: hidden work that consumes capacity again."""
        p = self.model.p
        extra = (p.rework_fraction if fraction is None else fraction) * request.effort
        request.remaining += extra
        self.backlog_effort += extra
        if request.kind == STRATEGIC:
            self.project_effort += extra
        self.model.counters.rework += extra

    def add_incident_rework(self, incident: Incident) -> None:
        """A wrong call on a major incident: restoring it takes longer."""
        extra = self.model.p.rework_fraction * incident.remaining
        incident.remaining += extra
        self.incident_effort += extra
        self.backlog_effort += extra

    # --- people ----------------------------------------------------------------------------------
    def update_people(self) -> None:
        """Exhaustion (JD-R), psychological safety, attrition and hiring."""
        model = self.model
        p = model.p
        t = model.tick
        need = p.people_hours_per_report
        support = 1.0 if self.people_hours >= need or need <= 0.0 else self.people_hours / need
        # Demands deplete (JD-R); recovery is slower and helped by the leader's support.
        strain = p.exhaustion_rise * (self.pressure if self.pressure < 3.0 else 3.0)
        recovery = p.exhaustion_recovery * (1.0 + support) * self.exhaustion
        exhaustion = self.exhaustion + strain - recovery
        self.exhaustion = 1.0 if exhaustion > 1.0 else (exhaustion if exhaustion > 0.0 else 0.0)
        safety = self.safety + p.safety_gain * self.people_hours - p.safety_decay * self.exhaustion
        self.safety = 0.98 if safety > 0.98 else (safety if safety > 0.02 else 0.02)
        self.people_hours = 0.0
        while self.hires and self.hires[0] <= t:
            self.hires.popleft()
            bisect.insort(self.offsets, float(self.stream.normal(0.0, p.exhaustion_spread)))
            self.headcount += 1
        hazard = p.attrition_base * (1.0 + p.attrition_exhaustion_gain * self.exhaustion)
        u = self.attrition_u[t]
        if u > (1.0 - hazard) ** self.headcount:  # else the inversion gives 0: nobody leaves
            self.lose_staff(_binomial_inverse(u, self.headcount, hazard))

    def lose_staff(self, n: int) -> None:
        """``n`` people leave (the most exhausted first); a staffing decision is raised."""
        n = min(n, self.headcount)
        if n <= 0:
            return
        del self.offsets[len(self.offsets) - n :]
        self.headcount -= n
        self.model.counters.attrition += n
        self.model.raise_decision("people", self, vacancies=n)

    def burnout_count(self) -> int:
        """People whose exhaustion (team level + own offset) exceeds the burnout threshold."""
        threshold = self.model.p.burnout_threshold - self.exhaustion
        return len(self.offsets) - bisect.bisect_right(self.offsets, threshold)


class Executive(mesa.Agent):
    """An executive role (CIO, CTO, or any role a structure defines).

    Holds an attention budget spread by the named policy (:mod:`sim.attention`) over deciding
    escalated exceptions (a limited-capacity server: Jin & Levitt 1996), portfolio governance,
    stakeholder and feedback work, people leadership, technical planning and coordination.
    Over-demand raises exhaustion, which slows decisions and makes them less accurate, and raises
    the hazard of leaving (Demerouti et al. 2001).
    """

    def __init__(self, model: ITLeadershipModel, role: Role, rng: np.random.Generator) -> None:
        super().__init__(model)
        self.role = role
        self.name = role.name
        self.stream = rng
        self.turnover_u = rng.random(model.p.steps).tolist()
        self.exhaustion = 0.0
        self.vacant_until = -1
        self.perceived_trust = model.p.perceived_trust_prior
        self.urgent: deque[Decision] = deque()
        self.decisions: deque[Decision] = deque()
        self.proposals: deque[Decision] = deque()
        self.queued_hours = {"incidents": 0.0, "decisions": 0.0}
        self.queue_stats = QueueStats()
        self.review_credit = 0.0
        self.review_cursor = 0
        self.demand: dict[str, float] = dict.fromkeys(ACTIVITIES, 0.0)
        self.given: dict[str, float] = dict.fromkeys(ACTIVITIES, 0.0)
        self.demand_total = 0.0  # sum of ``demand``, read by wellbeing and the recorder
        self.technical_decision_hours = 0.0
        self.budget = role.attention_hours

    @property
    def vacant(self) -> bool:
        """True while the role is empty and an acting stand-in covers it."""
        return self.model.tick < self.vacant_until

    def expertise(self, domain: str) -> float:
        """Expertise in ``domain``; a stand-in has 0.5."""
        return 0.5 if self.vacant else self.role.expertise(domain)

    def decision_hours(self, base: float, domain: str, team_trust: float) -> float:
        """Hours a decision takes: slower with less expertise, more exhaustion and less trust."""
        slowdown = (1.0 + self.exhaustion) * (1.5 - team_trust)
        return base / self.expertise(domain) * slowdown

    def accuracy(self, domain: str) -> float:
        """Chance a decision in ``domain`` is right: expertise, dented by exhaustion."""
        return self.expertise(domain) * (1.0 - 0.5 * self.exhaustion)

    # --- attention -------------------------------------------------------------------------------
    def allocate_attention(self) -> None:
        """Work out what each activity asks for and split the budget by the policy."""
        model = self.model
        p = model.p
        demand = model.attention_demand(self)
        self.demand = demand
        self.demand_total = sum(demand.values())
        self.budget = self.role.attention_hours * (p.interim_attention if self.vacant else 1.0)
        self.given = allocate(
            demand,
            self.budget,
            policy=p.attention_policy,
            overtime=p.overtime_max * self.budget,
            protected_share=p.protected_share,
        )

    def act(self) -> None:
        """Spend the hours given: decide, govern, coordinate, plan, meet, lead."""
        model = self.model
        self.technical_decision_hours = 0.0
        self._serve(self.urgent, self.given["incidents"], "incidents")
        self._serve(self.decisions, self.given["decisions"], "decisions")
        model.coordinate(self, self.given["coordination"])
        model.govern(self, self.given["governance"])
        model.plan(self, self.given["planning"])
        model.engage_stakeholders(self, self.given["stakeholder"], self.given["feedback"])
        model.lead_people(self, self.given["people"])

    def _serve(self, queue: deque[Decision], hours: float, pool: str) -> None:
        while queue and hours > 1e-9:
            decision = queue[0]
            if decision.resolved or self.name not in decision.pending:
                queue.popleft()
                continue
            need = decision.hours_left[self.name]
            spend = min(need, hours)
            hours -= spend
            self.queued_hours[pool] -= spend
            if decision.dtype in ("architecture", "infrastructure"):
                self.technical_decision_hours += spend
            decision.hours_left[self.name] = need - spend
            if need - spend <= 1e-9:
                queue.popleft()
                self.model.decided(decision, self)

    def update_wellbeing(self) -> None:
        """Exhaustion from over-demand; the hazard of leaving grows with it."""
        model = self.model
        p = model.p
        t = model.tick
        if self.vacant:
            return
        load = self.demand_total / max(self.budget, 1e-9)
        strain = p.exec_exhaustion_rise * min(max(0.0, load - 1.0), 2.0)
        recovery = p.exec_exhaustion_recovery * self.exhaustion
        self.exhaustion = min(1.0, max(0.0, self.exhaustion + strain - recovery))
        hazard = p.exec_turnover_base * (1.0 + p.exec_turnover_gain * self.exhaustion)
        if self.turnover_u[t] < hazard:
            model.executive_leaves(self)


def _poisson_inverse(u: float, lam: float) -> int:
    """Poisson(lam) by inversion of one uniform, so one draw per tick whatever the rate."""
    if lam <= 0.0:
        return 0
    k = 0
    prob = math.exp(-lam)
    cdf = prob
    while u > cdf and k < 1000:
        k += 1
        prob *= lam / k
        cdf += prob
    return k


def _poisson_inverse_many(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """:func:`_poisson_inverse` of each ``u`` and ``lam``, with the same arithmetic, at once."""
    prob = np.exp(-np.maximum(lam, 0.0))
    cdf = prob.copy()
    counts = np.zeros(len(u), dtype=np.int64)
    active = u > cdf
    k = 0
    while active.any() and k < 1000:
        k += 1
        prob = prob * (lam / k)
        cdf = cdf + prob
        counts += active
        active &= u > cdf
    return counts


def _binomial_inverse(u: float, n: int, q: float) -> int:
    """Binomial(n, q) by inversion of one uniform."""
    if n <= 0 or q <= 0.0:
        return 0
    k = 0
    prob = (1.0 - q) ** n
    cdf = prob
    while u > cdf and k < n:
        prob *= (n - k) / (k + 1) * q / (1.0 - q)
        k += 1
        cdf += prob
    return k
