"""Where the shipped data lives: the checkout's folders, or the copy installed inside the package.

``pyproject.toml`` force-includes the top-level ``scenarios/`` and ``structures/`` folders into the
wheel as ``sim/_data/``; in a checkout the top-level folders are used directly, so an edited file
takes effect without reinstalling.
"""

from __future__ import annotations

from pathlib import Path

# The one place a path is anchored on a source file: everything else asks these functions.
DATA_KINDS = ("scenarios", "structures", "experiments")
_PACKAGE = Path(__file__).resolve().parents[1]


def package_dir() -> Path:
    """The folder of the installed or checked-out ``sim`` package."""
    return _PACKAGE


def repo_root() -> Path | None:
    """The root of the source checkout this package runs from, or None when installed.

    A checkout is recognised by its ``pyproject.toml`` next to the ``sim`` package.
    """
    root = _PACKAGE.parent
    return root if (root / "pyproject.toml").is_file() else None


def data_dir(kind: str) -> Path:
    """The folder holding the shipped files of ``kind``.

    Args:
        kind: ``"scenarios"``, ``"structures"`` or ``"experiments"``.

    Returns:
        The checkout's top-level folder when it exists, else the installed ``sim/_data/<kind>``.

    Raises:
        ValueError: If ``kind`` is not one of :data:`DATA_KINDS` (a programming error, not input).
    """
    if kind not in DATA_KINDS:
        raise ValueError(f"unknown data kind {kind!r}; allowed: {', '.join(DATA_KINDS)}")
    checkout = _PACKAGE.parent / kind
    return checkout if checkout.is_dir() else _PACKAGE / "_data" / kind
