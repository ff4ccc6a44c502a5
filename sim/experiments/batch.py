"""Batches: every run of an experiment, executed locally, on Dask or as shards, resumable.

The runs are planned by :mod:`sim.experiments.plan` and grouped into chunks whose membership
depends only on the experiment, so each chunk file is the same bytes whichever executor wrote it,
in whatever order. This module runs the chunks (serially, in local processes or on Dask) and hands
each finished one to :mod:`sim.experiments.store`, which owns the batch folder: its layout, the
manifest, atomic writes, resuming, status, merging shards and re-running one run. The names of
both are importable from here too, as before the split.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import re
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ConfigError
from sim.experiments.plan import MAX_CHUNK, RunSpec, chunk_size, chunks, derive_seed, plan_runs
from sim.experiments.run import RunResult, run, with_inputs
from sim.experiments.spec import Experiment, load_experiment
from sim.experiments.store import (
    IDENTITY_KEYS,
    MANIFEST,
    TABLES,
    BatchResult,
    FolderLock,
    batch_dataset,
    done_chunks,
    experiment_from_spec,
    experiment_of,
    failed_chunks,
    finish_manifest,
    folder_name,
    iter_batch_table,
    load_batch,
    merge,
    prepare_folder,
    read_batch_table,
    read_manifest,
    read_table,
    rerun,
    resolved_inputs,
    spec_dict,
    spec_hash,
    status,
    write_chunk,
)
from sim.model.outcomes import SUMMARY_OUTCOMES

__all__ = [
    "IDENTITY_KEYS",
    "MANIFEST",
    "MAX_CHUNK",
    "TABLES",
    "BatchResult",
    "RunSpec",
    "batch_dataset",
    "chunk_size",
    "chunks",
    "derive_seed",
    "done_chunks",
    "execute_chunk",
    "execute_run",
    "experiment_from_spec",
    "experiment_of",
    "failed_chunks",
    "iter_batch_table",
    "load_batch",
    "merge",
    "plan_runs",
    "read_batch_table",
    "read_manifest",
    "read_table",
    "rerun",
    "resolved_inputs",
    "run_batch",
    "run_row",
    "spec_dict",
    "spec_hash",
    "status",
    "write_chunk",
]


# --- executing runs (picklable, module level) ------------------------------------------------


def _run_inputs(spec: RunSpec) -> dict[str, Any]:
    return {
        "run_id": spec.run_id,
        "run_index": spec.index,
        "point": spec.point,
        "replication": spec.replication,
    }


def run_row(spec: RunSpec, result: RunResult) -> pd.DataFrame:
    """The ``runs`` row of a finished run: its inputs, its parameters and its summary outcomes."""
    summary = result.summary.iloc[0].to_dict()
    row = _run_inputs(spec) | {k: summary.pop(k) for k in ("scenario", "structure", "seed")}
    row |= {f"param.{k}": v for k, v in spec.overrides} | {"status": "ok"} | summary
    return pd.DataFrame([row])


def execute_run(spec: RunSpec, every: int = 1) -> dict[str, pd.DataFrame]:
    """Run one spec; a run that raises becomes a ``failed`` row and a traceback, never an error."""
    inputs = _run_inputs(spec)
    point = dict(spec.overrides)
    try:
        result = run(spec.scenario, structure=spec.structure, seed=spec.seed, **point)
    except Exception:  # a failed run is recorded and the batch goes on
        row = inputs | {"scenario": spec.scenario, "structure": spec.structure, "seed": spec.seed}
        row |= {f"param.{k}": v for k, v in spec.overrides} | {"status": "failed"}
        row |= dict.fromkeys(SUMMARY_OUTCOMES, math.nan)
        failure = inputs | {"traceback": traceback.format_exc()}
        return {"runs": pd.DataFrame([row]), "failures": pd.DataFrame([failure])}
    ticks = result.ticks
    if every > 1:
        ticks = ticks[ticks["tick"] % every == 0]
    return {
        "runs": run_row(spec, result),
        "ticks": with_inputs(ticks.drop(columns=["scenario", "structure", "seed"]), inputs),
        "events": with_inputs(
            result.events.drop(columns=["scenario", "structure", "seed"]), inputs
        ),
    }


def execute_chunk(specs: list[RunSpec], every: int = 1) -> dict[str, pd.DataFrame]:
    """Run a chunk; tables are concatenated in run order."""
    outputs = [execute_run(spec, every) for spec in specs]
    tables = {}
    for name in TABLES:
        frames = [o[name] for o in outputs if name in o]
        if frames:
            tables[name] = pd.concat(frames, ignore_index=True)
    return tables


# --- executors ------------------------------------------------------------------------------

Job = tuple[int, list[RunSpec]]
Sink = Callable[[int, dict[str, pd.DataFrame]], None]


class WorkerError(ConfigError):
    """A batch's worker process died (killed, out of memory); the CLI prints it as one line."""


LOOPBACK = "127.0.0.1"  # every server a batch starts listens here only
# A Dask scheduler address: an optional scheme, a host name or address ([...] for IPv6), a port.
_ADDRESS = re.compile(
    r"(?:(?:tcp|tls|ws|wss)://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(?P<port>\d{1,5})"
)
WATCH_INTERVAL = 1.0  # seconds between a worker's looks at its parent


def _watch_parent(parent: int) -> None:
    """A pool worker's initializer: end the worker as soon as the batch that started it is gone.

    A ProcessPoolExecutor worker whose parent is SIGKILLed would otherwise wait for work forever
    (holding its memory, and the resource tracker with it). A daemon thread polls the parent's
    PID; when the worker has been re-parented (to init or a sub-reaper), it exits at once.

    Args:
        parent: The PID of the batch process.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_INTERVAL)
        os._exit(1)  # no clean-up to do: the parent, which would collect results, is gone

    threading.Thread(target=watch, name="itlead-parent-watch", daemon=True).start()


def _serial(jobs: list[Job], every: int, sink: Sink) -> None:
    for k, specs in jobs:
        sink(k, execute_chunk(specs, every))


def _local(jobs: list[Job], every: int, sink: Sink, workers: int) -> None:
    # spawn: safe from notebooks and threads; at most 2 chunks per worker in flight keeps
    # memory flat however large the batch.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_watch_parent, initargs=(os.getpid(),)
    )
    try:
        pending: dict[Any, int] = {}
        queue = iter(jobs)
        for k, specs in _take(queue, 2 * workers):
            pending[pool.submit(execute_chunk, specs, every)] = k
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                sink(pending.pop(future), future.result())
                for k, specs in _take(queue, 1):
                    pending[pool.submit(execute_chunk, specs, every)] = k
    except BrokenProcessPool as exc:
        # A worker died (killed, out of memory): the chunks already written stay, so the batch
        # can go on from where it stopped.
        raise WorkerError(
            f"a worker process died unexpectedly ({len(pending)} chunk(s) unfinished); the"
            " chunks already written are kept: run the same command with --resume to finish"
        ) from exc
    finally:
        # After an error, chunks still queued are cancelled rather than run for nothing.
        pool.shutdown(wait=True, cancel_futures=True)


def _connect(address: str | None, workers: int) -> tuple[Any, Any]:
    """A Dask client (and the LocalCluster it owns, if any); a bad address is a ConfigError."""
    from distributed import Client, LocalCluster

    if address is None:
        # Loopback only: the cluster is this batch's own. Dask's default dashboard address,
        # ":8787", means every interface; its HTTP server (health and metrics routes) always
        # starts, so it gets a free loopback port, and the Bokeh dashboard pages are off.
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host=LOOPBACK,
            dashboard_address=f"{LOOPBACK}:0",
            worker_dashboard_address=None,
            scheduler_kwargs={"dashboard": False},
        )
        return Client(cluster), cluster
    _check_address(address)
    try:
        return Client(address, timeout="5s"), None
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"--address: {address} cannot be reached ({exc}); allowed: the address of a running"
            " Dask scheduler, e.g. tcp://host:8786"
        ) from exc


def _check_address(address: str) -> None:
    """Refuse a scheduler address that is not ``[scheme://]host:port``, before connecting.

    Dask's own parser raises a bare ValueError (``Invalid url scheme``, ``invalid literal for
    int()``); this names the option, the value and what is allowed instead.
    """
    match = _ADDRESS.fullmatch(address)
    if match is None or not 1 <= int(match["port"]) <= 65535:
        raise ConfigError(
            f"--address = {address!r} is not a scheduler address; allowed"
            " [tcp|tls|ws|wss://]host:port with a port 1 to 65535, e.g. tcp://127.0.0.1:8786"
        )


def _dask(jobs: list[Job], every: int, sink: Sink, client: Any, workers: int) -> None:
    from distributed import as_completed

    queue = iter(jobs)
    keys: dict[Any, int] = {}
    pool = as_completed()

    def submit(batch: list[Job]) -> None:
        for k, specs in batch:
            future = client.submit(execute_chunk, specs, every, pure=False)
            keys[future] = k
            pool.add(future)

    # At most two chunks per worker in flight: memory stays flat on both sides.
    submit(_take(queue, 2 * workers))
    for future in pool:
        sink(keys.pop(future), future.result())
        future.release()
        submit(_take(queue, 1))


def _take(queue: Iterator[Job], n: int) -> list[Job]:
    out = []
    for _ in range(n):
        try:
            out.append(next(queue))
        except StopIteration:
            break
    return out


# --- the batch ----------------------------------------------------------------------------------


def run_batch(
    experiment: str | Path | Experiment,
    *,
    out: str | Path | None = None,
    workers: int = 1,
    executor: str = "local",
    address: str | None = None,
    shard: tuple[int, int] | None = None,
    every: int = 1,
    resume: bool = False,
    force: bool = False,
    retry_failed: bool = False,
    progress: Callable[[int, int, int], None] | None = None,
) -> BatchResult:
    """Run every (pending) run of an experiment and return its tables.

    Args:
        experiment: An experiment name, file, or loaded :class:`Experiment`.
        out: Batch folder (default ``results/<experiment name>``, the name made safe by
            :func:`~sim.experiments.store.folder_name`: never ``..``).
        workers: Processes (local) or workers (a Dask LocalCluster); 1 runs serially.
        executor: ``"local"`` or ``"dask"``.
        address: Dask scheduler address; None starts a LocalCluster.
        shard: ``(k, n)``: run only chunks ``k, k + n, ...`` (for job arrays; then merge).
        every: Keep every ``every``-th tick in the ticks table.
        resume: Skip chunks already done.
        force: Delete an existing folder first.
        retry_failed: With ``resume``, re-run chunks that hold failed runs.
        progress: Called as ``progress(done, failed, total)`` after each chunk.

    Returns:
        The batch's tables (all chunks written so far, for a shard only its own).
    """
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    folder = Path(out) if out is not None else Path("results") / folder_name(exp.name)
    _check_options(every=every, executor=executor, workers=workers)
    runs = plan_runs(exp)
    all_jobs = list(enumerate(chunks(runs)))
    # Reach the cluster before touching the folder: a bad address leaves nothing behind.
    client, cluster = _connect(address, workers) if executor == "dask" else (None, None)
    try:
        # One writer at a time: the lock is held until the manifest is finished.
        with FolderLock(folder):
            manifest = prepare_folder(
                folder, exp, len(runs), resume=resume, force=force, every=every, shard=shard
            )
            mine, jobs, done = _pending_jobs(folder, all_jobs, shard, retry_failed)
            total = sum(len(s) for _, s in mine)
            counts = {"done": sum(len(s) for k, s in mine if k in done), "failed": 0}
            sink = _chunk_sink(folder, counts, total, progress)
            if progress is not None:
                progress(counts["done"], 0, total)
            _execute(jobs, every, sink, executor=executor, client=client, workers=workers)
            finish_manifest(folder, manifest, len(runs), shard)
    finally:
        _disconnect(client, cluster)
    return load_batch(folder)


def _check_options(*, every: int, executor: str, workers: int) -> None:
    """Refuse options no batch can run with, before anything is planned or touched."""
    if every < 1:
        raise ConfigError(f"--every = {every} is out of range; allowed 1 or more")
    if executor not in ("local", "dask"):
        raise ConfigError(f"--executor = {executor!r} is unknown; allowed local, dask")
    if workers < 1:
        raise ConfigError(f"--workers = {workers} is out of range; allowed 1 or more")


def _pending_jobs(
    folder: Path, all_jobs: list[Job], shard: tuple[int, int] | None, retry_failed: bool
) -> tuple[list[Job], list[Job], set[int]]:
    """This shard's chunks, those of them still to run, and the chunks already done.

    A chunk is done when its ``runs`` file exists; with ``retry_failed``, one holding a failed
    run is not.
    """
    done = done_chunks(folder)
    if retry_failed:
        done -= failed_chunks(folder)
    mine = [job for job in all_jobs if shard is None or job[0] % shard[1] == shard[0]]
    jobs = [job for job in mine if job[0] not in done]
    return mine, jobs, done


def _chunk_sink(
    folder: Path,
    counts: dict[str, int],
    total: int,
    progress: Callable[[int, int, int], None] | None,
) -> Sink:
    """What to do with each finished chunk: write it, count its runs, report progress."""

    def sink(k: int, tables: dict[str, pd.DataFrame]) -> None:
        try:
            write_chunk(folder, k, tables)
        except OSError as exc:
            raise ConfigError(
                f"{folder}: cannot write results ({exc.strerror or exc}); allowed: a"
                " writable folder with free space"
            ) from exc
        counts["done"] += len(tables["runs"])
        counts["failed"] += int((tables["runs"]["status"] == "failed").sum())
        if progress is not None:
            progress(counts["done"], counts["failed"], total)

    return sink


def _execute(
    jobs: list[Job], every: int, sink: Sink, *, executor: str, client: Any, workers: int
) -> None:
    """Run the jobs on the chosen executor, each finished chunk handed to ``sink``."""
    if executor == "dask":
        _dask(jobs, every, sink, client, workers)
    elif workers > 1 and len(jobs) > 1:
        _local(jobs, every, sink, workers)
    else:
        _serial(jobs, every, sink)


def _disconnect(client: Any, cluster: Any) -> None:
    """Close a Dask client and the LocalCluster it owns, whichever exist."""
    if client is not None:
        client.close()
    if cluster is not None:
        cluster.close()
