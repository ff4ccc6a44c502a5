"""itlead inside the EMA Workbench: a ready model, built from the parameter table and outcomes.

:func:`ema_model` returns an ``ema_workbench.Model`` whose uncertainties, levers and outcomes
come from the parameter table (:func:`sim.config.params.param_infos`), the structure numbers
(:mod:`sim.config.structure_overrides`) and the outcome list (:mod:`sim.model.outcomes`), so
``perform_experiments`` runs itlead with no wrapper::

    from ema_workbench import Samplers, perform_experiments
    from sim.ema import ema_model

    model = ema_model("baseline", replications=3)
    # Samplers.FF: every structure under every attention policy, at each of 100 LHS scenarios.
    experiments, outcomes = perform_experiments(
        model, scenarios=100, policies=4, lever_sampling=Samplers.FF
    )

It needs the ``ema`` extra (``pip install -e '.[ema]'``: ``ema_workbench==3.0.0``).
:func:`parameter_table` and :func:`outcome_names` do not: they are the same table and names as
plain pandas and Python, for any other experiment tool.

Uncertainties sample each parameter's *plausible* range
(:class:`sim.config.param_fields.ParamInfo`), not the range the software allows, as the shipped
sensitivity experiments do.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.config.checks import check_param, listing, plain
from sim.config.loaders import build_params, load_scenario, load_structure
from sim.config.params import param_defaults, param_infos, param_types
from sim.config.scenario import Scenario
from sim.config.structure import NUMBER_PLAUSIBLE, STRUCTURE_PREFIX, Structure, number_field
from sim.config.structure_overrides import (
    check_structure_keys,
    is_structure_key,
    overrides_for,
    structure_keys,
)
from sim.errors import ParameterError
from sim.experiments.plan import derive_seed
from sim.experiments.run import run
from sim.model.outcomes import HEADLINE, SUMMARY_OUTCOMES

__all__ = [
    "DEFAULT_STRUCTURES",
    "DEFAULT_UNCERTAINTIES",
    "EXTRA_HINT",
    "ItleadFunction",
    "ema_model",
    "ema_name",
    "outcome_names",
    "parameter_table",
]

# The uncertainties issue 16 names for discovery: load, coordination cost, goal incongruence,
# decision load and organisation size.
DEFAULT_UNCERTAINTIES = (
    "request_rate",
    "coordination_multiplier",
    "goal_incongruence_multiplier",
    "decision_hours",
    "n_business_units",
)
DEFAULT_STRUCTURES = ("single_cio", "cio_cto_split")
STRUCTURE_LEVER = "structure"
EXTRA_HINT = "install the ema extra: pip install -e '.[ema]' (ema_workbench==3.0.0)"
_NOT_IDENTIFIER = re.compile(r"\W")


# --- Extra-free: the parameter table and the outcome names ---------------------------------------


def parameter_table() -> pd.DataFrame:
    """The parameter table as a frame: one row per parameter, in declaration order.

    Returns:
        Columns ``name``, ``type`` (``"int"``, ``"float"`` or ``"str"``), ``unit``, ``default``,
        ``low`` and ``high`` (the allowed range), ``plausible_low`` and ``plausible_high`` (the
        range uncertainties sample), ``choices`` (a categorical parameter's values, else an
        empty tuple), ``group``, ``source`` and ``doc``. A categorical parameter's ranges are
        NaN, as pandas marks a missing number.
    """
    defaults, types = param_defaults(), param_types()
    rows = []
    for name, info in param_infos().items():
        plausible = info.plausible or (None, None)
        rows.append(
            {
                "name": name,
                "type": types[name].__name__,
                "unit": info.unit,
                "default": defaults[name],
                "low": info.low,
                "high": info.high,
                "plausible_low": plausible[0],
                "plausible_high": plausible[1],
                "choices": info.choices,
                "group": info.group,
                "source": info.source,
                "doc": info.doc,
            }
        )
    return pd.DataFrame(rows)


def outcome_names(*, headline: bool = False) -> list[str]:
    """The outcomes a run's summary reports, in its column order.

    Args:
        headline: True gives only the headline outcomes (those with a better direction, which
            the comparison table shows), in :data:`sim.model.outcomes.HEADLINE` order.

    Returns:
        The outcome names: the columns of ``sim.run(...).summary`` after its inputs
        (``scenario``, ``structure``, ``seed``).
    """
    return list(HEADLINE) if headline else list(SUMMARY_OUTCOMES)


def ema_name(key: str) -> str:
    """The EMA name of an input: a parameter's own name, a structure number's as an identifier.

    EMA 3.0 wants every name to be a Python identifier, so ``structure.roles.CTO.cost`` is
    named ``structure__roles__CTO__cost`` in EMA's experiments table; the model still passes the
    dotted key to :func:`sim.run`.
    """
    return _NOT_IDENTIFIER.sub("_", str(key).replace(".", "__"))


# --- The model EMA calls -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Input:
    """One EMA input before EMA exists: what kind of parameter it is, and its range or values."""

    key: str  # as sim.run takes it (dotted for structure numbers)
    kind: str  # "real", "integer" or "categorical"
    bounds: tuple[Any, ...]  # (low, high), or the categories


@dataclass(frozen=True, slots=True)
class ItleadFunction:
    """The callable an EMA model runs: one design point, over replications, to outcome means.

    A module-level class, not a closure, so EMA's multiprocessing evaluator can pickle it.

    Attributes:
        scenario: The loaded scenario every run starts from.
        structures: The structures by name (a ``structure`` keyword picks one).
        outcomes: The outcomes returned.
        uncertainty_keys: The keys of the uncertainties: their values, and only theirs, choose
            the seeds, so every lever setting at one EMA scenario meets the same seeds.
        replications: Runs per design point; the outcomes are their means.
        master_seed: The root of the seeds (:func:`sim.experiments.plan.derive_seed`).
    """

    scenario: Scenario
    structures: Mapping[str, Structure]
    outcomes: tuple[str, ...]
    uncertainty_keys: tuple[str, ...]
    replications: int
    master_seed: int

    def stream(self, inputs: Mapping[str, Any]) -> int:
        """The random-number stream of a design point: a stable hash of its uncertainty values.

        Stable across processes and sessions (not Python's salted ``hash``), so a design point
        re-run anywhere gets the same seeds.
        """
        text = repr([(k, plain(inputs[k])) for k in self.uncertainty_keys if k in inputs])
        return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")

    def seeds(self, inputs: Mapping[str, Any]) -> list[int]:
        """The root seed of every replication at a design point (levers play no part)."""
        stream = self.stream(inputs)
        return [derive_seed(self.master_seed, stream, r) for r in range(self.replications)]

    def __call__(self, **inputs: Any) -> dict[str, float]:
        """Run one design point and return the mean of each outcome over its replications.

        Args:
            **inputs: What EMA passes: uncertainties, levers and constants by their keys
                (``structure`` names the structure).

        Returns:
            Outcome name -> mean over the replications (NaN replications left out; NaN when
            every replication is NaN).
        """
        values = {k: plain(v) for k, v in inputs.items()}
        structure = self.structures[values.pop(STRUCTURE_LEVER)]
        overrides = overrides_for(structure, values)
        summaries = [
            run(self.scenario, structure=structure, seed=seed, **overrides).summary
            for seed in self.seeds(inputs)
        ]
        means = pd.concat(summaries, ignore_index=True)[list(self.outcomes)].mean()
        return {name: float(means[name]) for name in self.outcomes}


def ema_model(
    scenario: str = "baseline",
    *,
    uncertainties: Sequence[str] | None = None,
    levers: Sequence[str] = (STRUCTURE_LEVER, "attention_policy"),
    structures: Sequence[str] = DEFAULT_STRUCTURES,
    outcomes: Sequence[str] | None = None,
    constants: Mapping[str, Any] | None = None,
    replications: int = 1,
    master_seed: int = 0,
    name: str = "itlead",
) -> Any:
    """An EMA Workbench model of itlead, ready for ``perform_experiments``.

    Seeds pair: at each EMA scenario (a point in the uncertainties) every policy (structure,
    attention policy) runs on the same seeds, so differences between structures are paired
    (common random numbers, as :func:`sim.experiments.plan.derive_seed` gives itlead's own
    batches). Replication ``r`` of a point runs on ``derive_seed(master_seed, stream, r)``,
    ``stream`` a stable hash of the point's uncertainty values; levers and constants play no
    part. The returned outcomes are the means over ``replications``.

    Args:
        scenario: The scenario every run starts from (a name or a path).
        uncertainties: Inputs EMA samples as uncertainties, each over its plausible range:
            parameter names, or structure numbers by dotted key
            (``"structure.roles.CTO.cost"``; runs of a structure without that number ignore
            it). Default :data:`DEFAULT_UNCERTAINTIES`. An integer parameter becomes an
            ``IntegerParameter``, a categorical one a ``CategoricalParameter``.
        levers: Inputs EMA samples as levers (policies): ``"structure"`` (over ``structures``)
            and parameter names, as for ``uncertainties``. Default: the structure and the
            executives' attention policy.
        structures: The structures the ``structure`` lever chooses among. One structure, or
            ``structure`` not among ``levers`` (then exactly one is allowed), makes the
            structure a constant: every run uses it (EMA needs two categories for a lever).
        outcomes: Outcomes returned, each an EMA ``ScalarOutcome``: a headline outcome is
            MINIMIZE or MAXIMIZE by its better direction, any other INFO. Default: the headline
            outcomes (:func:`outcome_names`).
        constants: Parameter values or structure numbers fixed for every run, e.g.
            ``{"steps": 400, "warmup": 100}``; checked here like ``--set``.
        replications: Runs per design point (at least 1).
        master_seed: The root of every seed.
        name: The EMA model's name (a Python identifier).

    Returns:
        An ``ema_workbench.Model``.

    Raises:
        sim.errors.ParameterError: Naming this function's argument, for an unknown or repeated
            input name (listing the allowed names), an unknown outcome, fewer than one
            replication, or a name that is not an identifier.
        sim.errors.ConfigError: For a scenario or structure that does not load, or a constant
            out of range.
        ImportError: When the ``ema`` extra is not installed (the message says how to install
            it).
    """
    replications = plain(replications)
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise ParameterError("replications", f"{replications!r} is not a whole number of 1 or more")
    if not str(name).isidentifier():
        raise ParameterError("name", f"{name!r} is not a Python identifier, as EMA 3.0 requires")
    scen = load_scenario(scenario)
    loaded = {s.name: s for s in (load_structure(s) for s in structures)}
    lever_names = list(levers)
    if STRUCTURE_LEVER not in lever_names and len(loaded) != 1:
        raise ParameterError(
            "structures", "name exactly one structure when 'structure' is not a lever"
        )
    uncertain = _inputs(
        "uncertainties",
        DEFAULT_UNCERTAINTIES if uncertainties is None else uncertainties,
        loaded,
    )
    if len(loaded) == 1 and STRUCTURE_LEVER in lever_names:
        lever_names.remove(STRUCTURE_LEVER)
    chosen = _inputs("levers", lever_names, loaded)
    _no_repeats([*uncertain, *chosen, *(constants or {})])
    fixed = _constants(constants or {}, scen, loaded)
    wanted = _outcomes(outcome_names(headline=True) if outcomes is None else outcomes)

    ema = _import_ema()
    function = ItleadFunction(
        scenario=scen,
        structures=loaded,
        outcomes=tuple(wanted),
        uncertainty_keys=tuple(uncertain),
        replications=replications,
        master_seed=int(master_seed),
    )
    model = ema.Model(name, function=function)
    model.uncertainties = [_ema_parameter(ema, spec) for spec in uncertain.values()]
    model.levers = [_ema_parameter(ema, spec) for spec in chosen.values()]
    model.outcomes = [_ema_outcome(ema, outcome) for outcome in wanted]
    if STRUCTURE_LEVER not in chosen:
        fixed[STRUCTURE_LEVER] = next(iter(loaded))
    model.constants = [ema.Constant(ema_name(k), v, variable_name=k) for k, v in fixed.items()]
    return model


# --- Checks and conversions ----------------------------------------------------------------------


def _inputs(
    argument: str, names: Sequence[str], structures: Mapping[str, Structure]
) -> dict[str, _Input]:
    """Check input names and give each its kind and range (``argument`` names the argument)."""
    if isinstance(names, str):
        raise ParameterError(argument, f"give a list of names, not the string {names!r}")
    infos, types = param_infos(), param_types()
    allowed = [*infos, *dict.fromkeys(k for s in structures.values() for k in structure_keys(s))]
    if argument == "levers":
        allowed.insert(0, STRUCTURE_LEVER)
    specs: dict[str, _Input] = {}
    for key in map(str, names):
        if key == STRUCTURE_LEVER and argument == "levers":
            specs[key] = _Input(key, "categorical", tuple(structures))
        elif is_structure_key(key) and key in allowed:
            low, high, _ = NUMBER_PLAUSIBLE[number_field(key.removeprefix(STRUCTURE_PREFIX))]
            specs[key] = _Input(key, "real", (low, high))
        elif key in infos:
            info = infos[key]
            if info.choices:
                specs[key] = _Input(key, "categorical", info.choices)
            elif types[key] is int:
                low, high = info.plausible
                specs[key] = _Input(key, "integer", (int(low), int(high)))
            else:
                specs[key] = _Input(key, "real", tuple(map(float, info.plausible)))
        else:
            raise ParameterError(argument, f"{key!r} is not an input; {listing(key, allowed)}")
    return specs


def _no_repeats(keys: Sequence[str]) -> None:
    """Refuse an input named twice among uncertainties, levers and constants."""
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ParameterError(
                "uncertainties", f"{key!r} is named twice among uncertainties, levers, constants"
            )
        seen.add(key)


def _constants(
    constants: Mapping[str, Any], scenario: Scenario, structures: Mapping[str, Structure]
) -> dict[str, Any]:
    """Check constants as ``--set`` values are checked; returns them as plain Python values."""
    origin = "ema_model constants"
    fixed = {str(k): check_param(k, v, origin) for k, v in constants.items()}
    check_structure_keys({k: k for k in fixed}, list(structures.values()), origin)
    build_params(scenario, fixed, origin=origin)  # pairs such as warmup < steps
    return fixed


def _outcomes(names: Sequence[str]) -> list[str]:
    """Check outcome names against the summary's outcomes."""
    if isinstance(names, str):
        raise ParameterError("outcomes", f"give a list of names, not the string {names!r}")
    for outcome in names:
        if outcome not in SUMMARY_OUTCOMES:
            raise ParameterError(
                "outcomes",
                f"{outcome!r} is not an outcome; {listing(outcome, list(SUMMARY_OUTCOMES))}",
            )
    return list(names)


def _import_ema() -> Any:
    """The ``ema_workbench`` module, or an ImportError saying how to install the extra."""
    try:
        import ema_workbench
    except ImportError as error:
        raise ImportError(f"sim.ema needs the EMA Workbench; {EXTRA_HINT}") from error
    return ema_workbench


def _ema_parameter(ema: Any, spec: _Input) -> Any:
    """The EMA parameter of one input, named as an identifier, passing its own key to itlead."""
    label = ema_name(spec.key)
    if spec.kind == "categorical":
        return ema.CategoricalParameter(label, list(spec.bounds), variable_name=spec.key)
    if spec.kind == "integer":
        return ema.IntegerParameter(label, *spec.bounds, variable_name=spec.key)
    return ema.RealParameter(label, *spec.bounds, variable_name=spec.key)


def _ema_outcome(ema: Any, outcome: str) -> Any:
    """A scalar outcome, its direction from :data:`HEADLINE` (INFO when it has none)."""
    kinds = {"lower": ema.ScalarOutcome.MINIMIZE, "higher": ema.ScalarOutcome.MAXIMIZE}
    return ema.ScalarOutcome(outcome, kind=kinds.get(HEADLINE.get(outcome), ema.ScalarOutcome.INFO))
