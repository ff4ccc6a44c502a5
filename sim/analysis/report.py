"""A report for strategists: which structure serves which situation, by how much, with caveats.

Every finding sentence is generated from the batch's numbers at the time the report is made;
nothing is written in advance. The HTML file is self-contained (figures are embedded), and the
Markdown twin refers to the figure files next to it.
"""

from __future__ import annotations

import base64
import html
import json
import math
from pathlib import Path

import pandas as pd

from sim.analysis import verdict
from sim.analysis.answer import (
    RULE,
    answers,
    compact_table,
    comparisons,
    description,
    flips,
    scenario_name,
    structure_name,
)
from sim.analysis.stats import design_cells, paired_comparison, resilience_by_scenario
from sim.analysis.tables import render
from sim.config.params import param_infos
from sim.experiments.batch import BatchResult, load_batch
from sim.model.outcomes import HEADLINE
from sim.model.recorder import TICK_METRICS

# A structure and its control: the same total executive attention and cost, every decision right
# with one role (MODEL.md, "Comparing structures fairly"). The report sets them side by side.
CONTROLS = {"cio_cto_split": "single_cio_with_deputy"}


def _figure_html(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    caption_path = path.with_suffix(".txt")
    caption = caption_path.read_text() if caption_path.exists() else ""
    return (
        f'<figure><img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def _caveats(manifest: dict) -> list[str]:
    # "assumption" alone, or beside a source for the mechanism ("...; value an assumption").
    assumed = sum(1 for info in param_infos().values() if "assumption" in info.source)
    n_reps = manifest["spec"]["replications"]
    return [
        "These are simulation results, not forecasts: they show what follows from the model's"
        " mechanisms (docs/ODD.md) under its parameters, for an organisation like the default"
        " one unless the batch changed it.",
        f"{assumed} of {len(param_infos())} parameters have no published value (their source"
        " says 'assumption', docs/parameters.md); a sensitivity batch (experiments/"
        "sensitivity_morris.toml) shows which of them move the results.",
        "The default single-CIO organisation is calibrated to published ranges by simulated"
        " method of moments (docs/calibration.md, docs/validation.md); the other structures are"
        " not calibrated separately. Summaries leave out the start-up transient (the warm-up,"
        " docs/steady_state.md).",
        f"Differences are paired by replication ({n_reps} per scenario): both structures meet the"
        " same demand, shocks and market. " + RULE + " Relative differences of outcomes that"
        " cannot be negative are ratios of the two means with an interval on the log scale, so"
        " they never reach below -100%. The Wilcoxon signed-rank p-value in the full table is a"
        " distribution-free check beside the rule, not part of it.",
        "Outcomes are read in MODEL.md's groups, not counted as wins: they are correlated, and a"
        " small gain on one is not worth a large loss on another. Which group matters most is"
        " the reader's decision.",
        "No structure is favoured by construction: with higher coordination cost or goal"
        " incongruence between the roles, the single CIO can come out ahead (docs/"
        "crossover.md).",
    ]


def build_report(folder: str | Path, *, reference: str | None = None) -> tuple[Path, Path]:
    """Write ``report.html`` and ``report.md`` into the batch folder; return their paths."""
    path = Path(folder)
    batch = load_batch(path)
    manifest = json.loads((path / "manifest.json").read_text())
    title = f"Leadership structures compared: {manifest['experiment']}"
    blocks = _blocks(batch, manifest, reference, path / "figures")
    md_path = path / "report.md"
    md_path.write_text(_markdown(title, blocks))
    html_path = path / "report.html"
    html_path.write_text(_html(title, blocks))
    return html_path, md_path


# A report is a list of blocks, each (kind, content), written once and rendered twice: as Markdown
# and as HTML. Kinds: "h2" and "h3" (a heading), "p" (a paragraph), "ul" (a list of sentences),
# "table" (a DataFrame), "fold" (a summary line and a DataFrame: folded in HTML), "figures" (PNG
# paths).
Block = tuple[str, object]


def _blocks(
    batch: BatchResult, manifest: dict, reference: str | None, figures_dir: Path
) -> list[Block]:
    """The report's content, from the batch's numbers: the answer first, then the evidence."""
    runs = batch.runs
    structures = list(dict.fromkeys(runs["structure"]))
    reference = reference or structures[0]
    table = paired_comparison(runs, reference, [o for o in HEADLINE if o in runs])
    scenarios = list(dict.fromkeys(runs["scenario"]))
    shocked = [s for s in scenarios if s != "baseline"]
    found = answers(table)
    blocks: list[Block] = [("h2", "The answer"), ("ul", [a.headline for a in found])]
    if any(a.indicative for a in found):
        blocks.append(
            (
                "p",
                f"Indicative only: this batch has fewer than {verdict.MIN_PAIRS} paired runs per"
                " comparison, so the rule below gives no verdict. Run more replications (for"
                " example experiments/structure_comparison.toml) before drawing conclusions.",
            )
        )
    flipped = flips(table)
    if flipped:
        blocks += [("p", "What flips the answer in this batch's sweep:"), ("ul", flipped)]
    elif not design_cells(runs):
        blocks.append(
            (
                "p",
                "What would flip it: this batch holds one design point, so it cannot show that."
                " docs/crossover.md maps where the split's edge turns into the single CIO's as"
                " coordinating two executives costs more and their goals conflict more often"
                " (experiments/coordination_crossover.toml).",
            )
        )
    blocks += [("p", RULE), *_what_was_compared(structures, scenarios, reference)]
    blocks.append(("h2", "By scenario"))
    for a, rows in zip(found, comparisons(table), strict=True):
        blocks += [
            (
                "h3",
                f"{scenario_name(a.scenario)}: {structure_name(a.other)} against"
                f" {structure_name(a.reference)}",
            ),
            ("ul", list(a.groups)),
            ("fold", ("Table: both means, the difference and the verdict", compact_table(rows))),
        ]
    blocks += _control_blocks(runs, structures, reference)
    resilience = _resilience_table(batch, shocked)
    if resilience is not None:
        unit = TICK_METRICS["business_trust_mean"][0]
        blocks += [
            ("h2", "Resilience of business trust"),
            (
                "p",
                f"Against the no-shock run on the same seed ({unit}). A run that has not"
                " recovered by its end is counted, not dropped: the median time to recover is"
                ' the Kaplan-Meier median with those runs censored, and reads "> T" when fewer'
                " than half recovered within T ticks. The depth is the largest loss; the area is"
                " the loss summed from the shock to the run's end, positive when the shocked run"
                " did worse than its no-shock run and negative when it did better. Re-aligning,"
                " for market shocks only, is the time until the aligned share of delivered"
                " strategic value is back to 95% of the no-shock run's:",
            ),
            ("table", resilience),
        ]
    blocks += [
        ("h2", "Figures"),
        ("figures", _figures(batch, reference, shocked, figures_dir)),
        ("h2", "Full comparison"),
        ("fold", ("Every column of the paired comparison (`itlead compare`)", table)),
        ("h2", "Assumptions and caveats"),
        ("ul", _caveats(manifest)),
        ("h2", "How this was made"),
        ("p", _provenance(runs, structures, manifest, reference)),
    ]
    return blocks


def _what_was_compared(structures: list[str], scenarios: list[str], reference: str) -> list[Block]:
    """The structures and scenarios in words, from their files' descriptions."""
    return [
        ("h2", "What was compared"),
        (
            "ul",
            [
                f"{structure_name(s)} ({s}{', the reference' if s == reference else ''}):"
                f" {description('structure', s)}"
                for s in structures
            ],
        ),
        ("p", "Under these scenarios:"),
        ("ul", [f"{s}: {description('scenario', s)}" for s in scenarios]),
    ]


def _provenance(runs: pd.DataFrame, structures: list[str], manifest: dict, reference: str) -> str:
    spec = manifest["spec"]
    return (
        f"{len(runs)} runs: {len(structures)} structures ({', '.join(structures)}) on"
        f" {len(spec['scenarios'])} scenarios, {spec['replications']} replications each, master"
        f" seed {spec['master_seed']}; code {manifest['code_version']}, Mesa"
        f" {manifest['packages'].get('mesa')}. Reference structure: {reference}. The batch's"
        " manifest.json holds the full experiment, seeds and package versions."
    )


def _control_blocks(runs: pd.DataFrame, structures: list[str], reference: str) -> list[Block]:
    """Each structure against its capacity control, when the batch holds both."""
    blocks: list[Block] = []
    for structure, control in CONTROLS.items():
        if not {structure, control} <= set(structures) or control == reference:
            continue
        outcomes = [o for o in HEADLINE if o in runs]
        against = paired_comparison(runs, control, outcomes, others=[structure])
        blocks += [
            (
                "h2",
                f"Capacity or division of rights: {structure_name(structure)} against"
                f" {structure_name(control)}",
            ),
            (
                "p",
                f"{structure_name(control)} has the same total executive attention and cost as"
                f" {structure_name(structure)} but keeps every decision right with one role, so a"
                " difference here comes from dividing the rights, and what the comparison with"
                f" {structure_name(reference)} adds to it comes from the extra executive.",
            ),
        ]
        for a in answers(against):
            blocks += [("p", a.headline), ("ul", list(a.groups))]
    return blocks


def _figures(
    batch: BatchResult, reference: str, shocked: list[str], figures_dir: Path
) -> list[Path]:
    """Draw the report's figures into ``figures_dir``; return the PNGs."""
    from sim.analysis import plot

    swept = design_cells(batch.runs)
    paths: list[Path] = []
    if not swept:
        paths = plot.comparison(batch, reference, figures_dir, "double")
    elif len(swept) == 2:
        # A two-lever sweep is read as a map of where each structure does better; a sweep of
        # one or of more levers has its numbers in the per-point tables only.
        structures = list(dict.fromkeys(batch.runs["structure"]))
        for other in (s for s in structures if s != reference):
            for outcome in ("value_delivered", "lead_time_change_mean"):
                if outcome in batch.runs:
                    paths += plot.crossover(
                        batch,
                        outcome=outcome,
                        reference=reference,
                        other=other,
                        out=figures_dir,
                        preset="double",
                    )
    for scenario in shocked:
        paths += plot.timeseries(batch, "business_trust_mean", scenario, figures_dir, "double")
    paths += plot.time_allocation(batch, figures_dir, "double")
    return [p for p in paths if p.suffix == ".png"]


def _resilience_table(batch: BatchResult, shocked: list[str]) -> pd.DataFrame | None:
    """Recovery of business trust per shocked scenario and structure, censoring counted.

    From :func:`sim.analysis.stats.resilience_summary`: how many runs recovered within the run
    (n of N), the Kaplan-Meier median time to recover with the unrecovered runs counted as
    censored ("> T" when the median is not reached), the mean depth of the dip and the mean area
    between the shocked run and its no-shock counterfactual (positive: a cumulative loss;
    negative: the shocked run did better). Market shocks add the same for re-alignment (the
    aligned share of delivered strategic value back to 95% of the no-shock run's); "n/a" for the
    other shocks. Every cell is text, so the Markdown and HTML show the same values.
    """
    from sim.analysis.stats import resilience_summary

    runs = batch.runs
    if "baseline" not in set(runs["scenario"]) or not shocked:
        return None
    measure = "business_trust_mean"
    per_run = resilience_by_scenario(runs, batch.ticks, batch.events, measure)
    if not len(per_run):
        return None
    summary = resilience_summary(per_run)
    unit = TICK_METRICS[measure][0]
    return pd.DataFrame(
        {
            "scenario": summary["scenario"],
            "structure": summary["structure"],
            "recovered within the run (n of N)": [
                _n_of(r, "recovered", "runs") for r in summary.itertuples()
            ],
            "median ticks to recover (Kaplan-Meier)": [
                _km_cell(r, "recovery", "runs", "recovered") for r in summary.itertuples()
            ],
            f"depth of the dip ({unit}, mean loss)": [
                _number(v, "{:.3g}") for v in summary["depth_mean"]
            ],
            f"area ({unit} x ticks, mean; + loss, - gain vs the no-shock run)": [
                _number(v, "{:+.3g}") for v in summary["area_mean"]
            ],
            "re-aligned within the run (n of N)": [
                _n_of(r, "realigned", "realign_runs") for r in summary.itertuples()
            ],
            "median ticks to re-align (Kaplan-Meier)": [
                _km_cell(r, "realign", "realign_runs", "re-aligned") for r in summary.itertuples()
            ],
        }
    )


# The resilience table's missing value, the same as sim.analysis.tables renders for NaN.
_NA = "n/a"


def _number(value: float, fmt: str) -> str:
    return _NA if value is None or math.isnan(value) else fmt.format(value)


def _n_of(row: tuple, count: str, runs: str) -> str:
    n = getattr(row, runs, 0)
    return f"{getattr(row, count)} of {n}" if n else _NA


def _km_cell(row: tuple, what: str, runs: str, done: str) -> str:
    """The Kaplan-Meier median in ticks, or "> T" (T: ticks observed) when it is not reached."""
    if not getattr(row, runs, 0):
        return _NA
    if getattr(row, f"{what}_median_reached"):
        return f"{getattr(row, f'{what}_median_ticks'):.0f}"
    observed = "observed_ticks" if what == "recovery" else f"{what}_observed_ticks"
    return f"> {getattr(row, observed):.0f}, median run not {done}"


def _markdown(title: str, blocks: list[Block]) -> str:
    lines = [f"# {title}", ""]
    for kind, content in blocks:
        if kind in ("h2", "h3"):
            lines += [f"{'#' * int(kind[1])} {content}", ""]
        elif kind == "p":
            lines += [str(content), ""]
        elif kind == "ul":
            lines += [f"- {s}" for s in content] + [""]
        elif kind == "table":
            lines.append(render(content, "markdown"))
        elif kind == "fold":
            summary, frame = content
            lines += [f"{summary}:", "", render(frame, "markdown")]
        else:
            lines += [f"![{p.stem}](figures/{p.name})" for p in content] + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _html(title: str, blocks: list[Block]) -> str:
    body = [f"<h1>{html.escape(title)}</h1>"]
    for kind, content in blocks:
        if kind in ("h2", "h3", "p"):
            body.append(f"<{kind}>{html.escape(str(content))}</{kind}>")
        elif kind == "ul":
            body += ["<ul>", *(f"<li>{html.escape(s)}</li>" for s in content), "</ul>"]
        elif kind == "table":
            body.append(_html_table(content))
        elif kind == "fold":
            summary, frame = content
            body.append(
                f"<details><summary>{html.escape(summary)}</summary>{_html_table(frame)}</details>"
            )
        else:
            body += [_figure_html(p) for p in content]
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def _html_table(frame: pd.DataFrame) -> str:
    """A table that scrolls sideways inside the page rather than widening it; NaN as "n/a"."""
    table = frame.to_html(index=False, float_format=lambda x: f"{x:.4g}", border=0, na_rep=_NA)
    return f'<div class="scroll">{table}</div>'


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.45;color:#222}table{border-collapse:collapse;font-size:.85rem;margin:1rem 0}"
    "th,td{padding:.25rem .5rem;border-bottom:1px solid #ddd;text-align:right}"
    "th:first-child,td:first-child{text-align:left}img{max-width:100%}"
    "figcaption{font-size:.85rem;color:#555}.scroll{overflow-x:auto}"
    "td{white-space:nowrap}td:nth-child(2){white-space:normal}summary{cursor:pointer}"
)
