"""Statistics on constructed data with known answers, and the analysis commands end to end."""

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

from sim.analysis.stats import paired_comparison, resilience
from sim.analysis.tables import render
from sim.cli import main
from sim.experiments.design import DUMMY
from tests.conftest import write_early


def _runs(shift: float, n: int = 30, seed: int = 1) -> pd.DataFrame:
    """Two structures on n paired replications; the second is better by ``shift`` on average."""
    rng = np.random.default_rng(seed)
    base = rng.normal(50.0, 10.0, n)  # large between-replication spread, as in real batches
    noise = rng.normal(0.0, 1.0, n)
    rows = []
    for r in range(n):
        for structure, value in (("a", base[r]), ("b", base[r] + shift + noise[r])):
            rows.append(
                {
                    "scenario": "s",
                    "point": 0,
                    "replication": r,
                    "structure": structure,
                    "status": "ok",
                    "value_delivered": value,
                }
            )
    return pd.DataFrame(rows)


def test_a_known_shift_is_found():
    row = paired_comparison(_runs(2.0), "a", ["value_delivered"]).iloc[0]
    assert row["n_pairs"] == 30
    assert row["ci_low"] > 0 and row["ci_low"] < 2.0 < row["ci_high"]
    assert row["p_wilcoxon"] < 0.001
    assert row["effect_size_dz"] > 1.0
    assert row["favours"] == "b"  # value: higher is better
    assert row["verdict"] == "b does better"


def test_no_shift_gives_an_interval_that_covers_zero():
    covered = 0
    for seed in range(20):
        row = paired_comparison(_runs(0.0, seed=seed), "a", ["value_delivered"]).iloc[0]
        covered += row["ci_low"] <= 0.0 <= row["ci_high"]
    assert covered >= 17  # a 95% interval; 20 independent tries


def test_pairing_removes_between_replication_noise():
    """Unpaired, a shift of 2 is lost in a spread of 10; paired, it is found."""
    runs = _runs(2.0)
    a = runs[runs.structure == "a"]["value_delivered"].to_numpy()
    b = runs[runs.structure == "b"]["value_delivered"].to_numpy()
    unpaired = b - np.random.default_rng(0).permutation(a)
    half = stats.t.ppf(0.975, len(unpaired) - 1) * unpaired.std(ddof=1) / np.sqrt(len(unpaired))
    assert unpaired.mean() - half < 0
    assert paired_comparison(runs, "a", ["value_delivered"]).iloc[0]["ci_low"] > 0


def test_resilience_on_a_constructed_dip():
    ticks, runs = [], []
    for scenario, dip in (("baseline", 0.0), ("storm", 0.3)):
        run_id = f"{scenario}-0"
        runs.append(
            {"run_id": run_id, "scenario": scenario, "structure": "a", "point": 0, "replication": 0}
        )
        for t in range(200):
            loss = dip if 100 <= t < 120 else 0.0
            ticks.append({"run_id": run_id, "tick": t, "business_trust_mean": 0.7 - loss})
    table = resilience(
        pd.DataFrame(ticks), pd.DataFrame(runs), "business_trust_mean", shock_start=100, smooth=1
    )
    row = table.iloc[0]
    assert row["depth"] == pytest.approx(0.3)
    assert row["area"] == pytest.approx(0.3 * 20)
    assert row["recovery_ticks"] == 20


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "latex"])
def test_tables_render_in_every_format(fmt):
    text = render(pd.DataFrame({"outcome": ["x_y"], "mean": [1.23456]}), fmt, caption="c")
    assert "1.23" in text
    if fmt == "latex":
        assert r"\toprule" in text and r"x\_y" in text and r"\caption{c}" in text
    if fmt == "markdown":
        assert text.startswith("| outcome | mean |")


@pytest.fixture(scope="module")
def small_batch(tmp_path_factory):
    from sim.experiments.batch import run_batch

    root = tmp_path_factory.mktemp("analysis")
    exp = root / "exp.toml"
    write_early("incident_storm", root)  # the storm early enough for 330 ticks
    exp.write_text(
        'scenarios = ["baseline", "incident_storm.toml"]\n'
        'structures = ["single_cio", "cio_cto_split"]\n'
        "replications = 4\nmaster_seed = 3\nsteps = 330\n[constants]\nwarmup = 20\n"
    )
    run_batch(exp, out=root / "batch", workers=1)
    return root / "batch"


def test_compare_command_matches_the_api(small_batch):
    from sim.experiments.batch import load_batch

    result = CliRunner().invoke(main, ["compare", str(small_batch), "--format", "csv"])
    assert result.exit_code == 0, result.output
    from io import StringIO

    shown = pd.read_csv(StringIO(result.output))
    expected = paired_comparison(load_batch(small_batch).runs, "single_cio")
    assert np.allclose(shown["mean_difference"], expected["mean_difference"])
    assert set(shown["scenario"]) == {"baseline", "incident_storm"}


def test_resilience_command(small_batch):
    from io import StringIO

    from sim.experiments.batch import load_batch

    result = CliRunner().invoke(main, ["resilience", str(small_batch), "--format", "csv"])
    assert result.exit_code == 0, result.output
    shown = pd.read_csv(StringIO(result.stdout)).set_index(["scenario", "structure"])
    # The depth recomputed from the two trajectories: the no-shock run minus the stormed run on
    # the same seed, from the shock on, as a trailing 10-tick mean (the command's default).
    batch = load_batch(small_batch)
    runs, ticks = batch.runs, batch.ticks.set_index(["run_id", "tick"])["business_trust_mean"]
    storm = runs[runs["scenario"] == "incident_storm"]
    start = int(batch.events[batch.events["run_id"].isin(storm["run_id"])]["start"].min())
    depths: dict[str, list[float]] = {}
    for _, run in storm.iterrows():
        twin = runs[
            (runs["scenario"] == "baseline")
            & (runs["structure"] == run["structure"])
            & (runs["replication"] == run["replication"])
        ]
        assert len(twin) == 1
        base = ticks.loc[twin["run_id"].iloc[0]].to_numpy()
        loss = (base - ticks.loc[run["run_id"]].to_numpy())[start:]
        trailing = [loss[max(0, i - 9) : i + 1].mean() for i in range(len(loss))]
        depths.setdefault(run["structure"], []).append(max(trailing))
    assert set(shown.index) == {("incident_storm", s) for s in depths}
    for structure, values in depths.items():
        row = shown.loc[("incident_storm", structure)]
        assert row["runs"] == len(values) == 4  # one per replication, recovered or not
        assert 0 <= row["recovered"] <= row["runs"]
        assert row["depth_mean"] == pytest.approx(np.mean(values), rel=1e-9)
        assert row["depth_mean"] > 0  # the storm costs trust


def test_analysis_commands_refuse_bad_input(small_batch, tmp_path):
    runner = CliRunner()
    for args in (
        ["compare", str(small_batch), "--reference", "nobody"],
        ["compare", str(small_batch), "--outcome", "happiness"],
        ["compare", str(tmp_path)],
        ["resilience", str(small_batch), "--measure", "mood"],
        ["sensitivity", str(small_batch)],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output


SENSITIVITY_BOUNDS = {"request_rate": (0.5, 1.1), "incident_rate": (0.05, 0.3)}


def _design(folder, bounds=SENSITIVITY_BOUNDS) -> tuple[np.ndarray, np.ndarray]:
    """The stored design scaled to [0, 1] per parameter, then the dummy, and value_delivered.

    The parameters come from the runs' ``param.`` columns; the dummy (never a run's override,
    already on [0, 1]) from the design. value_delivered is averaged over replications per point.
    """
    from sim.experiments.batch import experiment_of, load_batch

    runs = load_batch(folder).runs
    first = runs[runs["replication"] == 0].sort_values("point")
    dummy = [p[DUMMY] for p in experiment_of(folder).points(dummy=True)]
    x = np.column_stack(
        [(first[f"param.{n}"] - lo) / (hi - lo) for n, (lo, hi) in bounds.items()] + [dummy]
    )
    y = runs.groupby("point")["value_delivered"].mean().sort_index()
    return x, y.to_numpy(dtype=float)


def _morris_mu_star(x: np.ndarray, y: np.ndarray) -> list[float]:
    """mu* by hand: each trajectory moves one parameter per step; mean |elementary effect|."""
    k = x.shape[1]
    effects: list[list[float]] = [[] for _ in range(k)]
    for start in range(0, len(y), k + 1):
        for i in range(start, start + k):
            step = x[i + 1] - x[i]
            (j,) = np.flatnonzero(np.abs(step) > 1e-12)
            effects[j].append((y[i + 1] - y[i]) / step[j])
    return [float(np.mean(np.abs(e))) for e in effects]


def _sobol_total(y: np.ndarray, k: int) -> list[float]:
    """Jansen's total index: rows come as A, AB_1..AB_k, B per base sample (Saltelli)."""
    rows = y.reshape(-1, k + 2)
    a, b = rows[:, 0], rows[:, -1]
    variance = np.var(np.r_[a, b])
    return [float(0.5 * np.mean((a - rows[:, 1 + j]) ** 2) / variance) for j in range(k)]


@pytest.mark.parametrize(("kind", "n"), [("morris", 4), ("sobol", 8)])
def test_sensitivity_indices_from_a_batch(tmp_path, kind, n):
    from sim.experiments.batch import run_batch

    extra = "morris_levels = 4\n" if kind == "morris" else ""
    uncertainties = "".join(
        f"[uncertainties.{name}]\nlow = {lo}\nhigh = {hi}\n"
        for name, (lo, hi) in SENSITIVITY_BOUNDS.items()
    )
    exp = tmp_path / "sens.toml"
    exp.write_text(
        'scenarios = ["baseline"]\nstructures = ["single_cio"]\nreplications = 1\n'
        "master_seed = 5\nsteps = 100\n[constants]\nwarmup = 10\n"
        f'{uncertainties}[design]\nkind = "{kind}"\nn = {n}\n{extra}'
    )
    run_batch(exp, out=tmp_path / "b", workers=1)
    result = CliRunner().invoke(main, ["sensitivity", str(tmp_path / "b"), "--format", "csv"])
    assert result.exit_code == 0, result.output
    from io import StringIO

    shown = pd.read_csv(StringIO(result.stdout)).set_index("parameter")  # warnings: stderr
    assert list(shown.index) == [*SENSITIVITY_BOUNDS, DUMMY]
    x, y = _design(tmp_path / "b")
    k = len(SENSITIVITY_BOUNDS) + 1  # and the dummy
    index = "mu_star" if kind == "morris" else "ST"
    if kind == "morris":
        assert len(y) == n * (k + 1)  # n trajectories of k + 1 points
        expected = _morris_mu_star(x, y)
        assert shown["mu_star"].to_numpy() == pytest.approx(expected, rel=1e-9)
        assert (shown["mu_star"] > 0).all()  # both rates move value delivered; seeds differ
    else:
        assert len(y) == n * (k + 2)  # Saltelli without second order
        expected = _sobol_total(y, k)
        assert shown["ST"].to_numpy() == pytest.approx(expected, rel=1e-9)
        assert "below 256" in result.stderr
    # Every row, the dummy's too, has an interval; a flag says which lie above the dummy's.
    assert (shown[f"{index}_conf"] > 0).all()
    floor = shown.loc[DUMMY, index] + shown.loc[DUMMY, f"{index}_conf"]
    above = (shown[index] - shown[f"{index}_conf"] > floor) & (shown.index != DUMMY)
    assert shown["above_dummy"].tolist() == above.tolist()


def test_sobol_intervals_are_the_same_on_every_call():
    # SALib ignores a falsy bootstrap seed; the intervals must not change between calls.
    from SALib.sample import sobol as sobol_sample

    from sim.analysis.stats import sobol_indices

    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0.0, 1.0], [0.0, 1.0]]}
    x = sobol_sample.sample(problem, 16, calc_second_order=False, seed=3)
    y = pd.Series(x[:, 0] + 0.3 * x[:, 1] ** 2)
    first, _ = sobol_indices(problem, y, n=16)
    second, _ = sobol_indices(problem, y, n=16)
    pd.testing.assert_frame_equal(first, second, check_exact=True)
