"""Scenarios as data: parameter overrides of a base, plus timed shocks and interventions.

A scenario file names a ``base`` scenario and overrides some of its parameters; its shocks and
interventions replace the base's when given. Timing may be fixed (``at``) or drawn (``window``);
drawing happens in :mod:`sim.model.shocks`, before the run starts, from a stream of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SHOCK_KINDS = (
    "incident_storm",  # incident rate x magnitude for duration ticks
    "demand_surge",  # request rate x magnitude for duration ticks
    "staff_loss",  # fraction `magnitude` of IT staff leave at once
    "theme_reweighting",  # market themes re-drawn; pipeline value drops
    "turbulence_jump",  # theme drift x magnitude for duration ticks
    "demand_level",  # demand level x magnitude from `at` for duration ticks (0 = for good)
)
INTERVENTION_KINDS = (
    "feedback_programme",  # `magnitude` hours per tick of surveys and sessions
    "restructure",  # switch to `structure` at tick `at`
    "debt_push",  # platform improvement share held at >= `magnitude`
)


@dataclass(frozen=True, kw_only=True, slots=True)
class ShockSpec:
    """A shock as written in a scenario file.

    Attributes:
        kind: One of :data:`SHOCK_KINDS`.
        at: Start tick, or None when the start is drawn from ``window``.
        window: ``(first, last)`` ticks between which the start is drawn uniformly.
        duration: Length in ticks (0 for a permanent ``demand_level`` change; ignored by
            instantaneous kinds).
        magnitude: Strength: a multiplier, or a fraction for ``staff_loss``.
        repeat: How many times the shock occurs.
        every: Ticks between repeats when ``at`` is fixed; when drawn, each repeat is drawn.
    """

    kind: str
    at: int | None = None
    window: tuple[int, int] | None = None
    duration: int = 0
    magnitude: float = 1.0
    repeat: int = 1
    every: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class InterventionSpec:
    """A timed leadership action.

    Attributes:
        kind: One of :data:`INTERVENTION_KINDS`.
        at: Start tick.
        duration: Length in ticks (ignored by ``restructure``).
        magnitude: Hours per tick (feedback) or improvement share floor (debt push).
        structure: Target structure name, for ``restructure``.
    """

    kind: str
    at: int
    duration: int = 0
    magnitude: float = 0.0
    structure: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Scenario:
    """A resolved scenario: the base chain already merged.

    Attributes:
        name: Scenario name (the file stem unless the file says otherwise).
        description: One paragraph for people.
        params: ``(name, value)`` overrides of :class:`sim.config.params.Params` defaults, sorted.
        shocks: Shocks, in file order.
        interventions: Interventions, in file order.
        source: Path of the file it came from, or ``"<built-in>"``.
    """

    name: str
    description: str = ""
    params: tuple[tuple[str, Any], ...] = ()
    shocks: tuple[ShockSpec, ...] = ()
    interventions: tuple[InterventionSpec, ...] = ()
    source: str = "<built-in>"

    def with_params(self, **overrides: Any) -> Scenario:
        """A copy whose parameter overrides also include ``overrides`` (later wins)."""
        merged = dict(self.params) | overrides
        return Scenario(
            name=self.name,
            description=self.description,
            params=tuple(sorted(merged.items())),
            shocks=self.shocks,
            interventions=self.interventions,
            source=self.source,
        )

    def without_shocks(self) -> Scenario:
        """The no-shock counterfactual: same parameters and interventions, no shocks."""
        return Scenario(
            name=self.name,
            description=self.description,
            params=self.params,
            shocks=(),
            interventions=self.interventions,
            source=self.source,
        )
