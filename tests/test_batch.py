"""Batches: planning, determinism across executors, resume after SIGKILL, failures, shards."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sim
from sim.errors import ConfigError
from sim.experiments import batch, store
from sim.experiments.batch import derive_seed, plan_runs, run_batch
from sim.experiments.provenance import code_fingerprint
from sim.experiments.spec import load_experiment
from tests.conftest import write_early

# incident_storm.toml: the shipped storm moved early enough for 310 ticks (conftest.write_early);
# every copy of SMALL names the one file, since run ids depend on the scenario's resolved path.
SMALL = """
description = "A small batch for tests."
scenarios = ["baseline", "incident_storm.toml"]
structures = ["single_cio", "cio_cto_split"]
replications = 2
master_seed = 7
steps = 310
outcomes = ["value_delivered"]

[constants]
warmup = 20

[uncertainties.request_rate]
values = [0.7, 0.9]

[design]
kind = "full_factorial"
"""


@pytest.fixture(scope="module")
def storm(tmp_path_factory) -> Path:
    """The early incident storm, in one place for every batch of the module."""
    return write_early("incident_storm", tmp_path_factory.mktemp("storm"))


def _small(storm: Path) -> str:
    return SMALL.replace('"incident_storm.toml"', f'"{storm.as_posix()}"')


@pytest.fixture
def small(tmp_path, storm) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(_small(storm))
    return path


def _bytes(folder: Path) -> dict[str, bytes]:
    files = sorted(p for t in batch.TABLES for p in (folder / t).glob("chunk-*.parquet"))
    return {str(p.relative_to(folder)): p.read_bytes() for p in files}


@pytest.fixture(scope="module")
def reference(tmp_path_factory, storm) -> Path:
    """The small batch run serially, once."""
    root = tmp_path_factory.mktemp("reference")
    path = root / "small.toml"
    path.write_text(_small(storm))
    run_batch(path, out=root / "serial", workers=1)
    return root / "serial"


def test_plan_pairs_structures_and_scenarios_by_replication(small):
    runs = plan_runs(load_experiment(small))
    assert len(runs) == 2 * 2 * 2 * 2
    assert len({r.run_id for r in runs}) == len(runs)
    by_replication = {}
    for r in runs:
        by_replication.setdefault((r.point, r.replication), set()).add(r.seed)
    assert all(len(seeds) == 1 for seeds in by_replication.values())
    assert len({s for seeds in by_replication.values() for s in seeds}) == 4
    assert runs == plan_runs(load_experiment(small))


def test_seeds_come_from_the_master_seed():
    assert derive_seed(7, 0, 0) == derive_seed(7, 0, 0)
    assert derive_seed(7, 0, 0) != derive_seed(7, 0, 1) != derive_seed(8, 0, 1)


def test_tables_hold_inputs_next_to_outcomes(reference):
    result = batch.load_batch(reference)
    assert len(result.runs) == 16 and (result.runs["status"] == "ok").all()
    assert {"run_id", "seed", "structure", "scenario", "param.request_rate"} <= set(result.runs)
    assert "value_delivered" in result.runs
    assert result.runs["run_index"].tolist() == list(range(16))
    assert set(result.ticks["run_id"]) == set(result.runs["run_id"])
    assert len(result.ticks) == 16 * 310
    assert set(result.events["kind"]) == {"incident_storm"}
    manifest = json.loads((reference / "manifest.json").read_text())
    assert manifest["runs_done"] == 16 and manifest["master_seed"] == 7
    assert manifest["packages"]["mesa"] == "3.5.1" and manifest["code_version"]


def test_two_processes_give_identical_files(small, reference, tmp_path):
    run_batch(small, out=tmp_path / "two", workers=2)
    assert _bytes(tmp_path / "two") == _bytes(reference)


def test_dask_gives_identical_files(small, reference, tmp_path):
    run_batch(small, out=tmp_path / "dask", workers=2, executor="dask")
    assert _bytes(tmp_path / "dask") == _bytes(reference)


def test_shards_merged_equal_a_whole_run(small, reference, tmp_path):
    for k in range(3):
        run_batch(small, out=tmp_path / f"shard{k}", shard=(k, 3))
    merged = batch.merge(tmp_path / "merged", [tmp_path / f"shard{k}" for k in range(3)])
    assert _bytes(tmp_path / "merged") == _bytes(reference)
    assert len(merged.runs) == 16
    assert batch.status(tmp_path / "merged") == {"done": 16, "failed": 0, "pending": 0}


def test_a_run_can_be_repeated_from_the_folder_and_its_id(reference):
    runs = batch.load_batch(reference).runs
    row = runs.iloc[5]
    again = batch.rerun(reference, row["run_id"]).summary.iloc[0]
    assert again["value_delivered"] == row["value_delivered"]
    assert again["seed"] == row["seed"]


def test_existing_folder_is_never_overwritten(small, reference):
    with pytest.raises(ConfigError, match="--resume"):
        run_batch(small, out=reference)


def test_resume_skips_what_is_done(small, reference, tmp_path):
    out = tmp_path / "resumed"
    run_batch(small, out=out, shard=(0, 2))
    assert batch.status(out) == {"done": 8, "failed": 0, "pending": 0}  # the shard is complete
    calls = []
    run_batch(small, out=out, resume=True, progress=lambda d, f, t: calls.append(d))
    assert calls[0] == 8
    assert _bytes(out) == _bytes(reference)


def test_failed_runs_are_recorded_and_retried(small, reference, tmp_path, monkeypatch):
    real = batch.run

    def flaky(scenario, *, structure, seed, **kw):
        if structure == "cio_cto_split" and Path(scenario).stem == "incident_storm":
            raise RuntimeError("simulated crash")
        return real(scenario, structure=structure, seed=seed, **kw)

    monkeypatch.setattr(batch, "run", flaky)
    out = tmp_path / "flaky"
    result = run_batch(small, out=out)
    failed = result.runs[result.runs["status"] == "failed"]
    assert len(failed) == 4 and len(result.runs) == 16
    assert result.failures["traceback"].str.contains("simulated crash").all()
    assert batch.status(out) == {"done": 12, "failed": 4, "pending": 0}
    monkeypatch.setattr(batch, "run", real)
    run_batch(small, out=out, resume=True, retry_failed=True)
    assert _bytes(out) == _bytes(reference)


def test_resume_after_sigkill_gives_the_uninterrupted_dataset(small, reference, tmp_path):
    out = tmp_path / "killed"
    itlead = str(Path(sys.executable).parent / "itlead")
    cmd = [itlead, "batch", str(small), "--out", str(out), "--workers", "1", "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(batch.done_chunks(out)) < 4:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate()
    assert 4 <= len(batch.done_chunks(out)) < 16, err.decode()[-2000:]
    run_batch(small, out=out, resume=True)
    assert _bytes(out) == _bytes(reference)
    assert not list(out.rglob("*.partial"))


def test_a_different_experiment_cannot_resume_a_folder(storm, reference, tmp_path):
    other = tmp_path / "other.toml"
    other.write_text(_small(storm).replace("master_seed = 7", "master_seed = 8"))
    with pytest.raises(ConfigError, match="different experiment"):
        run_batch(other, out=reference, resume=True)


MINI = """
description = "Two runs over a scenario file of the test's own."
scenarios = ["{scenario}"]
structures = ["single_cio"]
replications = 2
master_seed = 3
steps = 80
outcomes = ["value_delivered"]

[constants]
warmup = 10

[design]
kind = "full_factorial"
"""
SURGE = """
base = "baseline"

[[shocks]]
kind = "demand_surge"
at = 30
duration = 10
magnitude = {magnitude}
"""


@pytest.fixture
def mini(tmp_path) -> tuple[Path, Path]:
    """An experiment naming a scenario file that a test can edit, and its finished batch."""
    scenario = tmp_path / "surge.toml"
    scenario.write_text(SURGE.format(magnitude=1.5))
    experiment = tmp_path / "mini.toml"
    experiment.write_text(MINI.format(scenario=scenario.as_posix()))
    run_batch(experiment, out=tmp_path / "out", shard=(0, 2))
    return experiment, scenario


def test_manifest_holds_the_scenarios_and_structures_as_they_ran(mini, tmp_path):
    manifest = batch.read_manifest(tmp_path / "out")
    (scenario,) = manifest["inputs"]["scenarios"].values()
    assert scenario["shocks"][0]["magnitude"] == 1.5
    assert [r["name"] for r in manifest["inputs"]["structures"]["single_cio"]["roles"]] == ["CIO"]
    assert len(manifest["code_fingerprint"]) == 16


def test_an_edited_scenario_file_cannot_resume_or_rerun_a_folder(mini, tmp_path):
    experiment, scenario = mini
    run_id = batch.load_batch(tmp_path / "out").runs["run_id"].iloc[0]
    scenario.write_text(SURGE.format(magnitude=1.6))
    with pytest.raises(ConfigError, match="scenario or structure it names has changed"):
        run_batch(experiment, out=tmp_path / "out", resume=True)
    with pytest.raises(ConfigError, match="scenario or structure it names has changed"):
        batch.rerun(tmp_path / "out", run_id)
    scenario.write_text(SURGE.format(magnitude=1.5))  # restored: the batch can go on
    assert len(run_batch(experiment, out=tmp_path / "out", resume=True).runs) == 2


def test_the_hash_covers_restructure_targets_and_design_csvs(tmp_path):
    target = tmp_path / "target.toml"
    target.write_text(Path("structures/cio_cto_split.toml").read_text())
    scenario = tmp_path / "restructure.toml"
    scenario.write_text(
        'base = "baseline"\n[[interventions]]\nkind = "restructure"\nat = 40\n'
        f'structure = "{target.as_posix()}"\n'
    )
    points = tmp_path / "points.csv"
    points.write_text("request_rate\n0.7\n")
    experiment = tmp_path / "e.toml"
    experiment.write_text(
        MINI.format(scenario=scenario.as_posix()).replace('kind = "full_factorial"', "")
        + 'kind = "csv"\ncsv = "points.csv"\n[uncertainties.request_rate]\nlow = 0.5\nhigh = 1.0\n'
    )
    exp = load_experiment(experiment)
    before = batch.spec_hash(exp)
    assert target.as_posix() in batch.resolved_inputs(exp)["structures"]
    points.write_text("request_rate\n0.9\n")
    assert batch.spec_hash(exp) != before
    points.write_text("request_rate\n0.7\n")
    assert batch.spec_hash(exp) == before
    target.write_text(target.read_text().replace("attention_hours = 9.0", "attention_hours = 8.0"))
    assert batch.spec_hash(exp) != before


def test_a_folder_from_an_older_itlead_says_so(mini, tmp_path):
    experiment, _ = mini
    path = tmp_path / "out" / batch.MANIFEST
    old = json.loads(path.read_text())
    del old["code_fingerprint"], old["inputs"]
    path.write_text(json.dumps(old))
    with pytest.raises(ConfigError, match="older itlead"):
        run_batch(experiment, out=tmp_path / "out", resume=True)


def test_code_fingerprint_follows_the_package_sources(tmp_path):
    (tmp_path / "model.py").write_text("X = 1\n")
    (tmp_path / "notes.txt").write_text("not code")
    first = code_fingerprint(tmp_path)
    (tmp_path / "notes.txt").write_text("still not code")
    assert code_fingerprint(tmp_path) == first
    (tmp_path / "model.py").write_text("X = 2\n")
    assert code_fingerprint(tmp_path) != first
    assert code_fingerprint() == code_fingerprint(Path(sim.__file__).parent)


def test_other_model_code_cannot_resume_a_folder(mini, tmp_path, monkeypatch):
    experiment, _ = mini
    monkeypatch.setattr(store, "code_fingerprint", lambda: "0123456789abcdef")
    with pytest.raises(ConfigError, match="other model code"):
        run_batch(experiment, out=tmp_path / "out", resume=True)


def test_shards_of_other_model_code_are_not_merged(mini, tmp_path, monkeypatch):
    experiment, _ = mini
    monkeypatch.setattr(store, "code_fingerprint", lambda: "0123456789abcdef")
    run_batch(experiment, out=tmp_path / "other", shard=(1, 2))
    with pytest.raises(ConfigError, match="other model code"):
        batch.merge(tmp_path / "merged", [tmp_path / "out", tmp_path / "other"])


def test_thinning_keeps_every_kth_tick(small, tmp_path):
    result = run_batch(small, out=tmp_path / "thin", every=10, shard=(0, 8))
    assert set(result.ticks["tick"] % 10) == {0}


def test_unwritable_folder_is_a_clear_error(small, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match="cannot write results"):
        run_batch(small, out=blocker / "batch")


def test_unreachable_dask_scheduler_is_a_clear_error(small, tmp_path):
    with pytest.raises(ConfigError, match="cannot be reached"):
        run_batch(small, out=tmp_path / "nowhere", executor="dask", address="tcp://127.0.0.1:9")


@pytest.mark.slow
def test_memory_stays_flat_as_the_batch_grows(tmp_path):
    """Ten times the runs, about the same peak memory: results stream to disk chunk by chunk."""
    code = (
        "import resource, sys\n"
        "from sim import run_batch\n"
        "run_batch(sys.argv[1], out=sys.argv[2], workers=1)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    peaks = []
    for reps in (5, 55):
        path = tmp_path / f"m{reps}.toml"
        text = SMALL.replace("replications = 2", f"replications = {reps}")
        text = text.replace("steps = 310", "steps = 120")
        text = text.replace('["baseline", "incident_storm.toml"]', '["baseline"]')
        path.write_text(text)
        out = subprocess.run(
            [sys.executable, "-c", code, str(path), str(tmp_path / f"o{reps}")],
            capture_output=True,
            text=True,
            check=True,
            env=os.environ.copy(),
        )
        peaks.append(int(out.stdout.strip().splitlines()[-1]))
    # 200 more runs hold about 12 MB of per-tick data; a batch that kept it would show it.
    assert peaks[1] - peaks[0] < 4_000, peaks
