"""The dashboard's form without a browser: its fields, their ranges, and checking it into a set-up.

Nothing here needs Solara: the form is plain text in, a :class:`Setup` (or one message per wrong
field) out, so the normal test suite checks it without the dashboard extra.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.config.loaders import (
    build_params,
    check_param,
    list_scenarios,
    list_structures,
    load_scenario,
    load_structure,
)
from sim.config.params import Params, param_infos, param_types
from sim.config.scenario import SHOCK_KINDS, Scenario, ShockSpec
from sim.config.structure import NUMBER_RANGES, STRUCTURE_PREFIX, Structure
from sim.config.structure import number_field as range_field
from sim.config.structure_overrides import override_structure
from sim.errors import ConfigError

NO_SHOCK = "none"
FRACTION_SHOCKS = ("staff_loss", "theme_reweighting")
MAX_SEEDS = 50
MAX_MULTIPLIER = 100.0
EDITED = "_edited"  # the name of a structure whose numbers were changed ends in this
DEFAULT_SEEDS = 10  # enough pairs for the verdict rule to decide on a clear difference

# The inputs a strategist sets, in the groups the form shows them in (each a parameter of
# sim.config.params; its label, unit, range and one-line help come from the parameter table).
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Organisation", ("n_business_units", "n_delivery_teams", "n_platform_teams")),
    ("Demand", ("request_rate", "share_strategic", "incident_rate", "turbulence")),
    ("People", ("exhaustion_rise", "attrition_base", "hiring_delay")),
    (
        "Leadership",
        (
            "coordination_multiplier",
            "goal_incongruence_multiplier",
            "trust_negative_weight",
            "decision_hours",
        ),
    ),
    ("Run", ("steps", "warmup")),
)
ORGANISATION = GROUPS[0][1]
NUMBER_PARAMS = tuple(name for _, names in GROUPS for name in names)
CHOICES = ("attention_policy",)
FORM_PARAMS = NUMBER_PARAMS + CHOICES
SHOCK_FIELDS = ("shock_at", "shock_duration", "shock_magnitude")
SEED_FIELDS = ("seed", "seeds")
SIDES = ("a", "b")  # structure A (the reference) and structure B
CUSTOM = "custom"
# Organisation sizes to start from: the default is the model's mid-sized IT function; the others
# halve it and triple it (assumptions: no published organisation is modelled).
PRESETS: dict[str, dict[str, int]] = {
    "small (4 units, 5 teams)": {
        "n_business_units": 4,
        "n_delivery_teams": 3,
        "n_platform_teams": 2,
    },
    "mid-sized (8 units, 12 teams)": {
        "n_business_units": 8,
        "n_delivery_teams": 7,
        "n_platform_teams": 5,
    },
    "large (24 units, 36 teams)": {
        "n_business_units": 24,
        "n_delivery_teams": 21,
        "n_platform_teams": 15,
    },
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One numeric input of the form.

    Attributes:
        label: What the form calls it.
        unit: Unit of measure, in words.
        integer: Whether only whole numbers are allowed.
        low: Smallest allowed value (inclusive).
        high: Largest allowed value (inclusive), or None for no limit.
        doc: One-sentence meaning, shown as the field's hint.
        key: The name files use for it (a parameter's or a structure number's), if any.
        low_open: Whether ``low`` itself is excluded (an expertise must be above 0).
    """

    label: str
    unit: str
    integer: bool
    low: float
    high: float | None
    doc: str = ""
    key: str = ""
    low_open: bool = False

    def range_text(self) -> str:
        """The allowed range in words, e.g. ``"0 to 100 requests per unit per tick"``."""

        def show(x: float) -> str:
            return str(int(x)) if self.integer else f"{x:g}"

        if self.high is None:
            text = f"{'>' if self.low_open else '>='} {show(self.low)}"
        elif self.low_open:
            text = f"above {show(self.low)}, to {show(self.high)}"
        else:
            text = f"{show(self.low)} to {show(self.high)}"
        return f"{text} {self.unit}" if self.unit else text

    def name(self) -> str:
        """How messages name the field: its label, and the files' name for it."""
        return f"{self.label} ({self.key})" if self.key else self.label


def field_specs(steps: int, shock_kind: str = NO_SHOCK) -> dict[str, FieldSpec]:
    """Every numeric input but the structure numbers, from the parameter table.

    Args:
        steps: Ticks in a run; bounds the shock's start tick and duration.
        shock_kind: The extra shock's kind; picks the magnitude's range (a fraction for staff
            loss and theme re-weighting, a multiplier otherwise).

    Returns:
        The spec of every numeric field, by field name: each parameter's label, unit, allowed
        range and one-line help as :func:`sim.config.params.param_infos` gives them.
    """
    infos, types = param_infos(), param_types()
    specs = {
        name: FieldSpec(
            label=infos[name].title(name),
            unit=infos[name].unit,
            integer=types[name] is int,
            low=float(infos[name].low),  # type: ignore[arg-type]
            high=float(infos[name].high),  # type: ignore[arg-type]
            doc=infos[name].doc,
            key=name,
        )
        for name in NUMBER_PARAMS
    }
    fraction = shock_kind in FRACTION_SHOCKS
    specs["shock_at"] = FieldSpec(
        "Shock start", "tick", True, 0, max(steps - 1, 0), "The tick the extra shock starts on."
    )
    specs["shock_duration"] = FieldSpec(
        "Shock duration", "ticks", True, 0, steps, "How long it lasts (0: an instant, or for good)."
    )
    specs["shock_magnitude"] = FieldSpec(
        "Shock magnitude",
        "fraction" if fraction else "multiplier",
        False,
        0,
        1.0 if fraction else MAX_MULTIPLIER,
        "A fraction of staff or of market themes, else a multiplier of the load.",
    )
    specs["seed"] = FieldSpec(
        "Master seed", "root seed", True, 0, 2**31 - 1, "Each replication's seed derives from it."
    )
    specs["seeds"] = FieldSpec(
        "Replications",
        "paired runs",
        True,
        1,
        MAX_SEEDS,
        "Runs of both structures on the same seeds; the verdict needs several.",
    )
    return specs


_NUMBER_WORDS = {
    "attention_hours": ("attention", "Hours a tick the role gives to its work."),
    "cost": ("cost", "What the role costs a tick."),
    "hours_per_tick": ("coordination", "Hours a tick each role spends on the channel."),
    "goal_incongruence": ("goal conflict", "Chance a joint decision meets opposed goals."),
}


def number_field(side: str, key: str) -> str:
    """The form field of structure number ``key`` of structure ``side`` (``a.roles.CIO.cost``)."""
    return f"{side}.{key}"


def structure_specs(side: str, structure: Structure) -> dict[str, FieldSpec]:
    """One field per number of ``structure`` (structure ``side``), with its unit and range.

    Args:
        side: ``"a"`` or ``"b"``.
        structure: The structure chosen on that side.

    Returns:
        Field name -> spec, in the file's order; ranges as the structure loader checks them.
    """
    specs = {}
    for key in structure.numbers():
        kind, name, *rest = key.split(".")
        field = range_field(key)
        rule = NUMBER_RANGES[field]  # type: ignore[index]
        if kind == "channels":
            who = "–".join(structure.channels[int(name)].roles) + " channel"
        else:
            who = name
        last = rest[-1]
        what, doc = (
            (f"{last} expertise", f"The role's {last} expertise (0-1).")
            if field == "expertise"
            else _NUMBER_WORDS[last]
        )
        low = float(rule["low"])
        specs[number_field(side, key)] = FieldSpec(
            f"{who}: {what}",
            str(rule["unit"]),
            False,
            low,
            None if rule.get("high") is None else float(rule["high"]),
            doc,
            key=STRUCTURE_PREFIX + key,
            low_open=bool(rule.get("low_open")),
        )
    return specs


def parse_number(text: Any, spec: FieldSpec) -> tuple[float | int | None, str | None]:
    """``(value, None)`` for an allowed entry, else ``(None, message naming the range)``."""
    raw = str(text if text is not None else "").strip()
    allowed = f"allowed {spec.range_text()}"
    label = spec.name()
    try:
        number = float(raw)
    except ValueError:
        return None, f"{label}: {raw or 'empty'} is not a number; {allowed}"
    if not math.isfinite(number):
        return None, f"{label}: {raw} is not a finite number; {allowed}"
    if spec.integer and not number.is_integer():
        return None, f"{label}: {raw} is not a whole number; {allowed}"
    too_low = number <= spec.low if spec.low_open else number < spec.low
    if too_low or (spec.high is not None and number > spec.high):
        return None, f"{label}: {raw} is out of range; {allowed}"
    return (int(number) if spec.integer else number), None


@dataclass(frozen=True, slots=True)
class Setup:
    """A checked set-up: what one press of Run runs, and what the downloads hold.

    Attributes:
        scenario: The base scenario's name.
        structures: The reference structure and the other one.
        params: The parameter values chosen in the form.
        shock: The extra shock, or None.
        seed: Master seed: each replication's seed derives from it as in a batch.
        seeds: Number of paired replications.
        numbers: Per structure, the numbers of its file changed in the form (dotted key, as
            :meth:`sim.config.structure.Structure.numbers` names them, -> value).
    """

    scenario: str
    structures: tuple[str, str]
    params: Mapping[str, Any]
    shock: ShockSpec | None
    seed: int
    seeds: int
    numbers: tuple[Mapping[str, float], Mapping[str, float]] = ({}, {})

    def scenario_obj(self) -> Scenario:
        """The scenario that runs: the base, the chosen parameters and the extra shock.

        It loads exactly as the exported file does (the file's ``[params]`` over its base's, the
        base's shocks followed by the extra one, the base's interventions).
        """
        base = load_scenario(self.scenario)
        extra = (self.shock,) if self.shock is not None else ()
        return Scenario(
            name=base.name,
            description=base.description,
            params=tuple(sorted((dict(base.params) | dict(self.params)).items())),
            shocks=(*base.shocks, *extra),
            interventions=base.interventions,
            source=base.source,
        )

    @property
    def labels(self) -> tuple[str, str]:
        """The names the runs are labelled by.

        A structure with changed numbers is another structure, named ``<name>_edited``, so no
        result passes for the shipped file's.
        """
        return tuple(  # type: ignore[return-value]
            f"{name}{EDITED}" if numbers else name
            for name, numbers in zip(self.structures, self.numbers, strict=True)
        )

    def structure_obj(self, side: int) -> Structure:
        """Structure ``side`` (0: A, 1: B) as it runs: its file with the form's numbers."""
        numbers = {STRUCTURE_PREFIX + k: v for k, v in self.numbers[side].items()}
        structure = override_structure(load_structure(self.structures[side]), numbers, "dashboard")
        return dataclasses.replace(structure, name=self.labels[side])

    def structure_objs(self) -> tuple[Structure, Structure]:
        """Both structures as they run: each file with the numbers changed in the form."""
        return self.structure_obj(0), self.structure_obj(1)

    def build(self) -> tuple[Scenario, Params]:
        """The scenario and its checked parameters (the structures are checked too)."""
        self.structure_objs()
        scenario = self.scenario_obj()
        return scenario, build_params(scenario, origin="dashboard")


def _text(value: Any) -> str:
    """A value as the form shows it."""
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def scenario_defaults(name: str) -> dict[str, str]:
    """The form's text for every parameter field, as scenario ``name`` sets it."""
    params = build_params(load_scenario(name))
    return {n: _text(getattr(params, n)) for n in FORM_PARAMS}


def structure_defaults(side: str, name: str) -> dict[str, str]:
    """The form's text for every number of structure ``name`` on ``side``, as its file has it."""
    numbers = load_structure(name).numbers()
    return {number_field(side, k): _text(v) for k, v in numbers.items()}


def preset_of(form: Mapping[str, str]) -> str:
    """The organisation preset the form's sizes match, or :data:`CUSTOM`."""
    for name, sizes in PRESETS.items():
        if all(form.get(k) == str(v) for k, v in sizes.items()):
            return name
    return CUSTOM


def with_preset(form: Mapping[str, str], preset: str) -> dict[str, str]:
    """``form`` with the organisation sizes of ``preset`` (:data:`CUSTOM` changes nothing)."""
    return {**form, **{k: str(v) for k, v in PRESETS.get(preset, {}).items()}}


def with_structure(form: Mapping[str, str], side: str, name: str) -> dict[str, str]:
    """``form`` with structure ``name`` on ``side``, its numbers as its file has them."""
    kept = {k: v for k, v in form.items() if not k.startswith(f"{side}.")}
    known = name in list_structures()
    return {**kept, f"structure_{side}": name, **(structure_defaults(side, name) if known else {})}


def default_form(scenario: str = "baseline") -> dict[str, str]:
    """The form as it opens: ``scenario``'s parameters, no extra shock, seed 0, ten seeds."""
    structures = list_structures()
    a = "single_cio" if "single_cio" in structures else structures[0]
    b = "cio_cto_split" if "cio_cto_split" in structures else structures[-1]
    return {
        "scenario": scenario,
        "structure_a": a,
        "structure_b": b,
        **scenario_defaults(scenario),
        **structure_defaults("a", a),
        **structure_defaults("b", b),
        "shock_kind": NO_SHOCK,
        "shock_at": "740",
        "shock_duration": "20",
        "shock_magnitude": "2",
        "seed": "0",
        "seeds": str(DEFAULT_SEEDS),
    }


def _check_numbers(form: Mapping[str, str], values: dict[str, Any], errors: dict[str, str]) -> None:
    """Parse every numeric field in use into ``values``, or its message into ``errors``.

    The shock's start and duration are skipped while ``steps`` is wrong: their range depends
    on it. Every parameter also passes :func:`sim.config.loaders.check_param`.
    """
    kind = form.get("shock_kind", NO_SHOCK)
    steps, error = parse_number(form.get("steps"), field_specs(1)["steps"])
    steps_ok = error is None
    specs = field_specs(int(steps) if steps_ok else 1, kind)
    names = [*NUMBER_PARAMS, *SEED_FIELDS]
    if kind != NO_SHOCK:
        names += SHOCK_FIELDS
    for name in names:
        if name in ("shock_at", "shock_duration") and not steps_ok:
            continue
        value, error = parse_number(form.get(name), specs[name])
        if error is None and name in param_infos():
            try:
                value = check_param(name, value, "dashboard")
            except ConfigError as exc:
                error = str(exc)
        if error is None:
            values[name] = value
        else:
            errors[name] = error


def _check_structure_numbers(
    form: Mapping[str, str], errors: dict[str, str]
) -> tuple[dict[str, float], dict[str, float]]:
    """Each side's structure numbers that differ from its file, or their messages in ``errors``."""
    changed: list[dict[str, float]] = []
    for side in SIDES:
        name = form.get(f"structure_{side}")
        mine: dict[str, float] = {}
        if name in list_structures():
            structure = load_structure(str(name))
            numbers, specs = structure.numbers(), structure_specs(side, structure)
            for key, original in numbers.items():
                field_name = number_field(side, key)
                value, error = parse_number(
                    form.get(field_name, _text(original)), specs[field_name]
                )
                if error is not None:
                    errors[field_name] = error
                elif value != original:
                    mine[key] = float(value)  # type: ignore[arg-type]
        changed.append(mine)
    return changed[0], changed[1]


def _check_choices(
    form: Mapping[str, str],
    values: dict[str, Any],
    errors: dict[str, str],
    numbers: tuple[dict[str, float], dict[str, float]],
) -> None:
    """Check the choices: the attention policy, both structures, the scenario, the shock kind.

    The same structure on both sides is allowed once its numbers differ on one side.
    """
    for name in CHOICES:
        try:
            values[name] = check_param(name, form.get(name), "dashboard")
        except ConfigError as exc:
            errors[name] = str(exc)
    a, b = form.get("structure_a"), form.get("structure_b")
    structures = list_structures()
    for key, name in (("structure_a", a), ("structure_b", b)):
        if name not in structures:
            side = key[-1].upper()
            errors[key] = (
                f"Structure {side}: {name!r} is not a shipped structure;"
                f" allowed {', '.join(structures)}"
            )
    if a == b and "structure_b" not in errors and not any(numbers):
        errors["structure_b"] = (
            "Structure B: choose a structure other than structure A, or change its numbers"
        )
    if form.get("scenario") not in list_scenarios():
        errors["scenario"] = f"scenario: {form.get('scenario')!r} is not a shipped scenario"
    kind = form.get("shock_kind", NO_SHOCK)
    if kind != NO_SHOCK and kind not in SHOCK_KINDS:
        errors["shock_kind"] = (
            f"Shock kind: {kind!r} is not a kind of shock; allowed {', '.join(SHOCK_KINDS)}"
        )


def _setup(form: Mapping[str, str], values: dict[str, Any], numbers: tuple[dict, dict]) -> Setup:
    """The set-up of a form whose every field passed (``values`` is consumed)."""
    kind = form.get("shock_kind", NO_SHOCK)
    shock = None
    if kind != NO_SHOCK:
        shock = ShockSpec(
            kind=kind,
            at=values.pop("shock_at"),
            duration=values.pop("shock_duration"),
            magnitude=float(values.pop("shock_magnitude")),
        )
    seed, seeds = values.pop("seed"), values.pop("seeds")
    structures = (str(form.get("structure_a")), str(form.get("structure_b")))
    return Setup(str(form["scenario"]), structures, values, shock, seed, seeds, numbers)


def check_form(form: Mapping[str, str]) -> tuple[Setup | None, dict[str, str]]:
    """Check the whole form.

    Every parameter also passes :func:`sim.config.loaders.check_param`, the structure numbers the
    structure loader's checks, and the whole set-up :func:`sim.config.loaders.build_params`, so
    nothing the loaders would refuse reaches the model.

    Args:
        form: The form's text, by field name (as :func:`default_form` lays it out).

    Returns:
        ``(setup, {})`` when every field passes, else ``(None, errors)`` with one message per
        wrong field, each naming the field and what is allowed.
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    _check_numbers(form, values, errors)
    numbers = _check_structure_numbers(form, errors)
    _check_choices(form, values, errors, numbers)
    if errors:
        return None, errors
    setup = _setup(form, values, numbers)
    try:
        setup.build()
    except ConfigError as exc:  # cross-checks: warmup < steps, timing of the base's shocks
        message = str(exc).split(": ", 1)[-1]
        field_name = "scenario"
        if "warmup" in message:
            field_name = "warmup"
        elif "steps" in message:
            field_name = "steps"
        errors[field_name] = message
        return None, errors
    return setup, {}
