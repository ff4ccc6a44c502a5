"""Every number in a structure file is a parameter; numpy scalars are accepted as numbers.

Structure numbers are overridden by dotted ``structure.`` keys from ``--set``, ``sim.run`` keywords
and experiment constants and uncertainties (:mod:`sim.config.structure_overrides`); a structure
file's ``[sources]`` table names their sources.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import sim
from sim.cli import main
from sim.config.checks import check_number, check_param, type_name
from sim.config.loaders import build_params, load_scenario, load_structure, parse_assignment
from sim.config.structure_overrides import override_structure, overrides_for
from sim.errors import ConfigError
from sim.experiments.batch import run_batch
from sim.experiments.plan import plan_runs
from sim.experiments.spec import Experiment, load_experiment

CTO_HOURS = "structure.roles.CTO.attention_hours"
SHORT = {"steps": 120, "warmup": 20}
SPLIT_TOML = """description = "A small split."

[roles.CIO]
attention_hours = 9.0
cost = 3.0
expertise = { business = 0.8, technical = 0.65, people = 0.7 }

[roles.CTO]
attention_hours = 9.0
cost = 2.5
expertise = { business = 0.8, technical = 0.65, people = 0.7 }
specialism = "technical"

[decision_rights]
investment = "CIO"
application = "CIO"
architecture = "CTO"
infrastructure = "CTO"
stakeholder = "CIO"
people = "line"

[reporting]
delivery = "CIO"
platform = "CTO"

[[channels]]
roles = ["CIO", "CTO"]
hours_per_tick = 0.75
goal_incongruence = 0.2
"""


def one_line(exc: pytest.ExceptionInfo[ConfigError], *parts: str) -> str:
    text = str(exc.value)
    assert "\n" not in text
    for part in parts:
        assert part in text, (part, text)
    return text


def cto_mean(result: sim.RunResult, column: str) -> float:
    table = result.executives
    return float(table.loc[table["role"] == "CTO", column].mean())


# --- Keys and values ------------------------------------------------------------------------------


def test_numbers_lists_every_dotted_key_in_file_order():
    numbers = load_structure("cio_cto_split").numbers()
    assert list(numbers)[:5] == [
        "roles.CIO.attention_hours",
        "roles.CIO.cost",
        "roles.CIO.expertise.business",
        "roles.CIO.expertise.technical",
        "roles.CIO.expertise.people",
    ]
    assert numbers["channels.0.hours_per_tick"] == 0.75
    assert numbers["channels.0.goal_incongruence"] == 0.2
    assert len(numbers) == 12
    assert len(load_structure("single_cio").numbers()) == 5


def test_override_rebuilds_the_structure_and_keeps_the_rest():
    split = load_structure("cio_cto_split")
    assert override_structure(split, {}, "test") is split
    assert override_structure(split, {CTO_HOURS: 9}, "test") == split  # the file's own value
    changed = override_structure(
        split,
        {
            CTO_HOURS: 6,
            "structure.roles.CIO.expertise.technical": 0.7,
            "structure.channels.0.hours_per_tick": 1.5,
            "structure.channels.0.goal_incongruence": 0.4,
            "structure.roles.CTO.cost": 4,
        },
        "test",
    )
    assert changed.role("CTO").attention_hours == 6.0
    assert isinstance(changed.role("CTO").attention_hours, float)
    assert changed.role("CTO").cost == 4.0
    assert changed.role("CIO").technical == 0.7
    assert changed.role("CTO").specialism == "technical"
    assert changed.channels[0].hours_per_tick == 1.5
    assert changed.channels[0].goal_incongruence == 0.4
    assert changed.decision_rights == split.decision_rights
    assert changed.reporting == split.reporting and changed.name == split.name


@pytest.mark.parametrize(
    ("key", "value", "parts"),
    [
        (CTO_HOURS, 30, ["test: structure.roles.CTO.attention_hours = 30", "> 0.0 and <= 24.0"]),
        (CTO_HOURS, 0, ["is out of range", "(hours per tick)"]),
        ("structure.roles.CIO.expertise.people", 1.2, ["expertise.people = 1.2", "<= 1.0"]),
        ("structure.channels.0.goal_incongruence", -0.1, ["goal_incongruence = -0.1", "0.0 to"]),
        ("structure.roles.CTO.cost", "cheap", ['cost = "cheap" is a string, not a number']),
        (CTO_HOURS, True, ["= true is a boolean, not a number"]),
        (
            "structure.roles.CTO.atention_hours",
            6,
            ["not a number of structure cio_cto_split", "did you mean " + CTO_HOURS],
        ),
        (
            "structure.channels.1.hours_per_tick",
            1,
            ["structure.channels.1.hours_per_tick", "did you mean structure.channels.0."],
        ),
    ],
)
def test_bad_overrides_are_one_line_errors(key, value, parts):
    with pytest.raises(ConfigError) as exc:
        override_structure(load_structure("cio_cto_split"), {key: value}, "test")
    one_line(exc, *parts)


def test_a_key_the_structure_lacks_names_the_structure_and_its_keys():
    with pytest.raises(ConfigError) as exc:
        sim.run("baseline", structure="single_cio", **SHORT, **{CTO_HOURS: 6})
    one_line(
        exc,
        "run() keyword: structure.roles.CTO.attention_hours is not a number of structure "
        "single_cio",
        "structure.roles.CIO.expertise.people",
        "did you mean structure.roles.CIO.attention_hours?",
    )


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("structure.roles.CTO.attention_hours=30", ["--set: structure.roles.CTO.attention_hours"]),
        ("structure.roles.CTO.attention_hours=many", ['= "many" is a string, not a number']),
        ("structure.roles.CIO.atention=3", ["did you mean structure.roles.CIO.attention_hours?"]),
        ("structure.role.CIO.cost=3", ["did you mean structure.roles.CIO.cost?"]),
        ("structure.channels.0.cost=3", ["unknown key structure.channels.0.cost"]),
    ],
)
def test_set_checks_form_and_range(text, parts):
    with pytest.raises(ConfigError) as exc:
        parse_assignment(text)
    one_line(exc, *parts)


def test_set_parses_a_structure_number_as_a_float():
    assert parse_assignment("structure.roles.CTO.attention_hours=6") == (CTO_HOURS, 6.0)
    assert parse_assignment(" structure.channels.0.hours_per_tick = 1e0 ")[1] == 1.0


def test_build_params_checks_structure_numbers_and_leaves_them_out():
    scenario = load_scenario("baseline")
    assert build_params(scenario, {CTO_HOURS: 6}) == build_params(scenario)
    with pytest.raises(ConfigError) as exc:
        build_params(scenario, {CTO_HOURS: 25})
    one_line(exc, "--set: structure.roles.CTO.attention_hours = 25 is out of range")


# --- Runs -----------------------------------------------------------------------------------------


def test_cto_hours_change_the_run():
    low = sim.run("baseline", structure="cio_cto_split", **SHORT, **{CTO_HOURS: 4.5})
    high = sim.run("baseline", structure="cio_cto_split", **SHORT, **{CTO_HOURS: 13.5})
    assert cto_mean(low, "budget") == 4.5 and cto_mean(high, "budget") == 13.5
    assert cto_mean(low, "utilisation") > cto_mean(high, "utilisation") + 0.1
    assert high.summary["structure"].iloc[0] == "cio_cto_split"


def test_without_structure_overrides_a_run_is_unchanged():
    plain = sim.run("baseline", structure="cio_cto_split", **SHORT)
    same = sim.run("baseline", structure="cio_cto_split", **SHORT, **{CTO_HOURS: 9.0})
    for name in ("ticks", "executives", "summary", "events"):
        pd.testing.assert_frame_equal(getattr(plain, name), getattr(same, name))


def test_cli_run_refuses_an_out_of_range_structure_number():
    result = CliRunner().invoke(
        main,
        ["run", "baseline", "--structure", "cio_cto_split", "--set", f"{CTO_HOURS}=30"],
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and CTO_HOURS in lines[0] and "30" in lines[0], result.stderr


def test_cli_run_refuses_a_key_its_structure_lacks():
    result = CliRunner().invoke(
        main, ["run", "baseline", "--steps", "80", "--set", f"{CTO_HOURS}=6"]
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("itlead: error: --set: "), result.stderr  # the flag, by name
    assert "not a number of structure single_cio" in result.stderr
    assert "Traceback" not in result.output


# --- Experiments ----------------------------------------------------------------------------------

HEAD = """scenarios = ["baseline"]
structures = ["single_cio", "cio_cto_split"]
replications = 1
master_seed = 3
steps = 100
"""


def write(tmp_path: Path, body: str) -> Path:
    """The experiment ``HEAD + body``, with a warm-up short enough for its 100 ticks."""
    if "[constants]\n" in body:
        body = body.replace("[constants]\n", "[constants]\nwarmup = 60\n", 1)
    else:
        body += "[constants]\nwarmup = 60\n"
    path = tmp_path / "e.toml"
    path.write_text(HEAD + body)
    return path


def test_plan_runs_gives_each_structure_only_its_own_numbers(tmp_path):
    body = (
        '[constants]\n"structure.roles.CIO.cost" = 3.5\n'
        '[uncertainties."structure.roles.CTO.attention_hours"]\nvalues = [4.5, 13.5]\n'
        '[design]\nkind = "full_factorial"\n'
    )
    experiment = load_experiment(write(tmp_path, body))
    runs = plan_runs(experiment)
    assert len(runs) == 4
    for spec in runs:
        keys = dict(spec.overrides)
        assert keys["structure.roles.CIO.cost"] == 3.5
        assert (CTO_HOURS in keys) == (spec.structure == "cio_cto_split")
    assert [dict(s.overrides).get(CTO_HOURS) for s in runs] == [None, 4.5, None, 13.5]


def test_a_run_without_the_key_has_the_run_id_it_would_have_without_it(tmp_path):
    with_key = load_experiment(write(tmp_path, f'[constants]\n"{CTO_HOURS}" = 6\n'))
    without = load_experiment(write(tmp_path, ""))
    a, b = plan_runs(with_key), plan_runs(without)
    assert a[0].structure == "single_cio" and a[0].run_id == b[0].run_id
    assert a[1].structure == "cio_cto_split" and a[1].run_id != b[1].run_id


@pytest.mark.parametrize(
    ("body", "parts"),
    [
        (
            '[constants]\n"structure.roles.CXO.cost" = 3\n',
            [
                'constants."structure.roles.CXO.cost" is not a number of any of the structures '
                "single_cio, cio_cto_split",
                "did you mean structure.roles.CTO.cost?",
            ],
        ),
        (
            '[uncertainties."structure.channels.1.hours_per_tick"]\nlow = 0.5\nhigh = 1\n'
            '[design]\nkind = "latin_hypercube"\nn = 4\n',
            ['uncertainties."structure.channels.1.hours_per_tick" is not a number of any'],
        ),
        (
            "[constants.structure.roles.CTO]\nattention_hours = 6\n",
            ["constants.structure is a table", '"structure.roles.CIO.attention_hours"'],
        ),
        (
            f'[uncertainties."{CTO_HOURS}"]\nlow = 4\nhigh = 30\n'
            '[design]\nkind = "latin_hypercube"\nn = 4\n',
            [f'"{CTO_HOURS}".high = 30 is out of range; allowed > 0.0 and <= 24.0'],
        ),
        (
            f'[constants]\n"{CTO_HOURS}" = 6\n[uncertainties."{CTO_HOURS}"]\nvalues = [5, 6]\n'
            '[design]\nkind = "full_factorial"\n',
            ["is also constants"],
        ),
    ],
)
def test_experiment_structure_key_errors(tmp_path, body, parts):
    with pytest.raises(ConfigError) as exc:
        load_experiment(write(tmp_path, body))
    one_line(exc, str(tmp_path / "e.toml"), *parts)


def test_sampled_design_over_structure_numbers(tmp_path):
    body = (
        f'[uncertainties."{CTO_HOURS}"]\nlow = 4.5\nhigh = 13.5\n'
        "[uncertainties.specialisation_gain]\nlow = 0.0\nhigh = 0.3\n"
        '[design]\nkind = "morris"\nn = 2\n'
    )
    experiment = load_experiment(write(tmp_path, body))
    points = experiment.points()
    assert len(points) == 8  # 2 trajectories of (2 uncertainties + the dummy + 1) points
    assert all(4.5 <= p[CTO_HOURS] <= 13.5 and type(p[CTO_HOURS]) is float for p in points)
    assert experiment.salib_problem()["names"] == [CTO_HOURS, "specialisation_gain", "dummy"]


def test_a_structure_override_reaches_a_batch_run(tmp_path):
    body = f'[constants]\n"{CTO_HOURS}" = 4.5\n"structure.roles.CTO.cost" = 6\n'
    changed = run_batch(load_experiment(write(tmp_path, body)), out=tmp_path / "a")
    plain = run_batch(load_experiment(write(tmp_path, "")), out=tmp_path / "b")
    a = changed.runs.set_index("structure")
    b = plain.runs.set_index("structure")
    assert a.loc["cio_cto_split", f"param.{CTO_HOURS}"] == 4.5
    assert pd.isna(a.loc["single_cio", f"param.{CTO_HOURS}"])
    assert a.loc["cio_cto_split", "it_cost"] > b.loc["cio_cto_split", "it_cost"]
    assert a.loc["cio_cto_split", "exec_utilisation_max"] != pytest.approx(
        b.loc["cio_cto_split", "exec_utilisation_max"]
    )
    # The single CIO has neither key, so its run is the run without them.
    assert a.loc["single_cio", "value_delivered"] == b.loc["single_cio", "value_delivered"]


def test_a_comparison_in_code_checks_its_structure_keys():
    experiment = Experiment(
        name="paired",
        scenarios=("baseline",),
        structures=("single_cio", "cio_cto_split"),
        constants=(("structure.roles.CXO.cost", 3.0),),
    )
    with pytest.raises(ConfigError) as exc:
        plan_runs(experiment)
    one_line(exc, "overrides: structure.roles.CXO.cost is not a number of any", "CTO.cost?")


def test_overrides_for_keeps_parameters_and_own_numbers():
    split, single = load_structure("cio_cto_split"), load_structure("single_cio")
    given = {"request_rate": 0.9, CTO_HOURS: 6.0, "structure.roles.CIO.cost": 3.5}
    assert overrides_for(split, given) == given
    assert overrides_for(single, given) == {"request_rate": 0.9, "structure.roles.CIO.cost": 3.5}


# --- Sources --------------------------------------------------------------------------------------


def test_sources_table(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SPLIT_TOML + '\n[sources]\n"roles.CIO.attention_hours" = "A survey (2020)"\n')
    structure = load_structure(path)
    assert structure.source("roles.CIO.attention_hours") == "A survey (2020)"
    assert structure.source("roles.CTO.cost") == "assumption"
    changed = override_structure(structure, {CTO_HOURS: 5}, "test")
    assert changed.sources == structure.sources


@pytest.mark.parametrize(
    ("table", "parts"),
    [
        (
            '"roles.CIO.atention_hours" = "x"',
            ['unknown key sources."roles.CIO.atention_hours"', "did you mean roles.CIO.attention"],
        ),
        ('"roles.CIO.cost" = 3', ['sources."roles.CIO.cost" = 3 is an integer; allowed a string']),
        ('"roles.COO.cost" = "x"', ['unknown key sources."roles.COO.cost"']),
    ],
)
def test_bad_sources_are_errors(tmp_path, table, parts):
    path = tmp_path / "s.toml"
    path.write_text(SPLIT_TOML + f"\n[sources]\n{table}\n")
    with pytest.raises(ConfigError) as exc:
        load_structure(path)
    one_line(exc, str(path), *parts)


def test_every_shipped_number_is_in_the_parameter_doc():
    from sim.config.loaders import list_structures
    from sim.docs import parameter_markdown

    text = parameter_markdown()
    assert "## Structure numbers" in text
    for name in list_structures():
        structure = load_structure(name)
        assert f"### `{name}`" in text
        for key in structure.numbers():
            assert f"| `structure.{key}` |" in text


# --- Numpy scalars --------------------------------------------------------------------------------


def test_numpy_integer_gives_byte_identical_tables():
    kwargs = {"structure": "cio_cto_joint_architecture", **SHORT}
    python = sim.run("baseline", joint_conflict_delay=3, **kwargs)
    numpy = sim.run("baseline", joint_conflict_delay=np.int64(3), **kwargs)
    assert repr(numpy.params) == repr(python.params) and hash(numpy.params) == hash(python.params)
    assert type(numpy.params.joint_conflict_delay) is int
    for name in ("ticks", "executives", "summary", "events"):
        a, b = getattr(python, name), getattr(numpy, name)
        assert a.to_csv().encode() == b.to_csv().encode(), name


@pytest.mark.parametrize(
    ("value", "expected"),
    [(np.int64(0), 0), (np.int32(7), 7), (np.uint8(2), 2)],
)
def test_numpy_integers_for_an_integer_parameter(value, expected):
    checked = check_param("joint_conflict_delay", value, "test")
    assert checked == expected and type(checked) is int


@pytest.mark.parametrize("value", [np.float64(0.9), np.float32(0.5), np.int64(1)])
def test_numpy_numbers_for_a_float_parameter(value):
    checked = check_param("request_rate", value, "test")
    assert type(checked) is float and checked == float(value)
    numbers = check_param(CTO_HOURS, value, "test")
    assert type(numbers) is float


@pytest.mark.parametrize(
    ("value", "parts"),
    [
        (np.float64(1.5), ["= np.float64(1.5) is numpy.float64, not an integer"]),
        (np.float32(2.0), ["is numpy.float32, not an integer"]),
        (np.bool_(True), ["is numpy.bool, not an integer"]),
        (np.str_("3"), ['= "3" is numpy.str_, not an integer']),
        (np.int64(-1), ["= np.int64(-1) is out of range; allowed 0 to"]),
        (1.5, ["= 1.5 is a float, not an integer"]),
        (None, ["= None is None, not an integer"]),
        (datetime.date(2020, 1, 1), ["is a date or time, not an integer"]),
        ((1,), ["is a tuple, not an integer"]),
    ],
)
def test_type_errors_name_the_type_given(value, parts):
    with pytest.raises(ConfigError) as exc:
        check_param("joint_conflict_delay", value, "test")
    one_line(exc, "test: joint_conflict_delay", *parts)


def test_numpy_strings_and_booleans():
    assert type(check_param("attention_policy", np.str_("urgent_first"), "t")) is str
    with pytest.raises(ConfigError, match=r"is numpy\.bool, not a number"):
        check_number(np.bool_(False), "t", "x")
    assert type_name(np.float32(1)) == "numpy.float32"
    assert type_name(True) == "a boolean" and type_name({}) == "a table"


def test_numpy_points_plan_the_same_runs_as_python_numbers():
    def experiment(value):
        return Experiment(
            name="x",
            scenarios=("baseline",),
            structures=("single_cio", "cio_cto_split"),
            constants=(("joint_conflict_delay", value), (CTO_HOURS, value * 2)),
        )

    python, numpy = plan_runs(experiment(3)), plan_runs(experiment(np.int64(3)))
    assert [s.run_id for s in numpy] == [s.run_id for s in python]
    assert [s.overrides for s in numpy] == [s.overrides for s in python]
    assert all(type(v) is int for s in numpy for k, v in s.overrides if k == "joint_conflict_delay")
