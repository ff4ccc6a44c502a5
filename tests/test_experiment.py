"""Experiment files: the shipped ones load and give the expected points; bad ones give ConfigError.

Also a fuzz like tests/test_config_fuzz.py: whatever an experiment file holds, loading it returns
an Experiment or raises a one-line ConfigError.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.config.loaders import load_structure
from sim.config.params import param_infos, param_types
from sim.errors import ConfigError
from sim.experiments.design import DUMMY, MAX_POINTS
from sim.experiments.spec import (
    Design,
    Experiment,
    Uncertainty,
    experiments_dir,
    list_experiments,
    load_experiment,
)
from tests.test_config_fuzz import mutate, near_toml, toml_document

SHIPPED = (
    "load_crossover",
    "sensitivity_morris",
    "sensitivity_sobol",
    "structure_comparison",
    "structure_comparison_quick",
)
# --- The shipped experiments ----------------------------------------------------------------------


def test_shipped_experiments_are_listed():
    assert experiments_dir().name == "experiments"
    assert set(SHIPPED) <= set(list_experiments())


def test_structure_comparison():
    e = load_experiment("structure_comparison")
    assert e.name == "structure_comparison"
    assert e.scenarios == (
        "baseline",
        "incident_storm",
        "demand_surge",
        "market_shock",
        "combined_shocks",
    )
    assert e.structures == (
        "single_cio",
        "cio_cto_split",
        "single_cio_with_deputy",
        "cio_cto_joint_architecture",
        "cio_with_coo",
    )
    assert e.replications == 30
    assert e.design == Design(kind="runs", runs=((),))
    assert e.points() == [{}]
    assert e.run_count() == 5 * 5 * 30
    assert len(e.outcomes) >= 12
    assert e.overrides({}) == {}


def test_structure_comparison_quick():
    e = load_experiment("structure_comparison_quick")
    assert (e.replications, e.steps) == (10, 1000)  # the verdict rule's minimum; 550 warm-up
    assert e.scenarios == ("baseline", "incident_storm", "market_shock")
    assert e.structures == ("single_cio", "cio_cto_split", "single_cio_with_deputy")
    assert e.points() == [{}]
    assert e.overrides({}) == {"steps": 1000}
    assert e.outcomes == load_experiment("structure_comparison").outcomes


def test_load_crossover_is_a_six_by_six_grid():
    e = load_experiment("load_crossover")
    points = e.points()
    assert len(points) == 36
    assert e.run_count() == 36 * 2 * 10
    assert points[0] == {"request_rate": 0.6, "coordination_multiplier": 0.0}
    assert points[1] == {"request_rate": 0.6, "coordination_multiplier": 1.2}
    assert points[-1] == {"request_rate": 1.1, "coordination_multiplier": 6.0}
    assert sorted({p["request_rate"] for p in points}) == [0.6, 0.7, 0.8, 0.9, 1.0, 1.1]


@pytest.mark.parametrize(
    ("name", "count"),
    [
        # d uncertainties and the dummy: n trajectories of d + 2 points, n blocks of d + 3.
        ("sensitivity_morris", lambda n, d: n * (d + 2)),
        ("sensitivity_sobol", lambda n, d: n * (d + 3)),
    ],
)
def test_sensitivity_designs(name, count):
    e = load_experiment(name)
    d = len(e.uncertainties)
    assert d == 17
    infos = param_infos()
    split = load_structure("cio_cto_split")
    numbers = [u.name for u in e.uncertainties if u.name.startswith("structure.")]
    assert numbers == [
        "structure.roles.CTO.attention_hours",
        "structure.channels.0.hours_per_tick",
        "structure.channels.0.goal_incongruence",
    ]
    # Every uncertainty is an assumption: a parameter's declared source, or the split's file's.
    for u in e.uncertainties:
        key = u.name.removeprefix("structure.")
        source = split.source(key) if u.name in numbers else infos[u.name].source
        assert "assumption" in source, u.name
    assert {"specialisation_gain"} <= {u.name for u in e.uncertainties}
    assert e.structures == ("single_cio", "cio_cto_split")
    assert e.replications == {"sensitivity_morris": 3, "sensitivity_sobol": 2}[name]
    assert f"{e.replications} replications" in e.description
    points = e.points()
    assert len(points) == count(e.design.n, d)
    assert all(DUMMY not in p for p in points)  # a run never receives the dummy
    assert e.salib_problem()["num_vars"] == d + 1
    assert e.salib_problem()["names"] == [*(u.name for u in e.uncertainties), DUMMY]
    # 20 x 19 = 380 Morris points x 3, 64 x 20 = 1280 Sobol points x 2; times two structures.
    runs = {"sensitivity_morris": 380 * 3 * 2, "sensitivity_sobol": 1280 * 2 * 2}[name]
    assert e.run_count() == runs
    assert f"{runs:,} runs" in e.description


@pytest.mark.parametrize("name", SHIPPED)
def test_points_are_deterministic_typed_and_in_bounds(name):
    e = load_experiment(name)
    points = e.points()
    assert points == load_experiment(name).points()
    types = param_types()
    by_name = {u.name: u for u in e.uncertainties}
    for point in points:
        assert list(point) == list(by_name)
        for key, value in point.items():
            assert type(value) is types[key]
            u = by_name[key]
            if u.values:
                assert value in u.values
            else:
                assert u.low <= value <= u.high


def test_sobol_second_order_and_latin_hypercube(tmp_path):
    body = RANGES + '[design]\nkind = "sobol"\nn = 8\nsecond_order = true\n'
    e = load_experiment(write(tmp_path, body))
    assert len(e.points()) == 8 * (2 * 3 + 2)  # two uncertainties and the dummy
    lhs = load_experiment(write(tmp_path, RANGES + '[design]\nkind = "latin_hypercube"\nn = 7\n'))
    points = lhs.points()
    assert len(points) == 7
    assert all(isinstance(p["decision_timeout"], int) for p in points)
    assert all(5 <= p["decision_timeout"] <= 20 for p in points)


def test_seed_changes_sampled_points(tmp_path):
    body = RANGES + '[design]\nkind = "latin_hypercube"\nn = 5\n'
    one = load_experiment(write(tmp_path, body)).points()
    other = load_experiment(write(tmp_path, body.replace("master_seed = 7", "master_seed = 8")))
    assert one != other.points()


def test_full_factorial_with_values_and_int_levels(tmp_path):
    body = (
        HEAD
        + "[uncertainties.attention_policy]\n"
        + 'values = ["urgent_first", "protected_people_time"]\n'
        + "[uncertainties.decision_timeout]\nlow = 5\nhigh = 20\nlevels = 4\n"
        + '[design]\nkind = "full_factorial"\n'
    )
    points = load_experiment(write(tmp_path, body)).points()
    assert points[:4] == [
        {"attention_policy": "urgent_first", "decision_timeout": t} for t in (5, 10, 15, 20)
    ]
    assert len(points) == 8


def test_runs_and_csv_designs(tmp_path):
    runs = (
        RANGES
        + '[design]\nkind = "runs"\n'
        + "[[design.runs]]\nrequest_rate = 0.7\ndecision_timeout = 8\n"
        + "[[design.runs]]\nrequest_rate = 1\ndecision_timeout = 12\n"
    )
    e = load_experiment(write(tmp_path, runs))
    assert e.points() == [
        {"request_rate": 0.7, "decision_timeout": 8},
        {"request_rate": 1.0, "decision_timeout": 12},
    ]
    (tmp_path / "points.csv").write_text("decision_timeout, request_rate\n8,0.7\n\n12,1\n")
    e = load_experiment(write(tmp_path, RANGES + '[design]\nkind = "csv"\ncsv = "points.csv"\n'))
    assert e.points() == [
        {"request_rate": 0.7, "decision_timeout": 8},
        {"request_rate": 1.0, "decision_timeout": 12},
    ]
    assert Path(e.design.csv).is_absolute()


def test_constants_and_overrides(tmp_path):
    body = HEAD + "steps = 300\n[constants]\nwarmup = 30\n"
    e = load_experiment(write(tmp_path, body))
    assert e.constants == (("warmup", 30),)
    assert e.design.runs == ((),)
    assert e.overrides({"request_rate": 0.9}) == {"warmup": 30, "request_rate": 0.9, "steps": 300}


def test_a_built_experiment_gives_points():
    e = Experiment(
        name="inline",
        scenarios=("baseline",),
        structures=("single_cio",),
        uncertainties=(Uncertainty(name="request_rate", low=0.5, high=1.0, levels=3),),
        design=Design(kind="full_factorial"),
    )
    assert e.points() == [{"request_rate": v} for v in (0.5, 0.75, 1.0)]


# --- Errors ---------------------------------------------------------------------------------------

HEAD = (
    'description = "test"\nscenarios = ["baseline"]\nstructures = ["single_cio"]\n'
    "replications = 2\nmaster_seed = 7\n"
)
RANGES = (
    HEAD
    + "[uncertainties.request_rate]\nlow = 0.6\nhigh = 1.1\n"
    + "[uncertainties.decision_timeout]\nlow = 5\nhigh = 20\n"
)
FACTORIAL = (
    HEAD
    + "[uncertainties.request_rate]\nlow = 0.6\nhigh = 1.1\nlevels = 3\n"
    + '[design]\nkind = "full_factorial"\n'
)
POLICY = '[uncertainties.attention_policy]\nvalues = ["urgent_first", "protected_people_time"]\n'


def write(folder: Path, text: str, name: str = "x.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


ERRORS = {
    "unknown key": (
        HEAD + "replication = 3\n",
        "unknown key replication; did you mean replications?",
    ),
    "missing key": (HEAD.replace("master_seed = 7\n", ""), "missing key master_seed"),
    "unknown constant": (
        HEAD + "[constants]\nwarmpu = 3\n",
        "unknown key constants.warmpu; did you mean warmup?",
    ),
    "unknown uncertainty": (
        FACTORIAL.replace("request_rate]", "request_rat]"),
        "unknown parameter uncertainties.request_rat; did you mean request_rate?",
    ),
    "the dummy as an uncertainty": (
        RANGES
        + "[uncertainties.dummy]\nlow = 0.0\nhigh = 1.0\n"
        + '[design]\nkind = "morris"\nn = 4\n',
        "uncertainties.dummy is reserved: Morris and Sobol designs add it themselves",
    ),
    "unknown uncertainty key": (
        FACTORIAL.replace("levels = 3", "level = 3"),
        "unknown key uncertainties.request_rate.level; did you mean levels?",
    ),
    "out of range": (
        FACTORIAL.replace("low = 0.6", "low = -1"),
        "uncertainties.request_rate.low = -1 is out of range; allowed 0.0 to 100.0",
    ),
    "low above high": (
        FACTORIAL.replace("low = 0.6", "low = 2.0"),
        "uncertainties.request_rate.high = 1.1 is not above low = 2.0",
    ),
    "bool where number": (
        HEAD + "[constants]\nwarmup = true\n",
        "constants.warmup = true is a boolean, not an integer",
    ),
    "float for int": (
        HEAD + "[uncertainties.decision_timeout]\nlow = 5.5\nhigh = 9\nlevels = 2\n"
        '[design]\nkind = "full_factorial"\n',
        "uncertainties.decision_timeout.low = 5.5 is a float, not an integer",
    ),
    "constant and uncertainty": (
        FACTORIAL + "[constants]\nrequest_rate = 0.9\n",
        "uncertainties.request_rate is also constants.request_rate = 0.9; allowed a parameter "
        "as a constant or an uncertainty, not both",
    ),
    "sobol with a value list": (
        RANGES + POLICY + '[design]\nkind = "sobol"\nn = 8\n',
        'uncertainties.attention_policy = ["urgent_first", "protected_people_time"] is a value '
        "list; allowed for design sobol: numeric ranges (low, high) only",
    ),
    "morris without uncertainties": (
        HEAD + '[design]\nkind = "morris"\nn = 4\n',
        "uncertainties is empty; allowed for design morris",
    ),
    "sobol without n": (RANGES + '[design]\nkind = "sobol"\n', "missing key design.n"),
    "n with full factorial": (
        FACTORIAL + "n = 3\n",
        'design.n is not allowed with kind = "full_factorial"; allowed keys: kind',
    ),
    "odd morris levels": (
        RANGES + '[design]\nkind = "morris"\nn = 4\nmorris_levels = 5\n',
        "design.morris_levels = 5 is odd",
    ),
    "second order not a bool": (
        RANGES + '[design]\nkind = "sobol"\nn = 4\nsecond_order = 1\n',
        "design.second_order = 1 is not a boolean",
    ),
    "unknown design kind": (
        RANGES + '[design]\nkind = "sobolev"\n',
        'design.kind = "sobolev" is not allowed; allowed: full_factorial',
    ),
    "levels with sobol": (
        FACTORIAL.replace("full_factorial", "sobol") + "n = 4\n",
        "uncertainties.request_rate.levels = 3 is not used by design sobol",
    ),
    "full factorial without levels": (
        RANGES + '[design]\nkind = "full_factorial"\n',
        "missing key uncertainties.request_rate.levels; required for design full_factorial",
    ),
    "too many integer levels": (
        HEAD + "[uncertainties.decision_timeout]\nlow = 5\nhigh = 7\nlevels = 4\n"
        '[design]\nkind = "full_factorial"\n',
        "uncertainties.decision_timeout.levels = 4 repeats integer values; allowed at most 3",
    ),
    "range for a categorical": (
        HEAD + '[uncertainties.attention_policy]\nlow = "a"\nhigh = "b"\n',
        "uncertainties.attention_policy.low is not allowed: attention_policy is categorical",
    ),
    "categorical without values": (
        HEAD + "[uncertainties.attention_policy]\n",
        "missing key uncertainties.attention_policy.values; attention_policy is categorical",
    ),
    "range without high": (
        HEAD + "[uncertainties.request_rate]\nlow = 0.5\n",
        "missing key uncertainties.request_rate.high; required: low and high, or values",
    ),
    "repeated value": (
        HEAD + '[uncertainties.attention_policy]\nvalues = ["urgent_first", "urgent_first"]\n',
        'uncertainties.attention_policy.values[1] = "urgent_first" repeats',
    ),
    "missing design": (FACTORIAL.split("[design]")[0], "missing key design; required when"),
    "runs missing an uncertainty": (
        RANGES + '[design]\nkind = "runs"\n[[design.runs]]\nrequest_rate = 0.7\n',
        "missing key design.runs[0].decision_timeout; required: request_rate, decision_timeout",
    ),
    "runs with an extra key": (
        RANGES + '[design]\nkind = "runs"\n[[design.runs]]\nrequest_rate = 0.7\n'
        "decision_timeout = 8\ndecision_timout = 8\n",
        "unknown key design.runs[0].decision_timout; did you mean decision_timeout?",
    ),
    "run outside the range": (
        RANGES + '[design]\nkind = "runs"\n[[design.runs]]\nrequest_rate = 2.0\n'
        "decision_timeout = 8\n",
        "design.runs[0].request_rate = 2.0 is outside uncertainties.request_rate; allowed 0.6 "
        "to 1.1",
    ),
    "runs without runs": (RANGES + '[design]\nkind = "runs"\n', "missing key design.runs"),
    "csv missing file": (
        RANGES + '[design]\nkind = "csv"\ncsv = "nowhere.csv"\n',
        'design.csv = "nowhere.csv" names no file',
    ),
    "unknown scenario": (
        HEAD.replace('["baseline"]', '["bseline"]'),
        'scenarios[0] = "bseline" is not a known scenario; allowed: baseline',
    ),
    "unknown structure": (
        HEAD.replace('["single_cio"]', '["single_ci"]'),
        'structures[0] = "single_ci" is not a known structure; allowed: cio_cto_joint',
    ),
    "repeated scenario": (
        HEAD.replace('["baseline"]', '["baseline", "baseline"]'),
        'scenarios[1] = "baseline" repeats scenarios[0]',
    ),
    "no structures": (HEAD.replace('["single_cio"]', "[]"), "structures = [] is empty"),
    "replications 0": (
        HEAD.replace("replications = 2", "replications = 0"),
        "replications = 0 is out of range; allowed >= 1",
    ),
    "negative seed": (
        HEAD.replace("master_seed = 7", "master_seed = -1"),
        "master_seed = -1 is out of range",
    ),
    "steps out of range": (HEAD + "steps = 0\n", "steps = 0 is out of range; allowed 1 to"),
    "steps twice": (
        HEAD + "steps = 300\n[constants]\nsteps = 200\n",
        "constants.steps = 200 repeats steps = 300",
    ),
    "outcome not a summary column": (
        HEAD + 'outcomes = ["value_delivere"]\n',
        'outcomes[0] = "value_delivere" is not a summary column; allowed: ',
    ),
    "warmup not below steps": (
        HEAD + "steps = 50\n[constants]\nwarmup = 60\n",
        "the settings do not make valid parameters with scenario baseline: ",
    ),
    "shock after the end": (
        HEAD.replace('["baseline"]', '["incident_storm"]') + "steps = 700\n",
        "shocks[0].at = 740 is beyond the run",
    ),
    "point breaks a pair": (
        HEAD + "[uncertainties.team_size_min]\nvalues = [5, 12]\n"
        '[design]\nkind = "full_factorial"\n',
        'design point 1 = {"team_size_min": 12} does not make valid parameters with scenario '
        "baseline",
    ),
    "too many points": (
        RANGES + '[design]\nkind = "latin_hypercube"\nn = 100001\n',
        f"design.n = 100001 gives 100001 design points; allowed at most {MAX_POINTS}",
    ),
    "malformed toml": ("scenarios = [", "malformed TOML"),
}


@pytest.mark.parametrize(("text", "expected"), list(ERRORS.values()), ids=list(ERRORS))
def test_errors_name_file_key_value_and_what_is_allowed(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_experiment(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert expected in message, message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("csv", "expected"),
    [
        ("request_rate,coordination_multiplier\n0.7,1\n", "does not name the uncertainties"),
        ("request_rate,decision_timeout\n", "has no rows after the header"),
        ("request_rate,decision_timeout\n0.7\n", "line 2 has 1 cells; allowed exactly 2"),
        ("request_rate,decision_timeout\n0.7,8.5\n", "line 2 decision_timeout = 8.5 is a float"),
        ("request_rate,decision_timeout\nfast,8\n", 'line 2 request_rate = "fast" is a string'),
        ("request_rate,decision_timeout\n0.7,8\n0.7,8\n", "line 3 = "),
    ],
    ids=["wrong header", "no rows", "short row", "float for int", "text", "repeat"],
)
def test_csv_errors(tmp_path, csv, expected):
    (tmp_path / "points.csv").write_text(csv, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"points\.csv") as info:
        load_experiment(write(tmp_path, RANGES + '[design]\nkind = "csv"\ncsv = "points.csv"\n'))
    assert expected in str(info.value)


def test_unknown_experiment_name():
    with pytest.raises(ConfigError, match=r"unknown experiment .*did you mean load_crossover"):
        load_experiment("load_crosover")
    with pytest.raises(ConfigError, match="no such file"):
        load_experiment("nowhere/x.toml")


def test_salib_problem_needs_ranges(tmp_path):
    e = load_experiment(write(tmp_path, HEAD + POLICY + '[design]\nkind = "full_factorial"\n'))
    assert len(e.points()) == 2
    with pytest.raises(ConfigError, match="is a value list"):
        e.salib_problem()


def test_relative_scenario_path(tmp_path):
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", 'base = "baseline"\n[params]\nrequest_rate = 0.8\n', "mine.toml")
    e = load_experiment(write(tmp_path, HEAD.replace('["baseline"]', '["sub/mine.toml"]')))
    assert e.scenarios == (str((tmp_path / "sub" / "mine.toml").resolve()),)


# --- Fuzz -----------------------------------------------------------------------------------------

VALID: dict[str, Any] = {
    "description": "A valid experiment to mutate.",
    "scenarios": ["baseline", "incident_storm"],
    "structures": ["single_cio", "cio_cto_split"],
    "replications": 3,
    "master_seed": 11,
    "steps": 800,  # past the storm at tick 740
    "outcomes": ["value_delivered", "decision_latency"],
    "constants": {"warmup": 40},
    "uncertainties": {
        "request_rate": {"low": 0.6, "high": 1.1, "levels": 3},
        "decision_timeout": {"low": 5, "high": 20, "levels": 2},
        "attention_policy": {"values": ["urgent_first", "protected_people_time"]},
    },
    "design": {"kind": "full_factorial"},
}

FRAGMENTS = st.sampled_from(
    [
        'scenarios = ["baseline"]\n',
        'structures = ["single_cio"]\n',
        "replications = 1\n",
        "master_seed = 3\n",
        "[constants]\n",
        "[uncertainties.request_rate]\n",
        "low = 0.5\n",
        "high = 1.5\n",
        "levels = 2\n",
        'values = ["urgent_first"]\n',
        "[design]\n",
        'kind = "sobol"\n',
        'kind = "runs"\n',
        "n = 2\n",
        "[[design.runs]]\n",
        "request_rate = 0.7\n",
        "= ",
        '"',
        "[",
        "]",
        "\n",
    ]
)
TEXTS = near_toml(FRAGMENTS)


def outcome(path: Path) -> Experiment | None:
    try:
        e = load_experiment(path)
    except ConfigError as exc:
        assert str(exc) and "\n" not in str(exc)
        return None
    assert isinstance(e, Experiment)
    assert len(e.points()) <= MAX_POINTS
    return e


def test_valid_fuzz_document_loads(tmp_path):
    e = outcome(write(tmp_path, toml_document(VALID)))
    assert e is not None and len(e.points()) == 3 * 2 * 2


@settings(max_examples=60, deadline=None)
@given(text=TEXTS)
def test_arbitrary_text_only_ever_raises_config_error(tmp_path_factory, text):
    outcome(write(tmp_path_factory.mktemp("fuzz"), text))


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_mutated_experiment_loads_or_raises_config_error(tmp_path_factory, data):
    doc = mutate(VALID, data)
    path = write(tmp_path_factory.mktemp("fuzz"), toml_document(doc))
    e = outcome(path)
    if e is not None:
        assert all(math.isfinite(v) for p in e.points() for v in p.values() if type(v) is float)
