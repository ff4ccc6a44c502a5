"""Export: a dashboard set-up as a scenario file that ``itlead validate`` and ``itlead run`` accept.

The file reruns to the dashboard's numbers: :func:`sim.dashboard.session.run_setup` runs the very
text :func:`scenario_toml` writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.config.loaders import load_scenario
from sim.dashboard.form import DEFAULT_EXPORT
from sim.errors import ConfigError

if TYPE_CHECKING:
    from sim.config.scenario import ShockSpec
    from sim.dashboard.form import Setup


def _toml_value(value: Any) -> str:
    """``value`` as a TOML value: a boolean, a number, an array or a basic string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value))  # a TOML basic string uses JSON's escapes


def _shock_lines(shock: ShockSpec) -> list[str]:
    """One ``[[shocks]]`` table, with only the keys that differ from a shock's defaults."""
    lines = ["[[shocks]]", f"kind = {_toml_value(shock.kind)}"]
    if shock.window is not None:
        lines.append(f"window = {_toml_value(list(shock.window))}")
    else:
        lines.append(f"at = {_toml_value(shock.at)}")
    lines += [
        f"duration = {_toml_value(shock.duration)}",
        f"magnitude = {_toml_value(float(shock.magnitude))}",
    ]
    if shock.repeat != 1:
        lines.append(f"repeat = {_toml_value(shock.repeat)}")
    if shock.every:
        lines.append(f"every = {_toml_value(shock.every)}")
    return lines


def scenario_toml(setup: Setup) -> str:
    """The set-up as a scenario file: ``base``, ``[params]`` and every shock.

    A child scenario's ``shocks`` replace its base's, so the base's shocks are written out again
    before the extra one; the base's interventions are inherited as they are.

    Args:
        setup: A checked set-up (from :func:`sim.dashboard.form.check_form`).

    Returns:
        The file's text, ending in a newline.
    """
    base = load_scenario(setup.scenario)
    kind = f"; extra shock {setup.shock.kind}" if setup.shock else ""
    description = (
        f"Exported from the itlead dashboard: {setup.scenario} with the chosen parameters{kind}. "
        f"Compared there: {setup.structures[0]} vs {setup.structures[1]}, seed {setup.seed}."
    )
    shocks = [*base.shocks, *((setup.shock,) if setup.shock else ())]
    lines = [f"description = {_toml_value(description)}", f"base = {_toml_value(base.name)}"]
    if not shocks:
        lines.append("shocks = []")  # top-level key: must come before the first table
    lines += ["", "[params]", *(f"{k} = {_toml_value(v)}" for k, v in setup.params.items())]
    for shock in shocks:
        lines += ["", *_shock_lines(shock)]
    return "\n".join(lines) + "\n"


EXPORT_ROOT = Path("results")  # the page writes only inside this folder (of the working folder)


def export_target(path: str | Path, root: str | Path = EXPORT_ROOT) -> Path:
    """Where the page may write ``path``: inside ``root``, never outside it.

    Args:
        path: The path typed in the page, relative to the working folder (``results/x.toml``) or
            to ``root`` (``x.toml``).
        root: The only folder the page writes in.

    Returns:
        The absolute path, inside ``root``.

    Raises:
        ConfigError: ``path`` is absolute, goes out with ``..``, ends outside ``root`` through a
            symbolic link, or does not end in ``.toml``.
    """
    base = Path(root).resolve()
    raw = Path(str(path).strip())
    relative = raw.relative_to(Path(root)) if raw.parts[:1] == Path(root).parts else raw
    target = (base / relative).resolve()
    if raw.is_absolute() or ".." in raw.parts or not target.is_relative_to(base):
        raise ConfigError(
            f"export path = {str(path)!r} is outside {root}/; allowed: a file inside {root}/,"
            " e.g. results/dashboard/scenario.toml"
        )
    if target.suffix != ".toml" or target == base:
        raise ConfigError(f"export path = {str(path)!r} is not a .toml file; allowed: NAME.toml")
    return target


def export_scenario(
    setup: Setup, path: str | Path = DEFAULT_EXPORT, *, overwrite: bool = False
) -> Path:
    """Write :func:`scenario_toml` to ``path``, making its folders (for Python callers).

    The page itself never writes a file: its Export is a download in the browser.

    Args:
        setup: A checked set-up.
        path: Where to write (``~`` is expanded; relative to the working folder).
        overwrite: Replace a file already at ``path``; without it, that is refused.

    Returns:
        The file's absolute path.

    Raises:
        FileExistsError: ``path`` exists and ``overwrite`` is false.
    """
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w" if overwrite else "x", encoding="utf-8") as out:
        out.write(scenario_toml(setup))
    return target.resolve()
