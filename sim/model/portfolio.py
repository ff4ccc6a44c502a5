"""ODD 7.6: the portfolio: proposals, funding within capacity, and the pipeline of funded work.

Strategic requests are proposed to whoever holds the investment right; a proposal is funded
while strategic work in flight leaves room in the share of delivery capacity the portfolio may
use, and rejected when it is judged misaligned or times out. The review of proposals and the
re-aiming of funded work are executive work (:meth:`sim.model.executives.Executive.govern`).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from sim.model.records import PROPOSED, Decision, Request

if TYPE_CHECKING:
    from sim.model.model import ITLeadershipModel


class Portfolio:
    """Proposals waiting for a decision and the funded, open strategic work.

    A proposal is in the proposal queue from the tick it is made until the tick it is funded,
    rejected or times out: that span is its wait. Counted at the end of each tick like the
    decision queue (:class:`sim.model.decisions.Decisions`), so L = lambda W holds by the same
    construction.

    Attributes:
        pipeline: Funded strategic requests not yet delivered, by id.
        funded_log: ``rid -> (created, due)`` of every funded request.
        room: Effort the portfolio may still fund this tick (negative when over budget).
        proposal_timeouts: Proposals in the order made (the oldest time out first).
        open: Proposals made and not yet closed (the proposal queue's length).
    """

    def __init__(self, model: ITLeadershipModel) -> None:
        self.model = model
        self.pipeline: dict[int, Request] = {}
        self.funded_log: dict[int, tuple[int, int]] = {}
        self.room = 0.0
        self.proposal_timeouts: deque[Decision] = deque()
        self.open = 0

    def budget(self) -> None:
        """Strategic work in flight may use up to a share of delivery capacity until it is due."""
        model = self.model
        p = model.p
        capacity = sum(t.capacity for t in model.teams_of_kind["delivery"])
        budget = p.portfolio_capacity_share * capacity * p.due_strategic
        in_flight = sum(r.remaining for r in self.pipeline.values())
        self.room = budget - in_flight

    def propose(self, request: Request, raised: int, *, moved: bool = False) -> None:
        """Send a strategic request to every holder of the investment right.

        Args:
            request: The strategic request.
            raised: Tick the proposal was first made (its wait runs from then).
            moved: The proposal only moves to new holders after a restructure: it is the same
                proposal, still waiting, so it does not arrive again.
        """
        model = self.model
        if not moved:
            self.open += 1
            model.counters.proposals_made += 1
        d = Decision(
            dtype="investment",
            team=-1,
            raised=raised,
            pending=[],
            request=request,
            queued=model.tick,
        )
        d.pending = list(model.investment_holders)
        for name in d.pending:
            model.executives_by_name[name].take_proposal(d)
        request.status = PROPOSED
        self.proposal_timeouts.append(d)

    def expire_overdue(self, t: int) -> None:
        """Proposals past their timeout are rejected."""
        limit = t - self.model.p.proposal_timeout
        timeouts = self.proposal_timeouts
        while timeouts and timeouts[0].raised <= limit:
            d = timeouts.popleft()
            if not d.resolved:
                self.close(d, funded=False)

    def close(self, d: Decision, funded: bool) -> None:
        """Fund the proposal (it joins the pipeline and a team's queue) or reject it."""
        model = self.model
        request = d.request
        d.resolved = True
        self._leave_queue(d)
        for name in d.pending:
            ex = model.executives_by_name.get(name)
            if ex is not None:
                ex.drop(d)
        d.pending.clear()
        if funded:
            self.pipeline[request.rid] = request
            self.funded_log[request.rid] = (request.created, request.due)
            self.room -= request.remaining
            model.demand.route(request, "delivery")
            return
        model.demand.reject(request)

    def _leave_queue(self, d: Decision) -> None:
        """The proposal's wait ends now (funded, rejected or timed out)."""
        c = self.model.counters
        self.open -= 1
        c.proposals_closed += 1
        c.proposal_wait += self.model.tick - d.raised

    def delivered(self, request: Request) -> None:
        """Funded work is delivered: it leaves the pipeline."""
        self.pipeline.pop(request.rid, None)

    def open_proposals(self) -> set[int]:
        """Ids of requests whose proposal is still open."""
        return {d.request.rid for d in self.proposal_timeouts if not d.resolved}
