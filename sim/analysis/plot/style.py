"""The look every chart shares: print sizes, fonts, the fixed style of each structure, and labels.

Each structure keeps one colour, line style and marker in every figure (redundant encoding, so a
figure still reads in grey or to a colour-blind reader): shipped structures take the Okabe-Ito
colours in the sorted order of their names, other structures follow.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from sim.errors import ParameterError, did_you_mean
from sim.model.attention import ACTIVITIES
from sim.model.recorder import TICK_METRICS

matplotlib.rcParams["pdf.fonttype"] = 42  # TrueType, not Type 3
matplotlib.rcParams["ps.fonttype"] = 42

# Figure sizes in inches: one journal column, two columns, a 16:9 slide.
PRESETS: dict[str, tuple[float, float]] = {
    "single": (3.5, 2.6),
    "double": (7.0, 3.6),
    "slides": (10.0, 5.6),
}
# Font sizes (points) per preset: body, tick labels, legend; and the line width.
_FONTS: dict[str, dict[str, float]] = {
    "single": {"base": 8.0, "small": 7.0, "tiny": 6.0, "line": 1.0},
    "double": {"base": 9.0, "small": 8.0, "tiny": 7.0, "line": 1.2},
    "slides": {"base": 16.0, "small": 14.0, "tiny": 12.0, "line": 2.2},
}
OKABE_ITO = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#000000",
)
# The order structures take them in (shipped, sorted: cio_cto_joint_architecture blue,
# cio_cto_split vermillion, cio_with_coo green, single_cio black): the strongest contrasts on white
# first, yellow (hard to see as a thin line on white) last.
STRUCTURE_COLOURS = tuple(OKABE_ITO[i] for i in (4, 5, 2, 7, 0, 1, 6, 3))
LINE_STYLES = ("-", "--", ":", "-.", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 1)), "-")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
# Activities of the CIO's time: Paul Tol's "muted" colour-blind-safe scheme, kept apart from the
# Okabe-Ito colours so an activity is never mistaken for a structure.
ACTIVITY_COLOURS = dict(
    zip(
        ACTIVITIES,
        ("#CC6677", "#882255", "#AA4499", "#DDCC77", "#999933", "#332288", "#88CCEE", "#44AA99"),
        strict=True,
    )
)
DPI = 300
BAND_TEXT = "95% t-interval of the mean over runs"


def check_preset(preset: str) -> tuple[float, float]:
    """The print size of ``preset``.

    Args:
        preset: A key of :data:`PRESETS`.

    Returns:
        Width and height in inches.

    Raises:
        ParameterError: ``preset`` is not a key of :data:`PRESETS`.
    """
    if preset not in PRESETS:
        hint = did_you_mean(preset, PRESETS)
        raise ParameterError(
            "preset",
            f"{preset!r} is unknown; allowed {', '.join(PRESETS)}" + (f" ({hint})" if hint else ""),
        )
    return PRESETS[preset]


@contextlib.contextmanager
def figure_style(preset: str) -> Iterator[dict[str, float]]:
    """Font sizes and line widths for ``preset``, for the figures drawn inside.

    Args:
        preset: A key of :data:`PRESETS`.

    Yields:
        The preset's sizes: ``base``, ``small`` and ``tiny`` font points and the ``line`` width.
    """
    check_preset(preset)
    f = _FONTS[preset]
    rc = {
        "font.size": f["base"],
        "axes.titlesize": f["base"],
        "axes.labelsize": f["base"],
        "xtick.labelsize": f["small"],
        "ytick.labelsize": f["small"],
        "legend.fontsize": f["small"],
        "legend.title_fontsize": f["small"],
        "figure.titlesize": f["base"],
        "lines.linewidth": f["line"],
        "lines.markersize": f["base"] * 0.5,
        "axes.linewidth": f["line"] * 0.6,
        "xtick.major.width": f["line"] * 0.6,
        "ytick.major.width": f["line"] * 0.6,
        "xtick.major.size": f["base"] * 0.4,
        "ytick.major.size": f["base"] * 0.4,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "savefig.dpi": DPI,
        "figure.constrained_layout.h_pad": 0.03,
        "figure.constrained_layout.w_pad": 0.03,
    }
    with plt.rc_context(rc):
        yield f


def structure_order(names: Sequence[str] = ()) -> list[str]:
    """Shipped structures sorted by name, then any others (sorted): the order styles follow."""
    from sim.config.loaders import list_structures

    shipped = sorted(list_structures())
    return shipped + sorted(set(names) - set(shipped))


def structure_style(name: str) -> dict[str, Any]:
    """The fixed colour, line style and marker of a structure (the same in every figure)."""
    order = structure_order([name])
    k = order.index(name) % len(STRUCTURE_COLOURS)
    return {"color": STRUCTURE_COLOURS[k], "linestyle": LINE_STYLES[k], "marker": MARKERS[k]}


_ROLES = {"cio", "cto", "coo", "cfo", "ceo", "cdo", "ciso"}


def structure_label(name: str) -> str:
    """A reader's name for a structure: ``cio_cto_split`` -> ``CIO/CTO split``."""
    words = Path(name).stem.split("_")
    out: list[str] = []
    for word in words:
        if word in _ROLES:
            if (
                out
                and out[-1].split("/")[-1].isupper()
                and out[-1].split("/")[-1].lower() in _ROLES
            ):
                out[-1] += "/" + word.upper()
            else:
                out.append(word.upper())
        else:
            out.append(word)
    return " ".join(out)


# A reader's name for each headline outcome: axis labels, the report and the answer use it.
OUTCOME_LABELS: dict[str, str] = {
    "lead_time_change_mean": "change lead time",
    "lead_time_strategic_mean": "strategic lead time",
    "strategic_late_or_failed": "strategic work late or failed",
    "value_delivered": "business value delivered",
    "strategic_alignment": "strategic alignment with the market",
    "business_trust_mean": "business trust in IT",
    "blind_spot": "CIO's blind spot on trust",
    "unplanned_share": "unplanned work share",
    "debt_mean": "technical debt",
    "burnout_share": "staff at burnout risk",
    "exec_utilisation_max": "load on the busiest executive",
    "exec_exhaustion": "executive exhaustion",
    "exec_turnover": "executive departures",
    "decision_latency": "decision wait",
    "hidden_work_share": "hidden executive work",
    "shadow_share": "shadow IT share",
    "it_cost": "IT cost",
}


def words(name: str) -> str:
    """A name as words for a label: an outcome's reader name, else ``it_cost`` -> ``IT cost``."""
    if name in OUTCOME_LABELS:
        return OUTCOME_LABELS[name]
    return " ".join("IT" if w == "it" else w for w in name.split("_"))


# Units of the run-summary columns (means over the ticks after warm-up unless a total).
_SUMMARY_UNITS = {
    "delivered": "requests/tick",
    "value_delivered": "value units/tick",
    "incidents_new": "incidents/tick",
    "it_cost": "cost units/tick",
    "value_total": "value units",
    "attrition": "people",
    "exec_turnover": "executives",
    "decisions_timed_out": "decisions",
    "strategic_late_or_failed": "fraction",
    "realign_ticks": "ticks",
    "requests_created": "requests",
    "requests_delivered": "requests",
    "requests_rejected": "requests",
    "requests_shadowed": "requests",
    "requests_open": "requests",
}


def outcome_unit(name: str) -> str:
    """The unit of a run-summary column or per-tick measure ('' when unknown)."""
    if name in _SUMMARY_UNITS:
        return _SUMMARY_UNITS[name]
    if name.startswith("lead_time_"):
        return "ticks"
    if name.startswith("cio_"):
        return "fraction"
    if name in TICK_METRICS:
        return TICK_METRICS[name][0]
    return ""


def with_unit(name: str, unit: str | None = None) -> str:
    """An axis label: ``name`` as words, then its unit in brackets (its known unit if None)."""
    unit = outcome_unit(name) if unit is None else unit
    return f"{words(name)} ({unit})" if unit else words(name)
