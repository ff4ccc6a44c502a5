"""Shared helpers: small, fast models for the tests."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from sim.config.loaders import build_params, load_scenario, load_structure
from sim.config.scenario import Scenario
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


#: The warm-up of the tests' short runs: the default before it grew to 550 ticks.
SHORT_WARMUP = 60

#: How far the shipped scenarios' shocks and interventions moved when the warm-up grew from 60
#: to 500 ticks (so they still come after it).
EVENT_SHIFT = 440

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"


def early(scenario: str) -> Scenario:
    """Shipped ``scenario`` with its events ``EVENT_SHIFT`` ticks earlier, for short runs."""
    scen = load_scenario(scenario)

    def moved(event):
        at = None if event.at is None else event.at - EVENT_SHIFT
        if getattr(event, "window", None) is None:
            return dataclasses.replace(event, at=at)
        first, last = event.window
        return dataclasses.replace(event, window=(first - EVENT_SHIFT, last - EVENT_SHIFT))

    return dataclasses.replace(
        scen,
        shocks=tuple(moved(s) for s in scen.shocks),
        interventions=tuple(moved(v) for v in scen.interventions),
    )


def write_early(scenario: str, folder: Path) -> Path:
    """Write ``folder/<scenario>.toml``: the shipped file with its events as in :func:`early`."""
    text = (SCENARIO_DIR / f"{scenario}.toml").read_text(encoding="utf-8")
    text = re.sub(r"^at = (\d+)", lambda m: f"at = {int(m[1]) - EVENT_SHIFT}", text, flags=re.M)
    path = folder / f"{scenario}.toml"
    path.write_text(text, encoding="utf-8")
    return path
