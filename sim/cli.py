"""The ``itlead`` command line: a thin shell over the Python API.

Bad input never shows a traceback: every :class:`~sim.errors.ConfigError` becomes one line on
stderr and exit code 2, unless ``--debug`` asks for the traceback.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import click
import pandas as pd

from sim import api
from sim.config import loaders as config
from sim.config.params import param_defaults, param_infos
from sim.errors import ConfigError, ParameterError
from sim.model.recorder import TICK_METRICS

EXIT_BAD_INPUT = 2
# Library parameters whose command-line flag is not simply ``--`` and the name with dashes.
FLAGS = {"replications": "--seeds"}


def flag_of(parameter: str) -> str:
    """The command-line flag that sets a library function's ``parameter``."""
    return FLAGS.get(parameter, "--" + parameter.replace("_", "-"))


class _Group(click.Group):
    """Turns the project's errors into one clear line and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ConfigError, FileNotFoundError, PermissionError) as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            if isinstance(exc, ParameterError):  # the library's terms, in the command's terms
                exc = f"{flag_of(exc.parameter)}: {exc.problem}"
            click.echo(f"itlead: error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)


@click.group(cls=_Group)
@click.option("--debug", is_flag=True, help="Show full tracebacks.")
@click.version_option(package_name="itlead")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Agent-based simulation of IT leadership structures (single CIO, CIO/CTO split, ...)."""
    ctx.obj = {"debug": debug}


def _overrides(assignments: tuple[str, ...]) -> dict[str, Any]:
    return dict(config.parse_assignment(a) for a in assignments)


def _at_least(low: int) -> Any:
    """A click callback: an integer option below ``low`` is a ConfigError (one line, exit 2)."""

    def check(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
        if value is not None and value < low:
            raise ConfigError(f"{param.opts[0]} = {value} is out of range; allowed {low} or more")
        return value

    return check


_set_option = click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a parameter (repeatable); see `itlead list`.",
)


@main.command("run")
@click.argument("scenario")
@click.option(
    "--structure", default="single_cio", show_default=True, help="Structure name or file."
)
@click.option(
    "--seed", default=0, show_default=True, type=int, callback=_at_least(0), help="Root seed."
)
@click.option("--steps", type=int, default=None, help="Ticks to run (default: the scenario's).")
@_set_option
@click.option("--no-shocks", is_flag=True, help="Run the no-shock counterfactual.")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Results folder.")
@click.option("--csv", is_flag=True, help="Also write CSV next to Parquet.")
def run_command(
    scenario: str,
    structure: str,
    seed: int,
    steps: int | None,
    assignments: tuple[str, ...],
    no_shocks: bool,
    out: Path | None,
    csv: bool,
) -> None:
    """Run SCENARIO (a name or a file) once and write its tables."""
    from sim.experiments.output import write_run  # pyarrow only when writing

    overrides = _overrides(assignments)
    result = api.run(
        scenario, structure=structure, seed=seed, steps=steps, shocks=not no_shocks, **overrides
    )
    summary = result.summary.iloc[0]
    folder = out or Path("results") / "runs" / (
        f"{summary['scenario']}__{summary['structure']}__seed{seed}"
        + ("__noshock" if no_shocks else "")
    )
    spec = {
        "scenario": scenario,
        "structure": structure,
        "seed": seed,
        "steps": steps,
        "shocks": not no_shocks,
        "overrides": overrides,
    }
    write_run(result, folder, csv=csv, spec=spec)
    click.echo(_format_summary(summary))
    click.echo(f"\nwrote {folder}")


def _format_summary(summary: pd.Series) -> str:
    rows = []
    for name, value in summary.items():
        if isinstance(value, float):
            value = "n/a" if math.isnan(value) else f"{value:.4g}"
        rows.append(f"  {name:<28} {value}")
    return "\n".join(rows)


@main.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate_command(files: tuple[Path, ...]) -> None:
    """Check scenario and structure FILES; print one line per file."""
    failures = 0
    for path in files:
        try:
            kind = config.validate_file(path)
            click.echo(f"ok: {path} ({kind})")
        except ConfigError as exc:
            failures += 1
            click.echo(f"itlead: error: {exc}", err=True)
    if failures:
        sys.exit(EXIT_BAD_INPUT)


@main.command("list")
@click.option(
    "--what",
    type=click.Choice(["all", "scenarios", "structures", "params", "metrics"]),
    default="all",
    show_default=True,
)
def list_command(what: str) -> None:
    """Show scenarios, structures, and every parameter with unit, default, range and source."""
    if what in ("all", "scenarios"):
        click.echo("Scenarios: " + ", ".join(config.list_scenarios()))
    if what in ("all", "structures"):
        click.echo("Structures: " + ", ".join(config.list_structures()))
    if what in ("all", "params"):
        click.echo("\nParameters:")
        click.echo(parameter_table().to_string(index=False))
    if what in ("all", "metrics"):
        click.echo("\nPer-tick measures:")
        rows = [(n, u, lo, hi, d) for n, (u, lo, hi, d) in TICK_METRICS.items()]
        click.echo(
            pd.DataFrame(rows, columns=["measure", "unit", "low", "high", "meaning"]).to_string(
                index=False
            )
        )


def parameter_table() -> pd.DataFrame:
    """Every parameter: group, name, default, unit, allowed range, source and meaning."""
    defaults = param_defaults()
    rows = []
    for name, info in param_infos().items():
        allowed = " | ".join(info.choices) if info.choices else f"{info.low:g} to {info.high:g}"
        rows.append(
            {
                "group": info.group,
                "name": name,
                "default": defaults[name],
                "unit": info.unit,
                "range": allowed,
                "source": info.source,
                "meaning": info.doc,
            }
        )
    return pd.DataFrame(rows)


@main.command("compare-structures")
@click.option("--scenario", default="baseline", show_default=True)
@click.option(
    "--structures",
    default="single_cio,cio_cto_split",
    show_default=True,
    help="Comma-separated; the first is the reference.",
)
@click.option(
    "--seeds", default=10, show_default=True, type=int, callback=_at_least(1), help="Replications."
)
@click.option(
    "--master-seed",
    default=0,
    show_default=True,
    type=int,
    callback=_at_least(0),
    help="Root of every replication's seed, as in an experiment file.",
)
@click.option("--workers", default=2, show_default=True, type=int, help="Processes.")
@_set_option
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write CSV tables here.")
def compare_command(
    scenario: str,
    structures: str,
    seeds: int,
    master_seed: int,
    workers: int,
    assignments: tuple[str, ...],
    out: Path | None,
) -> None:
    """Compare structures on one scenario over seeded replications (paired by seed).

    The replications are those of a one-point batch with the same master seed: the same seeds,
    runs and numbers as ``itlead batch`` and the dashboard give.
    """
    from sim.analysis.stats import paired_comparison
    from sim.experiments.replicate import paired_replications, replication_experiment

    names = [s.strip() for s in structures.split(",") if s.strip()]
    overrides = _overrides(assignments)
    replication_experiment(scenario, names, replications=seeds, overrides=overrides)
    for name in names:
        config.load_structure(name)  # fail fast, before any run
    config.build_params(config.load_scenario(scenario), overrides)
    click.echo(
        f"Comparing {', '.join(names)} on '{scenario}' over {seeds} seeds "
        f"({len(names) * seeds} runs, {workers} workers)...",
        err=True,
    )
    summaries = paired_replications(
        scenario,
        names,
        replications=seeds,
        master_seed=master_seed,
        overrides=overrides,
        workers=workers,
    )
    reference = names[0]
    table = paired_comparison(summaries, reference)
    for other in names[1:]:
        part = table[table["other"] == other].drop(columns=["scenario", "reference", "other"])
        click.echo(
            f"\n{other} vs {reference} on {scenario}, n = {seeds} paired seeds "
            "(difference = other - reference; 95% bootstrap CI)"
        )
        click.echo(part.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            part.to_csv(out / f"paired_{other}_vs_{reference}.csv", index=False)
    if out is not None:
        summaries.to_csv(out / "summaries.csv", index=False)
        click.echo(f"\nwrote {out}")


@main.command("docs")
@click.option("--out", type=click.Path(path_type=Path), default=Path("docs"), show_default=True)
def docs_command(out: Path) -> None:
    """Regenerate docs/parameters.md from the parameter and measure tables."""
    from sim.docs import write_parameter_doc

    path = write_parameter_doc(out / "parameters.md")
    click.echo(f"wrote {path}")


def _load_runs(folder: Path):
    from sim.experiments.batch import load_batch

    result = load_batch(folder)
    if not len(result.runs):
        raise ConfigError(f"{folder}: holds no finished runs; allowed: a batch with results")
    return result


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    click.echo(f"wrote {out}")


_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "markdown", "latex"]),
    default="table",
    show_default=True,
)


@main.command("compare")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--reference", default=None, help="Reference structure (default: the first).")
@click.option(
    "--outcome", "outcomes", multiple=True, help="Outcome (repeatable; default: headline)."
)
@_format_option
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write to this file.")
def compare_batch_command(
    folder: Path, reference: str | None, outcomes: tuple[str, ...], fmt: str, out: Path | None
) -> None:
    """Paired differences between structures in a batch FOLDER, per scenario and outcome.

    Pairs share scenario, design point and replication (the same seed). Each row gives the mean
    difference with a 95% bootstrap interval, the effect size d_z and the Wilcoxon signed-rank
    p-value with Holm's correction across the whole table.
    """
    from sim.analysis.stats import paired_comparison
    from sim.analysis.tables import render

    runs = _load_runs(folder).runs
    structures = list(dict.fromkeys(runs["structure"]))
    reference = reference or structures[0]
    if reference not in structures:
        raise ConfigError(
            f"--reference = {reference!r} is not in {folder}; allowed: {', '.join(structures)}"
        )
    for outcome in outcomes:
        if outcome not in runs:
            raise ConfigError(f"--outcome = {outcome!r} is not a run outcome; see `itlead list`")
    table = paired_comparison(runs, reference, outcomes or None)
    caption = (
        f"Paired differences (other - {reference}); 95% percentile bootstrap CI; "
        "Wilcoxon signed-rank p with Holm correction over all rows."
    )
    _emit(render(table, fmt, caption=caption), out)


@main.command("resilience")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--measure", default="business_trust_mean", show_default=True)
@click.option(
    "--counterfactual",
    default="baseline",
    show_default=True,
    help="The no-shock scenario the shocked ones are built on.",
)
@click.option("--lower-is-better", is_flag=True, help="For measures where less is better.")
@_format_option
@click.option("--out", type=click.Path(path_type=Path), default=None)
def resilience_command(
    folder: Path,
    measure: str,
    counterfactual: str,
    lower_is_better: bool,
    fmt: str,
    out: Path | None,
) -> None:
    """Dip, recovery time and area against the no-shock counterfactual, per shocked run."""
    from sim.analysis.stats import resilience_by_scenario
    from sim.analysis.tables import render

    batch = _load_runs(folder)
    if counterfactual not in set(batch.runs["scenario"]):
        raise ConfigError(f"--counterfactual = {counterfactual!r} is not a scenario of {folder}")
    if measure not in TICK_METRICS:
        raise ConfigError(f"--measure = {measure!r} is unknown; allowed: {', '.join(TICK_METRICS)}")
    events = batch.events
    if not len(events):
        raise ConfigError(f"{folder}: has no shocks to measure resilience against")
    result = resilience_by_scenario(
        batch.runs,
        batch.ticks,
        events,
        measure,
        counterfactual=counterfactual,
        higher_is_better=not lower_is_better,
    )
    summary = (
        result.groupby(["scenario", "structure"], sort=False)[["depth", "recovery_ticks", "area"]]
        .agg(["mean", "count"])
        .reset_index()
    )
    summary.columns = ["_".join(c for c in col if c) for col in summary.columns]
    _emit(render(summary, fmt, caption=f"Resilience of {measure} against {counterfactual}"), out)


@main.command("sensitivity")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--outcome", default="value_delivered", show_default=True)
@click.option("--structure", default=None, help="Structure (default: the first).")
@_format_option
@click.option("--out", type=click.Path(path_type=Path), default=None)
def sensitivity_command(
    folder: Path, outcome: str, structure: str | None, fmt: str, out: Path | None
) -> None:
    """Morris or Sobol indices of OUTCOME from a sensitivity batch (replications averaged)."""
    from sim.analysis.stats import morris_indices, point_means, sobol_indices
    from sim.analysis.tables import render
    from sim.experiments.batch import experiment_of

    batch = _load_runs(folder)
    experiment = experiment_of(folder)
    kind = experiment.design.kind
    if kind not in ("morris", "sobol"):
        raise ConfigError(
            f"{folder}: design {kind!r} has no sensitivity indices; allowed: morris, sobol"
        )
    structure = structure or experiment.structures[0]
    if outcome not in batch.runs:
        raise ConfigError(f"--outcome = {outcome!r} is not a run outcome; see `itlead list`")
    y = point_means(batch.runs, outcome, structure)
    points = pd.DataFrame(experiment.points())
    if len(y) != len(points):
        raise ConfigError(
            f"{folder}: {len(y)} of {len(points)} design points are done; allowed:"
            " a finished batch (itlead batch --resume)"
        )
    problem = experiment.salib_problem()
    if kind == "morris":
        table = morris_indices(problem, points, y, experiment.design.morris_levels)
    else:
        table, notes = sobol_indices(
            problem, y, n=experiment.design.n or 0, second_order=experiment.design.second_order
        )
        for note in notes:
            click.echo(f"warning: {note}", err=True)
    _emit(render(table, fmt, caption=f"{kind} indices of {outcome} ({structure})"), out)


def _shard(ctx: click.Context, param: click.Parameter, value: str | None):
    if value is None:
        return None
    try:
        k, n = (int(x) for x in value.split("/"))
    except ValueError:
        raise ConfigError(f"--shard = {value!r} is not k/n; allowed e.g. 0/4") from None
    if not 0 <= k < n:
        raise ConfigError(f"--shard = {value!r} is out of range; allowed k/n with 0 <= k < n")
    return k, n


@main.command("batch")
@click.argument("experiment")
@click.option("--workers", default=2, show_default=True, type=int, help="Processes or workers.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Batch folder (default results/<experiment>).",
)
@click.option(
    "--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True
)
@click.option("--address", default=None, help="Dask scheduler address (default: a local cluster).")
@click.option(
    "--shard",
    callback=_shard,
    default=None,
    metavar="K/N",
    help="Run only shard K of N (job arrays); then `itlead merge`.",
)
@click.option("--every", default=1, show_default=True, type=int, help="Keep every k-th tick.")
@click.option("--resume", is_flag=True, help="Skip runs already done.")
@click.option("--force", is_flag=True, help="Replace an existing batch folder.")
@click.option("--retry-failed", is_flag=True, help="With --resume, re-run failed runs.")
@click.option("--quiet", is_flag=True, help="No progress bar (for batch systems).")
def batch_command(
    experiment: str,
    workers: int,
    out: Path | None,
    executor: str,
    address: str | None,
    shard: tuple[int, int] | None,
    every: int,
    resume: bool,
    force: bool,
    retry_failed: bool,
    quiet: bool,
) -> None:
    """Run every run of EXPERIMENT (a name in experiments/ or a file)."""
    from tqdm import tqdm

    from sim.experiments.batch import run_batch

    bar = None

    def progress(done: int, failed: int, total: int) -> None:
        nonlocal bar
        if quiet:
            return
        if bar is None:
            bar = tqdm(total=total, initial=done, unit="run", dynamic_ncols=True)
        bar.update(done - bar.n)
        bar.set_postfix(failed=failed)

    try:
        result = run_batch(
            experiment,
            out=out,
            workers=workers,
            executor=executor,
            address=address,
            shard=shard,
            every=every,
            resume=resume or retry_failed,
            force=force,
            retry_failed=retry_failed,
            progress=progress,
        )
    finally:
        if bar is not None:
            bar.close()
    runs = result.runs
    failed = int((runs["status"] == "failed").sum()) if len(runs) else 0
    click.echo(f"{len(runs) - failed} runs done, {failed} failed; wrote {result.folder}")


@main.command("status")
@click.argument("folder", type=click.Path(path_type=Path))
def status_command(folder: Path) -> None:
    """Show done, failed and pending runs of a batch FOLDER."""
    from sim.experiments.batch import status

    counts = status(folder)
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))


@main.command("merge")
@click.argument("out", type=click.Path(path_type=Path))
@click.argument("shards", nargs=-1, required=True, type=click.Path(path_type=Path))
def merge_command(out: Path, shards: tuple[Path, ...]) -> None:
    """Gather the folders of a sharded batch (SHARDS) into OUT."""
    from sim.experiments.batch import merge

    result = merge(out, shards)
    click.echo(f"merged {len(result.runs)} runs into {out}")


@main.command("rerun")
@click.argument("folder", type=click.Path(path_type=Path))
@click.argument("run_id")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write its tables here.")
def rerun_command(folder: Path, run_id: str, out: Path | None) -> None:
    """Re-run one run of a batch FOLDER exactly, by its RUN_ID."""
    from sim.experiments.batch import rerun

    result = rerun(folder, run_id)
    click.echo(_format_summary(result.summary.iloc[0]))
    if out is not None:
        from sim.experiments.output import write_run

        write_run(result, out, csv=False, spec={"batch": str(folder), "run_id": run_id})
        click.echo(f"\nwrote {out}")


@main.command("report")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--reference", default=None, help="Reference structure (default: the first).")
def report_command(folder: Path, reference: str | None) -> None:
    """Write report.html (self-contained) and report.md for strategists into a batch FOLDER."""
    from sim.analysis.report import build_report

    runs = _load_runs(folder).runs
    structures = list(dict.fromkeys(runs["structure"]))
    if len(structures) < 2:
        raise ConfigError(f"{folder}: holds one structure; allowed: a batch comparing two or more")
    if reference is not None and reference not in structures:
        raise ConfigError(
            f"--reference = {reference!r} is not in {folder}; allowed: {', '.join(structures)}"
        )
    html_path, md_path = build_report(folder, reference=reference)
    click.echo(f"wrote {html_path}\nwrote {md_path}")


@main.command("headline")
@click.option("--experiment", default="structure_comparison_quick", show_default=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Batch folder (default results/<experiment>).",
)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option(
    "--figure",
    type=click.Path(path_type=Path),
    default=None,
    help="Also copy the headline comparison figure (PNG) here.",
)
def headline_command(experiment: str, out: Path | None, workers: int, figure: Path | None) -> None:
    """The main job: run the headline structure comparison (resuming) and write its report."""
    import shutil

    from sim.analysis.report import build_report
    from sim.experiments.batch import run_batch

    click.echo(f"Running {experiment} on {workers} workers (finished runs are kept)...", err=True)
    result = run_batch(experiment, out=out, workers=workers, resume=True)
    html_path, md_path = build_report(result.folder)
    if figure is not None:
        source = next((result.folder / "figures").glob("comparison_vs_*.png"))
        figure.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, figure)
        click.echo(f"wrote {figure}")
    click.echo(f"report: {html_path}\n        {md_path}")


@main.command("plot")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--kind",
    required=True,
    help="timeseries, comparison, crossover, sensitivity or allocation.",
)
@click.option("--measure", default="value_delivered", show_default=True, help="Per-tick measure.")
@click.option("--scenario", default=None, help="Scenario (default: the batch's first).")
@click.option("--reference", default=None, help="Reference structure (default: the first).")
@click.option("--other", default=None, help="Structure compared with the reference (crossover).")
@click.option("--x", "x", default=None, help="Parameter on the x axis (crossover).")
@click.option("--y", "y", default=None, help="Parameter on the y axis (crossover).")
@click.option("--outcome", default=None, help="Summary outcome (crossover, sensitivity).")
@click.option("--structure", default=None, help="Structure analysed (sensitivity).")
@click.option("--preset", default="single", show_default=True, help="single, double or slides.")
@click.option(
    "--out", type=click.Path(path_type=Path), default=None, help="Folder (default FOLDER/figures)."
)
def plot_command(
    folder: Path,
    kind: str,
    measure: str,
    scenario: str | None,
    reference: str | None,
    other: str | None,
    x: str | None,
    y: str | None,
    outcome: str | None,
    structure: str | None,
    preset: str,
    out: Path | None,
) -> None:
    """Draw a publication chart of a batch FOLDER (PDF, 300 dpi PNG, CSV data and caption)."""
    from sim.analysis import plot
    from sim.errors import did_you_mean
    from sim.experiments.batch import load_batch

    if kind not in plot.KINDS:
        hint = did_you_mean(kind, plot.KINDS)
        raise ConfigError(
            f"--kind = {kind!r} is unknown; allowed {', '.join(plot.KINDS)}"
            + (f" ({hint})" if hint else "")
        )
    if preset not in plot.PRESETS:
        raise ConfigError(f"--preset = {preset!r} is unknown; allowed {', '.join(plot.PRESETS)}")
    batch = load_batch(folder)
    target = out if out is not None else folder / "figures"
    if kind == "timeseries":
        paths = plot.timeseries(batch, measure, scenario, target, preset)
    elif kind == "comparison":
        paths = plot.comparison(batch, reference, target, preset)
    elif kind == "crossover":
        paths = plot.crossover(batch, x, y, outcome, reference, other, target, preset)
    elif kind == "sensitivity":
        paths = plot.sensitivity(batch, outcome, structure, target, preset)
    else:
        paths = plot.time_allocation(batch, target, preset, scenario)
    for path in paths:
        click.echo(str(path))


@main.command("dashboard")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind to.")
@click.option("--port", default=8765, show_default=True, type=int)
def dashboard_command(host: str, port: int) -> None:
    """Serve the interactive dashboard (needs the dashboard extra; see docs/dashboard.md)."""
    try:
        from sim.dashboard import serve
    except ImportError as exc:
        raise ConfigError(f"dashboard: {exc}") from exc
    serve(host, port)
