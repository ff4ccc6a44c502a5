"""The answer in plain words: which structure does better where, from a paired comparison.

One function of a :func:`sim.analysis.stats.paired_comparison` table gives the text that the
report, ``itlead headline`` and the dashboard show, so the three never disagree. It only restates
the verdict rule's columns (``favours``, ``verdict``, the ratio and its interval); it decides
nothing of its own.

Outcomes are read in the groups of MODEL.md ("What is measured"): a strategist weighs
responsiveness against cost, not a count of wins over seventeen correlated outcomes in which IT
cost weighs as much as a small trust gain. A group leans to a structure when at least one of its
outcomes favours it and none favours the other; it is mixed when both happen, and open when none
does.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.analysis import verdict
from sim.analysis.plot.style import outcome_unit, structure_label, words

#: MODEL.md's groups of measures, each with the headline outcomes that belong to it.
GROUPS: dict[str, tuple[str, ...]] = {
    "Responsiveness": ("lead_time_change_mean", "lead_time_strategic_mean"),
    "Accuracy and alignment": (
        "value_delivered",
        "strategic_alignment",
        "strategic_late_or_failed",
    ),
    "Stability": ("unplanned_share", "debt_mean"),
    "Leadership load": (
        "exec_utilisation_max",
        "exec_exhaustion",
        "exec_turnover",
        "decision_latency",
        "hidden_work_share",
    ),
    "Trust and climate": ("business_trust_mean", "blind_spot"),
    "People": ("burnout_share",),
    "Shadow IT and cost": ("shadow_share", "it_cost"),
}


#: How the verdict rule reads in one sentence (the report and the dashboard say it beside the
#: answer).
RULE = (
    f"A structure does better on an outcome only with at least {verdict.MIN_PAIRS} paired runs,"
    f" a paired t-test significant at {verdict.ALPHA:.0%} after Holm's adjustment over the"
    " outcomes of the comparison, and a 95% interval of the mean difference that excludes zero"
    f" (a t-interval below {verdict.BCA_MIN_PAIRS} pairs, a BCa bootstrap from there on)."
)


def label(outcome: str) -> str:
    """A reader's name for an outcome (the column name in words when it has none)."""
    return words(outcome)


def structure_name(name: str) -> str:
    """A reader's name for a structure: ``cio_cto_split`` -> ``CIO/CTO split``."""
    return structure_label(name)


def description(kind: str, name: str) -> str:
    """The ``description`` of a scenario or structure file ("" when it no longer loads).

    Args:
        kind: ``"scenario"`` or ``"structure"``.
        name: A shipped name or a path, as a batch records it.
    """
    from sim.config.loaders import load_scenario, load_structure
    from sim.errors import ConfigError

    load = load_scenario if kind == "scenario" else load_structure
    try:
        return load(name).description
    except (ConfigError, OSError):
        return ""


def scenario_name(name: str) -> str:
    """A reader's name for a scenario: its description up to the first colon or full stop.

    ``baseline`` -> ``Steady load``; a scenario that no longer loads keeps its name in words.
    """
    head = description("scenario", name).split(":", 1)[0].split(". ", 1)[0].strip()
    return head or Path(str(name)).stem.replace("_", " ")


def relative(row: pd.Series) -> str:
    """The difference ``other - reference`` of one row as a percentage with its interval.

    From the ratio of means where the outcome is non-negative (so the interval stays above
    -100%), else from the mean difference over the reference mean's size.
    """
    if not math.isnan(row["ratio"]):
        mid, low, high = (100.0 * (row[c] - 1.0) for c in ("ratio", "ratio_low", "ratio_high"))
    else:
        scale = abs(row["mean_reference"])
        if not scale:
            return f"{row['mean_difference']:+.3g}"
        mid, low, high = (100.0 * row[c] / scale for c in ("mean_difference", "ci_low", "ci_high"))
    return f"{mid:+.1f}% (95% CI {low:+.1f}% to {high:+.1f}%)"


@dataclass(frozen=True)
class Answer:
    """The answer for one scenario and one structure against the reference.

    Attributes:
        scenario: The scenario's name in the batch.
        reference: The reference structure.
        other: The structure compared with it.
        n_pairs: Paired runs behind the comparison (outcomes undefined in a run have fewer).
        headline: One sentence: which outcome groups lean to which structure.
        groups: One line per outcome group: the outcomes each structure does better on, with
            their relative differences, and the rest.
        indicative: True when there are too few pairs for any verdict.
    """

    scenario: str
    reference: str
    other: str
    n_pairs: int
    headline: str
    groups: tuple[str, ...]
    indicative: bool


def answers(table: pd.DataFrame) -> list[Answer]:
    """The answer for every scenario (and design point) and structure pair in ``table``.

    Args:
        table: A :func:`sim.analysis.stats.paired_comparison` table.

    Returns:
        One :class:`Answer` per comparison, in the table's order.
    """
    return [_answer(rows) for rows in comparisons(table)]


def in_groups(rows: pd.DataFrame) -> pd.DataFrame:
    """One comparison's rows in the order of :data:`GROUPS`, with a ``group`` column.

    Outcomes outside the groups (a batch's own choice) follow, in the group "Other".
    """
    group_of = {o: g for g, outcomes in GROUPS.items() for o in outcomes}
    order = {o: i for i, o in enumerate(group_of)}
    out = rows.assign(group=[group_of.get(o, "Other") for o in rows["outcome"]])
    rank = [order.get(o, len(order)) for o in out["outcome"]]
    return out.iloc[sorted(range(len(out)), key=lambda i: rank[i])]


def comparisons(table: pd.DataFrame) -> list[pd.DataFrame]:
    """The rows of each comparison (scenario, design point, structure) in ``table``'s order."""
    keys = ["scenario", *(["point"] if "point" in table else []), "other"]
    return [rows for _, rows in table.groupby(keys, sort=False)]


def _answer(rows: pd.DataFrame) -> Answer:
    first = rows.iloc[0]
    reference, other = str(first["reference"]), str(first["other"])
    names = {reference: structure_name(reference), other: structure_name(other)}
    n_pairs = int(rows["n_pairs"].max()) if len(rows) else 0
    lean: dict[str, list[str]] = {reference: [], other: [], "mixed": []}
    lines = []
    for group, members in in_groups(rows).groupby("group", sort=False):
        sides = {s: members[members["favours"] == s] for s in names}
        rest = members[members["favours"] == ""]["outcome"]
        parts = []
        for side, won in sides.items():
            if len(won):
                listed = "; ".join(f"{label(r.outcome)} {relative(r)}" for _, r in won.iterrows())
                parts.append(f"{names[side]} better on {listed}")
        if len(rest):
            parts.append("no reliable difference on " + ", ".join(label(o) for o in rest))
        lines.append(f"{group}: " + "; ".join(parts) + ".")
        named = group[0].lower() + group[1:]  # "Shadow IT and cost" -> "shadow IT and cost"
        if len(sides[reference]) and len(sides[other]):
            lean["mixed"].append(named)
        elif len(sides[reference]) or len(sides[other]):
            lean[reference if len(sides[reference]) else other].append(named)
    indicative = n_pairs < verdict.MIN_PAIRS
    where = scenario_name(str(first["scenario"]))
    levers = [c for c in rows.columns if c.startswith("param.")]
    if levers:
        where += " at " + ", ".join(f"{c.removeprefix('param.')} = {first[c]:g}" for c in levers)
    if indicative:
        headline = (
            f"{where}: {n_pairs} paired runs are too few for a verdict between {names[other]}"
            f" and {names[reference]} (at least {verdict.MIN_PAIRS}); the numbers below are"
            " indicative only."
        )
    else:
        headline = f"{where}: " + _lean_sentence(lean, names, reference, other, n_pairs)
    return Answer(
        scenario=str(first["scenario"]),
        reference=reference,
        other=other,
        n_pairs=n_pairs,
        headline=headline,
        groups=tuple(lines),
        indicative=indicative,
    )


def _lean_sentence(
    lean: dict[str, list[str]], names: dict[str, str], reference: str, other: str, n: int
) -> str:
    parts = [
        f"{names[side]} does better on {_join(lean[side])}"
        for side in (other, reference)
        if lean[side]
    ]
    if lean["mixed"]:
        parts.append(f"{_join(lean['mixed'])} {'is' if len(lean['mixed']) == 1 else 'are'} mixed")
    if not parts:
        return (
            f"no reliable difference between {names[other]} and {names[reference]} on any"
            f" outcome over {n} paired runs."
        )
    return (
        "; ".join(parts) + f" ({n} paired runs; other outcome groups show no reliable difference)."
    )


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def compact_table(rows: pd.DataFrame) -> pd.DataFrame:
    """One comparison (a scenario, a structure against the reference) as a table for people.

    Columns: the outcome group, the outcome in words with its unit, both means, the relative
    difference with its interval (:func:`sim.analysis.answer.relative`) and the verdict in words.
    """
    first = rows.iloc[0]
    ref, other = structure_name(first["reference"]), structure_name(first["other"])
    out = []
    for _, row in in_groups(rows).iterrows():
        unit = outcome_unit(row["outcome"])
        name = label(row["outcome"])
        out.append(
            {
                "group": row["group"],
                "outcome": f"{name} ({unit})" if unit else name,
                "better": row["better"],
                ref: f"{row['mean_reference']:.4g}",
                other: f"{row['mean_other']:.4g}",
                f"{other} vs {ref}": relative(row),
                "verdict": _verdict_words(row),
            }
        )
    return pd.DataFrame(out)


def _verdict_words(row: pd.Series) -> str:
    """The row's verdict with the structures' names for people."""
    if row["favours"]:
        return f"{structure_name(row['favours'])} does better"
    return str(row["verdict"])


def answer_text(table: pd.DataFrame) -> str:
    """The answer for a terminal: each comparison's sentence and its table, then the rule.

    The same sentences as the report's "The answer" (:func:`answers`), each followed by the
    report's :func:`compact_table` narrowed for a terminal: the verdict as the structure that
    does better, or the pairs a verdict would need.
    """
    parts = []
    for found, rows in zip(answers(table), comparisons(table), strict=True):
        shown = compact_table(rows).drop(columns=["group", "better", "verdict"])
        shown["better"] = [_short_verdict(row) for _, row in in_groups(rows).iterrows()]
        parts += [textwrap.fill(found.headline, 100), shown.to_string(index=False), ""]
    return "\n".join([*parts, textwrap.fill(RULE, 100), ""])


def _short_verdict(row: pd.Series) -> str:
    if row["favours"]:
        return structure_name(row["favours"])
    needed = row["pairs_needed"]
    if math.isinf(needed):
        return "none (too small to detect)"
    return f"none yet (~{needed:.0f} pairs)" if needed > row["n_pairs"] else "none"


def flips(table: pd.DataFrame) -> list[str]:
    """Where a sweep's verdict changes side: one sentence per outcome that flips.

    An outcome flips when, in one scenario and for one structure against the reference, the
    rule favours the structure at some design points and the reference at others. The sentence
    lists the lever values of each side. A batch of one design point flips nothing.

    Args:
        table: A :func:`sim.analysis.stats.paired_comparison` table.

    Returns:
        Sentences, in the table's order of scenarios, structures and outcomes.
    """
    levers = [c for c in table.columns if c.startswith("param.")]
    if not levers:
        return []
    out = []
    for (scenario, other, outcome), rows in table.groupby(
        ["scenario", "other", "outcome"], sort=False
    ):
        reference = str(rows["reference"].iloc[0])
        sides = {s: rows[rows["favours"] == s] for s in (other, reference)}
        if not all(len(part) for part in sides.values()):
            continue
        where = {
            s: "; ".join(
                ", ".join(f"{c.removeprefix('param.')} = {r[c]:g}" for c in levers)
                for _, r in part.iterrows()
            )
            for s, part in sides.items()
        }
        out.append(
            f"{scenario_name(str(scenario))}, {label(str(outcome))}: {structure_name(other)} does"
            f" better at {where[other]}; {structure_name(reference)} at {where[reference]}."
        )
    return out
