"""Draws by inversion: one uniform gives one count, so a rate change never shifts later draws.

numpy's Poisson and binomial samplers consume a varying number of uniforms per draw; inverting a
single pre-drawn uniform keeps every other draw of a stream where it was (common random numbers).
"""

from __future__ import annotations

import math

import numpy as np


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
