"""Loading structures and scenarios: shipped files load, bases merge, bad input is a ConfigError.

Every error test checks that the one-line message names the file, the key and what is allowed.
"""

from pathlib import Path

import pytest

from sim.config.loaders import (
    build_params,
    check_param,
    list_scenarios,
    list_structures,
    load_scenario,
    load_structure,
    parse_assignment,
    validate_file,
)
from sim.config.params import Params
from sim.config.paths import data_dir, repo_root
from sim.config.scenario import InterventionSpec, Scenario, ShockSpec
from sim.config.structure import DECISION_TYPES
from sim.errors import ConfigError, did_you_mean

STRUCTURES = [
    "cio_cto_joint_architecture",
    "cio_cto_split",
    "cio_with_coo",
    "single_cio",
    "single_cio_with_deputy",
]
SCENARIOS = [
    "baseline",
    "combined_shocks",
    "debt_push",
    "decision_overload",
    "demand_surge",
    "feedback_programme",
    "high_load",
    "incident_storm",
    "market_shock",
    "repeated_shocks",
    "restructure_to_split",
    "staff_loss",
    "turbulent_market",
]

# A valid two-role structure; tests replace one line to break it.
STRUCTURE = """\
description = "Two roles."

[roles.CIO]
attention_hours = 9.0
cost = 3.0
expertise = { business = 0.8, technical = 0.6, people = 0.7 }

[roles.CTO]
attention_hours = 9.0
cost = 2.5
expertise = { business = 0.5, technical = 0.9, people = 0.6 }

[decision_rights]
investment = "CIO"
application = "CIO"
architecture = ["CIO", "CTO"]
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


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def message(call, *args, **kwargs) -> str:
    with pytest.raises(ConfigError) as info:
        call(*args, **kwargs)
    text = str(info.value)
    assert "\n" not in text
    return text


def assert_mentions(text: str, *parts: str) -> None:
    for part in parts:
        assert part in text, f"{part!r} not in {text!r}"


# --- Shipped files --------------------------------------------------------------------------------


def test_shipped_names_are_listed():
    assert list_structures() == STRUCTURES
    assert list_scenarios() == SCENARIOS


@pytest.mark.parametrize("name", STRUCTURES)
def test_every_shipped_structure_loads(name):
    structure = load_structure(name)
    assert structure.name == name
    assert structure.description
    assert [d for d, _ in structure.decision_rights] == list(DECISION_TYPES)
    assert validate_file(data_dir("structures") / f"{name}.toml") == "structure"


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_shipped_scenario_loads_and_builds_params(name):
    scenario = load_scenario(name)
    assert scenario.name == name
    assert scenario.description
    assert Path(scenario.source).name == f"{name}.toml"
    assert isinstance(build_params(scenario), Params)
    assert validate_file(scenario.source) == "scenario"


def test_single_cio_matches_its_specification():
    s = load_structure("single_cio")
    assert s.role_names == ("CIO",)
    cio = s.role("CIO")
    assert (cio.attention_hours, cio.cost) == (9.0, 3.0)
    assert (cio.business, cio.technical, cio.people) == (0.8, 0.65, 0.7)
    rights = dict(s.decision_rights)
    assert rights["people"] == ("line",)
    assert all(rights[d] == ("CIO",) for d in DECISION_TYPES if d != "people")
    assert s.reporting == (("delivery", "CIO"), ("platform", "CIO"))
    assert s.channels == ()


def test_split_joint_and_coo_structures():
    split = load_structure("cio_cto_split")
    assert split.role_names == ("CIO", "CTO")
    assert dict(split.decision_rights)["architecture"] == ("CTO",)
    assert split.holders("people", "platform") == ("CTO",)
    channel = split.channel("CTO", "CIO")
    assert channel is not None
    assert (channel.hours_per_tick, channel.goal_incongruence) == (0.75, 0.2)

    joint = load_structure("cio_cto_joint_architecture")
    assert dict(joint.decision_rights)["architecture"] == ("CIO", "CTO")
    assert joint.roles == split.roles and joint.reporting == split.reporting

    coo = load_structure("cio_with_coo")
    assert coo.role_names == ("CIO", "COO_IT")
    assert coo.reports_to("platform") == "COO_IT"
    assert dict(coo.decision_rights)["infrastructure"] == ("COO_IT",)


def test_shipped_scenarios_match_their_specification():
    assert load_scenario("baseline").params == ()
    assert load_scenario("high_load").params == (("request_rate", 1.0),)
    assert build_params(load_scenario("high_load")).request_rate == 1.0
    assert load_scenario("incident_storm").shocks == (
        ShockSpec(kind="incident_storm", at=740, duration=20, magnitude=4.0),
    )
    repeated = load_scenario("repeated_shocks").shocks[0]
    assert (repeated.at, repeated.every, repeated.repeat) == (640, 150, 3)
    assert [s.kind for s in load_scenario("combined_shocks").shocks] == [
        "incident_storm",
        "theme_reweighting",
        "demand_surge",
    ]
    assert load_scenario("restructure_to_split").interventions == (
        InterventionSpec(kind="restructure", at=690, structure="cio_cto_split"),
    )
    assert load_scenario("debt_push").interventions[0].magnitude == 0.25


def test_paths_point_at_the_checkout():
    root = repo_root()
    assert root is not None
    assert data_dir("scenarios") == root / "scenarios"
    assert data_dir("structures") == root / "structures"
    with pytest.raises(ValueError):
        data_dir("results")


# --- Structures from files ------------------------------------------------------------------------


def test_structure_from_path_keeps_file_order_and_stem(tmp_path):
    path = write(tmp_path, "mine.toml", STRUCTURE)
    structure = load_structure(str(path))
    assert structure.name == "mine"
    assert structure.role_names == ("CIO", "CTO")
    assert dict(structure.decision_rights)["architecture"] == ("CIO", "CTO")
    assert load_structure(path) == structure


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("cost = 3.0", "cots = 3.0", ["unknown key roles.CIO.cots", "did you mean cost?"]),
        ("cost = 3.0", "cost = true", ["roles.CIO.cost = true", "boolean", ">= 0.0"]),
        ("cost = 3.0", 'cost = "3"', ["roles.CIO.cost", "string", ">= 0.0"]),
        ("cost = 3.0", "cost = -1.0", ["roles.CIO.cost = -1.0", "out of range", ">= 0.0"]),
        ("cost = 3.0", "cost = nan", ["roles.CIO.cost = nan", "out of range"]),
        ("cost = 3.0", "cost = inf", ["roles.CIO.cost = inf", "out of range"]),
        ("cost = 3.0", f"cost = {10**400}", ["roles.CIO.cost = 1000", "out of range"]),
        (
            "attention_hours = 9.0\ncost = 3.0",
            "attention_hours = 0\ncost = 3.0",
            ["roles.CIO.attention_hours = 0", "> 0.0 and <= 24.0"],
        ),
        (
            "attention_hours = 9.0\ncost = 3.0",
            "attention_hours = 25.0\ncost = 3.0",
            ["roles.CIO.attention_hours = 25.0", "<= 24.0"],
        ),
        (
            "business = 0.8, technical = 0.6, people = 0.7",
            "business = 0.8, technical = 0.6",
            ["missing key roles.CIO.expertise.people", "business, technical, people"],
        ),
        (
            "business = 0.8, technical",
            "business = 1.5, technical",
            ["roles.CIO.expertise.business = 1.5", "> 0.0 and <= 1.0"],
        ),
        (
            "business = 0.8, technical",
            "business = 0, technical",
            ["roles.CIO.expertise.business = 0", "> 0.0"],
        ),
        (
            'people = "line"\n',
            'people = "line"\nbudget = "CIO"\n',
            ["unknown key decision_rights.budget", "allowed: investment"],
        ),
        ('people = "line"\n', "", ["missing key decision_rights.people", "investment"]),
        (
            'investment = "CIO"',
            'investment = "CEO"',
            ['decision_rights.investment = "CEO"', "allowed: CIO, CTO, line"],
        ),
        (
            'investment = "CIO"',
            "investment = 3",
            ["decision_rights.investment = 3", "a role name, one of CIO, CTO, line"],
        ),
        (
            'investment = "CIO"',
            'investment = ["CIO", "CIO"]',
            ["decision_rights.investment", "CIO twice", "two distinct roles"],
        ),
        (
            'investment = "CIO"',
            'investment = ["CIO", "CTO", "CIO"]',
            ["decision_rights.investment", "3 items", "exactly 2"],
        ),
        (
            'investment = "CIO"',
            'investment = ["CIO", "line"]',
            ["decision_rights.investment[1]", "allowed: CIO, CTO"],
        ),
        ('platform = "CTO"', 'platform = "line"', ['reporting.platform = "line"', "CIO, CTO"]),
        ('platform = "CTO"', "", ["missing key reporting.platform", "delivery, platform"]),
        (
            'roles = ["CIO", "CTO"]',
            'roles = ["CIO", "CFO"]',
            ['channels[0].roles[1] = "CFO"', "allowed: CIO, CTO"],
        ),
        (
            'roles = ["CIO", "CTO"]',
            'roles = ["CIO", "CIO"]',
            ["channels[0].roles", "CIO twice", "two distinct roles"],
        ),
        (
            "goal_incongruence = 0.2",
            "goal_incongruence = 1.2",
            ["channels[0].goal_incongruence = 1.2", "0.0 to 1.0"],
        ),
        (
            "hours_per_tick = 0.75",
            "hours_per_tick = -0.5",
            ["channels[0].hours_per_tick = -0.5", "0.0 to 24.0"],
        ),
        ("hours_per_tick = 0.75\n", "", ["missing key channels[0].hours_per_tick"]),
        ("[roles.CTO]", "[roles.line]", ["roles.line", "not a valid role name", '"line"']),
        ("[roles.CTO]", '[roles."C T O"]', ['roles."C T O"', "not a valid role name"]),
        ('description = "Two roles."', "description = 2", ["description = 2", "a string"]),
        ('description = "Two roles."', "colour = 2", ["unknown key colour"]),
        ("[[channels]]", "[[chanels]]", ["unknown key chanels", "did you mean channels?"]),
    ],
)
def test_structure_errors_name_file_key_and_allowed(tmp_path, old, new, expected):
    assert old in STRUCTURE
    path = write(tmp_path, "bad_structure.toml", STRUCTURE.replace(old, new, 1))
    text = message(load_structure, path)
    assert_mentions(text, "bad_structure.toml", *expected)


def test_joint_right_without_channel_is_refused(tmp_path):
    text_without = STRUCTURE.split("[[channels]]")[0]
    text = message(load_structure, write(tmp_path, "nochan.toml", text_without))
    assert_mentions(text, "nochan.toml", "decision_rights.architecture", "no channel", "CIO", "CTO")


def test_duplicate_channel_is_refused(tmp_path):
    again = STRUCTURE + '\n[[channels]]\nroles = ["CTO", "CIO"]\nhours_per_tick = 1.0\n'
    again += "goal_incongruence = 0.1\n"
    text = message(load_structure, write(tmp_path, "dup.toml", again))
    assert_mentions(text, "dup.toml", "channels[1].roles", "repeats channels[0]")


def test_structure_needs_a_role(tmp_path):
    path = write(tmp_path, "empty.toml", "roles = {}\ndecision_rights = {}\nreporting = {}\n")
    assert_mentions(message(load_structure, path), "empty.toml", "roles is empty", "at least one")


def test_unknown_structure_name_lists_the_names():
    text = message(load_structure, "cio_cto_splt")
    assert_mentions(text, "cio_cto_splt", "did you mean cio_cto_split?", "single_cio")


def test_missing_and_malformed_files(tmp_path):
    assert_mentions(message(load_structure, tmp_path / "gone.toml"), "gone.toml", "no such file")
    assert_mentions(message(load_scenario, str(tmp_path / "gone.toml")), "gone.toml")
    assert_mentions(message(validate_file, tmp_path / "gone.toml"), "gone.toml", "no such file")
    bad = write(tmp_path, "broken.toml", 'description = "x"\n[params\nsteps = 3\n')
    for loader in (load_structure, load_scenario, validate_file):
        assert_mentions(message(loader, bad), "broken.toml", "malformed TOML", "line 2")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"description = '\xff'\n")
    assert_mentions(message(load_scenario, binary), "binary.toml", "UTF-8")
    (tmp_path / "dir.toml").mkdir()
    assert_mentions(message(load_scenario, tmp_path / "dir.toml"), "dir.toml", "no such file")
    huge = write(tmp_path, "huge.toml", f"[params]\nsteps = {'9' * 5000}\n")
    assert_mentions(message(load_scenario, huge), "huge.toml", "malformed TOML", "4300 digits")


# --- Scenarios ------------------------------------------------------------------------------------


def test_base_chain_merges_params_and_replaces_event_lists(tmp_path):
    write(
        tmp_path,
        "grand.toml",
        'description = "g"\n[params]\nrequest_rate = 0.5\nsteps = 400\n'
        '[[shocks]]\nkind = "demand_surge"\nat = 10\nduration = 5\nmagnitude = 2.0\n'
        '[[interventions]]\nkind = "debt_push"\nat = 20\nmagnitude = 0.5\n',
    )
    write(
        tmp_path, "sub/parent.toml", 'base = "../grand.toml"\n[params]\nsteps = 500\nn_themes = 3\n'
    )
    child = write(
        tmp_path,
        "sub/child.toml",
        'description = "c"\nbase = "parent.toml"\n[params]\nn_themes = 4\n'
        '[[shocks]]\nkind = "staff_loss"\nat = 30\nmagnitude = 0.1\n',
    )
    scenario = load_scenario(child)
    assert scenario.name == "child"
    assert scenario.description == "c"
    assert scenario.source == str(child)
    assert scenario.params == (("n_themes", 4), ("request_rate", 0.5), ("steps", 500))
    assert scenario.shocks == (ShockSpec(kind="staff_loss", at=30, magnitude=0.1),)
    assert scenario.interventions == (InterventionSpec(kind="debt_push", at=20, magnitude=0.5),)

    parent = load_scenario(tmp_path / "sub" / "parent.toml")
    assert [s.kind for s in parent.shocks] == ["demand_surge"]

    cleared = write(tmp_path, "sub/cleared.toml", 'base = "child.toml"\nshocks = []\n')
    assert load_scenario(cleared).shocks == ()
    assert len(load_scenario(cleared).interventions) == 1


def test_base_may_be_a_shipped_name(tmp_path):
    path = write(tmp_path, "more.toml", 'base = "incident_storm"\n[params]\nrequest_rate = 1.0\n')
    scenario = load_scenario(path)
    assert scenario.shocks == load_scenario("incident_storm").shocks
    assert scenario.params == (("request_rate", 1.0),)


def test_base_cycles_are_refused(tmp_path):
    write(tmp_path, "a.toml", 'base = "b.toml"\n')
    write(tmp_path, "b.toml", 'base = "c.toml"\n')
    write(tmp_path, "c.toml", 'base = "a.toml"\n')
    text = message(load_scenario, tmp_path / "a.toml")
    assert_mentions(text, "c.toml", "base", "cycle", "a.toml -> ", "b.toml -> ", "c.toml -> ")
    write(tmp_path, "self.toml", 'base = "./self.toml"\n')
    assert_mentions(message(load_scenario, tmp_path / "self.toml"), "self.toml", "cycle")


def test_missing_or_unknown_base(tmp_path):
    path = write(tmp_path, "orphan.toml", 'base = "nothere.toml"\n')
    assert_mentions(message(load_scenario, path), "orphan.toml", "base", "nothere.toml")
    path = write(tmp_path, "typo.toml", 'base = "baselin"\n')
    assert_mentions(message(load_scenario, path), "typo.toml", "base", "did you mean baseline?")


SHOCK = '[[shocks]]\nkind = "incident_storm"\nat = 300\nduration = 20\nmagnitude = 4.0\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[params]\nreqest_rate = 0.9\n",
            ["unknown key params.reqest_rate", "did you mean request_rate?"],
        ),
        (
            "[params]\nrequest_rate = -1.0\n",
            ["params.request_rate = -1.0", "0.0 to 100.0", "requests per unit per tick"],
        ),
        (
            "[params]\nrequest_rate = true\n",
            ["params.request_rate = true", "boolean", "0.0 to 100.0"],
        ),
        ("[params]\nrequest_rate = '0.9'\n", ["params.request_rate", "string", "0.0 to 100.0"]),
        ("[params]\nsteps = 100.0\n", ["params.steps = 100.0", "not an integer", "1 to 100000"]),
        ("[params]\nsteps = 0\n", ["params.steps = 0", "out of range", "1 to 100000"]),
        (
            "[params]\nattention_policy = 'urgent'\n",
            [
                'params.attention_policy = "urgent"',
                "urgent_first, protected_people_time",
                "did you mean urgent_first?",
            ],
        ),
        ("[params]\nattention_policy = 1\n", ["params.attention_policy = 1", "urgent_first"]),
        ("params = 3\n", ["params = 3", "a table"]),
        ("colour = 'red'\n", ["unknown key colour", "allowed: description, base"]),
        ("base = 3\n", ["base = 3", "a scenario name or path"]),
        ("shocks = {}\n", ["shocks = {}", "an array"]),
        (
            SHOCK.replace("incident_storm", "incident_strom"),
            ['shocks[0].kind = "incident_strom"', "did you mean incident_storm?", "demand_surge"],
        ),
        (SHOCK.replace("at = 300\n", ""), ["shocks[0]", "neither of at and window", "exactly one"]),
        (SHOCK + "window = [1, 2]\n", ["shocks[0]", "both of at and window", "exactly one"]),
        (SHOCK.replace("at = 300", "window = [5, 2]"), ["shocks[0].window[1] = 2", ">= 5"]),
        (SHOCK.replace("at = 300", "window = [5]"), ["shocks[0].window", "1 items", "exactly 2"]),
        (SHOCK.replace("at = 300", "window = [-1, 2]"), ["shocks[0].window[0] = -1", ">= 0"]),
        (SHOCK.replace("at = 300", "at = -1"), ["shocks[0].at = -1", ">= 0"]),
        (SHOCK.replace("at = 300", "at = 3.5"), ["shocks[0].at = 3.5", "not an integer"]),
        (
            SHOCK.replace("duration = 20", "duration = true"),
            ["shocks[0].duration = true", "boolean"],
        ),
        (
            SHOCK.replace("magnitude = 4.0", "magnitude = -4.0"),
            ["shocks[0].magnitude = -4.0", ">= 0.0"],
        ),
        (SHOCK + "repeat = 0\n", ["shocks[0].repeat = 0", ">= 1"]),
        (SHOCK + "repeat = 2\n", ["shocks[0].every = 0", ">= 1 when repeat = 2"]),
        (SHOCK + "evry = 2\n", ["unknown key shocks[0].evry", "did you mean every?"]),
        (
            '[[shocks]]\nkind = "staff_loss"\nat = 3\nmagnitude = 1.5\n',
            ["shocks[0].magnitude = 1.5", "0.0 to 1.0"],
        ),
        (
            '[[shocks]]\nkind = "theme_reweighting"\nat = 3\nmagnitude = 2\n',
            ["shocks[0].magnitude = 2", "0.0 to 1.0"],
        ),
        ("[[shocks]]\nat = 3\n", ["missing key shocks[0].kind"]),
        (
            '[[interventions]]\nkind = "debt_push"\nat = 3\nmagnitude = 1.5\n',
            ["interventions[0].magnitude = 1.5", "0.0 to 1.0"],
        ),
        ('[[interventions]]\nkind = "debt_push"\n', ["missing key interventions[0].at"]),
        (
            '[[interventions]]\nkind = "debt_push"\nat = 3\nrepeat = 2\n',
            ["unknown key interventions[0].repeat"],
        ),
        (
            '[[interventions]]\nkind = "hiring"\nat = 3\n',
            ['interventions[0].kind = "hiring"', "feedback_programme, restructure, debt_push"],
        ),
        (
            '[[interventions]]\nkind = "restructure"\nat = 3\n',
            ["missing key interventions[0].structure", "restructure"],
        ),
        (
            '[[interventions]]\nkind = "debt_push"\nat = 3\nstructure = "single_cio"\n',
            ["interventions[0].structure", "not allowed", 'kind = "restructure"'],
        ),
        (
            '[[interventions]]\nkind = "restructure"\nat = 3\nstructure = "cio_cto_splt"\n',
            [
                'interventions[0].structure = "cio_cto_splt"',
                "did you mean cio_cto_split?",
                "single_cio",
            ],
        ),
        (
            '[[interventions]]\nkind = "restructure"\nat = 3\nstructure = "nothere.toml"\n',
            ["interventions[0].structure", "nothere.toml"],
        ),
    ],
)
def test_scenario_errors_name_file_key_and_allowed(tmp_path, text, expected):
    path = write(tmp_path, "bad_scenario.toml", text)
    assert_mentions(message(load_scenario, path), "bad_scenario.toml", *expected)


def test_restructure_to_a_broken_structure_file(tmp_path):
    write(tmp_path, "broken_structure.toml", STRUCTURE.replace("cost = 3.0", "cost = -3.0"))
    path = write(
        tmp_path,
        "restructure.toml",
        '[[interventions]]\nkind = "restructure"\nat = 3\nstructure = "broken_structure.toml"\n',
    )
    text = message(load_scenario, path)
    assert_mentions(text, "restructure.toml", "interventions[0].structure", "roles.CIO.cost")


def test_restructure_to_a_structure_path_is_stored_resolved(tmp_path):
    target = write(tmp_path, "structures/mine.toml", STRUCTURE)
    path = write(
        tmp_path,
        "scen/restructure.toml",
        '[[interventions]]\nkind = "restructure"\nat = 3\nstructure = "../structures/mine.toml"\n',
    )
    stored = load_scenario(path).interventions[0].structure
    assert Path(stored).resolve() == target.resolve()
    assert load_structure(stored).name == "mine"


def test_scenario_timing_fields_round_trip(tmp_path):
    path = write(
        tmp_path,
        "timing.toml",
        '[[shocks]]\nkind = "demand_surge"\nwindow = [100, 200]\nduration = 5\nmagnitude = 2\n'
        "repeat = 2\n",
    )
    (shock,) = load_scenario(path).shocks
    assert shock == ShockSpec(
        kind="demand_surge", window=(100, 200), duration=5, magnitude=2.0, repeat=2
    )
    assert isinstance(shock.magnitude, float)


def test_unknown_scenario_name_lists_the_names():
    assert_mentions(message(load_scenario, "basline"), "basline", "did you mean baseline?")


# --- Parameters -----------------------------------------------------------------------------------


def test_build_params_applies_scenario_then_overrides():
    scenario = load_scenario("high_load")
    params = build_params(scenario, {"n_themes": 7, "request_rate": 2})
    assert params.request_rate == 2.0 and isinstance(params.request_rate, float)
    assert params.n_themes == 7
    assert build_params(scenario).request_rate == 1.0
    assert build_params(scenario, {}) == build_params(scenario, None)


def test_build_params_checks_overrides_with_their_origin():
    baseline = load_scenario("baseline")
    text = message(build_params, baseline, {"reqest_rate": 1.0}, origin="sweep.toml")
    assert_mentions(text, "sweep.toml", "reqest_rate", "did you mean request_rate?")
    text = message(build_params, baseline, {"steps": True})
    assert_mentions(text, "--set", "steps = true", "boolean")
    text = message(build_params, baseline, {"request_rate": 1000.0})
    assert_mentions(text, "--set", "request_rate = 1000.0", "0.0 to 100.0")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"team_size_min": 10, "team_size_max": 5}, ["team_size_min = 10", "team_size_max = 5"]),
        (
            {"share_strategic": 0.7, "share_change": 0.5},
            ["share_strategic + share_change", "at most 1"],
        ),
        ({"warmup": 1300}, ["warmup = 1300", "steps = 1300", "warmup < steps"]),
        ({"steps": 550}, ["warmup = 550", "steps = 550"]),
        (
            {"improvement_share_min": 0.5, "improvement_share_max": 0.2},
            ["improvement_share_min = 0.5", "improvement_share_max = 0.2"],
        ),
    ],
)
def test_cross_checks_name_the_offending_keys(overrides, expected):
    text = message(build_params, load_scenario("baseline"), overrides)
    assert_mentions(text, "--set", *expected)


def test_cross_checks_in_a_file_name_the_file(tmp_path):
    path = write(tmp_path, "sizes.toml", "[params]\nteam_size_min = 10\nteam_size_max = 5\n")
    text = message(build_params, load_scenario(path))
    assert_mentions(text, "sizes.toml", "team_size_min", "team_size_max")
    text = message(validate_file, path)
    assert_mentions(text, "sizes.toml", "team_size_min", "team_size_max")


def test_events_beyond_the_run_are_refused(tmp_path):
    text = message(build_params, load_scenario("incident_storm"), {"steps": 700})
    assert_mentions(text, "incident_storm.toml", "shocks[0].at = 740", "0 to 699", "steps = 700")
    text = message(build_params, load_scenario("restructure_to_split"), {"steps": 600})
    assert_mentions(text, "restructure_to_split.toml", "interventions[0].at = 690", "0 to 599")
    path = write(tmp_path, "late.toml", '[[shocks]]\nkind = "staff_loss"\nwindow = [10, 1300]\n')
    assert_mentions(message(build_params, load_scenario(path)), "late.toml", "window[1] = 1300")
    path = write(
        tmp_path,
        "repeats.toml",
        '[[shocks]]\nkind = "staff_loss"\nat = 700\nrepeat = 4\nevery = 200\n',
    )
    text = message(validate_file, path)
    assert_mentions(text, "repeats.toml", "shocks[0].at = 1300", "repeat 4 every 200")
    assert build_params(load_scenario(path), {"steps": 1301}).steps == 1301


def test_scenario_built_in_code_is_checked_too():
    scenario = Scenario(name="code", params=(("steps", -5),), source="<built-in>")
    assert_mentions(message(build_params, scenario), "<built-in>", "params.steps = -5")


def test_check_param_coerces_and_rejects():
    assert check_param("request_rate", 1, "x.toml") == 1.0
    assert isinstance(check_param("request_rate", 1, "x.toml"), float)
    assert check_param("steps", 10, "x.toml") == 10
    assert check_param("attention_policy", "urgent_first", "x.toml") == "urgent_first"
    assert_mentions(message(check_param, "steps", False, "x.toml"), "x.toml", "steps = false")
    assert_mentions(message(check_param, "request_rate", float("inf"), "x"), "out of range")


# --- Command-line assignments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("steps=300", ("steps", 300)),
        (" steps = 1e3 ", ("steps", 1000)),
        ("steps=1_000", ("steps", 1000)),
        ("request_rate=0.9", ("request_rate", 0.9)),
        ("request_rate=1", ("request_rate", 1.0)),
        ("attention_policy=protected_people_time", ("attention_policy", "protected_people_time")),
    ],
)
def test_parse_assignment_converts_by_type(text, expected):
    key, value = parse_assignment(text)
    assert (key, value) == expected
    assert type(value) is type(expected[1])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("steps", ['"steps"', "key=value"]),
        ("=3", ['"=3"', "key=value"]),
        ("reqest_rate=0.9", ["reqest_rate", "did you mean request_rate?"]),
        ("steps=1.5", ['steps = "1.5"', "not an integer", "1 to 100000"]),
        ("steps=abc", ['steps = "abc"', "not an integer"]),
        ("steps=0", ["steps = 0", "out of range", "1 to 100000"]),
        ("request_rate=fast", ['request_rate = "fast"', "not a number", "0.0 to 100.0"]),
        ("request_rate=nan", ["request_rate = nan", "out of range"]),
        ("request_rate=-1", ["request_rate = -1.0", "0.0 to 100.0"]),
        ("attention_policy=urgent", ['"urgent"', "urgent_first, protected_people_time"]),
    ],
)
def test_parse_assignment_errors(text, expected):
    assert_mentions(message(parse_assignment, text), "--set", *expected)


# --- Errors and helpers ---------------------------------------------------------------------------


def test_config_error_is_one_line():
    assert str(ConfigError("a\nb\r\nc")) == "a b c"


def test_did_you_mean():
    assert did_you_mean("reqest_rate", ["request_rate", "steps"]) == "did you mean request_rate?"
    assert did_you_mean("zzz", ["request_rate", "steps"]) == ""


def test_validate_file_decides_by_roles(tmp_path):
    assert validate_file(write(tmp_path, "s.toml", STRUCTURE)) == "structure"
    assert validate_file(write(tmp_path, "c.toml", 'description = "x"\n')) == "scenario"
