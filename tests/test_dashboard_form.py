"""The dashboard without a browser: the form, the exported scenario file and the runner.

None of this needs Solara (the dashboard extra): only sim.dashboard.app imports it.
"""

from __future__ import annotations

import dataclasses
import html
import subprocess
import sys
import threading

import pytest

from sim.analysis.answer import answers
from sim.config.loaders import build_params, load_scenario, validate_file
from sim.config.scenario import ShockSpec
from sim.dashboard.charts import chart_svg
from sim.dashboard.export import export_scenario, scenario_toml
from sim.dashboard.form import FORM_PARAMS, Setup, check_form, default_form
from sim.dashboard.session import CHARTS, RunView, run_setup
from sim.dashboard.summary import answer_html, summary_html, summary_rows

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
    assert (setup.seed, setup.seeds) == (0, 1)
    assert set(setup.params) == set(FORM_PARAMS)


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("request_rate", "500", "request_rate: 500 is out of range; allowed 0 to 100"),
        ("n_delivery_teams", "2.5", "n_delivery_teams: 2.5 is not a whole number"),
        ("incident_rate", "lots", "incident_rate: lots is not a number"),
        ("seeds", "0", "seeds: 0 is out of range; allowed 1 to 50"),
        ("structure_b", "single_cio", "structure B: choose a structure other than structure A"),
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
    assert "shock start: 850 is out of range; allowed 0 to 799 (tick)" in errors["shock_at"]
    _, errors = check_form({**form, "shock_at": "740", "shock_magnitude": "2"})
    assert "allowed 0 to 1 (fraction)" in errors["shock_magnitude"]
    setup, errors = check_form({**form, "shock_at": "740", "shock_magnitude": "0.3"})
    assert errors == {}
    assert setup.shock == ShockSpec(kind="staff_loss", at=740, duration=20, magnitude=0.3)


def test_check_form_cross_checks_the_whole_set_up():
    setup, errors = check_form({**default_form(), "steps": "10"})  # shorter than the warm-up
    assert setup is None
    assert "warmup" in errors["steps"]


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


def test_export_scenario_writes_a_valid_file(tmp_path):
    target = export_scenario(_tiny(), tmp_path / "a" / "b" / "scenario.toml")
    assert target.is_absolute() and target.is_file()
    assert validate_file(target) == "scenario"


def test_run_setup_publishes_growing_views_and_ends_done():
    views: list[RunView] = []
    final = run_setup(_tiny(seeds=2), views.append)
    assert views and views[-1] is final
    ticks = [v.tick for v in views]
    assert ticks == sorted(ticks) and ticks[0] < ticks[-1] == 120
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
    for chart in CHARTS:
        assert 'data-points="0"' not in chart_svg(final, chart), chart[0]


def test_run_setup_one_seed_gives_paired_differences():
    final = run_setup(_tiny(seeds=1), lambda view: None)
    assert final.status == "done" and final.comparison is None
    for row in summary_rows(final):
        assert row["difference"] == pytest.approx(row["b"] - row["a"], nan_ok=True)


def test_run_setup_stops_when_cancelled():
    cancel = threading.Event()
    cancel.set()
    views: list[RunView] = []
    final = run_setup(_tiny(seeds=2), views.append, cancel)
    assert final.status != "done"
    assert all(v.status != "done" for v in views)


def test_run_setup_stops_when_cancelled_midway():
    cancel = threading.Event()
    views: list[RunView] = []

    def publish(view: RunView) -> None:
        views.append(view)
        cancel.set()

    final = run_setup(_tiny(seeds=2), publish, cancel)
    assert final.status != "done"
    assert [v.tick for v in views] == [25]


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
