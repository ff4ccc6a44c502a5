"""Batches: every run of an experiment, executed locally, on Dask or as shards, resumable.

Layout of a batch folder (``results/<experiment>/``)::

    manifest.json               what ran: spec and hash, seeds, versions, code, host, times, counts
    runs/chunk-000012.parquet   one row per run: inputs next to summary outcomes, status
    ticks/chunk-000012.parquet  per-tick measures (optionally every k-th tick)
    events/chunk-000012.parquet shocks and interventions
    failures/chunk-000012.parquet  tracebacks of runs that raised (only where some did)

Runs are grouped into chunks whose membership depends only on the experiment, so each chunk file
is the same bytes whichever executor wrote it, in whatever order. A chunk is written under a
temporary name and renamed when whole; its ``runs`` file is written last and marks it done, so a
batch killed at any moment resumes by redoing only unfinished chunks.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import multiprocessing
import os
import platform
import shutil
import socket
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.loaders import load_scenario, load_structure
from sim.errors import ConfigError
from sim.experiments.provenance import code_fingerprint, code_version, package_versions
from sim.experiments.run import RunResult, run, with_inputs
from sim.experiments.spec import Experiment, load_experiment
from sim.model.outcomes import SUMMARY_OUTCOMES

TABLES = ("runs", "ticks", "events", "failures")
MAX_CHUNK = 25  # runs per chunk at most: bounds memory per worker and work lost to a kill
MANIFEST = "manifest.json"


@dataclasses.dataclass(frozen=True, slots=True)
class RunSpec:
    """One run of a batch: everything needed to repeat it exactly.

    Attributes:
        index: Position in the batch's canonical order.
        run_id: Hash of the run's inputs.
        point: Design point index.
        replication: Replication index.
        scenario: Scenario name or path.
        structure: Structure name or path.
        seed: Root seed (the same for every structure and scenario of a point and replication).
        overrides: Parameter overrides: constants, then the point's values.
    """

    index: int
    run_id: str
    point: int
    replication: int
    scenario: str
    structure: str
    seed: int
    overrides: tuple[tuple[str, Any], ...]


def derive_seed(master_seed: int, point: int, replication: int) -> int:
    """The root seed of a replication: ``SeedSequence(master)`` spawned by point and replication.

    Structures and scenarios are not part of the key, so they meet the same demand, shocks and
    market (common random numbers) and pair by replication.
    """
    words = np.random.SeedSequence(master_seed, spawn_key=(point, replication)).generate_state(2)
    return (int(words[0]) << 32 | int(words[1])) & (2**63 - 1)


def _run_id(scenario: str, structure: str, seed: int, overrides: dict[str, Any]) -> str:
    text = json.dumps(
        {"scenario": scenario, "structure": structure, "seed": seed, "overrides": overrides},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def plan_runs(experiment: Experiment) -> list[RunSpec]:
    """Every run of ``experiment``, in canonical order: point, replication, scenario, structure."""
    runs = []
    constants = dict(experiment.constants)
    if experiment.steps is not None:
        constants["steps"] = experiment.steps
    for p, point in enumerate(experiment.points()):
        overrides = constants | point
        for r in range(experiment.replications):
            seed = derive_seed(experiment.master_seed, p, r)
            for scenario in experiment.scenarios:
                for structure in experiment.structures:
                    runs.append(
                        RunSpec(
                            index=len(runs),
                            run_id=_run_id(scenario, structure, seed, overrides),
                            point=p,
                            replication=r,
                            scenario=scenario,
                            structure=structure,
                            seed=seed,
                            overrides=tuple(sorted(overrides.items())),
                        )
                    )
    return runs


def chunk_size(n_runs: int) -> int:
    """Runs per chunk: a function of the batch size only, so resumes find the same chunks."""
    return max(1, min(MAX_CHUNK, math.ceil(n_runs / 64)))


def chunks(runs: list[RunSpec]) -> list[list[RunSpec]]:
    """The runs cut into chunks of :func:`chunk_size`."""
    size = chunk_size(len(runs))
    return [runs[i : i + size] for i in range(0, len(runs), size)]


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


# --- storage -----------------------------------------------------------------------------------


def _chunk_file(folder: Path, table: str, k: int) -> Path:
    return folder / table / f"chunk-{k:06d}.parquet"


def _write_atomic(path: Path, frame: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + f".{os.getpid()}.partial")
    frame.to_parquet(partial, index=False)
    os.replace(partial, path)


def write_chunk(folder: Path, k: int, tables: dict[str, pd.DataFrame]) -> None:
    """Write a chunk's tables; ``runs`` last, so its presence means the chunk is whole."""
    for name in ("ticks", "events", "failures"):
        if name in tables:
            _write_atomic(_chunk_file(folder, name, k), tables[name])
        else:  # a retried chunk may no longer have failures
            _chunk_file(folder, name, k).unlink(missing_ok=True)
    _write_atomic(_chunk_file(folder, "runs", k), tables["runs"])


def done_chunks(folder: Path) -> set[int]:
    """Indices of chunks whose ``runs`` file exists."""
    runs = folder / "runs"
    if not runs.is_dir():
        return set()
    return {int(p.stem.split("-")[1]) for p in runs.glob("chunk-*.parquet")}


def failed_chunks(folder: Path) -> set[int]:
    """Indices of chunks with at least one failed run."""
    failures = folder / "failures"
    if not failures.is_dir():
        return set()
    return {int(p.stem.split("-")[1]) for p in failures.glob("chunk-*.parquet")}


def read_table(folder: str | Path, table: str = "runs") -> pd.DataFrame:
    """One table of a batch folder as a DataFrame, in canonical run order."""
    files = sorted((Path(folder) / table).glob("chunk-*.parquet"))
    if not files:
        return pd.DataFrame()
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


# --- executors ------------------------------------------------------------------------------

Job = tuple[int, list[RunSpec]]
Sink = Callable[[int, dict[str, pd.DataFrame]], None]


def _serial(jobs: list[Job], every: int, sink: Sink) -> None:
    for k, specs in jobs:
        sink(k, execute_chunk(specs, every))


def _local(jobs: list[Job], every: int, sink: Sink, workers: int) -> None:
    # spawn: safe from notebooks and threads; at most 2 chunks per worker in flight keeps
    # memory flat however large the batch.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
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


def _connect(address: str | None, workers: int) -> tuple[Any, Any]:
    """A Dask client (and the LocalCluster it owns, if any); a bad address is a ConfigError."""
    from distributed import Client, LocalCluster

    if address is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)
        return Client(cluster), cluster
    try:
        return Client(address, timeout="5s"), None
    except OSError as exc:
        raise ConfigError(
            f"--address: {address} cannot be reached ({exc}); allowed: the address of a running"
            " Dask scheduler, e.g. tcp://host:8786"
        ) from exc


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


def spec_dict(experiment: Experiment) -> dict[str, Any]:
    """The experiment as plain data, for the manifest."""
    return json.loads(json.dumps(dataclasses.asdict(experiment), default=str))


def resolved_inputs(experiment: Experiment) -> dict[str, Any]:
    """What the files an experiment names held when the batch ran.

    Every scenario and structure as loaded (bases resolved), including structures a scenario
    restructures to, and a CSV design's points. A file named by path is keyed by that path, so
    shards must see it at the same path.
    """
    scenarios = {name: load_scenario(name) for name in experiment.scenarios}
    names = set(experiment.structures)
    names |= {i.structure for s in scenarios.values() for i in s.interventions if i.structure}
    structures = {name: load_structure(name) for name in sorted(names)}

    def plain(item: Any) -> dict[str, Any]:
        data = json.loads(json.dumps(dataclasses.asdict(item), default=str))
        data.pop("source", None)
        return data

    inputs: dict[str, Any] = {
        "scenarios": {name: plain(s) for name, s in scenarios.items()},
        "structures": {name: plain(s) for name, s in structures.items()},
    }
    if experiment.design.kind == "csv":  # the spec holds only the CSV's path
        inputs["design_points"] = json.loads(json.dumps(experiment.points(), default=str))
    return inputs


def spec_hash(experiment: Experiment, inputs: dict[str, Any] | None = None) -> str:
    """Hash of the experiment's content and of what the files it names hold.

    Editing a scenario, structure or design CSV the experiment names changes the hash; where
    the experiment file itself lives does not. ``inputs``: :func:`resolved_inputs`, if the
    caller has them already (they are read from disk otherwise).
    """
    data = spec_dict(experiment)
    data.pop("source", None)
    data["inputs"] = resolved_inputs(experiment) if inputs is None else inputs
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


IDENTITY_KEYS = ("spec_hash", "code_fingerprint", "every")


def _identity(
    experiment: Experiment, every: int | None, inputs: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What must match for results to belong in one batch folder."""
    identity = {
        "spec_hash": spec_hash(experiment, inputs),
        "code_fingerprint": code_fingerprint(),
    }
    return identity if every is None else identity | {"every": every}


def _mismatch(manifest: dict[str, Any], identity: dict[str, Any]) -> str | None:
    """Why results made under ``manifest`` may not be mixed with new ones, or None."""
    if "code_fingerprint" not in manifest:
        return (
            "was written by an older itlead, which did not record the files and code it ran"
            f" (commit {manifest.get('code_version', 'unknown')}); run that commit to continue it"
        )
    if manifest.get("spec_hash") != identity["spec_hash"]:
        return (
            "was run with a different experiment, or a scenario or structure it names has"
            " changed since (the manifest's spec and inputs hold what ran)"
        )
    if manifest.get("code_fingerprint") != identity["code_fingerprint"]:
        return (
            f"was run with other model code (commit {manifest.get('code_version', 'unknown')});"
            " check that code out to continue it"
        )
    if "every" in identity and manifest.get("every") != identity["every"]:
        return f"was run with --every {manifest.get('every')}, not {identity['every']}"
    return None


class BatchResult:
    """A batch folder's tables. ``runs`` is read at once; the large tables once, when first asked.

    Attributes:
        folder: The batch folder.
        runs: One row per run: inputs, status and summary outcomes.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.runs = read_table(folder, "runs")

    @cached_property
    def ticks(self) -> pd.DataFrame:
        """Per-tick measures of every run (thinned if the batch was run with ``every``)."""
        return read_table(self.folder, "ticks")

    @cached_property
    def events(self) -> pd.DataFrame:
        """Shocks and interventions of every run."""
        return read_table(self.folder, "events")

    @cached_property
    def failures(self) -> pd.DataFrame:
        """Tracebacks of failed runs."""
        return read_table(self.folder, "failures")

    def __repr__(self) -> str:
        return f"load_batch({str(self.folder)!r})"


def load_batch(folder: str | Path) -> BatchResult:
    """Open a batch folder."""
    path = Path(folder)
    if not (path / MANIFEST).exists():
        raise ConfigError(f"{path}: no {MANIFEST}; allowed: a folder written by `itlead batch`")
    return BatchResult(path)


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
        out: Batch folder (default ``results/<experiment name>``).
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
    folder = Path(out) if out is not None else Path("results") / exp.name
    if every < 1:
        raise ConfigError(f"--every = {every} is out of range; allowed 1 or more")
    if executor not in ("local", "dask"):
        raise ConfigError(f"--executor = {executor!r} is unknown; allowed local, dask")
    if workers < 1:
        raise ConfigError(f"--workers = {workers} is out of range; allowed 1 or more")
    runs = plan_runs(exp)
    all_jobs = list(enumerate(chunks(runs)))
    # Reach the cluster before touching the folder: a bad address leaves nothing behind.
    client, cluster = _connect(address, workers) if executor == "dask" else (None, None)
    try:
        manifest = _prepare_folder(
            folder, exp, len(runs), resume=resume, force=force, every=every, shard=shard
        )
        done = done_chunks(folder)
        if retry_failed:
            done -= failed_chunks(folder)
        mine = [job for job in all_jobs if shard is None or job[0] % shard[1] == shard[0]]
        jobs = [job for job in mine if job[0] not in done]
        total = sum(len(s) for _, s in mine)
        counts = {"done": sum(len(s) for k, s in mine if k in done), "failed": 0}

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

        if progress is not None:
            progress(counts["done"], 0, total)
        if executor == "dask":
            _dask(jobs, every, sink, client, workers)
        elif workers > 1 and len(jobs) > 1:
            _local(jobs, every, sink, workers)
        else:
            _serial(jobs, every, sink)
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    manifest.update(_finish_counts(folder, len(runs), shard))
    manifest["finished"] = _now()
    _write_manifest(folder, manifest, shard)
    return load_batch(folder)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _manifest_name(shard: tuple[int, int] | None) -> str:
    return MANIFEST if shard is None else f"manifest-shard-{shard[0]}-of-{shard[1]}.json"


def _write_manifest(folder: Path, manifest: dict[str, Any], shard: tuple[int, int] | None) -> None:
    path = folder / _manifest_name(shard)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str))
    os.replace(partial, path)
    if shard is not None and not (folder / MANIFEST).exists():
        partial = folder / (MANIFEST + f".{os.getpid()}.partial")
        shutil.copyfile(path, partial)
        os.replace(partial, folder / MANIFEST)


def _prepare_folder(
    folder: Path,
    exp: Experiment,
    n_runs: int,
    *,
    resume: bool,
    force: bool,
    every: int,
    shard: tuple[int, int] | None,
) -> dict[str, Any]:
    manifests = dict.fromkeys((folder / MANIFEST, folder / _manifest_name(shard)))
    inputs = resolved_inputs(exp)  # read once: hashed, and recorded in the manifest
    identity = _identity(exp, every, inputs)
    try:
        if folder.exists() and any(folder.iterdir()):
            if force:
                shutil.rmtree(folder)
            elif not resume:
                raise ConfigError(
                    f"{folder}: already holds results; allowed: --resume to continue it, --force"
                    " to replace it, or another --out"
                )
            # A shard's own manifest is written before the shared copy: check whichever exist.
            for written in (m for m in manifests if m.exists()):
                why = _mismatch(json.loads(written.read_text()), identity)
                if why is not None:
                    raise ConfigError(
                        f"{folder}: {why}; allowed: the same experiment, files, code and"
                        " options, or --force to start over"
                    )
        folder.mkdir(parents=True, exist_ok=True)
        manifest = {
            "experiment": exp.name,
            "spec": spec_dict(exp),
            "inputs": inputs,
            **identity,
            "master_seed": exp.master_seed,
            "chunk_size": chunk_size(n_runs),
            "code_version": code_version(),
            "packages": package_versions(),
            "host": socket.gethostname(),
            "platform": platform.platform(),
            "started": _now(),
            "shard": list(shard) if shard else None,
        }
        _write_manifest(folder, manifest, shard)
    except OSError as exc:
        raise ConfigError(
            f"{folder}: cannot write results ({exc.strerror or exc}); allowed: a writable folder"
            " with free space"
        ) from exc
    return manifest


def _finish_counts(folder: Path, planned: int, shard: tuple[int, int] | None) -> dict[str, Any]:
    runs = read_table(folder, "runs")
    done = len(runs)
    failed = int((runs["status"] == "failed").sum()) if done else 0
    return {"runs_planned": planned, "runs_done": done, "runs_failed": failed}


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """A batch folder's manifest."""
    path = Path(folder) / MANIFEST
    if not path.exists():
        raise ConfigError(f"{folder}: no {MANIFEST}; allowed: a folder written by `itlead batch`")
    return json.loads(path.read_text())


def experiment_of(folder: str | Path) -> Experiment:
    """The experiment a batch folder ran, rebuilt from its manifest."""
    return experiment_from_spec(read_manifest(folder)["spec"])


def status(folder: str | Path) -> dict[str, int]:
    """Done, failed and pending runs of a batch folder."""
    path = Path(folder)
    exp = experiment_of(path)
    planned = len(plan_runs(exp))
    runs = read_table(path, "runs")
    failed = int((runs["status"] == "failed").sum()) if len(runs) else 0
    return {"done": len(runs) - failed, "failed": failed, "pending": planned - len(runs)}


def experiment_from_spec(spec: dict[str, Any]) -> Experiment:
    """Rebuild an Experiment from the plain data a manifest holds (see :func:`spec_dict`)."""
    from sim.experiments.spec import Design, Uncertainty

    fields = dict(spec)
    fields["scenarios"] = tuple(fields["scenarios"])
    fields["structures"] = tuple(fields["structures"])
    fields["outcomes"] = tuple(fields["outcomes"])
    fields["constants"] = tuple(tuple(c) for c in fields["constants"])
    fields["uncertainties"] = tuple(
        Uncertainty(**(u | {"values": tuple(u["values"])})) for u in fields["uncertainties"]
    )
    design = dict(fields["design"])
    design["runs"] = tuple(tuple(tuple(kv) for kv in point) for point in design["runs"])
    fields["design"] = Design(**design)
    return Experiment(**fields)


def rerun(folder: str | Path, run_id: str):
    """Re-run one run of a batch exactly, from the folder and its run id."""
    path = Path(folder)
    exp = experiment_of(path)
    why = _mismatch(read_manifest(path), _identity(exp, None))
    if why is not None:  # the run would not be the one the folder holds
        raise ConfigError(f"{path}: {why}; allowed: rerun with the files and code that ran")
    for spec in plan_runs(exp):
        if spec.run_id == run_id:
            return run(
                spec.scenario, structure=spec.structure, seed=spec.seed, **dict(spec.overrides)
            )
    raise ConfigError(f"{path}: no run {run_id!r}; allowed: a run_id from its runs table")


def merge(out: str | Path, shards: Iterable[str | Path]) -> BatchResult:
    """Gather shard folders into ``out``: manifests are checked first, then chunk files copied."""
    target = Path(out)
    folders = [Path(s) for s in shards]
    manifests = []
    for path in folders:
        found = sorted(path.glob("manifest-shard-*.json"))
        if not found:
            raise ConfigError(f"{path}: no shard manifest; allowed: folders written with --shard")
        manifests += [json.loads(m.read_text()) for m in found]
    for m in manifests[1:]:
        why = _mismatch(m, {key: manifests[0].get(key) for key in IDENTITY_KEYS})
        if why is not None:
            raise ConfigError(
                f"{target}: shard {m['shard']} {why}, unlike shard {manifests[0]['shard']};"
                " allowed: shards of one batch"
            )
    for path in folders:
        if path.resolve() == target.resolve():
            continue
        for table in TABLES:
            for f in sorted((path / table).glob("chunk-*.parquet")):
                dest = target / table / f.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, dest)
    manifest = dict(manifests[0])
    manifest["shard"] = None
    manifest["shards"] = sorted(m["shard"] for m in manifests)
    manifest["started"] = min(m["started"] for m in manifests)
    manifest["finished"] = max(m.get("finished", "") for m in manifests)
    exp = experiment_from_spec(manifest["spec"])
    target.mkdir(parents=True, exist_ok=True)
    manifest.update(_finish_counts(target, len(plan_runs(exp)), None))
    _write_manifest(target, manifest, None)
    return load_batch(target)
