"""The dashboard's form without a browser: its fields, their ranges, and checking it into a set-up.

Nothing here needs Solara: the form is plain text in, a :class:`Setup` (or one message per wrong
field) out, so the normal test suite checks it without the dashboard extra.
"""

from __future__ import annotations

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
)
from sim.config.params import Params, param_infos, param_types
from sim.config.scenario import SHOCK_KINDS, Scenario, ShockSpec
from sim.errors import ConfigError

DEFAULT_EXPORT = "results/dashboard/scenario.toml"
NO_SHOCK = "none"
FRACTION_SHOCKS = ("staff_loss", "theme_reweighting")
MAX_SEEDS = 50
MAX_MULTIPLIER = 100.0

ORGANISATION = ("n_business_units", "n_delivery_teams", "n_platform_teams")
BEHAVIOUR = (
    "request_rate",
    "incident_rate",
    "coordination_multiplier",
    "goal_incongruence_multiplier",
    "trust_negative_weight",
    "steps",
)
CHOICES = ("attention_policy",)
FORM_PARAMS = ORGANISATION + BEHAVIOUR + CHOICES
SHOCK_FIELDS = ("shock_at", "shock_duration", "shock_magnitude")
SEED_FIELDS = ("seed", "seeds")


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
    """

    label: str
    unit: str
    integer: bool
    low: float
    high: float | None
    doc: str = ""

    def range_text(self) -> str:
        """The allowed range in words, e.g. ``"0.0 to 100.0 (requests per unit per tick)"``."""

        def show(x: float) -> str:
            return str(int(x)) if self.integer else f"{x:g}"

        text = (
            f">= {show(self.low)}"
            if self.high is None
            else f"{show(self.low)} to {show(self.high)}"
        )
        return f"{text} ({self.unit})" if self.unit else text


def field_specs(steps: int, shock_kind: str = NO_SHOCK) -> dict[str, FieldSpec]:
    """Every numeric input: the parameters' ranges from :func:`sim.config.params.param_infos`.

    Args:
        steps: Ticks in a run; bounds the shock's start tick and duration.
        shock_kind: The extra shock's kind; picks the magnitude's range (a fraction for staff
            loss and theme re-weighting, a multiplier otherwise).

    Returns:
        The spec of every numeric field, by field name.
    """
    infos, types = param_infos(), param_types()
    specs = {
        name: FieldSpec(
            label=name,
            unit=infos[name].unit,
            integer=types[name] is int,
            low=float(infos[name].low),  # type: ignore[arg-type]
            high=float(infos[name].high),  # type: ignore[arg-type]
            doc=infos[name].doc,
        )
        for name in ORGANISATION + BEHAVIOUR
    }
    fraction = shock_kind in FRACTION_SHOCKS
    specs["shock_at"] = FieldSpec("shock start", "tick", True, 0, max(steps - 1, 0), "First tick.")
    specs["shock_duration"] = FieldSpec(
        "shock duration", "ticks", True, 0, steps, "Length (0: instantaneous or for good)."
    )
    specs["shock_magnitude"] = FieldSpec(
        "shock magnitude",
        "fraction" if fraction else "multiplier",
        False,
        0,
        1.0 if fraction else MAX_MULTIPLIER,
        "Strength: a fraction of staff or themes, else a multiplier.",
    )
    specs["seed"] = FieldSpec(
        "seed", "root seed", True, 0, 2**31 - 1, "Master seed of the replications."
    )
    specs["seeds"] = FieldSpec("seeds", "replications", True, 1, MAX_SEEDS, "Paired replications.")
    return specs


def parse_number(text: Any, spec: FieldSpec) -> tuple[float | int | None, str | None]:
    """``(value, None)`` for an allowed entry, else ``(None, message naming the range)``."""
    raw = str(text if text is not None else "").strip()
    allowed = f"allowed {spec.range_text()}"
    try:
        number = float(raw)
    except ValueError:
        return None, f"{spec.label}: {raw or 'empty'} is not a number; {allowed}"
    if not math.isfinite(number):
        return None, f"{spec.label}: {raw} is not a finite number; {allowed}"
    if spec.integer and not number.is_integer():
        return None, f"{spec.label}: {raw} is not a whole number; {allowed}"
    if number < spec.low or (spec.high is not None and number > spec.high):
        return None, f"{spec.label}: {raw} is out of range; {allowed}"
    return (int(number) if spec.integer else number), None


@dataclass(frozen=True, slots=True)
class Setup:
    """A checked set-up: what one press of Run runs, and what Export writes.

    Attributes:
        scenario: The base scenario's name.
        structures: The reference structure and the other one.
        params: The parameter values chosen in the form.
        shock: The extra shock, or None.
        seed: Master seed: each replication's seed derives from it as in a batch.
        seeds: Number of paired replications.
    """

    scenario: str
    structures: tuple[str, str]
    params: Mapping[str, Any]
    shock: ShockSpec | None
    seed: int
    seeds: int

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

    def build(self) -> tuple[Scenario, Params]:
        """The scenario and its checked parameters."""
        scenario = self.scenario_obj()
        return scenario, build_params(scenario, origin="dashboard")


def scenario_defaults(name: str) -> dict[str, str]:
    """The form's text for every parameter field, as scenario ``name`` sets it."""
    params = build_params(load_scenario(name))
    return {
        n: f"{getattr(params, n):g}" if n not in CHOICES else getattr(params, n)
        for n in FORM_PARAMS
    }


def default_form(scenario: str = "baseline") -> dict[str, str]:
    """The form as it opens: ``scenario``'s parameters, no extra shock, seed 0, one seed."""
    structures = list_structures()
    a = "single_cio" if "single_cio" in structures else structures[0]
    b = "cio_cto_split" if "cio_cto_split" in structures else structures[-1]
    return {
        "scenario": scenario,
        "structure_a": a,
        "structure_b": b,
        **scenario_defaults(scenario),
        "shock_kind": NO_SHOCK,
        "shock_at": "740",
        "shock_duration": "20",
        "shock_magnitude": "2",
        "seed": "0",
        "seeds": "1",
        "export_path": DEFAULT_EXPORT,
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
    names = [*ORGANISATION, *BEHAVIOUR, *SEED_FIELDS]
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


def _check_choices(form: Mapping[str, str], values: dict[str, Any], errors: dict[str, str]) -> None:
    """Check the choices: the attention policy, both structures, the scenario, the shock kind."""
    for name in CHOICES:
        try:
            values[name] = check_param(name, form.get(name), "dashboard")
        except ConfigError as exc:
            errors[name] = str(exc)
    a, b = form.get("structure_a"), form.get("structure_b")
    structures = list_structures()
    for key, name in (("structure_a", a), ("structure_b", b)):
        if name not in structures:
            errors[key] = f"{key}: {name!r} is not a structure; allowed {', '.join(structures)}"
    if a == b and "structure_b" not in errors:
        errors["structure_b"] = "structure B: choose a structure other than structure A"
    if form.get("scenario") not in list_scenarios():
        errors["scenario"] = f"scenario: {form.get('scenario')!r} is not a shipped scenario"
    kind = form.get("shock_kind", NO_SHOCK)
    if kind != NO_SHOCK and kind not in SHOCK_KINDS:
        errors["shock_kind"] = f"shock kind: {kind!r}; allowed {', '.join(SHOCK_KINDS)}"


def _setup(form: Mapping[str, str], values: dict[str, Any]) -> Setup:
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
    return Setup(str(form["scenario"]), structures, values, shock, seed, seeds)


def check_form(form: Mapping[str, str]) -> tuple[Setup | None, dict[str, str]]:
    """Check the whole form.

    Every parameter also passes :func:`sim.config.loaders.check_param` and the whole set-up
    :func:`sim.config.loaders.build_params`, so nothing the loaders would refuse reaches the
    model.

    Args:
        form: The form's text, by field name (as :func:`default_form` lays it out).

    Returns:
        ``(setup, {})`` when every field passes, else ``(None, errors)`` with one message per
        wrong field, each naming the field and what is allowed.
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    _check_numbers(form, values, errors)
    _check_choices(form, values, errors)
    if errors:
        return None, errors
    setup = _setup(form, values)
    try:
        setup.build()
    except ConfigError as exc:  # cross-checks: warmup < steps, timing of the base's shocks
        message = str(exc).split(": ", 1)[-1]
        errors["steps" if "steps" in message or "warmup" in message else "scenario"] = message
        return None, errors
    return setup, {}
