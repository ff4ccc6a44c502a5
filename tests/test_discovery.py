"""Scenario discovery: PRIM and CART find where a structure does better, by the verdict rule.

The runs table here is built so that the truth is known: the split does better where requests
are heavy (request_rate above 1.0) and worse where they are light (below 0.7); decision hours
play no part. Discovery must find request_rate's limits and leave decision_hours alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.discovery import discover, discovery_points
from sim.errors import ParameterError

REPLICATIONS = 12
OUTCOME = "value_delivered"


def _runs(points: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rate = rng.uniform(0.4, 1.7, points)
    hours = rng.uniform(0.25, 1.0, points)
    rows = []
    for p in range(points):
        edge = 3.0 * (rate[p] > 1.0) - 3.0 * (rate[p] < 0.7)
        for r in range(REPLICATIONS):
            base = 10.0 + rng.normal(0, 1)  # the common random numbers both structures share
            for structure, shift in (("single_cio", 0.0), ("cio_cto_split", edge)):
                rows.append(
                    {
                        "run_id": f"{p}-{r}-{structure}",
                        "point": p,
                        "replication": r,
                        "scenario": "baseline",
                        "structure": structure,
                        "seed": 1000 * p + r,
                        "param.request_rate": rate[p],
                        "param.decision_hours": hours[p],
                        "status": "ok",
                        OUTCOME: base + shift + rng.normal(0, 0.3),
                    }
                )
    return pd.DataFrame(rows)


def test_points_mark_where_the_verdict_rule_favours_the_structure():
    runs = _runs()
    points = discovery_points(runs, OUTCOME, "cio_cto_split")
    assert len(points) == 60 and set(points.columns) >= {"request_rate", "decision_hours"}
    assert (points["n_pairs"] == REPLICATIONS).all()
    heavy = points["request_rate"] > 1.05
    light = points["request_rate"] < 0.65
    assert points.loc[heavy, "of_interest"].all()
    assert not points.loc[~heavy & ~(points["request_rate"] > 1.0), "of_interest"].any()
    assert (points.loc[light, "favours"] == "single_cio").all()  # the other region


@pytest.mark.parametrize(
    ("favours", "inside", "outside"),
    [("cio_cto_split", (1.0, 1.7), (0.4, 1.0)), ("single_cio", (0.4, 0.7), (0.7, 1.7))],
)
def test_prim_finds_each_structures_region_with_coverage_density_and_stability(
    favours, inside, outside
):
    pytest.importorskip("ema_workbench")
    pytest.importorskip("sklearn")
    found = discover(_runs(), OUTCOME, favours, threshold=0.9)
    assert found.cases > 5 and found.chosen is not None
    box = found.trajectory.loc[found.chosen]
    assert box["density"] >= 0.9 and box["coverage"] >= 0.8
    limits = found.limits.set_index("input")
    assert list(limits.index) == ["request_rate"]  # decision hours play no part
    low, high = limits.at["request_rate", "low"], limits.at["request_rate", "high"]
    assert inside[0] - 0.1 <= low and high <= inside[1] + 0.1
    assert not (low < outside[0] + 0.05 and high > outside[1] - 0.05)
    stability = found.stability.set_index("input")["reproduce_density"]
    assert stability["request_rate"] >= 80 and stability["decision_hours"] <= 50
    assert "request_rate" in found.tree and "decision_hours" not in found.tree.split("class")[0]


def test_no_point_of_interest_gives_no_box():
    runs = _runs()
    runs.loc[runs["structure"] == "cio_cto_split", OUTCOME] = (
        runs.loc[runs["structure"] == "single_cio", OUTCOME].to_numpy() - 5.0
    )  # the split never does better
    found = discover(runs, OUTCOME, "cio_cto_split")
    assert found.cases == 0 and found.chosen is None and found.limits.empty


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"favours": "cio_cto_spilt"}, "favours: 'cio_cto_spilt' is unknown"),
        ({"outcome": "value_deliverd"}, "outcome: 'value_deliverd' is unknown"),
    ],
)
def test_bad_names_are_refused_naming_what_is_allowed(kwargs, words):
    arguments = {"outcome": OUTCOME, "favours": "cio_cto_split"} | kwargs
    with pytest.raises(ParameterError, match=words):
        discovery_points(_runs(points=4), **arguments)


def test_a_batch_without_a_sweep_is_refused():
    runs = _runs(points=3)
    runs["param.request_rate"] = 0.8
    runs["param.decision_hours"] = 0.5
    with pytest.raises(ParameterError, match="sweeps no input"):
        discovery_points(runs, OUTCOME, "cio_cto_split")


def test_itlead_discover_on_a_swept_batch(tmp_path):
    pytest.importorskip("ema_workbench")
    pytest.importorskip("sklearn")
    from click.testing import CliRunner

    from sim.api import run_batch
    from sim.cli import main

    spec = tmp_path / "sweep.toml"
    spec.write_text(
        'description = "a small sweep for discovery"\n'
        'scenarios = ["baseline"]\n'
        'structures = ["single_cio", "cio_cto_split"]\n'
        "replications = 10\n"
        "master_seed = 3\n"
        "[constants]\n"
        "steps = 120\n"
        "warmup = 20\n"
        "[uncertainties.request_rate]\n"
        "low = 0.5\n"
        "high = 1.5\n"
        "levels = 3\n"
        '[design]\nkind = "full_factorial"\n'
    )
    batch = run_batch(str(spec), out=tmp_path / "out", workers=1)
    result = CliRunner().invoke(
        main,
        [
            "discover",
            str(batch.folder),
            "--outcome",
            "exec_utilisation_max",
            "--favours",
            "cio_cto_split",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "cio_cto_split does better than single_cio on exec_utilisation_max at" in result.output
    assert "of 3 design points" in result.output
    bad = CliRunner().invoke(
        main, ["discover", str(batch.folder), "--outcome", "value", "--favours", "cio_cto_split"]
    )
    assert bad.exit_code != 0 and "--outcome: 'value' is unknown" in bad.output
