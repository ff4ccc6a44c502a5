"""Issue 14, findings 9 and 11 (in part): a user's mistakes on the command line.

Each test reproduces a reported case and asserts the safe outcome: one ``itlead: error:`` line
naming what is allowed, exit code 2, no traceback. The Dask ``--address`` cases are tested with
the batch faults.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

import sim
from sim.cli import main
from sim.cli.base import MAX_SEED
from sim.errors import ConfigError
from sim.experiments.spec import load_experiment
from tests.test_cli import assert_bad_input
from tests.test_experiment import RANGES, write

HUGE = 2**64  # 18446744073709551616, the reported value


def invoke(*args: object) -> Result:
    """The command line in-process, named as the installed script is (usage lines name it)."""
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="itlead")


# --- finding 9: huge values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            ("run", "baseline", "--seed", HUGE),
            ("--seed = 18446744073709551616", f"to {MAX_SEED}"),
        ),
        (("run", "baseline", "--steps", HUGE), ("--steps", "allowed 1 to 100000")),
        (("compare-structures", "--master-seed", HUGE), ("--master-seed", f"up to {MAX_SEED}")),
        (("compare-structures", "--workers", HUGE), ("--workers", "allowed 1 or more, up to 64")),
        (("compare-structures", "--seeds", HUGE), ("--seeds", "up to 10000")),
        (("dashboard", "--port", HUGE), ("--port", "allowed 0 or more, up to 65535")),
    ],
    ids=["run seed", "run steps", "master seed", "workers", "seeds", "port"],
)
def test_huge_values_are_refused_with_the_allowed_range(args, fragments):
    # Before: OverflowError tracebacks (seed, workers, port) or a hang (seeds).
    assert_bad_input(invoke(*args), *fragments)


def test_the_largest_seed_still_runs(tmp_path):
    # The bound is the storage's (a 64-bit signed integer), so the largest allowed seed writes.
    result = invoke(
        "run", "baseline", "--seed", MAX_SEED, "--steps", 80, "--set", "warmup=60",
        "--out", tmp_path / "r",
    )  # fmt: skip
    assert result.exit_code == 0, (result.output, result.exception)


# --- finding 9: duplicated values -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--steps", "30", "--set", "steps=10"), ("--steps 30", "--set steps=10", "one of them")),
        (
            ("--set", "steps=100", "--set", "steps=200"),
            ("--set steps=100", "--set steps=200", "one value per key"),
        ),
    ],
    ids=["flag and set", "set twice"],
)
def test_a_value_given_twice_is_refused_naming_both(args, fragments):
    # Before: a TypeError traceback (run() got multiple values for 'steps'); twice --set let the
    # last silently win.
    assert_bad_input(invoke("run", "baseline", *args), *fragments)


# --- finding 9: click's own usage errors ----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            ("compare-structures", "--workers", "abc"),
            ("compare-structures:", "'--workers': 'abc' is not a valid integer"),
        ),
        (("run",), ("Missing argument 'SCENARIO'", "usage: itlead run [OPTIONS] SCENARIO")),
        (("run", "baseline", "--bogus"), ("No such option '--bogus'", "--structure, --seed")),
        (("bogus",), ("No such command 'bogus'", "allowed commands:", "validate")),
        (("--bogus",), ("No such option '--bogus'", "--debug, --version, --help")),
        (("list", "--what", "x"), ("'x' is not one of 'all', 'scenarios'",)),
        (("batch", "x", "--executor", "slurm"), ("'slurm' is not one of 'local', 'dask'",)),
    ],
    ids=[
        "bad int",
        "missing argument",
        "unknown option",
        "unknown command",
        "group option",
        "choice",
        "batch executor",
    ],
)
def test_click_usage_errors_are_one_line(args, fragments):
    # Before: three lines (Usage, Try '--help', Error); the meaning is click's, kept word for word.
    line = assert_bad_input(invoke(*args), *fragments)
    assert line.endswith("--help")  # where to read more


def test_help_and_version_are_unchanged():
    top = invoke("--help")
    assert top.exit_code == 0 and top.stdout.startswith("Usage: itlead [OPTIONS] COMMAND")
    sub = invoke("run", "--help")
    assert sub.exit_code == 0 and sub.stdout.startswith("Usage: itlead run [OPTIONS] SCENARIO")
    assert invoke("--version").stdout.strip().endswith(f"version {sim.__version__}")
    bare = invoke()  # click shows the help for a bare command: kept, it is not an error line
    assert "Usage: itlead [OPTIONS] COMMAND" in bare.output
    assert "itlead: error" not in bare.output


# --- finding 11: CSV line numbers and empty structure files ---------------------------------------


@pytest.mark.parametrize(
    ("csv", "expected"),
    [
        ("request_rate,decision_timeout\n\n0.7,8\n\n\n0.7,x\n", 'line 6 decision_timeout = "x"'),
        ("request_rate,decision_timeout\n\n0.7,8\n\n0.7,8\n", "line 5 = "),
        ("request_rate,decision_timeout\n\n0.7,8\n\n0.7,8\n", "repeats line 3"),
        ("\nrequest_rate,decision_timeout\n0.7\n", "line 3 has 1 cells"),
        ('request_rate,decision_timeout\n"0.7\n",8\n0.8\n', "line 4 has 1 cells"),
    ],
    ids=["bad cell", "repeat", "repeated line", "blank first", "quoted newline"],
)
def test_csv_errors_name_the_files_line_after_blank_lines(tmp_path, csv, expected):
    # Before: blank lines were dropped before numbering, so "line 4" pointed at the wrong row.
    (tmp_path / "points.csv").write_text(csv, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"points\.csv") as info:
        load_experiment(write(tmp_path, RANGES + '[design]\nkind = "csv"\ncsv = "points.csv"\n'))
    assert expected in str(info.value)


@pytest.mark.parametrize("text", ["", "\n\n", "# a comment only\n"], ids=["empty", "blank", "note"])
def test_validate_refuses_an_empty_file(tmp_path, text):
    # Before: "ok: ... (scenario)": an empty table passed as a scenario of defaults.
    path = write(tmp_path, text, "empty.toml")
    assert_bad_input(invoke("validate", path), str(path), "is empty", "roles required")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('description = "only a description"\n', "missing key roles"),
        ('[reporting]\ndelivery = "CIO"\n', "missing key roles"),
    ],
    ids=["in structures folder", "structure keys"],
)
def test_validate_checks_a_structure_without_roles_as_a_structure(tmp_path, text, fragment):
    # A file in a structures/ folder, or with keys only structures have, is a structure: before,
    # the first said "ok (scenario)" and the second blamed reporting as an unknown scenario key.
    folder = tmp_path / "structures"
    folder.mkdir()
    path = write(folder, text, "s.toml")
    assert_bad_input(invoke("validate", path), str(path), fragment)


def test_validate_still_accepts_a_scenario_of_only_a_description(tmp_path):
    result = invoke("validate", write(tmp_path, 'description = "x"\n', "c.toml"))
    assert result.exit_code == 0 and "(scenario)" in result.stdout


def test_validate_refuses_an_empty_file_among_good_ones(tmp_path):
    empty = write(tmp_path, "", "empty.toml")
    good = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
    result = invoke("validate", good, empty)
    assert result.exit_code == 2
    assert f"ok: {good} (scenario)" in result.stdout
    assert result.stderr.count("itlead: error:") == 1


def test_a_file_name_too_long_is_one_line():
    # Found by tests/test_cli_fuzz.py: the system's OSError (ENAMETOOLONG) was a traceback.
    line = assert_bad_input(
        invoke("validate", "9" * 5000), "File name too long", "(5000 characters)"
    )
    assert len(line) < 200  # the path is shortened, not echoed whole


def test_set_steps_alone_runs(tmp_path):
    # Found by tests/test_cli_fuzz.py: `--set steps=...` without --steps was a TypeError (steps
    # passed twice to the library), although it is the documented way to set any parameter.
    result = invoke(
        "run", "baseline", "--set", "steps=80", "--set", "warmup=60", "--out", tmp_path / "r"
    )
    assert result.exit_code == 0, (result.output, result.exception)
    assert len(pd.read_parquet(tmp_path / "r" / "ticks.parquet")) == 80


@pytest.mark.parametrize(
    "args",
    [("validate", "a\0b.toml"), ("run", "a\0b"), ("run", "baseline", "--out", "o\0")],
)
def test_a_nul_character_in_a_path_is_one_line(args):
    # argv cannot carry a NUL, but the Python API and an in-process call can: the OS refuses
    # such a path with a ValueError, which must end as one line, not a traceback.
    result = invoke(*args)
    assert result.exit_code == 2, (result.output, result.exception)
    (line,) = result.stderr.splitlines()
    assert line.startswith("itlead: error: ") and "NUL character" in line


def test_the_api_refuses_a_nul_character_in_a_scenario_name():
    import sim

    with pytest.raises(ConfigError, match="NUL character"):
        sim.run("a\0b", steps=10)
