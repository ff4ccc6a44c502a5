"""Business units: they raise requests, and trust IT more or less (ODD 2.1, 7.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model.draws import poisson_inverse_many
from sim.model.records import STRATEGIC
from sim.model.trust import BetaTrust

if TYPE_CHECKING:
    from sim.model.model import ITLeadershipModel


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
        self.counts = poisson_inverse_many(counting.random(len(rates)), rates).tolist()
        total = sum(self.counts)
        # Column order is part of the reproducibility contract. Plain lists: indexing them in the
        # inner loop is several times cheaper than indexing numpy arrays.
        self.uniforms = describing.random((total, 11)).tolist()
        self.effort_z = sizing.standard_normal(total).tolist()
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
            request = demand.new_request(self.index, u, self.effort_z[j])
            if request.kind != STRATEGIC and u[2] < shadow_p:
                demand.shadow(request)
                continue
            demand.intake(request, escalate=u[3] < escalate_p)
        self.cursor += n
