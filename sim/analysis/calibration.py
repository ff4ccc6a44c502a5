"""Calibration targets: the published patterns the default single-CIO organisation should reproduce.

Pattern-oriented modelling (Grimm et al. 2005): the default calibration is judged by whether the
model lands inside several independent, published ranges at once, not by fitting one number.
MODEL.md lists the patterns; this module maps each to the run-summary column that measures it
(:func:`sim.model.outcomes.summarise`). The calibration test and ``scripts/validation.py`` both read
:data:`PATTERNS`, so the targets cannot differ between what is checked and what is documented.

Ranges are matched on the mean over seeds of the default single-CIO baseline, not per seed.
"""

from __future__ import annotations

# Summary column -> (low, high, pattern, source). Bounds are inclusive.
PATTERNS: dict[str, tuple[float, float, str, str]] = {
    "cio_nontechnical_share": (
        0.5,
        0.8,
        "CIO time on non-technical work (people, stakeholders, strategy), share of attention",
        "SIM 2009 (76%); Gartner CIO Agenda 2015 (<40% running IT)",
    ),
    "run_share": (
        0.55,
        0.80,
        "Share of IT capacity spent running the business (service, incidents, upkeep)",
        "Gartner 2006 run/grow/transform",
    ),
    "demand_capacity_ratio": (
        0.9,
        1.2,
        "Demand / capacity of IT operations (chronic mild overload)",
        "IT ticket surveys (about 1.18)",
    ),
    "burnout_share": (
        0.35,
        0.45,
        "IT staff at high burnout risk",
        "Yerbo 2022 (2 in 5 of 36,200)",
    ),
    "lead_time_change_mean": (
        1.0,
        30.0,
        "Change lead time, ticks (days to weeks)",
        "DORA 2021 (medium performers)",
    ),
    "lead_time_strategic_mean": (
        21.0,
        126.0,
        "Strategic work lead time, ticks (1-6 months)",
        "DORA 2021 (medium performers)",
    ),
    "strategic_late_or_failed": (
        0.45,
        0.80,
        "Strategic projects late or failed",
        "Standish CHAOS 2015-2020",
    ),
}


def inside(column: str, value: float) -> bool:
    """Whether ``value`` lies inside the target range of pattern ``column`` (bounds inclusive).

    Args:
        column: A key of :data:`PATTERNS`.
        value: The model's value (normally the mean over seeds).

    Returns:
        True when ``low <= value <= high``; False for NaN.
    """
    low, high, _pattern, _source = PATTERNS[column]
    return low <= value <= high
