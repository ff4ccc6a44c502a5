"""The plan of a batch: every run of an experiment, its seed and id, and the chunks it is cut into.

Everything here is a function of the experiment alone, so a resumed batch, a shard on another
node and a paired replication (:mod:`sim.experiments.replicate`) find the same runs, seeds, run
ids and chunks.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from typing import Any

import numpy as np

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
        seed: Root seed (the same for every structure and scenario of a point and replication).
        overrides: Parameter overrides: constants, then the point's values.
    """

    index: int
    run_id: str
    point: int
    replication: int
    scenario: str
    structure: str
    seed: int
    overrides: tuple[tuple[str, Any], ...]


def derive_seed(master_seed: int, point: int, replication: int) -> int:
    """The root seed of a replication: ``SeedSequence(master)`` spawned by point and replication.

    Structures and scenarios are not part of the key, so they meet the same demand, shocks and
    market (common random numbers) and pair by replication.
    """
    words = np.random.SeedSequence(master_seed, spawn_key=(point, replication)).generate_state(2)
    return (int(words[0]) << 32 | int(words[1])) & (2**63 - 1)


def _run_id(scenario: str, structure: str, seed: int, overrides: dict[str, Any]) -> str:
    text = json.dumps(
        {"scenario": scenario, "structure": structure, "seed": seed, "overrides": overrides},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def plan_runs(experiment: Experiment) -> list[RunSpec]:
    """Every run of ``experiment``, in canonical order: point, replication, scenario, structure."""
    runs = []
    constants = dict(experiment.constants)
    if experiment.steps is not None:
        constants["steps"] = experiment.steps
    for p, point in enumerate(experiment.points()):
        overrides = constants | point
        for r in range(experiment.replications):
            seed = derive_seed(experiment.master_seed, p, r)
            for scenario in experiment.scenarios:
                for structure in experiment.structures:
                    runs.append(
                        RunSpec(
                            index=len(runs),
                            run_id=_run_id(scenario, structure, seed, overrides),
                            point=p,
                            replication=r,
                            scenario=scenario,
                            structure=structure,
                            seed=seed,
                            overrides=tuple(sorted(overrides.items())),
                        )
                    )
    return runs


def chunk_size(n_runs: int) -> int:
    """Runs per chunk: a function of the batch size only, so resumes find the same chunks."""
    return max(1, min(MAX_CHUNK, math.ceil(n_runs / 64)))


def chunks(runs: list[RunSpec]) -> list[list[RunSpec]]:
    """The runs cut into chunks of :func:`chunk_size`."""
    size = chunk_size(len(runs))
    return [runs[i : i + size] for i in range(0, len(runs), size)]
