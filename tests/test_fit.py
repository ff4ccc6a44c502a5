"""The calibration procedure: its distance, its search, and docs/calibration.md against the code."""

from __future__ import annotations

import math
import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor

import pytest

from sim.analysis import fit
from sim.analysis.calibration import PATTERNS
from tests.scripts import load_script


def _centres(**moved: float) -> dict[str, float]:
    means = {c: (low + high) / 2 for c, (low, high, _p, _s) in PATTERNS.items()}
    return means | moved


def test_the_distance_is_zero_at_the_centres_and_one_per_pattern_at_an_edge():
    assert fit.distance(_centres()) == 0
    column = next(iter(PATTERNS))
    low, high = PATTERNS[column][:2]
    assert fit.distance(_centres(**{column: high})) == pytest.approx(1)
    assert fit.distance(_centres(**{column: low})) == pytest.approx(1)
    assert fit.distance(_centres(**{column: math.nan})) == 16


def test_the_search_finds_the_minimum_of_a_known_bowl():
    target = {"request_rate": 0.9, "planning_hours": 0.1}

    def evaluate(point):
        return {"J": sum(math.log(point.get(k, 1.0) / v) ** 2 for k, v in target.items())}

    result = fit.fit(
        evaluate,
        {"request_rate": 0.8, "planning_hours": 0.08},
        {"request_rate": (0.4, 1.6), "planning_hours": (0.04, 0.16)},
        max_evaluations=200,
    )
    for name, value in target.items():
        assert result["best"][name] == pytest.approx(value, rel=0.02)


def test_the_search_stays_inside_the_plausible_range():
    def evaluate(point):
        return {"J": -math.log(point["request_rate"])}  # better ever higher

    result = fit.fit(evaluate, {"request_rate": 0.8}, {"request_rate": (0.4, 1.0)}, 60)
    assert result["best"]["request_rate"] <= 1.0


@pytest.mark.slow
def test_the_stored_distance_at_the_defaults_is_what_the_code_gives():
    script = load_script("calibration")
    stored = script.DOC.read_text(encoding="utf-8")
    j_default = float(re.search(r"J at the defaults: \*\*([0-9.]+)\*\*", stored).group(1))
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        result = fit.evaluator(pool, script.SEEDS)({})
    assert round(result["J"], 2) == j_default, "regenerate: .venv/bin/python scripts/calibration.py"
