"""Commands on batches: batch, status, merge, rerun, and headline (the main job)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from sim.cli.base import format_summary, main
from sim.errors import ConfigError


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
    from sim.experiments.batch import run_batch

    with _progress_bar(quiet) as progress:
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
    click.echo(format_summary(result.summary.iloc[0]))
    if out is not None:
        from sim.experiments.output import write_run

        write_run(result, out, csv=False, spec={"batch": str(folder), "run_id": run_id})
        click.echo(f"\nwrote {out}")


@contextlib.contextmanager
def _progress_bar(quiet: bool) -> Iterator[Callable[[int, int, int], None]]:
    """A ``progress`` callback for :func:`sim.experiments.batch.run_batch` that draws a bar."""
    from tqdm import tqdm

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
        yield progress
    finally:
        if bar is not None:
            bar.close()


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
    help="Also copy the headline comparison figure here (PNG, with its data CSV and caption TXT).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Start over: replace a batch folder made by other code or another experiment.",
)
def headline_command(
    experiment: str, out: Path | None, workers: int, figure: Path | None, force: bool
) -> None:
    """The main job: run the headline structure comparison (resuming) and write its report."""
    import shutil

    from sim.analysis.answer import answer_text
    from sim.analysis.report import build_report
    from sim.analysis.stats import paired_comparison
    from sim.experiments.batch import run_batch

    kept = "starting over" if force else "finished runs are kept"
    click.echo(f"Running {experiment} on {workers} workers ({kept})...", err=True)
    with _progress_bar(quiet=False) as progress:
        result = run_batch(
            experiment,
            out=out,
            workers=workers,
            resume=not force,
            force=force,
            progress=progress,
        )
    html_path, md_path = build_report(result.folder)
    click.echo(answer_text(paired_comparison(result.runs, str(result.runs["structure"].iloc[0]))))
    if figure is not None:
        # The PNG with the numbers it plots (CSV) and its caption (TXT), so the figure in the
        # README can be checked against a fresh run (tests/test_headline_figure.py).
        source = next((result.folder / "figures").glob("comparison_vs_*.png"))
        figure.parent.mkdir(parents=True, exist_ok=True)
        for suffix in (".png", ".csv", ".txt"):
            shutil.copyfile(source.with_suffix(suffix), figure.with_suffix(suffix))
            click.echo(f"wrote {figure.with_suffix(suffix)}")
    click.echo(f"report: {html_path}\n        {md_path}")
