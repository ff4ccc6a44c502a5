"""Every number in a structure file is a parameter: overrides by dotted ``structure.`` keys.

``--set``, :func:`sim.run` keywords, and experiment constants and uncertainties name a number of
the run's structure by its dotted key after ``structure.``:

- ``structure.roles.<ROLE>.attention_hours``, ``structure.roles.<ROLE>.cost``,
  ``structure.roles.<ROLE>.expertise.<business|technical|people>``;
- ``structure.channels.<i>.hours_per_tick``, ``structure.channels.<i>.goal_incongruence``, ``i``
  the 0-based index of the ``[[channels]]`` entry in file order.

A single run with a key its structure lacks is an error; an experiment or a comparison of several
structures gives each run only the keys its structure has, and refuses a key none of them has.
The overrides change the structure a run starts with; the target of a ``restructure``
intervention is loaded from its file as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sim.config.checks import check_param, listing
from sim.config.loaders import parse_structure
from sim.config.structure import DOMAINS, LINE, STRUCTURE_PREFIX, Structure
from sim.errors import ConfigError

__all__ = [
    "check_structure_keys",
    "is_structure_key",
    "override_structure",
    "overrides_for",
    "split_overrides",
    "structure_data",
    "structure_keys",
]


def is_structure_key(key: Any) -> bool:
    """Whether an override's key names a structure number (starts ``structure.``)."""
    return str(key).startswith(STRUCTURE_PREFIX)


def structure_keys(structure: Structure) -> list[str]:
    """The override keys of every number of ``structure``, prefixed ``structure.``, file order."""
    return [STRUCTURE_PREFIX + k for k in structure.numbers()]


def split_overrides(overrides: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Overrides cut into ``(parameters, structure numbers)``, each in the given order."""
    params = {str(k): v for k, v in overrides.items() if not is_structure_key(k)}
    numbers = {str(k): v for k, v in overrides.items() if is_structure_key(k)}
    return params, numbers


def overrides_for(structure: Structure, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``overrides`` without the structure numbers ``structure`` does not have.

    Args:
        structure: The structure of one run.
        overrides: Overrides of parameters and structure numbers, e.g. an experiment's constants
            and a design point.

    Returns:
        The parameter overrides and the structure numbers ``structure`` has, in the given order:
        what a run of ``structure`` receives from an experiment of several structures.
    """
    own = set(structure_keys(structure))
    return {k: v for k, v in overrides.items() if not is_structure_key(k) or k in own}


def check_structure_keys(
    keys: Mapping[str, str], structures: Sequence[Structure], origin: str
) -> None:
    """Check that each structure number named exists in at least one of ``structures``.

    Args:
        keys: Override key -> how the message names it (e.g. ``"uncertainties.structure.x"``);
            keys that are not structure numbers are ignored.
        structures: The structures the overrides are for (an experiment's, or those compared).
        origin: Where the keys came from, for the message.

    Raises:
        ConfigError: Naming the first key no structure has, the structures, and their keys,
            with a did-you-mean hint.
    """
    known = list(dict.fromkeys(k for s in structures for k in structure_keys(s)))
    for key, where in keys.items():
        if is_structure_key(key) and key not in known:
            names = ", ".join(s.name for s in structures)
            which = (
                f"structure {names}" if len(structures) == 1 else f"any of the structures {names}"
            )
            raise ConfigError(
                f"{origin}: {where} is not a number of {which}; {listing(key, known)}"
            )


def override_structure(
    structure: Structure, overrides: Mapping[str, Any], origin: str
) -> Structure:
    """``structure`` with some of its numbers replaced, rebuilt through the file's own checks.

    Args:
        structure: A loaded structure.
        overrides: Structure-number key (``"structure.roles.CTO.attention_hours"``) -> value;
            keys that are not structure numbers are ignored.
        origin: Where the overrides came from, for messages (``"--set"``, ``"run() keyword"``).

    Returns:
        ``structure`` itself when no structure number is given (so a run without one is exactly
        the run it was), else a new structure of the same name with the values replaced.

    Raises:
        ConfigError: One line naming ``origin``, the key and the value: for a key ``structure``
            does not have (listing its keys, with a did-you-mean hint), or a value that is not a
            number in the field's range (e.g. attention hours above 24).
    """
    _, numbers = split_overrides(overrides)
    if not numbers:
        return structure
    keys = structure_keys(structure)
    data = structure_data(structure)
    for key, value in numbers.items():
        if key not in keys:
            raise ConfigError(
                f"{origin}: {key} is not a number of structure {structure.name}; "
                f"{listing(key, keys)}"
            )
        _assign(data, key.removeprefix(STRUCTURE_PREFIX), check_param(key, value, origin))
    return parse_structure(data, origin, structure.name)


def structure_data(structure: Structure) -> dict[str, Any]:
    """``structure`` as the table its TOML file would read as, so the loader can rebuild it."""
    roles = {}
    for r in structure.roles:
        role: dict[str, Any] = {"attention_hours": r.attention_hours, "cost": r.cost}
        role["expertise"] = {d: r.expertise(d) for d in DOMAINS}
        if r.specialism is not None:
            role["specialism"] = r.specialism
        roles[r.name] = role
    rights = {d: _holders(h) for d, h in structure.decision_rights}
    data: dict[str, Any] = {
        "description": structure.description,
        "roles": roles,
        "decision_rights": rights,
        "reporting": dict(structure.reporting),
        "channels": [
            {
                "roles": list(c.roles),
                "hours_per_tick": c.hours_per_tick,
                "goal_incongruence": c.goal_incongruence,
            }
            for c in structure.channels
        ],
    }
    if structure.sources:
        data["sources"] = dict(structure.sources)
    return data


def _holders(holders: Iterable[str]) -> str | list[str]:
    """A decision right's holders as the file writes them: a name, ``"line"``, or a pair."""
    names = list(holders)
    return names[0] if len(names) == 1 or names == [LINE] else names


def _assign(data: dict[str, Any], key: str, value: float) -> None:
    """Set the number under dotted ``key`` (see :meth:`Structure.numbers`) in ``data``."""
    kind, name, *rest = key.split(".")
    if kind == "channels":
        data["channels"][int(name)][rest[0]] = value
    elif rest[0] == "expertise":
        data["roles"][name]["expertise"][rest[1]] = value
    else:
        data["roles"][name][rest[0]] = value


def check_override_tables(
    tables: Mapping[str, Any], structures: Sequence[Structure], origin: str
) -> None:
    """Check the structure numbers an experiment file's override tables name.

    Args:
        tables: Table name -> table as read, e.g. ``{"constants": {...}, "uncertainties": {...}}``
            (a value that is not a table is left for the table's own check).
        structures: The experiment's structures.
        origin: The file, for the message.

    Raises:
        ConfigError: For a nested ``structure`` table (the key must be one quoted dotted key, as
            ``constants."structure.roles.CTO.cost"``), or a key in none of ``structures``.
    """
    for name, table in tables.items():
        if not isinstance(table, dict):
            continue
        if isinstance(table.get("structure"), dict):
            raise ConfigError(
                f"{origin}: {name}.structure is a table; allowed a structure number as one "
                f'quoted key, e.g. {name}."structure.roles.CIO.attention_hours"'
            )
        where = {k: f'{name}."{k}"' for k in table if is_structure_key(k)}
        check_structure_keys(where, structures, origin)
