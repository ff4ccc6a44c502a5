"""Running a dashboard set-up: both structures on every seed, with views published as they go.

A run goes through the project's one runner of paired replications,
:func:`sim.experiments.replicate.paired_replications`, on the scenario file Export would write, so
the dashboard's numbers are those of ``itlead compare-structures`` on that file. Nothing here
needs Solara.
"""

from __future__ import annotations

import dataclasses
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.stats import paired_comparison
from sim.dashboard.export import scenario_toml
from sim.dashboard.form import Setup
from sim.experiments.replicate import Observer, Progress, paired_replications

INCREMENT = 25  # ticks each structure steps between chart updates
ROLLING = 20  # ticks in the rolling mean of lead time

ChartSpec = tuple[str, str, str, str]
CHARTS: tuple[ChartSpec, ...] = (
    # (css id, title, measure, how it is drawn)
    ("chart-lead-time", f"Lead time of changes ({ROLLING}-tick mean)", "lead_time_change", "roll"),
    ("chart-value", "Value delivered (cumulative)", "value_delivered", "cumsum"),
    ("chart-trust", "Business trust in IT", "business_trust_mean", "raw"),
    ("chart-exec-utilisation", "Executive utilisation (mean)", "exec_utilisation_mean", "raw"),
    ("chart-exec-exhaustion", "Executive exhaustion (mean)", "exec_exhaustion", "raw"),
    ("chart-incidents", "Incidents open", "incidents_open", "raw"),
    ("chart-debt", "Technical debt (mean per team)", "debt_mean", "raw"),
)
CHART_MEASURES = tuple(dict.fromkeys(c[2] for c in CHARTS))


@dataclass(eq=False, slots=True)
class RunView:
    """What the page shows of a run; a new object for every update (identity is its equality).

    Attributes:
        status: ``idle``, ``running``, ``done`` or ``error``.
        setup: The set-up running or run.
        tick: Ticks done by both structures in the first replication.
        steps: Ticks in a run.
        series: Per structure, per measure: the values of ticks ``0..tick-1`` (first seed).
        summaries: One summary row per structure and replication, when finished.
        comparison: :func:`sim.analysis.stats.paired_comparison` of them (more than one seed).
        message: A line for people (progress or the error).
        first_points: Seconds from Run to the first chart points.
        elapsed: Seconds from Run to now (or to the end).
    """

    status: str = "idle"
    setup: Setup | None = None
    tick: int = 0
    steps: int = 0
    series: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    summaries: pd.DataFrame | None = None
    comparison: pd.DataFrame | None = None
    message: str = ""
    first_points: float | None = None
    elapsed: float = 0.0


def _replicate(setup: Setup, observe: Observer, increment: int) -> pd.DataFrame:
    """The paired replications of ``setup``, run on the scenario file Export would write.

    Args:
        setup: A checked set-up.
        observe: Called every ``increment`` ticks of every replication; True stops the runs.
        increment: Ticks between calls of ``observe``.

    Returns:
        One summary row per structure and replication.
    """
    with tempfile.TemporaryDirectory(prefix="itlead-dashboard-") as folder:
        path = Path(folder) / f"{setup.scenario}_dashboard.toml"
        path.write_text(scenario_toml(setup), encoding="utf-8")
        return paired_replications(
            path,
            setup.structures,
            replications=setup.seeds,
            master_seed=setup.seed,
            observe=observe,
            observe_every=increment,
        )


def run_setup(
    setup: Setup,
    publish: Callable[[RunView], None],
    cancel: threading.Event | None = None,
    increment: int = INCREMENT,
) -> RunView:
    """Run both structures on every seed, publishing a view after each increment of the first.

    The set-up runs as the scenario file Export would write, through
    :func:`sim.experiments.replicate.paired_replications` with ``setup.seed`` as the master seed:
    the same runs, seeds and numbers as ``itlead compare-structures`` on that file. The two
    structures step side by side, ``increment`` ticks at a time; the charts follow the first
    replication.

    Args:
        setup: A checked set-up.
        publish: Called with every new view (from the thread that runs).
        cancel: When set, the run stops at the next increment.
        increment: Ticks between views.

    Returns:
        The final view (also published); when cancelled, the last view published.
    """
    started = time.perf_counter()
    _, params = setup.build()  # checked before any run
    view = RunView("running", setup, 0, params.steps)
    first_points: list[float] = []

    def observe(progress: Progress) -> bool:
        nonlocal view
        if cancel is not None and cancel.is_set():
            return True
        elapsed = time.perf_counter() - started
        if progress.replication == 0:
            first_points[:1] = first_points[:1] or [elapsed]
            series = {
                name: {m: model.recorder.series(m, progress.tick) for m in CHART_MEASURES}
                for name, model in zip(progress.structures, progress.models, strict=True)
            }
            message = f"tick {progress.tick} of {progress.steps}"
            view = RunView("running", setup, progress.tick, progress.steps, series)
        elif progress.tick < progress.steps:
            return False
        if progress.tick == progress.steps and setup.seeds > 1:
            message = f"seed {progress.replication + 1} of {setup.seeds} done"
        view = dataclasses.replace(
            view, message=message, first_points=first_points[0], elapsed=elapsed
        )
        publish(view)
        return False

    runs = _replicate(setup, observe, increment)
    if cancel is not None and cancel.is_set():
        return view
    comparison = paired_comparison(runs, setup.structures[0]) if setup.seeds > 1 else None
    elapsed = time.perf_counter() - started
    view = dataclasses.replace(
        view,
        status="done",
        summaries=runs,
        comparison=comparison,
        message=f"finished {setup.seeds} seed(s) in {elapsed:.1f} s",
        elapsed=elapsed,
    )
    publish(view)
    return view


def chart_values(view: RunView, chart: ChartSpec) -> dict[str, np.ndarray]:
    """The values a chart draws, per structure (rolling mean or cumulative sum where it says)."""
    _, _, measure, how = chart
    out = {}
    for name, series in view.series.items():
        values = series[measure]
        if how == "roll":
            values = pd.Series(values).rolling(ROLLING, min_periods=1).mean().to_numpy()
        elif how == "cumsum":
            values = np.nancumsum(values)
        out[name] = np.asarray(values, dtype=float)
    return out
