"""Commands on single runs and their inputs.

``run``, ``validate``, ``list``, ``compare-structures``, ``docs`` and ``dashboard``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pandas as pd

from sim import api
from sim.cli.base import (
    EXIT_BAD_INPUT,
    MAX_SEED,
    MAX_WORKERS,
    at_least,
    format_summary,
    main,
    overrides_of,
    set_option,
)
from sim.config import loaders as config
from sim.config.checks import check_param
from sim.config.params import param_defaults, param_infos
from sim.config.structure_overrides import check_structure_keys
from sim.errors import ConfigError
from sim.model.recorder import TICK_METRICS, bound_text

# Paired replications of compare-structures: more is a typo (each is a full run per structure),
# and a huge number would only hang.
MAX_REPLICATIONS = 10_000
# The ports a dashboard can listen on.
MAX_PORT = 65535


def steps_option(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    """A click callback: ``--steps`` checked like the ``steps`` parameter, blamed on the flag."""
    return None if value is None else check_param("steps", value, "--steps")


@main.command("run")
@click.argument("scenario")
@click.option(
    "--structure", default="single_cio", show_default=True, help="Structure name or file."
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=int,
    callback=at_least(0, MAX_SEED),
    help="Root seed.",
)
@click.option(
    "--steps",
    type=int,
    default=None,
    callback=steps_option,
    help="Ticks to run (default: the scenario's).",
)
@set_option
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

    overrides = overrides_of(assignments)
    if steps is not None and "steps" in overrides:  # one would silently win (or clash)
        raise ConfigError(
            f"--steps {steps} and --set steps={overrides['steps']} both set steps; allowed one "
            "of them"
        )
    # Checked here too, so that a structure number the structure lacks is blamed on --set.
    check_structure_keys({k: k for k in overrides}, [config.load_structure(structure)], "--set")
    # --steps joins the overrides: passed beside them, --set steps=... alone clashed with it.
    kwargs = overrides | ({} if steps is None else {"steps": steps})
    result = api.run(scenario, structure=structure, seed=seed, shocks=not no_shocks, **kwargs)
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
    click.echo(format_summary(summary))
    click.echo(f"\nwrote {folder}")


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
        rows = [(n, u, lo, bound_text(hi), d) for n, (u, lo, hi, d) in TICK_METRICS.items()]
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
    "--seeds",
    default=10,
    show_default=True,
    type=int,
    callback=at_least(1, MAX_REPLICATIONS),
    help="Replications.",
)
@click.option(
    "--master-seed",
    default=0,
    show_default=True,
    type=int,
    callback=at_least(0, MAX_SEED),
    help="Root of every replication's seed, as in an experiment file.",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=int,
    callback=at_least(1, MAX_WORKERS),
    help="Processes.",
)
@set_option
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
    from sim.analysis.answer import answer_text
    from sim.analysis.stats import paired_comparison
    from sim.experiments.replicate import paired_replications, replication_experiment

    names = [s.strip() for s in structures.split(",") if s.strip()]
    overrides = overrides_of(assignments)
    replication_experiment(scenario, names, replications=seeds, overrides=overrides)
    # Fail fast, before any run; results are labelled by each structure's name (a file's stem).
    labels = [config.load_structure(name).name for name in names]
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
    reference = labels[0]
    table = paired_comparison(summaries, reference)
    click.echo(answer_text(table))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for other in labels[1:]:
            part = table[table["other"] == other]
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


@main.command("dashboard")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind to.")
@click.option("--port", default=8765, show_default=True, type=int, callback=at_least(0, MAX_PORT))
def dashboard_command(host: str, port: int) -> None:
    """Serve the interactive dashboard (needs the dashboard extra; see docs/dashboard.md)."""
    from sim.dashboard import serve

    try:
        serve(host, port)  # raises ImportError before it starts when the extra is missing
    except ImportError as exc:
        raise ConfigError(f"dashboard: {exc}") from exc
