"""Design points of an experiment: full factorial, hand-listed, CSV, Latin hypercube, Sobol, Morris.

Every function here takes an already validated :class:`~sim.experiments.spec.Experiment` (or its
parts) and is deterministic: the same experiment gives the same points in the same order. The
sampled designs use SALib (Herman & Usher 2017) seeded with ``master_seed % 2**32``.

Integer parameters are sampled on their range and rounded to the nearest integer. That keeps every
point a valid parameter set, but it makes the Sobol indices (and Morris elementary effects) of
integer parameters approximate: the model sees a step function of the sampled value, and the two
end values get half the weight of the others.

Morris and Sobol designs (:data:`SENSITIVITY_KINDS`) sample one more factor than the experiment's
uncertainties: :data:`DUMMY`, which the model never reads. Its only use is to pick the random
numbers of a run (:func:`sim.experiments.plan.seed_streams`): every other parameter keeps the
random numbers when it moves (common random numbers), and a step of the dummy draws new ones. Its
index is therefore the index of seed noise alone, the noise floor against which the analysis
judges every parameter (a dummy that changed nothing would get exactly zero under common random
numbers, and so show no floor at all).
"""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.config.checks import check_param, show
from sim.config.files import read_text
from sim.config.params import param_types
from sim.errors import ConfigError

if TYPE_CHECKING:
    from sim.experiments.spec import Experiment, Uncertainty

# Designs the SALib samplers draw: they need every uncertainty to be a numeric range.
SAMPLED_KINDS = ("latin_hypercube", "sobol", "morris")
# Designs analysed by sensitivity indices: they carry the dummy and use common random numbers.
SENSITIVITY_KINDS = ("sobol", "morris")
# The factor the model never reads, appended to the SALib problem of a sensitivity design.
DUMMY = "dummy"
# The largest design an experiment file may ask for (points, before scenarios, structures and
# replications multiply it); beyond it a typo such as an extra zero in ``n`` is the likely cause.
MAX_POINTS = 100_000
# Full factorial levels of a float range are rounded to this many significant digits, so evenly
# spaced values print as written (0.7, not 0.7000000000000001).
_DIGITS = 12


def range_levels(u: Uncertainty) -> list[Any]:
    """The full factorial values of one uncertainty, in order.

    Args:
        u: An uncertainty with ``values``, or a range with ``levels``.

    Returns:
        ``u.values`` for a value list; otherwise ``levels`` evenly spaced values from ``low`` to
        ``high`` inclusive, rounded to the nearest integer for an integer parameter (which may
        repeat a value; the loader rejects such a range).

    Raises:
        ValueError: If ``u`` is a range without levels (a programming error: the loader checks).
    """
    if u.values:
        return list(u.values)
    if u.low is None or u.high is None or u.levels is None:
        raise ValueError(f"uncertainty {u.name} has no levels")
    grid = np.linspace(u.low, u.high, u.levels)
    if param_types()[u.name] is int:
        return [round(float(x)) for x in grid]
    return [float(f"{x:.{_DIGITS}g}") for x in grid]


def point_count(experiment: Experiment) -> int:
    """The number of design points, computed without drawing them.

    Args:
        experiment: A validated experiment (for kind ``csv``, the file is read).

    Returns:
        How many dicts :func:`points` returns.
    """
    design, d = experiment.design, len(experiment.uncertainties)
    if design.kind in SENSITIVITY_KINDS:
        d += 1  # the dummy is sampled like any uncertainty
    if design.kind == "full_factorial":
        return math.prod(len(u.values) or (u.levels or 0) for u in experiment.uncertainties)
    if design.kind == "runs":
        return len(design.runs)
    if design.kind == "csv":
        return len(read_csv_points(Path(str(design.csv)), experiment.uncertainties))
    n = design.n or 0
    if design.kind == "latin_hypercube":
        return n
    if design.kind == "sobol":
        return n * (2 * d + 2 if design.second_order else d + 2)
    return n * (d + 1)  # morris: n trajectories of d + 1 points


def block_size(experiment: Experiment) -> int:
    """Rows of one Morris trajectory or one Saltelli block: the unit SALib's estimators use.

    Args:
        experiment: A validated Morris or Sobol experiment.

    Returns:
        ``D + 1`` for Morris, ``D + 2`` (``2D + 2`` with second order) for Sobol, where ``D``
        counts the uncertainties and the dummy.

    Raises:
        ValueError: For another design kind (a programming error).
    """
    if experiment.design.kind not in SENSITIVITY_KINDS:
        raise ValueError(f"design kind {experiment.design.kind!r} has no trajectories or blocks")
    return point_count(experiment) // int(experiment.design.n or 1)


def salib_problem(experiment: Experiment) -> dict[str, Any]:
    """The SALib problem an experiment's design is sampled from.

    Args:
        experiment: A validated experiment whose uncertainties are all numeric ranges.

    Returns:
        ``{"num_vars": D, "names": [...], "bounds": [[low, high], ...]}``: the uncertainties in
        file order, then, for a Morris or Sobol design, :data:`DUMMY` on ``[0, 1]``.

    Raises:
        ConfigError: If an uncertainty is a value list (it has no range to sample).
    """
    for u in experiment.uncertainties:
        if u.low is None or u.high is None:
            raise ConfigError(
                f"{experiment.source}: uncertainties.{u.name} = {show(list(u.values))} is a "
                "value list; allowed for a SALib problem: numeric ranges (low, high) only"
            )
    names = [u.name for u in experiment.uncertainties]
    bounds = [[float(u.low), float(u.high)] for u in experiment.uncertainties]  # type: ignore[arg-type]
    if experiment.design.kind in SENSITIVITY_KINDS:
        names, bounds = [*names, DUMMY], [*bounds, [0.0, 1.0]]
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def points(experiment: Experiment, *, dummy: bool = False) -> list[dict[str, Any]]:
    """The design points of an experiment, in a deterministic order.

    Args:
        experiment: A validated experiment.
        dummy: Also give each point of a Morris or Sobol design its :data:`DUMMY` value (for the
            analysis and the seed rule; a run never receives it).

    Returns:
        One dict per point, uncertainty name -> value (``int``, ``float`` or ``str`` by the
        parameter's type), keys in file order, then ``dummy`` if asked for (a float in
        ``[0, 1]``, rounded to 12 significant digits so a grid level is one number).
        ``full_factorial`` varies the last uncertainty fastest (:func:`itertools.product`);
        sampled designs keep SALib's row order (Sobol's Saltelli blocks and Morris's
        trajectories must stay in that order for the analysis).

    Raises:
        ConfigError: For kind ``csv``, if the file no longer reads or checks.
    """
    design, names = experiment.design, [u.name for u in experiment.uncertainties]
    if design.kind == "full_factorial":
        grid = [range_levels(u) for u in experiment.uncertainties]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grid)]
    if design.kind == "runs":
        return [dict(run) for run in design.runs]
    if design.kind == "csv":
        return read_csv_points(Path(str(design.csv)), experiment.uncertainties, experiment.source)
    sample = _sample(experiment)
    d = len(experiment.uncertainties)
    rows = [_typed(experiment.uncertainties, row[:d]) for row in sample]
    if dummy and design.kind in SENSITIVITY_KINDS:
        for point, row in zip(rows, sample, strict=True):
            point[DUMMY] = float(f"{row[d]:.{_DIGITS}g}")
    return rows


def _sample(experiment: Experiment) -> np.ndarray:
    """The raw SALib sample matrix (rows are points, columns are uncertainties in file order)."""
    # Imported here: SALib pulls in scipy, which a plain run does not need.
    from SALib.sample import latin, morris, sobol

    design, problem = experiment.design, salib_problem(experiment)
    seed = experiment.master_seed % 2**32
    n = int(design.n or 0)
    if design.kind == "latin_hypercube":
        return latin.sample(problem, n, seed=seed)
    if design.kind == "sobol":
        return sobol.sample(
            problem, n, calc_second_order=design.second_order, scramble=True, seed=seed
        )
    if design.kind == "morris":
        return morris.sample(problem, n, num_levels=design.morris_levels, seed=seed)
    raise ValueError(f"design kind {design.kind!r} is not sampled")


def _typed(uncertainties: Sequence[Uncertainty], row: np.ndarray) -> dict[str, Any]:
    """One sample row as a point: floats clipped to the range, integers rounded (see module doc)."""
    types = param_types()
    point: dict[str, Any] = {}
    for u, x in zip(uncertainties, row, strict=True):
        low, high = float(u.low), float(u.high)  # type: ignore[arg-type]
        value = min(max(float(x), low), high)
        point[u.name] = round(value) if types[u.name] is int else value
    return point


def check_value(u: Uncertainty, value: Any, origin: str, where: str) -> Any:
    """Check one hand-given value of an uncertainty: a valid parameter value inside its range.

    Args:
        u: The uncertainty.
        value: The value (from ``[[design.runs]]`` or a CSV cell, already converted).
        origin: The file, for the message.
        where: The key, for the message.

    Returns:
        The value as :func:`sim.config.check_param` returns it (float parameters as ``float``).

    Raises:
        ConfigError: If the value is not a valid value of the parameter, lies outside the
            uncertainty's ``low`` to ``high``, or is not one of its ``values``.
    """
    value = check_param(u.name, value, origin, key=where)
    if u.values and value not in u.values:
        allowed = ", ".join(show(v) for v in u.values)
        raise ConfigError(
            f"{origin}: {where} = {show(value)} is not one of uncertainties.{u.name}.values; "
            f"allowed: {allowed}"
        )
    if u.low is not None and u.high is not None and not u.low <= value <= u.high:
        raise ConfigError(
            f"{origin}: {where} = {show(value)} is outside uncertainties.{u.name}; allowed "
            f"{u.low} to {u.high}"
        )
    return value


def read_csv_points(
    path: Path, uncertainties: Sequence[Uncertainty], referrer: str = ""
) -> list[dict[str, Any]]:
    """Read and check a CSV of design points.

    Args:
        path: The CSV file: a header row naming exactly the uncertainties (any order), then one
            row per point. Blank lines are skipped; cells are stripped of surrounding spaces.
        uncertainties: The experiment's uncertainties.
        referrer: The experiment file, named in messages about the header.

    Returns:
        The points, keys in the uncertainties' order, values typed by parameter.

    Raises:
        ConfigError: If the file does not read, the header is not exactly the uncertainties'
            names, a row has the wrong number of cells, a cell does not convert or check
            (:func:`check_value`), the file has no rows, a point repeats, or there are more than
            :data:`MAX_POINTS` rows.
    """
    origin = str(path)
    text = read_text(path, encoding="utf-8-sig")  # spreadsheets often write a byte-order mark
    rows: list[list[str]] = []
    lines: list[int] = []  # the file line each row starts on, blank lines counted, for messages
    try:
        reader = csv.reader(text.splitlines())
        start = 1
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append([cell.strip() for cell in row])
                lines.append(start)
            start = reader.line_num + 1  # a quoted cell can span lines
    except csv.Error as exc:
        raise ConfigError(f"{origin}: malformed CSV: {exc}") from exc
    names = [u.name for u in uncertainties]
    header = rows[0] if rows else []
    if sorted(header) != sorted(names) or len(set(header)) != len(header):
        source = f" (from {referrer})" if referrer else ""
        raise ConfigError(
            f"{origin}: header = {show(header)} does not name the uncertainties; allowed "
            f"exactly: {', '.join(names) or 'none'}{source}"
        )
    if len(rows) < 2:
        raise ConfigError(f"{origin}: has no rows after the header; allowed one row per point")
    if len(rows) - 1 > MAX_POINTS:
        raise ConfigError(
            f"{origin}: has {len(rows) - 1} rows; allowed at most {MAX_POINTS} design points"
        )
    by_name = {u.name: u for u in uncertainties}
    result: list[dict[str, Any]] = []
    seen: dict[tuple, int] = {}
    for number, row in zip(lines[1:], rows[1:], strict=True):
        if len(row) != len(header):
            raise ConfigError(
                f"{origin}: line {number} has {len(row)} cells; allowed exactly {len(header)} "
                "(one per header column)"
            )
        cells = dict(zip(header, row, strict=True))
        point = {
            n: check_value(by_name[n], _convert(n, cells[n]), origin, f"line {number} {n}")
            for n in names
        }
        key = tuple(point.values())
        if key in seen:
            raise ConfigError(
                f"{origin}: line {number} = {show(row)} repeats line {seen[key]}; allowed each "
                "point once (raise replications to repeat runs)"
            )
        seen[key] = number
        result.append(point)
    return result


def _convert(name: str, text: str) -> Any:
    """A CSV cell as the parameter's type; text that does not convert is left for the check."""
    kind = param_types()[name]
    if kind is str:
        return text
    if kind is int:
        try:
            return int(text)
        except ValueError:
            pass
    try:
        number = float(text)
    except ValueError:
        return text
    if kind is int:
        return int(number) if number.is_integer() else number
    return number
