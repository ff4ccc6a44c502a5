"""Regenerate the stored results the back-test compares against: tests/data/backtest.csv.

Run it only when a change to the model is meant to change results, and say so in the commit:
``.venv/bin/python scripts/regenerate_backtest.py``. The test (tests/test_backtest.py) re-runs the
same cases and requires identical numbers.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import sim

# (scenario, structure, seed): every structure and every kind of shock at least once, each at the
# default run length, so that every shipped shock falls inside the run, after the warm-up.
CASES = (
    ("baseline", "single_cio", 0),
    ("incident_storm", "cio_cto_split", 1),
    ("market_shock", "cio_cto_joint_architecture", 2),
    ("combined_shocks", "cio_with_coo", 3),
    ("restructure_to_split", "single_cio", 4),
    ("staff_loss", "cio_cto_split", 5),
    ("decision_overload", "single_cio_with_deputy", 6),
)
OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "backtest.csv"


def backtest_frame() -> pd.DataFrame:
    """The summaries of every case, one row each."""
    frames = []
    for scenario, structure, seed in CASES:
        result = sim.run(scenario, structure=structure, seed=seed)
        frames.append(result.summary.assign(steps=result.params.steps))
    return pd.concat(frames, ignore_index=True)


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    backtest_frame().to_csv(OUT, index=False)
    print(f"wrote {OUT}")
