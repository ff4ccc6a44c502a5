"""Fuzzing the loaders: whatever a file holds, loading it returns a result or raises ConfigError.

(a) Arbitrary text and bytes; (b) a valid scenario or structure with one key mutated to a random
TOML-representable value, written by a small TOML writer below.
"""

import math
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.config.loaders import build_params, load_scenario, load_structure, validate_file
from sim.config.params import Params
from sim.config.scenario import Scenario
from sim.config.structure import Structure
from sim.errors import ConfigError

FUZZ = settings(max_examples=100, deadline=None)

VALID_SCENARIO: dict[str, Any] = {
    "description": "A valid scenario to mutate.",
    "base": "baseline",
    "params": {"request_rate": 0.9, "steps": 500, "attention_policy": "urgent_first"},
    "shocks": [
        {"kind": "incident_storm", "at": 300, "duration": 20, "magnitude": 4.0},
        {"kind": "staff_loss", "window": [100, 200], "magnitude": 0.1, "repeat": 2},
        {"kind": "demand_surge", "at": 50, "every": 100, "repeat": 3, "magnitude": 1.5},
    ],
    "interventions": [
        {"kind": "restructure", "at": 250, "structure": "cio_cto_split"},
        {"kind": "debt_push", "at": 100, "duration": 50, "magnitude": 0.25},
    ],
}

VALID_STRUCTURE: dict[str, Any] = {
    "description": "A valid structure to mutate.",
    "roles": {
        "CIO": {
            "attention_hours": 9.0,
            "cost": 3.0,
            "expertise": {"business": 0.8, "technical": 0.6, "people": 0.7},
        },
        "CTO": {
            "attention_hours": 9,
            "cost": 2,
            "expertise": {"business": 0.5, "technical": 0.9, "people": 0.6},
        },
    },
    "decision_rights": {
        "investment": "CIO",
        "application": "CIO",
        "architecture": ["CIO", "CTO"],
        "infrastructure": "CTO",
        "stakeholder": "CIO",
        "people": "line",
    },
    "reporting": {"delivery": "CIO", "platform": "CTO"},
    "channels": [{"roles": ["CIO", "CTO"], "hours_per_tick": 0.75, "goal_incongruence": 0.2}],
}

# Names the loaders know, so mutations often hit the interesting branches, not only type errors.
NAMES = [
    "baseline",
    "cio_cto_split",
    "line",
    "CIO",
    "CTO",
    "incident_storm",
    "restructure",
    "staff_loss",
    "urgent_first",
    "fuzz.toml",
    "./fuzz.toml",
    "/",
    "",
]

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=-5, max_value=1_000),
    st.sampled_from([10**400, -(10**400)]),  # Python's tomllib reads integers of any size
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1.0, max_value=2.0),
    st.text(max_size=20),
    st.sampled_from(NAMES),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(NAMES)), inner, max_size=4),
    ),
    max_leaves=12,
)


# --- A small TOML writer: everything as inline values, None left out (TOML has no null) ---------


def toml_string(text: str) -> str:
    escaped = []
    for ch in text:
        if ch in '"\\':
            escaped.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:  # control characters must be escaped in TOML
            escaped.append(f"\\u{ord(ch):04x}")
        else:
            escaped.append(ch)
    return '"' + "".join(escaped) + '"'


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # nan, inf, -inf and 1e+16 are all valid TOML floats
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value if v is not None) + "]"
    pairs = (f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items() if v is not None)
    return "{" + ", ".join(pairs) + "}"


def toml_document(doc: dict[str, Any]) -> str:
    return "".join(f"{toml_string(k)} = {toml_value(v)}\n" for k, v in doc.items() if v is not None)


def test_toml_writer_round_trips():
    text = toml_document(VALID_SCENARIO | {"odd": {'a "b"\n': [1.5, None, math.inf, "\x7f"]}})
    assert tomllib.loads(text)["odd"] == {'a "b"\n': [1.5, math.inf, "\x7f"]}
    assert tomllib.loads(toml_document(VALID_STRUCTURE)) == VALID_STRUCTURE


# --- Helpers ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def outcome(call: Callable[..., Any], *args: Any) -> Any:
    """``call(*args)``, or None when it raised ConfigError (with a one-line message)."""
    try:
        return call(*args)
    except ConfigError as exc:
        assert str(exc) and "\n" not in str(exc)
        return None


def load_everything(path: Path) -> None:
    """Every loader on ``path``: each may succeed or raise ConfigError, nothing else."""
    scenario = outcome(load_scenario, path)
    if scenario is not None:
        assert isinstance(scenario, Scenario)
        params = outcome(build_params, scenario)
        assert params is None or isinstance(params, Params)
    structure = outcome(load_structure, path)
    assert structure is None or isinstance(structure, Structure)
    assert outcome(validate_file, path) in (None, "scenario", "structure")


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside ``node``: dict keys and list indices."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*prefix, i))
    return found


def mutate(doc: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """A deep copy of ``doc`` with one value replaced, one key deleted or one key added."""
    doc = tomllib.loads(toml_document(doc))  # a deep copy
    path = data.draw(st.sampled_from(paths(doc)), label="path")
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    action = data.draw(st.sampled_from(["replace", "delete", "add"]), label="action")
    if action == "replace" or isinstance(parent, list):
        parent[path[-1]] = data.draw(VALUES, label="value")
    elif action == "delete":
        del parent[path[-1]]
    else:
        parent[data.draw(st.text(max_size=12), label="new key")] = data.draw(VALUES, label="value")
    return doc


# --- (a) Arbitrary text ---------------------------------------------------------------------------

# Fragments of plausible files, so random text often parses and reaches the checks.
FRAGMENTS = st.sampled_from(
    [
        "[params]\n",
        "[[shocks]]\n",
        "[[interventions]]\n",
        "[roles.CIO]\n",
        "[decision_rights]\n",
        "[reporting]\n",
        "[[channels]]\n",
        'base = "baseline"\n',
        'base = "fuzz.toml"\n',
        'kind = "incident_storm"\n',
        'kind = "restructure"\n',
        'structure = "cio_cto_split"\n',
        "at = 3\n",
        "window = [1, 2]\n",
        "steps = 10\n",
        "request_rate = 0.5\n",
        "attention_hours = 9.0\n",
        "expertise = { business = 1, technical = 1, people = 1 }\n",
        'roles = ["CIO", "CTO"]\n',
        'investment = ["CIO", "CTO"]\n',
        "= ",
        '"',
        "[",
        "]",
        "\n",
    ]
)


def near_toml(fragments):
    """Arbitrary text, and text glued from fragments of valid files (closer to the parser)."""
    return st.one_of(
        st.text(max_size=200),
        st.lists(st.one_of(fragments, st.text(max_size=5)), max_size=25).map("".join),
    )


TEXTS = near_toml(FRAGMENTS)


@FUZZ
@given(text=TEXTS)
def test_arbitrary_text_only_ever_raises_config_error(folder, text):
    path = folder / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    load_everything(path)


@settings(max_examples=30, deadline=None)
@given(raw=st.binary(max_size=100))
def test_arbitrary_bytes_only_ever_raise_config_error(folder, raw):
    path = folder / "fuzz.toml"
    path.write_bytes(raw)
    load_everything(path)


# --- (b) Structured mutations of valid files ------------------------------------------------------


@pytest.mark.parametrize(
    ("valid", "loader", "kind"),
    [(VALID_SCENARIO, load_scenario, Scenario), (VALID_STRUCTURE, load_structure, Structure)],
    ids=["scenario", "structure"],
)
def test_valid_documents_load(folder, valid, loader, kind):
    path = folder / "valid.toml"
    path.write_text(toml_document(valid), encoding="utf-8")
    assert isinstance(loader(path), kind)


@FUZZ
@given(data=st.data())
def test_mutated_scenario_loads_or_raises_config_error(folder, data):
    path = folder / "fuzz.toml"
    path.write_text(toml_document(mutate(VALID_SCENARIO, data)), encoding="utf-8")
    scenario = outcome(load_scenario, path)
    if scenario is not None:
        assert isinstance(scenario, Scenario)
        params = outcome(build_params, scenario)
        assert params is None or isinstance(params, Params)


@FUZZ
@given(data=st.data())
def test_mutated_structure_loads_or_raises_config_error(folder, data):
    path = folder / "fuzz.toml"
    path.write_text(toml_document(mutate(VALID_STRUCTURE, data)), encoding="utf-8")
    structure = outcome(load_structure, path)
    assert structure is None or isinstance(structure, Structure)
