"""The default calibration as a procedure: simulated method of moments on the published patterns.

The defaults of the parameters in :data:`CALIBRATED` were first set by hand. This module makes
that a procedure anyone can rerun (McFadden 1989; for agent-based models, Grazzini & Richiardi
2015): the moments are the means over seeds of the pattern measures of
:data:`sim.analysis.calibration.PATTERNS` for the single-CIO baseline, the targets are the centres
of the published ranges, and each moment's distance is scaled by its range's half-width, so a
value at either edge of its range costs 1:

    J(theta) = sum_k ((m_k(theta) - centre_k) / half_width_k) ^ 2

Every evaluation uses the same seeds (common random numbers), so J is a smooth enough function
of theta for Nelder-Mead, searched on the log scale inside each parameter's plausible range.
:func:`profile` gives the fit's sensitivity: J and how many patterns stay inside as one
parameter moves and the others stay put. ``scripts/calibration.py`` runs both and writes
docs/calibration.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np

from sim.analysis.calibration import INDEPENDENT, PATTERNS, measure_run

# Parameter -> the patterns it was set by hand to reach (ODD sections 7.1, 7.2 and 7.4).
CALIBRATED: dict[str, str] = {
    "request_rate": "demand / capacity; lead times",
    "share_strategic": "run share; strategic lead time",
    "effort_strategic": "strategic lead time; late or failed",
    "planning_hours": "CIO non-technical share",
    "exhaustion_rise": "burnout share",
}
SCENARIO, STRUCTURE = "baseline", "single_cio"

Evaluate = Callable[[Mapping[str, float]], dict[str, Any]]


def distance(means: Mapping[str, float]) -> float:
    """J: the sum over patterns of the squared distance to the range centre in half-widths.

    A NaN moment (nothing to measure in any seed) costs as much as a value four half-widths
    out, so the search moves away from it without failing.
    """
    total = 0.0
    for column, (low, high, _pattern, _source) in PATTERNS.items():
        z = (means[column] - (low + high) / 2) / ((high - low) / 2)
        total += 16.0 if math.isnan(z) else z * z
    return total


def evaluator(pool: Executor, seeds: Sequence[int]) -> Evaluate:
    """A function from parameter overrides to the pattern moments over ``seeds``.

    Args:
        pool: Runs the replications (a process pool: :func:`measure_run` is importable).
        seeds: The common random numbers of every evaluation.

    Returns:
        ``evaluate(overrides)`` -> ``means`` (pattern -> mean over seeds), ``inside_all``
        (share of seeds inside every range), ``independent`` (pattern -> mean over seeds) and
        ``J``; results are cached by overrides.
    """
    cache: dict[tuple[tuple[str, float], ...], dict[str, Any]] = {}

    def evaluate(overrides: Mapping[str, float]) -> dict[str, Any]:
        key = tuple(sorted((k, float(v)) for k, v in overrides.items()))
        if key not in cache:
            jobs = [(SCENARIO, STRUCTURE, seed, dict(overrides)) for seed in seeds]
            rows = list(pool.map(measure_run, jobs))
            means = {c: _nanmean([r["patterns"][c] for r in rows]) for c in PATTERNS}
            inside = [
                all(PATTERNS[c][0] <= r["patterns"][c] <= PATTERNS[c][1] for c in PATTERNS)
                for r in rows
            ]
            cache[key] = {
                "means": means,
                "inside_all": float(np.mean(inside)),
                "independent": {
                    c: _nanmean([r["independent"][c] for r in rows]) for c in INDEPENDENT
                },
                "J": distance(means),
            }
        return cache[key]

    return evaluate


def _nanmean(values: Sequence[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return float(np.mean(finite)) if finite else math.nan


def inside_count(means: Mapping[str, float]) -> int:
    """How many pattern means lie inside their ranges."""
    return sum(PATTERNS[c][0] <= means[c] <= PATTERNS[c][1] for c in PATTERNS)


def profile(
    evaluate: Evaluate,
    defaults: Mapping[str, float],
    factors: Sequence[float] = (0.8, 0.9, 1.0, 1.1, 1.2),
) -> list[dict[str, Any]]:
    """J and the patterns inside as each calibrated parameter moves alone.

    Args:
        evaluate: From :func:`evaluator`.
        defaults: Calibrated parameter -> its default.
        factors: Multiples of the default to try.

    Returns:
        One row per parameter and factor: ``parameter``, ``factor``, ``value``, ``J``,
        ``inside`` (pattern means inside) and ``inside_all`` (share of seeds inside every range).
    """
    rows = []
    for name, default in defaults.items():
        for factor in factors:
            result = evaluate({name: default * factor} if factor != 1.0 else {})
            rows.append(
                {
                    "parameter": name,
                    "factor": factor,
                    "value": default * factor,
                    "J": result["J"],
                    "inside": inside_count(result["means"]),
                    "inside_all": result["inside_all"],
                }
            )
    return rows


def fit(
    evaluate: Evaluate,
    start: Mapping[str, float],
    bounds: Mapping[str, tuple[float, float]],
    max_evaluations: int = 40,
) -> dict[str, Any]:
    """Nelder-Mead on the log of the calibrated parameters, from ``start``, inside ``bounds``.

    Args:
        evaluate: From :func:`evaluator`.
        start: Parameter -> starting value (the defaults).
        bounds: Parameter -> (low, high) plausible range; a step outside is clipped to it.
        max_evaluations: Budget of evaluations of J.

    Returns:
        ``best`` (parameter -> value), ``J`` at it, ``evaluations`` used and ``path`` (J of every
        evaluation in order).
    """
    from scipy.optimize import minimize

    names = list(start)
    low = np.log([bounds[n][0] for n in names])
    high = np.log([bounds[n][1] for n in names])
    path: list[float] = []

    def point(x: np.ndarray) -> dict[str, float]:
        clipped = np.exp(np.clip(x, low, high))
        # Rounded to 4 significant figures: the fit's precision is far coarser, and a rounded
        # value is one a reader can type back in.
        return {n: float(f"{v:.4g}") for n, v in zip(names, clipped, strict=True)}

    def objective(x: np.ndarray) -> float:
        value = evaluate(point(x))["J"]
        path.append(value)
        return value

    x0 = np.log([start[n] for n in names])
    # A first simplex 10% away from the start along each parameter: the scale of the profiles.
    simplex = np.vstack(
        [x0] + [x0 + np.log(1.1) * np.eye(len(names))[i] for i in range(len(names))]
    )
    result = minimize(
        objective,
        x0,
        method="Nelder-Mead",
        options={
            "maxfev": max_evaluations,
            "initial_simplex": simplex,
            "xatol": 0.01,
            "fatol": 0.01,
        },
    )
    best = point(result.x)
    return {"best": best, "J": evaluate(best)["J"], "evaluations": len(path), "path": path}
