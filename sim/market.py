"""The market: strategic themes whose priority weights drift, and the level of demand.

March (1991) and the Garbage Can model (Cohen, March & Olsen 1972): what the business needs from
IT moves while work is in the pipeline. The market is exogenous (nothing the organisation does
changes it), so its whole trajectory is computed before the run from its own stream; this keeps
it identical across structures.
"""

from __future__ import annotations

import numpy as np

from sim.params import Params
from sim.shocks import Timeline


class Market:
    """Theme weights per tick and the demand multiplier per tick.

    Attributes:
        weights: Array (steps, n_themes); each row sums to 1.
        demand_level: Array (steps,): multiplier of every unit's request rate.
    """

    def __init__(self, params: Params, timeline: Timeline, rng: np.random.Generator) -> None:
        k, n = params.n_themes, params.steps
        w = rng.dirichlet(np.full(k, params.theme_concentration))
        # Drawn in full whatever the turbulence, so shocks never shift later draws.
        noise = rng.standard_normal((n, k))
        weights = np.empty((n, k))
        for t in range(n):
            if t in timeline.reweight:
                share, new = timeline.reweight[t]
                w = (1.0 - share) * w + share * new
            sd = params.turbulence * timeline.turbulence_mult[t]
            if sd > 0.0:
                w = w * np.exp(sd * noise[t])
                w /= w.sum()
            weights[t] = w
        self.weights = weights
        self.demand_level = timeline.demand_mult
        self.n_themes = k

    def alignment(self, theme: int, tick: int) -> float:
        """How much a theme matters now: 1 at or above an average weight, less as it fades."""
        return min(1.0, self.n_themes * float(self.weights[tick, theme]))

    def leading_theme(self, tick: int) -> int:
        """The theme with the highest weight at ``tick``."""
        return int(np.argmax(self.weights[tick]))
