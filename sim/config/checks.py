"""The checks every loader of a file reuses, and the pieces of their one-line messages.

Each check takes the value as read, the file it came from (``origin``) and the dotted key it sits
under (``where``), and either returns the value or raises a :class:`~sim.errors.ConfigError` whose
message names the file, the key, the value and what is allowed. The loaders of structures and
scenarios (:mod:`sim.config.loaders`) and of experiments (:mod:`sim.experiments.spec`) build on
these, so the same mistake reads the same way in every kind of file.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Sequence
from typing import Any

from sim.config.params import param_infos, param_types
from sim.errors import ConfigError, did_you_mean

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_MAX_SHOWN = 60
_FLOAT_MAX = sys.float_info.max


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
    """What kind of TOML value ``value`` is, with its article, for a message.

    Args:
        value: A value as :mod:`tomllib` reads it.

    Returns:
        ``"a boolean"``, ``"an integer"``, ``"a float"``, ``"a string"``, ``"an array"``,
        ``"a table"``, or ``"a date or time"`` for anything else.
    """
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string"}
    names |= {list: "an array", dict: "a table"}
    return names.get(type(value), "a date or time")


def listing(name: str, choices: Sequence[str]) -> str:
    """``"allowed: a, b, c"`` (shortened when long), plus a did-you-mean hint when one is close.

    Args:
        name: The name that was given.
        choices: The names that are allowed.

    Returns:
        The text that ends a message about an unknown name.
    """
    shown = ", ".join(choices[:12]) + (
        f", ... ({len(choices)} in all)" if len(choices) > 12 else ""
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
        ``value`` unchanged for integer fields, ``float(value)`` otherwise.

    Raises:
        ConfigError: If ``value`` is not a number (``true`` is never one), not an integer when
            ``integer``, not finite, too large for a float, or outside the bounds.
    """
    allowed = range_text(low, high, low_open, unit)
    wanted = (int,) if integer else (int, float)
    # bool is a subclass of int; ``true`` for a number is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, wanted):
        kind = "an integer" if integer else "a number"
        raise ConfigError(
            f"{origin}: {where} = {show(value)} is {type_name(value)}, not {kind}; "
            f"allowed {allowed}"
        )
    below = low is not None and (value <= low if low_open else value < low)
    above = high is not None and value > high
    # TOML integers are unbounded in Python; one too large for a float is out of range too.
    too_big = not integer and isinstance(value, int) and abs(value) > _FLOAT_MAX
    if below or above or too_big or (isinstance(value, float) and not math.isfinite(value)):
        raise ConfigError(f"{origin}: {where} = {show(value)} is out of range; allowed {allowed}")
    return value if integer else float(value)


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
        ``value``, unchanged.

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
    return value


def check_param(name: str, value: Any, origin: str, *, key: str | None = None) -> Any:
    """Check one :class:`~sim.config.params.Params` value: the check files and overrides share.

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
