"""Experiments as data: scenarios, levers, uncertainties, constants, outcomes and a design.

The vocabulary is the EMA Workbench's (Kwakkel 2017): *levers* are what a decision maker chooses
(here, the leadership structure), *uncertainties* are parameters swept by a design, *constants*
are fixed overrides, *outcomes* are the summary measures of interest. An experiment file is
checked as strictly as a scenario file (:mod:`sim.config`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.config.checks import (
    check_list,
    check_number,
    check_param,
    check_str,
    check_table,
    dotted_key,
    listing,
    show,
)
from sim.config.files import is_path, locate, read_toml
from sim.config.loaders import build_params, load_scenario, load_structure
from sim.config.params import param_infos, param_types
from sim.config.paths import data_dir
from sim.config.scenario import Scenario
from sim.config.structure_overrides import check_override_tables, is_structure_key
from sim.errors import ConfigError, did_you_mean
from sim.experiments import design as designs
from sim.model.outcomes import SUMMARY_OUTCOMES

DESIGN_KINDS = ("full_factorial", "runs", "latin_hypercube", "sobol", "morris", "csv")


@dataclass(frozen=True, kw_only=True, slots=True)
class Uncertainty:
    """A parameter the design varies: a numeric range or a list of values.

    Attributes:
        name: A :class:`sim.config.params.Params` field, or a structure number's
            ``structure.`` key (:mod:`sim.config.structure_overrides`).
        low: Lower bound of a range (None for a value list).
        high: Upper bound of a range (None for a value list).
        values: Explicit values (empty for a range).
        levels: Evenly spaced levels of a range, for a full factorial design.
    """

    name: str
    low: float | None = None
    high: float | None = None
    values: tuple[Any, ...] = ()
    levels: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Design:
    """How design points are drawn.

    Attributes:
        kind: One of :data:`DESIGN_KINDS`.
        n: Sample size (latin_hypercube: points; sobol: base N; morris: trajectories).
        runs: Hand-listed points (kind ``runs``): one ``{uncertainty: value}`` mapping each.
        csv: Path of a CSV of design points (kind ``csv``), resolved to an absolute path.
        morris_levels: Grid levels of a Morris design.
        second_order: Sobol design with second-order terms.
    """

    kind: str
    n: int | None = None
    runs: tuple[tuple[tuple[str, Any], ...], ...] = ()
    csv: str | None = None
    morris_levels: int = 4
    second_order: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class Experiment:
    """A validated experiment.

    Attributes:
        name: The file stem.
        description: One paragraph for people.
        scenarios: Scenario names or paths (each run is paired across them by seed).
        structures: The levers: structure names or paths.
        uncertainties: Parameters the design varies.
        constants: ``(name, value)`` overrides applied to every run, sorted.
        outcomes: Summary columns of interest (all summary columns are stored regardless).
        replications: Seeded replications per design point.
        master_seed: Root of every run's seed.
        design: The design.
        steps: Ticks per run (None: each scenario's own).
        source: The file it came from.
    """

    name: str
    description: str = ""
    scenarios: tuple[str, ...]
    structures: tuple[str, ...]
    uncertainties: tuple[Uncertainty, ...] = ()
    constants: tuple[tuple[str, Any], ...] = ()
    outcomes: tuple[str, ...] = ()
    replications: int = 1
    master_seed: int = 0
    design: Design = Design(kind="runs", runs=((),))
    steps: int | None = None
    source: str = "<built-in>"

    def points(self, *, dummy: bool = False) -> list[dict[str, Any]]:
        """The design points, in a deterministic order (see :func:`sim.experiments.design.points`).

        Args:
            dummy: Also give each point of a Morris or Sobol design the value of its
                :data:`~sim.experiments.design.DUMMY` factor (never a run's override).

        Returns:
            One dict per point: uncertainty name -> value, typed by parameter.
        """
        return designs.points(self, dummy=dummy)

    def salib_problem(self) -> dict[str, Any]:
        """The SALib problem for the analysis (see :func:`sim.experiments.design.salib_problem`).

        Returns:
            ``{"num_vars", "names", "bounds"}``, ending with the dummy for Morris and Sobol.

        Raises:
            ConfigError: If an uncertainty is a value list.
        """
        return designs.salib_problem(self)

    def overrides(self, point: Mapping[str, Any]) -> dict[str, Any]:
        """The parameter overrides of one run: the constants, then the point, then ``steps``.

        Args:
            point: One of :meth:`points`.

        Returns:
            Keyword overrides for :func:`sim.api.run` or :func:`sim.config.build_params`.
        """
        extra = dict(self.constants) | dict(point)
        return extra if self.steps is None else extra | {"steps": self.steps}

    def run_count(self) -> int:
        """Runs in the whole experiment: points x scenarios x structures x replications."""
        n = designs.point_count(self)
        return n * len(self.scenarios) * len(self.structures) * self.replications


# --- Loading ----------------------------------------------------------------------------------

_EXPERIMENT_KEYS = (
    "description",
    "scenarios",
    "structures",
    "replications",
    "master_seed",
    "steps",
    "outcomes",
    "constants",
    "uncertainties",
    "design",
)
_REQUIRED_KEYS = ("scenarios", "structures", "replications", "master_seed")
_UNCERTAINTY_KEYS = ("low", "high", "levels", "values")
_DESIGN_KEYS = ("kind", "n", "morris_levels", "second_order", "csv", "runs")
# The design keys each kind uses besides ``kind``.
_KIND_KEYS = {
    "full_factorial": (),
    "runs": ("runs",),
    "latin_hypercube": ("n",),
    "sobol": ("n", "second_order"),
    "morris": ("n", "morris_levels"),
    "csv": ("csv",),
}
_MAX_SEED = 2**63 - 1


def experiments_dir() -> Path:
    """The folder of shipped experiments: the checkout's ``experiments/``, else the installed copy.

    Returns:
        ``<checkout>/experiments`` when it exists, else ``sim/_data/experiments``.
    """
    return data_dir("experiments")


def list_experiments() -> list[str]:
    """Names of the shipped experiments, sorted."""
    folder = experiments_dir()
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def _locate_experiment(name_or_path: str | Path) -> Path:
    if is_path(name_or_path):
        path = Path(name_or_path)
        if not path.is_file():
            raise ConfigError(f"{path}: no such file")
        return path
    name, names = str(name_or_path), list_experiments()
    if name not in names:
        raise ConfigError(
            f"unknown experiment {show(name)}; {listing(name, names)} (or give a path to a "
            ".toml file)"
        )
    return experiments_dir() / f"{name}.toml"


def load_experiment(path: str | Path) -> Experiment:
    """Load and check an experiment file.

    Args:
        path: A shipped experiment's name (``"load_crossover"``, looked up in
            :func:`experiments_dir`) or a path: anything containing ``/`` or ending in ``.toml``,
            or a :class:`~pathlib.Path`. Scenario, structure and CSV paths inside the file are
            relative to the file's folder.

    Returns:
        The experiment, named after the file stem. Scenario and structure paths are stored
        resolved; names are stored as names.

    Raises:
        ConfigError: For an unknown name, a missing or malformed file, an unknown or missing key
            (with a did-you-mean hint), a wrong type, a value out of range, a scenario, structure
            or outcome that does not exist, a structure number (``structure.`` key) that none of
            the structures has, a parameter that is both a constant and an uncertainty, a design
            its uncertainties cannot give (e.g. Sobol over a value list), or a design point that
            does not make valid parameters with some scenario.
    """
    file = _locate_experiment(path)
    origin = str(file)
    data = check_table(read_toml(file), origin, "", _EXPERIMENT_KEYS, _REQUIRED_KEYS)
    description = check_str(data.get("description", ""), origin, "description")
    scenarios = _load_refs("scenarios", data["scenarios"], origin, file.parent, load_scenario)
    structures = _load_refs("structures", data["structures"], origin, file.parent, load_structure)
    replications = check_number(
        data["replications"], origin, "replications", integer=True, low=1, unit="per point"
    )
    master_seed = check_number(
        data["master_seed"], origin, "master_seed", integer=True, low=0, high=_MAX_SEED
    )
    steps = check_param("steps", data["steps"], origin) if "steps" in data else None
    outcomes = _parse_outcomes(data.get("outcomes", []), origin)
    tables = {k: data.get(k, {}) for k in ("constants", "uncertainties")}
    check_override_tables(tables, [structure for _, structure in structures], origin)
    constants = _parse_constants(data.get("constants", {}), origin, steps)
    uncertainties = _parse_uncertainties(data.get("uncertainties", {}), origin, constants, steps)
    design = _parse_design(data, origin, file.parent, uncertainties)
    experiment = Experiment(
        name=file.stem,
        description=description,
        scenarios=tuple(ref for ref, _ in scenarios),
        structures=tuple(ref for ref, _ in structures),
        uncertainties=uncertainties,
        constants=tuple(sorted(constants.items())),
        outcomes=outcomes,
        replications=replications,
        master_seed=master_seed,
        design=design,
        steps=steps,
        source=origin,
    )
    _check_size(experiment, data)
    _check_runs(experiment, [scenario for _, scenario in scenarios])
    return experiment


def _load_refs(kind: str, value: Any, origin: str, folder: Path, loader: Any) -> list[tuple]:
    """Check a list of scenario or structure references; each must load. ``(ref, loaded)`` each."""
    items = check_list(value, origin, kind)
    if not items:
        raise ConfigError(f"{origin}: {kind} = [] is empty; allowed at least one name or path")
    found: list[tuple[str, Any]] = []
    seen: dict[Path, int] = {}
    for i, item in enumerate(items):
        where = f"{kind}[{i}]"
        ref = check_str(item, origin, where, allowed=f"a {kind.removesuffix('s')} name or path")
        path = locate(kind, ref, origin=origin, where=where, relative_to=folder)
        identity = path.resolve()
        if identity in seen:
            raise ConfigError(
                f"{origin}: {where} = {show(ref)} repeats {kind}[{seen[identity]}]; allowed "
                "each once"
            )
        seen[identity] = i
        try:
            loaded = loader(path)
        except ConfigError as exc:
            raise ConfigError(f"{origin}: {where} = {show(ref)} does not load: {exc}") from exc
        # A path is stored resolved, so a run finds it whatever its working directory.
        found.append((str(identity) if is_path(ref) else ref, loaded))
    return found


def _parse_outcomes(value: Any, origin: str) -> tuple[str, ...]:
    items = check_list(value, origin, "outcomes")
    if not items:
        return ()
    columns = SUMMARY_OUTCOMES
    outcomes: list[str] = []
    for i, item in enumerate(items):
        where = f"outcomes[{i}]"
        outcome = check_str(item, origin, where, allowed="a summary column name")
        if outcome not in columns:
            raise ConfigError(
                f"{origin}: {where} = {show(outcome)} is not a summary column; "
                f"{listing(outcome, columns)}"
            )
        if outcome in outcomes:
            raise ConfigError(
                f"{origin}: {where} = {show(outcome)} repeats outcomes[{outcomes.index(outcome)}]"
                "; allowed each once"
            )
        outcomes.append(outcome)
    return tuple(outcomes)


def _parse_constants(value: Any, origin: str, steps: int | None) -> dict[str, Any]:
    table = check_table(value, origin, "constants")
    constants = {
        k: check_param(k, v, origin, key=dotted_key("constants", k)) for k, v in table.items()
    }
    if steps is not None and "steps" in constants:
        raise ConfigError(
            f"{origin}: constants.steps = {constants['steps']} repeats steps = {steps}; allowed "
            "one of the two"
        )
    return constants


def _unknown_parameter(name: str, origin: str, where: str) -> ConfigError:
    hint = did_you_mean(name, param_infos()) or "see `itlead list` for the parameter names"
    return ConfigError(f"{origin}: unknown parameter {where}; {hint}")


def _parse_uncertainties(
    value: Any, origin: str, constants: Mapping[str, Any], steps: int | None
) -> tuple[Uncertainty, ...]:
    table = check_table(value, origin, "uncertainties")
    result = []
    for name, raw in table.items():
        where = dotted_key("uncertainties", name)
        if name == designs.DUMMY:
            raise ConfigError(
                f"{origin}: {where} is reserved: Morris and Sobol designs add it themselves (a "
                "factor the model never reads, whose index is the noise floor); allowed: "
                "parameter names (see `itlead list`)"
            )
        if name not in param_infos() and not is_structure_key(name):
            raise _unknown_parameter(name, origin, where)
        if name in constants:
            raise ConfigError(
                f"{origin}: {where} is also constants.{name} = {show(constants[name])}; allowed "
                "a parameter as a constant or an uncertainty, not both"
            )
        if name == "steps" and steps is not None:
            raise ConfigError(
                f"{origin}: {where} is also steps = {steps}; allowed steps as a top-level value "
                "or an uncertainty, not both"
            )
        result.append(_parse_uncertainty(name, raw, origin, where))
    return tuple(result)


def _parse_uncertainty(name: str, raw: Any, origin: str, where: str) -> Uncertainty:
    table = check_table(raw, origin, where, _UNCERTAINTY_KEYS)
    kind, info = param_types()[name], param_infos().get(name)
    has_range = "low" in table or "high" in table
    if has_range and "values" in table:
        raise ConfigError(
            f"{origin}: {where} has both values and low/high; allowed either low and high, or "
            "values"
        )
    if "values" in table:
        if "levels" in table:
            raise ConfigError(
                f"{origin}: {where}.levels is not allowed with values; allowed levels only with "
                "low and high"
            )
        items = check_list(table["values"], origin, f"{where}.values")
        if not items:
            raise ConfigError(f"{origin}: {where}.values = [] is empty; allowed at least one value")
        values: list[Any] = []
        for i, item in enumerate(items):
            checked = check_param(name, item, origin, key=f"{where}.values[{i}]")
            if checked in values:
                raise ConfigError(
                    f"{origin}: {where}.values[{i}] = {show(item)} repeats "
                    f"{where}.values[{values.index(checked)}]; allowed each value once"
                )
            values.append(checked)
        return Uncertainty(name=name, values=tuple(values))
    if kind is str:
        choices = ", ".join(info.choices)
        if not has_range:
            raise ConfigError(
                f"{origin}: missing key {where}.values; {name} is categorical, required: values "
                f"= a list of: {choices}"
            )
        shown = "low" if "low" in table else "high"
        raise ConfigError(
            f"{origin}: {where}.{shown} is not allowed: {name} is categorical; allowed values = "
            f"a list of: {choices}"
        )
    for bound in ("low", "high"):
        if bound not in table:
            raise ConfigError(
                f"{origin}: missing key {where}.{bound}; required: low and high, or values"
            )
    low = check_param(name, table["low"], origin, key=f"{where}.low")
    high = check_param(name, table["high"], origin, key=f"{where}.high")
    if not low < high:
        raise ConfigError(
            f"{origin}: {where}.high = {show(high)} is not above low = {show(low)}; allowed "
            "high > low (use values = [...] or a constant for a single value)"
        )
    levels = None
    if "levels" in table:
        levels = check_number(
            table["levels"], origin, f"{where}.levels", integer=True, low=2, unit="levels"
        )
        if levels > designs.MAX_POINTS:
            raise ConfigError(
                f"{origin}: {where}.levels = {levels} is out of range; allowed 2 to "
                f"{designs.MAX_POINTS} (levels)"
            )
        if kind is int and levels > high - low + 1:
            raise ConfigError(
                f"{origin}: {where}.levels = {levels} repeats integer values; allowed at most "
                f"{high - low + 1} levels for an integer range {low} to {high}"
            )
    return Uncertainty(name=name, low=low, high=high, levels=levels)


def _parse_design(
    data: dict[str, Any], origin: str, folder: Path, uncertainties: tuple[Uncertainty, ...]
) -> Design:
    if "design" not in data:
        if uncertainties:
            raise ConfigError(
                f"{origin}: missing key design; required when there are uncertainties: a "
                f"[design] table with kind = one of {', '.join(DESIGN_KINDS)}"
            )
        return Design(kind="runs", runs=((),))
    table = check_table(data["design"], origin, "design", _DESIGN_KEYS, ("kind",))
    kind = check_str(table["kind"], origin, "design.kind", DESIGN_KINDS)
    for key in table:
        if key != "kind" and key not in _KIND_KEYS[kind]:
            allowed = ", ".join(("kind", *_KIND_KEYS[kind]))
            raise ConfigError(
                f"{origin}: design.{key} is not allowed with kind = {show(kind)}; allowed keys: "
                f"{allowed}"
            )
    _check_uncertainties_fit(kind, uncertainties, origin)
    if kind in designs.SAMPLED_KINDS:
        if "n" not in table:
            what = {"morris": "trajectories", "sobol": "base sample size"}.get(kind)
            raise ConfigError(
                f"{origin}: missing key design.n; required with kind = {show(kind)}: the "
                f"{what or 'number of points'} (an integer >= 1)"
            )
        n = check_number(table["n"], origin, "design.n", integer=True, low=1, unit="samples")
        morris_levels = 4
        if "morris_levels" in table:
            morris_levels = check_number(
                table["morris_levels"],
                origin,
                "design.morris_levels",
                integer=True,
                low=2,
                high=1000,
                unit="grid levels",
            )
            if morris_levels % 2:
                raise ConfigError(
                    f"{origin}: design.morris_levels = {morris_levels} is odd; allowed an even "
                    "number (Morris's grid jump is unbiased only for an even number of levels)"
                )
        second_order = False
        if "second_order" in table:
            second_order = table["second_order"]
            if not isinstance(second_order, bool):
                raise ConfigError(
                    f"{origin}: design.second_order = {show(second_order)} is not a boolean; "
                    "allowed true or false"
                )
        return Design(kind=kind, n=n, morris_levels=morris_levels, second_order=second_order)
    if kind == "runs":
        return Design(kind=kind, runs=_parse_runs(table, origin, uncertainties))
    if kind == "csv":
        if "csv" not in table:
            raise ConfigError(
                f'{origin}: missing key design.csv; required with kind = "csv": a CSV file of '
                "points, relative to the experiment file"
            )
        name = check_str(table["csv"], origin, "design.csv", allowed="a path to a CSV file")
        path = Path(name)
        path = path if path.is_absolute() else folder / path
        if not path.is_file():
            raise ConfigError(f"{origin}: design.csv = {show(name)} names no file ({path})")
        path = path.resolve()
        designs.read_csv_points(path, uncertainties, origin)
        return Design(kind=kind, csv=str(path))
    return Design(kind=kind)


def _check_uncertainties_fit(
    kind: str, uncertainties: tuple[Uncertainty, ...], origin: str
) -> None:
    """Check that the design ``kind`` can be drawn over ``uncertainties``."""
    if kind in designs.SAMPLED_KINDS and not uncertainties:
        raise ConfigError(
            f"{origin}: uncertainties is empty; allowed for design {kind}: at least one numeric "
            "range (low, high)"
        )
    for u in uncertainties:
        where = f"uncertainties.{u.name}"
        if kind in designs.SAMPLED_KINDS and u.values:
            raise ConfigError(
                f"{origin}: {where} = {show(list(u.values))} is a value list; allowed for design "
                f"{kind}: numeric ranges (low, high) only"
            )
        if kind == "full_factorial" and not u.values and u.levels is None:
            raise ConfigError(
                f"{origin}: missing key {where}.levels; required for design full_factorial: "
                f"levels >= 2 for the range {u.low} to {u.high}, or values = [...]"
            )
        if kind != "full_factorial" and u.levels is not None:
            raise ConfigError(
                f"{origin}: {where}.levels = {u.levels} is not used by design {kind}; allowed "
                "only with design full_factorial"
            )


def _parse_runs(
    table: dict[str, Any], origin: str, uncertainties: tuple[Uncertainty, ...]
) -> tuple[tuple[tuple[str, Any], ...], ...]:
    names = [u.name for u in uncertainties]
    if "runs" not in table:
        if uncertainties:
            raise ConfigError(
                f'{origin}: missing key design.runs; required with kind = "runs" when there '
                f"are uncertainties: one [[design.runs]] table per point giving {', '.join(names)}"
            )
        return ((),)
    items = check_list(table["runs"], origin, "design.runs")
    if not items:
        if uncertainties:
            raise ConfigError(
                f"{origin}: design.runs = [] is empty; allowed one [[design.runs]] table per "
                f"point giving {', '.join(names)}"
            )
        return ((),)
    runs: list[tuple[tuple[str, Any], ...]] = []
    for i, raw in enumerate(items):
        where = f"design.runs[{i}]"
        run = check_table(raw, origin, where, names, names)
        point = tuple(
            (u.name, designs.check_value(u, run[u.name], origin, f"{where}.{u.name}"))
            for u in uncertainties
        )
        if point in runs:
            raise ConfigError(
                f"{origin}: {where} = {show(run)} repeats design.runs[{runs.index(point)}]; "
                "allowed each point once (raise replications to repeat runs)"
            )
        runs.append(point)
    return tuple(runs)


def _check_size(experiment: Experiment, data: dict[str, Any]) -> None:
    """Refuse more than :data:`~sim.experiments.design.MAX_POINTS` design points before drawing."""
    count = designs.point_count(experiment)
    if count > designs.MAX_POINTS:
        key = "design.n" if experiment.design.kind in designs.SAMPLED_KINDS else "design"
        shown = f" = {experiment.design.n}" if key == "design.n" else ""
        raise ConfigError(
            f"{experiment.source}: {key}{shown} gives {count} design points; allowed at most "
            f"{designs.MAX_POINTS}"
        )


def _check_runs(experiment: Experiment, scenarios: list[Scenario]) -> None:
    """Check that every design point makes valid parameters with every scenario.

    Each value is already in range; this catches what only a combination breaks: ``warmup``
    not below ``steps``, a shock after the run's end, ``team_size_min`` above ``team_size_max``.
    """
    origin = experiment.source
    for i, point in enumerate(experiment.points()):
        overrides = experiment.overrides(point)
        for scenario in scenarios:
            try:
                build_params(scenario, overrides, origin=origin)
            except ConfigError as exc:
                what = f"design point {i} = {show(point)} does" if point else "the settings do"
                raise ConfigError(
                    f"{origin}: {what} not make valid parameters with scenario "
                    f"{scenario.name}: {exc}"
                ) from exc
