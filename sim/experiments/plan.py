"""The plan of a batch: every run of an experiment, its seed and id, and the chunks it is cut into.

Everything here is a function of the experiment alone, so a resumed batch, a shard on another
node and a paired replication (:mod:`sim.experiments.replicate`) find the same runs, seeds, run
ids and chunks.

The seed rule (:func:`seed_streams`, then :func:`derive_seed`):

- Every design: structures and scenarios are not part of a seed, so within a point replication
  ``r`` of every structure under every scenario meets the same random numbers.
- Sensitivity designs (``morris``, ``sobol``): common random numbers wherever the analysis takes
  a difference. SALib's estimators difference points within one Morris trajectory or one
  Saltelli block; there a run's seed depends on its replication and on the dummy factor's value
  (:data:`sim.experiments.design.DUMMY`), never on the point's parameters, so the elementary
  effect of a parameter the model does not read is exactly zero, and a step of the dummy
  re-draws the random numbers, so the dummy's index is the seed noise (the floor). Different
  trajectories or blocks get independent random numbers: the indices average over them and the
  bootstrap resamples them, which needs their noise to be independent.
- Every other design (``runs``, ``full_factorial``, ``latin_hypercube``, ``csv``): a point has its
  own seeds. Stored batches, the claims tests and the crossover documents were made this way.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from typing import Any

import numpy as np

from sim.config.checks import plain
from sim.config.loaders import load_structure
from sim.config.structure import Structure
from sim.config.structure_overrides import (
    check_structure_keys,
    is_structure_key,
    overrides_for,
)
from sim.experiments.design import DUMMY, SENSITIVITY_KINDS, block_size
from sim.experiments.spec import Experiment

MAX_CHUNK = 25  # runs per chunk at most: bounds memory per worker and work lost to a kill


@dataclasses.dataclass(frozen=True, slots=True)
class RunSpec:
    """One run of a batch: everything needed to repeat it exactly.

    Attributes:
        index: Position in the batch's canonical order.
        run_id: Hash of the run's inputs.
        point: Design point index.
        replication: Replication index.
        scenario: Scenario name or path.
        structure: Structure name or path.
        seed: Root seed (the same for every structure and scenario of a point and replication;
            in a Morris or Sobol design also for the points of a trajectory or Saltelli block
            that share the dummy's value).
        overrides: Parameter overrides: constants, then the point's values; of the structure
            numbers (``structure.`` keys) only those this run's structure has.
    """

    index: int
    run_id: str
    point: int
    replication: int
    scenario: str
    structure: str
    seed: int
    overrides: tuple[tuple[str, Any], ...]


def derive_seed(master_seed: int, stream: int, replication: int) -> int:
    """The root seed of a replication: ``SeedSequence(master)`` spawned by stream and replication.

    Structures and scenarios are not part of the key, so they meet the same demand, shocks and
    market (common random numbers) and pair by replication.

    Args:
        master_seed: The experiment's ``master_seed``.
        stream: The point's random-number stream (:func:`seed_streams`): the point index, or in
            a Morris or Sobol design the number of its (trajectory or block, dummy value).
        replication: The replication index.
    """
    words = np.random.SeedSequence(master_seed, spawn_key=(stream, replication)).generate_state(2)
    return (int(words[0]) << 32 | int(words[1])) & (2**63 - 1)


def seed_streams(experiment: Experiment, points: list[dict[str, Any]]) -> list[int]:
    """The random-number stream of every design point (the rule in the module docstring).

    Args:
        experiment: The experiment.
        points: Its points with the dummy (``experiment.points(dummy=True)``).

    Returns:
        One stream per point. Sensitivity designs: one stream per (trajectory or Saltelli block,
        dummy value), numbered in order of first appearance, so the points of a trajectory or
        block that differ only in real parameters share it. Other designs: the point's index
        (each point its own seeds, as batches were always made).
    """
    if experiment.design.kind not in SENSITIVITY_KINDS:
        return list(range(len(points)))
    block = block_size(experiment)
    numbers: dict[tuple[int, float], int] = {}
    return [
        numbers.setdefault((p // block, pt[DUMMY]), len(numbers)) for p, pt in enumerate(points)
    ]


def _run_id(scenario: str, structure: str, seed: int, overrides: dict[str, Any]) -> str:
    text = json.dumps(
        {"scenario": scenario, "structure": structure, "seed": seed, "overrides": overrides},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def plan_runs(experiment: Experiment) -> list[RunSpec]:
    """Every run of ``experiment``, in canonical order: point, replication, scenario, structure.

    Seeds follow the module's seed rule (common random numbers across the points of a Morris or
    Sobol design, the point's own seeds otherwise).

    Override values are plain Python numbers (numpy scalars converted), so run ids do not depend
    on how a point was made. A run receives only the structure numbers its structure has, so its
    run id and recorded overrides say what it ran with.

    Raises:
        sim.errors.ConfigError: If a structure number is in none of the experiment's structures.
    """
    runs = []
    constants = dict(experiment.constants)
    if experiment.steps is not None:
        constants["steps"] = experiment.steps
    design = experiment.points(dummy=True)
    streams = seed_streams(experiment, design)
    points = [{k: plain(v) for k, v in (constants | pt).items() if k != DUMMY} for pt in design]
    loaded = _structures(experiment, points)
    for p, overrides in enumerate(points):
        for r in range(experiment.replications):
            seed = derive_seed(experiment.master_seed, streams[p], r)
            for scenario in experiment.scenarios:
                for structure in experiment.structures:
                    own = overrides_for(loaded[structure], overrides) if loaded else overrides
                    runs.append(
                        RunSpec(
                            index=len(runs),
                            run_id=_run_id(scenario, structure, seed, own),
                            point=p,
                            replication=r,
                            scenario=scenario,
                            structure=structure,
                            seed=seed,
                            overrides=tuple(sorted(own.items())),
                        )
                    )
    return runs


def _structures(experiment: Experiment, points: list[dict[str, Any]]) -> dict[str, Structure]:
    """The experiment's structures by reference when a point names a structure number, else {}.

    Only then are the files read, so planning an experiment without structure numbers stays a
    function of the experiment alone. The keys are checked here as well as when a file is loaded,
    because a comparison or the dashboard builds its experiment in code.
    """
    keys = {k for point in points for k in point if is_structure_key(k)}
    if not keys:
        return {}
    loaded = {ref: load_structure(ref) for ref in experiment.structures}
    where = "overrides" if experiment.source == "<built-in>" else experiment.source
    check_structure_keys({k: k for k in sorted(keys)}, list(loaded.values()), where)
    return loaded


def chunk_size(n_runs: int) -> int:
    """Runs per chunk: a function of the batch size only, so resumes find the same chunks."""
    return max(1, min(MAX_CHUNK, math.ceil(n_runs / 64)))


def chunks(runs: list[RunSpec]) -> list[list[RunSpec]]:
    """The runs cut into chunks of :func:`chunk_size`."""
    size = chunk_size(len(runs))
    return [runs[i : i + size] for i in range(0, len(runs), size)]
