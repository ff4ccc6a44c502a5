"""Shared helpers: small, fast models for the tests."""

from __future__ import annotations

import pytest

from sim.config.loaders import build_params, load_scenario, load_structure
from sim.model.model import ITLeadershipModel

STRUCTURES = ("single_cio", "cio_cto_split", "cio_cto_joint_architecture", "cio_with_coo")


def make_model(
    structure: str = "single_cio", scenario: str = "baseline", seed: int = 0, **overrides
) -> ITLeadershipModel:
    """A model ready to step (nothing run yet)."""
    scen = load_scenario(scenario)
    params = build_params(scen, overrides)
    return ITLeadershipModel(params, load_structure(structure), scen, seed, load_structure)


@pytest.fixture(params=STRUCTURES)
def structure_name(request) -> str:
    return request.param
