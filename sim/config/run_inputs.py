"""What one run is built from: its checked parameters, structure and scenario.

The one place where a scenario, a structure and overrides (parameters and ``structure.`` numbers)
become a run's inputs, for :func:`sim.experiments.run.build_model` and the Mesa-facing
:class:`sim.model.mesa_model.LeadershipModel` alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.config.loaders import build_params, load_scenario, load_structure
from sim.config.params import Params
from sim.config.scenario import Scenario
from sim.config.structure import Structure
from sim.config.structure_overrides import override_structure, split_overrides


def run_inputs(
    scenario: str | Path | Scenario,
    structure: str | Path | Structure,
    overrides: Mapping[str, Any],
    origin: str,
    *,
    shocks: bool = True,
) -> tuple[Params, Structure, Scenario]:
    """The checked inputs of one run.

    Args:
        scenario: A scenario name, path or loaded scenario.
        structure: A structure name, path or loaded structure.
        overrides: Parameters by name and structure numbers by ``structure.`` key.
        origin: Where the overrides came from, for messages (``"run() keyword"``).
        shocks: False drops the scenario's shocks (the no-shock counterfactual).

    Returns:
        The parameters, the structure with its numbers overridden, and the scenario.

    Raises:
        ConfigError: A file that does not load, or an override that does not check, naming it.
    """
    scen = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    struct = structure if isinstance(structure, Structure) else load_structure(structure)
    if not shocks:
        scen = scen.without_shocks()
    param_overrides, numbers = split_overrides(overrides)
    struct = override_structure(struct, numbers, origin)
    return build_params(scen, param_overrides, origin=origin), struct, scen
