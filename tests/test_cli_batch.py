"""The batch commands of ``itlead`` (batch, status, merge, rerun), driven with click's CliRunner.

The API underneath is tested in ``test_batch.py``; here the point is the command line: exit codes,
the one-line summaries, the folder written, and bad input ending as exactly one
``itlead: error: ...`` line on stderr with exit code 2. Experiments are tiny (4 runs of 80 ticks).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sim.cli import main
from sim.experiments.batch import load_batch

from .test_cli import assert_bad_input

TINY = """
description = "Four short runs for the CLI tests."
scenarios = ["baseline"]
structures = ["single_cio", "cio_cto_split"]
replications = 2
master_seed = 11
steps = 80

[constants]
warmup = 10
"""


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_ok(result: Result) -> None:
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output


def chunk_files(folder: Path, table: str) -> list[str]:
    return sorted(p.name for p in (folder / table).glob("chunk-*.parquet"))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("exp") / "tiny.toml"
    path.write_text(TINY)
    return path


@pytest.fixture(scope="module")
def done(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """The tiny experiment run once, serially and quietly; shared by the tests that read it."""
    out = tmp_path_factory.mktemp("batch") / "tiny"
    return out, invoke("batch", tiny, "--out", out, "--workers", "1", "--quiet")


# --- batch and status -----------------------------------------------------------------------------


def test_batch_writes_the_folder_and_says_so(done):
    out, result = done
    assert_ok(result)
    assert result.stdout.strip().splitlines()[-1] == f"4 runs done, 0 failed; wrote {out}"
    assert result.stderr == ""  # --quiet: no progress bar
    assert (out / "manifest.json").is_file()
    for table in ("runs", "ticks", "events"):
        files = chunk_files(out, table)
        assert files and all(re.fullmatch(r"chunk-\d{6}\.parquet", f) for f in files), files
    assert chunk_files(out, "runs") == chunk_files(out, "ticks")
    assert not (out / "failures").exists()
    assert not list(out.rglob("*.partial"))
    assert len(load_batch(out).runs) == 4


def test_status_counts_the_runs(done):
    out, _ = done
    result = invoke("status", out)
    assert_ok(result)
    assert result.stdout.strip() == "done=4 failed=0 pending=0"
    # done is what the folder holds: one row per run, each ok, and each with its ticks.
    batch = load_batch(out)
    done = int(re.search(r"done=(\d+)", result.stdout).group(1))
    assert done == len(batch.runs) == (batch.runs["status"] == "ok").sum()
    assert done == batch.ticks["run_id"].nunique()
    assert len(batch.ticks) == done * 80  # steps = 80


def test_an_existing_folder_needs_resume_or_force(tiny, done):
    out, _ = done
    before = {f: (out / "runs" / f).read_bytes() for f in chunk_files(out, "runs")}
    assert_bad_input(invoke("batch", tiny, "--out", out, "--workers", "1", "--quiet"), "--resume")
    resumed = invoke("batch", tiny, "--out", out, "--workers", "1", "--quiet", "--resume")
    assert_ok(resumed)
    assert resumed.stdout.strip().endswith(f"4 runs done, 0 failed; wrote {out}")
    assert {f: (out / "runs" / f).read_bytes() for f in chunk_files(out, "runs")} == before


def test_force_replaces_a_folder(tiny, tmp_path):
    out = tmp_path / "forced"
    assert_ok(invoke("batch", tiny, "--out", out, "--workers", "1", "--quiet"))
    # --force deletes only what a batch wrote in a batch folder (issue 14; test_faults_batch).
    (out / "runs" / "stale.txt").write_text("from an earlier batch")
    result = invoke("batch", tiny, "--out", out, "--workers", "1", "--quiet", "--force")
    assert_ok(result)
    assert not (out / "runs" / "stale.txt").exists()
    assert invoke("status", out).stdout.strip() == "done=4 failed=0 pending=0"


def test_progress_bar_goes_to_stderr(tiny, tmp_path):
    out = tmp_path / "bar"
    result = invoke("batch", tiny, "--out", out, "--workers", "1")
    assert_ok(result)
    assert "run" in result.stderr and "4/4" in result.stderr  # tqdm, unit "run"
    assert result.stdout.strip().splitlines()[-1] == f"4 runs done, 0 failed; wrote {out}"


# --- shards and merge -----------------------------------------------------------------------------


def test_shards_merge_into_a_whole_batch(tiny, done, tmp_path):
    whole, _ = done
    shards = [tmp_path / "a", tmp_path / "b"]
    for k, folder in enumerate(shards):
        # shard 0 serially, shard 1 on the default local pool of two spawned processes
        workers = ("--workers", "1") if k == 0 else ()
        result = invoke("batch", tiny, "--out", folder, "--shard", f"{k}/2", *workers, "--quiet")
        assert_ok(result)
        assert result.stdout.strip() == f"2 runs done, 0 failed; wrote {folder}"
        assert (folder / f"manifest-shard-{k}-of-2.json").is_file()
    # A complete shard has nothing pending (issue 14: it used to count the other shards' runs).
    assert invoke("status", shards[0]).stdout.strip() == "done=2 failed=0 pending=0"
    merged = tmp_path / "merged"
    result = invoke("merge", merged, *shards)
    assert_ok(result)
    assert result.stdout.strip() == f"merged 4 runs into {merged}"
    assert invoke("status", merged).stdout.strip() == "done=4 failed=0 pending=0"
    for table in ("runs", "ticks", "events"):
        files = chunk_files(whole, table)
        assert chunk_files(merged, table) == files
        for f in files:  # the same bytes as the unsharded, serial batch
            assert (merged / table / f).read_bytes() == (whole / table / f).read_bytes()


@pytest.mark.parametrize(
    ("shard", "fragment"),
    [
        ("2/2", "out of range"),
        ("x", "is not k/n"),
        ("1/2/3", "is not k/n"),
        ("0/0", "out of range"),
    ],
)
def test_bad_shard(tiny, tmp_path, shard, fragment):
    result = invoke("batch", tiny, "--out", tmp_path / "s", "--shard", shard, "--quiet")
    assert_bad_input(result, "--shard", repr(shard), fragment)
    assert not (tmp_path / "s").exists()


def test_merge_needs_shard_folders(done, tmp_path):
    out, _ = done
    assert_bad_input(invoke("merge", tmp_path / "m", out), str(out), "no shard manifest")


# --- rerun ----------------------------------------------------------------------------------------


def test_rerun_repeats_a_run_exactly(done):
    out, _ = done
    row = load_batch(out).runs.iloc[3]
    result = invoke("rerun", out, row["run_id"])
    assert_ok(result)
    shown = dict(line.split(None, 1) for line in result.stdout.strip().splitlines())
    assert shown["value_delivered"] == f"{row['value_delivered']:.4g}"
    assert shown["seed"] == str(row["seed"])
    assert shown["structure"] == row["structure"]


def test_rerun_of_an_unknown_run(done):
    out, _ = done
    assert_bad_input(invoke("rerun", out, "0123456789abcdef"), "no run '0123456789abcdef'")


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"), [("--every", "0"), ("--workers", "0"), ("--workers", "-1")]
)
def test_out_of_range_options(tiny, tmp_path, option, value):
    result = invoke("batch", tiny, "--out", tmp_path / "o", option, value, "--quiet")
    assert_bad_input(result, f"{option} = {value} is out of range", "allowed 1 or more")
    assert not (tmp_path / "o").exists()  # checked before anything is written


def test_unknown_executor(tiny, tmp_path):
    result = invoke("batch", tiny, "--out", tmp_path / "o", "--executor", "slurm")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "'slurm' is not one of 'local', 'dask'" in result.stderr  # click's own usage error


def test_experiment_with_an_unknown_key(tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text(TINY.replace("replications = 2", "replication = 2"))
    result = invoke("batch", path, "--out", tmp_path / "o", "--quiet")
    assert_bad_input(result, str(path), "unknown key replication", "did you mean replications?")


def test_missing_experiment_file(tmp_path):
    path = tmp_path / "nowhere.toml"
    assert_bad_input(invoke("batch", path, "--quiet"), str(path), "no such file")


def test_unknown_experiment_name():
    result = invoke("batch", "structure_comparison_quik", "--quiet")
    assert_bad_input(result, "unknown experiment", "structure_comparison_quick")


@pytest.mark.parametrize("command", ["status", "rerun"])
def test_folder_without_manifest(tmp_path, command):
    args = (command, tmp_path) if command == "status" else (command, tmp_path, "0123456789abcdef")
    assert_bad_input(invoke(*args), "manifest.json")


def test_unreachable_dask_scheduler(tiny, tmp_path):
    """About 5 s: the client waits that long for the scheduler."""
    result = invoke(
        "batch",
        tiny,
        "--out",
        tmp_path / "d",
        "--executor",
        "dask",
        "--address",
        "tcp://127.0.0.1:9",
        "--quiet",
    )
    assert_bad_input(result, "--address: tcp://127.0.0.1:9 cannot be reached")
