"""ODD 7.10: shocks and interventions, turned into a timeline before the run starts.

Every random element of a shock (a drawn start tick, the new theme weights of a market shock) is
drawn here, from the shock stream, before tick 0. The model then only reads the timeline, so both
structures in a replication meet identical shocks, and removing the shocks leaves every other
stream untouched: the no-shock run on the same seed is the exact counterfactual.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.config.params import Params
from sim.config.scenario import InterventionSpec, Scenario, ShockSpec


@dataclass(frozen=True, slots=True)
class ShockEvent:
    """One occurrence of a shock or intervention: active for ticks ``start <= t < end``."""

    kind: str
    start: int
    end: int
    magnitude: float
    detail: str = ""


@dataclass(slots=True)
class Timeline:
    """Per-tick multipliers and one-off events the model reads while it runs.

    Attributes:
        incident_mult: Multiplier of every team's incident rate.
        demand_mult: Multiplier of every unit's request rate (surges and demand-level changes).
        turbulence_mult: Multiplier of the market's theme drift.
        feedback_hours: Executive hours per tick of a feedback programme.
        debt_floor: Least improvement share of platform teams (debt-reduction push).
        staff_loss: Tick -> fraction of IT staff who leave at once.
        reweight: Tick -> (fraction re-drawn, new theme weights).
        restructure: Tick -> name of the structure to switch to.
        events: Everything above as a list, for the events table.
    """

    incident_mult: np.ndarray
    demand_mult: np.ndarray
    turbulence_mult: np.ndarray
    feedback_hours: np.ndarray
    debt_floor: np.ndarray
    staff_loss: dict[int, float] = field(default_factory=dict)
    reweight: dict[int, tuple[float, np.ndarray]] = field(default_factory=dict)
    restructure: dict[int, str] = field(default_factory=dict)
    events: list[ShockEvent] = field(default_factory=list)


def _starts(spec: ShockSpec, rng: np.random.Generator) -> list[int]:
    if spec.at is not None:
        return [spec.at + r * spec.every for r in range(spec.repeat)]
    first, last = spec.window  # type: ignore[misc]  # the loader guarantees one of the two
    return sorted(int(rng.integers(first, last + 1)) for _ in range(spec.repeat))


def build_timeline(scenario: Scenario, params: Params, rng: np.random.Generator) -> Timeline:
    """Draw the scenario's shocks and lay them and its interventions out over the run.

    Args:
        scenario: The scenario (its shocks and interventions are read, not its params).
        params: The run's parameters (steps, number of themes, theme concentration).
        rng: The shock stream; read only when a shock needs a random element.

    Returns:
        The timeline; events starting at or after ``params.steps`` are dropped.
    """
    n = params.steps
    tl = Timeline(
        incident_mult=np.ones(n),
        demand_mult=np.ones(n),
        turbulence_mult=np.ones(n),
        feedback_hours=np.zeros(n),
        debt_floor=np.zeros(n),
    )
    for spec in scenario.shocks:
        for start in _starts(spec, rng):
            if start >= n:
                continue
            permanent = spec.kind == "demand_level" and spec.duration == 0
            end = n if permanent else min(n, start + max(1, spec.duration))
            window = slice(start, end)
            if spec.kind == "incident_storm":
                tl.incident_mult[window] *= spec.magnitude
            elif spec.kind in ("demand_surge", "demand_level"):
                tl.demand_mult[window] *= spec.magnitude
            elif spec.kind == "turbulence_jump":
                tl.turbulence_mult[window] *= spec.magnitude
            elif spec.kind == "staff_loss":
                end = start + 1
                tl.staff_loss[start] = min(1.0, tl.staff_loss.get(start, 0.0) + spec.magnitude)
            elif spec.kind == "theme_reweighting":
                end = start + 1
                alpha = np.full(params.n_themes, params.theme_concentration)
                tl.reweight[start] = (spec.magnitude, rng.dirichlet(alpha))
            tl.events.append(ShockEvent(spec.kind, start, end, spec.magnitude))
    for iv in scenario.interventions:
        _add_intervention(tl, iv, n)
    tl.events.sort(key=lambda e: (e.start, e.kind))
    return tl


def _add_intervention(tl: Timeline, iv: InterventionSpec, n: int) -> None:
    if iv.at >= n:
        return
    end = min(n, iv.at + max(1, iv.duration))
    if iv.kind == "feedback_programme":
        tl.feedback_hours[iv.at : end] += iv.magnitude
    elif iv.kind == "debt_push":
        tl.debt_floor[iv.at : end] = np.maximum(tl.debt_floor[iv.at : end], iv.magnitude)
    elif iv.kind == "restructure":
        end = iv.at + 1
        tl.restructure[iv.at] = iv.structure or ""
    tl.events.append(ShockEvent(iv.kind, iv.at, end, iv.magnitude, iv.structure or ""))
