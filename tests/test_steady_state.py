"""The warm-up analysis: MSER-5 and the drift rule on known series, and the shipped default.

The slow tests re-run ``scripts/steady_state.py``'s baseline runs (seeds 0-19, both structures)
and fail when the default warm-up no longer leaves the settling measures flat, or when
docs/steady_state.md no longer matches what the code produces.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis import steady_state as ss
from sim.config.params import Params
from tests.scripts import load_script


def _runs(make, seeds: int = 12, length: int = 800) -> dict[str, list[pd.DataFrame]]:
    """Structure -> per-tick tables of every measure, from ``make(rng, ticks)``.

    Each run also gets its own level, as seeds of the model differ in level, not only in daily
    noise; the drift rule measures drift against that spread.
    """
    rng = np.random.default_rng(0)
    ticks = np.arange(length)
    tables = []
    for _ in range(seeds):
        column = make(rng, ticks) + rng.normal(0, 0.1)
        tables.append(pd.DataFrame({m: column for m in ss.SETTLING + ss.SLOW}))
    return {"a": tables}


def _transient(rng, ticks):
    """A level that rises to 1 with a 40-tick time constant, plus noise."""
    return 1 - np.exp(-ticks / 40) + rng.normal(0, 0.1, len(ticks))


def test_mser_truncates_a_transient_near_its_end():
    rng = np.random.default_rng(1)
    ticks = np.arange(1000)
    mean = np.mean([_transient(rng, ticks) for _ in range(20)], axis=0)
    # After 5 time constants (200 ticks) the level is within 1% of 1; MSER cuts about there.
    assert 80 <= ss.mser(mean) <= 250


def test_mser_keeps_a_flat_series_almost_whole():
    rng = np.random.default_rng(2)
    assert ss.mser(rng.normal(0, 1, 1000)) < 100


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=0, max_size=300))
def test_mser_is_a_batch_boundary_in_the_first_half(values):
    point = ss.mser(values)
    assert point % ss.BATCH == 0
    assert point <= max(len(values) // 2, 0)


def test_a_flat_ensemble_passes_and_a_trend_fails_the_drift_rule():
    flat = ss.drift_table(_runs(lambda rng, t: rng.normal(1, 0.1, len(t))), warmup=0)
    assert flat["within_tolerance"].all()
    trend = ss.drift_table(_runs(lambda rng, t: t / 800 + rng.normal(0, 0.1, len(t))), warmup=0)
    assert not trend["within_tolerance"].any()


def test_the_rule_waits_for_a_transient_to_end():
    runs = _runs(_transient, length=1200)
    warmup = ss.settled_warmup(runs, window=600)
    # The transient's remainder, e^(-w/40), moves a 600-tick window by about 40/300 of it: more
    # than a quarter of the seeds' spread (0.1) before w = 50, far less after 150.
    assert warmup is not None and 50 <= warmup <= 150
    cut = {s: [t.iloc[: warmup + 600] for t in ts] for s, ts in runs.items()}
    assert ss.drift_table(cut, warmup)["within_tolerance"].all()


def test_no_warmup_fits_when_the_runs_are_shorter_than_the_window():
    assert ss.settled_warmup(_runs(_transient, length=300), window=400) is None


def test_the_default_warmup_and_steps_leave_750_measured_ticks():
    p = Params()
    assert p.steps - p.warmup == 750


@pytest.fixture(scope="module")
def script():
    return load_script("steady_state")


@pytest.fixture(scope="module")
def runs(script):
    return script.collect(workers=2)


@pytest.mark.slow
def test_the_baseline_is_flat_after_the_default_warmup(runs):
    p = Params()
    cut = {s: [t.iloc[: p.steps] for t in tables] for s, tables in runs.items()}
    table = ss.drift_table(cut, p.warmup, ss.SETTLING)
    moving = table.loc[~table["within_tolerance"], ["structure", "measure", "drift_sd"]]
    assert moving.empty, f"still drifting after the {p.warmup}-tick warm-up:\n{moving}"
    assert ss.settled_warmup(runs, p.steps - p.warmup) <= p.warmup


@pytest.mark.slow
def test_the_stored_document_is_what_the_code_produces(script, runs):
    stored = script.DOC.read_text(encoding="utf-8")
    assert script.markdown(runs) == stored, "regenerate: .venv/bin/python scripts/steady_state.py"
