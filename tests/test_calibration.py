"""Calibration: the default single-CIO organisation lands inside the published patterns.

Pattern-oriented modelling (Grimm et al. 2005): each pattern in MODEL.md is matched on the mean
over 20 seeds. ``scripts/validation.py`` writes the same comparison to docs/validation.md, and a
test here checks that the document shows what the model does now.
"""

import importlib.util
from pathlib import Path

import pytest

from sim.analysis.calibration import PATTERNS

ROOT = Path(__file__).resolve().parent.parent


def _validation_script():
    spec = importlib.util.spec_from_file_location("validation", ROOT / "scripts" / "validation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def validation():
    return _validation_script()


@pytest.fixture(scope="module")
def results(validation):
    return {
        structure: [validation.run_one((structure, seed)) for seed in validation.SEEDS]
        for structure in validation.STRUCTURES
    }


@pytest.mark.parametrize("column", list(PATTERNS))
def test_default_organisation_reproduces_the_pattern(results, column):
    low, high, pattern, source = PATTERNS[column]
    values = [row[column] for row in results["single_cio"]]
    mean = sum(values) / len(values)
    assert low <= mean <= high, f"{pattern} ({source}): model {mean:.3f}, target {low}-{high}"


def test_validation_document_is_current(validation, results):
    """Regenerate with `.venv/bin/python scripts/validation.py` when the model changes."""
    assert validation.OUT.read_text() == validation.render(results)
