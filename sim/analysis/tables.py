"""Tables for papers and terminals: plain text, CSV, Markdown and LaTeX (booktabs).

One rule for numbers in every format but CSV: a float is shown with 4 significant digits
(``f"{value:.4g}"``: ``0.1235``, ``12.35``, ``1.235e+05``) and NaN as ``n/a``; anything else as
``str(value)``. CSV keeps full precision, because it is read back by programs, not people.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from sim.errors import ParameterError

FORMATS = ("table", "csv", "markdown", "latex")

# Characters LaTeX treats specially in text, and what prints them. ``{}`` ends each command, so a
# following space is kept. ``<`` and ``>`` are included although pandas' own ``escape="latex"``
# leaves them: under pdflatex's default font encoding (OT1) they print as "¡" and "¿", and the
# comparison captions say "p < 0.05".
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}
_LATEX_TABLE = str.maketrans(_LATEX_SPECIALS)


def _cell(value: object) -> str:
    """A cell as text by the module's rule: 4 significant digits for a float, NaN as n/a."""
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        return f"{value:.4g}"
    return str(value)


def latex_text(text: object) -> str:
    r"""``text`` with every LaTeX special character escaped, for text mode.

    One pass (:meth:`str.translate`), so the backslash of an inserted ``\%`` is never escaped
    again.

    Args:
        text: Any value; it is converted with ``str`` first.

    Returns:
        The text, safe to place in a LaTeX document: ``"a_b 5%"`` becomes ``a\_b 5\%``.
    """
    return str(text).translate(_LATEX_TABLE)


def _latex(frame: pd.DataFrame, caption: str, label: str) -> str:
    """``frame`` as a booktabs ``table`` environment, via :meth:`pandas.io.formats.style.Styler`.

    Cells and headers go through one formatter (the module's number rule, then
    :func:`latex_text`) rather than Styler's ``escape="latex"``, which would leave ``<`` and
    ``>``; the caption is escaped by the same rule, so all three read alike.
    """
    align = "".join("r" if pd.api.types.is_numeric_dtype(frame[c]) else "l" for c in frame)
    styler = (
        frame.style.hide(axis="index")
        .format(lambda value: latex_text(_cell(value)))
        .format_index(latex_text, axis=1)
    )
    return styler.to_latex(
        column_format=align,
        hrules=True,  # booktabs: \toprule, \midrule, \bottomrule
        position_float="centering",
        caption=latex_text(caption) if caption else None,
        label=label or None,
        environment="table",
    )


def _select(frame: pd.DataFrame, columns: Sequence[str] | None) -> pd.DataFrame:
    """The ``columns`` of ``frame``, in that order; all of it when ``columns`` is None."""
    if columns is None:
        return frame
    if isinstance(columns, str):  # a lone name would be read as its letters
        columns = [columns]
    names = [str(c) for c in frame.columns]
    unknown = [c for c in columns if c not in names]
    if unknown:
        raise ParameterError(
            "columns", f"{unknown[0]!r} is not a column of the table; allowed {', '.join(names)}"
        )
    if len(set(columns)) != len(columns):
        twice = next(c for c in columns if list(columns).count(c) > 1)
        raise ParameterError("columns", f"{twice!r} is named twice; allowed each column once")
    return frame[list(columns)]


def render(
    frame: pd.DataFrame,
    fmt: str,
    *,
    caption: str = "",
    label: str = "",
    columns: Sequence[str] | None = None,
) -> str:
    r"""``frame`` as text in ``fmt`` (one of :data:`FORMATS`).

    Args:
        frame: The table; its index is not shown.
        fmt: ``"table"`` (aligned plain text), ``"csv"`` (full precision), ``"markdown"`` or
            ``"latex"``.
        caption: LaTeX only: the table's caption (special characters are escaped).
        label: LaTeX only: its ``\label`` key (``tab:compare``), used as given.
        columns: Only these columns, in this order (a subset that fits a page); default all.

    Returns:
        The text. LaTeX is a ``table`` environment with ``\centering``, the caption and label,
        and a booktabs ``tabular`` (``\usepackage{booktabs}``): text left-aligned, numbers
        right-aligned, cells and headers escaped, numbers by the module's rule (4 significant
        digits, NaN as n/a, as in Markdown).

    Raises:
        ParameterError: If ``fmt`` is unknown, or ``columns`` names a column ``frame`` lacks.
    """
    if fmt not in FORMATS:
        raise ParameterError("fmt", f"{fmt!r} is unknown; allowed {', '.join(FORMATS)}")
    frame = _select(frame, columns)
    if fmt == "csv":
        return frame.to_csv(index=False)
    if fmt == "table":
        return frame.to_string(index=False, float_format=lambda x: f"{x:.4g}") + "\n"
    if fmt == "latex":
        return _latex(frame, caption, label)
    header = [str(c) for c in frame.columns]
    cells = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines) + "\n"
