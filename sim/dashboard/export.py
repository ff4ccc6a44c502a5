"""The dashboard's downloads: a set-up as files that ``itlead validate`` and ``itlead run`` accept.

The page offers them as browser downloads and never writes on the server. The files rerun to the
dashboard's numbers: :func:`sim.dashboard.session.run_setup` runs the very text
:func:`scenario_toml` and :func:`structure_toml` write, and ``itlead compare-structures
--scenario SCENARIO.toml --structures A.toml B.toml --seeds N --master-seed SEED`` (the command
:func:`rerun_command` prints) gives the same runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import tomli_w

from sim.config.loaders import load_scenario
from sim.config.structure_overrides import structure_data

if TYPE_CHECKING:
    import pandas as pd

    from sim.config.scenario import ShockSpec
    from sim.dashboard.form import Setup


def _shock_table(shock: ShockSpec) -> dict[str, Any]:
    """One ``[[shocks]]`` table, with only the keys that differ from a shock's defaults."""
    table: dict[str, Any] = {"kind": shock.kind}
    if shock.window is not None:
        table["window"] = list(shock.window)
    else:
        table["at"] = shock.at
    table |= {"duration": shock.duration, "magnitude": float(shock.magnitude)}
    if shock.repeat != 1:
        table["repeat"] = shock.repeat
    if shock.every:
        table["every"] = shock.every
    return table


def scenario_toml(setup: Setup) -> str:
    """The set-up as a scenario file: ``base``, ``[params]`` and every shock.

    A child scenario's ``shocks`` replace its base's, so the base's shocks are written out again
    before the extra one (an empty list clears them); the base's interventions are inherited.

    Args:
        setup: A checked set-up (from :func:`sim.dashboard.form.check_form`).

    Returns:
        The file's text, ending in a newline.
    """
    base = load_scenario(setup.scenario)
    kind = f"; extra shock {setup.shock.kind}" if setup.shock else ""
    description = (
        f"Exported from the itlead dashboard: {setup.scenario} with the chosen parameters{kind}. "
        f"Compared there: {setup.labels[0]} vs {setup.labels[1]}, "
        f"{setup.seeds} seed(s) from master seed {setup.seed}."
    )
    shocks = [*base.shocks, *((setup.shock,) if setup.shock else ())]
    data = {
        "description": description,
        "base": base.name,
        "shocks": [_shock_table(s) for s in shocks],
        "params": dict(setup.params),
    }
    return tomli_w.dumps(data)


def structure_toml(setup: Setup, side: int) -> str:
    """Structure ``side`` (0: A, 1: B) of the set-up as a structure file, with its changed numbers.

    Args:
        setup: A checked set-up.
        side: 0 for the reference structure, 1 for the other.

    Returns:
        The file's text: the shipped file's content with the numbers changed in the form. Its
        file name must be the structure's name (:func:`file_names`): results are labelled by it.
    """
    return tomli_w.dumps(structure_data(setup.structure_obj(side)))


def file_names(setup: Setup) -> dict[str, str]:
    """The download names of the scenario file and of structures ``a`` and ``b`` (as named)."""
    a, b = setup.labels
    return {"scenario": f"{setup.scenario}_dashboard.toml", "a": f"{a}.toml", "b": f"{b}.toml"}


def rerun_command(setup: Setup) -> str:
    """The command that reruns the downloaded files to the dashboard's numbers."""
    names = file_names(setup)
    return (
        f"itlead compare-structures --scenario {names['scenario']} --structures "
        f"./{names['a']},./{names['b']} --seeds {setup.seeds} --master-seed {setup.seed}"
    )


def table_csv(table: pd.DataFrame) -> str:
    """A results table as CSV text (full precision, no index) for download."""
    return table.to_csv(index=False)
