"""Fuzzing the command line: whatever the arguments, exit 0 or 2, one error line, no traceback.

Random argument lists and ``--set key=value`` strings go to ``run``, ``validate`` and ``batch``.
Only the input checks are exercised: ``run`` writes an unstepped model (every check made and
the results written, no tick simulated), and ``batch`` is given an experiment that does not
exist, so nothing runs and each example takes milliseconds. The reported cases are explicit
examples, so they are tried every time.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

from click.testing import CliRunner, Result
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.config.params import param_infos
from sim.experiments import run as run_module

FUZZ = settings(max_examples=100, deadline=None)
REPO = Path(__file__).resolve().parents[1]

# Values that have broken parsers before: huge, signed, special floats, text, empty.
TRICKY = [
    "0",
    "-1",
    "1e400",
    "nan",
    "inf",
    "-inf",
    "1e3",
    "0.5",
    str(2**64),
    str(2**63),
    str(-(2**63) - 1),
    "9" * 5000,
    "",
    " ",
    "=",
    "abc",
    "1/0",
    "0/2",
    "../x",
    "é",
]
# No NUL: a real command line cannot hold one (argv is C strings); only an in-process call can.
text = st.text(st.characters(exclude_characters="\x00"), max_size=12)
values = st.one_of(st.sampled_from(TRICKY), text, st.integers().map(str))
keys = st.one_of(
    st.sampled_from(["steps", "warmup", "request_rate", "attention_policy"]),  # often clash
    st.sampled_from(sorted(param_infos())),
    st.sampled_from(
        [
            "structure.roles.CIO.cost",
            "structure.roles.NOPE.cost",
            "structure.channels.0.hours_per_tick",
            "structure.",
            "",
        ]
    ),
    text,
)
assignments = st.builds(
    lambda k, sep, v: f"{k}{sep}{v}", keys, st.sampled_from(["=", " = ", ""]), values
)


def flags(options: list[str]) -> st.SearchStrategy[list[str]]:
    """Random uses of ``options`` (each followed by a tricky value), ``--set`` and noise."""
    one = st.one_of(
        st.tuples(st.sampled_from(options), values).map(list),
        assignments.map(lambda a: ["--set", a]),
        st.sampled_from([["--no-shocks"], ["--csv"], ["--bogus"], ["--set"], ["--"], ["-x"]]),
        values.map(lambda v: [v]),
    )
    return st.lists(one, max_size=5).map(lambda parts: [a for part in parts for a in part])


def unstepped(model: Any) -> None:
    """In place of ``ITLeadershipModel.run``: no ticks, so an example takes a tenth of a second."""


def invoke(args: list[str]) -> Result:
    """Run the CLI in a fresh working folder: a fuzzed ``--out 3`` must not write into the tree."""
    with tempfile.TemporaryDirectory() as cwd, contextlib.chdir(cwd):
        return CliRunner().invoke(main, args, prog_name="itlead")


def assert_clean(result: Result, *, files: int = 1) -> None:
    """Exit 0 or 2, no traceback, at most one error line per file and nothing else on stderr."""
    assert result.exit_code in (0, 2), (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    # Every stderr line is an error line: click's own three-line usage errors fail this.
    assert all(line.startswith("itlead: error: ") for line in lines), result.stderr
    assert len(lines) <= files, result.stderr
    if result.exit_code == 2:
        assert lines, result.output  # a refusal says why


@FUZZ
@given(
    scenario=st.one_of(st.just("baseline"), values),
    structure=st.one_of(st.sampled_from(["single_cio", "cio_cto_split"]), values),
    extra=flags(["--seed", "--steps", "--structure", "--out"]),
)
@example(scenario="baseline", structure="single_cio", extra=["--seed", str(2**64)])
@example(scenario="baseline", structure="single_cio", extra=["--steps", "30", "--set", "steps=10"])
@example(scenario="baseline", structure="single_cio", extra=["--seed", "abc"])
@example(scenario="baseline", structure="single_cio", extra=["--bogus"])
def test_run_arguments(tmp_path_factory, scenario, structure, extra):
    # --out inside a fresh folder, so a value such as "." never points at the working tree.
    out = tmp_path_factory.mktemp("out") / "r"
    args = ["run", scenario, "--structure", structure, "--out", str(out), *extra]
    with mock.patch.object(run_module.ITLeadershipModel, "run", unstepped):
        assert_clean(invoke(args))


@FUZZ
@given(sets=st.lists(assignments, min_size=1, max_size=4))
@example(sets=["steps=100", "steps=200"])
@example(sets=["structure.roles.CIO.cost=1e400"])
def test_run_set_values(tmp_path_factory, sets):
    out = tmp_path_factory.mktemp("out") / "r"
    args = ["run", "baseline", "--out", str(out)]
    for text in sets:
        args += ["--set", text]
    with mock.patch.object(run_module.ITLeadershipModel, "run", unstepped):
        assert_clean(invoke(args))


@FUZZ
@given(
    target=st.one_of(
        values,
        st.sampled_from(
            [str(REPO / "scenarios" / "baseline.toml"), str(REPO / "structures"), "/dev/null"]
        ),
    ),
    extra=flags(["--out", "--debug"]),
)
@example(target="", extra=[])
@example(target="/dev/null", extra=[])  # an empty file
def test_validate_arguments(target, extra):
    # validate prints one error line per bad file, and any argument of the noise (after "--")
    # can be taken for a file: at most one line per argument.
    result = invoke(["validate", target, *extra])
    assert_clean(result, files=1 + len(extra))


@FUZZ
@given(
    extra=flags(["--workers", "--every", "--shard", "--executor", "--out", "--resume", "--force"])
)
@example(extra=["--workers", "abc"])
@example(extra=["--executor", "slurm"])
def test_batch_arguments_fail_before_running(tmp_path_factory, extra):
    # An experiment that does not exist: whatever the options, nothing runs (and --force has no
    # folder to delete; --out points inside a fresh folder). --address is fuzzed with the Dask
    # checks elsewhere.
    missing = tmp_path_factory.mktemp("exp") / "missing.toml"
    args = ["batch", str(missing), *extra]
    result = invoke(args)
    assert_clean(result)
    assert result.exit_code == 2, result.output
