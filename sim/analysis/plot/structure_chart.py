"""The structure chart: a leadership structure's roles, decision rights, reporting lines, channels.

Drawn from the :class:`~sim.config.structure.Structure` alone, so a new structure file gets its
picture for free. Each executive role is a box (name, attention budget and cost, then the decision
rights it holds); the two kinds of team are boxes below, with an arrow up to the role they report
to; a coordination channel is a dashed line between two role boxes, labelled with the attention
each role spends on it and the goal incongruence. A ``"line"`` right appears under every role a
team reports to, marked ``(line)``; a joint right under both holders, marked ``(joint)``; notes
below the teams say what the marks mean.

The layout is measured, not guessed: every text is sized from its glyph outlines (with room for
hinting) and the boxes and gaps are made to fit it, so no label overlaps another or leaves its box
for any structure, at any dpi. On axes too small for it, the whole drawing (fonts included)
shrinks to fit; on larger ones it grows a little (at most :data:`_MAX_GROW`) and is centred.

A bad argument raises :class:`~sim.errors.ParameterError` naming the parameter.
"""

from __future__ import annotations

import functools
import io
import itertools
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.textpath import TextToPath

from sim.analysis.plot.style import DPI, figure_style, structure_label, structure_style
from sim.config.structure import LINE, TEAM_KINDS, Channel, Structure
from sim.errors import ParameterError

# One structure's print size in inches: legible in a column and at 600 px in the dashboard.
FIGSIZE = (5.0, 3.5)
# Font sizes in points at full scale: the structure's name, a role's name, body text, notes.
_SIZES = {"title": 9.0, "name": 8.5, "body": 7.5, "note": 7.0}
_INK = "0.1"
_MUTED = "0.35"
# How far a drawing may grow to fill its axes: fonts up to 9 pt body text, and no further.
_MAX_GROW = 1.2
# Inches between the panels of a grid, beyond each drawing's own margin.
_CELL_SPACE = 0.3
_TEAM_FILL = "0.93"
_DECIDES = "decides:"
_NO_RIGHTS = "no decision rights"
_TEXT_PATHS = TextToPath()
# Widths are measured from the glyph outlines; Agg's hinting draws text up to 9% wider (at 72 dpi).
_HINTING_ROOM = 1.1


@dataclass
class _Line:
    """One text to draw: where (points from the drawing's top-left), what and how."""

    x: float
    y: float
    text: str
    size: float
    weight: str = "normal"
    style: str = "normal"
    color: str = _INK
    ha: str = "left"
    # A white ground, for a label that another channel's bracket may run behind.
    backdrop: bool = False


@dataclass
class _Plan:
    """A measured drawing in points, y downwards from its top-left corner."""

    width: float
    height: float
    texts: list[_Line] = field(default_factory=list)
    # (left, top, width, height, kind) with kind "role" or "team".
    boxes: list[tuple[float, float, float, float, str]] = field(default_factory=list)
    # The rule under each role's header, and the dashed channel paths: lists of (x, y) points.
    rules: list[list[tuple[float, float]]] = field(default_factory=list)
    channels: list[list[tuple[float, float]]] = field(default_factory=list)
    # Reporting arrows: (from team top, to role bottom).
    arrows: list[tuple[tuple[float, float], tuple[float, float]]] = field(default_factory=list)


def structure_figure(structure: Structure, ax: plt.Axes | None = None) -> Figure:
    """Draw a structure: its roles, decision rights, reporting lines and coordination channels.

    Args:
        structure: The structure, e.g. from :func:`~sim.config.loaders.load_structure`.
        ax: Axes to draw in (its frame and ticks are turned off); None draws a new figure of
            :data:`FIGSIZE`, grown if the structure needs more room. A drawing too large for
            ``ax`` is shrunk, fonts included, to fit it.

    Returns:
        The figure drawn in. Close it (``plt.close(fig)``) when done.
    """
    with figure_style("single"):
        if ax is None:
            plan = _plan(structure, 1.0, FIGSIZE[0] * 72.0)
            size = (max(FIGSIZE[0], plan.width / 72.0), max(FIGSIZE[1], plan.height / 72.0))
            fig = plt.figure(figsize=size)
            ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        _draw(structure, ax)
    return ax.get_figure(root=True)


def structures_figure(structures: Sequence[Structure], ncols: int = 2) -> Figure:
    """Several structures in a grid, each drawn as by :func:`structure_figure`, at one scale.

    Args:
        structures: The structures, in reading order (left to right, then down).
        ncols: Columns of the grid (fewer when there are fewer structures).

    Returns:
        The figure: one cell per structure, each the size of the largest drawing, drawings at
        the top of their cells so the names of a row line up. Close it when done.

    Raises:
        ParameterError: ``structures`` is empty, or ``ncols`` is below 1.
    """
    if not structures:
        raise ParameterError("structures", "is empty; allowed at least one structure")
    if ncols < 1:
        raise ParameterError("ncols", f"{ncols} is out of range; allowed 1 or more")
    ncols = min(ncols, len(structures))
    nrows = math.ceil(len(structures) / ncols)
    # Cells as large as the largest drawing at full size, notes wrapped to its boxes' width.
    plans = [_plan(s, 1.0, 0.0) for s in structures]
    cell_w = max(p.width for p in plans) / 72.0 + _CELL_SPACE
    cell_h = max(p.height for p in plans) / 72.0 + _CELL_SPACE / 2
    with figure_style("single"):
        fig = plt.figure(figsize=(cell_w * ncols, cell_h * nrows))
        axes = []
        for i in range(len(structures)):
            row, col = divmod(i, ncols)
            axes.append(
                fig.add_axes((col / ncols, 1.0 - (row + 1) / nrows, 1.0 / ncols, 1.0 / nrows))
            )
        # One scale for all, the largest every cell fits, so panels compare at equal type sizes.
        scale = min(_fit(s, *_room(ax), 1.0)[0] for s, ax in zip(structures, axes, strict=True))
        for structure, ax in zip(structures, axes, strict=True):
            _draw(structure, ax, grow=scale, top=True)
    return fig


def structure_svg(structure: Structure) -> str:
    """The structure's picture as SVG text (for the dashboard); the figure is closed after.

    Args:
        structure: The structure.

    Returns:
        A standalone SVG document titled with the structure's name, glyphs drawn as paths so it
        looks the same in every browser.
    """
    fig = structure_figure(structure)
    buffer = io.StringIO()
    try:
        fig.savefig(
            buffer,
            format="svg",
            metadata={"Title": structure_label(structure.name), "Date": None},
        )
    finally:
        plt.close(fig)
    return buffer.getvalue()


def structure_png(structure: Structure, dpi: int = DPI) -> bytes:
    """The structure's picture as PNG bytes at ``dpi``; the figure is closed after."""
    fig = structure_figure(structure)
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=dpi)
    finally:
        plt.close(fig)
    return buffer.getvalue()


def structure_caption(structure: Structure) -> str:
    """A caption for the picture: the structure's description, then how to read the marks."""
    lead = structure.description.strip()
    how = (
        "Boxes: the executive roles, each with its attention budget (hours per tick) and cost "
        "(cost units per tick), and the decision rights it holds. Arrows: the role each kind of "
        "team reports to."
    )
    if structure.channels:
        how += (
            " Dashed line: a coordination channel, with the attention each of its two roles "
            "spends on it (hours per tick) and its goal incongruence (the chance that the two "
            "roles' priorities conflict on a joint decision)."
        )
    return f"{structure_label(structure.name)}. " + (f"{lead} " if lead else "") + how


# --- Layout ---------------------------------------------------------------------------------------


def _number(value: float) -> str:
    """A number as its file gives it, with at least one decimal: 9.0, 0.75, 0.2."""
    text = f"{value:g}"
    return text if any(c in text for c in ".e") else text + ".0"


def _rights(structure: Structure, role: str) -> list[str]:
    """The decision rights ``role`` holds, as lines: ``architecture (joint)``, ``people (line)``."""
    line_managers = {r for _kind, r in structure.reporting}
    held = []
    for decision, holders in structure.decision_rights:
        if holders == (LINE,):
            if role in line_managers:
                held.append(f"{decision} (line)")
        elif role in holders:
            held.append(f"{decision} (joint)" if len(holders) == 2 else decision)
    return held


def _channel_text(channel: Channel) -> tuple[str, str]:
    """A channel's two labels: the attention each role spends on it, and its incongruence."""
    return (
        f"{_number(channel.hours_per_tick)} h/tick",
        f"incongruence {_number(channel.goal_incongruence)}",
    )


def _notes(structure: Structure) -> list[str]:
    """What the ``(line)`` and ``(joint)`` marks mean for this structure, one note each."""
    notes = []
    for decision, holders in structure.decision_rights:
        if holders == (LINE,):
            notes.append(f"(line) {decision}: decided by the line manager of the raising team")
        elif len(holders) == 2:
            a, b = holders
            notes.append(f"(joint) {decision}: {a} and {b} decide together; it waits for both")
    return notes


@functools.cache
def _measure(text: str, size: float, weight: str = "normal") -> tuple[float, float]:
    """A text's width and height in points, with room for the widest a renderer draws it.

    The outline metrics, not one renderer's: hinting makes Agg draw a text up to 9% wider or
    narrower depending on the dpi (72 dpi widest), and SVG draws the outlines themselves.
    """
    prop = FontProperties(size=size, weight=weight)
    w, h, _d = _TEXT_PATHS.get_text_width_height_descent(text, prop, ismath=False)
    return w * _HINTING_ROOM, h


def _wrap(text: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points (a long word stays whole)."""
    for chars in range(len(text), 10, -1):
        lines = textwrap.wrap(text, chars, subsequent_indent="    ")
        if all(_measure(line, size)[0] <= width for line in lines):
            return lines
    return textwrap.wrap(text, 10, subsequent_indent="    ")


def _plan(structure: Structure, scale: float, avail_width: float) -> _Plan:
    """Measure and place everything of ``structure`` at ``scale`` (1: full-size fonts).

    Args:
        structure: The structure.
        scale: Factor on every font size and distance.
        avail_width: The width (points) notes may fill; the drawing is never narrower than its
            boxes.
    """
    size = {k: v * scale for k, v in _SIZES.items()}
    pad, margin, gap = 5.0 * scale, 8.0 * scale, 14.0 * scale

    def step(kind: str) -> float:
        return size[kind] * 1.35  # the height of one line of text

    def wide(text: str, kind: str = "body", weight: str = "normal") -> float:
        return _measure(text, size[kind], weight)[0]

    names = structure.role_names
    headers = [
        (r.name, f"{_number(r.attention_hours)} h/tick, cost {_number(r.cost)}")
        for r in structure.roles
    ]
    rights = [_rights(structure, name) or [_NO_RIGHTS] for name in names]
    box_w = 2 * pad + max(
        max(wide(name, "name", "bold"), wide(numbers), wide(_DECIDES, "note"), *map(wide, lines))
        for (name, numbers), lines in zip(headers, rights, strict=True)
    )
    rule_gap = 3.0 * scale
    header_h = step("name") + step("body")
    most = max(len(lines) for lines in rights)
    box_h = 2 * pad + header_h + 2 * rule_gap + step("note") + most * step("body")

    # A channel between neighbours runs in the gap between their boxes, its numbers above and
    # below the line; any other (three roles or more) as a bracket over the boxes, one level
    # up for each bracket it would cross.
    gaps = [gap] * (len(names) - 1)
    brackets: list[tuple[int, int, Channel]] = []
    for c in structure.channels:
        i, j = sorted(names.index(r) for r in c.roles)
        if j == i + 1:
            gaps[i] = max(gaps[i], max(map(wide, _channel_text(c))) + 4 * pad)
        else:
            brackets.append((i, j, c))
    levels: list[list[tuple[int, int]]] = []
    placed: list[tuple[int, int, int, Channel]] = []
    for i, j, c in sorted(brackets, key=lambda t: (t[1] - t[0], t[0])):
        free = (k for k, spans in enumerate(levels) if all(j <= a or i >= b for a, b in spans))
        level = next(free, len(levels))
        if level == len(levels):
            levels.append([])
        levels[level].append((i, j))
        placed.append((i, j, level, c))
    level_h = step("body") + 0.6 * gap

    # Horizontal places, first with the role row starting at 0.
    lefts = [k * box_w + sum(gaps[:k]) for k in range(len(names))]
    roles_w = lefts[-1] + box_w
    team_text = {kind: f"{kind} teams" for kind in TEAM_KINDS}
    team_w = 2 * pad + max(map(wide, team_text.values()))
    team_h = 2 * pad + step("body")
    # Each team under the role it reports to, side by side when they share one.
    targets = [lefts[names.index(structure.reports_to(k))] + box_w / 2 for k in TEAM_KINDS]
    centres = []
    for k, target in enumerate(targets):
        sharing = [t for t in range(len(targets)) if targets[t] == target]
        # Close together, so both stay under the role's box as far as they can.
        centres.append(target + (sharing.index(k) - (len(sharing) - 1) / 2) * (team_w + gap / 2))
    order = sorted(range(len(centres)), key=lambda k: centres[k])
    for a, b in itertools.pairwise(order):
        centres[b] = max(centres[b], centres[a] + team_w + gap / 2)
    low = min(0.0, min(centres) - team_w / 2)
    high = max(roles_w, max(centres) + team_w / 2)
    title = structure_label(structure.name)
    content_w = max(high - low, wide(title, "title", "bold"))
    notes = [
        line
        for note in _notes(structure)
        for line in _wrap(note, size["note"], max(content_w, avail_width - 2 * margin))
    ]
    notes_w = max((wide(n, "note") for n in notes), default=0.0)
    block_w = max(content_w, notes_w)
    width = block_w + 2 * margin
    ox = margin + (block_w - (high - low)) / 2 - low  # role row's left edge
    lefts = [ox + left for left in lefts]
    centres = [ox + c for c in centres]
    targets = [ox + t for t in targets]

    plan = _Plan(width=width, height=0.0)

    def text(x: float, y: float, s: str, kind: str = "body", **style: Any) -> None:
        plan.texts.append(_Line(x=x, y=y, text=s, size=size[kind], **style))

    text(width / 2, margin + step("title") / 2, title, "title", weight="bold", ha="center")
    roles_top = margin + step("title") + 0.6 * gap + len(levels) * level_h

    for left, (name, numbers), lines in zip(lefts, headers, rights, strict=True):
        plan.boxes.append((left, roles_top, box_w, box_h, "role"))
        centre = left + box_w / 2
        y = roles_top + pad
        text(centre, y + step("name") / 2, name, "name", weight="bold", ha="center")
        y += step("name")
        text(centre, y + step("body") / 2, numbers, ha="center")
        y += step("body") + rule_gap
        plan.rules.append([(left, y), (left + box_w, y)])
        y += rule_gap
        text(left + pad, y + step("note") / 2, _DECIDES, "note", style="italic", color=_MUTED)
        y += step("note")
        for line in lines:
            text(
                left + pad, y + step("body") / 2, line, color=_MUTED if line == _NO_RIGHTS else _INK
            )
            y += step("body")

    for c in structure.channels:
        i, j = sorted(names.index(r) for r in c.roles)
        if j != i + 1:
            continue
        x0, x1 = lefts[i] + box_w, lefts[j]
        line_y = roles_top + pad + step("name")
        plan.channels.append([(x0, line_y), (x1, line_y)])
        above, below = _channel_text(c)
        shift = step("body") / 2 + 1.5 * scale
        text((x0 + x1) / 2, line_y - shift, above, ha="center")
        text((x0 + x1) / 2, line_y + shift, below, ha="center")
    for i, j, level, c in placed:
        line_y = roles_top - 0.6 * gap - level * level_h
        # Each end a little off the box's centre, so brackets ending on one box stay apart.
        inset = (level + 1) * 2 * pad
        xi, xj = lefts[i] + box_w / 2 + inset, lefts[j] + box_w / 2 - inset
        plan.channels.append([(xi, roles_top), (xi, line_y), (xj, line_y), (xj, roles_top)])
        label = ", ".join(_channel_text(c))
        y = line_y - step("body") / 2 - 1.5 * scale
        text((xi + xj) / 2, y, label, ha="center", backdrop=True)

    roles_bottom = roles_top + box_h
    teams_top = roles_bottom + 24.0 * scale
    for kind, centre, target in zip(TEAM_KINDS, centres, targets, strict=True):
        plan.boxes.append((centre - team_w / 2, teams_top, team_w, team_h, "team"))
        text(centre, teams_top + team_h / 2, team_text[kind], ha="center")
        # The head lands straight above the team where the role box is, else at its nearest.
        reach = box_w / 2 - 2 * pad
        end_x = min(max(centre, target - reach), target + reach)
        plan.arrows.append(((centre, teams_top), (end_x, roles_bottom)))
    y = teams_top + team_h + 0.6 * gap

    note_left = margin + (block_w - notes_w) / 2
    for note in notes:
        text(note_left, y + step("note") / 2, note, "note", color=_MUTED)
        y += step("note")
    plan.height = y + margin
    return plan


def _fit(
    structure: Structure, avail_w: float, avail_h: float, grow: float = _MAX_GROW
) -> tuple[float, _Plan]:
    """The largest scale up to ``grow`` at which the drawing fits ``avail_w`` x ``avail_h`` points.

    Returns:
        The scale and the plan at it.
    """
    scale = grow
    plan = _plan(structure, scale, avail_w)
    for _ in range(6):  # the notes rewrap at a new scale, so the fit settles in a few rounds
        fit = min(avail_w / plan.width, avail_h / plan.height)
        if fit >= 1.0:
            break
        scale *= fit * 0.99
        plan = _plan(structure, scale, avail_w)
    return scale, plan


def _room(ax: plt.Axes) -> tuple[float, float]:
    """The width and height of ``ax`` in points."""
    fig_w, fig_h = ax.get_figure(root=True).get_size_inches()
    position = ax.get_position()
    return position.width * fig_w * 72.0, position.height * fig_h * 72.0


def _draw(structure: Structure, ax: plt.Axes, grow: float = _MAX_GROW, top: bool = False) -> None:
    """Draw ``structure`` in ``ax``, as large as fits up to ``grow`` times full size.

    The drawing is centred, or at the top of the axes (centred across) when ``top``.
    """
    avail_w, avail_h = _room(ax)
    scale, plan = _fit(structure, avail_w, avail_h, grow)
    ax.set_axis_off()
    # One data unit is one point of the axes, y downwards as planned.
    ax.set_xlim(0.0, avail_w)
    ax.set_ylim(avail_h, 0.0)
    dx, dy = (avail_w - plan.width) / 2, 0.0 if top else (avail_h - plan.height) / 2
    colour = structure_style(structure.name)["color"]
    line_w = scale
    for left, top, w, h, kind in plan.boxes:
        role = kind == "role"
        ax.add_patch(
            FancyBboxPatch(
                (left + dx, top + dy),
                w,
                h,
                boxstyle=f"round,pad=0,rounding_size={3.0 * scale}",
                facecolor=to_rgba(colour, 0.10) if role else _TEAM_FILL,
                edgecolor=colour if role else "0.45",
                linewidth=line_w * (1.3 if role else 0.8),
                zorder=2,
            )
        )
    for points in plan.rules:
        xs, ys = zip(*((x + dx, y + dy) for x, y in points), strict=True)
        ax.plot(xs, ys, color=colour, lw=line_w * 0.6, alpha=0.6, zorder=3)
    for points in plan.channels:
        xs, ys = zip(*((x + dx, y + dy) for x, y in points), strict=True)
        ax.plot(xs, ys, color=_INK, lw=line_w * 1.1, ls=(0, (4, 2)), zorder=1)
    for (x0, y0), (x1, y1) in plan.arrows:
        ax.add_patch(
            FancyArrowPatch(
                (x0 + dx, y0 + dy),
                (x1 + dx, y1 + dy),
                arrowstyle="-|>",
                mutation_scale=9.0 * scale,
                color="0.3",
                lw=line_w,
                shrinkA=0,
                shrinkB=0,
                zorder=1,
            )
        )
    for t in plan.texts:
        ax.text(
            t.x + dx,
            t.y + dy,
            t.text,
            fontsize=t.size,
            fontweight=t.weight,
            fontstyle=t.style,
            color=t.color,
            ha=t.ha,
            va="center",
            zorder=4,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5} if t.backdrop else None,
        )
