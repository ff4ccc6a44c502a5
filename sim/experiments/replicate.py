"""Paired replications: several structures on one scenario, seed by seed, without a batch folder.

This is the one way itlead runs structures side by side. The runs are planned by the batch's own
:func:`sim.experiments.batch.plan_runs`, so a replication's seed is the batch's
(``SeedSequence(master_seed)`` spawned by point and replication) and every structure meets the
same demand, shocks and market on it (common random numbers). Each run is turned into its row by
the batch's own code, so ``itlead compare-structures``, the dashboard and a batch of the same
experiment give the same numbers, and :func:`sim.analysis.stats.paired_comparison` reads all three.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ParameterError
from sim.experiments.batch import RunSpec, execute_run, plan_runs, run_row
from sim.experiments.run import build_model, collect_result
from sim.experiments.spec import Experiment
from sim.model.model import ITLeadershipModel


@dataclass(frozen=True, slots=True)
class Progress:
    """Where paired replications stand, handed to an observer while they run.

    Attributes:
        replication: Index of the replication running (0 is the first).
        replications: Replications in all.
        tick: Ticks every structure of this replication has run.
        steps: Ticks in a run.
        structures: The structures, in the order asked for.
        models: Their models, stepped to ``tick`` (read them; do not step them).
    """

    replication: int
    replications: int
    tick: int
    steps: int
    structures: tuple[str, ...]
    models: tuple[ITLeadershipModel, ...]


Observer = Callable[[Progress], bool | None]


def replication_experiment(
    scenario: str | Path,
    structures: Sequence[str],
    *,
    replications: int,
    master_seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
) -> Experiment:
    """The one-point experiment whose batch holds exactly these paired replications.

    Args:
        scenario: A scenario name or path.
        structures: Structure names or paths; the first is the usual reference.
        replications: Seeded replications (at least 1).
        master_seed: Root of every replication's seed.
        overrides: Parameter overrides applied to every run.

    Raises:
        ParameterError: Fewer than two or repeated structures, or fewer than one replication.
    """
    names = tuple(str(s) for s in structures)
    if len(names) < 2:
        raise ParameterError(
            "structures", f"{list(names)} names fewer than two; allowed two or more distinct names"
        )
    if len(set(names)) < len(names):
        raise ParameterError(
            "structures", f"{list(names)} names a structure twice; allowed distinct names"
        )
    if replications < 1:
        raise ParameterError("replications", f"{replications} is out of range; allowed 1 or more")
    return Experiment(
        name="paired_replications",
        scenarios=(str(scenario),),
        structures=names,
        constants=tuple(sorted((overrides or {}).items())),
        replications=replications,
        master_seed=master_seed,
    )


def paired_replications(
    scenario: str | Path,
    structures: Sequence[str],
    *,
    replications: int,
    master_seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    workers: int = 1,
    observe: Observer | None = None,
    observe_every: int = 25,
) -> pd.DataFrame:
    """Run every structure on every replication of one scenario, paired by seed.

    Args:
        scenario: A scenario name or path.
        structures: Structure names or paths (at least two, distinct).
        replications: Seeded replications.
        master_seed: Root of every replication's seed, as in an experiment file.
        overrides: Parameter overrides applied to every run (checked like a scenario file's).
        workers: Processes (1 runs in this process). The rows do not depend on it.
        observe: Called with a :class:`Progress` every ``observe_every`` ticks of every
            replication, and at its end; a true return value stops the runs, and only the
            replications finished by then are returned. Needs ``workers == 1``.
        observe_every: Ticks between calls of ``observe``.

    Returns:
        One row per run, exactly as a batch's ``runs`` table holds it: ``run_id``, ``point``,
        ``replication``, ``scenario``, ``structure``, ``seed``, ``param.*``, ``status`` and every
        summary outcome, ordered by replication, then structure.

    Raises:
        ParameterError: Bad structures, replications or workers, or ``observe`` with workers.
        sim.errors.ConfigError: A scenario, structure or override that does not load.
    """
    experiment = replication_experiment(
        scenario,
        structures,
        replications=replications,
        master_seed=master_seed,
        overrides=overrides,
    )
    specs = plan_runs(experiment)
    if workers < 1:
        raise ParameterError("workers", f"{workers} is out of range; allowed 1 or more")
    if observe is not None:
        if workers != 1:
            raise ParameterError("workers", f"{workers}: watching runs needs them in one process")
        if observe_every < 1:
            raise ParameterError(
                "observe_every", f"{observe_every} is out of range; allowed 1 or more"
            )
        return _watched(specs, experiment, observe, observe_every)
    if workers == 1:
        rows = [execute_run(spec)["runs"] for spec in specs]
    else:
        context = multiprocessing.get_context("spawn")  # safe from notebooks and threads
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            rows = [out["runs"] for out in pool.map(execute_run, specs)]
    return pd.concat(rows, ignore_index=True)


def _watched(
    specs: list[RunSpec], experiment: Experiment, observe: Observer, every: int
) -> pd.DataFrame:
    """Each replication's structures stepped side by side, with ``observe`` called as they go."""
    n = len(experiment.structures)
    rows: list[pd.DataFrame] = []
    for r in range(experiment.replications):
        group = specs[r * n : (r + 1) * n]
        models = tuple(
            build_model(s.scenario, structure=s.structure, seed=s.seed, **dict(s.overrides))
            for s in group
        )
        steps = models[0].p.steps
        stopped = False
        while models[0].tick < steps and not stopped:
            todo = min(every, steps - models[0].tick)
            for model in models:
                for _ in range(todo):
                    model.step()
            tick = models[0].tick
            progress = Progress(
                r, experiment.replications, tick, steps, experiment.structures, models
            )
            stopped = bool(observe(progress))
        if models[0].tick == steps:
            rows += [run_row(s, collect_result(m)) for s, m in zip(group, models, strict=True)]
        if stopped:
            break
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
