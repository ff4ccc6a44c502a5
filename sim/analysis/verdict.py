"""The verdict rule: when the paired runs say that one structure does better on an outcome.

One rule, used by the report, the CLI tables, the dashboard and the figures. A structure does
better on an outcome only when all three hold:

1. there are at least :data:`MIN_PAIRS` pairs (runs that share scenario, design point and
   replication, and so their seed);
2. the paired t-test of the differences is significant at :data:`ALPHA` after Holm's
   adjustment over the outcomes of one comparison (one scenario, one design cell, one structure
   against the reference), so that testing many outcomes does not manufacture wins;
3. the interval of the mean difference excludes zero.

The interval suits the sample: Student's t-interval below :data:`BCA_MIN_PAIRS` pairs, the
bias-corrected and accelerated bootstrap (BCa, seeded) from there on. A percentile bootstrap is
never used: on a handful of pairs it is too narrow (it ignores that the spread itself is
estimated). When the rule gives no verdict, :func:`pairs_needed` says roughly how many pairs a
difference of the size observed would need (80% power at the adjusted level).

A relative difference of a non-negative outcome is the ratio of the two means with an interval
on the log scale (delta method, paired), so it can never fall below -100%.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import stats

ALPHA = 0.05
LEVEL = 0.95
MIN_PAIRS = 10  # fewer pairs give no verdict, whatever the interval says
BCA_MIN_PAIRS = 20  # from here on the BCa bootstrap; below, the t-interval
POWER = 0.8  # for the pairs a reliable answer needs
MAX_PAIRS = 10_000  # pairs_needed reports "more than this" beyond it
N_RESAMPLES = 4999
BOOTSTRAP_SEED = 0

#: What a verdict row says when the rule gives no winner.
NOT_DISTINGUISHABLE = "not distinguishable"
TOO_FEW_PAIRS = "too few pairs"


def mean_interval(diff: np.ndarray, level: float = LEVEL) -> tuple[float, float, str]:
    """Interval of the mean of the paired differences, and the method that gave it.

    Returns:
        ``(low, high, method)`` with ``method`` ``"t"`` or ``"bca"``; NaNs (and ``""``) for
        fewer than two pairs. Differences that are all equal give the point itself.
    """
    diff = np.asarray(diff, dtype=float)
    n = len(diff)
    if n < 2:
        return math.nan, math.nan, ""
    mean = float(diff.mean())
    sd = float(diff.std(ddof=1))
    if sd == 0.0:
        return mean, mean, "t"
    if n < BCA_MIN_PAIRS:
        half = float(stats.t.ppf(0.5 + level / 2.0, n - 1)) * sd / math.sqrt(n)
        return mean - half, mean + half, "t"
    result = stats.bootstrap(
        (diff,),
        np.mean,
        confidence_level=level,
        n_resamples=N_RESAMPLES,
        method="BCa",
        rng=np.random.default_rng(BOOTSTRAP_SEED),
    )
    ci = result.confidence_interval
    return float(ci.low), float(ci.high), "bca"


def paired_p(diff: np.ndarray) -> float:
    """Two-sided p-value of the paired t-test (1 when every difference is zero)."""
    diff = np.asarray(diff, dtype=float)
    if len(diff) < 2:
        return math.nan
    if np.all(diff == diff[0]):
        return 1.0 if diff[0] == 0.0 else 0.0
    return float(stats.ttest_1samp(diff, 0.0).pvalue)


def wilcoxon_p(diff: np.ndarray) -> float:
    """Wilcoxon signed-rank p-value, a distribution-free check reported beside the t-test."""
    diff = np.asarray(diff, dtype=float)
    if len(diff) == 0:
        return math.nan
    if not np.any(diff != 0):
        return 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small-sample notes from scipy
        return float(stats.wilcoxon(diff, zero_method="wilcox").pvalue)


def ratio_interval(
    a: np.ndarray, b: np.ndarray, level: float = LEVEL
) -> tuple[float, float, float]:
    """Ratio of means ``mean(b) / mean(a)`` of paired non-negative values, with its interval.

    The log of the ratio has the paired delta-method variance ``var(b)/(n b^2) + var(a)/(n a^2)
    - 2 cov(a, b)/(n a b)`` (means in place of ``a`` and ``b``); the t-interval on that scale
    is taken back with ``exp``, so the interval stays positive.

    Returns:
        ``(ratio, low, high)``; NaNs when a value is negative, a mean is not positive or there
        are fewer than two pairs.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    n = len(a)
    if n < 2 or (a < 0).any() or (b < 0).any():
        return math.nan, math.nan, math.nan
    ma, mb = float(a.mean()), float(b.mean())
    if ma <= 0.0 or mb <= 0.0:
        return math.nan, math.nan, math.nan
    cov = np.cov(a, b, ddof=1)
    var = (cov[1, 1] / mb**2 + cov[0, 0] / ma**2 - 2.0 * cov[0, 1] / (ma * mb)) / n
    ratio = mb / ma
    half = float(stats.t.ppf(0.5 + level / 2.0, n - 1)) * math.sqrt(max(var, 0.0))
    return ratio, ratio * math.exp(-half), ratio * math.exp(half)


def pairs_needed(diff: np.ndarray, alpha: float = ALPHA, power: float = POWER) -> float:
    """Pairs a paired t-test needs to detect the observed mean difference (a planning figure).

    The observed difference and spread stand in for the true ones, so this is rough (and
    optimistic after a lucky draw). Iterates the t-based sample-size formula from its normal
    start. Returns ``inf`` when the differences are all zero or the answer exceeds
    :data:`MAX_PAIRS`, NaN for fewer than two pairs.
    """
    diff = np.asarray(diff, dtype=float)
    if len(diff) < 2:
        return math.nan
    mean, sd = abs(float(diff.mean())), float(diff.std(ddof=1))
    if mean == 0.0:
        return math.inf
    if sd == 0.0:
        return float(MIN_PAIRS)
    ratio = sd / mean
    n = ((stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)) * ratio) ** 2
    for _ in range(20):
        df = max(n, 2.0) - 1.0
        n_next = ((stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df)) * ratio) ** 2
        if abs(n_next - n) < 0.5:
            n = n_next
            break
        n = n_next
    n = max(float(math.ceil(n)), float(MIN_PAIRS))
    return math.inf if n > MAX_PAIRS else n


def holm(p_values) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values (family-wise error control; NaNs stay NaN)."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    order = valid[np.argsort(p[valid], kind="stable")]
    m = len(order)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return adjusted


def favours(
    n_pairs: int,
    p_adjusted: float,
    low: float,
    high: float,
    better: str,
    reference: str,
    other: str,
) -> str:
    """The structure the rule says does better, or ``""`` (see the module docstring).

    Args:
        n_pairs: Pairs behind the comparison.
        p_adjusted: The Holm-adjusted p-value of the paired t-test.
        low: Lower end of the interval of the mean difference ``other - reference``.
        high: Its upper end.
        better: ``"higher"`` or ``"lower"``: which direction of the outcome is better (``""``
            for an outcome with no better direction, which never gets a verdict).
        reference: The structure compared against.
        other: The structure compared.
    """
    if not better or n_pairs < MIN_PAIRS or not p_adjusted < ALPHA:
        return ""
    if not (low > 0.0 or high < 0.0):
        return ""
    other_higher = low > 0.0
    return other if other_higher == (better == "higher") else reference


def verdict_text(winner: str, n_pairs: int, needed: float) -> str:
    """The verdict in words: the winner, or why there is none and how many pairs would do."""
    if winner:
        return f"{winner} does better"
    if n_pairs < MIN_PAIRS:
        head = f"{TOO_FEW_PAIRS} ({n_pairs}; at least {MIN_PAIRS})"
    else:
        head = f"{NOT_DISTINGUISHABLE} with {n_pairs} pairs"
    if math.isnan(needed):
        return head
    if math.isinf(needed):
        return f"{head}; more than {MAX_PAIRS:,} pairs would be needed"
    if needed > n_pairs:
        return f"{head}; about {int(needed)} pairs for a reliable answer"
    return head
