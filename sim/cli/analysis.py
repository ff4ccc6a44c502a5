"""Commands that analyse a batch folder: compare, resilience, sensitivity, report, plot."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from sim.cli.base import comma_list, emit, format_option, load_runs, main
from sim.errors import ConfigError
from sim.model.recorder import TICK_METRICS


@main.command("compare")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--reference", default=None, help="Reference structure (default: the first).")
@click.option(
    "--outcome", "outcomes", multiple=True, help="Outcome (repeatable; default: headline)."
)
@click.option(
    "--pool",
    is_flag=True,
    help="Pool a sweep's design points into one comparison (default: point by point).",
)
@format_option
@click.option(
    "--columns",
    default=None,
    help="Only these columns, comma-separated, in this order (a LaTeX table that fits a page).",
)
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write to this file.")
def compare_batch_command(
    folder: Path,
    reference: str | None,
    outcomes: tuple[str, ...],
    pool: bool,
    fmt: str,
    columns: str | None,
    out: Path | None,
) -> None:
    """Paired differences between structures in a batch FOLDER, per scenario, point and outcome.

    Pairs share scenario, design point and replication (the same seed). A batch that sweeps
    levers is compared point by point, each labelled by its levers, unless ``--pool``. Each row
    gives the mean difference with its 95% interval (t below 20 pairs, BCa from 20), the ratio of
    means with its interval, d_z, the paired t-test p with Holm's correction over the outcomes of
    its comparison, the Wilcoxon p as a check, and the verdict (``favours``, ``verdict``):
    at least 10 pairs, Holm-adjusted p below 5% and an interval clear of zero.
    """
    from sim.analysis.stats import paired_comparison
    from sim.analysis.tables import render

    runs = load_runs(folder).runs
    structures = list(dict.fromkeys(runs["structure"]))
    reference = reference or structures[0]
    if reference not in structures:
        raise ConfigError(
            f"--reference = {reference!r} is not in {folder}; allowed: {', '.join(structures)}"
        )
    for outcome in outcomes:
        if outcome not in runs:
            raise ConfigError(f"--outcome = {outcome!r} is not a run outcome; see `itlead list`")
    table = paired_comparison(runs, reference, outcomes or None, pool=pool)
    caption = (
        f"Paired differences (other - {reference}); 95% CI (t below 20 pairs, BCa from 20);"
        " paired t-test p with Holm's correction per comparison; verdict: at least 10 pairs,"
        " adjusted p < 0.05 and a CI clear of zero."
    )
    # An unknown column is render's ParameterError, shown as "--columns: ... allowed ...".
    shown = comma_list("--columns", columns) if columns else None
    emit(render(table, fmt, caption=caption, label="tab:compare", columns=shown), out)


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
@format_option
@click.option("--out", type=click.Path(path_type=Path), default=None)
def resilience_command(
    folder: Path,
    measure: str,
    counterfactual: str,
    lower_is_better: bool,
    fmt: str,
    out: Path | None,
) -> None:
    """Dip, recovery time and area against the no-shock counterfactual, per scenario and structure.

    A run that has not recovered by its end is counted, not dropped: ``recovered`` of ``runs``
    recovered, and ``recovery_median_ticks`` is the Kaplan-Meier median with the others censored
    (empty, with ``recovery_median_reached`` false, when fewer than half recovered within
    ``observed_ticks``). ``area_mean`` is positive for a loss against the no-shock run and
    negative for a gain. For a market shock, the same for re-aligning: ticks until the aligned
    share of delivered strategic value is back to 95% of the counterfactual's (whatever
    ``--measure`` is).
    """
    from sim.analysis.stats import resilience_by_scenario, resilience_summary
    from sim.analysis.tables import render

    batch = load_runs(folder)
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
    summary = resilience_summary(result).drop(columns="measure")
    emit(render(summary, fmt, caption=f"Resilience of {measure} against {counterfactual}"), out)


@main.command("sensitivity")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--outcome", default="value_delivered", show_default=True)
@click.option("--structure", default=None, help="Structure (default: the first).")
@format_option
@click.option("--out", type=click.Path(path_type=Path), default=None)
def sensitivity_command(
    folder: Path, outcome: str, structure: str | None, fmt: str, out: Path | None
) -> None:
    """Morris or Sobol indices of OUTCOME from a sensitivity batch (replications averaged).

    Every index has a seeded 95% bootstrap interval (``*_conf``: its half-width). The last row,
    ``dummy``, is a factor the model never reads: a step of it only re-draws the random numbers,
    which every other parameter keeps (common random numbers), so its index is the noise floor.
    ``above_dummy`` says whether a parameter's interval lies wholly above the dummy's (mu* for
    Morris, ST for Sobol): its effect over its whole range is larger than re-drawing the random
    numbers. The floor is conservative: a small effect that common random numbers measure
    precisely can lie below it, so "not above" means "not shown to matter beside seed noise".
    """
    from sim.analysis.stats import morris_indices, point_means, sobol_indices
    from sim.analysis.tables import render
    from sim.experiments.batch import experiment_of
    from sim.experiments.design import DUMMY

    batch = load_runs(folder)
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
    points = pd.DataFrame(experiment.points(dummy=True))
    if len(y) != len(points):
        raise ConfigError(
            f"{folder}: {len(y)} of {len(points)} design points are done; allowed:"
            " a finished batch (itlead batch --resume)"
        )
    problem = experiment.salib_problem()
    if kind == "morris":
        table = morris_indices(problem, points, y, experiment.design.morris_levels)
        index = "mu*"
    else:
        table, notes = sobol_indices(
            problem, y, n=experiment.design.n or 0, second_order=experiment.design.second_order
        )
        index = "ST"
        for note in notes:
            click.echo(f"warning: {note}", err=True)
    key = (
        f"{DUMMY}: a factor the model never reads (it only re-draws the random numbers), so its"
        f" {index} is the noise floor; above_dummy: the 95% interval (index +- *_conf) lies wholly"
        f" above the dummy's; {experiment.replications} replication(s) per point, averaged."
    )
    caption = f"{kind} indices of {outcome} ({structure}). {key}"
    text = render(table, fmt, caption=caption)
    emit(text + (f"\n{key}\n" if fmt == "table" else ""), out)


@main.command("report")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--reference", default=None, help="Reference structure (default: the first).")
def report_command(folder: Path, reference: str | None) -> None:
    """Write report.html (self-contained) and report.md for strategists into a batch FOLDER."""
    from sim.analysis.report import build_report

    runs = load_runs(folder).runs
    structures = list(dict.fromkeys(runs["structure"]))
    if len(structures) < 2:
        raise ConfigError(f"{folder}: holds one structure; allowed: a batch comparing two or more")
    if reference is not None and reference not in structures:
        raise ConfigError(
            f"--reference = {reference!r} is not in {folder}; allowed: {', '.join(structures)}"
        )
    html_path, md_path = build_report(folder, reference=reference)
    click.echo(f"wrote {html_path}\nwrote {md_path}")


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


@main.command("discover")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--outcome", required=True, help="The outcome judged at each design point.")
@click.option("--favours", required=True, help="The structure whose region is sought.")
@click.option("--reference", default=None, help="Compared with (default: the other structure).")
@click.option(
    "--threshold",
    default=0.8,
    show_default=True,
    type=float,
    help="Density the reported PRIM box must reach.",
)
@click.option(
    "--resamples", default=10, show_default=True, type=int, help="Resamples for stability."
)
@format_option
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Write to this file.")
def discover_command(
    folder: Path,
    outcome: str,
    favours: str,
    reference: str | None,
    threshold: float,
    resamples: int,
    fmt: str,
    out: Path | None,
) -> None:
    """Where in a sweep FOLDER's inputs a structure does better: PRIM boxes and a CART tree.

    Each design point is marked by the verdict rule on its paired runs (does --favours do better
    on --outcome there?); PRIM (the EMA Workbench's) finds the box of inputs that holds most of
    those points (coverage) and few others (density), with each limit's quasi-p-value and its
    stability over resamples; a CART tree (scikit-learn) is the second view. Needs the `ema`
    extra.
    """
    from sim.analysis.discovery import discover
    from sim.analysis.tables import render

    found = discover(
        load_runs(folder).runs,
        outcome,
        favours,
        reference,
        threshold=threshold,
        resamples=resamples,
    )
    head = (
        f"{favours} does better than {found.reference} on {outcome} at {found.cases} of "
        f"{len(found.points)} design points (verdict rule, point by point)."
    )
    if found.chosen is None:
        emit(head + " No box to find.\n", out)
        return
    box = found.trajectory.loc[found.chosen]
    parts = [
        head,
        f"PRIM box {found.chosen}: coverage {box['coverage']:.2f}, density {box['density']:.2f},"
        f" mass {box['mass']:.2f}, {int(box['res_dim'])} input(s) restricted.",
        render(found.limits, fmt, caption="Box limits and quasi-p-values", label="tab:box")
        if len(found.limits)
        else "The box restricts no input: it holds every design point sampled.",
        render(found.stability, fmt, caption="Stability over resamples (%)", label="tab:stab"),
        render(found.trajectory, fmt, caption="Peeling trajectory", label="tab:peel"),
        "CART tree (the second view):\n" + found.tree,
    ]
    emit("\n\n".join(parts), out)
