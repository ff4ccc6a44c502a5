"""IT teams: capacity, queues, firefighting, debt, climate and people (ODD 2.2, 7.4).

Everything a team is, it keeps: its backlog totals, debt, exhaustion, safety and headcount change
only through its own methods. Others act on it through the few methods at the end of the class
(a decision that unblocks an item, a leader's planning and people time, inherited debt).
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import deque
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model import streams
from sim.model.draws import KeyedDraws, binomial_inverse, normal_from, poisson_inverse
from sim.model.queues import QueueStats
from sim.model.records import BLOCKED, CHANGE, QUEUED, SERVICE, STRATEGIC, Incident, Request
from sim.model.trust import INCIDENT_EVIDENCE, NEUTRAL_TRUST, BetaTrust, negative_all

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
# The decision a change or service exception needs when it lies outside the team's own domain:
# a delivery team's change that touches the architecture, a platform change that touches an
# application. Under a split these cross the line between the two executives.
CROSS_DOMAIN_TYPE = {"delivery": "architecture", "platform": "application"}
INCIDENT_TYPE = {"delivery": "application", "platform": "infrastructure"}
# Part of the reproducibility contract: incidents at index >= INCIDENT_SLOTS of a tick take their
# luck from the (team, tick) overflow stream. Four hold nearly every tick, storms included.
INCIDENT_SLOTS = 4
INCIDENT_FIELDS = 4  # 0 major, 1 affected unit, 2-3 size (one normal, by Box-Muller)
# Schedule pressure counts toward exhaustion up to 3x capacity: a saturation, so one storm tick
# cannot exhaust a team outright (assumption).
PRESSURE_CAP = 3.0
# Psychological safety stays inside [0.02, 0.98]: a numeric guard that keeps the chance of voice
# off 0 and 1, so a team can always recover or lose it (its gains and losses are additive).
SAFETY_MIN, SAFETY_MAX = 0.02, 0.98


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
        # Each incident's size, major flag and affected unit, keyed by (team, tick, index): how
        # many incidents come depends on debt, so rows are read as they are needed.
        self.incident_draws = KeyedDraws(
            model.seed,
            streams.INCIDENT,
            streams.INCIDENT_OVERFLOW,
            index,
            p.steps,
            INCIDENT_SLOTS,
            INCIDENT_FIELDS,
        )
        # Read through a flat memoryview: slicing it is cheaper than slicing numpy, and converting
        # the whole table to lists would cost more than all the incidents of a run.
        self.incident_luck = memoryview(self.incident_draws.table.reshape(-1))
        self.debt = 0.0
        self.exhaustion = 0.0
        self.safety = p.safety_initial
        self.leader_trust = BetaTrust()
        self.queue: deque[Request] = deque()  # changes and service requests
        self.projects: deque[Request] = deque()  # funded strategic work
        self.incidents: deque[Incident] = deque()
        self.incident_effort = 0.0  # what the open incidents still need, person-days
        self.backlog_effort = 0.0  # all open work, person-days
        self.blocked = 0  # items waiting for a decision (they stay in the backlog)
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
        c *= 1.0 + p.trust_productivity_gain * (self.leader_trust.value - NEUTRAL_TRUST)
        c /= 1.0 + p.debt_drag * self.debt
        return c if c > 0.0 else 0.0  # conditionals, not max(): every team, every tick

    def accept(self, request: Request) -> None:
        """Take on new work: it joins the queue and the team's open-work totals."""
        t = self.model.tick
        self.enqueue(request)
        self.backlog_effort += request.remaining
        if request.kind == STRATEGIC:
            self.project_effort += request.remaining
        request.entered = t
        self.queue_stats.arrive(t)

    def enqueue(self, request: Request, front: bool = False) -> None:
        """Put a request in its lane of the work queue (at the front when it must go first)."""
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
        n = poisson_inverse(self.incident_u[t], lam)
        if n <= INCIDENT_SLOTS:
            start = t * INCIDENT_SLOTS * INCIDENT_FIELDS
            luck = self.incident_luck[start : start + n * INCIDENT_FIELDS].tolist()
        else:
            luck = self.incident_draws.rows(t, n).ravel().tolist()
        for k in range(0, n * INCIDENT_FIELDS, INCIDENT_FIELDS):
            u_major, u_unit, u_size, u_angle = luck[k : k + INCIDENT_FIELDS]
            z = normal_from(u_size, u_angle)
            effort = p.incident_effort * math.exp(p.incident_effort_sigma * z)
            incident = Incident(self.index, effort, t, u_major < p.major_incident_share)
            self.incidents.append(incident)
            self.incident_effort += effort
            self.backlog_effort += effort
            self._incident_raised(incident, int(u_unit * model.n_units))

    def _incident_raised(self, incident: Incident, unit: int) -> None:
        """An incident hurts business trust; a major one needs an executive."""
        model = self.model
        p = model.p
        model.counters.incidents += 1
        model.counters.offered_effort += incident.remaining
        if incident.major:
            negative_all(model.unit_trust, INCIDENT_EVIDENCE, p.trust_negative_weight)
            model.decisions.raise_decision(INCIDENT_TYPE[self.kind], self, incident=incident)
        else:
            model.unit_list[unit].trust.negative(INCIDENT_EVIDENCE, p.trust_negative_weight)

    # --- work ------------------------------------------------------------------------------------
    def work(self) -> None:
        """Firefight, improve, then work the queue; deliver what is finished."""
        p = self.model.p
        self.spent_planned = self.spent_strategic = self.idle_blocked = 0.0
        self.capacity = capacity = self.compute_capacity()
        # Schedule pressure: run work is expected within days, projects within their horizon.
        # Incidents are due at once; they strain most.
        incident_work = self.incident_effort
        run_work = self.backlog_effort - self.project_effort - incident_work
        expected = incident_work + run_work / p.backlog_norm + self.project_effort / p.due_strategic
        self.pressure = pressure = expected / capacity if capacity > 1e-9 else expected * 1e9
        # Incidents pre-empt everything else (firefighting); improvement and planned work get
        # what is left.
        left = self._firefight(capacity)
        left = self._improve(left, pressure)
        left = self._plan(left, run_work)
        if left > 1e-9 and self.blocked > 0:
            self.idle_blocked = left
        self.debt += p.debt_erosion

    def _firefight(self, left: float) -> float:
        """Restore open incidents from the oldest, with ``left`` hours; return the hours left.

        Blocked incidents wait for a decision.
        """
        spent_incidents = 0.0
        incidents = self.incidents
        if incidents:
            incident_work = self.incident_effort
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
            counters = self.model.counters
            t = self.model.tick
            for incident in restored:  # few a tick: cheaper than rebuilding the deque
                incidents.remove(incident)
                counters.restored += 1
                counters.restore_time += t - incident.created + 1
            self.backlog_effort -= spent_incidents
            # Reset when none are left, so that rounding cannot accumulate over the run.
            self.incident_effort = incident_work - spent_incidents if incidents else 0.0
        self.spent_incidents = spent_incidents
        return left

    def _improve(self, left: float, pressure: float) -> float:
        """Spend the improvement share of ``left``; pay back what was spent a delay ago."""
        model = self.model
        p = model.p
        t = model.tick
        # The plan, cut under pressure (the capability trap's tipping point).
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
        return left

    def _plan(self, left: float, run_work: float) -> float:
        """Work the planned lanes with ``left`` hours; return the hours no item could use.

        Strategic projects get the portfolio's share while other work waits, less when run work
        is piling up (projects slip first); what one lane cannot use flows to the other. A lane
        is only entered with capacity to spend.
        """
        p = self.model.p
        capacity = self.capacity
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
        return left

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

    def _voices(self, request: Request) -> bool:
        """Whether the team raises the item's problem: more often the safer it is."""
        return request.u_voice < self.safety

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
        if self._voices(request):
            request.status = BLOCKED
            dtype = EXCEPTION_TYPE[(self.kind, request.kind)]
            # Given an exception, u_exception / probability is uniform: the item's own draw
            # decides its domain, so the share changes no other draw.
            cross = request.u_exception < probability * p.cross_domain_exception_share
            if cross and request.kind != STRATEGIC:
                dtype = CROSS_DOMAIN_TYPE[self.kind]
            self.model.decisions.raise_decision(dtype, self, request=request)
            return True
        request.hidden_problem = True
        self.model.counters.hidden_problems += 1
        return False

    def _finish(self, request: Request) -> None:
        """Hand finished work over, unless a hidden problem surfaces; fast work leaves debt."""
        model = self.model
        p = model.p
        if request.hidden_problem:
            # A hidden problem surfaces late: rework now, and debt either way (VDT hidden work).
            request.hidden_problem = False
            self.debt += p.hidden_defect_debt
            if request.u_outcome < p.default_rework_prob:
                self.add_rework(request)
                return
        t = model.tick
        self.queue_stats.depart(request.entered, t)
        late = t - request.due
        model.demand.deliver(request, late if late > 0 else 0)
        rushed = p.rushed_debt_factor if self.pressure > 1.0 else 1.0
        self.debt += p.debt_per_effort * request.effort * rushed

    # --- what others do to the team ----------------------------------------------------------
    def add_debt(self, amount: float) -> None:
        """Debt the team inherits from elsewhere (a shadow system it must now run)."""
        self.debt += amount

    def block(self) -> None:
        """One more of its items waits for a decision."""
        self.blocked += 1

    def resume(self, request: Request) -> None:
        """A decision unblocks ``request``: it goes back to the front of its lane."""
        self.unblock()
        self.enqueue(request, front=True)

    def prioritise(self, request: Request) -> None:
        """An escalation decided in its favour: ``request`` moves to the front of its lane."""
        lane = self.projects if request.kind == STRATEGIC else self.queue
        if request in lane:
            lane.remove(request)
            lane.appendleft(request)

    def unblock(self) -> None:
        """A blocked item's decision is withdrawn (it may be raised again elsewhere)."""
        self.blocked -= 1

    def hire(self, vacancies: int) -> None:
        """Approved hires, who arrive after the hiring delay."""
        self.hires.extend([self.model.tick + self.model.p.hiring_delay] * vacancies)

    def steer_improvement(self, quality: float, share: float) -> None:
        """Planning moves the improvement plan toward what the debt calls for.

        Args:
            quality: How well the plan is made: its time's coverage times technical expertise.
            share: This planner's share of the team's planning (1 unless planning is joint).
        """
        p = self.model.p
        span = p.improvement_share_max - p.improvement_share_min
        load = self.debt / p.debt_reference
        target = p.improvement_share_min + span * (load if load < 1.0 else 1.0)
        plan = p.improvement_share_min + (target - p.improvement_share_min) * quality
        self.improvement_plan += p.improvement_plan_rate * share * (plan - self.improvement_plan)

    def receive_people_time(self, hours: float, evidence: float) -> None:
        """The leader's people time: support against exhaustion and evidence for trust."""
        self.people_hours += hours
        self.leader_trust.positive(evidence)

    def leader_changed(self) -> None:
        """A new leader: the team's relationship with its leader starts over."""
        self.leader_trust.reset()

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
        pressure = self.pressure if self.pressure < PRESSURE_CAP else PRESSURE_CAP
        strain = p.exhaustion_rise * pressure
        recovery = p.exhaustion_recovery * (1.0 + p.support_recovery * support) * self.exhaustion
        exhaustion = self.exhaustion + strain - recovery
        self.exhaustion = 1.0 if exhaustion > 1.0 else (exhaustion if exhaustion > 0.0 else 0.0)
        safety = self.safety + p.safety_gain * self.people_hours - p.safety_decay * self.exhaustion
        self.safety = (
            SAFETY_MAX if safety > SAFETY_MAX else (safety if safety > SAFETY_MIN else SAFETY_MIN)
        )
        self.people_hours = 0.0
        while self.hires and self.hires[0] <= t:
            self.hires.popleft()
            bisect.insort(self.offsets, float(self.stream.normal(0.0, p.exhaustion_spread)))
            self.headcount += 1
        hazard = p.attrition_base * (1.0 + p.attrition_exhaustion_gain * self.exhaustion)
        u = self.attrition_u[t]
        if u > (1.0 - hazard) ** self.headcount:  # else the inversion gives 0: nobody leaves
            self.lose_staff(binomial_inverse(u, self.headcount, hazard))

    def lose_staff(self, n: int) -> None:
        """``n`` people leave (the most exhausted first); a staffing decision is raised."""
        n = min(n, self.headcount)
        if n <= 0:
            return
        del self.offsets[len(self.offsets) - n :]
        self.headcount -= n
        self.model.counters.attrition += n
        self.model.decisions.raise_decision("people", self, vacancies=n)

    def burnout_count(self) -> int:
        """People whose exhaustion (team level + own offset) exceeds the burnout threshold."""
        threshold = self.model.p.burnout_threshold - self.exhaustion
        return len(self.offsets) - bisect.bisect_right(self.offsets, threshold)
