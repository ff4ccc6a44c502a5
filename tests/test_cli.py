"""The ``itlead`` command line, driven in-process with click's CliRunner.

Bad input must end as exactly one ``itlead: error: ...`` line on stderr and exit code 2 (never a
traceback); good input must write complete, reproducible result folders. One test runs the
installed console script in a real process to prove the entry point itself works.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from sim.analysis import answer
from sim.cli import main
from sim.config.loaders import list_scenarios, list_structures
from sim.config.params import param_defaults, param_infos
from sim.docs import parameter_markdown
from sim.errors import ConfigError
from sim.experiments.batch import derive_seed
from sim.experiments.output import TABLES
from sim.model.outcomes import HEADLINE
from sim.model.recorder import TICK_METRICS, bound_text

REPO = Path(__file__).resolve().parents[1]
SHORT = ("--steps", "120", "--set", "warmup=60")  # a short run keeps a short warm-up
RUN_ARGS = ("run", "baseline", "--structure", "single_cio", "--seed", "1", *SHORT)
SUMMARY_OUTCOMES = ("lead_time_strategic_mean", "value_delivered", "business_trust_mean")
BAD_TOML = 'description = "unterminated\nsteps = [\n'


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_bad_input(result: Result, *fragments: str, quiet_stdout: bool = True) -> str:
    """Exit 2 with one ``itlead: error:`` line naming every fragment; returns that line."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit)  # not an unexpected exception
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("itlead: error: "), line
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    if quiet_stdout:
        assert result.stdout == ""
    return line


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """One short baseline run written with CSV; shared by the tests that inspect it."""
    folder = tmp_path_factory.mktemp("run") / "r"
    result = invoke(*RUN_ARGS, "--out", folder, "--csv")
    return folder, result


# --- run ------------------------------------------------------------------------------------------


def test_run_writes_every_table_as_parquet_and_csv(run_folder):
    folder, result = run_folder
    assert result.exit_code == 0, (result.output, result.exception)
    expected = {f"{t}.{ext}" for t in TABLES for ext in ("parquet", "csv")} | {"manifest.json"}
    assert set(TABLES) == {"ticks", "executives", "summary", "events"}
    assert {p.name for p in folder.iterdir()} == expected
    assert not folder.with_name(folder.name + ".partial").exists()
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]

    ticks = pd.read_parquet(folder / "ticks.parquet")
    assert len(ticks) == 120
    assert list(ticks["tick"]) == list(pd.read_csv(folder / "ticks.csv")["tick"])
    summary = pd.read_csv(folder / "summary.csv")
    assert len(summary) == 1
    row = summary.iloc[0]
    assert (row["scenario"], row["structure"], row["seed"]) == ("baseline", "single_cio", 1)


def test_run_manifest_records_spec_params_and_versions(run_folder):
    folder, _ = run_folder
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["spec"] == {
        "scenario": "baseline",
        "structure": "single_cio",
        "seed": 1,
        "steps": 120,
        "shocks": True,
        "overrides": {"warmup": 60},
    }
    assert manifest["params"].startswith("Params(steps=120, warmup=60,")
    assert manifest["code_version"]
    assert manifest["packages"]["mesa"] == "3.5.1"
    assert manifest["packages"]["itlead"] == metadata.version("itlead")


def test_run_prints_the_summary_and_the_folder(run_folder):
    folder, result = run_folder
    out = result.stdout
    assert re.search(r"^\s+scenario\s+baseline$", out, re.MULTILINE)
    assert re.search(r"^\s+structure\s+single_cio$", out, re.MULTILINE)
    shown = {}
    for outcome in SUMMARY_OUTCOMES:
        match = re.search(rf"^\s+{outcome}\s+(\S+)$", out, re.MULTILINE)
        assert match, outcome
        shown[outcome] = float(match.group(1))
    assert out.rstrip().endswith(f"wrote {folder}")
    assert result.stderr == ""
    # The printed numbers (4 significant figures) recomputed from the written per-tick table:
    # means over the ticks after the warm-up (60), lead time weighted by the deliveries.
    ticks = pd.read_csv(folder / "ticks.csv")
    kept = ticks[ticks["tick"] >= 60]
    delivered = kept["delivered_strategic"]
    assert delivered.sum() > 0
    expected = {
        "lead_time_strategic_mean": (kept["lead_time_strategic"].fillna(0) * delivered).sum()
        / delivered.sum(),
        "value_delivered": kept["value_delivered"].mean(),
        "business_trust_mean": kept["business_trust_mean"].mean(),
    }
    for outcome, value in expected.items():
        assert shown[outcome] == pytest.approx(value, rel=5e-4), outcome


def test_run_is_deterministic(run_folder, tmp_path):
    folder, _ = run_folder
    again = invoke(*RUN_ARGS, "--out", tmp_path / "again", "--csv")
    assert again.exit_code == 0, again.output
    first = (folder / "ticks.csv").read_bytes()
    assert len(first) > 1000
    assert (tmp_path / "again" / "ticks.csv").read_bytes() == first
    assert (tmp_path / "again" / "summary.csv").read_bytes() == (
        folder / "summary.csv"
    ).read_bytes()


def test_run_refuses_an_existing_folder(run_folder):
    folder, _ = run_folder
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    result = invoke(*RUN_ARGS, "--out", folder)
    assert_bad_input(result, str(folder), "already exists")
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before


def test_run_into_an_unwritable_place_is_one_line(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    result = invoke("run", "baseline", *SHORT, "--out", blocker / "sub")
    assert_bad_input(result, "cannot write results")


@pytest.mark.parametrize(
    ("extra", "folder_name"),
    [
        ((), "baseline__single_cio__seed2"),
        (("--no-shocks",), "baseline__single_cio__seed2__noshock"),
    ],
)
def test_run_default_folder_is_under_results(tmp_path, monkeypatch, extra, folder_name):
    monkeypatch.chdir(tmp_path)
    result = invoke("run", "baseline", "--seed", "2", *SHORT, *extra)
    assert result.exit_code == 0, (result.output, result.exception)
    folder = Path("results") / "runs" / folder_name
    assert {p.name for p in (tmp_path / folder).iterdir()} == {
        *(f"{t}.parquet" for t in TABLES),
        "manifest.json",
    }  # no CSV without --csv
    assert result.stdout.rstrip().endswith(f"wrote {folder}")
    spec = json.loads((tmp_path / folder / "manifest.json").read_text())["spec"]
    assert spec["shocks"] is not bool(extra)


# --- --set ----------------------------------------------------------------------------------------


def test_set_overrides_a_parameter(tmp_path):
    assert param_defaults()["request_rate"] != 0.9
    result = invoke("run", "baseline", *SHORT, "--set", "request_rate=0.9", "--out", tmp_path / "r")
    assert result.exit_code == 0, (result.output, result.exception)
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert manifest["spec"]["overrides"] == {"warmup": 60, "request_rate": 0.9}
    assert "request_rate=0.9," in manifest["params"]


@pytest.mark.parametrize(
    ("assignment", "fragments"),
    [
        ("reqest_rate=0.9", ("unknown key reqest_rate", "did you mean request_rate")),
        ("request_rate=abc", ("request_rate", '"abc"', "is not a number", "0.0 to 100.0")),
        ("request_rate=-1", ("request_rate = -1.0", "out of range", "allowed 0.0 to 100.0")),
        ("request_rate", ("is not key=value",)),
        ("steps=1.5", ("steps", "is not an integer")),
    ],
)
def test_bad_set_is_one_line_and_writes_nothing(tmp_path, assignment, fragments):
    result = invoke(
        "run", "baseline", "--steps", "100", "--set", assignment, "--out", tmp_path / "r"
    )
    line = assert_bad_input(result, "--set", *fragments)
    assert "Traceback" not in line
    assert list(tmp_path.iterdir()) == []


# --- names and files ------------------------------------------------------------------------------


def test_unknown_scenario_lists_the_allowed_ones():
    line = assert_bad_input(
        invoke("run", "no_such_scenario"), 'unknown scenario "no_such_scenario"'
    )
    for name in list_scenarios():
        assert name in line
    assert len(list_scenarios()) >= 10


def test_unknown_structure_lists_the_allowed_ones():
    result = invoke("run", "baseline", "--structure", "single_cto")
    line = assert_bad_input(result, 'unknown structure "single_cto"')
    assert set(list_structures()) == {
        "single_cio",
        "cio_cto_split",
        "single_cio_with_deputy",
        "cio_cto_joint_architecture",
        "cio_with_coo",
    }
    for name in list_structures():
        assert name in line


@pytest.mark.parametrize("as_structure", [False, True], ids=["scenario", "structure"])
def test_malformed_toml_names_the_file(tmp_path, as_structure):
    bad = tmp_path / "broken.toml"
    bad.write_text(BAD_TOML)
    args = ("run", "baseline", "--structure", bad) if as_structure else ("run", bad)
    assert_bad_input(invoke(*args), f"{bad}: malformed TOML")


def test_missing_file_is_one_line(tmp_path):
    missing = tmp_path / "nowhere.toml"
    assert_bad_input(invoke("run", missing), f"{missing}: no such file")
    assert_bad_input(invoke("run", "baseline", "--structure", missing), "no such file")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--steps", "30"), ("warmup = 550 is not below steps = 30",)),
        (("--steps", "0"), ("steps", "out of range")),
        (("--seed", "-1"), ("--seed = -1", "out of range", "0 or more")),
    ],
)
def test_bad_run_options_are_one_line(args, fragments):
    assert_bad_input(invoke("run", "baseline", *args), *fragments)


def test_debug_lets_the_error_through():
    plain = invoke("run", "baseline", "--set", "reqest_rate=0.9")
    assert_bad_input(plain, "did you mean request_rate")

    debug = invoke("--debug", "run", "baseline", "--set", "reqest_rate=0.9")
    # The ConfigError propagates out of main; CliRunner records it and reports exit code 1.
    assert isinstance(debug.exception, ConfigError)
    assert "did you mean request_rate" in str(debug.exception)
    assert debug.exit_code == 1
    assert "itlead: error" not in debug.output


# --- validate -------------------------------------------------------------------------------------


def shipped_files() -> list[tuple[Path, str]]:
    files = [(p, "scenario") for p in sorted((REPO / "scenarios").glob("*.toml"))]
    files += [(p, "structure") for p in sorted((REPO / "structures").glob("*.toml"))]
    return files


def test_validate_every_shipped_file():
    files = shipped_files()
    assert len(files) == len(list_scenarios()) + len(list_structures()) >= 14
    result = invoke("validate", *(p for p, _ in files))
    assert result.exit_code == 0, (result.output, result.exception)
    assert result.stdout.splitlines() == [f"ok: {p} ({kind})" for p, kind in files]
    assert result.stderr == ""


def test_validate_reports_good_files_around_a_bad_one(tmp_path):
    (good_a, kind_a), (good_b, kind_b) = shipped_files()[0], shipped_files()[-1]
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_TOML)
    result = invoke("validate", good_a, bad, good_b)
    assert_bad_input(result, f"{bad}: malformed TOML", quiet_stdout=False)
    assert result.stdout.splitlines() == [f"ok: {good_a} ({kind_a})", f"ok: {good_b} ({kind_b})"]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("[params]\nreqest_rate = 0.9\n", ("params.reqest_rate", "did you mean request_rate")),
        ("[params]\nrequest_rate = -1\n", ("params.request_rate", "out of range")),
    ],
)
def test_validate_names_the_bad_key(tmp_path, text, fragments):
    bad = tmp_path / "scenario.toml"
    bad.write_text(text)
    line = assert_bad_input(invoke("validate", bad), str(bad), *fragments)
    assert "ok:" not in line


def test_validate_missing_file(tmp_path):
    missing = tmp_path / "gone.toml"
    assert_bad_input(invoke("validate", missing), f"{missing}: no such file")


# --- list -----------------------------------------------------------------------------------------


def test_list_shows_names_and_parameter_rows():
    result = invoke("list")
    assert result.exit_code == 0, (result.output, result.exception)
    lines = result.stdout.splitlines()
    assert lines[0] == "Scenarios: " + ", ".join(list_scenarios())
    assert lines[1] == "Structures: " + ", ".join(list_structures())
    assert "Parameters:" in lines
    header = next(line for line in lines if line.split()[:2] == ["group", "name"])
    for column in ("default", "unit", "range", "source", "meaning"):
        assert column in header

    rows = {line.split()[1]: line for line in lines if len(line.split()) > 2}
    for name in param_infos():
        assert name in rows, name
    info = param_infos()["request_rate"]
    row = rows["request_rate"]
    assert info.source.startswith("assumption")
    for cell in (str(param_defaults()["request_rate"]), info.unit, "0 to 100", "assumption"):
        assert cell in row, (cell, row)
    assert "Per-tick measures:" in lines


def test_list_metrics_only():
    result = invoke("list", "--what", "metrics")
    assert result.exit_code == 0, (result.output, result.exception)
    out = result.stdout
    assert "Per-tick measures:" in out
    assert "Scenarios:" not in out
    assert "Parameters:" not in out
    for name, (unit, low, high, _) in TICK_METRICS.items():
        # Each row shows the measure's range; a run-dependent ceiling as how it is computed.
        row = rf"^\s*{name}\s+{re.escape(unit)}\s+{low:g}\s+{re.escape(bound_text(high))}\s"
        assert re.search(row, out, re.MULTILINE), name
    assert "1 + overtime_max" in bound_text(TICK_METRICS["exec_utilisation_max"][2])


def test_list_rejects_an_unknown_section():
    result = invoke("list", "--what", "everything")
    assert result.exit_code == 2
    assert "everything" in result.stderr


# --- compare-structures ---------------------------------------------------------------------------


def test_compare_structures_prints_and_writes_the_paired_table(tmp_path):
    out = tmp_path / "cmp"
    result = invoke(
        "compare-structures",
        "--seeds", "2", "--workers", "1",
        "--set", "steps=150", "--set", "warmup=30",
        "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, (result.output, result.exception)
    stdout = result.stdout
    assert "Steady load: 2 paired runs are too few for a verdict between CIO/CTO split and" in (
        " ".join(stdout.split())
    )
    printed = {}
    for outcome in HEADLINE:
        # A compact-table row: the outcome in words (unit), then both means.
        name = re.escape(answer.label(outcome))
        match = re.search(rf"^\s*{name}(?: \([^)]*\))?\s+(\S+)\s+(\S+)\s", stdout, re.MULTILINE)
        assert match, outcome
        printed[outcome] = [float(x) for x in match.groups()]  # reference, other
    assert "Comparing single_cio, cio_cto_split on 'baseline' over 2 seeds" in result.stderr

    summaries = pd.read_csv(out / "summaries.csv")
    assert len(summaries) == 4
    seeds = [derive_seed(0, 0, r) for r in range(2)]
    assert set(zip(summaries["structure"], summaries["seed"], strict=True)) == {
        (structure, seed) for structure in ("single_cio", "cio_cto_split") for seed in seeds
    }
    paired = pd.read_csv(out / "paired_cio_cto_split_vs_single_cio.csv")
    assert list(paired["outcome"]) == list(HEADLINE)
    assert (paired["n_pairs"] == 2).all()
    # The paired difference recomputed from the written summaries, seed by seed.
    wide = summaries.pivot(index="seed", columns="structure")
    for outcome, row in paired.set_index("outcome").iterrows():
        reference, other = wide[outcome]["single_cio"], wide[outcome]["cio_cto_split"]
        difference = float((other - reference).mean())
        assert row["mean_difference"] == pytest.approx(difference, rel=1e-9, abs=1e-12), outcome
        assert row["mean_reference"] == pytest.approx(reference.mean(), rel=1e-12), outcome
        shown = [reference.mean(), other.mean()]  # printed to 4 significant figures
        assert printed[outcome] == pytest.approx(shown, rel=1e-3, abs=1e-12), outcome
    assert (paired["ci_low"] <= paired["mean_difference"] + 1e-12).all()
    assert (paired["mean_difference"] <= paired["ci_high"] + 1e-12).all()


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--structures", "single_cio"), ("--structures:", "names fewer than two")),
        (("--structures", "single_cio,single_cio"), ("--structures:", "names a structure twice")),
        (("--structures", "single_cio,nope"), ('unknown structure "nope"', "cio_cto_split")),
        (("--scenario", "nope"), ('unknown scenario "nope"', "baseline")),
        (("--set", "reqest_rate=1"), ("did you mean request_rate",)),
        (("--set", "warmup=500", "--set", "steps=400"), ("warmup = 500 is not below",)),
        (("--seeds", "0"), ("--seeds = 0", "1 or more")),
        (("--master-seed", "-1"), ("--master-seed = -1", "0 or more")),
    ],
)
def test_compare_structures_bad_input_fails_before_running(args, fragments):
    result = invoke("compare-structures", "--workers", "1", *args)
    assert_bad_input(result, *fragments)  # stderr holds only the error: no "Comparing ..." line


# --- docs and version -----------------------------------------------------------------------------


def test_docs_writes_the_parameter_table(tmp_path):
    result = invoke("docs", "--out", tmp_path / "d")
    assert result.exit_code == 0, (result.output, result.exception)
    doc = tmp_path / "d" / "parameters.md"
    assert result.stdout.strip() == f"wrote {doc}"
    text = doc.read_text()
    assert text == parameter_markdown()
    for name in param_infos():
        assert f"| `{name}` |" in text, name
    for name, (unit, low, high, _) in TICK_METRICS.items():
        assert f"| `{name}` | {unit} | {low:g} to {bound_text(high)} |" in text, name


def test_docs_default_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("docs")
    assert result.exit_code == 0, (result.output, result.exception)
    assert (tmp_path / "docs" / "parameters.md").read_text() == parameter_markdown()


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    # The version itself is pyproject.toml's (tests/test_release_metadata.py).
    assert result.stdout.strip().endswith(f"version {metadata.version('itlead')}")


# --- the installed entry point --------------------------------------------------------------------


def test_console_script_runs_and_fails_cleanly(tmp_path):
    script = Path(sys.executable).parent / "itlead"
    assert script.is_file(), script

    good = subprocess.run(
        [script, "run", "baseline", *SHORT, "--seed", "3", "--out", "r"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert good.returncode == 0, good.stderr
    assert good.stdout.rstrip().endswith("wrote r")
    assert (tmp_path / "r" / "ticks.parquet").is_file()

    bad = subprocess.run(
        [script, "run", "baseline", "--set", "reqest_rate=0.9"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.splitlines() == [
        "itlead: error: --set: unknown key reqest_rate; did you mean request_rate?"
    ]
