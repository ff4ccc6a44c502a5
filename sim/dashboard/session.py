"""Running a dashboard set-up: both structures on every seed, with views published as they go.

A run goes through the project's one runner of paired replications,
:func:`sim.experiments.replicate.paired_replications`, on the very files the page offers for
download (the scenario and both structure files), so the dashboard's numbers are those of
``itlead compare-structures`` on them. A :class:`RunControl` pauses, steps and stops a run, as
SolaraViz's play, pause and step do. Nothing here needs Solara.
"""

from __future__ import annotations

import dataclasses
import itertools
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.plot.timeseries_chart import SMOOTH, trajectory_band
from sim.analysis.stats import paired_comparison
from sim.dashboard.export import file_names, scenario_toml, structure_toml
from sim.dashboard.form import Setup
from sim.experiments.replicate import Observer, Progress, paired_replications

INCREMENT = 25  # ticks each structure steps between views (and per press of Step)

# (css id, per-tick measure) of each chart; titles, units and styles come from the paper figures.
CHARTS: tuple[tuple[str, str], ...] = (
    ("chart-lead-time", "lead_time_change"),
    ("chart-value", "value_delivered"),
    ("chart-trust", "business_trust_mean"),
    ("chart-exec-utilisation", "exec_utilisation_mean"),
    ("chart-exec-exhaustion", "exec_exhaustion"),
    ("chart-incidents", "incidents_open"),
    ("chart-debt", "debt_mean"),
)
CHART_MEASURES = tuple(measure for _, measure in CHARTS)
_RUN_NUMBERS = itertools.count(1)
Series = dict[str, dict[str, np.ndarray]]  # structure -> measure -> values per tick
Window = tuple[str, int, int]  # (shock kind, first tick, end tick exclusive)


class RunControl:
    """Play, pause, step and stop for a run in another thread.

    The run calls :meth:`wait` after each increment; it blocks while the run is paused (until
    :meth:`resume`, :meth:`step` or :meth:`stop`) and says whether to stop.
    """

    def __init__(self, paused: bool = False) -> None:
        self._changed = threading.Condition()
        self._paused = paused
        self._stopped = False
        self._retired = False
        self._steps = 0  # increments allowed through while paused
        self._showing = threading.Lock()  # held while a view of this run goes on the page

    @property
    def paused(self) -> bool:
        """Whether the run waits after its current increment."""
        return self._paused

    @property
    def stopped(self) -> bool:
        """Whether the run has been told to stop."""
        return self._stopped

    def _update(self, **state: object) -> None:
        with self._changed:
            for name, value in state.items():
                setattr(self, f"_{name}", value)
            self._changed.notify_all()

    def pause(self) -> None:
        """Hold the run after its current increment."""
        self._update(paused=True)

    def resume(self) -> None:
        """Let a paused run go on."""
        self._update(paused=False)

    def step(self) -> None:
        """Let a paused run go on by one increment, then hold it again."""
        with self._changed:  # read and written under the lock: two quick presses are two steps
            self._steps += 1
            self._changed.notify_all()

    def stop(self) -> None:
        """End the run at its next increment (it returns, and shows, what it has finished)."""
        self._update(stopped=True)

    def retire(self) -> None:
        """Stop the run and keep it off the page: a new run, or a reset, has replaced it.

        Waits for a view being shown through :meth:`show` to finish: once this returns, the run
        changes the page no more, so what the caller shows next stays.
        """
        with self._showing:
            self._update(stopped=True, retired=True)

    def show(self, show: Callable[[], None]) -> bool:
        """Call ``show`` unless the run has been retired; whether it was called."""
        with self._showing:
            if self._retired:
                return False
            show()
            return True

    def _go(self) -> bool:
        """Whether the run may go on (or must stop) now; consumes a step. Hold the lock."""
        if self._stopped or not self._paused:
            return True
        if self._steps:
            self._steps -= 1
            return True
        return False

    def wait(self, on_hold: Callable[[], None] | None = None) -> bool:
        """Block while paused; True when the run must stop.

        Args:
            on_hold: Called once, outside the lock, before the run is held (to show it paused:
                a pause pressed after the run last showed itself would otherwise never show).
        """
        while True:
            with self._changed:
                if self._go():
                    return self._stopped
                if on_hold is None:
                    self._changed.wait_for(lambda: self._stopped or not self._paused or self._steps)
                    continue
            on_hold()
            on_hold = None


class LatestView:
    """The newest view of a run, handed from the thread that runs to the one that draws.

    The two threads share one interpreter lock, so the run waits while the page draws (drawing
    beside a running model took four times as long, and the page fell behind by whole seeds):
    :meth:`put` waits until the last view taken has been drawn (:meth:`drawn`) and then replaces
    any view not yet taken; :meth:`take` gives the newest.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._view: RunView | None = None
        self._drawing = False
        self._closed = False

    def put(self, view: RunView) -> None:
        """Offer ``view`` once the page has drawn the last one, replacing one not yet taken."""
        with self._changed:
            while self._drawing and not self._closed:
                self._changed.wait()
            self._view = view
            self._changed.notify_all()

    def close(self) -> None:
        """No more views will come (or none will be drawn: the page has gone)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def take(self) -> RunView | None:
        """Wait for a view not taken yet and return it; None once closed and all are taken."""
        with self._changed:
            self._changed.wait_for(lambda: self._view is not None or self._closed)
            view, self._view = self._view, None
            self._drawing = view is not None
            return view

    def drawn(self) -> None:
        """The view last taken is on the page: the run may go on."""
        with self._changed:
            self._drawing = False
            self._changed.notify_all()


@dataclass(eq=False, slots=True)
class RunView:
    """What the page shows of a run; a new object for every update (identity is its equality).

    Attributes:
        status: ``idle``, ``running``, ``paused``, ``stopped``, ``done`` or ``error``.
        setup: The set-up running or run.
        tick: Ticks done by both structures in the replication running.
        steps: Ticks in a run.
        warmup: Ticks of warm-up (left out of the summaries).
        live: Per structure and measure, the values so far of the first replication, while it
            runs (the charts draw it until a replication has finished).
        finished: Per finished replication, per structure and measure, the whole run.
        windows: The shocks of the first replication: ``(kind, start, end)``.
        summaries: One summary row per structure and finished replication, when done.
        comparison: :func:`sim.analysis.stats.paired_comparison` of them (more than one seed).
        message: A line for people (progress or the error).
        first_points: Seconds from Run to the first chart points.
        elapsed: Seconds from Run to now (or to the end).
        run: This run's number in the process (0 before any): tells its views from another's.
    """

    status: str = "idle"
    setup: Setup | None = None
    tick: int = 0
    steps: int = 0
    warmup: int = 0
    live: Series = field(default_factory=dict)
    finished: tuple[Series, ...] = ()
    windows: tuple[Window, ...] = ()
    summaries: pd.DataFrame | None = None
    comparison: pd.DataFrame | None = None
    message: str = ""
    first_points: float | None = None
    elapsed: float = 0.0
    run: int = 0

    @property
    def replications_done(self) -> int:
        """Replications finished so far."""
        return len(self.finished)


def write_files(setup: Setup, folder: Path) -> tuple[Path, tuple[Path, Path]]:
    """Write the set-up's scenario and structure files (the downloads) into ``folder``."""
    names = file_names(setup)
    scenario = folder / names["scenario"]
    scenario.write_text(scenario_toml(setup), encoding="utf-8")
    paths = []
    for side, key in enumerate(("a", "b")):
        path = folder / names[key]
        path.write_text(structure_toml(setup, side), encoding="utf-8")
        paths.append(path)
    return scenario, (paths[0], paths[1])


def _replicate(setup: Setup, observe: Observer, increment: int) -> pd.DataFrame:
    """The paired replications of ``setup``, run on the files the page offers for download."""
    with tempfile.TemporaryDirectory(prefix="itlead-dashboard-") as folder:
        scenario, structures = write_files(setup, Path(folder))
        return paired_replications(
            scenario,
            [str(s) for s in structures],
            replications=setup.seeds,
            master_seed=setup.seed,
            observe=observe,
            observe_every=increment,
        )


def _series(progress: Progress) -> Series:
    """Every chart measure of every model, over the ticks run so far."""
    return {
        model.initial_structure.name: {
            m: model.recorder.series(m, progress.tick) for m in CHART_MEASURES
        }
        for model in progress.models
    }


def run_setup(
    setup: Setup,
    publish: Callable[[RunView], None],
    control: RunControl | None = None,
    increment: int = INCREMENT,
    min_interval: float = 0.0,
) -> RunView:
    """Run both structures on every seed, publishing a view after each increment.

    The set-up runs as the files the page offers for download, through
    :func:`sim.experiments.replicate.paired_replications` with ``setup.seed`` as the master seed:
    the same runs, seeds and numbers as ``itlead compare-structures`` on those files. The two
    structures step side by side, ``increment`` ticks at a time.

    Args:
        setup: A checked set-up.
        publish: Called with every new view (from the thread that runs).
        control: Pauses, steps and stops the run; None runs it through.
        increment: Ticks between views.
        min_interval: Seconds at least between published views while running (the page's
            charts take a moment to draw); a finished seed, a pause and a resume always are.

    Returns:
        The final view (also published): ``done``, or ``stopped`` with the replications finished
        by then.
    """
    started = time.perf_counter()
    _, params = setup.build()  # checked before any run
    control = control or RunControl()
    view = RunView("running", setup, 0, params.steps, params.warmup, run=next(_RUN_NUMBERS))
    first_points: list[float] = []
    last_published = -float("inf")
    last_status = ""

    def observe(progress: Progress) -> bool:
        nonlocal view, last_published, last_status
        if control.stopped:
            if progress.tick == progress.steps:  # this seed's rows are kept: so is its chart
                view = dataclasses.replace(view, finished=(*view.finished, _series(progress)))
            return True
        elapsed = time.perf_counter() - started
        first_points[:1] = first_points[:1] or [elapsed]
        changes: dict[str, object] = {"tick": progress.tick, "elapsed": elapsed}
        if progress.replication == 0:
            changes["live"] = _series(progress)
            changes["windows"] = tuple(
                (e.kind, e.start, e.end) for e in progress.models[0].timeline.events
            )
        if progress.tick == progress.steps:
            changes["finished"] = (*view.finished, _series(progress))
        status = "paused" if control.paused else "running"
        seed = min(progress.replication + 1, setup.seeds)
        where = f"seed {seed} of {setup.seeds}, tick {progress.tick} of {progress.steps}"
        changes["message"] = f"{status}: {where}"
        view = dataclasses.replace(view, status=status, first_points=first_points[0], **changes)
        # Paused or resumed, a step while paused, a seed done: shown at once.
        news = status != last_status or control.paused or "finished" in changes
        if news or elapsed - last_published >= min_interval:
            last_published, last_status = elapsed, status
            publish(view)

        def hold() -> None:  # paused since the view above was made: show it paused
            nonlocal view, last_status
            if last_status != "paused":
                view = dataclasses.replace(view, status="paused", message=f"paused: {where}")
                last_status = "paused"
                publish(view)

        return control.wait(hold)

    runs = _replicate(setup, observe, increment)
    elapsed = time.perf_counter() - started
    finished = runs["replication"].nunique() if len(runs) else 0
    # A stopped run's finished seeds are compared too: the answer says whether they suffice.
    comparison = paired_comparison(runs, setup.labels[0]) if finished > 1 else None
    if control.stopped:
        message = f"stopped after {finished} of {setup.seeds} seed(s)"
    else:
        message = f"finished {setup.seeds} seed(s) in {elapsed:.1f} s"
    view = dataclasses.replace(
        view,
        status="stopped" if control.stopped else "done",
        summaries=runs if len(runs) else None,
        comparison=comparison,
        message=message,
        elapsed=elapsed,
    )
    publish(view)
    return view


def chart_frame(view: RunView, measure: str, smooth: int = SMOOTH) -> pd.DataFrame:
    """What a chart draws: per structure and tick, the mean over seeds and its 95% interval.

    The finished replications when there are any, else the first one as far as it has run,
    summarised as the paper's time-series figures summarise a batch
    (:func:`sim.analysis.plot.timeseries_chart.trajectory_band`).

    Args:
        view: A run's view.
        measure: A per-tick measure of :data:`CHART_MEASURES`.
        smooth: Ticks of the trailing mean (1: none).

    Returns:
        Columns ``structure``, ``tick``, ``mean``, ``n``, ``ci_low`` and ``ci_high`` (no interval
        below two seeds), as :func:`sim.analysis.plot.runs.t_interval` gives them, the interval
        clipped to the range the measure can take; empty before the first points.
    """
    runs = view.finished or ((view.live,) if view.live else ())
    if not runs:
        return pd.DataFrame(columns=["structure", "tick", "mean", "n", "ci_low", "ci_high"])
    ticks = pd.concat(
        pd.DataFrame(
            {"run_id": f"{run}:{structure}", "structure": structure}  # one id per run
            | {"tick": np.arange(len(values[measure]))}
            | {measure: np.asarray(values[measure], dtype=float)}
        )
        for run, series in enumerate(runs)
        for structure, values in series.items()
    )
    return trajectory_band(ticks, measure, smooth)
