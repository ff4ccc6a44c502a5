"""The Python API: one plain function that runs the model and returns tidy tables.

``sim.run("incident_storm", structure="cio_cto_split", seed=3, request_rate=0.9)`` is all a
notebook, an experiment tool or the command line needs. Keyword overrides are checked exactly like
scenario files, so a typo is a clear :class:`sim.errors.ConfigError`, never a silent default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.config.loaders import load_structure
from sim.config.params import Params
from sim.config.run_inputs import run_inputs
from sim.config.scenario import Scenario
from sim.config.structure import Structure
from sim.model.model import ITLeadershipModel
from sim.model.outcomes import summarise


@dataclass(frozen=True, slots=True)
class RunResult:
    """What one run produced. Every table carries the inputs that made it.

    Attributes:
        ticks: One row per tick: every measure of :data:`sim.model.recorder.TICK_METRICS`.
        executives: One row per executive role per tick: load, time per activity, queue.
        summary: One row: outcomes after the warm-up.
        events: One row per shock or intervention occurrence.
        params: The parameters that ran.
    """

    ticks: pd.DataFrame
    executives: pd.DataFrame
    summary: pd.DataFrame
    events: pd.DataFrame
    params: Params


def run(
    scenario: str | Scenario = "baseline",
    *,
    structure: str | Structure = "single_cio",
    seed: int = 0,
    steps: int | None = None,
    shocks: bool = True,
    **overrides: Any,
) -> RunResult:
    """Run one replication.

    Args:
        scenario: A scenario name, a path to a scenario file, or a loaded :class:`Scenario`.
        structure: A structure name, a path to a structure file, or a loaded :class:`Structure`.
        seed: Root seed; the same inputs and seed give identical tables.
        steps: Ticks to run (default: the scenario's ``steps``).
        shocks: False runs the no-shock counterfactual on the same seed.
        **overrides: Parameter overrides, e.g. ``request_rate=0.9``, and numbers of the structure
            by dotted key, e.g. ``**{"structure.roles.CTO.attention_hours": 6}`` (see
            :mod:`sim.config.structure_overrides`; they change the starting structure only, not
            the target of a restructure). Numpy scalars are accepted as the numbers they hold.

    Returns:
        The run's tables.

    Raises:
        sim.errors.ConfigError: Unknown names, bad values, or files that do not load.
    """
    if steps is not None:
        overrides["steps"] = steps
    model = build_model(scenario, structure=structure, seed=seed, shocks=shocks, **overrides)
    model.run()
    return collect_result(model)


def build_model(
    scenario: str | Scenario = "baseline",
    *,
    structure: str | Structure = "single_cio",
    seed: int = 0,
    shocks: bool = True,
    **overrides: Any,
) -> ITLeadershipModel:
    """The model :func:`run` would run, built and not yet stepped (arguments as for :func:`run`).

    For callers that step the model themselves, for example to watch it tick by tick; stepped
    to the end and passed to :func:`collect_result`, it gives exactly :func:`run`'s tables.
    A ``structure.`` key the structure does not have is an error naming the structure.
    """
    params, struct, scen = run_inputs(
        scenario, structure, overrides, "run() keyword", shocks=shocks
    )
    return ITLeadershipModel(params, struct, scen, seed, structure_loader=load_structure)


def collect_result(model: ITLeadershipModel) -> RunResult:
    """Turn a finished model into a :class:`RunResult`."""
    scenario, structure = model.scenario_spec, model.initial_structure
    p = model.p
    ticks = model.recorder.tick_columns(model.tick)
    executives = model.recorder.executive_columns()
    shock_ticks = [e.start for e in model.timeline.events if e.kind == "theme_reweighting"]
    outcomes = summarise(
        ticks,
        executives,
        model.demand.delivered_log,
        model.portfolio.funded_log,
        model.demand.totals,
        model.open_requests(),
        warmup=min(p.warmup, model.tick),
        steps=model.tick,
        market_shock=shock_ticks[0] if shock_ticks else None,
    )
    inputs = {"scenario": scenario.name, "structure": structure.name, "seed": model.seed}
    summary = pd.DataFrame([inputs | outcomes])
    events = pd.DataFrame(
        [
            inputs
            | {
                "kind": e.kind,
                "start": e.start,
                "end": e.end,
                "magnitude": e.magnitude,
                "detail": e.detail,
            }
            for e in model.timeline.events
        ],
        columns=[*inputs, "kind", "start", "end", "magnitude", "detail"],
    )
    return RunResult(
        ticks=with_inputs(ticks, inputs),
        executives=with_inputs(executives, inputs),
        summary=summary,
        events=events,
        params=p,
    )


def with_inputs(table: Mapping[str, Any], inputs: dict[str, Any]) -> pd.DataFrame:
    """``table`` (a frame or columns by name) with ``inputs`` repeated as its first columns."""
    columns = {name: np.asarray(values) for name, values in table.items()}
    n = len(next(iter(columns.values())))
    repeated = {
        name: np.full(n, value, dtype=object if isinstance(value, str) else None)
        for name, value in inputs.items()
    }
    return pd.DataFrame(repeated | columns)
