"""Calibration: the default single-CIO organisation lands inside the published patterns.

Pattern-oriented modelling (Grimm et al. 2005): each pattern in MODEL.md is matched on the mean
over the seeds of ``scripts/validation.py``. The script writes the same comparison to
docs/validation.md, with the share of seeds inside each range, the capability trap and the
mechanism-activity tables; a test here checks that the document shows what the model does now.
The runs are made once per module, in the script's two-process pool.
"""

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.calibration import (
    MECHANISMS,
    PATTERNS,
    TRAP_FIREFIGHTING_RATIO,
    in_capability_trap,
    inside,
    is_inert,
    mechanism_events,
)
from tests.scripts import load_script


def _validation_script():
    return load_script("validation")


@pytest.fixture(scope="module")
def validation():
    return _validation_script()


@pytest.fixture(scope="module")
def results(validation):
    return validation.collect(workers=2)


@pytest.fixture(scope="module")
def document(validation):
    return validation.OUT.read_text(encoding="utf-8")


# Patterns the settled default misses on average (docs/validation.md, docs/calibration.md): the
# strategic lead time, about 140 ticks against at most 126, since the warm-up analysis (issue 20)
# stopped the summaries averaging the start-up transient. Strict: the mark fails the suite as
# soon as the pattern is reproduced again, so it cannot outlive the miss.
KNOWN_MISSES = {"lead_time_strategic_mean"}


@pytest.mark.slow
@pytest.mark.parametrize(
    "column",
    [
        pytest.param(
            c,
            marks=pytest.mark.xfail(
                strict=True, reason="a known miss of the calibration: docs/calibration.md"
            ),
        )
        if c in KNOWN_MISSES
        else c
        for c in PATTERNS
    ],
)
def test_default_organisation_reproduces_the_pattern(results, column):
    low, high, pattern, source = PATTERNS[column]
    values = [row["patterns"][column] for row in results["baseline", "single_cio"]]
    mean = sum(values) / len(values)
    assert low <= mean <= high, f"{pattern} ({source}): model {mean:.3f}, target {low}-{high}"


@pytest.mark.slow
def test_validation_uses_at_least_50_seeds(validation, results):
    assert len(validation.SEEDS) >= 50
    for structure in validation.STRUCTURES:
        assert len(results["baseline", structure]) == len(validation.SEEDS)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("structure", "heading"),
    [
        ("single_cio", "## Default single-CIO organisation against the targets"),
        ("cio_cto_split", "## CIO/CTO split, for reference"),
    ],
)
def test_document_reports_the_share_of_seeds_inside_each_range(
    results, document, structure, heading
):
    """Counted here from the raw summaries, not by the script's helpers, then found in its row."""
    section = document.partition(heading)[2]
    rows = results["baseline", structure]
    for column, (low, high, _pattern, _source) in PATTERNS.items():
        share = sum(low <= r["patterns"][column] <= high for r in rows) / len(rows)
        line = next(x for x in section.splitlines() if f"(`{column}`)" in x)
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert cells[5] == f"{100 * share:.0f}%", line


@pytest.mark.slow
def test_validation_document_is_current(validation, results, document):
    """Regenerate with `.venv/bin/python scripts/validation.py` when the model changes."""
    assert document == validation.render(results)


# --- The published-column rules the document reports with ---------------------------------------
def _ticks(unplanned_late: float, debt_late: float, steps: int = 750) -> pd.DataFrame:
    """A run whose firefighting share and debt step from 0.05 to the late values halfway.

    Halfway through the ticks after a 60-tick warm-up, so the step lies between the early and
    the late window however short the run is.
    """
    half = 60 + (steps - 60) // 2
    return pd.DataFrame(
        {
            "unplanned_share": np.r_[np.full(half, 0.05), np.full(steps - half, unplanned_late)],
            "debt_mean": np.r_[np.full(half, 0.05), np.full(steps - half, debt_late)],
        }
    )


def test_a_run_that_multiplies_its_firefighting_and_debt_has_tipped():
    assert in_capability_trap(_ticks(0.05 * TRAP_FIREFIGHTING_RATIO * 1.2, 0.6), warmup=60)


@pytest.mark.parametrize(
    ("unplanned", "debt"),
    [(0.05, 0.05), (0.07, 0.2), (0.2, 0.04)],
    ids=["flat", "mild rise", "debt fell"],
)
def test_a_run_that_holds_its_firefighting_or_pays_down_debt_has_not_tipped(unplanned, debt):
    assert not in_capability_trap(_ticks(unplanned, debt), warmup=60)


def test_the_trap_rule_works_on_a_short_run():
    assert in_capability_trap(_ticks(0.2, 0.6, steps=100), warmup=60)
    assert not in_capability_trap(_ticks(0.05, 0.05, steps=100), warmup=60)


def test_mechanism_events_count_after_the_warm_up_only():
    ticks = pd.DataFrame({column: np.ones(100) for column in MECHANISMS.values()})
    assert mechanism_events(ticks, warmup=60) == dict.fromkeys(MECHANISMS, 40.0)


def test_inert_means_rare_in_runs_or_in_time():
    assert is_inert(rate=0.0, run_share=0.0)
    assert is_inert(rate=5.0, run_share=0.05)
    assert is_inert(rate=0.01, run_share=1.0)
    assert not is_inert(rate=1.0, run_share=1.0)


def test_inside_is_false_for_nan():
    assert not inside("run_share", math.nan)
