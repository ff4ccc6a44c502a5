"""The batch folder on disk: chunk files, the manifest, and what can be read back from them.

Layout of a batch folder (``results/<experiment>/``)::

    manifest.json               what ran: spec and hash, seeds, versions, code, host, times, counts
    runs/chunk-000012.parquet   one row per run: inputs next to summary outcomes, status
    ticks/chunk-000012.parquet  per-tick measures (optionally every k-th tick)
    events/chunk-000012.parquet shocks and interventions
    failures/chunk-000012.parquet  tracebacks of runs that raised (only where some did)

A chunk is written under a temporary name (unique to its writer) and renamed when whole; its
``runs`` file is written last, records the size and SHA-256 of the chunk's other files, and marks
it done, so a batch killed at any moment resumes by redoing only unfinished chunks. Resume and
status check every chunk against the plan (readable, as many rows as planned, checksums as
recorded); a damaged chunk is re-run, never trusted. The manifest records what must match for
results to be mixed in one folder (the experiment, the files it names, the model code, the tick
thinning); resuming, merging shards and re-running one run all check it first. One writer at a
time: a batch or merge holds ``fcntl.flock`` on ``.itlead.lock`` in the folder. Running the
chunks is :mod:`sim.experiments.batch`.

A table too large for memory is read by column and filter with :func:`read_batch_table`, or
streamed with :func:`iter_batch_table`, over a :mod:`pyarrow.dataset` of its chunk files
(:func:`batch_dataset`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import json
import logging
import os
import platform
import re
import shutil
import socket
import uuid
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
from sim.experiments.plan import chunk_size, chunks, plan_runs
from sim.experiments.provenance import code_fingerprint, code_version, package_versions
from sim.experiments.run import run
from sim.experiments.spec import Design, Experiment, Uncertainty

try:  # POSIX; elsewhere a folder is not locked
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

TABLES = ("runs", "ticks", "events", "failures")
MANIFEST = "manifest.json"
LOCK = ".itlead.lock"
# A chunk file's name; anything else in a table folder is not a chunk of the batch.
_CHUNK_NAME = re.compile(r"chunk-(\d{6,})\.parquet")
# The key of a runs chunk's Parquet metadata that records the chunk's other files.
_CHUNK_META = b"itlead.chunk"

log = logging.getLogger(__name__)


# --- chunk files ---------------------------------------------------------------------------------


def _chunk_file(folder: Path, table: str, k: int) -> Path:
    return folder / table / f"chunk-{k:06d}.parquet"


def _partial(path: Path) -> Path:
    """A temporary name for ``path``, unique to this writer (process and call)."""
    return path.with_name(f"{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.partial")


def replace_atomic(path: Path, write: Any) -> None:
    """``write(partial)`` then rename it to ``path``; a failed write leaves no partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = _partial(path)
    try:
        write(partial)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_chunk(folder: Path, k: int, tables: dict[str, pd.DataFrame]) -> None:
    """Write a chunk's tables; ``runs`` last, so its presence means the chunk is whole.

    The ``runs`` file's Parquet metadata records the size and SHA-256 of the chunk's other
    files, so that resume and status can tell a whole chunk from a damaged one.
    """
    record: dict[str, Any] = {}
    for name in ("ticks", "events", "failures"):
        path = _chunk_file(folder, name, k)
        if name in tables:
            replace_atomic(path, lambda p, f=tables[name]: f.to_parquet(p, index=False))
            record[name] = {"bytes": path.stat().st_size, "sha256": _sha256(path)}
        else:  # a retried chunk may no longer have failures
            path.unlink(missing_ok=True)
            record[name] = None
    table = pa.Table.from_pandas(tables["runs"], preserve_index=False)
    meta = dict(table.schema.metadata or {}) | {_CHUNK_META: json.dumps(record, sort_keys=True)}
    table = table.replace_schema_metadata(meta)
    replace_atomic(_chunk_file(folder, "runs", k), lambda p: pq.write_table(table, p))


def _chunk_indices(folder: Path, table: str) -> set[int]:
    """Indices of the files of ``table`` named as chunks (other names are ignored)."""
    where = folder / table
    if not where.is_dir():
        return set()
    return {int(m.group(1)) for p in where.iterdir() if (m := _CHUNK_NAME.fullmatch(p.name))}


def done_chunks(folder: Path) -> set[int]:
    """Indices of chunks whose ``runs`` file exists."""
    return _chunk_indices(folder, "runs")


def failed_chunks(folder: Path) -> set[int]:
    """Indices of chunks with at least one failed run."""
    return _chunk_indices(folder, "failures")


def read_table(folder: str | Path, table: str = "runs") -> pd.DataFrame:
    """One table of a batch folder as a DataFrame, in canonical run order."""
    path = Path(folder)
    files = [_chunk_file(path, table, k) for k in sorted(_chunk_indices(path, table))]
    if not files:
        return pd.DataFrame()
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


# --- checking a folder against its plan ----------------------------------------------------------


def _chunk_damage(folder: Path, k: int, rows: int) -> str | None:
    """Why chunk ``k`` (planned with ``rows`` runs) is not whole on disk, or None."""
    runs = _chunk_file(folder, "runs", k)
    try:
        table = pq.read_table(runs)
    except (OSError, pa.ArrowException, ValueError) as exc:
        return f"runs/{runs.name} is unreadable ({type(exc).__name__})"
    if table.num_rows != rows:
        return f"runs/{runs.name} holds {table.num_rows} runs, not the {rows} planned"
    raw = (table.schema.metadata or {}).get(_CHUNK_META)
    try:
        record = json.loads(raw) if raw is not None else None
    except ValueError:
        return f"runs/{runs.name} has a damaged checksum record"
    for name in ("ticks", "events", "failures"):
        path = _chunk_file(folder, name, k)
        if record is None:  # written before checksums were recorded: readable is all we know
            if path.exists():
                try:
                    pq.read_metadata(path)
                except (OSError, pa.ArrowException, ValueError) as exc:
                    return f"{name}/{path.name} is unreadable ({type(exc).__name__})"
            continue
        expected = record.get(name)
        if expected is None:
            continue
        if not path.exists():
            return f"{name}/{path.name} is missing"
        if path.stat().st_size != expected["bytes"] or _sha256(path) != expected["sha256"]:
            return f"{name}/{path.name} does not match the checksum recorded for it"
    return None


def _stray_files(folder: Path, n_chunks: int) -> list[str]:
    """Files in the table folders that are not chunks of a batch of ``n_chunks`` chunks."""
    stray = []
    for table in TABLES:
        where = folder / table
        if not where.is_dir():
            continue
        for p in sorted(where.iterdir()):
            if p.name.endswith(".partial"):
                continue  # a writer's temporary file: never read, removed on resume
            m = _CHUNK_NAME.fullmatch(p.name)
            if m is None or int(m.group(1)) >= n_chunks:
                stray.append(f"{table}/{p.name}")
    return stray


def _mine(k: int, shard: tuple[int, int] | list[int] | None) -> bool:
    return shard is None or k % shard[1] == shard[0]


def check_folder(
    folder: str | Path, exp: Experiment, shard: tuple[int, int] | list[int] | None = None
) -> dict[str, Any]:
    """What is on disk against the plan of ``exp`` (of one shard, if ``shard`` is given).

    Args:
        folder: The batch folder.
        exp: The experiment it ran.
        shard: ``(k, n)`` to check only that shard's chunks, or None for all.

    Returns:
        ``planned``: runs in the chunks checked; ``whole``: indices of the whole chunks;
        ``damaged``: chunk index to why it is not whole; ``stray``: files in the table folders
        that are no chunk of the batch.
    """
    path = Path(folder)
    sizes = [len(c) for c in chunks(plan_runs(exp))]
    present = done_chunks(path)
    report: dict[str, Any] = {"planned": 0, "whole": set(), "damaged": {}}
    for k, rows in enumerate(sizes):
        if not _mine(k, shard):
            continue
        report["planned"] += rows
        if k not in present:
            continue
        why = _chunk_damage(path, k, rows)
        if why is None:
            report["whole"].add(k)
        else:
            report["damaged"][k] = why
    report["stray"] = _stray_files(path, len(sizes))
    return report


def _drop_chunk(folder: Path, k: int) -> None:
    """Remove every file of chunk ``k`` (``runs`` first: the chunk stops counting as done)."""
    for table in TABLES:
        _chunk_file(folder, table, k).unlink(missing_ok=True)


def _drop_partials(folder: Path) -> None:
    """Remove temporary files left by a writer that died (the caller holds the folder's lock)."""
    for where in (folder, *(folder / t for t in TABLES)):
        if where.is_dir():
            for p in where.glob("*.partial"):
                p.unlink(missing_ok=True)


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


def spec_hash(
    experiment: Experiment, inputs: dict[str, Any] | None = None, *, legacy: bool = False
) -> str:
    """Hash of the experiment's content and of what the files it names hold.

    Editing a scenario, structure or design CSV the experiment names changes the hash; where
    the experiment file itself lives, and its ``description`` (words for people), do not.
    ``inputs``: :func:`resolved_inputs`, if the caller has them already (they are read from
    disk otherwise). ``legacy``: the hash as itlead computed it before, with the description,
    to recognise folders it wrote.
    """
    data = spec_dict(experiment)
    data.pop("source", None)
    if not legacy:
        data.pop("description", None)
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


def _difference(ran: dict[str, Any], other: dict[str, Any]) -> str:
    """What differs between the experiments of two manifests, in words (for a refusal)."""
    parts = []
    if ran.get("experiment") != other.get("experiment"):
        parts.append(f"experiment {ran.get('experiment')!r} vs {other.get('experiment')!r}")
    a, b = dict(ran.get("spec") or {}), dict(other.get("spec") or {})
    for key in sorted((set(a) | set(b)) - {"source", "description", "name"}):
        if a.get(key) != b.get(key):
            left, right = repr(a.get(key)), repr(b.get(key))
            parts.append(f"{key} {left[:40]} vs {right[:40]}")
    inputs_a, inputs_b = ran.get("inputs") or {}, other.get("inputs") or {}
    for kind in sorted(set(inputs_a) | set(inputs_b)):
        x, y = inputs_a.get(kind) or {}, inputs_b.get(kind) or {}
        changed = sorted(n for n in set(x) | set(y) if x.get(n) != y.get(n))
        if changed:
            parts.append(f"{kind} {', '.join(map(str, changed))[:80]} differ")
    return "; ".join(parts[:4]) or f"spec_hash {ran.get('spec_hash')} vs {other.get('spec_hash')}"


def _why_not_same(ran: dict[str, Any], other: dict[str, Any]) -> str | None:
    """Why the results of manifest ``ran`` are not of the batch of manifest ``other``, or None."""
    why = _mismatch(ran, {key: other.get(key) for key in IDENTITY_KEYS})
    if why is not None and "code_fingerprint" in ran and ran["spec_hash"] != other.get("spec_hash"):
        why = f"was run with another experiment or files ({_difference(ran, other)})"
    return why


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
    text = json.dumps(manifest, indent=2, sort_keys=True, default=str)
    replace_atomic(path, lambda p: p.write_text(text))
    if shard is not None and not (folder / MANIFEST).exists():
        replace_atomic(folder / MANIFEST, lambda p: shutil.copyfile(path, p))


def _load_json(path: Path) -> dict[str, Any]:
    """A manifest file; a damaged one is a ConfigError naming it, never a traceback."""
    try:
        data = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path}: is damaged ({type(exc).__name__}: {exc}); allowed: a manifest written by"
            " `itlead batch` (start the folder over with --force)"
        ) from exc
    if not isinstance(data, dict) or "spec" not in data:
        raise ConfigError(
            f"{path}: is not an itlead batch manifest; allowed: a manifest written by"
            " `itlead batch` (start the folder over with --force)"
        )
    return data


def _is_layout(name: str) -> bool:
    """Whether ``name`` is an entry an itlead batch writes at the top of its folder."""
    return (
        name in TABLES
        or name in (MANIFEST, LOCK)
        or name.endswith(".partial")
        or re.fullmatch(r"manifest-shard-\d+-of-\d+\.json", name) is not None
    )


def _holds_anything(folder: Path) -> bool:
    """Whether ``folder`` holds anything but its lock file and empty table folders."""
    if not folder.is_dir():
        return False
    for p in folder.iterdir():
        if p.name == LOCK:
            continue
        if p.name in TABLES and p.is_dir() and not any(p.iterdir()):
            continue
        return True
    return False


def _manifest_files(folder: Path) -> list[Path]:
    return [folder / MANIFEST, *sorted(folder.glob("manifest-shard-*-of-*.json"))]


def _is_batch_folder(folder: Path) -> bool:
    """Whether ``folder`` is an itlead batch folder: a manifest says so, or it holds nothing else.

    A folder whose manifest is damaged is one if every entry in it is one a batch writes.
    """
    names = [p.name for p in folder.iterdir()]
    for path in _manifest_files(folder):
        if path.exists():
            with contextlib.suppress(ConfigError, OSError):
                _load_json(path)
                return True
    return all(_is_layout(n) for n in names) and any(n != LOCK for n in names)


def _clear(folder: Path) -> None:
    """Delete what a batch wrote in ``folder`` (for --force); other files and the lock stay."""
    for p in folder.iterdir():
        if p.name == LOCK or not _is_layout(p.name):
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        else:
            p.unlink()


def folder_name(name: str) -> str:
    """A safe folder name for an experiment name: never ``..``, a path or a hidden name.

    The default batch folder is ``results/<folder_name(experiment name)>``; a file named
    ``...toml`` would otherwise give ``results/..``.
    """
    safe = re.sub(r"[^A-Za-z0-9_.+-]+", "_", name).strip(".")
    return safe or "experiment"


class FolderLock:
    """One writer at a time on a batch folder: ``fcntl.flock`` on its ``.itlead.lock`` file.

    The lock is held from entering to leaving the ``with`` block; a second writer (another
    process, or this one) is refused with the holder's PID. The kernel drops the lock when its
    holder dies, so a killed batch never leaves the folder locked.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._file: Any = None
        self._made: list[Path] = []

    def __enter__(self) -> FolderLock:
        path = self.folder / LOCK
        try:
            missing = []
            for parent in (self.folder, *self.folder.parents):
                if parent.exists():
                    break
                missing.append(parent)
            self.folder.mkdir(parents=True, exist_ok=True)
            self._made = missing
            existed = path.exists()
            self._file = path.open("a+")
            if not existed:
                self._made.insert(0, path)
        except OSError as exc:
            raise ConfigError(
                f"{self.folder}: cannot write results ({exc.strerror or exc}); allowed: a"
                " writable folder with free space"
            ) from exc
        if fcntl is not None:
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                self._file.seek(0)
                holder = self._file.read().strip() or "unknown"
                self._file.close()
                self._file = None
                raise ConfigError(
                    f"{self.folder}: is being written by another itlead (PID {holder}); allowed:"
                    " wait for it to finish, then --resume, or another --out"
                ) from exc
        self._file.seek(0)
        self._file.truncate()
        self._file.write(f"{os.getpid()}\n")
        self._file.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is None:
            return
        # Refused before a manifest was written: leave no lock file (nor folder) of ours behind.
        if not any(p.exists() for p in _manifest_files(self.folder)):
            for made in self._made:
                with contextlib.suppress(OSError):
                    made.unlink() if made.name == LOCK else made.rmdir()
        self._file.close()  # closing releases the flock
        self._file = None


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

    The caller holds the folder's :class:`FolderLock`. On resume every chunk on disk is checked
    against the plan (:func:`check_folder`): a damaged one is removed, logged, and so re-run.

    Args:
        folder: The batch folder (created if missing).
        exp: The experiment.
        n_runs: Runs in the whole batch (they set the chunk size recorded).
        resume: Continue a folder that holds results, if they match.
        force: Delete what a batch wrote in a batch folder that holds results first.
        every: The tick thinning.
        shard: ``(k, n)`` for a shard (its own manifest is written), or None.

    Returns:
        The manifest written, for :func:`finish_manifest`.

    Raises:
        ConfigError: If the folder holds results and neither ``resume`` nor ``force`` is given,
            if it is not a batch folder (``force`` then refuses to delete it), if ``resume``
            finds no manifest, a damaged one or files that are no chunks of the batch, if the
            results were made with another experiment, files, code or thinning, or if the
            folder cannot be written.
    """
    manifests = dict.fromkeys((folder / MANIFEST, folder / _manifest_name(shard)))
    inputs = resolved_inputs(exp)  # read once: hashed, and recorded in the manifest
    identity = _identity(exp, every, inputs)
    repaired: dict[int, str] = {}
    try:
        if _holds_anything(folder):
            if force:
                if not _is_batch_folder(folder):
                    raise ConfigError(
                        f"{folder}: is not an itlead batch folder (no {MANIFEST} says so), so"
                        " --force will not delete it; allowed: another --out, or an empty or"
                        " missing folder"
                    )
                _clear(folder)
            elif not resume:
                raise ConfigError(
                    f"{folder}: already holds results; allowed: --resume to continue it, --force"
                    " to replace it, or another --out"
                )
            else:
                repaired = _check_resume(folder, exp, identity, list(manifests), shard)
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
        if repaired:
            manifest["rerun_damaged"] = {str(k): why for k, why in sorted(repaired.items())}
        _write_manifest(folder, manifest, shard)
    except OSError as exc:
        raise ConfigError(
            f"{folder}: cannot write results ({exc.strerror or exc}); allowed: a writable folder"
            " with free space"
        ) from exc
    return manifest


def _check_resume(
    folder: Path,
    exp: Experiment,
    identity: dict[str, Any],
    manifests: list[Path],
    shard: tuple[int, int] | None,
) -> dict[int, str]:
    """Check a folder to resume; remove its damaged chunks and return them, with why."""
    written = [m for m in manifests if m.exists()]
    if not written:
        raise ConfigError(
            f"{folder}: holds results but no {MANIFEST}, so they cannot be checked against the"
            " experiment; allowed: --force to start over, or another --out"
        )
    # A shard's own manifest is written before the shared copy: check whichever exist.
    for path in written:
        ran = _load_json(path)
        mine = identity
        if ran.get("spec_hash") == spec_hash(exp, legacy=True):
            # written before the description left the hash
            mine = identity | {"spec_hash": ran["spec_hash"]}
        why = _mismatch(ran, mine)
        if why is not None:
            raise ConfigError(
                f"{folder}: {why}; allowed: the same experiment, files, code and"
                " options, or --force to start over"
            )
    _drop_partials(folder)
    found = check_folder(folder, exp, shard)
    if found["stray"]:
        raise ConfigError(
            f"{folder}: {found['stray'][0]} is not a chunk file of this batch; allowed: remove"
            " it, or --force to start over"
        )
    for k, why in sorted(found["damaged"].items()):
        log.warning("itlead: %s: chunk %d is damaged (%s); re-running it", folder, k, why)
        _drop_chunk(folder, k)
    return found["damaged"]


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
    try:
        _write_manifest(folder, manifest, shard)
    except OSError as exc:
        raise ConfigError(
            f"{folder}: cannot write results ({exc.strerror or exc}); allowed: a writable folder"
            " with free space, then --resume"
        ) from exc


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
    return _load_json(path)


def experiment_of(folder: str | Path) -> Experiment:
    """The experiment a batch folder ran, rebuilt from its manifest."""
    return experiment_from_spec(read_manifest(folder)["spec"])


def status(folder: str | Path) -> dict[str, int]:
    """Done, failed and pending runs of a batch folder, checked against its plan.

    A shard's folder counts its own runs only. Every chunk on disk is checked
    (:func:`check_folder`): the runs of a damaged chunk count as pending (``--resume`` re-runs
    them), and ``damaged`` (chunks) and ``stray`` (files that are no chunks) are added when
    there are any.
    """
    path = Path(folder)
    manifest = read_manifest(path)
    try:
        exp = experiment_from_spec(manifest["spec"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"{path / MANIFEST}: its spec is damaged ({type(exc).__name__}); allowed: a manifest"
            " written by `itlead batch`"
        ) from exc
    found = check_folder(path, exp, manifest.get("shard"))
    done = failed = 0
    for k in sorted(found["whole"]):
        runs = pd.read_parquet(_chunk_file(path, "runs", k), columns=["status"])
        failed += int((runs["status"] == "failed").sum())
        done += len(runs)
    counts = {"done": done - failed, "failed": failed, "pending": found["planned"] - done}
    if found["damaged"]:
        counts["damaged"] = len(found["damaged"])
    if found["stray"]:
        counts["stray"] = len(found["stray"])
    return counts


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
    # Only chunk names: neither ``*.partial`` files (a chunk still being written) nor stray files.
    return [_chunk_file(path, table, k) for k in sorted(_chunk_indices(path, table))]


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
    """Gather shard folders into ``out``, atomically.

    Every shard manifest, and ``out``'s own manifest if it has one, must show one batch (the
    same experiment, files, code and thinning); a difference is refused by name before
    anything is written. The chunk files are copied under temporary names first, then renamed
    (each chunk's ``runs`` file last) and the manifest is written last of all, so a merge that
    fails half-way (a full disk) leaves ``out`` as it was, or with chunks that ``status``
    counts but no manifest that says they are all.

    Raises:
        ConfigError: If a folder is no shard folder, shards or ``out`` differ, ``out`` is not a
            batch folder, another writer holds it, or the files cannot be written.
    """
    target = Path(out)
    folders = [Path(s) for s in shards]
    manifests = []
    for path in folders:
        found = sorted(path.glob("manifest-shard-*.json"))
        if not found:
            raise ConfigError(f"{path}: no shard manifest; allowed: folders written with --shard")
        manifests += [_load_json(m) for m in found]
    first = manifests[0]
    for m in manifests[1:]:
        why = _why_not_same(m, first)
        if why is not None:
            raise ConfigError(
                f"{target}: shard {m['shard']} {why}, unlike shard {first['shard']}; allowed:"
                " shards of one batch"
            )
    with FolderLock(target):
        if _holds_anything(target):
            if not _is_batch_folder(target):
                raise ConfigError(
                    f"{target}: is not an itlead batch folder (no {MANIFEST} says so); allowed:"
                    " an empty or missing folder, or one of the shards' folders"
                )
            if (target / MANIFEST).exists():
                why = _why_not_same(_load_json(target / MANIFEST), first)
                if why is not None:
                    raise ConfigError(
                        f"{target}: {why}, unlike shard {first['shard']}; allowed:"
                        " merge into an empty or missing folder, or one of this batch's"
                    )
        staged: list[tuple[Path, Path]] = []
        try:
            _drop_partials(target)
            staged = _stage(target, folders)
            # Rename: every chunk's other tables before any runs file, the manifest last.
            for partial, dest in sorted(staged, key=lambda item: item[1].parent.name == "runs"):
                os.replace(partial, dest)
            manifest = dict(first)
            manifest["shard"] = None
            manifest["shards"] = sorted(m["shard"] for m in manifests)
            manifest["started"] = min(m["started"] for m in manifests)
            manifest["finished"] = max(m.get("finished", "") for m in manifests)
            exp = experiment_from_spec(manifest["spec"])
            manifest.update(_finish_counts(target, len(plan_runs(exp)), None))
            _write_manifest(target, manifest, None)
        except OSError as exc:
            for partial, _ in staged:
                partial.unlink(missing_ok=True)
            raise ConfigError(
                f"{target}: cannot write the merged results ({exc.strerror or exc}); nothing"
                " was marked merged; allowed: a writable folder with free space, then merge"
                " again"
            ) from exc
    return load_batch(target)


def _stage(target: Path, folders: list[Path]) -> list[tuple[Path, Path]]:
    """Copy the shards' chunk files into ``target`` under temporary names, all or none."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path in folders:
            if path.resolve() == target.resolve():
                continue
            for table in TABLES:
                for k in sorted(_chunk_indices(path, table)):
                    source = _chunk_file(path, table, k)
                    dest = _chunk_file(target, table, k)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    partial = _partial(dest)
                    staged.append((partial, dest))
                    shutil.copyfile(source, partial)
    except BaseException:
        for partial, _ in staged:
            partial.unlink(missing_ok=True)
        raise
    return staged
