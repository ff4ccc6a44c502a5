"""The command group, its error handling and the options the commands share.

Bad input never shows a traceback: every :class:`~sim.errors.ConfigError` becomes one line on
stderr and exit code 2, unless ``--debug`` asks for the traceback. A
:class:`~sim.errors.ParameterError` names a library parameter; it reaches the user as the flag
that sets it.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import click
import pandas as pd

from sim.config import loaders as config
from sim.errors import ConfigError, ParameterError

EXIT_BAD_INPUT = 2
# Library parameters whose command-line flag is not simply ``--`` and the name with dashes.
FLAGS = {"replications": "--seeds"}


def flag_of(parameter: str) -> str:
    """The command-line flag that sets a library function's ``parameter``."""
    return FLAGS.get(parameter, "--" + parameter.replace("_", "-"))


class ErrorHandlingGroup(click.Group):
    """Turns the project's errors into one clear line and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a ConfigError ends it with one line on stderr and exit code 2."""
        try:
            return super().invoke(ctx)
        except (ConfigError, FileNotFoundError, PermissionError) as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            if isinstance(exc, ParameterError):  # the library's terms, in the command's terms
                exc = f"{flag_of(exc.parameter)}: {exc.problem}"
            click.echo(f"itlead: error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)


@click.group(cls=ErrorHandlingGroup)
@click.option("--debug", is_flag=True, help="Show full tracebacks.")
@click.version_option(package_name="itlead")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Agent-based simulation of IT leadership structures (single CIO, CIO/CTO split, ...)."""
    ctx.obj = {"debug": debug}


def overrides_of(assignments: tuple[str, ...]) -> dict[str, Any]:
    """The ``--set KEY=VALUE`` options as a dict of parameter overrides."""
    return dict(config.parse_assignment(a) for a in assignments)


def at_least(low: int) -> Any:
    """A click callback: an integer option below ``low`` is a ConfigError (one line, exit 2)."""

    def check(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
        if value is not None and value < low:
            raise ConfigError(f"{param.opts[0]} = {value} is out of range; allowed {low} or more")
        return value

    return check


set_option = click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a parameter (repeatable); see `itlead list`.",
)


def format_summary(summary: pd.Series) -> str:
    """One run's summary as aligned ``name value`` lines."""
    rows = []
    for name, value in summary.items():
        if isinstance(value, float):
            value = "n/a" if math.isnan(value) else f"{value:.4g}"
        rows.append(f"  {name:<28} {value}")
    return "\n".join(rows)


def load_runs(folder: Path):
    """The batch in ``folder``; a ConfigError if it holds no finished runs."""
    from sim.experiments.batch import load_batch

    result = load_batch(folder)
    if not len(result.runs):
        raise ConfigError(f"{folder}: holds no finished runs; allowed: a batch with results")
    return result


def emit(text: str, out: Path | None) -> None:
    """Print ``text``, or write it to ``out`` and say so."""
    if out is None:
        click.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    click.echo(f"wrote {out}")


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "markdown", "latex"]),
    default="table",
    show_default=True,
)
