"""The model in Mesa's own conventions: built from keywords, measured by a ``DataCollector``.

``mesa.batch_run`` and Mesa's ``SolaraViz`` build a model as ``model_cls(**kwargs)`` and read
``model.datacollector``; :class:`LeadershipModel` is :class:`~sim.model.model.ITLeadershipModel`
with exactly that face, for interoperability. It is the same model: the same inputs and seed step
through the same numbers as :func:`sim.run`. Research batches belong to itlead's own runner
(``itlead batch``), which streams tidy tables to disk instead of holding everything in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import mesa
import numpy as np
from mesa.experimental.scenarios import Scenario as MesaScenario

from sim.config.checks import show
from sim.config.loaders import load_structure
from sim.config.run_inputs import run_inputs
from sim.config.scenario import Scenario
from sim.config.structure import Structure
from sim.errors import ParameterError
from sim.model.model import ITLeadershipModel
from sim.model.recorder import TICK_METRICS

ORIGIN = "LeadershipModel keyword"


def _latest(name: str) -> Callable[[ITLeadershipModel], float]:
    """A reporter of the value measure ``name`` took on the tick just stepped."""

    def reporter(model: ITLeadershipModel) -> float:
        return model.recorder.by_tick[name][model.tick - 1]

    reporter.__name__ = name
    return reporter


def _last_tick(model: ITLeadershipModel) -> int:
    return model.tick - 1


#: The DataCollector's model reporters: the run's seed (so every batch_run row says which seed
#: made it), itlead's 0-based tick (Mesa's ``Step`` counts from 1), and every per-tick measure of
#: :data:`sim.model.recorder.TICK_METRICS`, read from the recorder, which has already computed it.
MODEL_REPORTERS: dict[str, str | Callable[[ITLeadershipModel], float]] = {
    "seed": "seed",
    "tick": _last_tick,
    **{name: _latest(name) for name in TICK_METRICS},
}


class LeadershipModel(ITLeadershipModel):
    """:class:`~sim.model.model.ITLeadershipModel` built from keyword parameters, as Mesa builds it.

    ``LeadershipModel(structure="cio_cto_split", scenario_name="incident_storm", rng=3,
    request_rate=0.9)`` is the model ``sim.run("incident_storm", structure="cio_cto_split",
    seed=3, request_rate=0.9)`` runs. Every value is checked as a scenario file's is, so a bad one
    is a :class:`~sim.errors.ConfigError` naming it.

    Args:
        structure: A structure name, a path to a structure file, or a loaded structure.
        scenario_name: An itlead scenario name, a path to a scenario file, or a loaded scenario.
            Not called ``scenario``: Mesa 3.5 keeps that keyword for its own
            ``mesa.experimental.scenarios.Scenario``, and SolaraViz's Reset passes one.
        rng: The root seed, an integer >= 0 (Mesa's name for it; ``mesa.batch_run`` passes
            ``rng`` because this signature has no ``seed``). None, what ``batch_run(iterations=n)``
            passes, draws a fresh seed; ``model.seed`` and the ``seed`` column record it.
        shocks: False runs the no-shock counterfactual on the same seed.
        overrides: Parameter values and structure numbers by dotted key, e.g.
            ``{"structure.roles.CTO.attention_hours": 6}``, which are not valid Python keywords.
        scenario: A Mesa Scenario, whose entries (other than ``rng``) count as parameters.
        **params: Parameter values by name (``itlead list`` shows them), e.g. ``steps=300``.

    Attributes:
        datacollector: One row per step of every per-tick measure, plus ``seed`` and ``tick``.
        running: False once ``steps`` ticks have run, so ``batch_run`` and SolaraViz stop.

    Raises:
        sim.errors.ConfigError: Unknown names, bad values, or files that do not load.
    """

    def __init__(
        self,
        *,
        structure: str | Path | Structure = "single_cio",
        scenario_name: str | Path | Scenario = "baseline",
        rng: int | None = None,
        shocks: bool = True,
        overrides: Mapping[str, Any] | None = None,
        scenario: MesaScenario | None = None,
        **params: Any,
    ) -> None:
        if scenario is not None:
            rng, params = _unpack_mesa_scenario(scenario, rng, params)
        seed = _root_seed(rng, params)
        values = dict(overrides or {}) | params
        inputs = run_inputs(scenario_name, structure, values, ORIGIN, shocks=shocks)
        super().__init__(*inputs, seed, structure_loader=load_structure)
        self.model_kwargs = {
            "structure": structure,
            "scenario_name": scenario_name,
            "rng": seed,
            "shocks": shocks,
            "overrides": values,
        }
        self.datacollector = mesa.DataCollector(model_reporters=MODEL_REPORTERS)

    def step(self) -> None:
        """One working day, then its measures into the DataCollector; stops after ``steps``."""
        super().step()
        self.datacollector.collect(self)
        self.running = self.tick < self.p.steps

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.model_kwargs.items())
        return f"LeadershipModel({shown})"


def _unpack_mesa_scenario(
    scenario: Any, rng: Any, params: dict[str, Any]
) -> tuple[Any, dict[str, Any]]:
    """``rng`` and ``params`` with a Mesa Scenario's seed and entries under them."""
    if not isinstance(scenario, MesaScenario):
        raise ParameterError(
            "scenario",
            f"{show(scenario)} is not a Mesa Scenario; name an itlead scenario with scenario_name=",
        )
    entries = {k: v for k, v in scenario if k != "rng"}
    return (scenario.rng if rng is None else rng), entries | params


def _root_seed(rng: Any, params: Mapping[str, Any]) -> int:
    """``rng`` as the model's root seed; None draws a fresh one from the operating system."""
    if "seed" in params:  # sim.run's name for it
        raise ParameterError("seed", "is not a keyword here; allowed rng=, Mesa's name for it")
    if rng is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer) or rng < 0:
        raise ParameterError(
            "rng", f"{show(rng)} is not a seed; allowed an integer >= 0, or None for a fresh one"
        )
    return int(rng)
