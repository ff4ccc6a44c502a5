"""One way to run paired replications: the batch, the command line and the dashboard agree.

The same scenario, structures, replications, master seed and overrides give the same runs, with
the same seeds and the same numbers, whichever face runs them, and the same paired comparison.
"""

import threading

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sim import load_batch, run_batch
from sim.analysis.stats import paired_comparison
from sim.cli import flag_of, main
from sim.cli.base import ErrorHandlingGroup
from sim.dashboard.export import scenario_toml
from sim.dashboard.form import Setup
from sim.dashboard.session import run_setup
from sim.errors import ParameterError
from sim.experiments.batch import derive_seed
from sim.experiments.replicate import paired_replications
from sim.model.outcomes import HEADLINE, SUMMARY_OUTCOMES

STRUCTURES = ("single_cio", "cio_cto_split")
MASTER_SEED = 7
OVERRIDES = {"steps": 120, "warmup": 20}
COLUMNS = ["replication", "structure", "seed", *SUMMARY_OUTCOMES]

EXPERIMENT = f"""
description = "two structures, two replications, a short baseline"
scenarios = ["baseline"]
structures = {list(STRUCTURES)!r}
replications = 2
master_seed = {MASTER_SEED}
constants = {{ steps = {OVERRIDES["steps"]}, warmup = {OVERRIDES["warmup"]} }}
""".replace("'", '"')


@pytest.fixture(scope="module")
def direct():
    return paired_replications(
        "baseline", STRUCTURES, replications=2, master_seed=MASTER_SEED, overrides=OVERRIDES
    )


def _outcomes(frame: pd.DataFrame) -> pd.DataFrame:
    ordered = frame.sort_values(["replication", "structure"], kind="stable")
    return ordered[COLUMNS].reset_index(drop=True)


def test_replications_use_the_batch_seeds_in_a_fixed_order(direct):
    assert list(direct["structure"]) == [*STRUCTURES, *STRUCTURES]
    assert list(direct["seed"]) == [derive_seed(MASTER_SEED, 0, r) for r in (0, 0, 1, 1)]
    assert (direct["status"] == "ok").all()


def test_a_batch_of_the_same_experiment_gives_the_same_runs(direct, tmp_path):
    path = tmp_path / "pair.toml"
    path.write_text(EXPERIMENT)
    run_batch(path, out=tmp_path / "out", workers=1)
    runs = load_batch(tmp_path / "out").runs
    pd.testing.assert_frame_equal(_outcomes(runs), _outcomes(direct), check_exact=True)
    assert list(runs["run_id"]) == list(direct["run_id"])


def test_compare_structures_gives_the_same_runs_and_comparison(direct, tmp_path):
    out = tmp_path / "cmp"
    args = ["compare-structures", "--seeds", "2", "--master-seed", str(MASTER_SEED)]
    args += ["--workers", "1", "--out", str(out)]
    args += [f"--set={k}={v}" for k, v in OVERRIDES.items()]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    summaries = pd.read_csv(out / "summaries.csv")
    pd.testing.assert_frame_equal(
        _outcomes(summaries), _outcomes(direct), check_exact=False, rtol=1e-15, atol=0
    )
    paired = pd.read_csv(out / "paired_cio_cto_split_vs_single_cio.csv").set_index("outcome")
    expected = paired_comparison(direct, "single_cio").set_index("outcome")
    np.testing.assert_allclose(
        paired.loc[list(HEADLINE), "mean_difference"],
        expected.loc[list(HEADLINE), "mean_difference"],
        rtol=1e-12,
    )


def test_two_processes_give_the_same_rows(direct):
    parallel = paired_replications(
        "baseline",
        STRUCTURES,
        replications=2,
        master_seed=MASTER_SEED,
        overrides=OVERRIDES,
        workers=2,
    )
    pd.testing.assert_frame_equal(parallel, direct, check_exact=True)


def test_an_observer_sees_every_replication_tick_by_tick_and_can_stop_it(direct):
    seen = []
    watched = paired_replications(
        "baseline",
        STRUCTURES,
        replications=2,
        master_seed=MASTER_SEED,
        overrides=OVERRIDES,
        observe=lambda p: seen.append((p.replication, p.tick)),
        observe_every=50,
    )
    assert seen == [(0, 50), (0, 100), (0, 120), (1, 50), (1, 100), (1, 120)]
    pd.testing.assert_frame_equal(watched, direct, check_exact=True)
    stop = threading.Event()

    def stop_after_first(progress):
        if progress.tick == progress.steps:
            stop.set()
        return stop.is_set()

    first = paired_replications(
        "baseline",
        STRUCTURES,
        replications=2,
        master_seed=MASTER_SEED,
        overrides=OVERRIDES,
        observe=stop_after_first,
        observe_every=60,
    )
    pd.testing.assert_frame_equal(first, direct.iloc[:2], check_exact=True)


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"structures": ["single_cio"]}, "structures"),
        ({"structures": ["single_cio", "single_cio"]}, "structures"),
        ({"replications": 0}, "replications"),
        ({"workers": 0}, "workers"),
        ({"workers": 2, "observe": print}, "workers"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, parameter):
    arguments = {"structures": STRUCTURES, "replications": 1} | kwargs
    with pytest.raises(ParameterError) as error:
        paired_replications("baseline", **arguments)
    assert error.value.parameter == parameter
    assert str(error.value).startswith(f"{parameter}: ")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--structures", "single_cio,single_cio"], "--structures: ['single_cio', 'single_cio']"),
        (["--structures", "single_cio"], "--structures: ['single_cio'] names fewer than two"),
    ],
)
def test_the_command_line_names_the_flag_not_the_parameter(arguments, message):
    result = CliRunner().invoke(main, ["compare-structures", "--seeds", "1", *arguments])
    assert result.exit_code == 2
    assert result.output.startswith(f"itlead: error: {message}")
    assert "Traceback" not in result.output


def test_a_parameter_with_another_flag_is_named_by_that_flag():
    # paired_replications(replications=...) is set by --seeds on the command line.
    assert flag_of("replications") == "--seeds"
    assert flag_of("master_seed") == "--master-seed"
    group = ErrorHandlingGroup()

    @group.command("boom")
    def boom():
        raise ParameterError("replications", "0 is out of range; allowed 1 or more")

    result = CliRunner().invoke(group, ["boom"])
    assert result.exit_code == 2
    assert result.output == "itlead: error: --seeds: 0 is out of range; allowed 1 or more\n"


def test_the_dashboard_runs_the_same_replications(tmp_path):
    # The dashboard runs its set-up as the scenario file Export writes, with its seed as the
    # master seed: `compare-structures --scenario FILE --master-seed SEED` gives the same runs.
    setup = Setup("baseline", STRUCTURES, dict(OVERRIDES), None, seed=MASTER_SEED, seeds=2)
    final = run_setup(setup, lambda view: None)
    exported = tmp_path / "baseline_dashboard.toml"
    exported.write_text(scenario_toml(setup), encoding="utf-8")
    direct = paired_replications(exported, STRUCTURES, replications=2, master_seed=MASTER_SEED)
    # run ids hash the scenario as named, here two paths to the same file content
    same = final.summaries.columns.drop("run_id")
    pd.testing.assert_frame_equal(final.summaries[same], direct[same], check_exact=True)
    assert list(final.summaries["seed"]) == [derive_seed(MASTER_SEED, 0, r) for r in (0, 0, 1, 1)]
