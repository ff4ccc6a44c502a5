"""The checks every loader of a file reuses, and the pieces of their one-line messages.

Each check takes the value as read, the file it came from (``origin``) and the dotted key it sits
under (``where``), and either returns the value or raises a :class:`~sim.errors.ConfigError` whose
message names the file, the key, the value and what is allowed. The loaders of structures and
scenarios (:mod:`sim.config.loaders`) and of experiments (:mod:`sim.experiments.spec`) build on
these, so the same mistake reads the same way in every kind of file.
"""

from __future__ import annotations

import datetime
import json
import math
import re
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.config.params import param_infos, param_types
from sim.config.structure import NUMBER_RANGES, STRUCTURE_PREFIX, number_field, number_forms
from sim.errors import ConfigError, did_you_mean

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_MAX_SHOWN = 60
_FLOAT_MAX = sys.float_info.max
# Numpy scalars that stand for a TOML value: experiment tools and notebooks pass them for numbers.
_NUMPY_PLAIN = (np.integer, np.floating, np.bool_, np.str_)


# --- Message helpers ------------------------------------------------------------------------------


def show(value: Any) -> str:
    """A value as it would be written in TOML, shortened so the message stays one readable line.

    Args:
        value: Any value read from a file or the command line.

    Returns:
        Its TOML-like text (``true``, ``"text"``, ``[1, 2]``), cut to at most 60 characters with
        ``...`` at the end when longer.
    """
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str | list | dict):
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (ValueError, RecursionError):  # cyclic or absurdly deep: still show something
            text = f"<{type_name(value)}>"
    else:
        text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def dotted_key(prefix: str, key: str | int) -> str:
    """The dotted display name of ``key`` inside ``prefix``; odd keys are quoted.

    Args:
        prefix: The enclosing key (``"params"``), or ``""`` at the top level.
        key: A table key, or an array index.

    Returns:
        ``"prefix.key"``, ``"prefix[3]"`` for an index, or ``key`` alone without a prefix; a
        key that is not a bare TOML key is shown quoted.
    """
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    shown = key if _BARE_KEY.fullmatch(key) else show(key)
    return f"{prefix}.{shown}" if prefix else shown


def type_name(value: Any) -> str:
    """What kind of value ``value`` is, for a message: its TOML kind, or else its exact type.

    Args:
        value: A value as :mod:`tomllib` reads it, or any value a caller passed.

    Returns:
        ``"a boolean"``, ``"an integer"``, ``"a float"``, ``"a string"``, ``"an array"``,
        ``"a table"`` or ``"a date or time"`` for the TOML types; ``"None"``; and for any other
        type its name, e.g. ``"numpy.float32"``, ``"a tuple"``, ``"decimal.Decimal"``.
    """
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string"}
    names |= {list: "an array", dict: "a table", type(None): "None"}
    kind = type(value)
    if kind in names:
        return names[kind]
    if kind in (datetime.datetime, datetime.date, datetime.time):
        return "a date or time"
    if kind.__module__ == "builtins":
        return f"a {kind.__qualname__}"
    # numpy's scalar types live in numpy._core; numpy.float32 is what users write.
    module = "numpy" if kind.__module__.startswith("numpy") else kind.__module__
    return f"{module}.{kind.__qualname__}"


def plain(value: Any) -> Any:
    """A numpy number, boolean or string as the Python value it holds; anything else unchanged.

    Overrides are converted at the boundary, so ``np.int64(3)`` and ``3`` make equal parameters
    with equal reprs, hashes, run ids and manifests.

    Args:
        value: Any value.

    Returns:
        ``value.item()`` for a numpy integer, float, bool or string scalar; ``value`` otherwise.
    """
    return value.item() if isinstance(value, _NUMPY_PLAIN) else value


LISTED = 20  # names an unknown-name message shows


def listing(name: str, choices: Sequence[str]) -> str:
    """``"allowed: a, b, c"`` (shortened when long), plus a did-you-mean hint when one is close.

    Args:
        name: The name that was given.
        choices: The names that are allowed.

    Returns:
        The text that ends a message about an unknown name.
    """
    # Lists of files (scenarios, structures) are shown whole; long ones (parameters) shortened.
    shown = ", ".join(choices[:LISTED]) + (
        f", ... ({len(choices)} in all)" if len(choices) > LISTED else ""
    )
    hint = did_you_mean(name, choices)
    return f"allowed: {shown or 'none'}" + (f"; {hint}" if hint else "")


def range_text(low: float | None, high: float | None, low_open: bool, unit: str) -> str:
    """The allowed range of a number, in words.

    Args:
        low: The lower bound, or None for none.
        high: The upper bound, or None for none.
        low_open: Whether ``low`` itself is excluded.
        unit: The unit, appended in parentheses when not empty.

    Returns:
        E.g. ``"0.0 to 1.0 (probability)"``, ``">= 1"``, ``"> 0.0 and <= 24.0"`` or
        ``"any value"``.
    """
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


def check_table(
    value: Any,
    origin: str,
    where: str,
    allowed: Sequence[str] | None = None,
    required: Sequence[str] = (),
) -> dict[str, Any]:
    """Check that ``value`` is a table whose keys are ``allowed`` (any if None) and ``required``.

    Args:
        value: The value as read.
        origin: The file it came from, for the message.
        where: Its dotted key, for the message (``""`` for the whole file).
        allowed: The keys the table may have; None allows any.
        required: The keys the table must have.

    Returns:
        ``value``, unchanged.

    Raises:
        ConfigError: If ``value`` is not a table, has a key not ``allowed`` (with a did-you-mean
            hint) or lacks a ``required`` one.
    """
    if not isinstance(value, dict):
        raise ConfigError(
            f"{origin}: {where} = {show(value)} is {type_name(value)}; allowed a table"
        )
    for key in value:
        if allowed is not None and key not in allowed:
            hint = did_you_mean(key, allowed) or listing(key, allowed)
            raise ConfigError(f"{origin}: unknown key {dotted_key(where, key)}; {hint}")
    for key in required:
        if key not in value:
            raise ConfigError(
                f"{origin}: missing key {dotted_key(where, key)}; required: {', '.join(required)}"
            )
    return value


def check_list(value: Any, origin: str, where: str, length: int | None = None) -> list[Any]:
    """Check that ``value`` is an array, of exactly ``length`` items when given.

    Args:
        value: The value as read.
        origin: The file it came from, for the message.
        where: Its dotted key, for the message.
        length: The number of items required, or None for any.

    Returns:
        ``value``, unchanged.

    Raises:
        ConfigError: If ``value`` is not an array, or has another number of items than
            ``length``.
    """
    if not isinstance(value, list):
        raise ConfigError(
            f"{origin}: {where} = {show(value)} is {type_name(value)}; allowed an array"
        )
    if length is not None and len(value) != length:
        raise ConfigError(
            f"{origin}: {where} = {show(value)} has {len(value)} items; allowed exactly {length}"
        )
    return value


def check_number(
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

    Args:
        value: The value as read.
        origin: The file it came from, for the message.
        where: Its dotted key, for the message.
        integer: Whether only an integer is allowed.
        low: The lower bound, or None for none.
        high: The upper bound (inclusive), or None for none.
        low_open: Whether ``low`` itself is excluded.
        unit: The unit, for the message.

    Returns:
        ``int(value)`` for integer fields, ``float(value)`` otherwise: numpy scalars are accepted
        as the Python numbers they hold (:func:`plain`), and returned as those.

    Raises:
        ConfigError: If ``value`` is not a number (``true`` is never one), not an integer when
            ``integer`` (a float is not, even when integral), not finite, too large for a float,
            or outside the bounds.
    """
    allowed = range_text(low, high, low_open, unit)
    given, value = value, plain(value)
    wanted = (int,) if integer else (int, float)
    # bool is a subclass of int; ``true`` for a number is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, wanted):
        kind = "an integer" if integer else "a number"
        raise ConfigError(
            f"{origin}: {where} = {show(given)} is {type_name(given)}, not {kind}; "
            f"allowed {allowed}"
        )
    below = low is not None and (value <= low if low_open else value < low)
    above = high is not None and value > high
    # TOML integers are unbounded in Python; one too large for a float is out of range too.
    too_big = not integer and isinstance(value, int) and abs(value) > _FLOAT_MAX
    if below or above or too_big or (isinstance(value, float) and not math.isfinite(value)):
        raise ConfigError(f"{origin}: {where} = {show(given)} is out of range; allowed {allowed}")
    return int(value) if integer else float(value)


def check_str(
    value: Any, origin: str, where: str, choices: Sequence[str] = (), allowed: str = ""
) -> str:
    """Check that ``value`` is a string (one of ``choices`` if given); ``allowed`` words errors.

    Args:
        value: The value as read.
        origin: The file it came from, for the message.
        where: Its dotted key, for the message.
        choices: The strings allowed; empty allows any.
        allowed: What the message says is allowed when ``value`` is not a string (by default
            the choices, or "a string").

    Returns:
        ``value`` as a plain :class:`str` (a ``numpy.str_`` is accepted and converted).

    Raises:
        ConfigError: If ``value`` is not a string, or not one of ``choices``.
    """
    if not isinstance(value, str):
        allowed = allowed or (f"one of {', '.join(choices)}" if choices else "a string")
        raise ConfigError(
            f"{origin}: {where} = {show(value)} is {type_name(value)}; allowed {allowed}"
        )
    if choices and value not in choices:
        raise ConfigError(
            f"{origin}: {where} = {show(value)} is not allowed; {listing(value, choices)}"
        )
    return str(value)


def check_param(name: str, value: Any, origin: str, *, key: str | None = None) -> Any:
    """Check one :class:`~sim.config.params.Params` value: the check files and overrides share.

    A name starting ``structure.`` is a number of the run's structure file
    (:func:`check_structure_number`); its value is checked here, whether the structure has it
    where the structure is known (:mod:`sim.config.structure_overrides`).

    Args:
        name: The parameter's name.
        value: Its value as read (TOML, converted from the command line, or from Python, numpy
            scalars included).
        origin: Where the value came from, for the message: a file path or ``"--set"``.
        key: How to name the key in the message (e.g. ``"params.steps"``); defaults to ``name``.

    Returns:
        The value as a plain Python ``int``, ``float`` or ``str`` (an ``int`` converted to
        ``float`` for float parameters).

    Raises:
        ConfigError: If ``name`` is not a parameter, or the value has the wrong type (``bool``
            is never a number) or lies outside the parameter's range or choices.
    """
    name = str(name)
    if name.startswith(STRUCTURE_PREFIX):
        return check_structure_number(name, value, origin, key=key)
    shown = key or dotted_key("", name)
    infos = param_infos()
    if name not in infos:
        hint = did_you_mean(name, infos) or "see `itlead list` for the parameter names"
        raise ConfigError(f"{origin}: unknown key {shown}; {hint}")
    info, kind = infos[name], param_types()[name]
    if kind is str:
        return check_str(value, origin, shown, info.choices)
    return check_number(
        value, origin, shown, integer=kind is int, low=info.low, high=info.high, unit=info.unit
    )


def check_structure_number(name: str, value: Any, origin: str, *, key: str | None = None) -> float:
    """Check one override of a structure number: its key's form and its value's range.

    Args:
        name: The override's key: :data:`~sim.config.structure.STRUCTURE_PREFIX` and a dotted key
            of the form :func:`~sim.config.structure.number_field` knows, e.g.
            ``"structure.roles.CTO.attention_hours"``.
        value: The value, checked as the structure file's own number would be.
        origin: Where it came from, for the message.
        key: How to name the key in the message; defaults to ``name``.

    Returns:
        The value as a float.

    Raises:
        ConfigError: If the key has none of the forms (with a did-you-mean hint), or the value
            is not a number in the field's range. Whether a structure has the role or channel is
            not checked here.
    """
    shown = key or name
    field = number_field(name.removeprefix(STRUCTURE_PREFIX))
    if field is None:
        parts = name.removeprefix(STRUCTURE_PREFIX).split(".")
        role = parts[1] if len(parts) > 1 and _BARE_KEY.fullmatch(parts[1]) else "CIO"
        index = parts[1] if len(parts) > 1 and parts[1].isdecimal() else "0"
        forms = [STRUCTURE_PREFIX + f for f in number_forms(role, index)]
        hint = did_you_mean(name, forms) or (
            "allowed structure.roles.<ROLE>.attention_hours, .cost or .expertise.<business|"
            "technical|people>, or structure.channels.<i>.hours_per_tick or .goal_incongruence"
        )
        raise ConfigError(f"{origin}: unknown key {shown}; {hint}")
    return check_number(value, origin, shown, **NUMBER_RANGES[field])
