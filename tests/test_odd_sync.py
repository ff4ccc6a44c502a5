"""The ODD's names stay in step with the code (issue 20, item 4).

``docs/ODD.md`` writes parameters, measures, state variables and file keys in backticks. These
tests read the code's names at run time (so a field added or renamed in ``sim/config/params*.py``
is seen at once) and check both directions:

- every backticked ``snake_case`` name in the ODD is something the code has: a ``Params`` field,
  a per-tick measure (``TICK_METRICS``), a per-executive column (``EXEC_COLUMNS``), a run summary
  column (``SUMMARY_OUTCOMES``), a key of a structure or scenario file, a shipped structure,
  scenario, shock or intervention kind, a field of a record, an attribute of an agent or submodel
  of a built model, a function or method of ``sim/model/``, or one of a short allow-list;
  a name with a ``<kind>`` or ``*`` placeholder must match at least one of them;
- every ``Params`` field is named in the ODD, unless listed in ``UNDOCUMENTED`` with a reason.

Names inside code blocks (the indented equations) count as mentions of a parameter but are not
checked against the code, since equations also use local names (``demand``, ``quality``).
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import tomllib
from functools import cache
from pathlib import Path

import sim.model
from sim.config.params import Params
from sim.config.scenario import SHOCK_KINDS
from sim.model import outcomes, recorder, records
from tests.conftest import make_model

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"

# Backticked snake_case names the ODD uses that are none of the code's names above, with why.
ALLOWED = {
    "agents_by_type": "Mesa's AgentSet lookup (section 3)",
    "portfolio_room": "the name the equation of 7.6 gives the portfolio's `room`",
    "urgent_first": "a value of attention_policy",
    "protected_people_time": "a value of attention_policy",
}

# "`name` = number" statements that are not a parameter's default, with the reason.
NOT_DEFAULTS = {
    "joint_conflict_delay": "'with `joint_conflict_delay` = 0': a case, not the default",
    "coordination_multiplier": "'at `coordination_multiplier` = 0': a case, not the default",
    "channel_trust_gain": "'2 x `channel_trust_gain` = 0.10': a product",
    "cio_nontechnical_share": "the measure's definition",
}
VALUE = re.compile(r"`([A-Za-z][A-Za-z0-9_]*)` = (-?[0-9]+(?:\.[0-9]+)?)(?![0-9.]*[0-9])")

# Params fields the ODD need not name, with the reason.
UNDOCUMENTED: dict[str, str] = {}

TOKEN = re.compile(r"`([a-z][a-z0-9]*(?:_(?:[a-z0-9]+|<kind>|\*))+)`")


def _odd_text(code_blocks: bool) -> str:
    """The ODD's prose (or everything, with indented equation blocks, if ``code_blocks``)."""
    lines = ODD.read_text(encoding="utf-8").splitlines()
    if code_blocks:
        return "\n".join(lines)
    return "\n".join(line for line in lines if not line.startswith("    ") or line.strip() == "")


def _toml_keys(folder: str) -> set[str]:
    keys: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                keys.add(k)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for path in (ROOT / folder).glob("*.toml"):
        walk(tomllib.loads(path.read_text(encoding="utf-8")))
    return keys


def _attributes(obj: object) -> set[str]:
    names = set(getattr(obj, "__dict__", {}))
    for cls in type(obj).__mro__:
        names.update(getattr(cls, "__slots__", ()))
    return names


@cache
def known_names() -> frozenset[str]:
    """Every name the code has that the ODD may write in backticks, read now."""
    names: set[str] = {f.name for f in dataclasses.fields(Params)}
    names |= set(recorder.TICK_METRICS) | set(recorder.EXEC_COLUMNS)
    names |= set(outcomes.SUMMARY_OUTCOMES)
    names |= _toml_keys("structures") | _toml_keys("scenarios")
    names |= {p.stem for folder in ("structures", "scenarios") for p in (ROOT / folder).glob("*")}
    names |= set(SHOCK_KINDS) | {"feedback_programme", "debt_push", "restructure"}
    for _, cls in inspect.getmembers(records, inspect.isclass):
        if dataclasses.is_dataclass(cls):
            names |= {f.name for f in dataclasses.fields(cls)}
    # State variables: attributes of every agent and submodel of a built model.
    model = make_model("cio_cto_split", steps=2, warmup=1)
    model.step()
    parts = [model, *model.unit_list, *model.team_list, *model.executives_by_name.values()]
    parts += [model.demand, model.decisions, model.portfolio, model.coordination, model.market]
    parts += list(model.coordination.channels.values())
    for part in parts:
        names |= _attributes(part)
    # Functions, methods and module constants of the model package.
    for info in sim.model.__path__:
        for path in Path(info).glob("*.py"):
            module = __import__(f"sim.model.{path.stem}", fromlist=["_"])
            for name, member in vars(module).items():
                names.add(name.lower() if name.isupper() else name)
                if inspect.isclass(member) and member.__module__ == module.__name__:
                    names |= set(vars(member))
    return frozenset(names)


def _matches(token: str, names: frozenset[str]) -> bool:
    if "<kind>" not in token and "*" not in token:
        return token in names
    pattern = re.compile(re.escape(token).replace("<kind>", "[a-z]+").replace(r"\*", "[a-z_]+"))
    return any(pattern.fullmatch(n) for n in names)


def test_every_backticked_name_is_in_the_code():
    names = known_names() | set(ALLOWED)
    tokens = sorted(set(TOKEN.findall(_odd_text(code_blocks=False))))
    assert tokens, "the ODD names nothing in backticks?"
    unknown = [t for t in tokens if not _matches(t, names)]
    assert not unknown, f"ODD names unknown to the code (rename, or add to ALLOWED): {unknown}"


def test_every_parameter_is_in_the_odd():
    text = _odd_text(code_blocks=True)
    mentioned = set(re.findall(r"[a-z][a-z0-9_]*", text))
    templated = [t for t in TOKEN.findall(text) if "<kind>" in t or "*" in t]
    missing = []
    for f in dataclasses.fields(Params):
        if f.name in mentioned or f.name in UNDOCUMENTED:
            continue
        if any(_matches(t, frozenset({f.name})) for t in templated):
            continue
        missing.append(f.name)
    assert not missing, f"Params fields the ODD never names (document or list): {missing}"


def test_undocumented_parameters_exist():
    fields = {f.name for f in dataclasses.fields(Params)}
    assert set(UNDOCUMENTED) <= fields, set(UNDOCUMENTED) - fields


def _constant(name: str) -> object:
    """The value of a module-level constant ``name`` of ``sim/model`` or ``sim/config``."""
    for package in ("model", "config"):
        for path in sorted((ROOT / "sim" / package).glob("*.py")):
            module = __import__(f"sim.{package}.{path.stem}", fromlist=["_"])
            if hasattr(module, name):
                return getattr(module, name)
    raise AssertionError(f"the ODD names a constant `{name}` the code does not have")


def test_stated_values_match_the_code():
    # "`TRUST_FACTOR` = 1.5" and "`n_themes` = 5": a named constant's value, a parameter's default.
    defaults = {f.name: f.default for f in dataclasses.fields(Params)}
    wrong = []
    for name, value in VALUE.findall(_odd_text(code_blocks=False)):
        if name in NOT_DEFAULTS:
            continue
        if name.isupper():
            actual = _constant(name)
        elif name in defaults:
            actual = defaults[name]
        else:
            continue  # a measure or a variable: a statement about a case, not checked
        if float(actual) != float(value):  # type: ignore[arg-type]
            wrong.append(f"{name}: ODD {value}, code {actual}")
    assert not wrong, f"values the ODD states that the code no longer has: {wrong}"


def test_allow_list_is_needed():
    # An allow-listed name the code now has, or the ODD no longer uses, should leave the list.
    tokens = set(TOKEN.findall(_odd_text(code_blocks=False)))
    stale = [n for n in ALLOWED if n in known_names() or n not in tokens]
    assert not stale, f"ALLOWED entries no longer needed: {stale}"
