"""Structure comparison over seeded replications, without a batch (`itlead compare-structures`).

Each seed is one replication; every structure meets the same demand, shocks and market on it
(common random numbers), so structures are compared as pairs, seed by seed.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from sim.api import run

# Outcomes the comparison table shows, with the direction that is better.
HEADLINE = {
    "lead_time_change_mean": "lower",
    "lead_time_strategic_mean": "lower",
    "strategic_late_or_failed": "lower",
    "value_delivered": "higher",
    "strategic_alignment": "higher",
    "business_trust_mean": "higher",
    "blind_spot": "lower",
    "unplanned_share": "lower",
    "debt_mean": "lower",
    "burnout_share": "lower",
    "exec_utilisation_max": "lower",
    "exec_exhaustion": "lower",
    "exec_turnover": "lower",
    "decision_latency": "lower",
    "hidden_work_share": "lower",
    "shadow_share": "lower",
    "it_cost": "lower",
}


def _summary(job: tuple[str, str, int, dict[str, Any]]) -> pd.DataFrame:
    scenario, structure, seed, overrides = job
    return run(scenario, structure=structure, seed=seed, **overrides).summary


def run_replications(
    scenario: str,
    structures: Sequence[str],
    seeds: Sequence[int],
    overrides: dict[str, Any] | None = None,
    workers: int = 1,
) -> pd.DataFrame:
    """Summaries of every structure on every seed, in a fixed order whatever ``workers`` is."""
    jobs = [(scenario, s, seed, dict(overrides or {})) for seed in seeds for s in structures]
    if workers <= 1:
        frames = [_summary(job) for job in jobs]
    else:
        context = multiprocessing.get_context("spawn")  # safe from notebooks and threads
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            frames = list(pool.map(_summary, jobs))
    return pd.concat(frames, ignore_index=True)


def paired_table(
    summaries: pd.DataFrame, reference: str, other: str, *, seed: int = 0, n_boot: int = 2000
) -> pd.DataFrame:
    """Mean of each headline outcome per structure and the paired difference ``other - reference``.

    The 95% interval is a percentile bootstrap over replications (seeded, so reproducible).
    """
    from sim.analysis import bootstrap_ci  # analysis reads HEADLINE from here

    a = summaries[summaries["structure"] == reference].set_index("seed")
    b = summaries[summaries["structure"] == other].set_index("seed")
    common = a.index.intersection(b.index)
    rows = []
    for outcome, better in HEADLINE.items():
        diff = (b.loc[common, outcome] - a.loc[common, outcome]).dropna().to_numpy()
        low, high = bootstrap_ci(diff, n_boot=n_boot, seed=seed)
        rows.append(
            {
                "outcome": outcome,
                "better": better,
                reference: float(a.loc[common, outcome].mean()),
                other: float(b.loc[common, outcome].mean()),
                "difference": float(diff.mean()) if len(diff) else np.nan,
                "ci_low": low,
                "ci_high": high,
                "n": len(diff),
            }
        )
    return pd.DataFrame(rows)
