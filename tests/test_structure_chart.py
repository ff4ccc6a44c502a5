"""The structure picture shows what the structure file says, legibly, for every shipped structure.

Everything is checked on what a reader sees: the figure's drawn text, boxes, lines and arrows,
after the figure is drawn, in display coordinates. A right is "held" by a role when its name is
drawn inside that role's box; a team reports to a role when an arrow runs from the team's box up
to the role's box.
"""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import pytest
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from sim.analysis.plot.structure_chart import (
    structure_caption,
    structure_figure,
    structure_png,
    structure_svg,
    structures_figure,
)
from sim.analysis.plot.style import structure_label
from sim.config.loaders import list_structures, load_structure
from sim.config.structure import DECISION_TYPES, LINE, TEAM_KINDS
from sim.errors import ParameterError
from tests.scripts import load_script

SHIPPED = list_structures()
# Display pixels two extents may share at an edge before they count as overlapping.
TOUCH = 0.5
# Points of white between a text and the edge of the box it is in.
CLEARANCE = 1.5

THREE_ROLES = """
description = "A federal shape: a business-unit CIO beside the group CIO and a CTO."

[roles.GROUP_CIO]
attention_hours = 9.0
cost = 3.0
expertise = { business = 0.8, technical = 0.65, people = 0.7 }

[roles.BU_CIO]
attention_hours = 7.5
cost = 2.0
expertise = { business = 0.8, technical = 0.6, people = 0.7 }

[roles.CTO]
attention_hours = 8.0
cost = 2.5
expertise = { business = 0.7, technical = 0.65, people = 0.7 }
specialism = "technical"

[decision_rights]
investment = ["GROUP_CIO", "BU_CIO"]
application = "BU_CIO"
architecture = ["GROUP_CIO", "CTO"]
infrastructure = "CTO"
stakeholder = "BU_CIO"
people = "line"

[reporting]
delivery = "BU_CIO"
platform = "CTO"

[[channels]]
roles = ["GROUP_CIO", "BU_CIO"]
hours_per_tick = 0.5
goal_incongruence = 0.3

[[channels]]
roles = ["BU_CIO", "CTO"]
hours_per_tick = 0.25
goal_incongruence = 0.125

[[channels]]
roles = ["GROUP_CIO", "CTO"]
hours_per_tick = 1.25
goal_incongruence = 0.05
"""


@pytest.fixture(scope="module")
def three_roles(tmp_path_factory):
    path = tmp_path_factory.mktemp("structures") / "federal_three.toml"
    path.write_text(THREE_ROLES)
    return load_structure(path)


@pytest.fixture(autouse=True)
def no_figure_left_open():
    before = set(plt.get_fignums())
    yield
    for number in set(plt.get_fignums()) - before:
        plt.close(number)


# --- What a reader sees ---------------------------------------------------------------------------


def texts(fig) -> list[Text]:
    """Every visible, non-empty text of ``fig`` (the figure drawn first)."""
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def extent(artist, fig) -> Bbox:
    return artist.get_window_extent(fig.canvas.get_renderer())


def strictly_overlap(a: Bbox, b: Bbox) -> bool:
    return (
        a.x0 + TOUCH < b.x1 and b.x0 + TOUCH < a.x1 and a.y0 + TOUCH < b.y1 and b.y0 + TOUCH < a.y1
    )


def inside(inner: Bbox, outer: Bbox, slack: float = TOUCH) -> bool:
    return (
        inner.x0 >= outer.x0 - slack
        and inner.x1 <= outer.x1 + slack
        and inner.y0 >= outer.y0 - slack
        and inner.y1 <= outer.y1 + slack
    )


def boxes(fig) -> list[Bbox]:
    """The drawn boxes (roles and teams), not the grounds of texts."""
    return [extent(p, fig) for ax in fig.axes for p in ax.patches if isinstance(p, FancyBboxPatch)]


def box_of(fig, label: str) -> Bbox:
    """The one box that holds the text ``label``."""
    (text,) = [t for t in texts(fig) if t.get_text() == label]
    (box,) = [b for b in boxes(fig) if inside(extent(text, fig), b)]
    return box


def words_in(fig, box: Bbox) -> set[str]:
    """The first word of every text drawn inside ``box``."""
    return {t.get_text().split()[0] for t in texts(fig) if inside(extent(t, fig), box)}


def drawn(structure, dpi: float = 100.0, ax=None):
    fig = structure_figure(structure, ax=ax)
    fig.set_dpi(dpi)
    fig.canvas.draw()
    return fig


def held(structure, role: str) -> set[str]:
    """The decision types ``role`` decides for some team, straight from the structure."""
    return {
        decision
        for decision in DECISION_TYPES
        for kind in TEAM_KINDS
        if role in structure.holders(decision, kind)
    }


def assert_shows_the_file(fig, structure) -> None:
    shown = [t.get_text() for t in texts(fig)]
    assert structure_label(structure.name) in shown
    for role in structure.roles:
        assert role.name in shown
        box = box_of(fig, role.name)
        # Each role's box lists exactly the rights it holds, its attention and its cost.
        assert words_in(fig, box) & set(DECISION_TYPES) == held(structure, role.name)
        numbers = f"{role.attention_hours} h/tick, cost {role.cost}"
        assert numbers in {t.get_text() for t in texts(fig) if inside(extent(t, fig), box)}
    for decision in DECISION_TYPES:
        assert any(text.split()[0] == decision for text in shown), decision
    for decision, holders in structure.decision_rights:
        if holders == (LINE,):
            assert any(t.startswith(f"(line) {decision}: ") for t in shown)
        if len(holders) == 2:
            assert any(t.startswith(f"(joint) {decision}: ") for t in shown)
    for channel in structure.channels:
        joined = " ".join(shown)
        assert f"{channel.hours_per_tick} h/tick" in joined
        assert f"incongruence {channel.goal_incongruence}" in joined
    arrows = [
        extent(p, fig) for ax in fig.axes for p in ax.patches if isinstance(p, FancyArrowPatch)
    ]
    assert len(arrows) == len(TEAM_KINDS)
    for kind in TEAM_KINDS:
        team = box_of(fig, f"{kind} teams")
        role = box_of(fig, structure.reports_to(kind))
        # An arrow from the top of this team's box to the bottom of its line manager's box.
        assert any(
            abs(a.y0 - team.y1) < 2
            and abs(a.y1 - role.y0) < 2
            and team.x0 <= (a.x0 + a.x1) / 2 <= team.x1 + (a.x1 - a.x0)
            and a.x0 < role.x1
            and a.x1 > role.x0
            for a in arrows
        ), kind


def assert_legible(fig, area: Bbox | None = None) -> None:
    """No text overlaps another, leaves ``area`` (the figure), crosses a box edge or a line."""
    area = area or fig.bbox
    drawn_texts = texts(fig)
    extents = [extent(t, fig) for t in drawn_texts]
    for i, (text, box) in enumerate(zip(drawn_texts, extents, strict=True)):
        assert inside(box, area), f"{text.get_text()!r} is cut off"
        for other, other_box in zip(drawn_texts[i + 1 :], extents[i + 1 :], strict=True):
            assert not strictly_overlap(box, other_box), (text.get_text(), other.get_text())
        for patch in boxes(fig):
            crosses = strictly_overlap(box, patch) and not inside(box, patch)
            assert not crosses, f"{text.get_text()!r} crosses a box edge"
            if inside(box, patch):  # and keeps clear of the edge, not touching it
                assert inside(box, patch.padded(-CLEARANCE * fig.dpi / 72), 0), text.get_text()
        for ax in fig.axes:
            for line in ax.lines:
                assert not line_crosses(line, box) or text.get_bbox_patch() is not None, (
                    f"a line runs through {text.get_text()!r}"
                )
            for arrow in ax.patches:
                if isinstance(arrow, FancyArrowPatch):
                    assert not strictly_overlap(box, extent(arrow, fig)), text.get_text()


def line_crosses(line: Line2D, box: Bbox) -> bool:
    """Whether a segment of ``line`` (straight, horizontal or vertical) runs through ``box``."""
    points = line.get_transform().transform(line.get_xydata())
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        segment = Bbox.from_extents(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        if strictly_overlap(segment.padded(0.01), box):
            return True
    return False


# --- The shipped structures -----------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_structure_is_drawn_as_its_file_says(name):
    structure = load_structure(name)
    fig = drawn(structure)
    assert tuple(fig.get_size_inches()) == (5.0, 3.5)  # fits the print size, nothing grown
    assert_shows_the_file(fig, structure)


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("dpi", [72, 120, 300])  # hinting draws text widest at 72 dpi
def test_no_text_overlaps_or_is_cut_off(name, dpi):
    assert_legible(drawn(load_structure(name), dpi))


def test_body_text_is_print_size():
    """At 5 x 3.5 inches no text is smaller than 7 pt (12 px at 600 px wide)."""
    for name in SHIPPED:
        sizes = [t.get_fontsize() for t in texts(drawn(load_structure(name)))]
        assert min(sizes) >= 7.0, name


def test_a_structure_made_here_with_three_roles_is_drawn(three_roles):
    fig = drawn(three_roles)
    assert_shows_the_file(fig, three_roles)
    assert_legible(fig)
    # The channel between the two outer roles is drawn over the middle one, not through it.
    assert "1.25 h/tick, incongruence 0.05" in [t.get_text() for t in texts(fig)]


def test_a_drawing_too_large_for_its_axes_shrinks_to_fit_them(three_roles):
    fig = plt.figure(figsize=(6.0, 4.0))
    ax = fig.add_axes((0.1, 0.1, 0.5, 0.5))
    drawn(three_roles, ax=ax)
    assert_shows_the_file(fig, three_roles)
    assert_legible(fig, area=ax.get_window_extent())
    assert max(t.get_fontsize() for t in texts(fig)) < 7.0


def test_all_structures_side_by_side(three_roles):
    structures = [load_structure(n) for n in SHIPPED] + [three_roles]
    fig = structures_figure(structures, ncols=2)
    fig.canvas.draw()
    shown = [t.get_text() for t in texts(fig)]
    for structure in structures:
        assert structure_label(structure.name) in shown
    assert len(fig.axes) == len(structures)
    # One type size in every panel, so the panels compare.
    assert len({t.get_fontsize() for t in texts(fig) if t.get_text() == "decides:"}) == 1
    assert_legible(fig)
    for ax in fig.axes:
        panel = ax.get_window_extent()
        assert all(inside(extent(t, fig), panel) for t in texts(fig) if t.axes is ax)


# --- For the dashboard and the docs -------------------------------------------------------------


def test_svg_is_a_titled_document_and_closes_its_figure():
    before = set(plt.get_fignums())
    svg = structure_svg(load_structure("cio_cto_split"))
    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg and svg.rstrip().endswith("</svg>")
    assert "<dc:title>CIO/CTO split</dc:title>" in svg
    assert set(plt.get_fignums()) == before


def test_png_bytes_and_caption():
    structure = load_structure("cio_cto_joint_architecture")
    png = structure_png(structure, dpi=50)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    caption = structure_caption(structure)
    assert caption.startswith("CIO/CTO joint architecture. " + structure.description)
    assert "goal incongruence" in caption
    assert "goal incongruence" not in structure_caption(load_structure("single_cio"))


def test_the_docs_figure_is_the_one_the_script_draws(tmp_path):
    script = load_script("structure_figure")
    fresh = script.write(tmp_path / "structures.png")
    assert fresh.read_bytes() == script.FIGURE.read_bytes(), (
        "docs/figures/structures.png is stale: run .venv/bin/python scripts/structure_figure.py"
    )


def test_a_grid_of_nothing_or_of_no_columns_is_refused_naming_the_parameter():
    with pytest.raises(ParameterError) as error:
        structures_figure([])
    assert error.value.parameter == "structures"
    with pytest.raises(ParameterError) as error:
        structures_figure([load_structure("single_cio")], ncols=0)
    assert error.value.parameter == "ncols"
