"""``itlead export``: a batch folder's tables as CSV, whole or by column and row, for R or NetLogo.

Each CSV is written to a temporary ``*.partial`` file and renamed when whole, so an interrupted
export never leaves a file that looks complete; it is streamed piece by piece, so a ticks table
larger than memory exports too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click
import pandas as pd

from sim.cli.base import comma_list, main
from sim.errors import ConfigError, ParameterError, did_you_mean

# COLUMN OP VALUE; two-character operators first, so ``tick>=5`` is not read as ``tick > =5``.
_WHERE = re.compile(r"^\s*([^\s!<>=]+)\s*(==|!=|<=|>=|=|<|>)\s*(.*?)\s*$")
_OPS = {"=": "==", "==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _parse_where(text: str) -> tuple[str, str, str, str]:
    """``--where`` text as ``(text, column, op, value)``; the value is still a string."""
    match = _WHERE.match(text)
    if match is None or not match.group(3):
        raise ConfigError(
            f"--where {text!r} is not COLUMN OP VALUE; allowed e.g. structure=cio_cto_split,"
            " tick>=100, scenario!=baseline or structure=single_cio,cio_cto_split (any of)"
        )
    column, op, value = match.groups()
    return text, column, _OPS[op], value


def _typed(text: str, column: str, op: str, value: str, kind: Any) -> tuple[str, str, Any]:
    """A ``--where`` as a filter term, its value converted to the column's type ``kind``."""
    import pyarrow as pa

    if pa.types.is_integer(kind):
        convert: Any = int
        what = "whole number"
    elif pa.types.is_floating(kind):
        convert, what = float, "number"
    elif pa.types.is_boolean(kind):
        convert, what = {"true": True, "false": False, "1": True, "0": False}.__getitem__, "bool"
    else:  # strings (and a column no chunk has a value in)
        convert, what = str, "text"
    # A comma list after = or != means any of / none of (no name of the model holds a comma).
    many = op in ("==", "!=") and "," in value
    raw = [v.strip() for v in value.split(",")] if many else [value]
    typed = []
    for item in raw:
        try:
            typed.append(convert(item.lower() if what == "bool" else item))
        except (KeyError, ValueError):
            raise ConfigError(
                f"--where {text!r}: {item!r} is not a {what} ({column} holds {kind});"
                f" allowed a {what}" + (" (true or false)" if what == "bool" else "")
            ) from None
    if many:
        return column, "in" if op == "==" else "not in", typed
    return column, op, typed[0]


def _filters(
    folder: Path, table: str, wheres: list[tuple[str, str, str, str]], *, one_table: bool
) -> list[tuple]:
    """The ``--where`` conditions as filter terms on ``table``.

    A condition on a column of ``table`` filters it directly. A condition on a column only
    ``runs`` has (scenario, structure, seed, a ``param.*``, status, an outcome) selects those
    runs first and keeps the rows of their ``run_id``: the join ``docs/batches.md`` shows.
    ``one_table``: the table was named by ``--table`` (else the message says why a condition on,
    say, ``tick`` fails for ``runs``).
    """
    from sim.experiments.store import batch_dataset, read_batch_table

    schema = batch_dataset(folder, table).schema
    names = schema.names
    runs = batch_dataset(folder, "runs").schema if table != "runs" and wheres else None
    own: list[tuple] = []
    via_runs: list[tuple] = []
    for text, column, op, value in wheres:
        if column in names:
            own.append(_typed(text, column, op, value, schema.field(column).type))
        elif runs is not None and column in runs.names:
            via_runs.append(_typed(text, column, op, value, runs.field(column).type))
        else:
            allowed = list(dict.fromkeys([*names, *(runs.names if runs is not None else [])]))
            tables = f"the {table} table" + (" or the runs table" if runs is not None else "")
            hint = did_you_mean(column, allowed)
            raise ConfigError(
                f"--where {text!r}: {column!r} is not a column of {tables} of {folder}"
                + (f" ({hint})" if hint else "")
                + ("" if one_table else " (without --table, a condition must fit every table)")
                + f"; allowed {', '.join(allowed)}"
            )
    if via_runs:
        ids = read_batch_table(folder, "runs", ["run_id"], via_runs)["run_id"]
        if not len(ids):  # most often a misspelt value: say so rather than write headers only
            click.echo(f"warning: no run of {folder} matches the --where conditions", err=True)
        own.append(("run_id", "in", ids.tolist()))
    return own


def write_csv(pieces: Iterable[pd.DataFrame], header: list[str], out: Path) -> int:
    """Write ``pieces`` (frames with columns ``header``) to ``out`` as one CSV, atomically.

    The rows go to a temporary name (:func:`sim.experiments.store.replace_atomic`) that is
    renamed to ``out`` only when the last piece is written; if anything fails on the way, the
    temporary file is removed and ``out`` is left as it was.

    Args:
        pieces: The rows, in order; every frame has the columns ``header``.
        header: The column names, written first (so a table with no matching row still has them).
        out: The CSV file.

    Returns:
        The number of rows written.

    Raises:
        ConfigError: If ``out`` cannot be written.
    """
    from sim.experiments.store import replace_atomic

    rows = 0

    def write(partial: Path) -> None:
        nonlocal rows
        with partial.open("w", encoding="utf-8", newline="") as handle:
            pd.DataFrame(columns=header).to_csv(handle, index=False)
            for piece in pieces:
                piece.to_csv(handle, index=False, header=False)
                rows += len(piece)

    try:
        replace_atomic(out, write)
    except OSError as exc:
        raise ConfigError(
            f"{out}: cannot write ({exc.strerror or exc}); allowed: a writable place with free"
            " space"
        ) from exc
    return rows


def _columns(text: str | None, table: str | None) -> list[str] | None:
    if text is None:
        return None
    if table is None:
        raise ConfigError(
            f"--columns = {text!r} needs --table (each table has its own columns); allowed e.g."
            " --table ticks --columns run_id,tick,business_trust_mean"
        )
    return comma_list("--columns", text)


@main.command("export")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--table",
    default=None,
    help="Only this table: runs, ticks, events or failures (default: each, one CSV apiece).",
)
@click.option(
    "--columns", default=None, metavar="A,B,...", help="Only these columns, in order (--table)."
)
@click.option(
    "--where",
    "wheres",
    multiple=True,
    metavar="COLUMN OP VALUE",
    help=(
        "Keep the rows where this holds (repeatable, all must hold): OP one of = != < <= > >=;"
        " a comma list after = or != means any of / none of. A column of runs (structure,"
        " scenario, param.*) filters the other tables too, by their run_id."
    ),
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="With --table a CSV file ('-': standard output), else a folder. Default FOLDER/csv/.",
)
def export_command(
    folder: Path,
    table: str | None,
    columns: str | None,
    wheres: tuple[str, ...],
    out: Path | None,
) -> None:
    """Write the tables of a batch FOLDER as CSV (for R, NetLogo, spreadsheets).

    Missing values are empty fields; numbers keep full precision. Every file is written whole
    or not at all (a ``*.partial`` file renamed at the end). Example: the trust of each tick of
    the split structure's runs,
    ``itlead export FOLDER --table ticks --columns run_id,tick,business_trust_mean
    --where structure=cio_cto_split --out trust.csv``.
    """
    from sim.experiments.store import TABLES, batch_dataset, iter_batch_table

    names = _columns(columns, table)
    parsed = [_parse_where(w) for w in wheres]
    tables = [table] if table is not None else list(TABLES)
    to_stdout = out is not None and str(out) == "-"
    if to_stdout and table is None:
        raise ConfigError("--out - (standard output) needs --table; allowed: one table at a time")
    if table is None and out is not None and out.is_file():
        raise ConfigError(f"--out = {out} is a file; allowed a folder (for all tables) or --table")
    # Every table and condition is checked before the first file is written.
    plans = []
    try:
        for name in tables:
            dataset = batch_dataset(folder, name)
            if not dataset.files:
                click.echo(
                    f"{name}: {folder} holds no {name} chunk files; nothing written", err=True
                )
                continue
            filters = _filters(folder, name, parsed, one_table=table is not None)
            plans.append((name, filters, names or dataset.schema.names))
        for name, filters, header in plans:
            pieces = iter_batch_table(folder, name, names, filters)
            if to_stdout:
                click.echo(pd.DataFrame(columns=header).to_csv(index=False), nl=False)
                for piece in pieces:
                    click.echo(piece.to_csv(index=False, header=False), nl=False)
                continue
            target = out if out is not None else folder / "csv"
            if table is None or target.is_dir() or out is None:
                target = target / f"{name}.csv"
            rows = write_csv(pieces, header, target)
            click.echo(f"wrote {target} ({rows} rows)")
    except ParameterError as exc:
        if exc.parameter == "filters":  # the library's word for what --where sets
            raise ConfigError(f"--where: {exc.problem}") from exc
        raise
