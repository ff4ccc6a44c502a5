"""Interactive dashboard: two leadership structures side by side, on the same seed, in a browser.

A strategist picks a scenario, two structures, an optional extra shock, the organisation's size
and the main behavioural parameters; both structures then step together on the same seed (common
random numbers) in a background thread while the charts fill in, and a summary card gives the
paired differences of the headline outcomes. With more than one seed the card shows the paired
comparison of :func:`sim.analysis.paired_comparison` (mean difference and 95% interval). The
set-up can be exported as a scenario file that ``itlead validate`` and ``itlead run`` accept and
that gives the same numbers.

Start it with ``python -m sim.dashboard --port 8765`` (or :func:`serve`). It needs the optional
extra: ``pip install -e '.[dashboard]'``.
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import json
import math
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.stats import paired_comparison
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
from sim.experiments.replicate import Progress, paired_replications
from sim.model.outcomes import HEADLINE

try:
    import solara
except ImportError as exc:  # pragma: no cover - the extra is optional
    raise ImportError(
        "the dashboard needs the optional extra: .venv/bin/pip install -e '.[dashboard]'"
    ) from exc

DEFAULT_EXPORT = "results/dashboard/scenario.toml"
DEFAULT_PORT = 8765
INCREMENT = 25  # ticks each structure steps between chart updates
ROLLING = 20  # ticks in the rolling mean of lead time
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


# --- The form, without a browser --------------------------------------------------------------


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
    """Every numeric input: the parameters' ranges from :func:`sim.params.param_infos`.

    ``steps`` bounds the shock's start tick; ``shock_kind`` picks the magnitude's range (a
    fraction for staff loss and theme re-weighting, a multiplier otherwise).
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
    specs["seed"] = FieldSpec("seed", "root seed", True, 0, 2**31 - 1, "Root seed of both runs.")
    specs["seeds"] = FieldSpec(
        "seeds", "replications", True, 1, MAX_SEEDS, "Seeds seed, seed+1, ... (paired)."
    )
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
        "shock_at": "300",
        "shock_duration": "20",
        "shock_magnitude": "2",
        "seed": "0",
        "seeds": "1",
        "export_path": DEFAULT_EXPORT,
    }


def check_form(form: Mapping[str, str]) -> tuple[Setup | None, dict[str, str]]:
    """Check the whole form: the set-up, or None and one message per field that is wrong.

    Every parameter also passes :func:`sim.config.check_param` and the whole set-up
    :func:`sim.config.build_params`, so nothing the loaders would refuse reaches the model.
    """
    errors: dict[str, str] = {}
    steps_spec = field_specs(1)["steps"]
    steps, error = parse_number(form.get("steps"), steps_spec)
    steps_ok = error is None
    specs = field_specs(int(steps) if steps_ok else 1, form.get("shock_kind", NO_SHOCK))
    values: dict[str, Any] = {}
    names = [*ORGANISATION, *BEHAVIOUR, "seed", "seeds"]
    if form.get("shock_kind", NO_SHOCK) != NO_SHOCK:
        names += ["shock_at", "shock_duration", "shock_magnitude"]
    for name in names:
        if name in ("shock_at", "shock_duration") and not steps_ok:
            continue  # their range depends on steps
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
    if errors:
        return None, errors
    shock = None
    if kind != NO_SHOCK:
        shock = ShockSpec(
            kind=kind,
            at=values.pop("shock_at"),
            duration=values.pop("shock_duration"),
            magnitude=float(values.pop("shock_magnitude")),
        )
    seed, seeds = values.pop("seed"), values.pop("seeds")
    setup = Setup(str(form["scenario"]), (str(a), str(b)), values, shock, seed, seeds)
    try:
        setup.build()
    except ConfigError as exc:  # cross-checks: warmup < steps, timing of the base's shocks
        message = str(exc).split(": ", 1)[-1]
        errors["steps" if "steps" in message or "warmup" in message else "scenario"] = message
        return None, errors
    return setup, {}


# --- Export -----------------------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value))  # a TOML basic string uses JSON's escapes


def _shock_lines(shock: ShockSpec) -> list[str]:
    lines = ["[[shocks]]", f"kind = {_toml_value(shock.kind)}"]
    if shock.window is not None:
        lines.append(f"window = {_toml_value(list(shock.window))}")
    else:
        lines.append(f"at = {_toml_value(shock.at)}")
    lines += [
        f"duration = {_toml_value(shock.duration)}",
        f"magnitude = {_toml_value(float(shock.magnitude))}",
    ]
    if shock.repeat != 1:
        lines.append(f"repeat = {_toml_value(shock.repeat)}")
    if shock.every:
        lines.append(f"every = {_toml_value(shock.every)}")
    return lines


def scenario_toml(setup: Setup) -> str:
    """The set-up as a scenario file: ``base``, ``[params]`` and every shock.

    A child scenario's ``shocks`` replace its base's, so the base's shocks are written out again
    before the extra one; the base's interventions are inherited as they are.
    """
    base = load_scenario(setup.scenario)
    kind = f"; extra shock {setup.shock.kind}" if setup.shock else ""
    description = (
        f"Exported from the itlead dashboard: {setup.scenario} with the chosen parameters{kind}. "
        f"Compared there: {setup.structures[0]} vs {setup.structures[1]}, seed {setup.seed}."
    )
    shocks = [*base.shocks, *((setup.shock,) if setup.shock else ())]
    lines = [f"description = {_toml_value(description)}", f"base = {_toml_value(base.name)}"]
    if not shocks:
        lines.append("shocks = []")  # top-level key: must come before the first table
    lines += ["", "[params]", *(f"{k} = {_toml_value(v)}" for k, v in setup.params.items())]
    for shock in shocks:
        lines += ["", *_shock_lines(shock)]
    return "\n".join(lines) + "\n"


def export_scenario(setup: Setup, path: str | Path = DEFAULT_EXPORT) -> Path:
    """Write :func:`scenario_toml` to ``path`` (folders made); returns the absolute path."""
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(scenario_toml(setup), encoding="utf-8")
    return target.resolve()


# --- Running ----------------------------------------------------------------------------------

CHARTS: tuple[tuple[str, str, str, str], ...] = (
    # (css id, title, measure, how it is drawn)
    ("chart-lead-time", f"Lead time of changes ({ROLLING}-tick mean)", "lead_time_change", "roll"),
    ("chart-value", "Value delivered (cumulative)", "value_delivered", "cumsum"),
    ("chart-trust", "Business trust in IT", "business_trust_mean", "raw"),
    ("chart-exec-utilisation", "Executive utilisation (mean)", "exec_utilisation_mean", "raw"),
    ("chart-exec-exhaustion", "Executive exhaustion (mean)", "exec_exhaustion", "raw"),
    ("chart-incidents", "Incidents open", "incidents_open", "raw"),
    ("chart-debt", "Technical debt (mean per team)", "debt_mean", "raw"),
)
CHART_MEASURES = tuple(dict.fromkeys(c[2] for c in CHARTS))


@dataclass(eq=False, slots=True)
class RunView:
    """What the page shows of a run; a new object for every update (identity is its equality).

    Attributes:
        status: ``idle``, ``running``, ``done`` or ``error``.
        setup: The set-up running or run.
        tick: Ticks done by both structures in the first replication.
        steps: Ticks in a run.
        series: Per structure, per measure: the values of ticks ``0..tick-1`` (first seed).
        summaries: One summary row per structure and replication, when finished.
        comparison: :func:`sim.analysis.paired_comparison` of them (more than one seed).
        message: A line for people (progress or the error).
        first_points: Seconds from Run to the first chart points.
        elapsed: Seconds from Run to now (or to the end).
    """

    status: str = "idle"
    setup: Setup | None = None
    tick: int = 0
    steps: int = 0
    series: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    summaries: pd.DataFrame | None = None
    comparison: pd.DataFrame | None = None
    message: str = ""
    first_points: float | None = None
    elapsed: float = 0.0


def run_setup(
    setup: Setup,
    publish: Callable[[RunView], None],
    cancel: threading.Event | None = None,
    increment: int = INCREMENT,
) -> RunView:
    """Run both structures on every seed, publishing a view after each increment of the first.

    The set-up runs as the scenario file Export would write, through
    :func:`sim.experiments.replicate.paired_replications` with ``setup.seed`` as the master seed:
    the same runs, seeds and numbers as ``itlead compare-structures`` on that file. The two
    structures step side by side, ``increment`` ticks at a time; the charts follow the first
    replication. Returns the final view (also published).
    """
    started = time.perf_counter()
    _, params = setup.build()  # checked before any run
    view = RunView("running", setup, 0, params.steps)
    first_points: list[float] = []

    def observe(progress: Progress) -> bool:
        nonlocal view
        if cancel is not None and cancel.is_set():
            return True
        elapsed = time.perf_counter() - started
        if progress.replication == 0:
            first_points[:1] = first_points[:1] or [elapsed]
            series = {
                name: {m: model.recorder.series(m, progress.tick) for m in CHART_MEASURES}
                for name, model in zip(progress.structures, progress.models, strict=True)
            }
            message = f"tick {progress.tick} of {progress.steps}"
            view = RunView("running", setup, progress.tick, progress.steps, series)
        elif progress.tick < progress.steps:
            return False
        if progress.tick == progress.steps and setup.seeds > 1:
            message = f"seed {progress.replication + 1} of {setup.seeds} done"
        view = dataclasses.replace(
            view, message=message, first_points=first_points[0], elapsed=elapsed
        )
        publish(view)
        return False

    with tempfile.TemporaryDirectory(prefix="itlead-dashboard-") as folder:
        path = Path(folder) / f"{setup.scenario}_dashboard.toml"
        path.write_text(scenario_toml(setup), encoding="utf-8")
        runs = paired_replications(
            path,
            setup.structures,
            replications=setup.seeds,
            master_seed=setup.seed,
            observe=observe,
            observe_every=increment,
        )
    if cancel is not None and cancel.is_set():
        return view
    comparison = paired_comparison(runs, setup.structures[0]) if setup.seeds > 1 else None
    elapsed = time.perf_counter() - started
    view = dataclasses.replace(
        view,
        status="done",
        summaries=runs,
        comparison=comparison,
        message=f"finished {setup.seeds} seed(s) in {elapsed:.1f} s",
        elapsed=elapsed,
    )
    publish(view)
    return view


def summary_rows(view: RunView) -> list[dict[str, Any]]:
    """The summary card's rows: one per headline outcome.

    One seed: both structures' values and the paired difference (other minus reference). More
    seeds: the means, the mean paired difference and its 95% bootstrap interval.
    """
    setup, runs = view.setup, view.summaries
    if setup is None or runs is None:
        return []
    a, b = setup.structures
    if view.comparison is not None:
        table = view.comparison.set_index("outcome")
        return [
            {
                "outcome": outcome,
                "better": better,
                "a": table.at[outcome, "mean_reference"],
                "b": table.at[outcome, "mean_other"],
                "difference": table.at[outcome, "mean_difference"],
                "ci_low": table.at[outcome, "ci_low"],
                "ci_high": table.at[outcome, "ci_high"],
                "favours": table.at[outcome, "ci_favours"],
            }
            for outcome, better in HEADLINE.items()
            if outcome in table.index
        ]
    first = runs[runs["replication"] == 0].set_index("structure")
    rows = []
    for outcome, better in HEADLINE.items():
        va, vb = float(first.at[a, outcome]), float(first.at[b, outcome])
        diff = vb - va
        favours = ""
        if not math.isnan(diff) and diff != 0:
            favours = b if (diff > 0) == (better == "higher") else a
        rows.append(
            {"outcome": outcome, "better": better, "a": va, "b": vb, "difference": diff}
            | {"favours": favours}
        )
    return rows


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def summary_html(view: RunView) -> str:
    """The summary card's table as HTML; each value cell carries its exact value in data-value."""
    setup = view.setup
    if setup is None:
        return ""
    a, b = (html.escape(s) for s in setup.structures)
    many = view.comparison is not None
    head = ["outcome", "better", a, b, f"{b} − {a}"]
    head += ["95% CI", "favours"] if many else ["favours"]
    parts = [
        '<table class="summary-table">',
        "<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>",
    ]
    for row in summary_rows(view):
        cells = [f"<td>{html.escape(row['outcome'])}</td>", f"<td>{row['better']}</td>"]
        for key in ("a", "b", "difference"):
            value = float(row[key])
            cells.append(f'<td class="v-{key}" data-value="{value!r}">{_fmt(value)}</td>')
        if many:
            ci = f"[{_fmt(float(row['ci_low']))}, {_fmt(float(row['ci_high']))}]"
            cells.append(f'<td class="v-ci">{ci}</td>')
        cells.append(f"<td>{html.escape(str(row['favours'] or ''))}</td>")
        parts.append(
            f'<tr data-outcome="{html.escape(row["outcome"])}">' + "".join(cells) + "</tr>"
        )
    parts.append("</table>")
    return "\n".join(parts)


def _polylines(xs: np.ndarray, ys: np.ndarray) -> list[list[tuple[float, float]]]:
    """Runs of finite points (a NaN breaks the line)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in zip(xs, ys, strict=True):
        if math.isfinite(y):
            runs[-1].append((float(x), float(y)))
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r]


def chart_values(view: RunView, chart: tuple[str, str, str, str]) -> dict[str, np.ndarray]:
    """The values a chart draws, per structure (rolling mean or cumulative sum where it says)."""
    _, _, measure, how = chart
    out = {}
    for name, series in view.series.items():
        values = series[measure]
        if how == "roll":
            values = pd.Series(values).rolling(ROLLING, min_periods=1).mean().to_numpy()
        elif how == "cumsum":
            values = np.nancumsum(values)
        out[name] = np.asarray(values, dtype=float)
    return out


def chart_svg(view: RunView, chart: tuple[str, str, str, str]) -> str:
    """One chart as inline SVG: both structures' lines over the ticks run so far.

    Drawn by hand rather than with matplotlib: a PNG per chart per update was too slow for the
    charts to follow the model; this is a few kilobytes of text.
    """
    width, height, left, right, top, bottom = 440, 210, 52, 12, 26, 30
    _, title, _, _ = chart
    values = chart_values(view, chart)
    finite = [v[np.isfinite(v)] for v in values.values()]
    finite = [v for v in finite if len(v)]
    low = min(float(v.min()) for v in finite) if finite else 0.0
    high = max(float(v.max()) for v in finite) if finite else 1.0
    if high - low < 1e-12:
        low, high = low - 1.0, high + 1.0
    pad = 0.05 * (high - low)
    low, high = low - pad, high + pad
    steps = max(view.steps, 1)
    plot_w, plot_h = width - left - right, height - top - bottom

    def sx(x: float) -> float:
        return left + plot_w * x / steps

    def sy(y: float) -> float:
        return top + plot_h * (1.0 - (y - low) / (high - low))

    parts = [
        f'<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" '
        f'font-size="10">',
        f'<text x="{left}" y="14" font-size="12" font-weight="bold">{html.escape(title)}</text>',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="#bbb"/>',
    ]
    for k in range(5):
        y = low + (high - low) * k / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" '
            f'stroke="#eee"/><text x="{left - 4}" y="{sy(y) + 3:.1f}" text-anchor="end">'
            f"{y:.3g}</text>"
        )
    for x in (0, steps // 2, steps):
        parts.append(
            f'<text x="{sx(x):.1f}" y="{height - bottom + 13}" text-anchor="middle">{x}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle">tick</text>'
    )
    colours = ("#0072B2", "#D55E00")  # Okabe-Ito blue and vermillion
    points = 0
    for i, (colour, (name, ys)) in enumerate(zip(colours, values.items(), strict=False)):
        xs = np.arange(len(ys))
        stride = max(1, len(ys) // 400)
        for run in _polylines(xs[::stride], ys[::stride]):
            points += len(run)
            coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in run)
            parts.append(
                f'<polyline class="series-{i}" fill="none" stroke="{colour}" '
                f'stroke-width="1.5" points="{coords}"/>'
            )
        parts.append(
            f'<text x="{width - right - 4}" y="{top + 12 + 12 * i}" text-anchor="end" '
            f'fill="{colour}">{html.escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts).replace("<svg ", f'<svg data-points="{points}" ', 1)


# --- The page ---------------------------------------------------------------------------------

form_state = solara.reactive(default_form())
run_view = solara.reactive(RunView())
run_request = solara.reactive(0)
export_message = solara.reactive("")


def _set(name: str, value: Any) -> None:
    form_state.value = {**form_state.value, name: "" if value is None else str(value)}


def _set_scenario(name: str) -> None:
    form_state.value = {**form_state.value, "scenario": name, **scenario_defaults(name)}


def _heading(text: str) -> None:
    solara.HTML(
        tag="div", unsafe_innerHTML=f"<b>{html.escape(text)}</b>", style={"margin-top": "8px"}
    )


@solara.component
def NumberField(name: str, spec: FieldSpec, text: str, error: str | None):  # noqa: N802
    """A number input with the parameter's unit, its allowed range and the error, if any."""
    attributes = {"min": repr(spec.low), "step": "1" if spec.integer else "any"}
    if spec.high is not None:
        attributes["max"] = repr(spec.high)
    solara.v.TextField(
        label=f"{spec.label} [{spec.unit}]",
        v_model=text,
        on_v_model=lambda value: _set(name, value),
        type="number",
        attributes=attributes,
        hint=f"allowed {spec.range_text()}",
        persistent_hint=True,
        error_messages=[error] if error else [],
        class_=f"field field-{name}",
        density="compact",
    )


@solara.component
def Chart(view: RunView, chart: tuple[str, str, str, str]):  # noqa: N802
    """One chart in a container with a stable class (``chart-lead-time`` and so on)."""
    css = chart[0]
    svg = solara.use_memo(lambda: chart_svg(view, chart), dependencies=[id(view), css])
    ticks = f'<div class="chart-ticks" data-ticks="{view.tick}">{view.tick} ticks</div>'
    solara.HTML(
        tag="div",
        unsafe_innerHTML=svg + ticks,
        classes=["chart", css],
        style={"font-size": "0.75em", "color": "#666", "min-width": "440px"},
    )


@solara.component
def Page():  # noqa: N802
    """The dashboard page."""
    form = form_state.value
    setup, errors = check_form(form)
    view = run_view.value
    running = view.status == "running"
    request = run_request.value

    def work(cancel: threading.Event) -> None:
        if request == 0 or setup is None:
            return
        try:
            run_setup(setup, run_view.set, cancel)
        except Exception as exc:  # shown on the page, never lost in a thread
            run_view.set(RunView("error", setup, message=f"{type(exc).__name__}: {exc}"))

    solara.use_thread(work, dependencies=[request], intrusive_cancel=False)

    def press_run() -> None:
        if setup is None:
            return
        run_view.set(RunView("running", setup, message="starting"))
        run_request.set(run_request.value + 1)

    def press_export() -> None:
        if setup is None:
            return
        try:
            path = export_scenario(setup, form.get("export_path") or DEFAULT_EXPORT)
        except OSError as exc:
            export_message.set(f"Export failed: {exc}")
            return
        export_message.set(str(path))

    solara.Title("itlead dashboard")
    specs = field_specs(int(form["steps"]) if "steps" not in errors else 1, form["shock_kind"])
    with solara.Columns([1, 3]):
        with solara.Card("Set-up", classes=["setup-card"]):
            solara.Select(
                "scenario",
                values=list_scenarios(),
                value=form["scenario"],
                on_value=_set_scenario,
                classes=["select-scenario"],
            )
            structures = list_structures()
            solara.Select(
                "structure A (reference)",
                values=structures,
                value=form["structure_a"],
                on_value=lambda v: _set("structure_a", v),
                classes=["select-structure-a"],
            )
            solara.Select(
                "structure B",
                values=structures,
                value=form["structure_b"],
                on_value=lambda v: _set("structure_b", v),
                classes=["select-structure-b"],
            )
            if "structure_b" in errors:
                solara.Text(errors["structure_b"], style={"color": "#b00020"})
            _heading("Organisation")
            for name in ORGANISATION:
                NumberField(name, specs[name], form[name], errors.get(name))
            _heading("Behaviour")
            for name in BEHAVIOUR:
                NumberField(name, specs[name], form[name], errors.get(name))
            solara.Select(
                "attention_policy",
                values=list(param_infos()["attention_policy"].choices),
                value=form["attention_policy"],
                on_value=lambda v: _set("attention_policy", v),
                classes=["select-attention-policy"],
            )
            _heading("Extra shock")
            solara.Select(
                "shock kind",
                values=[NO_SHOCK, *SHOCK_KINDS],
                value=form["shock_kind"],
                on_value=lambda v: _set("shock_kind", v),
                classes=["select-shock-kind"],
            )
            if form["shock_kind"] != NO_SHOCK:
                for name in ("shock_at", "shock_duration", "shock_magnitude"):
                    NumberField(name, specs[name], form[name], errors.get(name))
            _heading("Seeds")
            for name in ("seed", "seeds"):
                NumberField(name, specs[name], form[name], errors.get(name))
            if errors:
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML="<br>".join(html.escape(e) for e in errors.values()),
                    classes=["form-errors"],
                    style={"color": "#b00020", "font-size": "0.85em", "margin": "8px 0"},
                )
            solara.Button(
                "Run both structures",
                on_click=press_run,
                disabled=setup is None or running,
                color="primary",
                classes=["run-button"],
            )
            _heading("Export")
            solara.InputText(
                "scenario file",
                value=form["export_path"],
                on_value=lambda v: _set("export_path", v),
                continuous_update=True,
                classes=["export-path-input"],
            )
            solara.Button(
                "Export scenario TOML",
                on_click=press_export,
                disabled=setup is None,
                classes=["export-button"],
            )
            if export_message.value:
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=html.escape(export_message.value),
                    classes=["export-path"],
                    style={"font-size": "0.85em", "word-break": "break-all"},
                )
        with solara.Column():
            status = view.message or "Press Run to compare the two structures."
            if view.first_points is not None:
                status += f" · first points after {view.first_points:.2f} s"
            solara.HTML(
                tag="div",
                unsafe_innerHTML=html.escape(status),
                # The run number lets a reader (or a test) tell this run's card from the last.
                classes=["run-status", f"status-{view.status}", f"run-{request}"],
            )
            with solara.GridFixed(columns=2):
                for chart in CHARTS:
                    Chart(view, chart)
            if view.status == "done" and view.setup is not None:
                a, b = view.setup.structures
                seeds = view.setup.seeds
                title = (
                    f"Paired differences, {b} minus {a}, seed {view.setup.seed}"
                    if seeds == 1
                    else f"Paired comparison over {seeds} seeds, {b} minus {a} (95% bootstrap CI)"
                )
                with solara.Card(title, classes=["summary-card"]):
                    solara.HTML(tag="div", unsafe_innerHTML=summary_html(view))


# --- Serving ----------------------------------------------------------------------------------


def serve(host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> None:
    """Serve the dashboard with ``solara run`` in this process (it replaces the interpreter).

    The process becomes the server, so stopping it (Ctrl-C, SIGTERM) stops the server; nothing is
    left behind. Solara's telemetry is switched off (the machine may have no network).
    """
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "sim.dashboard:Page",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
    ]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, command)


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.dashboard [--host H] [--port P]``."""
    parser = argparse.ArgumentParser(prog="itlead dashboard", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to listen on")
    args = parser.parse_args(argv)
    serve(args.host, args.port)
    return 0  # not reached: serve() replaces the process


if __name__ == "__main__":
    sys.exit(main())
