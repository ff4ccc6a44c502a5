"""Publication charts of a finished batch: each writes a PDF, a 300 dpi PNG, its data and a caption.

Every chart is drawn at a fixed print size (:data:`PRESETS`: one journal column, two columns, or
a slide), with fonts sized for it, so what is checked on screen is what is printed. Fonts are
embedded as TrueType (``pdf.fonttype = 42``), never Type 3, as publishers ask.

Each structure keeps one colour, line style and marker in every figure (redundant encoding, so a
figure still reads in grey or to a colour-blind reader): shipped structures take the Okabe-Ito
colours in the sorted order of their names, other structures follow.

Next to ``<stem>.pdf`` and ``<stem>.png``, :func:`save` writes ``<stem>.csv`` (exactly the numbers
plotted) and ``<stem>.txt`` (the caption: what is shown, how many runs, what bands and bars mean).

The modules, one job each: :mod:`~sim.analysis.plot.style` (sizes, fonts, colours, labels),
:mod:`~sim.analysis.plot.output` (:func:`save`), :mod:`~sim.analysis.plot.runs` (what a chart reads
from a batch), and one ``<kind>_chart`` module per chart: :func:`timeseries`, :func:`comparison`,
:func:`crossover`, :func:`sensitivity` and :func:`time_allocation` (``allocation_chart``), and
:func:`structure_figure` (``structure_chart``), which draws a structure file, not a batch. The
``_chart`` suffix keeps a module's name apart from its function's, which this package exports
under the bare name. A bad argument raises :class:`~sim.errors.ParameterError` naming the
function's parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before any chart module imports pyplot

from sim.analysis.plot.allocation_chart import time_allocation
from sim.analysis.plot.comparison_chart import LINTHRESH, SYMLOG_ABOVE, comparison
from sim.analysis.plot.crossover_chart import crossover
from sim.analysis.plot.output import save
from sim.analysis.plot.sensitivity_chart import sensitivity
from sim.analysis.plot.structure_chart import (
    structure_caption,
    structure_figure,
    structure_png,
    structure_svg,
    structures_figure,
)
from sim.analysis.plot.style import (
    ACTIVITY_COLOURS,
    BAND_TEXT,
    DPI,
    LINE_STYLES,
    MARKERS,
    OKABE_ITO,
    PRESETS,
    STRUCTURE_COLOURS,
    outcome_unit,
    structure_label,
    structure_order,
    structure_style,
)
from sim.analysis.plot.timeseries_chart import timeseries

KINDS: dict[str, Callable[..., list[Path]]] = {
    "timeseries": timeseries,
    "comparison": comparison,
    "crossover": crossover,
    "sensitivity": sensitivity,
    "allocation": time_allocation,
}

__all__ = [
    "ACTIVITY_COLOURS",
    "BAND_TEXT",
    "DPI",
    "KINDS",
    "LINE_STYLES",
    "LINTHRESH",
    "MARKERS",
    "OKABE_ITO",
    "PRESETS",
    "STRUCTURE_COLOURS",
    "SYMLOG_ABOVE",
    "comparison",
    "crossover",
    "outcome_unit",
    "save",
    "sensitivity",
    "structure_caption",
    "structure_figure",
    "structure_label",
    "structure_order",
    "structure_png",
    "structure_style",
    "structure_svg",
    "structures_figure",
    "time_allocation",
    "timeseries",
]
