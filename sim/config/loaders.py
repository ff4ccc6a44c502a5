"""Loading structures and scenarios from TOML, with every check made here, at the boundary.

Nothing past this module sees an unchecked value: a loaded
:class:`~sim.config.structure.Structure`, :class:`~sim.config.scenario.Scenario` or
:class:`~sim.config.params.Params` is frozen and valid, and every problem in a file, a ``--set``
override or a name is a :class:`~sim.errors.ConfigError` whose one-line message names the file,
the key, the value and what is allowed. The shipped files in
``structures/`` and ``scenarios/`` show the formats.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.config.checks import (
    check_list,
    check_number,
    check_param,
    check_str,
    check_table,
    dotted_key,
    range_text,
    show,
)
from sim.config.files import identity, is_path, locate, read_toml, shipped_names
from sim.config.params import Params, param_infos, param_types
from sim.config.scenario import (
    INTERVENTION_KINDS,
    SHOCK_KINDS,
    InterventionSpec,
    Scenario,
    ShockSpec,
)
from sim.config.structure import (
    DECISION_TYPES,
    DOMAINS,
    LINE,
    NUMBER_RANGES,
    STRUCTURE_PREFIX,
    TEAM_KINDS,
    Channel,
    Role,
    Structure,
)
from sim.errors import ConfigError

__all__ = [
    "SET_ORIGIN",
    "build_params",
    "check_param",
    "list_scenarios",
    "list_structures",
    "load_scenario",
    "load_structure",
    "parse_assignment",
    "parse_structure",
    "validate_file",
]

SET_ORIGIN = "--set"

_STRUCTURE_KEYS = ("description", "roles", "decision_rights", "reporting", "channels", "sources")
_ROLE_KEYS = ("attention_hours", "cost", "expertise", "specialism")
_ROLE_REQUIRED = ("attention_hours", "cost", "expertise")
_CHANNEL_KEYS = ("roles", "hours_per_tick", "goal_incongruence")
_SCENARIO_KEYS = ("description", "base", "params", "shocks", "interventions")
_SHOCK_KEYS = ("kind", "at", "window", "duration", "magnitude", "repeat", "every")
_INTERVENTION_KEYS = ("kind", "at", "duration", "magnitude", "structure")
# Shocks whose magnitude is a fraction rather than a multiplier.
_FRACTION_SHOCKS = ("staff_loss", "theme_reweighting")
# Keyword arguments of check_number for each numeric field of a shock or intervention; magnitude's
# bounds depend on the kind and are filled in where the kind is known.
_TIMING = {
    "at": {"integer": True, "low": 0, "unit": "tick"},
    "duration": {"integer": True, "low": 0, "unit": "ticks"},
    "repeat": {"integer": True, "low": 1, "unit": "occurrences"},
    "every": {"integer": True, "low": 0, "unit": "ticks between repeats"},
}
# Role names appear in reports, column names and the CLI, so keep them to plain identifiers.
_ROLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


# --- Names ----------------------------------------------------------------------------------------


def list_scenarios() -> list[str]:
    """Names of the shipped scenarios, sorted."""
    return shipped_names("scenarios")


def list_structures() -> list[str]:
    """Names of the shipped structures, sorted."""
    return shipped_names("structures")


# --- Structures -----------------------------------------------------------------------------------


def load_structure(name_or_path: str | Path) -> Structure:
    """Load and check a leadership structure.

    Args:
        name_or_path: A shipped structure's name (``"cio_cto_split"``), or a path: anything
            containing ``/`` or ending in ``.toml``, or a :class:`~pathlib.Path`.

    Returns:
        The structure, named after the file stem, roles in file order and decision rights in
        :data:`~sim.config.structure.DECISION_TYPES` order.

    Raises:
        ConfigError: For an unknown name, a missing or malformed file, an unknown or missing key,
            a wrong type, a value out of range, a reference to a role that does not exist, or a
            joint decision right between two roles without a channel.
    """
    path = locate("structures", name_or_path)
    return parse_structure(read_toml(path), str(path), path.stem)


def parse_structure(data: dict[str, Any], origin: str, name: str) -> Structure:
    """A checked structure from a file's table (``origin`` and ``name`` for messages and results).

    Raises:
        ConfigError: For anything :func:`load_structure` refuses.
    """
    required = ("roles", "decision_rights", "reporting")
    check_table(data, origin, "", _STRUCTURE_KEYS, required)
    description = check_str(data.get("description", ""), origin, "description")
    role_table = check_table(data["roles"], origin, "roles")
    if not role_table:
        raise ConfigError(f"{origin}: roles is empty; allowed at least one [roles.NAME] table")
    roles = tuple(_parse_role(n, v, origin) for n, v in role_table.items())
    names = tuple(role_table)

    rights = check_table(
        data["decision_rights"], origin, "decision_rights", DECISION_TYPES, DECISION_TYPES
    )
    decision_rights = tuple(
        (d, _parse_holders(rights[d], origin, f"decision_rights.{d}", names))
        for d in DECISION_TYPES
    )
    lines = check_table(data["reporting"], origin, "reporting", TEAM_KINDS, TEAM_KINDS)
    reporting = tuple((k, _role_ref(lines[k], origin, f"reporting.{k}", names)) for k in TEAM_KINDS)

    channels: list[Channel] = []
    for i, raw in enumerate(check_list(data.get("channels", []), origin, "channels")):
        channel = _parse_channel(raw, origin, f"channels[{i}]", names)
        for j, other in enumerate(channels):
            if set(other.roles) == set(channel.roles):
                raise ConfigError(
                    f"{origin}: channels[{i}].roles = {show(list(channel.roles))} repeats "
                    f"channels[{j}]; allowed one channel per pair of roles"
                )
        channels.append(channel)

    pairs = {frozenset(c.roles) for c in channels}
    for decision, holders in decision_rights:
        if len(holders) == 2 and frozenset(holders) not in pairs:
            a, b = holders
            raise ConfigError(
                f"{origin}: decision_rights.{decision} = {show(list(holders))} is a joint right "
                f"but there is no channel between {a} and {b}; allowed only with a [[channels]] "
                f'entry roles = ["{a}", "{b}"]'
            )
    structure = Structure(
        name=name,
        description=description,
        roles=roles,
        decision_rights=decision_rights,
        reporting=reporting,
        channels=tuple(channels),
    )
    if "sources" not in data:
        return structure
    sources = check_table(data["sources"], origin, "sources", list(structure.numbers()))
    cited = tuple((k, check_str(v, origin, dotted_key("sources", k))) for k, v in sources.items())
    return dataclasses.replace(structure, sources=cited)


def _parse_role(name: str, value: Any, origin: str) -> Role:
    where = dotted_key("roles", name)
    if not _ROLE_NAME.fullmatch(name) or name == LINE:
        raise ConfigError(
            f"{origin}: {where} is not a valid role name; allowed letters, digits and _, "
            f'starting with a letter, and not "{LINE}"'
        )
    table = check_table(value, origin, where, _ROLE_KEYS, _ROLE_REQUIRED)
    hours, cost = (
        check_number(table[k], origin, f"{where}.{k}", **NUMBER_RANGES[k])
        for k in ("attention_hours", "cost")
    )
    expertise = check_table(table["expertise"], origin, f"{where}.expertise", DOMAINS, DOMAINS)
    levels = {
        d: check_number(
            expertise[d], origin, f"{where}.expertise.{d}", **NUMBER_RANGES["expertise"]
        )
        for d in DOMAINS
    }
    specialism = table.get("specialism")
    if specialism is not None:
        specialism = check_str(specialism, origin, f"{where}.specialism", DOMAINS)
    return Role(name=name, attention_hours=hours, cost=cost, specialism=specialism, **levels)


def _role_ref(
    value: Any, origin: str, where: str, names: Sequence[str], allow_line: bool = False
) -> str:
    """Check that ``value`` names one of the roles (or ``"line"`` when allowed)."""
    choices = [*names, LINE] if allow_line else list(names)
    return check_str(
        value, origin, where, choices, allowed=f"a role name, one of {', '.join(choices)}"
    )


def _parse_holders(value: Any, origin: str, where: str, names: Sequence[str]) -> tuple[str, ...]:
    """A decision right's holders: one role, ``"line"``, or two distinct roles (a joint right)."""
    if not isinstance(value, list):
        return (_role_ref(value, origin, where, names, allow_line=True),)
    check_list(value, origin, where, length=2)
    a, b = (_role_ref(v, origin, f"{where}[{i}]", names) for i, v in enumerate(value))
    if a == b:
        raise ConfigError(
            f"{origin}: {where} = {show(value)} names {a} twice; allowed two distinct roles"
        )
    return (a, b)


def _parse_channel(value: Any, origin: str, where: str, names: Sequence[str]) -> Channel:
    table = check_table(value, origin, where, _CHANNEL_KEYS, _CHANNEL_KEYS)
    pair = check_list(table["roles"], origin, f"{where}.roles", length=2)
    a, b = (_role_ref(v, origin, f"{where}.roles[{i}]", names) for i, v in enumerate(pair))
    if a == b:
        raise ConfigError(
            f"{origin}: {where}.roles = {show(pair)} names {a} twice; allowed two distinct roles"
        )
    hours, incongruence = (
        check_number(table[k], origin, f"{where}.{k}", **NUMBER_RANGES[k])
        for k in ("hours_per_tick", "goal_incongruence")
    )
    return Channel(roles=(a, b), hours_per_tick=hours, goal_incongruence=incongruence)


# --- Scenarios ------------------------------------------------------------------------------------


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load and check a scenario, its ``base`` chain merged.

    Child parameters override the base's; a child's ``shocks`` or ``interventions`` replace the
    base's whenever the key is present (``shocks = []`` clears them).

    Args:
        name_or_path: A shipped scenario's name (``"incident_storm"``), or a path: anything
            containing ``/`` or ending in ``.toml``, or a :class:`~pathlib.Path`.

    Returns:
        The scenario, named after the file stem, parameters sorted by name.

    Raises:
        ConfigError: For an unknown name, a missing or malformed file, a base cycle, an unknown
            key, a wrong type or a value out of range anywhere in the chain, or a ``restructure``
            to a structure that does not load.
    """
    path = locate("scenarios", name_or_path)
    layer = _scenario_layer(path, ())
    return Scenario(
        name=path.stem,
        description=layer["description"],
        params=tuple(sorted(layer["params"].items())),
        shocks=layer["shocks"],
        interventions=layer["interventions"],
        source=str(path),
    )


def _scenario_layer(path: Path, chain: tuple[tuple[Path, str], ...]) -> dict[str, Any]:
    """One scenario file merged over its base; ``chain`` is the files that led here."""
    origin = str(path)
    chain = (*chain, (identity(path), origin))
    data = check_table(read_toml(path), origin, "", _SCENARIO_KEYS)
    merged: dict[str, Any] = {"params": {}, "shocks": (), "interventions": ()}
    if "base" in data:
        base = check_str(data["base"], origin, "base", allowed="a scenario name or path")
        base_path = locate("scenarios", base, origin=origin, where="base", relative_to=path.parent)
        seen = [ident for ident, _ in chain]
        if identity(base_path) in seen:
            start = seen.index(identity(base_path))
            loop = " -> ".join([shown for _, shown in chain[start:]] + [chain[start][1]])
            raise ConfigError(
                f"{origin}: base = {show(base)} makes a cycle ({loop}); allowed a chain of bases "
                "that ends"
            )
        merged = _scenario_layer(base_path, chain)
    merged["description"] = check_str(data.get("description", ""), origin, "description")
    params = check_table(data.get("params", {}), origin, "params")
    merged["params"] = merged["params"] | {
        k: check_param(k, v, origin, key=dotted_key("params", k)) for k, v in params.items()
    }
    if "shocks" in data:
        shocks = check_list(data["shocks"], origin, "shocks")
        merged["shocks"] = tuple(
            _parse_shock(s, origin, f"shocks[{i}]") for i, s in enumerate(shocks)
        )
    if "interventions" in data:
        items = check_list(data["interventions"], origin, "interventions")
        merged["interventions"] = tuple(
            _parse_intervention(v, origin, f"interventions[{i}]", path.parent)
            for i, v in enumerate(items)
        )
    return merged


def _numbers(table: dict[str, Any], origin: str, where: str, specs: dict[str, dict]) -> dict:
    """Check the numeric fields of ``table`` that are present, each by its ``specs`` entry."""
    return {
        k: check_number(table[k], origin, f"{where}.{k}", **spec)
        for k, spec in specs.items()
        if k in table
    }


def _parse_shock(value: Any, origin: str, where: str) -> ShockSpec:
    table = check_table(value, origin, where, _SHOCK_KEYS, ("kind",))
    kind = check_str(table["kind"], origin, f"{where}.kind", SHOCK_KINDS)
    if ("at" in table) == ("window" in table):
        which = "both" if "at" in table else "neither"
        raise ConfigError(
            f"{origin}: {where} has {which} of at and window; allowed exactly one: at = a tick, or "
            "window = [first, last] ticks to draw the start from"
        )
    fraction = kind in _FRACTION_SHOCKS
    magnitude = {"low": 0.0, "high": 1.0 if fraction else None}
    magnitude["unit"] = "fraction" if fraction else "multiplier"
    fields = _numbers(table, origin, where, _TIMING | {"magnitude": magnitude})
    if "window" in table:
        pair = check_list(table["window"], origin, f"{where}.window", length=2)
        first = check_number(pair[0], origin, f"{where}.window[0]", **_TIMING["at"])
        # The last tick of the window may not precede the first.
        last = check_number(
            pair[1], origin, f"{where}.window[1]", integer=True, low=first, unit="last tick"
        )
        fields["window"] = (first, last)
    shock = ShockSpec(kind=kind, **fields)
    if shock.repeat > 1 and shock.at is not None and shock.every < 1:
        raise ConfigError(
            f"{origin}: {where}.every = {shock.every} is out of range; allowed >= 1 when "
            f"repeat = {shock.repeat} with a fixed at"
        )
    return shock


def _parse_intervention(value: Any, origin: str, where: str, folder: Path) -> InterventionSpec:
    table = check_table(value, origin, where, _INTERVENTION_KEYS, ("kind", "at"))
    kind = check_str(table["kind"], origin, f"{where}.kind", INTERVENTION_KINDS)
    magnitude = {"low": 0.0, "high": 1.0 if kind == "debt_push" else None}
    magnitude["unit"] = "improvement share" if kind == "debt_push" else "hours per tick"
    specs = {"at": _TIMING["at"], "duration": _TIMING["duration"], "magnitude": magnitude}
    fields = _numbers(table, origin, where, specs)
    if kind == "restructure":
        if "structure" not in table:
            raise ConfigError(
                f"{origin}: missing key {where}.structure; required with kind = "
                '"restructure": a structure name or path'
            )
        target = check_str(table["structure"], origin, f"{where}.structure")
        path = locate(
            "structures", target, origin=origin, where=f"{where}.structure", relative_to=folder
        )
        try:
            load_structure(path)
        except ConfigError as exc:
            raise ConfigError(
                f"{origin}: {where}.structure = {show(target)} does not load: {exc}"
            ) from exc
        # A path is stored resolved, so the run finds it whatever its working directory.
        fields["structure"] = str(path) if is_path(target) else target
    elif "structure" in table:
        raise ConfigError(
            f"{origin}: {where}.structure is not allowed with kind = {show(kind)}; "
            'allowed only with kind = "restructure"'
        )
    return InterventionSpec(kind=kind, **fields)


# --- Parameters -----------------------------------------------------------------------------------


def build_params(
    scenario: Scenario, overrides: Mapping[str, Any] | None = None, *, origin: str = SET_ORIGIN
) -> Params:
    """The parameters of a run: defaults, then the scenario's overrides, then ``overrides``.

    Args:
        scenario: A loaded scenario.
        overrides: Extra parameter values, e.g. from ``--set``; checked like file values. Keys
            starting ``structure.`` are structure numbers: their values are checked here, and
            they are left to :func:`sim.config.structure_overrides.override_structure`.
        origin: How messages name where ``overrides`` came from.

    Returns:
        The checked, frozen parameters.

    Raises:
        ConfigError: For an unknown name, wrong type or out-of-range value; for inconsistent
            pairs (``team_size_min > team_size_max``, ``share_strategic + share_change > 1``,
            ``warmup >= steps``, ``improvement_share_min > improvement_share_max``); or for a
            shock or intervention that would start after the run ends.
    """
    source = scenario.source
    values = {k: check_param(k, v, source, key=dotted_key("params", k)) for k, v in scenario.params}
    extra = {str(k): check_param(k, v, origin) for k, v in (overrides or {}).items()}
    extra = {k: v for k, v in extra.items() if not k.startswith(STRUCTURE_PREFIX)}
    params = Params(**(values | extra))

    def blame(*names: str) -> str:
        return origin if any(n in extra for n in names) else source

    def shown(name: str) -> str:
        return f"{name} = {getattr(params, name)}"

    for low, high in (
        ("team_size_min", "team_size_max"),
        ("improvement_share_min", "improvement_share_max"),
    ):
        if getattr(params, low) > getattr(params, high):
            raise ConfigError(
                f"{blame(low, high)}: {shown(low)} is above {shown(high)}; allowed {low} <= {high}"
            )
    if params.warmup >= params.steps:
        raise ConfigError(
            f"{blame('warmup', 'steps')}: {shown('warmup')} is not below {shown('steps')}; "
            "allowed warmup < steps"
        )
    total = params.share_strategic + params.share_change
    if total > 1.0:
        raise ConfigError(
            f"{blame('share_strategic', 'share_change')}: share_strategic + share_change = "
            f"{params.share_strategic} + {params.share_change} = {total:g} is above 1; allowed a "
            "sum of at most 1 (the rest are service requests)"
        )
    _check_timing(scenario, params.steps, " from " + origin if "steps" in extra else "")
    return params


def _check_timing(scenario: Scenario, steps: int, steps_origin: str) -> None:
    """Check that every shock and intervention starts inside a run of ``steps`` ticks."""
    events: list[tuple[str, int, str]] = []
    for i, s in enumerate(scenario.shocks):
        if s.window is not None:
            events.append((f"shocks[{i}].window[1]", s.window[1], ""))
        elif s.at is not None:
            last = s.at + (s.repeat - 1) * s.every
            why = f" (repeat {s.repeat} every {s.every} from {s.at})" if s.repeat > 1 else ""
            events.append((f"shocks[{i}].at", last if why else s.at, why))
    events += [(f"interventions[{i}].at", v.at, "") for i, v in enumerate(scenario.interventions)]
    for where, tick, why in events:
        if tick >= steps:
            raise ConfigError(
                f"{scenario.source}: {where} = {tick}{why} is beyond the run; allowed 0 to "
                f"{steps - 1} (steps = {steps}{steps_origin})"
            )


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse one command-line ``--set key=value``.

    Args:
        text: ``"key=value"``; the value is converted by the parameter's type (``"1e3"`` is
            accepted for an integer parameter because it is integral). A key starting
            ``structure.`` names a number of the run's structure file (a float).

    Returns:
        ``(name, value)`` with the value checked like a file value.

    Raises:
        ConfigError: If ``text`` is not ``key=value``, the key is not a parameter, or the value
            does not convert or is out of range.
    """
    key, sep, raw = text.partition("=")
    key, raw = key.strip(), raw.strip()
    if not sep or not key:
        raise ConfigError(
            f"{SET_ORIGIN}: {show(text)} is not key=value; allowed e.g. --set request_rate=0.9"
        )
    if key.startswith(STRUCTURE_PREFIX):  # a structure number: a float, checked by its field
        number = _to_number(raw, integer=False)
        return key, check_param(key, raw if number is None else number, SET_ORIGIN)
    kind = param_types().get(key)
    if kind is None:
        check_param(key, None, SET_ORIGIN)  # raises the unknown-key message with a hint
    value = raw if kind is str else _to_number(raw, integer=kind is int)
    if value is None:
        info = param_infos()[key]
        wanted = "an integer" if kind is int else "a number"
        raise ConfigError(
            f"{SET_ORIGIN}: {key} = {show(raw)} is not {wanted}; allowed "
            f"{range_text(info.low, info.high, False, info.unit)}"
        )
    return key, check_param(key, value, SET_ORIGIN)


def _to_number(raw: str, *, integer: bool) -> int | float | None:
    """``raw`` as an int or float, or None; an integral float text such as "1e3" is an int."""
    try:
        return int(raw) if integer else float(raw)
    except ValueError:
        pass
    if integer:
        try:
            number = float(raw)
        except ValueError:
            return None
        if number.is_integer():
            return int(number)
    return None


# --- Any file -------------------------------------------------------------------------------------


def validate_file(path: str | Path) -> str:
    """Load one file fully, as a structure or a scenario, and say which it was.

    A file is a structure if it has a top-level key only structures have (``roles``,
    ``decision_rights``, ``reporting``, ``channels``, ``sources``) or lies in a folder named
    ``structures``; else a scenario, which is also turned into parameters, so its cross-checks
    run too. An empty file is neither: an empty table would pass as a scenario of defaults.

    Args:
        path: The file.

    Returns:
        ``"structure"`` or ``"scenario"``.

    Raises:
        ConfigError: For a missing or empty file or any problem loading it.
    """
    path = locate("scenarios", Path(path))  # a Path is never taken for a name
    data = read_toml(path)
    if not data:
        raise ConfigError(
            f"{path}: is empty; allowed a scenario (keys {', '.join(_SCENARIO_KEYS)}) or a "
            f"structure (keys {', '.join(_STRUCTURE_KEYS)}; roles required)"
        )
    structure_only = set(_STRUCTURE_KEYS) - set(_SCENARIO_KEYS)
    if structure_only & set(data) or path.parent.name == "structures":
        load_structure(path)
        return "structure"
    build_params(load_scenario(path))
    return "scenario"
