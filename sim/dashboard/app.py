"""The dashboard's page in Solara: the set-up, the answer, the structures, the charts, the table.

This is the only module of :mod:`sim.dashboard` that imports Solara; :func:`sim.dashboard.serve`
serves its :func:`Page`. The form, the runner, the downloads and the drawing live in modules of
their own that work without it.
"""

from __future__ import annotations

import html
import re
import threading
import urllib.parse
from collections.abc import Mapping
from typing import Any

from sim.analysis.plot.structure_chart import structure_svg
from sim.analysis.plot.style import structure_label
from sim.config.loaders import list_scenarios, list_structures, load_structure
from sim.config.params import param_infos
from sim.config.scenario import SHOCK_KINDS
from sim.dashboard import MISSING_EXTRA
from sim.dashboard.charts import chart_html
from sim.dashboard.export import file_names, rerun_command, scenario_toml, structure_toml, table_csv
from sim.dashboard.form import (
    CUSTOM,
    GROUPS,
    NO_SHOCK,
    PRESETS,
    SEED_FIELDS,
    SHOCK_FIELDS,
    SIDES,
    FieldSpec,
    Setup,
    check_form,
    default_form,
    field_specs,
    preset_of,
    scenario_defaults,
    structure_specs,
    with_preset,
    with_structure,
)
from sim.dashboard.session import (
    CHARTS,
    INCREMENT,
    LatestView,
    RunControl,
    RunView,
    run_setup,
)
from sim.dashboard.summary import answer_html, summary_html

try:
    import solara
except ImportError as exc:  # pragma: no cover - the extra is optional
    raise ImportError(MISSING_EXTRA) from exc

ERROR_COLOUR = "#b00020"
STALE_COLOUR = "#8a5a00"
PUBLISH_EVERY = 1.5  # seconds at least between chart redraws while a run goes on

form_state = solara.reactive(default_form())
run_view = solara.reactive(RunView())
run_form = solara.reactive(dict[str, str]())  # the form as it was when the shown run started
run_request = solara.reactive(0)
run_control = solara.reactive(RunControl())


# --- Changing the state -----------------------------------------------------------------------


def _set(name: str, value: Any) -> None:
    """Put one field's new text in the form."""
    form_state.value = {**form_state.value, name: "" if value is None else str(value)}


def _set_scenario(name: str) -> None:
    """Choose a scenario: its parameter values replace the form's."""
    form_state.value = {**form_state.value, "scenario": name, **scenario_defaults(name)}


def _start(setup: Setup | None, paused: bool) -> None:
    """Start a run of ``setup`` (the page's thread picks up the new request)."""
    if setup is None:
        return
    run_control.value.retire()  # a run still going ends, and shows nothing more
    control = RunControl(paused=paused)  # paused: it holds after its first increment
    run_control.set(control)
    run_form.set(dict(form_state.value))
    run_view.set(RunView("running", setup, message="starting"))
    run_request.set(run_request.value + 1)


def _reset() -> None:
    """Stop any run and clear its results, as SolaraViz's Reset does."""
    run_control.value.retire()
    run_control.set(RunControl())
    run_form.set({})
    run_view.set(RunView())
    run_request.set(run_request.value + 1)


def _run_into(setup: Setup, latest: LatestView, control: RunControl) -> None:
    """Run ``setup``, offering each view to ``latest``; an error becomes a view too."""
    try:
        run_setup(setup, latest.put, control, INCREMENT, PUBLISH_EVERY)
    except Exception as exc:  # shown on the page, never lost in a thread
        latest.put(RunView("error", setup, message=f"{type(exc).__name__}: {exc}"))
    finally:
        latest.close()


def _work(request: int, cancel: threading.Event) -> None:
    """Run request number ``request`` (none while it is 0) and show its views as they come.

    The model runs in a thread of its own; this one (Solara's, which redraws the page) shows the
    newest view each time the last has been drawn, and the run waits while it draws.
    """
    setup, control = run_view.value.setup, run_control.value  # as Run left them
    if request == 0 or setup is None or run_view.value.status != "running":
        return
    latest = LatestView()
    threading.Thread(target=_run_into, args=(setup, latest, control), daemon=True).start()
    try:
        while (view := latest.take()) is not None:
            if cancel.is_set():  # the page has gone
                control.retire()
                return
            # Under the run's lock: once Run or Reset has retired this run, it changes the page
            # no more (else its last view could replace theirs).
            if not control.show(lambda view=view: run_view.set(view)):
                return
            latest.drawn()
    finally:
        latest.close()  # the run never waits for a page that has stopped drawing


# --- The set-up column ------------------------------------------------------------------------


def _css(name: str) -> str:
    """A field name as a CSS class (``b.roles.CTO.cost`` -> ``b-roles-CTO-cost``)."""
    return name.replace(".", "-")


def _heading(text: str) -> None:
    """A bold heading over a group of fields."""
    solara.HTML(
        tag="div", unsafe_innerHTML=f"<b>{html.escape(text)}</b>", style={"margin-top": "10px"}
    )


@solara.component
def NumberField(name: str, spec: FieldSpec, text: str, error: str | None):  # noqa: N802
    """A number input: its label, its one-line help with the allowed range, and any error."""
    attributes = {"min": repr(spec.low), "step": "1" if spec.integer else "any"}
    if spec.high is not None:
        attributes["max"] = repr(spec.high)
    help_text = f"{spec.doc} Allowed {spec.range_text()}." if spec.doc else spec.range_text()
    solara.v.TextField(
        label=spec.label,
        v_model=text,
        on_v_model=lambda value: _set(name, value),
        type="number",
        attributes=attributes,
        hint=help_text,
        persistent_hint=True,
        error_messages=[error] if error else [],
        class_=f"field field-{_css(name)}",
        style_="margin-bottom: 10px",  # room for a help text of three lines
        density="compact",
    )


def _number_fields(
    names: tuple[str, ...] | list[str],
    specs: Mapping[str, FieldSpec],
    form: Mapping[str, str],
    errors: Mapping[str, str],
) -> None:
    """One :func:`NumberField` per name."""
    for name in names:
        # Keyed by name: a field that appears or goes (a shock's, an error) never hands its
        # widget, and the widget's value, to the field after it.
        NumberField(name, specs[name], form.get(name, ""), errors.get(name)).key(name)


def _choices(form: Mapping[str, str], errors: Mapping[str, str]) -> None:
    """The scenario and the two structures (choosing one loads its file's numbers)."""
    solara.Select(
        "Scenario",
        values=list_scenarios(),
        value=form["scenario"],
        on_value=_set_scenario,
        classes=["select-scenario"],
    ).key("select-scenario")
    structures = list_structures()
    for side, label in zip(SIDES, ("Structure A (the reference)", "Structure B"), strict=True):
        solara.Select(
            label,
            values=structures,
            value=form[f"structure_{side}"],
            on_value=lambda v, side=side: form_state.set(with_structure(form_state.value, side, v)),
            classes=[f"select-structure-{side}"],
        ).key(f"select-structure-{side}")
    if "structure_b" in errors:
        solara.Text(errors["structure_b"], style={"color": ERROR_COLOUR})


def _parameters(form: Mapping[str, str], errors: Mapping[str, str]) -> None:
    """The parameters by group, the organisation presets, the extra shock and the seeds."""
    steps = form.get("steps", "")
    specs = field_specs(
        int(steps) if steps.isdigit() and "steps" not in errors else 1, form["shock_kind"]
    )
    for title, names in GROUPS:
        _heading(title)
        if title == "Organisation":
            solara.Select(
                "Size preset",
                values=[*PRESETS, CUSTOM],
                value=preset_of(form),
                on_value=lambda v: form_state.set(with_preset(form_state.value, v)),
                classes=["select-preset"],
            ).key("select-preset")
        _number_fields(names, specs, form, errors)
        if title == "Leadership":
            info = param_infos()["attention_policy"]
            solara.Select(
                info.title("attention_policy"),
                values=list(info.choices),
                value=form["attention_policy"],
                on_value=lambda v: _set("attention_policy", v),
                classes=["select-attention-policy"],
            ).key("select-attention-policy")
    _heading("Extra shock")
    solara.Select(
        "Shock kind",
        values=[NO_SHOCK, *SHOCK_KINDS],
        value=form["shock_kind"],
        on_value=lambda v: _set("shock_kind", v),
        classes=["select-shock-kind"],
    ).key("select-shock-kind")
    if form["shock_kind"] != NO_SHOCK:
        _number_fields(SHOCK_FIELDS, specs, form, errors)
    _heading("Replications")
    _number_fields(SEED_FIELDS, specs, form, errors)


@solara.component
def StructureNumbers(side: str, form: Mapping[str, str], errors: Mapping[str, str]):  # noqa: N802
    """Every number of one structure's file, editable, folded until asked for.

    A wrong number unfolds them, so its message is never hidden.
    """
    name = form[f"structure_{side}"]
    shown, show = solara.use_state(False)
    if name not in list_structures():
        return
    specs = structure_specs(side, load_structure(name))
    wrong = any(field in errors for field in specs)
    solara.Button(
        f"{'Hide' if shown else 'Edit'} {name}'s numbers",
        on_click=lambda: show(not shown),
        text=True,
        style={"text-transform": "none", "padding": "0 4px"},
        icon_name="mdi-chevron-up" if shown else "mdi-chevron-down",
        classes=[f"numbers-toggle-{side}"],
    )
    if shown or wrong:
        _number_fields(list(specs), specs, form, errors)


def _form_errors(errors: Mapping[str, str]) -> None:
    """Every message of the form, above the buttons (nothing when there are none)."""
    if errors:
        solara.HTML(
            tag="div",
            unsafe_innerHTML="<br>".join(html.escape(e) for e in errors.values()),
            classes=["form-errors"],
            style={"color": ERROR_COLOUR, "font-size": "0.85em", "margin": "8px 0"},
        )


def _controls(setup: Setup | None, view: RunView) -> None:
    """Run, pause or resume, step, stop and reset: SolaraViz's controls for a paired run."""
    control = run_control.value
    going = view.status in ("running", "paused")
    with solara.Row(style={"flex-wrap": "wrap", "gap": "6px", "margin-bottom": "8px"}):
        solara.Button(
            "Run",
            on_click=lambda: _start(setup, paused=False),
            disabled=setup is None or going,
            color="primary",
            classes=["run-button"],
        )
        # Two buttons, each keyed: a widget that changed its role would keep its old class.
        if going and control.paused:
            solara.Button("Resume", on_click=_resume, classes=["resume-button"]).key("resume")
        else:
            solara.Button(
                "Pause", on_click=_pause, disabled=not going, classes=["pause-button"]
            ).key("pause")
        solara.Button(
            f"Step {INCREMENT} ticks",
            on_click=lambda: control.step() if going else _start(setup, paused=True),
            disabled=setup is None or (going and not control.paused),
            classes=["step-button"],
        )
        solara.Button("Stop", on_click=control.stop, disabled=not going, classes=["stop-button"])
        solara.Button("Reset", on_click=_reset, classes=["reset-button"])


def _pause() -> None:
    """Hold the run after its current increment (the run then shows itself paused)."""
    run_control.value.pause()


def _resume() -> None:
    """Let a paused run go on (the run then shows itself going, at once)."""
    run_control.value.resume()


@solara.component
def Controls(setup: Setup | None):  # noqa: N802
    """The run's controls: a component of its own, redrawn as the run goes, the form not."""
    _controls(setup, run_view.value)


@solara.component
def SetupCard(form: Mapping[str, str], setup: Setup | None, errors: Mapping[str, str]):  # noqa: N802
    """The set-up column: the run's controls, the form's errors and every input."""
    with solara.Card("Your organisation and the structures", classes=["setup-card"]):
        Controls(setup)  # at the top, as in SolaraViz: in reach whatever is scrolled
        _form_errors(errors)
        _choices(form, errors)
        _parameters(form, errors)
        _heading("Structure numbers (from each structure file)")
        for side in SIDES:
            StructureNumbers(side, form, errors)


# --- The results column -----------------------------------------------------------------------


def _status(view: RunView, request: int, stale: bool) -> None:
    """The run's status line and, when an input changed since the run, the stale mark."""
    status = view.message or "Press Run to compare the two structures on the same seeds."
    if view.first_points is not None:
        status += f" · first points after {view.first_points:.2f} s"
    solara.HTML(
        tag="div",
        unsafe_innerHTML=html.escape(status),
        # The run number lets a reader (or a test) tell this run's results from the last.
        classes=["run-status", f"status-{view.status}", f"run-{request}"],
    )
    if stale:
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                "<b>Out of date:</b> an input changed after this run. The results below are "
                "for the earlier inputs; press Run to update them."
            ),
            classes=["stale-mark"],
            style={
                "color": STALE_COLOUR,
                "background": "#fff4e0",
                "border-left": f"4px solid {STALE_COLOUR}",
                "padding": "6px 10px",
                "margin": "6px 0",
            },
        )


def _answer_card(view: RunView) -> None:
    """The answer first, in plain words, with the verdict rule (once a run has results)."""
    if view.status not in ("done", "stopped") or view.setup is None:
        return
    a, b = (structure_label(s) for s in view.setup.labels)
    with solara.Card(f"The answer: {b} against {a}", classes=["answer-card"]):
        solara.HTML(tag="div", unsafe_innerHTML=answer_html(view))


def _fluid(svg: str) -> str:
    """An SVG that fills its box's width at its own aspect ratio (its viewBox keeps the shape)."""
    return re.sub(
        r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 width="100%"', svg, count=1
    )


@solara.component
def StructurePictures(setup: Setup | None):  # noqa: N802
    """Each structure as it runs: roles, decision rights, reporting lines and channels."""
    key = None if setup is None else (setup.structures, repr(setup.numbers))
    svgs = solara.use_memo(
        lambda: [] if setup is None else [_fluid(structure_svg(s)) for s in setup.structure_objs()],
        dependencies=[key],
    )
    if not svgs:
        return
    with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}, classes=["structure-pictures"]):
        for side, svg in zip(SIDES, svgs, strict=True):
            solara.HTML(
                tag="div",
                unsafe_innerHTML=svg,
                classes=["structure-picture", f"structure-picture-{side}"],
                style={"max-width": "560px", "flex": "1 1 360px", "min-width": "0"},
            )


@solara.component
def Chart(view: RunView, css: str, measure: str):  # noqa: N802
    """One chart, in a container with a stable class (``chart-lead-time`` and so on)."""
    # Redrawn only when what it draws changes (not when, say, the run is paused).
    # After the first seed, they change as each seed finishes: the status line shows the ticks.
    drawn = (view.run, view.replications_done, None if view.finished else view.tick, css)
    img = solara.use_memo(lambda: chart_html(view, css, measure), dependencies=list(drawn))
    solara.HTML(
        tag="div",
        unsafe_innerHTML=img,
        classes=["chart", css],
        # Two to a row, each the same size (a last one alone keeps it), one a row when narrow.
        style={"flex": "0 1 calc(50% - 8px)", "min-width": "340px", "max-width": "560px"},
    )


def _details(view: RunView) -> None:
    """The detailed table, folded below the charts."""
    if view.summaries is None or view.setup is None:
        return
    seeds = view.summaries["replication"].nunique()
    what = "paired comparison (95% CI)" if view.comparison is not None else "paired differences"
    summary = html.escape(f"Detailed table: {what} over {seeds} seed(s)")
    solara.HTML(
        tag="details",  # folded until opened: the answer above is what most readers need
        unsafe_innerHTML=f"<summary>{summary}</summary>{summary_html(view)}",
        classes=["summary-card"],
        style={"margin": "8px 0"},
    )


def _download(label: str, text: str, filename: str, css: str) -> None:
    """A link that downloads ``text`` as ``filename`` in the browser (a ``data:`` URL).

    The file is made in the browser from the page's own text: nothing is written on the server.
    """
    href = "data:text/plain;charset=utf-8," + urllib.parse.quote(text)
    solara.HTML(
        tag="a",
        unsafe_innerHTML=f"&#x2B07; {html.escape(label)}",
        attributes={"href": href, "download": filename},
        classes=["download", css],
        style={
            "display": "inline-block",
            "padding": "4px 12px",
            "border": "1px solid #0072B2",
            "border-radius": "4px",
            "color": "#0072B2",
            "text-decoration": "none",
            "font-size": "0.9em",
        },
    )


def _setup_files(setup: Setup) -> list[tuple[str, str, str, str]]:
    """The set-up's downloads: (label, text, file name, css class) of each."""
    names = file_names(setup)
    return [
        ("Scenario file", scenario_toml(setup), names["scenario"], "download-scenario"),
        *(
            (f"Structure {key.upper()} file", structure_toml(setup, side), names[key], css)
            for side, key, css in (
                (0, "a", "download-structure-a"),
                (1, "b", "download-structure-b"),
            )
        ),
    ]


def _run_files(view: RunView) -> list[tuple[str, str, str, str]]:
    """A finished run's tables as downloads (none before it has finished)."""
    if view.summaries is None or view.setup is None:
        return []
    stem = file_names(view.setup)["scenario"].removesuffix(".toml")
    files = [("Runs (CSV)", table_csv(view.summaries), f"{stem}_runs.csv", "download-runs")]
    if view.comparison is not None:
        comparison = table_csv(view.comparison)
        files.append(
            ("Comparison (CSV)", comparison, f"{stem}_comparison.csv", "download-comparison")
        )
    return files


@solara.component
def Downloads(setup: Setup | None, view: RunView):  # noqa: N802
    """Browser downloads: the set-up's files (as the form stands) and the last run's tables.

    Their text is made when the set-up changes or a run ends, not on every redraw of a run.
    """
    setup_files = solara.use_memo(lambda: [] if setup is None else _setup_files(setup), [setup])
    run_files = solara.use_memo(lambda: _run_files(view), [view.run, view.summaries is None])
    with solara.Card("Download", classes=["download-card"]):
        if setup is None:
            solara.Text("Fix the set-up's errors to download its files.")
        else:
            with solara.Row(style={"flex-wrap": "wrap", "gap": "6px"}):
                for file in setup_files:
                    _download(*file)
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"Rerun them: <code>{html.escape(rerun_command(setup))}</code>",
                classes=["rerun-command"],
                style={"font-size": "0.85em", "margin-top": "6px"},
            )
        if run_files:
            with solara.Row(style={"flex-wrap": "wrap", "gap": "6px", "margin-top": "6px"}):
                for file in run_files:
                    _download(*file)


def _results(view: RunView, request: int, stale: bool, setup: Setup | None) -> None:
    """The answer first, then the structures, the charts, the table and the downloads."""
    with solara.Column(style={"padding-right": "12px"}):
        _status(view, request, stale)
        _answer_card(view)
        StructurePictures(view.setup or setup)
        # Faded while out of date, so a glance does not read old results as new ones.
        with solara.Row(
            style={
                "flex-wrap": "wrap",
                "gap": "8px",
                "padding-left": "8px",
                "opacity": "0.45" if stale else "1",
            },
            classes=["charts"],
        ):
            for css, measure in CHARTS:
                Chart(view, css, measure).key(css)
        _details(view)
        Downloads(setup, view)


@solara.component
def Results(form: Mapping[str, str], setup: Setup | None):  # noqa: N802
    """The results column, redrawn as the run goes (the set-up column is not)."""
    view = run_view.value
    stale = view.status != "idle" and bool(run_form.value) and run_form.value != form
    _results(view, run_request.value, stale, setup)


@solara.component
def Page():  # noqa: N802
    """The dashboard page: the set-up on the left, the answer and the run on the right."""
    request = run_request.value
    form = form_state.value
    # Checked once per change of the form, for both columns.
    setup, errors = solara.use_memo(lambda: check_form(form), dependencies=[form])
    solara.use_thread(
        lambda cancel: _work(request, cancel), dependencies=[request], intrusive_cancel=False
    )
    solara.Title("itlead dashboard")
    with solara.Columns([4, 9]):
        SetupCard(form, setup, errors)
        Results(form, setup)
