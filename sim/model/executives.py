"""Executives: attention, decisions and the leadership work of a role (ODD 2.3, 7.3).

An executive keeps its own queues, attention, exhaustion and perceived trust, and does its own
activities: it works out what each asks of it (span of control included), splits its budget by
the attention policy, decides, governs the portfolio, plans, meets stakeholders, leads its teams
and, exhausted, may leave. What the structure decides (who holds which right, who leads whom) it
reads from the model; what its work does to others it does through their methods.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.config.structure import DECISION_DOMAIN, Role
from sim.model.attention import ACTIVITIES, allocate
from sim.model.queues import ExecutiveQueues
from sim.model.records import BLOCKED, QUEUED, Decision
from sim.model.trust import TRUST_FACTOR

if TYPE_CHECKING:
    from sim.model.model import ITLeadershipModel

TECHNICAL_DECISIONS = ("architecture", "infrastructure")
# Over-demand counts toward exhaustion up to twice the budget in excess (load 3): a saturation,
# as for teams' schedule pressure (assumption).
OVERLOAD_CAP = 2.0
# Feedback teaches at LEARNING_BASE + mean team safety: half strength where nobody speaks up,
# 1.5x where everyone does (assumption; the voice effect of Edmondson 1999).
LEARNING_BASE = 0.5


class Executive(mesa.Agent):
    """An executive role (CIO, CTO, or any role a structure defines).

    Holds an attention budget spread by the named policy (:mod:`sim.model.attention`) over
    deciding escalated exceptions (a limited-capacity server: Jin & Levitt 1996), portfolio
    governance, stakeholder and feedback work, people leadership, technical planning and
    coordination. Over-demand raises exhaustion, which slows decisions and makes them less
    accurate, and raises the hazard of leaving (Demerouti et al. 2001).
    """

    def __init__(self, model: ITLeadershipModel, role: Role, rng: np.random.Generator) -> None:
        super().__init__(model)
        self.role = role
        self.name = role.name
        # The person's expertise: fixed at appointment and kept through a restructure (a person
        # keeps their skills when the structure around them changes; see take_role).
        self.skills = role.skills(model.p.specialisation_gain)
        self.stream = rng
        self.turnover_u = rng.random(model.p.steps).tolist()
        self.exhaustion = 0.0
        self.vacant_until = -1
        self.perceived_trust = model.p.perceived_trust_prior
        self.urgent: deque[Decision] = deque()
        self.decisions: deque[Decision] = deque()
        self.proposals: deque[Decision] = deque()
        self.queued_hours = {"incidents": 0.0, "decisions": 0.0}
        self.queue_stats = ExecutiveQueues()
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
        """The holder's expertise in ``domain``; a stand-in has ``interim_expertise``."""
        return self.model.p.interim_expertise if self.vacant else self.skills[domain]

    def take_role(self, role: Role) -> None:
        """Hold ``role`` after a restructure: its budget and cost, the same person's skills."""
        self.role = role

    def decision_hours(self, base: float, domain: str, team_trust: float) -> float:
        """Hours a decision takes: slower with less expertise, more exhaustion and less trust."""
        slowdown = (1.0 + self.exhaustion) * (TRUST_FACTOR - team_trust)
        return base / self.expertise(domain) * slowdown

    def accuracy(self, domain: str) -> float:
        """Chance a decision in ``domain`` is right: expertise, dented by exhaustion."""
        loss = self.model.p.exec_exhaustion_accuracy
        return self.expertise(domain) * (1.0 - loss * self.exhaustion)

    # --- the queues: what is asked of the executive ----------------------------------------------
    def take(self, decision: Decision, hours: float) -> None:
        """Queue ``decision``, which needs ``hours`` of this executive's time."""
        urgent = decision.urgent
        decision.hours_left[self.name] = hours
        (self.urgent if urgent else self.decisions).append(decision)
        self.queued_hours["incidents" if urgent else "decisions"] += hours
        self.queue_stats.decisions.arrive(self.model.tick)

    def take_proposal(self, decision: Decision) -> None:
        """Queue an investment proposal for review; its hours depend on business expertise."""
        p = self.model.p
        decision.hours_left[self.name] = p.governance_hours / self.expertise("business")
        self.proposals.append(decision)
        self.queue_stats.proposals.arrive(self.model.tick)

    def drop(self, decision: Decision) -> None:
        """Let go of ``decision`` unfinished: it timed out, closed, or moved to another role."""
        if decision.dtype == "investment":
            self.queue_stats.proposals.depart(decision.queued, self.model.tick)
        else:
            self.queue_stats.decisions.depart(decision.queued, self.model.tick)
            pool = "incidents" if decision.urgent else "decisions"
            self.queued_hours[pool] -= decision.hours_left[self.name]

    # --- attention -------------------------------------------------------------------------------
    def allocate_attention(self) -> None:
        """Work out what each activity asks for and split the budget by the policy."""
        p = self.model.p
        demand = self.attention_demand()
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

    def attention_demand(self) -> dict[str, float]:
        """Hours each activity asks of the executive this tick."""
        model = self.model
        p = model.p
        name = self.name
        demand = {
            "incidents": max(0.0, self.queued_hours["incidents"]),
            "decisions": max(0.0, self.queued_hours["decisions"]),
            "coordination": model.coordination.hours_of(name),
        }
        governance = self._governance_demand()  # run for all: it clears the queue's front
        demand["governance"] = governance if name in model.investment_holders else 0.0
        demand["planning"] = sum(
            share * (p.planning_hours + p.planning_hours_per_debt * team.debt)
            for team, share in model.planners[name]
        ) / self.expertise("technical")
        if name in model.stakeholder_holders:
            # The executive acts on perceived satisfaction: a blind spot means too little time.
            n_holders = len(model.stakeholder_holders)
            need = p.stakeholder_hours_per_unit * model.n_units
            demand["stakeholder"] = need * (TRUST_FACTOR - self.perceived_trust) / n_holders
            demand["feedback"] = model.feedback_hours[model.tick] / n_holders
        n = len(model.reports[name])
        # Graicunas (1933): relationships, not reports, load a leader.
        demand["people"] = p.people_hours_per_report * n * (1.0 + p.span_interaction * (n - 1))
        return demand

    def _governance_demand(self) -> float:
        """Proposals that could be funded now, and the pipeline's periodic reviews."""
        model = self.model
        p = model.p
        name = self.name
        proposals = 0.0
        room = model.portfolio.room
        queue = self.proposals
        # Proposals that timed out while governance got no time are still queued: drop them
        # here, or this loop walks thousands of them a tick when the executive is overloaded.
        while queue and queue[0].resolved:
            queue.popleft()
        for d in queue:
            if room <= 0.0:
                break  # only proposals that could be funded now ask for time
            if not d.resolved and name in d.pending:
                proposals += d.hours_left[name]
                room -= d.request.remaining
        business = self.expertise("business")
        reviews = len(model.portfolio.pipeline) / p.review_interval * p.review_hours / business
        return proposals + reviews

    # --- the day's work --------------------------------------------------------------------------
    def act(self) -> None:
        """Spend the hours given: decide, govern, coordinate, plan, meet, lead."""
        given = self.given
        self.technical_decision_hours = 0.0
        self._serve(self.urgent, given["incidents"], "incidents")
        self._serve(self.decisions, given["decisions"], "decisions")
        self.model.coordination.attend(
            self.name, given["coordination"], self.demand["coordination"]
        )
        self.govern(given["governance"])
        self.plan(given["planning"])
        self.engage_stakeholders(given["stakeholder"], given["feedback"])
        self.lead_people(given["people"])

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
            if decision.dtype in TECHNICAL_DECISIONS:
                self.technical_decision_hours += spend
            decision.hours_left[self.name] = need - spend
            if need - spend <= 1e-9:
                queue.popleft()
                self._decide(decision)

    def _decide(self, d: Decision) -> None:
        """This executive's part of ``d`` is done: right or wrong by its luck and accuracy."""
        self.queue_stats.decisions.depart(d.queued, self.model.tick)
        u = d.request.u_decision if d.request is not None else float(self.stream.random())
        if u < self.accuracy(DECISION_DOMAIN[d.dtype]):
            d.right = True
        self.model.decisions.decided(d, self.name)

    def govern(self, hours: float) -> None:
        """Review proposals (fund the aligned ones while there is room), then re-aim the pipeline.

        Funding is judged against the market's current themes, estimated with an error that
        shrinks with business expertise (March 1991). When themes shift, funded work loses value
        until a review re-aims it, at the cost of rework; how often reviews come depends on the
        attention governance gets.
        """
        model = self.model
        p = model.p
        portfolio = model.portfolio
        name = self.name
        while self.proposals and hours > 1e-9:
            d = self.proposals[0]
            if d.resolved or name not in d.pending:
                self.proposals.popleft()
                continue
            if portfolio.room <= 0.0:
                break  # no room: proposals wait, and may time out
            spend = min(hours, d.hours_left[name])
            hours -= spend
            d.hours_left[name] -= spend
            if d.hours_left[name] > 1e-9:
                break
            self.proposals.popleft()
            d.pending.remove(name)
            self.queue_stats.proposals.depart(d.queued, model.tick)
            request = d.request
            error = (request.u_decision - 0.5) * 2.0 * (1.0 - self.accuracy("business"))
            estimate = model.market.alignment(request.theme, model.tick) + error
            if estimate < p.fund_threshold:
                portfolio.close(d, funded=False)
            elif not d.pending:
                portfolio.close(d, funded=True)
        review_cost = p.review_hours / self.expertise("business")
        if hours > 1e-9 and portfolio.pipeline and review_cost > 0.0:
            self.review_credit += hours / review_cost
            self._review_pipeline()
        else:
            self.review_credit = 0.0

    def _review_pipeline(self) -> None:
        """Re-aim funded work whose theme has faded, as far as review time reaches."""
        if self.review_credit < 1.0:
            return
        model = self.model
        items = list(model.portfolio.pipeline.values())
        n = min(int(self.review_credit), len(items))
        self.review_credit -= n
        accuracy = self.accuracy("business")
        for k in range(n):
            request = items[(self.review_cursor + k) % len(items)]
            faded = model.market.alignment(request.theme, model.tick) < model.p.fade_threshold
            if faded and self.stream.random() < accuracy:
                request.theme = model.market.leading_theme(model.tick)
                if request.status == QUEUED or request.status == BLOCKED:
                    model.team_list[request.team].add_rework(request)
                model.counters.reaimed += 1
        self.review_cursor = (self.review_cursor + n) % max(1, len(items))

    def plan(self, hours: float) -> None:
        """Technical planning sets the improvement share of the teams the executive plans for."""
        teams = self.model.planners[self.name]
        if not teams:
            return
        wanted = self.demand["planning"]  # asked for this tick; debt has not moved since
        coverage = 1.0 if wanted <= 0.0 else min(1.0, hours / wanted)
        quality = coverage * self.expertise("technical")
        for team, share in teams:
            team.steer_improvement(quality, share)

    def engage_stakeholders(self, hours: float, feedback_hours: float) -> None:
        """Stakeholder time builds units' trust; feedback work shows the executive the truth."""
        model = self.model
        p = model.p
        if self.name not in model.stakeholder_holders:
            return
        if hours > 0.0:
            evidence = p.stakeholder_evidence * hours / model.n_units * self.expertise("business")
            for unit in model.unit_list:
                unit.trust.positive(evidence)
        actual = model.business_trust()
        # Dissatisfaction reaches the executive through feedback work, and through staff who
        # pass on what they hear, which they do more where it is safe to speak (Edmondson 1999).
        teams = model.team_list
        voice = sum(team.safety for team in teams) / len(teams)
        heard = feedback_hours + p.stakeholder_feedback_share * hours
        learning = min(1.0, p.feedback_learning * heard * (LEARNING_BASE + voice))
        self.perceived_trust += p.kpi_pull * (model.demand.ontime_kpi - self.perceived_trust)
        self.perceived_trust += learning * (actual - self.perceived_trust)

    def lead_people(self, hours: float) -> None:
        """People time for the teams that report to the executive: safety, recovery, trust."""
        teams = self.model.reports[self.name]
        if not teams:
            return
        p = self.model.p
        n = len(teams)
        # Graicunas (1933): the cross-relationships among n reports take their share of the
        # hours (the span term of the demand), so only the rest reaches each team as support.
        each = hours / (n * (1.0 + p.span_interaction * (n - 1)))
        need = p.people_hours_per_report
        evidence = p.people_evidence * min(1.0, each / max(need, 1e-9))
        for team in teams:
            team.receive_people_time(each, evidence)

    # --- wellbeing and leaving -------------------------------------------------------------------
    def update_wellbeing(self) -> None:
        """Exhaustion from over-demand; the hazard of leaving grows with it."""
        model = self.model
        p = model.p
        if self.vacant:
            return
        load = self.demand_total / max(self.budget, 1e-9)
        strain = p.exec_exhaustion_rise * min(max(0.0, load - 1.0), OVERLOAD_CAP)
        recovery = p.exec_exhaustion_recovery * self.exhaustion
        self.exhaustion = min(1.0, max(0.0, self.exhaustion + strain - recovery))
        hazard = p.exec_turnover_base * (1.0 + p.exec_turnover_gain * self.exhaustion)
        if self.turnover_u[model.tick] < hazard:
            self.leave()

    def leave(self) -> None:
        """The role falls vacant; a successor with the role's skills starts relationships over."""
        model = self.model
        p = model.p
        self.vacant_until = model.tick + 1 + p.exec_vacancy
        self.exhaustion = 0.0
        self.skills = self.role.skills(p.specialisation_gain)  # a successor hired to the role
        self.perceived_trust = p.perceived_trust_prior
        model.counters.exec_turnover += 1
        for team in model.reports[self.name]:
            team.leader_changed()
        model.coordination.role_left(self.name)
