"""Named random streams: one independent generator per source of randomness.

Every stream is derived from the run's seed and a fixed key, never from spawn order, so that a
stream means the same thing whatever else the run contains. This is what gives common random
numbers: business unit 3's demand, the shock schedule and the market's drift are drawn from the
same numbers under every structure, and a run without shocks on the same seed is the exact
counterfactual of a shocked one: the shock stream is simply not read, and each request's and
incident's numbers are keyed by (source, tick, index within the tick), so a shock that adds some
moves none of the others (ODD 4.9).
"""

from __future__ import annotations

import zlib

import numpy as np

# Purpose codes are part of the reproducibility contract: changing one changes every result.
# A code whose use changes gets retired, never re-used with another meaning.
DEMAND = 1  # (unit, 0): one uniform per tick, inverted into the tick's request count
# (unit, 1) and (unit, 2) are retired: sequential request uniforms and sizes (shifted by surges).
MARKET = 2
SHOCKS = 3
TEAM = 4  # (team): exhaustion offsets, incident-count and attrition uniforms, new hires
EXECUTIVE = 5
ORGANISATION = 6
COORDINATION = 7
# Keyed draws (sim.model.draws.KeyedDraws): a table [tick, index within the tick, field] per
# entity, and past its last slot one stream per (entity, tick) for the rest of that tick.
REQUEST = 8  # (unit): request luck table
REQUEST_OVERFLOW = 9  # (unit, tick): requests at index >= REQUEST_SLOTS
INCIDENT = 10  # (team): incident luck table
INCIDENT_OVERFLOW = 11  # (team, tick): incidents at index >= INCIDENT_SLOTS


def stable_id(name: str) -> int:
    """A stable integer for a name (CRC-32), independent of Python's hash randomisation."""
    return zlib.crc32(name.encode("utf-8"))


def stream(seed: int, purpose: int, *ids: int) -> np.random.Generator:
    """The generator for ``purpose`` (one of the codes above) and entity ``ids`` under ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(purpose, *ids)))
