"""Loading structures and scenarios from TOML, with every check made here, at the boundary.

Nothing past this module sees an unchecked value: a loaded :class:`~sim.structure.Structure`,
:class:`~sim.scenario.Scenario` or :class:`~sim.params.Params` is frozen and valid, and every
problem in a file, a ``--set`` override or a name is a :class:`~sim.errors.ConfigError` whose
one-line message names the file, the key, the value and what is allowed. The shipped files in
``structures/`` and ``scenarios/`` show the formats.
"""

from __future__ import annotations

import json
import math
import re
import sys
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.config.params import Params, param_infos, param_types
from sim.config.paths import data_dir
from sim.config.scenario import (
    INTERVENTION_KINDS,
    SHOCK_KINDS,
    InterventionSpec,
    Scenario,
    ShockSpec,
)
from sim.config.structure import DECISION_TYPES, DOMAINS, LINE, TEAM_KINDS, Channel, Role, Structure
from sim.errors import ConfigError, did_you_mean

SET_ORIGIN = "--set"

_STRUCTURE_KEYS = ("description", "roles", "decision_rights", "reporting", "channels")
_ROLE_KEYS = ("attention_hours", "cost", "expertise")
_CHANNEL_KEYS = ("roles", "hours_per_tick", "goal_incongruence")
_SCENARIO_KEYS = ("description", "base", "params", "shocks", "interventions")
_SHOCK_KEYS = ("kind", "at", "window", "duration", "magnitude", "repeat", "every")
_INTERVENTION_KEYS = ("kind", "at", "duration", "magnitude", "structure")
# Shocks whose magnitude is a fraction rather than a multiplier.
_FRACTION_SHOCKS = ("staff_loss", "theme_reweighting")
# Keyword arguments of _check_number for each numeric field of a shock or intervention; magnitude's
# bounds depend on the kind and are filled in where the kind is known.
_TIMING = {
    "at": {"integer": True, "low": 0, "unit": "tick"},
    "duration": {"integer": True, "low": 0, "unit": "ticks"},
    "repeat": {"integer": True, "low": 1, "unit": "occurrences"},
    "every": {"integer": True, "low": 0, "unit": "ticks between repeats"},
}
# Role names appear in reports, column names and the CLI, so keep them to plain identifiers.
_ROLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_MAX_SHOWN = 60
_FLOAT_MAX = sys.float_info.max


# --- Message helpers ------------------------------------------------------------------------------


def _show(value: Any) -> str:
    """A value as it would be written in TOML, shortened so the message stays one readable line."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str | list | dict):
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (ValueError, RecursionError):  # cyclic or absurdly deep: still show something
            text = f"<{_type_name(value)}>"
    else:
        text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _key(prefix: str, key: str | int) -> str:
    """The dotted display name of ``key`` inside ``prefix``; odd keys are quoted."""
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    shown = key if _BARE_KEY.fullmatch(key) else _show(key)
    return f"{prefix}.{shown}" if prefix else shown


def _type_name(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string"}
    names |= {list: "an array", dict: "a table"}
    return names.get(type(value), "a date or time")


def _listing(name: str, choices: Sequence[str]) -> str:
    """``"allowed: a, b, c"`` (shortened when long), plus a did-you-mean hint when one is close."""
    shown = ", ".join(choices[:12]) + (
        f", ... ({len(choices)} in all)" if len(choices) > 12 else ""
    )
    hint = did_you_mean(name, choices)
    return f"allowed: {shown or 'none'}" + (f"; {hint}" if hint else "")


def _range_text(low: float | None, high: float | None, low_open: bool, unit: str) -> str:
    if low is None and high is None:
        text = "any value"
    elif high is None:
        text = f"{'>' if low_open else '>='} {low}"
    elif low_open:
        text = f"> {low} and <= {high}"
    else:
        text = f"{low} to {high}"
    return f"{text} ({unit})" if unit else text


# --- The generic checks every loader reuses -------------------------------------------------------


def _check_table(
    value: Any,
    origin: str,
    where: str,
    allowed: Sequence[str] | None = None,
    required: Sequence[str] = (),
) -> dict[str, Any]:
    """Check that ``value`` is a table whose keys are ``allowed`` (any if None) and ``required``."""
    if not isinstance(value, dict):
        raise ConfigError(
            f"{origin}: {where} = {_show(value)} is {_type_name(value)}; allowed a table"
        )
    for key in value:
        if allowed is not None and key not in allowed:
            hint = did_you_mean(key, allowed) or _listing(key, allowed)
            raise ConfigError(f"{origin}: unknown key {_key(where, key)}; {hint}")
    for key in required:
        if key not in value:
            raise ConfigError(
                f"{origin}: missing key {_key(where, key)}; required: {', '.join(required)}"
            )
    return value


def _check_list(value: Any, origin: str, where: str, length: int | None = None) -> list[Any]:
    """Check that ``value`` is an array, of exactly ``length`` items when given."""
    if not isinstance(value, list):
        raise ConfigError(
            f"{origin}: {where} = {_show(value)} is {_type_name(value)}; allowed an array"
        )
    if length is not None and len(value) != length:
        raise ConfigError(
            f"{origin}: {where} = {_show(value)} has {len(value)} items; allowed exactly {length}"
        )
    return value


def _check_number(
    value: Any,
    origin: str,
    where: str,
    *,
    integer: bool = False,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    unit: str = "",
) -> Any:
    """Check that ``value`` is a finite number in range; float fields also accept integers.

    Returns:
        ``value`` unchanged for integer fields, ``float(value)`` otherwise.
    """
    allowed = _range_text(low, high, low_open, unit)
    wanted = (int,) if integer else (int, float)
    # bool is a subclass of int; ``true`` for a number is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, wanted):
        kind = "an integer" if integer else "a number"
        raise ConfigError(
            f"{origin}: {where} = {_show(value)} is {_type_name(value)}, not {kind}; "
            f"allowed {allowed}"
        )
    below = low is not None and (value <= low if low_open else value < low)
    above = high is not None and value > high
    # TOML integers are unbounded in Python; one too large for a float is out of range too.
    too_big = not integer and isinstance(value, int) and abs(value) > _FLOAT_MAX
    if below or above or too_big or (isinstance(value, float) and not math.isfinite(value)):
        raise ConfigError(f"{origin}: {where} = {_show(value)} is out of range; allowed {allowed}")
    return value if integer else float(value)


def _check_str(
    value: Any, origin: str, where: str, choices: Sequence[str] = (), allowed: str = ""
) -> str:
    """Check that ``value`` is a string (one of ``choices`` if given); ``allowed`` words errors."""
    if not isinstance(value, str):
        allowed = allowed or (f"one of {', '.join(choices)}" if choices else "a string")
        raise ConfigError(
            f"{origin}: {where} = {_show(value)} is {_type_name(value)}; allowed {allowed}"
        )
    if choices and value not in choices:
        raise ConfigError(
            f"{origin}: {where} = {_show(value)} is not allowed; {_listing(value, choices)}"
        )
    return value


def check_param(name: str, value: Any, origin: str, *, key: str | None = None) -> Any:
    """Check one :class:`~sim.params.Params` value: the check files and overrides share.

    Args:
        name: The parameter's name.
        value: Its value as read (TOML or converted from the command line).
        origin: Where the value came from, for the message: a file path or ``"--set"``.
        key: How to name the key in the message (e.g. ``"params.steps"``); defaults to ``name``.

    Returns:
        The value, an ``int`` converted to ``float`` for float parameters.

    Raises:
        ConfigError: If ``name`` is not a parameter, or the value has the wrong type (``bool``
            is never a number) or lies outside the parameter's range or choices.
    """
    name = str(name)
    shown = key or _key("", name)
    infos = param_infos()
    if name not in infos:
        hint = did_you_mean(name, infos) or "see `itlead list` for the parameter names"
        raise ConfigError(f"{origin}: unknown key {shown}; {hint}")
    info, kind = infos[name], param_types()[name]
    if kind is str:
        return _check_str(value, origin, shown, info.choices)
    return _check_number(
        value, origin, shown, integer=kind is int, low=info.low, high=info.high, unit=info.unit
    )


# --- Files and names ------------------------------------------------------------------------------


def _names(kind: str) -> list[str]:
    folder = data_dir(kind)
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def list_scenarios() -> list[str]:
    """Names of the shipped scenarios, sorted."""
    return _names("scenarios")


def list_structures() -> list[str]:
    """Names of the shipped structures, sorted."""
    return _names("structures")


def _is_path(name_or_path: str | Path) -> bool:
    text = str(name_or_path)
    return isinstance(name_or_path, Path) or "/" in text or "\\" in text or text.endswith(".toml")


def _locate(
    kind: str,
    name_or_path: str | Path,
    *,
    origin: str = "",
    where: str = "",
    relative_to: Path | None = None,
) -> Path:
    """The file a name or path refers to; a path is relative to ``relative_to`` when given.

    ``origin``/``where`` name the file and key that referred to it (empty for a top-level call).
    """
    referrer = f"{origin}: {where} = {_show(str(name_or_path))}" if where else ""
    if _is_path(name_or_path):
        path = Path(name_or_path)
        if relative_to is not None and not path.is_absolute():
            path = relative_to / path
        if not path.is_file():
            raise ConfigError(
                f"{referrer} names no file ({path})" if where else f"{path}: no such file"
            )
        return path
    name, names = str(name_or_path), _names(kind)
    if name not in names:
        what = kind.removesuffix("s")
        start = f"{referrer} is not a known {what}" if where else f"unknown {what} {_show(name)}"
        raise ConfigError(f"{start}; {_listing(name, names)} (or give a path to a .toml file)")
    return data_dir(kind) / f"{name}.toml"


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """A file's text; every way reading or decoding can fail becomes a ConfigError."""
    try:
        return path.read_bytes().decode(encoding)
    except UnicodeDecodeError as exc:  # before ValueError, its base class
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(f"{path}: cannot read file ({reason})") from exc


def _read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; every way reading or parsing can fail becomes a ConfigError."""
    text = read_text(path)
    try:
        return tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or an integer of more than 4300 digits
        raise ConfigError(f"{path}: malformed TOML: {exc}") from exc
    except RecursionError as exc:  # arrays nested thousands deep
        raise ConfigError(f"{path}: malformed TOML: nested too deeply") from exc


def _identity(path: Path) -> Path:
    """A path's canonical form, so the same file reached two ways is recognised in a base chain."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


# --- Structures -----------------------------------------------------------------------------------


def load_structure(name_or_path: str | Path) -> Structure:
    """Load and check a leadership structure.

    Args:
        name_or_path: A shipped structure's name (``"cio_cto_split"``), or a path: anything
            containing ``/`` or ending in ``.toml``, or a :class:`~pathlib.Path`.

    Returns:
        The structure, named after the file stem, roles in file order and decision rights in
        :data:`~sim.structure.DECISION_TYPES` order.

    Raises:
        ConfigError: For an unknown name, a missing or malformed file, an unknown or missing key,
            a wrong type, a value out of range, a reference to a role that does not exist, or a
            joint decision right between two roles without a channel.
    """
    path = _locate("structures", name_or_path)
    return _parse_structure(_read_toml(path), str(path), path.stem)


def _parse_structure(data: dict[str, Any], origin: str, name: str) -> Structure:
    required = ("roles", "decision_rights", "reporting")
    _check_table(data, origin, "", _STRUCTURE_KEYS, required)
    description = _check_str(data.get("description", ""), origin, "description")
    role_table = _check_table(data["roles"], origin, "roles")
    if not role_table:
        raise ConfigError(f"{origin}: roles is empty; allowed at least one [roles.NAME] table")
    roles = tuple(_parse_role(n, v, origin) for n, v in role_table.items())
    names = tuple(role_table)

    rights = _check_table(
        data["decision_rights"], origin, "decision_rights", DECISION_TYPES, DECISION_TYPES
    )
    decision_rights = tuple(
        (d, _parse_holders(rights[d], origin, f"decision_rights.{d}", names))
        for d in DECISION_TYPES
    )
    lines = _check_table(data["reporting"], origin, "reporting", TEAM_KINDS, TEAM_KINDS)
    reporting = tuple((k, _role_ref(lines[k], origin, f"reporting.{k}", names)) for k in TEAM_KINDS)

    channels: list[Channel] = []
    for i, raw in enumerate(_check_list(data.get("channels", []), origin, "channels")):
        channel = _parse_channel(raw, origin, f"channels[{i}]", names)
        for j, other in enumerate(channels):
            if set(other.roles) == set(channel.roles):
                raise ConfigError(
                    f"{origin}: channels[{i}].roles = {_show(list(channel.roles))} repeats "
                    f"channels[{j}]; allowed one channel per pair of roles"
                )
        channels.append(channel)

    pairs = {frozenset(c.roles) for c in channels}
    for decision, holders in decision_rights:
        if len(holders) == 2 and frozenset(holders) not in pairs:
            a, b = holders
            raise ConfigError(
                f"{origin}: decision_rights.{decision} = {_show(list(holders))} is a joint right "
                f"but there is no channel between {a} and {b}; allowed only with a [[channels]] "
                f'entry roles = ["{a}", "{b}"]'
            )
    return Structure(
        name=name,
        description=description,
        roles=roles,
        decision_rights=decision_rights,
        reporting=reporting,
        channels=tuple(channels),
    )


def _parse_role(name: str, value: Any, origin: str) -> Role:
    where = _key("roles", name)
    if not _ROLE_NAME.fullmatch(name) or name == LINE:
        raise ConfigError(
            f"{origin}: {where} is not a valid role name; allowed letters, digits and _, "
            f'starting with a letter, and not "{LINE}"'
        )
    table = _check_table(value, origin, where, _ROLE_KEYS, _ROLE_KEYS)
    hours = _check_number(
        table["attention_hours"],
        origin,
        f"{where}.attention_hours",
        low=0.0,
        high=24.0,
        low_open=True,
        unit="hours per tick",
    )
    cost = _check_number(
        table["cost"], origin, f"{where}.cost", low=0.0, unit="cost units per tick"
    )
    expertise = _check_table(table["expertise"], origin, f"{where}.expertise", DOMAINS, DOMAINS)
    levels = {
        d: _check_number(
            expertise[d], origin, f"{where}.expertise.{d}", low=0.0, high=1.0, low_open=True
        )
        for d in DOMAINS
    }
    return Role(name=name, attention_hours=hours, cost=cost, **levels)


def _role_ref(
    value: Any, origin: str, where: str, names: Sequence[str], allow_line: bool = False
) -> str:
    """Check that ``value`` names one of the roles (or ``"line"`` when allowed)."""
    choices = [*names, LINE] if allow_line else list(names)
    return _check_str(
        value, origin, where, choices, allowed=f"a role name, one of {', '.join(choices)}"
    )


def _parse_holders(value: Any, origin: str, where: str, names: Sequence[str]) -> tuple[str, ...]:
    """A decision right's holders: one role, ``"line"``, or two distinct roles (a joint right)."""
    if not isinstance(value, list):
        return (_role_ref(value, origin, where, names, allow_line=True),)
    _check_list(value, origin, where, length=2)
    a, b = (_role_ref(v, origin, f"{where}[{i}]", names) for i, v in enumerate(value))
    if a == b:
        raise ConfigError(
            f"{origin}: {where} = {_show(value)} names {a} twice; allowed two distinct roles"
        )
    return (a, b)


def _parse_channel(value: Any, origin: str, where: str, names: Sequence[str]) -> Channel:
    table = _check_table(value, origin, where, _CHANNEL_KEYS, _CHANNEL_KEYS)
    pair = _check_list(table["roles"], origin, f"{where}.roles", length=2)
    a, b = (_role_ref(v, origin, f"{where}.roles[{i}]", names) for i, v in enumerate(pair))
    if a == b:
        raise ConfigError(
            f"{origin}: {where}.roles = {_show(pair)} names {a} twice; allowed two distinct roles"
        )
    hours = _check_number(
        table["hours_per_tick"],
        origin,
        f"{where}.hours_per_tick",
        low=0.0,
        high=24.0,
        unit="hours per tick",
    )
    incongruence = _check_number(
        table["goal_incongruence"],
        origin,
        f"{where}.goal_incongruence",
        low=0.0,
        high=1.0,
        unit="probability",
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
    path = _locate("scenarios", name_or_path)
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
    chain = (*chain, (_identity(path), origin))
    data = _check_table(_read_toml(path), origin, "", _SCENARIO_KEYS)
    merged: dict[str, Any] = {"params": {}, "shocks": (), "interventions": ()}
    if "base" in data:
        base = _check_str(data["base"], origin, "base", allowed="a scenario name or path")
        base_path = _locate("scenarios", base, origin=origin, where="base", relative_to=path.parent)
        seen = [ident for ident, _ in chain]
        if _identity(base_path) in seen:
            start = seen.index(_identity(base_path))
            loop = " -> ".join([shown for _, shown in chain[start:]] + [chain[start][1]])
            raise ConfigError(
                f"{origin}: base = {_show(base)} makes a cycle ({loop}); allowed a chain of bases "
                "that ends"
            )
        merged = _scenario_layer(base_path, chain)
    merged["description"] = _check_str(data.get("description", ""), origin, "description")
    params = _check_table(data.get("params", {}), origin, "params")
    merged["params"] = merged["params"] | {
        k: check_param(k, v, origin, key=_key("params", k)) for k, v in params.items()
    }
    if "shocks" in data:
        shocks = _check_list(data["shocks"], origin, "shocks")
        merged["shocks"] = tuple(
            _parse_shock(s, origin, f"shocks[{i}]") for i, s in enumerate(shocks)
        )
    if "interventions" in data:
        items = _check_list(data["interventions"], origin, "interventions")
        merged["interventions"] = tuple(
            _parse_intervention(v, origin, f"interventions[{i}]", path.parent)
            for i, v in enumerate(items)
        )
    return merged


def _numbers(table: dict[str, Any], origin: str, where: str, specs: dict[str, dict]) -> dict:
    """Check the numeric fields of ``table`` that are present, each by its ``specs`` entry."""
    return {
        k: _check_number(table[k], origin, f"{where}.{k}", **spec)
        for k, spec in specs.items()
        if k in table
    }


def _parse_shock(value: Any, origin: str, where: str) -> ShockSpec:
    table = _check_table(value, origin, where, _SHOCK_KEYS, ("kind",))
    kind = _check_str(table["kind"], origin, f"{where}.kind", SHOCK_KINDS)
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
        pair = _check_list(table["window"], origin, f"{where}.window", length=2)
        first = _check_number(pair[0], origin, f"{where}.window[0]", **_TIMING["at"])
        # The last tick of the window may not precede the first.
        last = _check_number(
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
    table = _check_table(value, origin, where, _INTERVENTION_KEYS, ("kind", "at"))
    kind = _check_str(table["kind"], origin, f"{where}.kind", INTERVENTION_KINDS)
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
        target = _check_str(table["structure"], origin, f"{where}.structure")
        path = _locate(
            "structures", target, origin=origin, where=f"{where}.structure", relative_to=folder
        )
        try:
            load_structure(path)
        except ConfigError as exc:
            raise ConfigError(
                f"{origin}: {where}.structure = {_show(target)} does not load: {exc}"
            ) from exc
        # A path is stored resolved, so the run finds it whatever its working directory.
        fields["structure"] = str(path) if _is_path(target) else target
    elif "structure" in table:
        raise ConfigError(
            f"{origin}: {where}.structure is not allowed with kind = {_show(kind)}; "
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
        overrides: Extra parameter values, e.g. from ``--set``; checked like file values.
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
    values = {k: check_param(k, v, source, key=_key("params", k)) for k, v in scenario.params}
    extra = {str(k): check_param(k, v, origin) for k, v in (overrides or {}).items()}
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
            accepted for an integer parameter because it is integral).

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
            f"{SET_ORIGIN}: {_show(text)} is not key=value; allowed e.g. --set request_rate=0.9"
        )
    kind = param_types().get(key)
    if kind is None:
        check_param(key, None, SET_ORIGIN)  # raises the unknown-key message with a hint
    value = raw if kind is str else _to_number(raw, integer=kind is int)
    if value is None:
        info = param_infos()[key]
        wanted = "an integer" if kind is int else "a number"
        raise ConfigError(
            f"{SET_ORIGIN}: {key} = {_show(raw)} is not {wanted}; allowed "
            f"{_range_text(info.low, info.high, False, info.unit)}"
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
    """Load one file fully, as a structure if it has a top-level ``roles`` table, else a scenario.

    A scenario is also turned into parameters, so its cross-checks run too.

    Args:
        path: The file.

    Returns:
        ``"structure"`` or ``"scenario"``.

    Raises:
        ConfigError: For a missing file or any problem loading it.
    """
    path = _locate("scenarios", Path(path))  # a Path is never taken for a name
    if "roles" in _read_toml(path):
        load_structure(path)
        return "structure"
    build_params(load_scenario(path))
    return "scenario"
