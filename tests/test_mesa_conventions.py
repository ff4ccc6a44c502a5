"""The model under Mesa's conventions: keyword construction, DataCollector, batch_run, SolaraViz.

:class:`sim.model.mesa_model.LeadershipModel` must be the same model as :func:`sim.run` on the
same inputs and seed, and must work with ``mesa.batch_run`` and ``SolaraViz`` as they call it.
"""

from __future__ import annotations

import multiprocessing
import runpy
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest
from mesa.experimental.scenarios import Scenario as MesaScenario

import sim
from sim.errors import ConfigError, ParameterError
from sim.experiments.run import collect_result
from sim.model.mesa_model import LeadershipModel
from sim.model.recorder import TICK_METRICS

STEPS, WARMUP = 40, 10
STRUCTURES = ["single_cio", "cio_cto_split"]
SEEDS = [1, 2]
MEASURES = list(TICK_METRICS)
EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "mesa_solaraviz.py"


def run_to_end(model: LeadershipModel) -> LeadershipModel:
    while model.running:
        model.step()
    return model


@pytest.fixture(scope="module")
def batch_rows() -> pd.DataFrame:
    """One small ``mesa.batch_run``: two structures x two seeds, every step collected."""
    # batch_run forces the spawn start method for the whole process; give it back afterwards.
    start_method = multiprocessing.get_start_method(allow_none=True)
    try:
        rows = mesa.batch_run(
            LeadershipModel,
            parameters={"structure": STRUCTURES, "steps": STEPS, "warmup": WARMUP},
            rng=SEEDS,
            max_steps=STEPS + 60,  # more than the run has: the model must stop itself
            data_collection_period=1,
            display_progress=False,
        )
    finally:
        multiprocessing.set_start_method(start_method, force=True)
    return pd.DataFrame(rows)


def test_batch_run_gives_a_row_per_step_of_every_run(batch_rows):
    assert {"structure", "rng", "seed", "tick", *MEASURES} <= set(batch_rows.columns)
    runs = batch_rows.groupby(["structure", "rng"])
    assert sorted(runs.groups) == sorted((s, r) for s in STRUCTURES for r in SEEDS)
    # running turns false after `steps` ticks, though max_steps allows more.
    assert runs.size().eq(STEPS).all()
    assert runs["Step"].max().eq(STEPS).all()
    assert (batch_rows["seed"] == batch_rows["rng"]).all()


@pytest.mark.parametrize("structure", STRUCTURES)
@pytest.mark.parametrize("seed", SEEDS)
def test_batch_run_numbers_are_sim_run_numbers(batch_rows, structure, seed):
    mine = batch_rows[(batch_rows["structure"] == structure) & (batch_rows["rng"] == seed)]
    ticks = sim.run("baseline", structure=structure, seed=seed, steps=STEPS, warmup=WARMUP).ticks
    np.testing.assert_array_equal(mine["tick"], ticks["tick"])
    for name in MEASURES:
        np.testing.assert_array_equal(mine[name].to_numpy(float), ticks[name], err_msg=name)


def test_same_model_as_sim_run_with_parameters_and_structure_numbers():
    inputs = {"request_rate": 1.2, "structure.roles.CTO.attention_hours": 6.0}
    model = LeadershipModel(
        structure="cio_cto_split",
        rng=7,
        steps=STEPS,
        warmup=WARMUP,
        request_rate=inputs["request_rate"],
        overrides={k: v for k, v in inputs.items() if k.startswith("structure.")},
    )
    result = collect_result(run_to_end(model))
    expected = sim.run(
        "baseline", structure="cio_cto_split", seed=7, steps=STEPS, warmup=WARMUP, **inputs
    )
    assert model.structure.role("CTO").attention_hours == 6.0
    pd.testing.assert_frame_equal(result.ticks, expected.ticks)
    pd.testing.assert_frame_equal(result.summary, expected.summary)


def test_datacollector_has_one_row_per_step_read_from_the_recorder():
    model = LeadershipModel(structure="cio_cto_split", rng=3, steps=STEPS, warmup=WARMUP)
    for _ in range(12):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 12
    assert frame["tick"].tolist() == list(range(12))
    assert frame["seed"].eq(3).all()
    recorded = model.recorder.tick_columns(12)
    for name in MEASURES:
        np.testing.assert_array_equal(frame[name].to_numpy(float), recorded[name], err_msg=name)


def test_the_model_stops_after_its_steps():
    model = LeadershipModel(rng=0, steps=15, warmup=5)
    steps_taken = 0
    while model.running:
        model.step()
        steps_taken += 1
    assert steps_taken == 15 == model.tick


def test_no_seed_draws_a_fresh_one_that_reruns_the_same_model():
    first, second = (LeadershipModel(steps=20, warmup=5) for _ in range(2))
    assert isinstance(first.seed, int) and first.seed != second.seed
    again = LeadershipModel(rng=first.seed, steps=20, warmup=5)
    run_to_end(first)
    run_to_end(again)
    pd.testing.assert_frame_equal(
        first.datacollector.get_model_vars_dataframe(),
        again.datacollector.get_model_vars_dataframe(),
    )


def test_a_mesa_scenario_carries_seed_and_parameters():
    scenario = MesaScenario(rng=4, request_rate=1.1, steps=20, warmup=5)
    via_scenario = run_to_end(LeadershipModel(scenario=scenario))
    direct = run_to_end(LeadershipModel(rng=4, request_rate=1.1, steps=20, warmup=5))
    assert via_scenario.p == direct.p and via_scenario.seed == 4
    pd.testing.assert_frame_equal(
        via_scenario.datacollector.get_model_vars_dataframe(),
        direct.datacollector.get_model_vars_dataframe(),
    )


def test_repr_rebuilds_the_model():
    model = LeadershipModel(
        structure="cio_cto_split",
        rng=2,
        steps=20,
        warmup=5,
        overrides={"structure.roles.CTO.cost": 2.0},
    )
    rebuilt = eval(repr(model), {"LeadershipModel": LeadershipModel})
    assert rebuilt.p == model.p and rebuilt.structure == model.structure
    assert rebuilt.seed == model.seed


@pytest.mark.parametrize(
    ("kwargs", "error", "names"),
    [
        ({"request_rate": -1.0}, ConfigError, "request_rate = -1.0 is out of range"),
        ({"requst_rate": 1.0}, ConfigError, "unknown key requst_rate"),
        ({"warmup": 50, "steps": 40}, ConfigError, "warmup = 50 is not below steps = 40"),
        ({"structure": "no_such_structure"}, ConfigError, "no_such_structure"),
        ({"overrides": {"structure.roles.CTO.cost": 1.0}}, ConfigError, "not a number of"),
        ({"rng": -1}, ParameterError, "rng: -1 is not a seed"),
        ({"rng": 1.5}, ParameterError, "rng: 1.5 is not a seed"),
        ({"seed": 3}, ParameterError, "allowed rng="),
        ({"scenario": "incident_storm"}, ParameterError, "scenario_name="),
    ],
)
def test_bad_keywords_are_config_errors_naming_them(kwargs, error, names):
    with pytest.raises(error, match=names):
        LeadershipModel(**kwargs)


# Needs the dashboard extra (Solara, altair): it runs with the browser tests, which install it.
@pytest.mark.browser
def test_solaraviz_steps_and_resets_the_documented_app():
    solara = pytest.importorskip("solara")
    visualization = pytest.importorskip("mesa.visualization")  # needs altair (mesa[viz])
    vuetify = pytest.importorskip("ipyvuetify")
    app = runpy.run_path(str(EXAMPLE))
    assert app["page"].component.name == "SolaraViz"  # what `solara run` serves
    model = solara.reactive(app["model"])

    @solara.component
    def app_page():
        # The sidebar (controls, inputs) only renders inside an app layout, as `solara run` adds.
        with solara.AppLayout():
            visualization.SolaraViz(
                model, components=app["components"], model_params=app["model_params"]
            )

    _, rendered = solara.render(app_page(), handle_error=False)
    rendered.find(vuetify.Btn, children=["Step"]).widget.click()
    assert model.value.tick == 1
    assert len(model.value.datacollector.get_model_vars_dataframe()) == 1

    # Reset rebuilds the model from the inputs, passing Mesa's own `scenario` keyword as well.
    rendered.find(vuetify.Select, label="structure").widget.v_model = "single_cio"
    rendered.find(vuetify.Btn, children=["Reset"]).widget.click()
    assert isinstance(model.value, LeadershipModel)
    assert model.value.initial_structure.name == "single_cio"
    assert model.value.tick == 0
