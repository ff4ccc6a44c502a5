"""Fault injection on batch folders (issue 14): mixing, deleting, two writers, damage, full disks.

Each test reproduces a mistake a user made, or a fault a disk made, and asserts the safe outcome:
a clear one-line refusal (``ConfigError``; from the CLI ``itlead: error: ...``, exit 2) or a
correct result, never a traceback, a mixed folder or a deleted unrelated file. Experiments are
tiny: two runs of 60 ticks, one run per chunk, so a batch is two chunks and a shard one.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from sim.cli import main
from sim.errors import ConfigError
from sim.experiments import batch, store
from sim.experiments.batch import load_batch, run_batch
from sim.experiments.spec import load_experiment

from .test_cli import assert_bad_input

TWO = """
description = "Two short runs for the fault tests."
scenarios = ["baseline"]
structures = ["single_cio"]
replications = 2
master_seed = 5
steps = 60
outcomes = ["value_delivered"]

[constants]
warmup = 10
"""


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def _bytes(folder: Path) -> dict[str, bytes]:
    files = sorted(p for t in batch.TABLES for p in (folder / t).glob("chunk-*.parquet"))
    return {str(p.relative_to(folder)): p.read_bytes() for p in files}


@pytest.fixture
def exp_a(tmp_path: Path) -> Path:
    path = tmp_path / "a.toml"
    path.write_text(TWO)
    return path


@pytest.fixture
def exp_b(tmp_path: Path) -> Path:
    path = tmp_path / "b.toml"
    path.write_text(TWO.replace("master_seed = 5", "master_seed = 6"))
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Experiment A run whole, once: the bytes a repaired folder must end up with."""
    root = tmp_path_factory.mktemp("reference")
    (root / "a.toml").write_text(TWO)
    run_batch(root / "a.toml", out=root / "whole")
    return root / "whole"


@pytest.fixture
def whole(exp_a: Path, tmp_path: Path) -> Path:
    out = tmp_path / "whole"
    run_batch(exp_a, out=out)
    return out


# --- 1. one identity per folder: merge ------------------------------------------------------------


def test_merge_refuses_a_shard_of_another_experiment(exp_a, exp_b, tmp_path):
    o1, sb0 = tmp_path / "o1", tmp_path / "sb0"
    run_batch(exp_a, out=o1)
    run_batch(exp_b, out=sb0, shard=(0, 2))
    before = _bytes(o1), (o1 / "manifest.json").read_text()
    line = assert_bad_input(invoke("merge", o1, sb0), str(o1), "master_seed 5 vs 6")
    assert "experiment 'a' vs 'b'" in line
    assert (_bytes(o1), (o1 / "manifest.json").read_text()) == before  # untouched
    assert batch.status(o1) == {"done": 2, "failed": 0, "pending": 0}


def test_merge_refuses_shards_of_two_experiments_naming_the_difference(exp_a, exp_b, tmp_path):
    run_batch(exp_a, out=tmp_path / "s0", shard=(0, 2))
    run_batch(exp_b, out=tmp_path / "s1", shard=(1, 2))
    with pytest.raises(ConfigError, match=r"experiment 'b' vs 'a'; master_seed 6 vs 5\)"):
        batch.merge(tmp_path / "m", [tmp_path / "s0", tmp_path / "s1"])
    assert not (tmp_path / "m").exists()


def test_merge_refuses_a_target_that_is_not_a_batch_folder(exp_a, tmp_path):
    run_batch(exp_a, out=tmp_path / "s0", shard=(0, 2))
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="not an itlead batch folder"):
        batch.merge(target, [tmp_path / "s0"])
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]


# --- 2. --force deletes only batch folders; folder names are safe ---------------------------------


def test_force_refuses_a_folder_that_is_not_a_batch_folder(exp_a, tmp_path):
    other = tmp_path / "thesis"
    other.mkdir()
    (other / "chapter1.tex").write_text("years of work")
    line = assert_bad_input(
        invoke("batch", exp_a, "--out", other, "--force", "--quiet"),
        str(other),
        "not an itlead batch folder",
    )
    assert "--force" in line
    assert sorted(p.name for p in other.iterdir()) == ["chapter1.tex"]  # no lock file left


def test_force_replaces_a_batch_folder_and_only_what_a_batch_wrote(exp_a, exp_b, whole):
    (whole / "notes.txt").write_text("mine")
    run_batch(exp_b, out=whole, force=True)
    assert load_batch(whole).runs["seed"].tolist() != []
    assert json.loads((whole / "manifest.json").read_text())["master_seed"] == 6
    assert (whole / "notes.txt").read_text() == "mine"


def test_force_replaces_a_batch_folder_whose_manifest_is_damaged(exp_a, whole, reference):
    (whole / "manifest.json").write_text('{"experiment": "a", "sp')
    run_batch(exp_a, out=whole, force=True)
    assert _bytes(whole) == _bytes(reference)


def test_an_experiment_named_dotdot_never_writes_to_the_parent(tmp_path, monkeypatch):
    work = tmp_path / "work"
    (work / "results").mkdir(parents=True)
    (work / "keep.txt").write_text("unrelated")
    dots = tmp_path / "...toml"  # its stem, the experiment's name, is ".."
    dots.write_text(TWO)
    monkeypatch.chdir(work)
    run_batch(dots, force=True)
    run_batch(dots, force=True)  # --force twice: replaces results/experiment, nothing else
    assert (work / "keep.txt").read_text() == "unrelated"
    assert (work / "results" / "experiment" / "manifest.json").is_file()
    assert not (work / "manifest.json").exists()


@pytest.mark.parametrize(
    ("name", "safe"),
    [("..", "experiment"), (".", "experiment"), ("", "experiment"), ("a/../b", "a_.._b"),
     (".hidden", "hidden"), ("load_crossover", "load_crossover"), ("x y", "x_y")],
)  # fmt: skip
def test_folder_names_are_sanitised(name, safe):
    assert store.folder_name(name) == safe


# --- 3. one writer at a time ----------------------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import fcntl, os, sys, time
    path = sys.argv[1]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    f = open(path, "a+")
    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    f.seek(0); f.truncate(); f.write(f"{os.getpid()}\\n"); f.flush()
    print("locked", flush=True)
    time.sleep(30)
    """
)


@pytest.fixture
def holder(tmp_path):
    """Another process holding the lock of ``tmp_path / 'shared'``, as a running batch does."""
    folder = tmp_path / "shared"
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder / store.LOCK)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "locked"
    yield folder, proc.pid
    proc.kill()
    proc.wait()


def test_a_second_writer_is_refused_naming_the_holders_pid(exp_b, holder):
    folder, pid = holder
    assert_bad_input(
        invoke("batch", exp_b, "--out", folder, "--quiet"), "being written", f"PID {pid}"
    )
    assert not (folder / "manifest.json").exists()  # nothing of the second writer's


def test_a_second_resume_is_refused_clearly(exp_a, tmp_path):
    out = tmp_path / "shared"
    run_batch(exp_a, out=out, shard=(0, 2))
    with store.FolderLock(out):  # a first --resume, in progress
        line = assert_bad_input(
            invoke("batch", exp_a, "--out", out, "--resume", "--quiet"), f"PID {os.getpid()}"
        )
    assert "No such file" not in line
    run_batch(exp_a, out=out, resume=True)  # the lock is released with the first writer
    assert batch.status(out) == {"done": 2, "failed": 0, "pending": 0}


def test_merge_is_refused_while_a_batch_writes_the_target(exp_a, tmp_path, holder):
    folder, pid = holder
    run_batch(exp_a, out=tmp_path / "s0", shard=(0, 2))
    with pytest.raises(ConfigError, match=f"PID {pid}"):
        batch.merge(folder, [tmp_path / "s0"])


def test_temporary_names_are_unique_to_their_writer(tmp_path):
    target = tmp_path / "manifest.json"
    assert store._partial(target) != store._partial(target)
    assert str(os.getpid()) in store._partial(target).name


# --- 4. --resume needs the manifest ---------------------------------------------------------------


def test_resume_without_a_manifest_refuses(exp_a, exp_b, tmp_path):
    out = tmp_path / "out"
    run_batch(exp_a, out=out, shard=(0, 2))
    for manifest in out.glob("manifest*.json"):
        manifest.unlink()
    line = assert_bad_input(
        invoke("batch", exp_b, "--out", out, "--resume", "--quiet"), str(out), "no manifest.json"
    )
    assert "--force" in line
    assert sorted(p.name for p in out.iterdir()) == [store.LOCK, "events", "runs", "ticks"]


# --- 5. damaged chunks are found, reported and re-run ---------------------------------------------


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


DAMAGE = {
    "truncated ticks": lambda f: _truncate(f / "ticks" / "chunk-000001.parquet"),
    "deleted ticks": lambda f: (f / "ticks" / "chunk-000001.parquet").unlink(),
    "truncated runs": lambda f: _truncate(f / "runs" / "chunk-000001.parquet"),
    "truncated events": lambda f: _truncate(f / "events" / "chunk-000001.parquet"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_resume_reruns_a_damaged_chunk_and_says_so(damage, whole, exp_a, reference, caplog):
    DAMAGE[damage](whole)
    assert batch.status(whole) == {"done": 1, "failed": 0, "pending": 1, "damaged": 1}
    result = invoke("status", whole)
    assert result.exit_code == 0 and "damaged=1" in result.output, result.output
    with caplog.at_level(logging.WARNING, logger="sim.experiments.store"):
        run_batch(exp_a, out=whole, resume=True)
    assert "chunk 1 is damaged" in caplog.text and "re-running it" in caplog.text
    assert _bytes(whole) == _bytes(reference)
    assert batch.status(whole) == {"done": 2, "failed": 0, "pending": 0}
    assert "1" in json.loads((whole / "manifest.json").read_text())["rerun_damaged"]


def test_a_truncated_manifest_is_one_line_never_a_traceback(whole, exp_a):
    _truncate(whole / "manifest.json")
    assert_bad_input(invoke("status", whole), "manifest.json", "damaged")
    assert_bad_input(
        invoke("batch", exp_a, "--out", whole, "--resume", "--quiet"), "manifest.json", "damaged"
    )
    with pytest.raises(ConfigError, match="damaged"):
        batch.read_manifest(whole)


def test_a_stray_chunk_file_is_reported_and_resume_refuses(whole, exp_a):
    stray = whole / "runs" / "chunk-notanumber.parquet"
    stray.write_bytes(b"not parquet")
    assert batch.status(whole) == {"done": 2, "failed": 0, "pending": 0, "stray": 1}
    assert_bad_input(
        invoke("batch", exp_a, "--out", whole, "--resume", "--quiet"),
        "runs/chunk-notanumber.parquet",
        "is not a chunk file",
    )
    assert len(load_batch(whole).runs) == 2  # readers skip it too
    assert len(batch.read_batch_table(whole, "runs", ["run_id"])) == 2
    assert stray.exists()  # not ours to delete


def test_a_chunk_written_with_the_wrong_rows_is_damaged(whole, exp_a, reference):
    path = whole / "runs" / "chunk-000000.parquet"
    pd.concat([pd.read_parquet(path)] * 2).to_parquet(path)
    assert batch.status(whole)["damaged"] == 1
    run_batch(exp_a, out=whole, resume=True)
    assert _bytes(whole) == _bytes(reference)


# --- 6. merge is atomic ---------------------------------------------------------------------------


@pytest.fixture
def shards(exp_a: Path, tmp_path: Path) -> list[Path]:
    folders = [tmp_path / "s0", tmp_path / "s1"]
    for k, folder in enumerate(folders):
        run_batch(exp_a, out=folder, shard=(k, 2))
    return folders


def _full_disk_after(monkeypatch, name: str, calls: int) -> None:
    """Make ``store.<name>`` fail with ENOSPC from its ``calls + 1``-th call on."""
    real = getattr(store.shutil, name) if name == "copyfile" else getattr(store.os, name)
    count = {"n": 0}

    def fake(*args, **kwargs):
        count["n"] += 1
        if count["n"] > calls:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args, **kwargs)

    monkeypatch.setattr(store.shutil if name == "copyfile" else store.os, name, fake)


def test_a_merge_that_fills_the_disk_leaves_the_target_untouched(shards, tmp_path, monkeypatch):
    target = tmp_path / "merged"
    _full_disk_after(monkeypatch, "copyfile", 2)  # after two of the six chunk files
    with pytest.raises(ConfigError, match="cannot write the merged results"):
        batch.merge(target, shards)
    assert sorted(p.name for p in target.rglob("*") if p.is_file()) == []  # no partial, no chunk
    assert_bad_input(invoke("status", target), "no manifest.json")


def test_a_merge_that_fails_renaming_has_no_manifest_saying_done(shards, tmp_path, monkeypatch):
    target = tmp_path / "merged"
    _full_disk_after(monkeypatch, "replace", 3)
    with pytest.raises(ConfigError, match="cannot write the merged results"):
        batch.merge(target, shards)
    assert not (target / "manifest.json").exists()
    assert not list(target.rglob("*.partial"))
    # The chunks renamed so far carry no runs file, so none can look whole.
    assert not list((target / "runs").glob("chunk-*.parquet"))
    monkeypatch.undo()
    batch.merge(target, shards)  # merging again finishes it
    assert batch.status(target) == {"done": 2, "failed": 0, "pending": 0}


def test_merge_into_a_shard_folder_still_works(shards, reference):
    merged = batch.merge(shards[0], shards)
    assert len(merged.runs) == 2
    assert _bytes(shards[0]) == _bytes(reference)


# --- 11. smaller ---------------------------------------------------------------------------------


def test_editing_only_the_description_still_resumes(exp_a, tmp_path, reference):
    out = tmp_path / "out"
    run_batch(exp_a, out=out, shard=(0, 2))
    exp_a.write_text(TWO.replace("Two short runs", "Two short runs, described better"))
    run_batch(exp_a, out=out, resume=True)
    assert _bytes(out) == _bytes(reference)


def test_a_folder_hashed_with_its_description_still_resumes(exp_a, tmp_path, reference):
    out = tmp_path / "out"
    run_batch(exp_a, out=out, shard=(0, 2))
    for path in out.glob("manifest*.json"):  # as itlead wrote it before the description left
        manifest = json.loads(path.read_text())
        manifest["spec_hash"] = store.spec_hash(load_experiment(exp_a), legacy=True)
        path.write_text(json.dumps(manifest))
    run_batch(exp_a, out=out, resume=True)
    assert _bytes(out) == _bytes(reference)


def test_a_full_disk_leaves_no_partial_files(exp_a, tmp_path, monkeypatch):
    def full(self, path, **kwargs):
        Path(path).write_bytes(b"PAR1 half a chunk")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    out = tmp_path / "out"
    assert_bad_input(
        invoke("batch", exp_a, "--out", out, "--workers", 1, "--quiet"), "cannot write results"
    )
    assert not list(out.rglob("*.partial"))


def test_status_of_a_complete_shard_says_pending_0(exp_a, tmp_path):
    out = tmp_path / "s1"
    run_batch(exp_a, out=out, shard=(1, 2))
    assert batch.status(out) == {"done": 1, "failed": 0, "pending": 0}
    result = invoke("status", out)
    assert result.output.strip() == "done=1 failed=0 pending=0"
