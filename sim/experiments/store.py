"""The batch folder on disk: chunk files, the manifest, and what can be read back from them.

Layout of a batch folder (``results/<experiment>/``)::

    manifest.json               what ran: spec and hash, seeds, versions, code, host, times, counts
    runs/chunk-000012.parquet   one row per run: inputs next to summary outcomes, status
    ticks/chunk-000012.parquet  per-tick measures (optionally every k-th tick)
    events/chunk-000012.parquet shocks and interventions
    failures/chunk-000012.parquet  tracebacks of runs that raised (only where some did)

A chunk is written under a temporary name and renamed when whole; its ``runs`` file is written
last and marks it done, so a batch killed at any moment resumes by redoing only unfinished chunks.
The manifest records what must match for results to be mixed in one folder (the experiment, the
files it names, the model code, the tick thinning); resuming, merging shards and re-running one
run all check it first. Running the chunks is :mod:`sim.experiments.batch`.

A table too large for memory is read by column and filter with :func:`read_batch_table`, or
streamed with :func:`iter_batch_table`, over a :mod:`pyarrow.dataset` of its chunk files
(:func:`batch_dataset`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import platform
import shutil
import socket
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from sim.config.loaders import load_scenario, load_structure
from sim.errors import ConfigError, ParameterError, did_you_mean
from sim.experiments.plan import chunk_size, plan_runs
from sim.experiments.provenance import code_fingerprint, code_version, package_versions
from sim.experiments.run import run
from sim.experiments.spec import Design, Experiment, Uncertainty

TABLES = ("runs", "ticks", "events", "failures")
MANIFEST = "manifest.json"


# --- chunk files ---------------------------------------------------------------------------------


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


# --- identity: what must match for results to share a folder -------------------------------------


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


# --- the manifest --------------------------------------------------------------------------------


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


def prepare_folder(
    folder: Path,
    exp: Experiment,
    n_runs: int,
    *,
    resume: bool,
    force: bool,
    every: int,
    shard: tuple[int, int] | None,
) -> dict[str, Any]:
    """Make ``folder`` ready for a batch and write its starting manifest.

    Args:
        folder: The batch folder (created if missing).
        exp: The experiment.
        n_runs: Runs in the whole batch (they set the chunk size recorded).
        resume: Continue a folder that holds results, if they match.
        force: Delete a folder that holds results first.
        every: The tick thinning.
        shard: ``(k, n)`` for a shard (its own manifest is written), or None.

    Returns:
        The manifest written, for :func:`finish_manifest`.

    Raises:
        ConfigError: If the folder holds results and neither ``resume`` nor ``force`` is given,
            if they were made with another experiment, files, code or thinning, or if the
            folder cannot be written.
    """
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


def finish_manifest(
    folder: Path, manifest: dict[str, Any], planned: int, shard: tuple[int, int] | None
) -> None:
    """Record a finished (or stopped) batch: the run counts now on disk and the time.

    Args:
        folder: The batch folder.
        manifest: The manifest :func:`prepare_folder` wrote; updated in place.
        planned: Runs in the whole batch.
        shard: ``(k, n)`` for a shard, or None.
    """
    manifest.update(_finish_counts(folder, planned, shard))
    manifest["finished"] = _now()
    _write_manifest(folder, manifest, shard)


# --- reading a folder back ----------------------------------------------------------------------


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


# --- reading by column and filter ----------------------------------------------------------------

# The operators of a filter term, as pandas' and pyarrow's ``read_parquet(filters=...)`` spell them.
FILTER_OPS = ("==", "=", "!=", "<", "<=", ">", ">=", "in", "not in")


def _chunk_files(path: Path, table: str) -> list[Path]:
    """The whole chunk files of ``table`` in ``path``, in chunk (and so run) order."""
    if not (path / MANIFEST).exists():
        raise ConfigError(f"{path}: no {MANIFEST}; allowed: a folder written by `itlead batch`")
    if table not in TABLES:
        hint = did_you_mean(table, TABLES)
        raise ParameterError(
            "table",
            f"{table!r} is not a table of the batch folder {path}; allowed {', '.join(TABLES)}"
            + (f" ({hint})" if hint else ""),
        )
    # ``chunk-*.parquet`` leaves out ``*.partial`` files: a chunk still being written is not read.
    return sorted((path / table).glob("chunk-*.parquet"))


def batch_dataset(folder: str | Path, table: str) -> ds.Dataset:
    """One table of a batch folder as a :mod:`pyarrow.dataset` over its chunk files.

    For streaming and pyarrow's own expressions; :func:`read_batch_table` is the pandas face.

    Args:
        folder: A batch folder (written by :func:`sim.run_batch` or ``itlead batch``).
        table: One of :data:`TABLES`: ``runs``, ``ticks``, ``events`` or ``failures``. A batch
            keeps no ``executives`` table (a single run's folder does).

    Returns:
        The dataset, its fragments in chunk order (the run order of :func:`load_batch`). Its
        schema is the union of the chunks' schemas: a chunk whose table is empty (the events of
        runs without shocks) stores untyped columns, which take the type the other chunks give
        them. A table without chunk files (``failures`` when no run failed) is an empty dataset
        with no columns.

    Raises:
        ConfigError: If ``folder`` is not a batch folder, or its chunks disagree on a column's
            type.
        ParameterError: If ``table`` is not one of :data:`TABLES`.
    """
    path = Path(folder)
    files = _chunk_files(path, table)
    try:
        schema = pa.unify_schemas([pq.read_schema(f) for f in files], promote_options="permissive")
    except (pa.ArrowException, ValueError) as exc:  # no files: ValueError; clashing types
        if files:
            raise ConfigError(
                f"{path}: the {table} chunk files disagree on a column's type ({exc}); allowed:"
                " chunks of one batch"
            ) from exc
        schema = pa.schema([])
    # The pandas metadata describes only the first chunk's columns (empty ones as object): drop
    # it, so each column's dtype follows its unified type.
    return ds.dataset([str(f) for f in files], schema=schema.remove_metadata(), format="parquet")


def _unknown_column(name: object, names: Sequence[str], where: str, note: str = "") -> str:
    hint = did_you_mean(str(name), names)
    return f"{name!r} is not a column of {where}{note}; allowed {', '.join(names)}" + (
        f" ({hint})" if hint else ""
    )


def _projection(schema: pa.Schema, columns: Sequence[str] | None, where: str) -> list[str] | None:
    """``columns`` checked against ``schema``: each a column, none twice."""
    if columns is None:
        return None
    columns = [columns] if isinstance(columns, str) else list(columns)
    for name in columns:
        if name not in schema.names:
            raise ParameterError("columns", _unknown_column(name, schema.names, where))
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        raise ParameterError("columns", f"{twice[0]!r} is named twice; allowed each column once")
    return columns


def _term(term: Any, schema: pa.Schema, where: str, runs_names: Sequence[str]) -> tuple:
    """One ``(column, op, value)`` filter term, checked against ``schema``."""
    if not isinstance(term, tuple | list) or len(term) != 3:
        raise ParameterError(
            "filters",
            f"{where}: {term!r} is not (column, op, value); allowed e.g. ('structure', '==',"
            " 'single_cio')",
        )
    column, op, value = term
    if column not in schema.names:
        note = ""
        if column in runs_names:  # the usual slip: a run's input asked of a per-tick table
            note = (
                " but of the runs table (read the run_ids matching it there and filter on"
                " ('run_id', 'in', ids))"
            )
        raise ParameterError("filters", _unknown_column(column, schema.names, where, note))
    if op not in FILTER_OPS:
        raise ParameterError(
            "filters",
            f"{where}: {term!r}: operator {op!r} is unknown; allowed {', '.join(FILTER_OPS)}",
        )
    kind = schema.field(column).type
    if op in ("in", "not in"):
        if isinstance(value, str) or not isinstance(value, Iterable):
            raise ParameterError(
                "filters",
                f"{where}: {term!r}: {op!r} needs a list of values; allowed e.g. ['a', 'b']",
            )
        try:  # typed, so that an empty list means "no row" rather than a type error
            value = pa.array(list(value), type=kind)
        except (pa.ArrowException, TypeError, ValueError) as exc:
            raise ParameterError(
                "filters",
                f"{where}: {term!r}: the values do not fit {column} ({kind}); allowed values of"
                f" type {kind}",
            ) from exc
    try:  # an empty table of the schema: a value that cannot be compared fails here, not later
        schema.empty_table().filter(pq.filters_to_expression([(column, op, value)]))
    except (pa.ArrowException, TypeError, ValueError) as exc:
        raise ParameterError(
            "filters",
            f"{where}: {term!r}: {value!r} cannot be compared with {column} ({kind});"
            f" allowed a value of type {kind}",
        ) from exc
    return column, op, value


def _expression(
    filters: Sequence[Any] | None, schema: pa.Schema, path: Path, table: str, where: str
) -> ds.Expression | None:
    """``filters`` (a list of terms, or a list of such lists: any of them) as an expression."""
    if filters is None or len(filters) == 0:
        return None
    # pyarrow's rule: a list whose first item starts with a name is one conjunction (AND);
    # otherwise it is a list of conjunctions, any of which may hold (OR).
    first = filters[0]
    flat = isinstance(first, tuple | list) and len(first) > 0 and isinstance(first[0], str)
    groups = [filters] if flat else filters
    runs_names: Sequence[str] = ()
    if table != "runs" and any(
        isinstance(t, tuple | list) and len(t) == 3 and t[0] not in schema.names
        for group in groups
        if isinstance(group, tuple | list)
        for t in group
    ):
        runs_names = batch_dataset(path, "runs").schema.names  # only to name them in the error
    checked = []
    for group in groups:
        if not isinstance(group, tuple | list) or not group:
            raise ParameterError(
                "filters",
                f"{where}: {group!r} is not a list of (column, op, value) terms; allowed e.g."
                " [('structure', '==', 'single_cio'), ('replication', '<', 10)]",
            )
        checked.append([_term(t, schema, where, runs_names) for t in group])
    return pq.filters_to_expression(checked)


def _scanner(
    folder: str | Path,
    table: str,
    columns: Sequence[str] | None,
    filters: Sequence[Any] | None,
    batch_size: int | None = None,
) -> ds.Scanner | None:
    """A checked scanner over one table, or None when the table has no chunk files."""
    path = Path(folder)
    dataset = batch_dataset(path, table)
    if not dataset.files:
        return None
    where = f"the {table} table of {path}"
    options: dict[str, Any] = {
        "columns": _projection(dataset.schema, columns, where),
        "filter": _expression(filters, dataset.schema, path, table, where),
    }
    if batch_size is not None:
        options["batch_size"] = batch_size
    return dataset.scanner(**options)


def read_batch_table(
    folder: str | Path,
    table: str,
    columns: Sequence[str] | None = None,
    filters: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """Only some columns and rows of one table of a batch folder, read from its chunk files.

    Parquet lets a reader skip the columns and row groups it does not need, so a slice of a
    ticks table of many gigabytes costs the slice, not the table. Without ``columns`` and
    ``filters`` the rows and values are those of :func:`load_batch` (the same order); the
    ``events`` columns keep their types (integers, floats, strings) where ``load_batch`` gives
    objects.

    Args:
        folder: A batch folder.
        table: ``runs``, ``ticks``, ``events`` or ``failures`` (:data:`TABLES`).
        columns: The columns to read, in this order; default all.
        filters: Rows to keep, as pandas' ``read_parquet(filters=...)``: a list of
            ``(column, op, value)`` terms that must all hold, e.g. ``[("tick", ">=", 100)]``,
            or a list of such lists, any of which may hold. ``op`` is one of
            :data:`FILTER_OPS`; ``in`` and ``not in`` take a list. A term may name only a column
            of ``table`` itself: ``ticks``, ``events`` and ``failures`` hold a run's
            ``run_id``, ``run_index``, ``point`` and ``replication`` but not its scenario,
            structure or parameters, which are in ``runs``; select those runs there and filter
            on ``("run_id", "in", ids)``.

    Returns:
        The rows that pass ``filters``, with ``columns``, in run order and a fresh index. A
        table without chunk files (``failures`` when no run failed) gives an empty frame with
        the ``columns`` asked for (unchecked: there is nothing to check them against).

    Raises:
        ConfigError: If ``folder`` is not a batch folder.
        ParameterError: If ``table`` is not a batch table, ``columns`` names a column the table
            lacks, or a filter term names an unknown column or operator or a value that does
            not fit its column; the message names the folder, the value and what is allowed.

    Example::

        runs = read_batch_table(folder, "runs", ["run_id"], [("structure", "==", "cio_cto_split")])
        ticks = read_batch_table(
            folder, "ticks", ["run_id", "tick", "business_trust_mean"],
            [("run_id", "in", list(runs["run_id"])), ("tick", ">=", 100)],
        )
    """
    scanner = _scanner(folder, table, columns, filters)
    if scanner is None:
        return pd.DataFrame(columns=[] if columns is None else list(columns))
    return scanner.to_table().to_pandas()


def iter_batch_table(
    folder: str | Path,
    table: str,
    columns: Sequence[str] | None = None,
    filters: Sequence[Any] | None = None,
    *,
    rows: int = 65_536,
) -> Iterator[pd.DataFrame]:
    """:func:`read_batch_table` in pieces of at most ``rows`` rows, for tables beyond memory.

    Args:
        folder: A batch folder.
        table: As :func:`read_batch_table`.
        columns: As :func:`read_batch_table`.
        filters: As :func:`read_batch_table`.
        rows: Most rows per piece.

    Yields:
        Frames that, concatenated, are :func:`read_batch_table`'s (pieces without rows are
        skipped; a table without chunk files yields none).

    Raises:
        ConfigError: As :func:`read_batch_table`, before the first piece.
        ParameterError: As :func:`read_batch_table`, before the first piece.
    """
    if rows < 1:
        raise ParameterError("rows", f"{rows} is out of range; allowed 1 or more")
    scanner = _scanner(folder, table, columns, filters, batch_size=rows)
    return _pieces(scanner)


def _pieces(scanner: ds.Scanner | None) -> Iterator[pd.DataFrame]:
    # A separate generator, so that the checks above run when iter_batch_table is called.
    if scanner is None:
        return
    for batch in scanner.to_batches():
        if batch.num_rows:
            yield batch.to_pandas()


# --- re-running one run, merging shards -----------------------------------------------------------


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
