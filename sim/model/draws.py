"""Draws that never shift: counts by inversion, per-record luck keyed by what it is for.

numpy's Poisson and binomial samplers consume a varying number of uniforms per draw; inverting a
single pre-drawn uniform keeps every other draw of a stream where it was (common random numbers).
The records those counts create (requests, incidents) take their luck from :class:`KeyedDraws`,
addressed by (entity, tick, index within the tick), so a shock that adds records adds draws and
moves none (ODD 4.9).
"""

from __future__ import annotations

import math

import numpy as np

from sim.model import streams


def poisson_inverse(u: float, lam: float) -> int:
    """Poisson(lam) by inversion of one uniform, so one draw per tick whatever the rate."""
    if lam <= 0.0:
        return 0
    k = 0
    prob = math.exp(-lam)
    cdf = prob
    while u > cdf and k < 1000:
        k += 1
        prob *= lam / k
        cdf += prob
    return k


def poisson_inverse_many(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """:func:`poisson_inverse` of each ``u`` and ``lam``, with the same arithmetic, at once."""
    prob = np.exp(-np.maximum(lam, 0.0))
    cdf = prob.copy()
    counts = np.zeros(len(u), dtype=np.int64)
    active = u > cdf
    k = 0
    while active.any() and k < 1000:
        k += 1
        prob = prob * (lam / k)
        cdf = cdf + prob
        counts += active
        active &= u > cdf
    return counts


def binomial_inverse(u: float, n: int, q: float) -> int:
    """Binomial(n, q) by inversion of one uniform."""
    if n <= 0 or q <= 0.0:
        return 0
    k = 0
    prob = (1.0 - q) ** n
    cdf = prob
    while u > cdf and k < n:
        prob *= (n - k) / (k + 1) * q / (1.0 - q)
        k += 1
        cdf += prob
    return k


def box_muller(u1: np.ndarray, u2: np.ndarray) -> np.ndarray:
    """Standard normals from two uniforms each (Box-Muller, cosine branch).

    Normals made from the table's uniforms keep every field of a record a plain uniform, so a
    table or an overflow block is one ``random`` call and its rows stay where they are whatever
    its length (numpy's normal sampler consumes a varying number of uniforms).
    """
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * math.pi * u2)  # log1p(-u): u < 1, safe


def normal_from(u1: float, u2: float) -> float:
    """One standard normal from two uniforms: :func:`box_muller` for a single record."""
    return math.sqrt(-2.0 * math.log1p(-u1)) * math.cos(2.0 * math.pi * u2)


class KeyedDraws:
    """One entity's uniforms, keyed by (tick, index within the tick, field).

    Indices below ``slots`` come from a table drawn once from ``stream(seed, purpose, entity)``
    (the common case, and fast); index ``slots + k`` at tick t is row k of
    ``stream(seed, overflow, entity, t)``. Row ``(t, j)`` is therefore the same in every run on
    the seed, however many records that tick or any other tick has: a shock that raises more
    records only reads further rows.

    Attributes:
        table: Array (steps, slots, fields) of uniforms.
    """

    __slots__ = ("entity", "fields", "overflow", "seed", "slots", "table")

    def __init__(
        self,
        seed: int,
        purpose: int,
        overflow: int,
        entity: int,
        steps: int,
        slots: int,
        fields: int,
    ) -> None:
        self.seed, self.overflow, self.entity = seed, overflow, entity
        self.slots, self.fields = slots, fields
        self.table = streams.stream(seed, purpose, entity).random((steps, slots, fields))

    def rows(self, tick: int, n: int) -> np.ndarray:
        """Rows ``0 .. n-1`` of ``tick``, shape (n, fields)."""
        if n <= self.slots:
            return self.table[tick, :n]
        return np.concatenate((self.table[tick], self._overflow_rows(tick, n)))

    def rows_for_counts(self, counts: np.ndarray) -> np.ndarray:
        """Rows ``0 .. counts[t]-1`` of every tick t, in tick then index order.

        Args:
            counts: Records per tick, one entry per tick of the table.

        Returns:
            Array (counts.sum(), fields).
        """
        capped = np.minimum(counts, self.slots)
        rows = self.table[np.arange(self.slots) < capped[:, None]]
        over = np.flatnonzero(counts > self.slots)
        if over.size == 0:
            return rows
        ends = np.cumsum(capped)  # where each tick's table rows end in ``rows``
        parts, start = [], 0
        for t in over.tolist():
            parts += [rows[start : ends[t]], self._overflow_rows(t, int(counts[t]))]
            start = ends[t]
        parts.append(rows[start:])
        return np.concatenate(parts)

    def _overflow_rows(self, tick: int, n: int) -> np.ndarray:
        """Rows ``slots .. n-1`` of ``tick``: one ``random`` call, so row k never depends on n."""
        rng = streams.stream(self.seed, self.overflow, self.entity, tick)
        return rng.random((n - self.slots, self.fields))
