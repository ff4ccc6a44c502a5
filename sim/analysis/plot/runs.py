"""What the charts read from a batch, and the summaries their bands and captions report.

A batch's ok runs, its manifest and the choices it offers (with a :class:`ParameterError` naming
the caller's parameter for a value it does not offer); means with t-intervals; counts of runs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.errors import ConfigError, ParameterError, did_you_mean
from sim.model.outcomes import HEADLINE


def ok_runs(batch: Any) -> pd.DataFrame:
    """The runs of ``batch`` that finished.

    Args:
        batch: A :class:`~sim.experiments.store.BatchResult`.

    Returns:
        Its rows of ``runs`` with status ``ok``.

    Raises:
        ConfigError: The batch holds no runs, or none of them finished.
    """
    runs = batch.runs
    if not len(runs):
        raise ConfigError(f"{batch.folder}: holds no runs; allowed: a finished batch folder")
    ok = runs[runs["status"] == "ok"]
    if not len(ok):
        raise ConfigError(f"{batch.folder}: every run failed; allowed: a batch with ok runs")
    return ok


def manifest(batch: Any) -> dict[str, Any]:
    """The batch's ``manifest.json``, parsed."""
    return json.loads((Path(batch.folder) / "manifest.json").read_text())


def choose(parameter: str, value: str | None, allowed: Sequence[str], default: str | None) -> str:
    """``value`` if the batch allows it, or ``default`` when ``value`` is None.

    Args:
        parameter: The calling function's parameter that ``value`` came from, for the error.
        value: The value asked for, or None for the default.
        allowed: The values the batch offers.
        default: The value when none is asked for (None: a value is required).

    Returns:
        The value to use.

    Raises:
        ParameterError: ``value`` is not allowed, or is None without a default.
    """
    allowed = list(dict.fromkeys(allowed))
    choices = ", ".join(allowed) or "none (the batch offers no candidate)"
    if value is None:
        if default is None:
            raise ParameterError(parameter, f"a value is required here; allowed {choices}")
        return default
    if value not in allowed:
        hint = did_you_mean(value, allowed)
        raise ParameterError(
            parameter,
            f"{value!r} is not in the batch; allowed {choices}" + (f" ({hint})" if hint else ""),
        )
    return value


def outcome_columns(runs: pd.DataFrame) -> list[str]:
    """The numeric run-summary columns of ``runs`` (not ids, seeds or parameters)."""
    skip = {"run_id", "run_index", "point", "replication", "scenario", "structure", "seed"}
    skip |= {"status"}
    return [
        c
        for c in runs.columns
        if c not in skip and not c.startswith("param.") and pd.api.types.is_numeric_dtype(runs[c])
    ]


def default_outcome(batch: Any, runs: pd.DataFrame) -> str:
    """The experiment's first outcome that ``runs`` hold (else ``value_delivered``)."""
    outcomes = manifest(batch).get("spec", {}).get("outcomes") or list(HEADLINE)
    return next((o for o in outcomes if o in runs), "value_delivered")


def t_interval(values: pd.core.groupby.SeriesGroupBy) -> pd.DataFrame:
    """Mean, 95% t-interval and n of each group (no interval for n < 2).

    Args:
        values: One column of a grouped frame.

    Returns:
        One row per group with columns ``mean``, ``n``, ``ci_low`` and ``ci_high``.
    """
    out = values.agg(["mean", "std", "count"])
    half = stats.t.ppf(0.975, (out["count"] - 1).clip(lower=1)) * out["std"] / np.sqrt(out["count"])
    half[out["count"] < 2] = np.nan
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    return out.drop(columns="std").rename(columns={"count": "n"})


def n_text(counts: pd.Series) -> str:
    """``n = 6``, or ``n = 4-6`` when the counts differ."""
    values = sorted(set(int(v) for v in counts))
    return f"n = {values[0]}" if len(values) == 1 else f"n = {values[0]}-{values[-1]}"


def runs_text(runs: pd.DataFrame) -> str:
    """How ``runs`` were drawn: ``6 seeded replications``, ``4 design points x 2 replications``."""
    points = runs["point"].nunique()
    reps = runs["replication"].nunique()
    if points > 1:
        return f"{points} design points x {reps} replications"
    return f"{reps} seeded replications"
