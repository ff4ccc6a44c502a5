"""ODD 7.7: the market: strategic themes whose priority weights drift, and the level of demand.

March (1991) and the Garbage Can model (Cohen, March & Olsen 1972): what the business needs from
IT moves while work is in the pipeline. The market is exogenous (nothing the organisation does
changes it), so its whole trajectory is computed before the run from its own stream; this keeps
it identical across structures.
"""

from __future__ import annotations

import numpy as np

from sim.config.params import Params
from sim.model.shocks import Timeline


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
        drift = (params.turbulence * timeline.turbulence_mult)[:, None] * noise
        weights = np.empty((n, k))
        # Between two re-weightings the log-weights are a random walk: one cumulative sum per
        # segment instead of a Python loop over ticks.
        cuts = sorted(t for t in timeline.reweight if 0 < t < n)
        for start, end in zip([0, *cuts], [*cuts, n], strict=True):
            if start in timeline.reweight:
                share, new = timeline.reweight[start]
                w = (1.0 - share) * w + share * new
            log_w = np.log(np.maximum(w, 1e-300)) + np.cumsum(drift[start:end], axis=0)
            log_w -= log_w.max(axis=1, keepdims=True)
            segment = np.exp(log_w)
            segment /= segment.sum(axis=1, keepdims=True)
            weights[start:end] = segment
            w = segment[-1]
        self.weights = weights
        self.cumulative = np.cumsum(weights, axis=1).tolist()
        self.demand_level = timeline.demand_mult
        self.n_themes = k

    def alignment(self, theme: int, tick: int) -> float:
        """How much a theme matters now: 1 at or above an average weight, less as it fades."""
        return min(1.0, self.n_themes * float(self.weights[tick, theme]))

    def leading_theme(self, tick: int) -> int:
        """The theme with the highest weight at ``tick``."""
        return int(np.argmax(self.weights[tick]))
