"""ODD 7.2: decisions raised to whoever holds the right, their queues, timeouts and defaults (VDT).

An exception a team voices, an escalation, a major incident or a staffing need becomes a
decision, sent to the role or roles that hold its right under the structure (Jin & Levitt's
exception routing). It resolves once every holder has decided; a decision nobody gets to in time
defaults, and the team goes on with hidden work. A decision that crosses roles can conflict over
their channel (:mod:`sim.model.coordination`) and is held back.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from sim.model.records import BLOCKED, QUEUED, Decision, Incident, Request
from sim.model.trust import DECISION_EVIDENCE

if TYPE_CHECKING:
    from sim.model.model import ITLeadershipModel
    from sim.model.teams import ITTeam

from sim.config.structure import DECISION_DOMAIN


class Decisions:
    """Decisions in flight: who holds each, when each times out, which are held back.

    A decision is in the decision queue from the tick it is raised until the tick its work is
    released (decided, defaulted, or decided and then held back by a conflict): that span is its
    latency. The queue is counted at the end of each tick, so a decision raised and released in
    the same tick waits 0 and is never counted, and the summed end-of-tick length equals the
    summed latency exactly (Little's law, L = lambda W, holds by construction).

    Attributes:
        timeouts: Open decisions in the order raised (the oldest time out first).
        held_back: Tick -> decisions delayed by a conflict, released at that tick.
        open: Decisions raised and not yet released (the decision queue's length).
    """

    def __init__(self, model: ITLeadershipModel) -> None:
        self.model = model
        self.timeouts: deque[Decision] = deque()
        self.held_back: dict[int, list[Decision]] = {}
        self.open = 0

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
        """Send a decision to the role or roles that hold the right (VDT's exception routing).

        ``raised`` is given only when a decision moves to new holders (:meth:`reroute`): it is
        the same decision, still waiting since it was first raised, so it does not arrive again.
        """
        model = self.model
        p = model.p
        tick = model.tick
        if raised is None:
            self.open += 1
            model.counters.decisions_raised += 1
        structure = model.structure
        holders = structure.holders(dtype, team.kind)
        line = structure.reports_to(team.kind)
        d = Decision(
            dtype=dtype,
            team=team.index if unit < 0 else -1,
            raised=tick if raised is None else raised,
            pending=list(holders),
            request=request if request is not None else escalation,
            incident=incident,
            unit=unit,
            urgent=incident is not None,
            vacancies=vacancies,
            queued=tick,
        )
        channel = model.coordination.channel
        d.crossing = any(h != line and channel(h, line) is not None for h in holders)
        base = p.major_incident_hours if incident is not None else p.decision_hours
        for name in holders:
            ex = model.executives_by_name[name]
            ex.take(d, ex.decision_hours(base, DECISION_DOMAIN[dtype], team.leader_trust.value))
        if request is not None:
            team.block()
        if incident is not None:
            incident.blocked = True
        if dtype != "stakeholder" and dtype != "people":
            model.counters.exceptions += 1
        self.timeouts.append(d)
        return d

    def decided(self, d: Decision, role: str) -> None:
        """``role`` has decided its part of ``d``; it resolves once every holder has."""
        d.pending.remove(role)
        if not d.pending:
            self._resolve(d, timed_out=False)

    def expire_overdue(self, t: int) -> None:
        """Decisions past the timeout default."""
        limit = t - self.model.p.decision_timeout
        timeouts = self.timeouts
        while timeouts and timeouts[0].raised <= limit:
            d = timeouts.popleft()
            if not d.resolved:
                self._resolve(d, timed_out=True)

    def release_held_back(self, t: int) -> None:
        """Decisions whose conflict delay ends at ``t`` take effect."""
        for d in self.held_back.pop(t, ()):
            self._release(d)

    def reroute(self, d: Decision) -> None:
        """Give a decision whose holder's role was abolished to the new holders."""
        model = self.model
        d.resolved = True
        for name in d.pending:  # a joint decision's surviving holder lets go of it too
            ex = model.executives_by_name.get(name)
            if ex is not None:
                ex.drop(d)
        d.pending.clear()
        if d.dtype == "investment":
            model.portfolio.propose(d.request, d.raised, moved=True)  # type: ignore[arg-type]
            return
        team = model.team_list[d.team] if d.team >= 0 else model.teams_of_kind["delivery"][0]
        if d.request is not None and d.request.status == BLOCKED:
            team.unblock()
        self.raise_decision(
            d.dtype,
            team,
            request=d.request,
            incident=d.incident,
            vacancies=d.vacancies,
            unit=d.unit,
            raised=d.raised,
        )

    def open_blocked(self) -> set[int]:
        """Ids of requests blocked on a decision still open or held back."""
        held = [d for ds in self.held_back.values() for d in ds]
        return {
            d.request.rid
            for d in [*self.timeouts, *held]
            if d.request is not None and d.dtype != "stakeholder" and d.request.status == BLOCKED
        }

    # --- resolving -------------------------------------------------------------------------------
    def _resolve(self, d: Decision, timed_out: bool) -> None:
        model = self.model
        p = model.p
        d.resolved = True
        if timed_out:
            self._default(d)
            return
        team = model.team_list[d.team] if d.team >= 0 else None
        if team is not None:
            team.leader_trust.positive(DECISION_EVIDENCE)
        if d.unit >= 0:
            model.unit_list[d.unit].trust.positive(DECISION_EVIDENCE)
        if not d.right:
            self._wrong(d)
        if d.crossing and self._conflict(d):
            model.counters.conflicts += 1
            if d.request is not None and d.dtype != "stakeholder":
                model.team_list[d.team].add_rework(d.request)
            if p.joint_conflict_delay > 0:
                self.held_back.setdefault(model.tick + p.joint_conflict_delay, []).append(d)
                return
            # Without a delay the conflict costs only rework; holding it back to this tick's
            # release (already past) would block its work for good.
        self._release(d)

    def _default(self, d: Decision) -> None:
        """Nobody decided in time: the team takes a default and goes on (hidden work)."""
        model = self.model
        p = model.p
        model.counters.timeouts += 1
        for name in d.pending:
            model.executives_by_name[name].drop(d)
        d.pending.clear()
        if d.team >= 0:
            model.team_list[d.team].leader_trust.negative(1.0, p.trust_negative_weight)
        if d.unit >= 0:
            model.unit_list[d.unit].trust.negative(DECISION_EVIDENCE, p.trust_negative_weight)
        request = d.request
        if d.dtype != "stakeholder" and request and request.u_outcome < p.default_rework_prob:
            model.team_list[d.team].add_rework(request)
        self._release(d, decided=False)

    def _wrong(self, d: Decision) -> None:
        """A wrong decision is no better than the default: the same chance of rework."""
        if d.team < 0:
            return
        team = self.model.team_list[d.team]
        if d.request is not None and d.dtype != "stakeholder":
            if d.request.u_outcome < self.model.p.default_rework_prob:
                team.add_rework(d.request)
        elif d.incident is not None:
            team.add_incident_rework(d.incident)

    def _conflict(self, d: Decision) -> bool:
        """Do the roles of a crossing decision conflict over their channel?"""
        model = self.model
        if d.team >= 0:
            kind = model.team_list[d.team].kind
        elif d.request is not None and d.request.team >= 0:
            kind = model.team_list[d.request.team].kind  # an escalation: its request's team
        else:
            kind = "delivery"  # an unrouted (strategic) request's escalation, as raised
        line = model.structure.reports_to(kind)
        holders = list(d.hours_left)
        roles = holders if len(holders) > 1 else [holders[0], line]
        if None in roles:
            return False
        return model.coordination.conflicts(roles)  # type: ignore[arg-type]

    def _release(self, d: Decision, decided: bool = True) -> None:
        """What a resolved decision unblocks; its wait in the decision queue ends here.

        An escalation moves its request to the front only when an executive decided it: one
        that timed out was decided by nobody, and the team goes on as it was (ODD 7.1.1).
        """
        model = self.model
        c = model.counters
        self.open -= 1
        c.decisions_released += 1
        c.decision_latency += model.tick - d.raised
        if d.dtype == "stakeholder":
            request = d.request  # the escalated request, which now goes first
            if decided and request is not None and request.status == QUEUED and request.team >= 0:
                model.team_list[request.team].prioritise(request)
            return
        team = model.team_list[d.team]
        if d.incident is not None:
            d.incident.blocked = False
        elif d.vacancies:
            team.hire(d.vacancies)
        elif d.request is not None:
            team.resume(d.request)
