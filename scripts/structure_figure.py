"""Regenerate docs/figures/structures.png: every shipped leadership structure, drawn from its file.

Each panel is :func:`sim.analysis.plot.structure_chart.structure_figure` of one file in
``structures/`` (roles with attention and cost, the decision rights each holds, reporting lines,
coordination channels), in the sorted order of their names, at one type size::

    .venv/bin/python scripts/structure_figure.py               # docs/figures/structures.png
    .venv/bin/python scripts/structure_figure.py --out /tmp/structures.png

The PNG carries no software version, so the same code and files redraw it byte for byte.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: make ``sim`` importable
    sys.path.insert(0, str(ROOT))

import matplotlib.pyplot as plt  # noqa: E402

from sim.analysis.plot.structure_chart import structures_figure  # noqa: E402
from sim.analysis.plot.style import DPI  # noqa: E402
from sim.config.loaders import list_structures, load_structure  # noqa: E402

FIGURE = ROOT / "docs" / "figures" / "structures.png"
# Two panels a row keep the type legible at a documentation page's width.
COLUMNS = 2


def write(out: Path = FIGURE, dpi: int = DPI) -> Path:
    """Draw every shipped structure into one PNG at ``out``.

    Args:
        out: Where to write the PNG (its folder is created).
        dpi: Resolution.

    Returns:
        The path written.
    """
    fig = structures_figure([load_structure(name) for name in list_structures()], COLUMNS)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        fig.savefig(out, dpi=dpi, metadata={"Software": None})
    finally:
        plt.close(fig)
    return out


def main(argv: list[str] | None = None) -> None:
    """Parse ``--out`` and ``--dpi`` and write the figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FIGURE, help=f"default {FIGURE}")
    parser.add_argument("--dpi", type=int, default=DPI, help=f"default {DPI}")
    args = parser.parse_args(argv)
    print(write(args.out, args.dpi))


if __name__ == "__main__":
    main()
