"""The dashboard's page in Solara: the set-up column, the charts and the summary card.

This is the only module of :mod:`sim.dashboard` that imports Solara; :func:`sim.dashboard.serve`
serves its :func:`Page`. The form, the runner, the export and the drawing live in modules of their
own that work without it.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Mapping
from typing import Any

from sim.config.loaders import list_scenarios, list_structures
from sim.config.params import param_infos
from sim.config.scenario import SHOCK_KINDS
from sim.dashboard.charts import chart_svg
from sim.dashboard.export import export_scenario, export_target
from sim.dashboard.form import (
    BEHAVIOUR,
    DEFAULT_EXPORT,
    NO_SHOCK,
    ORGANISATION,
    SEED_FIELDS,
    SHOCK_FIELDS,
    FieldSpec,
    Setup,
    check_form,
    default_form,
    field_specs,
    scenario_defaults,
)
from sim.dashboard.session import CHARTS, ChartSpec, RunView, run_setup
from sim.dashboard.summary import answer_html, summary_html
from sim.errors import ConfigError

try:
    import solara
except ImportError as exc:  # pragma: no cover - the extra is optional
    raise ImportError(
        "the dashboard needs the optional extra: .venv/bin/pip install -e '.[dashboard]'"
    ) from exc

ERROR_COLOUR = "#b00020"

form_state = solara.reactive(default_form())
run_view = solara.reactive(RunView())
run_request = solara.reactive(0)
export_message = solara.reactive("")
confirm_overwrite = solara.reactive("")  # the file the next press of Export may replace


# --- Changing the state -----------------------------------------------------------------------


def _set(name: str, value: Any) -> None:
    """Put one field's new text in the form."""
    form_state.value = {**form_state.value, name: "" if value is None else str(value)}


def _set_scenario(name: str) -> None:
    """Choose a scenario: its parameter values replace the form's."""
    form_state.value = {**form_state.value, "scenario": name, **scenario_defaults(name)}


def _press_run(setup: Setup | None) -> None:
    """Start a run of ``setup`` (the page's thread picks up the new request)."""
    if setup is None:
        return
    run_view.set(RunView("running", setup, message="starting"))
    run_request.set(run_request.value + 1)


def _press_export(setup: Setup | None, path: str) -> None:
    """Export ``setup`` to ``path`` inside ``results/``; an existing file needs a second press.

    The first press on an existing file only asks; pressing again, with the same path, replaces
    it. A path outside ``results/`` (absolute, ``..``, a symbolic link out) is refused.
    """
    if setup is None:
        return
    try:
        target = export_target(path or DEFAULT_EXPORT)
        overwrite = confirm_overwrite.value == str(target)
        if target.exists() and not overwrite:
            confirm_overwrite.set(str(target))
            export_message.set(f"{target} exists: press Export again to replace it")
            return
        written = export_scenario(setup, target, overwrite=overwrite)
    except (ConfigError, OSError) as exc:
        confirm_overwrite.set("")
        export_message.set(f"Export failed: {exc}")
        return
    confirm_overwrite.set("")
    export_message.set(str(written))


def _work(request: int, setup: Setup | None, cancel: threading.Event) -> None:
    """Run request number ``request`` (none while it is 0), showing any error on the page."""
    if request == 0 or setup is None:
        return
    try:
        run_setup(setup, run_view.set, cancel)
    except Exception as exc:  # shown on the page, never lost in a thread
        run_view.set(RunView("error", setup, message=f"{type(exc).__name__}: {exc}"))


# --- Pieces of the page -----------------------------------------------------------------------


def _heading(text: str) -> None:
    """A bold heading over a group of fields."""
    solara.HTML(
        tag="div", unsafe_innerHTML=f"<b>{html.escape(text)}</b>", style={"margin-top": "8px"}
    )


def _select(label: str, values: list[str], value: str, name: str, css: str) -> None:
    """A drop-down that sets form field ``name``."""
    solara.Select(
        label, values=values, value=value, on_value=lambda v: _set(name, v), classes=[css]
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


def _number_fields(
    names: tuple[str, ...],
    specs: Mapping[str, FieldSpec],
    form: Mapping[str, str],
    errors: Mapping[str, str],
) -> None:
    """One :func:`NumberField` per name."""
    for name in names:
        NumberField(name, specs[name], form[name], errors.get(name))


def _choices(form: Mapping[str, str], errors: Mapping[str, str]) -> None:
    """The scenario and the two structures."""
    solara.Select(
        "scenario",
        values=list_scenarios(),
        value=form["scenario"],
        on_value=_set_scenario,
        classes=["select-scenario"],
    )
    structures = list_structures()
    _select(
        "structure A (reference)",
        structures,
        form["structure_a"],
        "structure_a",
        "select-structure-a",
    )
    _select("structure B", structures, form["structure_b"], "structure_b", "select-structure-b")
    if "structure_b" in errors:
        solara.Text(errors["structure_b"], style={"color": ERROR_COLOUR})


def _parameters(form: Mapping[str, str], errors: Mapping[str, str]) -> None:
    """The organisation, the behaviour, the extra shock and the seeds."""
    specs = field_specs(int(form["steps"]) if "steps" not in errors else 1, form["shock_kind"])
    _heading("Organisation")
    _number_fields(ORGANISATION, specs, form, errors)
    _heading("Behaviour")
    _number_fields(BEHAVIOUR, specs, form, errors)
    policies = list(param_infos()["attention_policy"].choices)
    _select(
        "attention_policy",
        policies,
        form["attention_policy"],
        "attention_policy",
        "select-attention-policy",
    )
    _heading("Extra shock")
    kinds = [NO_SHOCK, *SHOCK_KINDS]
    _select("shock kind", kinds, form["shock_kind"], "shock_kind", "select-shock-kind")
    if form["shock_kind"] != NO_SHOCK:
        _number_fields(SHOCK_FIELDS, specs, form, errors)
    _heading("Seeds")
    _number_fields(SEED_FIELDS, specs, form, errors)


def _form_errors(errors: Mapping[str, str]) -> None:
    """Every message of the form, above the Run button (nothing when there are none)."""
    if errors:
        solara.HTML(
            tag="div",
            unsafe_innerHTML="<br>".join(html.escape(e) for e in errors.values()),
            classes=["form-errors"],
            style={"color": ERROR_COLOUR, "font-size": "0.85em", "margin": "8px 0"},
        )


def _export(form: Mapping[str, str], setup: Setup | None) -> None:
    """The export path (inside ``results/``), the Export button and what the last press did."""
    _heading("Export")
    solara.InputText(
        "scenario file (inside results/)",
        value=form["export_path"],
        on_value=lambda v: _set("export_path", v),
        continuous_update=True,
        classes=["export-path-input"],
    )
    solara.Button(
        "Export scenario TOML",
        on_click=lambda: _press_export(setup, form.get("export_path", "")),
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


def _setup_card(
    form: Mapping[str, str], setup: Setup | None, errors: Mapping[str, str], running: bool
) -> None:
    """The set-up column: every input, the form's errors, Run and Export."""
    with solara.Card("Set-up", classes=["setup-card"]):
        _choices(form, errors)
        _parameters(form, errors)
        _form_errors(errors)
        solara.Button(
            "Run both structures",
            on_click=lambda: _press_run(setup),
            disabled=setup is None or running,
            color="primary",
            classes=["run-button"],
        )
        _export(form, setup)


@solara.component
def Chart(view: RunView, chart: ChartSpec):  # noqa: N802
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


def _summary_card(view: RunView) -> None:
    """The paired differences of a finished run (nothing before it has finished)."""
    if view.status != "done" or view.setup is None:
        return
    a, b = view.setup.structures
    seeds = view.setup.seeds
    title = (
        f"Paired differences, {b} minus {a}, seed {view.setup.seed}"
        if seeds == 1
        else f"Paired comparison over {seeds} seeds, {b} minus {a} (95% CI)"
    )
    with solara.Card(title, classes=["summary-card"]):
        solara.HTML(tag="div", unsafe_innerHTML=answer_html(view) + summary_html(view))


def _results(view: RunView, request: int) -> None:
    """The run's status line, the charts and the summary card."""
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
        _summary_card(view)


@solara.component
def Page():  # noqa: N802
    """The dashboard page: the set-up on the left, the run on the right."""
    form = form_state.value
    setup, errors = check_form(form)
    view = run_view.value
    request = run_request.value

    def work(cancel: threading.Event) -> None:
        _work(request, setup, cancel)

    solara.use_thread(work, dependencies=[request], intrusive_cancel=False)
    solara.Title("itlead dashboard")
    with solara.Columns([1, 3]):
        _setup_card(form, setup, errors, view.status == "running")
        _results(view, request)
