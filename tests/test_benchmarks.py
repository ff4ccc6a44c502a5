"""The benchmark scripts still run against the current package.

They are measurements, kept out of the test suite's timing, but they import the model's internals
(the recorder, parameters), so a refactor can break them silently. These tests run the cheap
parts: the mesa.batch_run adapter and the single-run benchmark's smoke mode.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.model.recorder import TICK_METRICS

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def bench_batch():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import bench_batch

        yield bench_batch
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_mesa_adapter_collects_every_tick_measure_of_the_recorder(bench_batch):
    steps = 6
    model = bench_batch.AdapterModel(structure="cio_cto_split", seed=3, steps=steps, warmup=0)
    while model.running:
        model.step()
    collected = model.datacollector.get_model_vars_dataframe()
    assert len(collected) == steps
    assert list(collected.columns) == list(TICK_METRICS)
    for name in TICK_METRICS:
        np.testing.assert_array_equal(
            collected[name].to_numpy(dtype=float), model.recorder.series(name, steps), err_msg=name
        )


def test_single_run_benchmark_smoke_mode_completes():
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_run.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "itlead / Boltzmann" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
