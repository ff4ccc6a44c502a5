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
# The largest root seed: seeds are stored as 64-bit signed integers (as an experiment file's
# master_seed), so a larger one fails only when the results are written.
MAX_SEED = 2**63 - 1
# Local worker processes: more than this is a typo (each process holds a model in memory).
MAX_WORKERS = 64


def comma_list(option: str, text: str) -> list[str]:
    """The names in a comma-separated option value (``a,b`` -> ``["a", "b"]``), none empty.

    Raises:
        ConfigError: If a name is empty (``a,,b`` or a trailing comma).
    """
    names = [c.strip() for c in text.split(",")]
    if not all(names):
        raise ConfigError(f"{option} = {text!r} has an empty name; allowed e.g. run_id,tick")
    return names


def flag_of(parameter: str) -> str:
    """The command-line flag that sets a library function's ``parameter``."""
    return FLAGS.get(parameter, "--" + parameter.replace("_", "-"))


class OneLineUsageError(click.ClickException):
    """A click usage error re-worded as the project's one line (``itlead: error: ...``).

    click prints its own usage errors as three lines (usage, a help hint, the error); this keeps
    click's message, adds what is allowed where click does not say, and prints one line.
    """

    exit_code = EXIT_BAD_INPUT

    def show(self, file: Any = None) -> None:
        """Print the one line on stderr."""
        click.echo(f"itlead: error: {self.message}", err=True)


def one_line(exc: click.ClickException) -> OneLineUsageError:
    """``exc`` (click's own error) as one line naming the command and what is allowed."""
    ctx: click.Context | None = getattr(exc, "ctx", None)
    message = exc.format_message().strip().rstrip(".")
    if ctx is None:
        return OneLineUsageError(" ".join(message.split()))
    command = ctx.command
    allowed = ""
    if isinstance(exc, click.NoSuchOption):
        flags = [o for p in command.get_params(ctx) for o in p.opts if o.startswith("-")]
        allowed = "allowed options: " + ", ".join(dict.fromkeys(flags))
    elif isinstance(command, click.Group) and message.startswith("No such command"):
        allowed = "allowed commands: " + ", ".join(command.list_commands(ctx))
    elif isinstance(exc, click.MissingParameter):
        allowed = "usage: " + ctx.get_usage().removeprefix("Usage:").strip()
    where = " ".join(ctx.command_path.split()[1:])  # the subcommand, if any
    parts = [f"{where}: {message}" if where else message, allowed, f"see {ctx.command_path} --help"]
    # One line whatever click's message holds (a usage text can wrap).
    return OneLineUsageError(" ".join("; ".join(p for p in parts if p).split()))


def _check_click_error(exc: click.ClickException) -> None:
    """Re-raise click's own error ``exc`` as one line; help shown for a bare ``itlead`` is kept."""
    if isinstance(exc, (OneLineUsageError, click.exceptions.NoArgsIsHelpError)):
        raise exc
    raise one_line(exc) from exc


class ErrorHandlingGroup(click.Group):
    """Turns the project's errors, and click's own usage errors, into one line and exit code 2."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        """Parse the group's own options; a usage error (``itlead --bogus``) is one line."""
        try:
            return super().make_context(*args, **kwargs)
        except click.ClickException as exc:
            _check_click_error(exc)
            raise  # not reached: _check_click_error always raises

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a ConfigError ends it with one line on stderr and exit code 2.

        click's own errors for a command (a bad ``--workers abc``, a missing argument, an
        unknown option or command) become one line too, raised for click's main to print.
        """
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            _check_click_error(exc)
            raise  # not reached: _check_click_error always raises
        except (ConfigError, FileNotFoundError, PermissionError) as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            if isinstance(exc, ParameterError):  # the library's terms, in the command's terms
                exc = f"{flag_of(exc.parameter)}: {exc.problem}"
            click.echo(f"itlead: error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except OSError as exc:  # a path the system refuses (a name too long, ...): one line too
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"itlead: error: {os_error_text(exc)}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except ValueError as exc:
            # The one path the system refuses with a ValueError (in click's own checks too).
            if "null character" not in str(exc) or (ctx.obj and ctx.obj.get("debug")):
                raise
            click.echo(
                "itlead: error: a path has a NUL character; allowed: paths without one", err=True
            )
            sys.exit(EXIT_BAD_INPUT)


def os_error_text(exc: OSError) -> str:
    """``exc`` as ``path: reason``, a very long path shortened so the line stays readable."""
    name = "" if exc.filename is None else str(exc.filename)
    if len(name) > 80:
        name = f"{name[:40]}...{name[-20:]} ({len(name)} characters)"
    reason = exc.strerror or str(exc)
    return f"{name}: {reason}" if name else reason


@click.group(cls=ErrorHandlingGroup)
@click.option("--debug", is_flag=True, help="Show full tracebacks.")
@click.version_option(package_name="itlead")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Agent-based simulation of IT leadership structures (single CIO, CIO/CTO split, ...)."""
    ctx.obj = {"debug": debug}


def overrides_of(assignments: tuple[str, ...]) -> dict[str, Any]:
    """The ``--set KEY=VALUE`` options as a dict of parameter overrides.

    Raises:
        ConfigError: If two ``--set`` give the same key: one would silently win.
    """
    overrides: dict[str, Any] = {}
    given: dict[str, str] = {}
    for text in assignments:
        key, value = config.parse_assignment(text)
        if key in overrides:
            raise ConfigError(
                f"--set {given[key]} and --set {text.strip()} both set {key}; allowed one value "
                "per key"
            )
        overrides[key], given[key] = value, text.strip()
    return overrides


def at_least(low: int, high: int | None = None) -> Any:
    """A click callback: an integer option outside ``low`` to ``high`` is a ConfigError.

    Args:
        low: The smallest allowed value.
        high: The largest allowed value, or None for no upper bound. A bound keeps a huge
            number (``--seed 18446744073709551616``) from reaching code that cannot hold it.
    """

    def check(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
        if value is not None and (value < low or (high is not None and value > high)):
            allowed = f"{low} or more" + ("" if high is None else f", up to {high}")
            raise ConfigError(f"{param.opts[0]} = {value} is out of range; allowed {allowed}")
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
