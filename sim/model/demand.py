"""ODD 7.1: demand, routing, escalation, shadow IT and delivery: a request from raising to value.

A business unit's request is built from its pre-drawn numbers, then either built in the shadow
(the unit bypasses IT), proposed to the portfolio (strategic work) or routed to a team; a unit
that distrusts IT may escalate it too. Delivered work brings value, decayed by lateness and, for
strategic work, weighted by how well it matches the market's themes now.
"""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING

from sim.model.records import DELIVERED, REJECTED, SHADOWED, STRATEGIC, Request

if TYPE_CHECKING:
    from sim.model.model import ITLeadershipModel
    from sim.model.teams import ITTeam

KIND_PARAMS = ("strategic", "change", "service")


class Demand:
    """The flow of requests through the organisation, and the counts and log it leaves.

    Attributes:
        totals: Whole-run counts of requests created, delivered, rejected and shadowed.
        delivered_log: ``(kind, created, delivered, due, rid)`` of every delivered request.
        ontime_kpi: IT's own on-time measure, which perceived trust drifts toward.
    """

    def __init__(self, model: ITLeadershipModel) -> None:
        self.model = model
        p = model.p
        self.kind_table = [
            (
                getattr(p, f"effort_{name}"),
                getattr(p, f"value_per_effort_{name}"),
                getattr(p, f"due_{name}"),
            )
            for name in KIND_PARAMS
        ]
        self.next_rid = 0
        self.totals = {"created": 0, "delivered": 0, "rejected": 0, "shadowed": 0}
        self.delivered_log: list[tuple[int, int, int, int, int]] = []
        self.ontime_kpi = p.ontime_kpi_initial

    def new_request(self, unit: int, u: list[float], effort_z: float) -> Request:
        """Build a request from a unit's pre-drawn numbers (kind, size, theme, luck).

        Args:
            unit: Index of the raising unit.
            u: The request's row of the unit's keyed draws (ODD 4.9): uniforms 0-9, then z.
            effort_z: The standard normal of its lognormal size.
        """
        model = self.model
        p = model.p
        t = model.tick
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
            cumulative = model.market.cumulative[t]
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
        model.counters.created += 1
        return request

    def shadow(self, request: Request) -> None:
        """The unit builds it itself: IT is bypassed, and the platform inherits debt and risk."""
        model = self.model
        request.status = SHADOWED
        self.totals["shadowed"] += 1
        model.counters.shadowed += 1
        platform = model.teams_of_kind["platform"]
        platform[int(request.route[0] * len(platform))].add_debt(model.p.shadow_debt)

    def intake(self, request: Request, escalate: bool) -> None:
        """Hand a request to IT: strategic work to the portfolio, the rest to a team."""
        model = self.model
        model.counters.offered_effort += request.effort
        if request.kind == STRATEGIC:
            model.portfolio.propose(request, model.tick)
            team = None
        else:
            team = self.route(request, "delivery" if request.kind == 1 else "platform")
        if escalate:
            target = team if team is not None else model.teams_of_kind["delivery"][0]
            model.counters.escalations += 1
            model.decisions.raise_decision(
                "stakeholder", target, escalation=request, unit=request.unit
            )

    def route(self, request: Request, kind: str) -> ITTeam:
        """Dispatch to the less loaded of two teams drawn by the request (two choices)."""
        teams = self.model.teams_of_kind[kind]
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
        team.accept(request)
        return team

    def reject(self, request: Request) -> None:
        """The portfolio turns a proposal down (or lets it time out): the unit is let down."""
        model = self.model
        request.status = REJECTED
        self.totals["rejected"] += 1
        model.counters.rejected += 1
        model.unit_list[request.unit].trust.negative(1.0, model.p.trust_negative_weight)

    def deliver(self, request: Request, late: int) -> None:
        """Hand finished work to the business: value, the unit's trust and IT's on-time KPI.

        Args:
            request: The finished request.
            late: Ticks past its due date (0 when on time).
        """
        model = self.model
        p = model.p
        t = model.tick
        request.status = DELIVERED
        request.delivered = t
        self.totals["delivered"] += 1
        c = model.counters
        c.delivered[request.kind] += 1
        c.lead[request.kind] += t - request.created + 1
        value = request.value
        if late > 0:
            value *= math.exp(-late / p.lateness_decay)
        if request.kind == STRATEGIC:
            model.portfolio.delivered(request)
            alignment = model.market.alignment(request.theme, t)
            c.strategic_value += value
            c.aligned_value += value * alignment
            value *= alignment
        c.value += value
        self.delivered_log.append((request.kind, request.created, t, request.due, request.rid))
        unit = model.unit_list[request.unit]
        if late == 0:
            unit.trust.positive(1.0)
        else:
            unit.trust.negative(1.0, p.trust_negative_weight)
        self.ontime_kpi += p.kpi_weight * ((late == 0) - self.ontime_kpi)
