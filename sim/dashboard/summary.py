"""The answer to a run, and its detailed table as HTML.

One seed: both structures' headline outcomes and the paired difference. More seeds: the paired
comparison of :func:`sim.analysis.stats.paired_comparison`, with the verdict rule's answer in the
same words as the report (:mod:`sim.analysis.answer`). Nothing here needs Solara.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

from sim.model.outcomes import HEADLINE

if TYPE_CHECKING:
    from sim.dashboard.session import RunView


def summary_rows(view: RunView) -> list[dict[str, Any]]:
    """The detailed table's rows: one per headline outcome.

    One seed: both structures' values and the paired difference (other minus reference). More
    seeds: the means, the mean paired difference and its 95% interval, and ``favours`` by the
    verdict rule (:mod:`sim.analysis.verdict`; empty below its minimum of pairs).

    Args:
        view: A run's view; only a finished one has rows.

    Returns:
        Dicts with ``outcome``, ``better``, ``a``, ``b``, ``difference`` and ``favours`` (and
        ``ci_low`` and ``ci_high`` over several seeds); empty before the run has finished.
    """
    setup, runs = view.setup, view.summaries
    if setup is None or runs is None:
        return []
    a, b = setup.labels
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
                "favours": table.at[outcome, "favours"],
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


def answer_html(view: RunView) -> str:
    """The plain-words answer and the rule behind it, in the report's words.

    Over several seeds: the same sentences as the report's "The answer" and ``itlead headline``.
    One seed, or a stopped run: what the run shows is one trajectory, not an answer, and the
    text says how many seeds the rule needs.
    """
    from sim.analysis.answer import RULE, answers
    from sim.analysis.verdict import MIN_PAIRS

    rule = f'<p class="rule" style="font-size:0.85em;color:#555">{html.escape(RULE)}</p>'
    if view.comparison is None or not len(view.comparison):
        runs = 0 if view.summaries is None else int(view.summaries["replication"].nunique())
        text = (
            f"No answer yet: {runs} paired run(s) show trajectories, not which structure does"
            f" better. The verdict rule needs at least {MIN_PAIRS} paired seeds; set"
            f" Replications to {MIN_PAIRS} or more and run again."
        )
        return f'<p class="answer answer-none">{html.escape(text)}</p>{rule}'
    found = answers(view.comparison)[0]
    lines = "".join(f"<li>{html.escape(line)}</li>" for line in found.groups)
    return (
        f'<p class="answer"><b>{html.escape(found.headline)}</b></p>'
        f'<ul class="answer-groups" style="padding-left:1.4em">{lines}'
        f"</ul>{rule}"
    )


def _fmt(value: Any) -> str:
    """A value for people: four significant digits, and a dash for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def summary_html(view: RunView) -> str:
    """The detailed table as HTML; each value cell carries its exact value in data-value."""
    setup = view.setup
    if setup is None:
        return ""
    a, b = (html.escape(s) for s in setup.labels)
    many = view.comparison is not None
    head = ["outcome", "better", a, b, f"{b} − {a}"]
    # One seed shows which structure is ahead on it, which is not a verdict: say so.
    head += ["95% CI", "favours (verdict rule)"] if many else ["ahead on this seed (no verdict)"]
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
