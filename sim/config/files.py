"""Finding and reading the files a user names: shipped names or paths, text and TOML.

A name (``"baseline"``) is looked up among the shipped files of its kind
(:func:`~sim.config.paths.data_dir`); anything that looks like a path is taken as one. Every way
finding, reading, decoding or parsing a file can fail becomes a :class:`~sim.errors.ConfigError`
naming the file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from sim.config.checks import listing, show
from sim.config.paths import data_dir
from sim.errors import ConfigError


def shipped_names(kind: str) -> list[str]:
    """Names of the shipped files of one kind, sorted.

    Args:
        kind: ``"scenarios"``, ``"structures"`` or ``"experiments"``.

    Returns:
        The stems of the ``.toml`` files in :func:`~sim.config.paths.data_dir`, or ``[]`` when
        the folder does not exist.
    """
    folder = data_dir(kind)
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def is_path(name_or_path: str | Path) -> bool:
    """Whether a reference is a path rather than a shipped name.

    Args:
        name_or_path: What the user gave.

    Returns:
        True for a :class:`~pathlib.Path`, or a string containing a slash or a backslash or
        ending in ``.toml``.
    """
    text = str(name_or_path)
    return isinstance(name_or_path, Path) or "/" in text or "\\" in text or text.endswith(".toml")


def locate(
    kind: str,
    name_or_path: str | Path,
    *,
    origin: str = "",
    where: str = "",
    relative_to: Path | None = None,
) -> Path:
    """The file a name or path refers to; a path is relative to ``relative_to`` when given.

    Args:
        kind: The kind of shipped file a name refers to (``"scenarios"`` or ``"structures"``).
        name_or_path: A shipped name, or a path (see :func:`is_path`).
        origin: The file that referred to it, for the message (empty for a top-level call).
        where: The key in ``origin`` that referred to it (empty for a top-level call).
        relative_to: The folder a relative path is taken from (None: the working directory).

    Returns:
        The path of the file.

    Raises:
        ConfigError: If a path names no file, or a name is not a shipped file of ``kind``.
    """
    referrer = f"{origin}: {where} = {show(str(name_or_path))}" if where else ""
    if "\0" in str(name_or_path):  # the OS refuses such a path with a ValueError, not an OSError
        start = referrer or show(str(name_or_path))
        raise ConfigError(f"{start} has a NUL character; allowed: a name or path without one")
    if is_path(name_or_path):
        path = Path(name_or_path)
        if relative_to is not None and not path.is_absolute():
            path = relative_to / path
        if not path.is_file():
            raise ConfigError(
                f"{referrer} names no file ({path})" if where else f"{path}: no such file"
            )
        return path
    name, names = str(name_or_path), shipped_names(kind)
    if name not in names:
        what = kind.removesuffix("s")
        start = f"{referrer} is not a known {what}" if where else f"unknown {what} {show(name)}"
        raise ConfigError(f"{start}; {listing(name, names)} (or give a path to a .toml file)")
    return data_dir(kind) / f"{name}.toml"


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """A file's text; every way reading or decoding can fail becomes a ConfigError.

    Args:
        path: The file.
        encoding: Its encoding.

    Returns:
        The decoded text.

    Raises:
        ConfigError: If the file cannot be read or is not text in ``encoding``.
    """
    try:
        return path.read_bytes().decode(encoding)
    except UnicodeDecodeError as exc:  # before ValueError, its base class
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(f"{path}: cannot read file ({reason})") from exc


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; every way reading or parsing can fail becomes a ConfigError.

    Args:
        path: The file.

    Returns:
        Its top-level table.

    Raises:
        ConfigError: If the file cannot be read, is not UTF-8, or is not valid TOML.
    """
    text = read_text(path)
    try:
        return tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or an integer of more than 4300 digits
        raise ConfigError(f"{path}: malformed TOML: {exc}") from exc
    except RecursionError as exc:  # arrays nested thousands deep
        raise ConfigError(f"{path}: malformed TOML: nested too deeply") from exc


def identity(path: Path) -> Path:
    """A path's canonical form, so the same file reached two ways is recognised in a base chain.

    Args:
        path: A path to a file.

    Returns:
        The resolved path, or the absolute path when it cannot be resolved.
    """
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()
