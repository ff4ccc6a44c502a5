"""Sensitivity indices that separate parameters from seed noise (issue 13).

A Morris or Sobol design uses common random numbers where SALib takes differences (within a
trajectory or a Saltelli block) and carries a dummy factor the model never reads, whose steps
re-draw the random numbers: its index is the noise floor. The single CIO has no CIO-CTO channel,
so it never reads ``coordination_multiplier``: that parameter's index must sit in the floor,
while ``request_rate`` (the load) must clear it.
"""

from __future__ import annotations

from io import StringIO

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sim.analysis.stats import morris_indices, point_means
from sim.cli import main
from sim.experiments.batch import derive_seed, experiment_of, load_batch, plan_runs, run_batch
from sim.experiments.design import DUMMY
from sim.experiments.spec import load_experiment

from .test_analysis import _design, _morris_mu_star

BOUNDS = {"request_rate": (0.5, 1.3), "coordination_multiplier": (0.5, 3.0)}
TRAJECTORIES = 10
REPLICATIONS = 2
RANGES = "".join(
    f"[uncertainties.{n}]\nlow = {lo}\nhigh = {hi}\n" for n, (lo, hi) in BOUNDS.items()
)
HEAD = (
    'scenarios = ["baseline"]\nstructures = ["single_cio"]\n'
    f"replications = {REPLICATIONS}\nmaster_seed = 13\nsteps = 300\n"
    'outcomes = ["value_delivered"]\n[constants]\nwarmup = 60\n'
)
MORRIS = HEAD + RANGES + f'[design]\nkind = "morris"\nn = {TRAJECTORIES}\nmorris_levels = 4\n'


def _write(tmp_path, text: str, name: str = "e.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def morris_batch(tmp_path_factory):
    """The small Morris batch: 10 trajectories of 4 points, 2 replications, 300 ticks (80 runs)."""
    tmp = tmp_path_factory.mktemp("noise")
    run_batch(_write(tmp, MORRIS), out=tmp / "b", workers=1)
    return tmp / "b"


def _indices(folder) -> pd.DataFrame:
    result = CliRunner().invoke(main, ["sensitivity", str(folder), "--format", "csv"])
    assert result.exit_code == 0, result.output
    return pd.read_csv(StringIO(result.stdout)).set_index("parameter")


def test_seeds_are_common_within_a_trajectory_and_new_at_a_dummy_step(morris_batch):
    runs = load_batch(morris_batch).runs.sort_values(["point", "replication"])
    points = experiment_of(morris_batch).points(dummy=True)
    block = len(BOUNDS) + 2  # a trajectory: one point more than the parameters and the dummy
    assert len(points) == TRAJECTORIES * block
    seed = runs.set_index(["point", "replication"])["seed"]
    for p in range(len(points)):
        for q in range(len(points)):
            same = p // block == q // block and points[p][DUMMY] == points[q][DUMMY]
            for r in range(REPLICATIONS):
                assert (seed[p, r] == seed[q, r]) == same, (p, q, r)
    assert seed[0, 0] != seed[0, 1]  # replications have their own random numbers


def test_an_unread_parameter_sits_in_the_noise_floor_and_the_load_clears_it(morris_batch):
    shown = _indices(morris_batch)
    assert list(shown.index) == [*BOUNDS, DUMMY]
    # mu* by hand from the runs, replications averaged per point (SALib is not consulted).
    x, y = _design(morris_batch, BOUNDS)
    assert shown["mu_star"].to_numpy() == pytest.approx(_morris_mu_star(x, y), rel=1e-9)
    runs = load_batch(morris_batch).runs
    wide = runs.pivot(index="point", columns="replication", values="value_delivered")
    step = np.diff(x, axis=0)
    moved = [
        i
        for i in range(len(x) - 1)
        if i % (len(BOUNDS) + 2) != len(BOUNDS) + 1  # not across two trajectories
        and np.flatnonzero(np.abs(step[i]) > 1e-12).tolist() == [1]  # coordination only
    ]
    assert len(moved) == TRAJECTORIES
    # Same seeds and a parameter the single CIO never reads: every replication is unchanged.
    for i in moved:
        assert wide.loc[i].tolist() == wide.loc[i + 1].tolist()
    coordination, dummy, load = (
        shown.loc[n] for n in ("coordination_multiplier", DUMMY, "request_rate")
    )
    assert coordination["mu_star"] == 0.0 and coordination["mu_star_conf"] == 0.0
    # The floor exists (the dummy's steps re-draw the random numbers) and holds coordination.
    floor_low = dummy["mu_star"] - dummy["mu_star_conf"]
    floor_high = dummy["mu_star"] + dummy["mu_star_conf"]
    assert dummy["mu_star"] > 0 and dummy["mu_star_conf"] > 0
    assert coordination["mu_star"] + coordination["mu_star_conf"] <= floor_high
    assert not coordination["above_dummy"]
    # The load clears the floor: its interval lies above the dummy's, its mu* over twice it.
    assert load["mu_star"] - load["mu_star_conf"] > floor_high > floor_low
    assert load["mu_star"] > 2 * dummy["mu_star"]
    assert load["above_dummy"] and not dummy["above_dummy"]


def test_morris_intervals_are_seeded(morris_batch):
    experiment = experiment_of(morris_batch)
    runs = load_batch(morris_batch).runs
    points = pd.DataFrame(experiment.points(dummy=True))
    y = point_means(runs, "value_delivered", "single_cio")
    problem = experiment.salib_problem()
    first = morris_indices(problem, points, y, 4)
    pd.testing.assert_frame_equal(first, morris_indices(problem, points, y, 4), check_exact=True)
    assert (first.loc[first["parameter"] != "coordination_multiplier", "mu_star_conf"] > 0).all()


def test_sobol_seeds_follow_the_saltelli_blocks(tmp_path):
    experiment = load_experiment(
        _write(tmp_path, HEAD + RANGES + '[design]\nkind = "sobol"\nn = 4\n')
    )
    k = len(BOUNDS) + 1  # and the dummy
    seeds = {(r.point, r.replication): r.seed for r in plan_runs(experiment)}
    for i in range(4):
        a, b = i * (k + 2), i * (k + 2) + k + 1  # rows A_i and B_i; AB_i^j between them
        for r in range(REPLICATIONS):
            ab = [seeds[a + 1 + j, r] for j in range(k)]
            # A real parameter taken from B keeps A's random numbers; the dummy brings B's.
            assert ab[:-1] == [seeds[a, r]] * (k - 1)
            assert ab[-1] == seeds[b, r] != seeds[a, r]
            if i:
                assert seeds[a, r] != seeds[a - (k + 2), r]  # blocks are independent


@pytest.mark.parametrize(
    "design",
    [
        '[design]\nkind = "latin_hypercube"\nn = 3\n',
        RANGES.replace("high = 1.3\n", "high = 1.3\nlevels = 2\n").replace(
            "high = 3.0\n", "high = 3.0\nlevels = 2\n"
        )
        + '[design]\nkind = "full_factorial"\n',
    ],
)
def test_other_designs_keep_a_seed_per_point(tmp_path, design):
    text = HEAD + (RANGES + design if "latin" in design else design)
    runs = plan_runs(load_experiment(_write(tmp_path, text)))
    assert [r.seed for r in runs] == [derive_seed(13, r.point, r.replication) for r in runs]
    assert len({r.point for r in runs}) > 1
