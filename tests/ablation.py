"""The ablation pattern (issue 19): a lever's effect with a mechanism on, and with it switched off.

Turn a lever that should act through the mechanism, over paired seeds (common random numbers),
once with the mechanism on and once with it off. With it on, the lever's effect must lie beyond
twice its standard error in the stated direction; with it off, the effect must go, so the
difference between the two effects must also lie beyond twice its standard error. A test written
with :func:`ablate` is therefore red when its mechanism is removed.

A mechanism is switched off by a parameter at zero where one exists (``off``), or, where no
parameter does it, by a named in-memory switch (``switch``: a context manager that patches the
one link, see :func:`replaced`). Every number is read from published columns: the per-tick table
and the run summary, never internal bookkeeping.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

import sim
from sim.config.files import is_path
from tests.conftest import SHORT_WARMUP, early

SEEDS = 6
STEPS = 300

#: A function of one run's result: the outcome the lever moves.
Measure = Callable[[sim.RunResult], float]

#: Every ablation computed in this process: (test id, outcome, ablation), in order. Read by
#: ``scripts/ablations.py``, which tables them in docs/validation.md.
RECORDED: list[tuple[str, str, Ablation]] = []


def read(outcome: str) -> Measure:
    """``outcome`` of a run: a summary column, or the sum of a per-tick column."""

    def measure(result: sim.RunResult) -> float:
        if outcome in result.summary.columns:
            return float(result.summary[outcome].iloc[0])
        return float(result.ticks[outcome].sum())

    measure.__name__ = outcome
    return measure


@contextlib.contextmanager
def replaced(owner: Any, attribute: str, value: Any) -> Iterator[None]:
    """Replace ``owner.attribute`` by ``value`` while the block runs (an in-memory switch)."""
    original = getattr(owner, attribute)
    setattr(owner, attribute, value)
    try:
        yield
    finally:
        setattr(owner, attribute, original)


def beyond_noise(d: np.ndarray, direction: int = +1) -> bool:
    """Paired differences whose mean lies in ``direction`` by more than twice its standard error."""
    d = np.asarray(d, dtype=float)
    se = d.std(ddof=1) / np.sqrt(len(d))
    return bool(direction * d.mean() > 0 and direction * d.mean() > 2.0 * se)


@dataclass(frozen=True)
class Ablation:
    """The lever's paired effects per seed, with the mechanism on and off."""

    on: np.ndarray
    off: np.ndarray

    def holds(self, direction: int) -> bool:
        """On: the effect in ``direction`` beyond noise; off: the effect (mostly) gone."""
        return beyond_noise(self.on, direction) and beyond_noise(self.on - self.off, direction)

    def __repr__(self) -> str:
        def fmt(d: np.ndarray) -> str:
            return f"{d.mean():+.4g} (se {d.std(ddof=1) / np.sqrt(len(d)):.3g})"

        return f"Ablation(on={fmt(self.on)}, off={fmt(self.off)}, on-off={fmt(self.on - self.off)})"


#: One arm of a contrast: (seed, **overrides) -> one run.
Arm = Callable[..., sim.RunResult]


def record(outcome: str, ablation: Ablation) -> Ablation:
    """Add ``ablation`` to :data:`RECORDED` under the running test's id, and return it."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
    RECORDED.append((test, outcome, ablation))
    return ablation


def contrast(
    outcome: str | Measure,
    lever: Arm,
    base: Arm,
    *,
    off: Mapping[str, Any] | None = None,
    switch: Callable[[], contextlib.AbstractContextManager] | None = None,
    seeds: int = SEEDS,
) -> Ablation:
    """``lever`` minus ``base`` per seed, with the mechanism on and switched off.

    The general form of :func:`ablate`, for a lever no parameter override expresses (two
    structures, a trust held at a value): each arm is a function of the seed and the overrides.

    Args:
        outcome: A summary column, a per-tick column (summed over the run), or a :data:`Measure`.
        lever: The arm that should move ``outcome`` through the mechanism.
        base: The arm it is compared with, on the same seeds.
        off: Overrides that switch the mechanism off (passed to both arms).
        switch: Where no parameter switches it off: a factory of a context manager that does
            (both arms of the "off" setting run inside it).
        seeds: Paired seeds (more where the lever's effect is noisy).
    """
    measure = read(outcome) if isinstance(outcome, str) else outcome

    def effects(overrides: Mapping[str, Any]) -> np.ndarray:
        return np.array(
            [measure(lever(s, **overrides)) - measure(base(s, **overrides)) for s in range(seeds)]
        )

    on = effects({})
    with switch() if switch is not None else contextlib.nullcontext():
        off_effects = effects(dict(off or {}))
    return record(measure.__name__, Ablation(on=on, off=off_effects))


def ablate(
    outcome: str | Measure,
    lever: Mapping[str, Any],
    off: Mapping[str, Any] | None = None,
    *,
    switch: Callable[[], contextlib.AbstractContextManager] | None = None,
    base: Mapping[str, Any] | None = None,
    scenario: Any = "baseline",
    structure: Any = "single_cio",
    seeds: int = SEEDS,
    steps: int = STEPS,
    shocks: bool = True,
) -> Ablation:
    """The effect of ``lever`` on ``outcome`` per seed, with the mechanism on and switched off.

    Args:
        outcome: A summary column, a per-tick column (summed over the run), or a :data:`Measure`.
        lever: Overrides that should move ``outcome`` through the mechanism. The key ``shocks``
            (a bool) turns the scenario's shocks on in the lever's arm and off in the other, so
            the lever is the shock itself against its exact counterfactual; the key
            ``scenario`` runs that scenario in the lever's arm (e.g. one with an intervention)
            against ``scenario`` in the other.
        off: Overrides that switch the mechanism off (applied to both arms of the lever).
        switch: Where no parameter switches it off: a factory of a context manager that does
            (both arms of the "off" setting run inside it).
        base: Overrides of both arms and both settings, e.g. to make the lever bite.
        scenario: The scenario (name, path or :class:`sim.Scenario`).
        structure: The structure that runs.
        seeds: Paired seeds (more where the lever's effect is noisy).
        steps: Ticks per run, the first ``SHORT_WARMUP`` of them warm-up unless ``base`` or
            ``lever`` sets ``warmup``; a shipped scenario's events come as early as
            :func:`tests.conftest.early` moves them.
        shocks: Whether the scenario's shocks run (in both arms, unless the lever sets it).
    """
    lever = dict(lever)
    lever_shocks = lever.pop("shocks", None)
    lever_scenario = lever.pop("scenario", scenario)
    turned = lever_shocks if lever_shocks is not None else shocks
    untouched = (not lever_shocks) if lever_shocks is not None else shocks
    settings = dict(base or {})

    def arm(run: Any, with_shocks: bool, extra: Mapping[str, Any]) -> Arm:
        def one(seed: int, **overrides: Any) -> sim.RunResult:
            kw = {"warmup": SHORT_WARMUP} | settings | overrides | dict(extra)
            scen = early(run) if isinstance(run, str) and not is_path(run) else run
            return sim.run(
                scen, structure=structure, seed=seed, steps=steps, shocks=with_shocks, **kw
            )

        return one

    return contrast(
        outcome,
        arm(lever_scenario, turned, lever),
        arm(scenario, untouched, {}),
        off=off,
        switch=switch,
        seeds=seeds,
    )
