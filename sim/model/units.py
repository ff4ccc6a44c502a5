"""Business units: they raise requests, and trust IT more or less (ODD 2.1, 7.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model import streams
from sim.model.draws import KeyedDraws, box_muller, poisson_inverse_many
from sim.model.records import STRATEGIC
from sim.model.trust import BetaTrust

if TYPE_CHECKING:
    from sim.model.model import ITLeadershipModel

# Part of the reproducibility contract (they decide which stream a request's luck comes from).
# Five slots per unit and tick hold more than 99.9% of ticks at the default request rate; the
# rare busier tick reads the rest from its own keyed stream.
REQUEST_SLOTS = 5
# Fields of a request's luck: 0 kind, 1 theme, 2 shadow IT, 3 escalation, 4 exception, 5 voice,
# 6 outcome, 7 decision, 8-9 route, 10-11 size (one normal, by Box-Muller).
REQUEST_FIELDS = 12


class BusinessUnit(mesa.Agent):
    """A business unit: raises requests and trusts IT more or less.

    Its demand (how many requests each tick, of which kind, how large, and the luck each will
    meet) is drawn in full before the run; the market's demand multipliers are exogenous, so the
    same unit asks for the same work under every structure. Each request's numbers are keyed by
    (unit, tick, index within the tick), so a demand shock adds requests without changing any
    other request. How the unit handles a request (shadow IT, escalation) depends on its trust in
    IT, through the same pre-drawn uniforms.
    """

    def __init__(
        self,
        model: ITLeadershipModel,
        index: int,
        counting: np.random.Generator,
    ) -> None:
        super().__init__(model)
        p = model.p
        self.index = index
        self.trust = BetaTrust()
        rates = p.request_rate * model.market.demand_level
        # One uniform per tick, inverted: numpy's Poisson sampler would shift later draws.
        counts = poisson_inverse_many(counting.random(len(rates)), rates)
        self.counts = counts.tolist()
        luck = KeyedDraws(
            model.seed,
            streams.REQUEST,
            streams.REQUEST_OVERFLOW,
            index,
            len(rates),
            REQUEST_SLOTS,
            REQUEST_FIELDS,
        ).rows_for_counts(counts)
        # The counts are exogenous, so exactly the rows the run reads are known now: keep those,
        # with the size's normal in field 10, as plain lists (indexing them in the inner loop is
        # several times cheaper than indexing numpy arrays), read in order through a cursor.
        luck[:, 10] = box_muller(luck[:, 10], luck[:, 11])
        self.uniforms = luck[:, :11].tolist()
        self.cursor = 0

    def generate_requests(self) -> None:
        """Raise this tick's requests and hand each to IT, or build it in the shadow."""
        model = self.model
        demand = model.demand
        p = model.p
        n = self.counts[model.tick]
        if n == 0:
            return
        trust = self.trust.value
        shadow_p = 0.0
        if trust < p.shadow_trust_threshold:
            shadow_p = p.shadow_prob_max * (1.0 - trust / p.shadow_trust_threshold)
        escalate_p = p.escalation_prob_max * (1.0 - trust)
        for j in range(self.cursor, self.cursor + n):
            u = self.uniforms[j]
            request = demand.new_request(self.index, u, u[10])
            if request.kind != STRATEGIC and u[2] < shadow_p:
                demand.shadow(request)
                continue
            demand.intake(request, escalate=u[3] < escalate_p)
        self.cursor += n
