"""Writing a finished chart: the figure as PDF and PNG, its data as CSV, its caption as text."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.analysis.plot.style import DPI


def save(fig: plt.Figure, path_stem: str | Path, data: pd.DataFrame, caption: str) -> list[Path]:
    """Write ``<stem>.pdf``, ``<stem>.png`` (300 dpi), ``<stem>.csv`` (data) and ``<stem>.txt``.

    Args:
        fig: The figure (closed afterwards).
        path_stem: Path without suffix; its folder is created.
        data: The numbers plotted, one row per plotted element.
        caption: What is shown, n, and what bands or bars mean.

    Returns:
        The four paths written, in the order pdf, png, csv, txt.
    """
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_name(stem.name + s) for s in (".pdf", ".png", ".csv", ".txt")]
    try:
        with plt.rc_context({"pdf.fonttype": 42, "ps.fonttype": 42}):
            fig.savefig(paths[0], metadata={"CreationDate": None})
            fig.savefig(paths[1], dpi=DPI)
    finally:
        plt.close(fig)
    data.to_csv(paths[2], index=False)
    paths[3].write_text(" ".join(caption.split()) + "\n")
    return paths
