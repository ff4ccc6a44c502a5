"""The dashboard without a browser: the form, the downloads, the runner and the charts.

None of this needs Solara (the dashboard extra): only sim.dashboard.app imports it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import subprocess
import sys
import threading
import time

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sim.analysis.answer import answers
from sim.analysis.verdict import MIN_PAIRS
from sim.cli import main
from sim.config.loaders import (
    build_params,
    load_scenario,
    load_structure,
    param_infos,
    validate_file,
)
from sim.config.scenario import ShockSpec
from sim.dashboard.charts import chart_html, chart_png
from sim.dashboard.export import (
    file_names,
    rerun_command,
    scenario_toml,
    structure_toml,
)
from sim.dashboard.form import (
    DEFAULT_SEEDS,
    FORM_PARAMS,
    GROUPS,
    PRESETS,
    Setup,
    check_form,
    default_form,
    field_specs,
    preset_of,
    structure_specs,
    with_preset,
    with_structure,
)
from sim.dashboard.session import (
    CHARTS,
    SMOOTH,
    LatestView,
    RunControl,
    RunView,
    chart_frame,
    run_setup,
    write_files,
)
from sim.dashboard.summary import answer_html, summary_html, summary_rows
from sim.experiments.replicate import paired_replications

STRUCTURES = ("single_cio", "cio_cto_split")


def _tiny(seeds: int = 2, shock: ShockSpec | None = None) -> Setup:
    """A small, quick set-up: 120 ticks (20 of warm-up), a small organisation."""
    params = {"steps": 120, "warmup": 20, "n_business_units": 3, "n_delivery_teams": 4}
    return Setup("baseline", STRUCTURES, params, shock, seed=5, seeds=seeds)


def test_check_form_accepts_the_defaults():
    form = default_form()
    setup, errors = check_form(form)
    assert errors == {}
    assert setup is not None
    assert setup.scenario == "baseline"
    assert setup.structures == STRUCTURES
    assert setup.shock is None
    assert (setup.seed, setup.seeds) == (0, DEFAULT_SEEDS)
    assert DEFAULT_SEEDS >= MIN_PAIRS  # the form opens on enough seeds for a verdict
    assert set(setup.params) == set(FORM_PARAMS)
    assert setup.numbers == ({}, {})  # the structure files as shipped


def test_every_field_has_a_readers_label_help_and_range_from_the_parameter_table():
    infos = param_infos()
    specs = field_specs(1300)
    for _, names in GROUPS:
        for name in names:
            spec = specs[name]
            assert spec.label == infos[name].title(name) and "_" not in spec.label, name
            assert spec.doc == infos[name].doc and spec.doc, name
            assert spec.unit in spec.range_text(), name
            # Vuetify cuts a label longer than the set-up column holds (about 38 characters).
            assert len(spec.label) <= 38, spec.label
    for name in ("a", "b"):
        for spec in structure_specs(name, load_structure("cio_cto_split")).values():
            assert len(spec.label) <= 38 and spec.doc and spec.key.startswith("structure."), spec


def test_presets_set_the_organisation_and_are_recognised():
    form = default_form()
    assert preset_of(form).startswith("mid-sized")  # the model's default organisation
    for name, sizes in PRESETS.items():
        chosen = with_preset(form, name)
        assert preset_of(chosen) == name
        setup, errors = check_form(chosen)
        assert errors == {} and {k: setup.params[k] for k in sizes} == sizes
    assert preset_of({**form, "n_business_units": "9"}) == "custom"


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("request_rate", "500", "(request_rate): 500 is out of range; allowed 0 to 100"),
        ("n_delivery_teams", "2.5", "(n_delivery_teams): 2.5 is not a whole number"),
        ("incident_rate", "lots", "(incident_rate): lots is not a number"),
        ("seeds", "0", "Replications: 0 is out of range; allowed 1 to 50"),
        ("b.roles.CTO.attention_hours", "30", "(structure.roles.CTO.attention_hours): 30 is out"),
        ("b.roles.CTO.expertise.technical", "0", "allowed above 0, to 1"),
        ("structure_b", "single_cio", "Structure B: choose a structure other than structure A"),
        ("attention_policy", "whim", "attention_policy"),
    ],
)
def test_check_form_rejects_a_bad_value_naming_the_field(name, value, words):
    setup, errors = check_form({**default_form(), name: value})
    assert setup is None
    assert list(errors) == [name]
    assert words in errors[name]


def test_check_form_checks_the_shock_against_the_run():
    form = {**default_form(), "shock_kind": "staff_loss", "steps": "800"}  # warm-up 550
    _, errors = check_form({**form, "shock_at": "850", "shock_magnitude": "0.3"})
    assert "Shock start: 850 is out of range; allowed 0 to 799 tick" in errors["shock_at"]
    _, errors = check_form({**form, "shock_at": "740", "shock_magnitude": "2"})
    assert "allowed 0 to 1 fraction" in errors["shock_magnitude"]
    setup, errors = check_form({**form, "shock_at": "740", "shock_magnitude": "0.3"})
    assert errors == {}
    assert setup.shock == ShockSpec(kind="staff_loss", at=740, duration=20, magnitude=0.3)


def test_check_form_cross_checks_the_whole_set_up():
    setup, errors = check_form({**default_form(), "steps": "10"})  # shorter than the warm-up
    assert setup is None
    assert "warmup = 550 is not below steps = 10" in errors["warmup"]
    setup, errors = check_form({**default_form(), "steps": "300", "warmup": "60"})
    assert errors == {} and (setup.params["steps"], setup.params["warmup"]) == (300, 60)


def test_the_same_structure_twice_is_allowed_once_one_side_is_changed():
    form = with_structure(default_form(), "b", "single_cio")
    _, errors = check_form(form)
    assert (
        "choose a structure other than structure A, or change its numbers" in errors["structure_b"]
    )
    setup, errors = check_form({**form, "b.roles.CIO.attention_hours": "11"})
    assert errors == {} and setup.labels == ("single_cio", "single_cio_edited")


def test_structure_numbers_change_the_run_and_the_downloaded_structure_file(tmp_path):
    form = with_structure(default_form(), "b", "cio_with_coo")
    assert form["structure_b"] == "cio_with_coo"
    assert "b.roles.COO_IT.attention_hours" in form and "b.roles.CTO.cost" not in form
    setup, errors = check_form({**form, "b.roles.COO_IT.cost": "5.5", "a.roles.CIO.cost": "3"})
    assert errors == {}
    assert setup.numbers == ({}, {"roles.COO_IT.cost": 5.5})  # only what differs from the file
    names = file_names(setup)
    path = tmp_path / names["b"]
    path.write_text(structure_toml(setup, 1), encoding="utf-8")
    assert validate_file(path) == "structure"
    loaded = load_structure(path)
    assert names["b"] == "cio_with_coo_edited.toml"  # another structure: not the shipped one
    assert loaded.name == "cio_with_coo_edited" and loaded.numbers()["roles.COO_IT.cost"] == 5.5
    shipped = load_structure("cio_with_coo")
    assert loaded.decision_rights == shipped.decision_rights
    assert {k: v for k, v in loaded.numbers().items() if k != "roles.COO_IT.cost"} == {
        k: v for k, v in shipped.numbers().items() if k != "roles.COO_IT.cost"
    }
    assert "--structures ./single_cio.toml,./cio_with_coo_edited.toml" in rerun_command(setup)


@pytest.mark.parametrize("scenario", ["baseline", "combined_shocks"])
def test_scenario_toml_loads_back_to_the_same_parameters_and_shocks(tmp_path, scenario):
    extra = ShockSpec(kind="demand_surge", at=60, duration=10, magnitude=1.5)
    params = {
        "request_rate": 1.2,
        "n_delivery_teams": 4,
        "attention_policy": "protected_people_time",
    }
    setup = dataclasses.replace(_tiny(), scenario=scenario, params=params, shock=extra)
    path = tmp_path / "exported.toml"
    path.write_text(scenario_toml(setup), encoding="utf-8")
    loaded, expected = load_scenario(path), setup.scenario_obj()
    assert dict(loaded.params) == dict(expected.params)
    assert loaded.shocks == expected.shocks == (*load_scenario(scenario).shocks, extra)
    assert loaded.interventions == expected.interventions
    assert build_params(loaded) == setup.build()[1]


def test_scenario_toml_without_shocks_clears_the_base_shocks(tmp_path):
    path = tmp_path / "plain.toml"
    path.write_text(scenario_toml(_tiny()), encoding="utf-8")
    assert load_scenario(path).shocks == ()


def test_run_setup_publishes_growing_views_and_ends_done():
    views: list[RunView] = []
    final = run_setup(_tiny(seeds=2), views.append)
    assert views and views[-1] is final
    # Every increment of every seed, then the end of each seed, then the final view.
    assert [v.tick for v in views[:-1]] == [25, 50, 75, 100, 120] * 2
    assert [v.replications_done for v in views[:-1]] == [0, 0, 0, 0, 1, 1, 1, 1, 1, 2]
    assert all(v.status == "running" for v in views[:-1])
    assert final.status == "done"
    assert len(final.summaries) == 4  # two structures on two seeds
    assert sorted(final.summaries["structure"].unique()) == sorted(STRUCTURES)
    assert final.comparison is not None and len(final.comparison) > 0
    rows = summary_rows(final)
    assert rows and all({"a", "b", "difference", "ci_low", "ci_high"} <= set(r) for r in rows)
    assert 'class="v-ci"' in summary_html(final)
    # The answer in the report's words: two seeds are too few for any verdict.
    (found,) = answers(final.comparison)
    assert html.escape(found.headline) in answer_html(final)
    assert "2 paired runs are too few for a verdict" in found.headline
    assert all(row["favours"] == "" for row in rows)
    assert len(final.finished) == 2
    for css, measure in CHARTS:
        assert chart_png(final, measure).startswith(b"\x89PNG"), css
        assert 'data-seeds="2"' in chart_html(final, css, measure)


def test_chart_frame_is_the_mean_and_interval_over_the_seeds_of_each_smoothed_run():
    final = run_setup(_tiny(seeds=3), lambda view: None)
    frame = chart_frame(final, "business_trust_mean").set_index(["structure", "tick"])
    for structure in STRUCTURES:
        runs = [
            pd.Series(run[structure]["business_trust_mean"]).rolling(SMOOTH, min_periods=1).mean()
            for run in final.finished
        ]
        expected = np.mean(runs, axis=0)
        got = frame.loc[structure]
        assert np.allclose(got["mean"].to_numpy(), expected)
        assert (got["n"] == 3).all()
        assert (got["ci_low"] <= got["mean"] + 1e-12).all()
        assert (got["ci_high"] >= got["mean"] - 1e-12).all()
        assert got["ci_low"].min() >= 0.0 and got["ci_high"].max() <= 1.0  # trust's range
    # The summaries' seeds are the charts' seeds: the run rows match per-tick means after warm-up.
    rows = final.summaries.set_index(["replication", "structure"])
    for r, run in enumerate(final.finished):
        for structure in STRUCTURES:
            ticks = run[structure]["business_trust_mean"][20:]
            assert rows.at[(r, structure), "business_trust_mean"] == pytest.approx(ticks.mean())


def test_run_setup_one_seed_gives_paired_differences_and_says_it_is_no_answer():
    final = run_setup(_tiny(seeds=1), lambda view: None)
    assert final.status == "done" and final.comparison is None
    for row in summary_rows(final):
        assert row["difference"] == pytest.approx(row["b"] - row["a"], nan_ok=True)
    text = answer_html(final)
    assert "No answer yet" in text and f"at least {MIN_PAIRS} paired seeds" in text


def test_run_setup_stops_when_told_before_it_starts():
    control = RunControl()
    control.stop()
    views: list[RunView] = []
    final = run_setup(_tiny(seeds=2), views.append, control)
    assert final.status == "stopped" and final.summaries is None
    assert all(v.status != "done" for v in views)


def test_run_setup_stops_midway_keeping_what_it_finished():
    control = RunControl()
    views: list[RunView] = []

    def publish(view: RunView) -> None:
        views.append(view)
        if view.replications_done == 1:
            control.stop()

    final = run_setup(_tiny(seeds=3), publish, control)
    assert final.status == "stopped" and "after 1 of 3 seed(s)" in final.message
    assert sorted(final.summaries["replication"].unique()) == [0]  # the finished seed is kept


def test_pause_holds_the_run_and_step_lets_one_increment_through():
    control = RunControl(paused=True)
    ticks: list[int] = []
    done = threading.Event()

    def run() -> None:
        run_setup(_tiny(seeds=1), lambda view: ticks.append(view.tick), control)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not ticks and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    assert ticks == [25]  # held after its first increment
    control.step()
    while len(ticks) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    assert ticks == [25, 50]  # one more, then held again
    control.resume()
    assert done.wait(30)
    assert ticks[-1] == 120


def test_a_pause_pressed_after_a_view_is_shown_before_the_run_holds():
    control = RunControl()
    views: list[RunView] = []
    done = threading.Event()

    def publish(view: RunView) -> None:
        views.append(view)
        if len(views) == 1:
            control.pause()  # pressed after this view was made, before the run waits

    def run() -> None:
        run_setup(_tiny(seeds=1), publish, control, min_interval=60.0)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    deadline = time.monotonic() + 30
    while len(views) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [(v.status, v.tick) for v in views] == [("running", 25), ("paused", 25)]
    assert views[1].message.startswith("paused: seed 1 of 1, tick 25")
    control.stop()
    assert done.wait(30)
    assert views[-1].status == "stopped"


def test_latest_view_gives_the_newest_and_ends_when_closed():
    latest = LatestView()
    first, second = RunView("running"), RunView("done")
    latest.put(first)
    latest.put(second)  # replaces the one not taken
    assert latest.take() is second
    latest.close()
    assert latest.take() is None


def test_latest_view_holds_the_run_while_the_page_draws():
    latest = LatestView()
    latest.put(RunView("running"))
    assert latest.take() is not None  # the page is drawing it now
    offered = threading.Event()

    def run() -> None:
        latest.put(RunView("done"))
        offered.set()

    threading.Thread(target=run, daemon=True).start()
    assert not offered.wait(0.3)  # the run waits ...
    latest.drawn()
    assert offered.wait(5)  # ... until the page has drawn the last view
    assert latest.take().status == "done"


def test_the_downloaded_files_rerun_to_the_dashboards_numbers(tmp_path):
    form = {**default_form(), "steps": "120", "warmup": "20", "seeds": "2", "b.roles.CTO.cost": "4"}
    setup, errors = check_form(form)
    assert errors == {}
    final = run_setup(setup, lambda view: None)
    scenario, structures = write_files(setup, tmp_path)
    for path in (scenario, *structures):
        assert validate_file(path) in ("scenario", "structure")
    again = paired_replications(
        scenario, [str(s) for s in structures], replications=2, master_seed=setup.seed
    )
    same = final.summaries.columns.drop("run_id")
    pd.testing.assert_frame_equal(final.summaries[same], again[same], check_exact=True)
    shipped = paired_replications(scenario, setup.structures, replications=2, master_seed=0)
    # The changed CTO cost reaches the run: the split's IT cost differs from the shipped file's.
    assert set(final.summaries["structure"]) == {"single_cio", "cio_cto_split_edited"}
    edited = final.summaries["structure"] == "cio_cto_split_edited"
    assert (final.summaries.loc[edited, "it_cost"] != shipped.loc[edited, "it_cost"]).all()
    # The command the page prints reruns them, through the command line, to the same answer.
    folder = tmp_path
    command = rerun_command(setup).split()[1:]  # without "itlead"
    with contextlib.chdir(folder):
        result = CliRunner().invoke(main, [*command, "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "cio_cto_split_edited" in result.output


def test_everything_but_the_page_imports_without_solara():
    code = (
        "import sys; sys.modules['solara'] = None\n"  # any `import solara` now fails
        "import sim.dashboard.form, sim.dashboard.export, sim.dashboard.session\n"
        "import sim.dashboard.summary, sim.dashboard.charts\n"
        "from sim.dashboard import serve\n"
        "try:\n"
        "    serve('127.0.0.1', 1)\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "needs the optional extra" in done.stdout
