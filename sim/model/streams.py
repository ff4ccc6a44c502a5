"""Named random streams: one independent generator per source of randomness.

Every stream is derived from the run's seed and a fixed key, never from spawn order, so that a
stream means the same thing whatever else the run contains. This is what gives common random
numbers: business unit 3's demand, the shock schedule and the market's drift are drawn from the
same numbers under every structure, and a run without shocks on the same seed is the exact
counterfactual of a shocked one (the shock stream is simply not read).
"""

from __future__ import annotations

import zlib

import numpy as np

# Purpose codes are part of the reproducibility contract: changing one changes every result.
DEMAND = 1
MARKET = 2
SHOCKS = 3
TEAM = 4
EXECUTIVE = 5
ORGANISATION = 6
COORDINATION = 7


def stable_id(name: str) -> int:
    """A stable integer for a name (CRC-32), independent of Python's hash randomisation."""
    return zlib.crc32(name.encode("utf-8"))


def stream(seed: int, purpose: int, *ids: int) -> np.random.Generator:
    """The generator for ``purpose`` (one of the codes above) and entity ``ids`` under ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(purpose, *ids)))
