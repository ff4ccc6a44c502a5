"""Tables for papers and terminals: plain text, CSV, Markdown and LaTeX (booktabs)."""

from __future__ import annotations

import math

import pandas as pd

FORMATS = ("table", "csv", "markdown", "latex")


def _cell(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        return f"{value:.4g}"
    return str(value)


def render(frame: pd.DataFrame, fmt: str, *, caption: str = "") -> str:
    """``frame`` as text in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "csv":
        return frame.to_csv(index=False)
    cells = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    header = [str(c) for c in frame.columns]
    if fmt == "table":
        return frame.to_string(index=False, float_format=lambda x: f"{x:.4g}") + "\n"
    if fmt == "markdown":
        lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in cells]
        return "\n".join(lines) + "\n"
    if fmt == "latex":

        def esc(text: str) -> str:
            for a, b in (
                ("\\", r"\textbackslash{}"),
                ("_", r"\_"),
                ("%", r"\%"),
                ("&", r"\&"),
                ("#", r"\#"),
            ):
                text = text.replace(a, b)
            return text

        align = "".join("r" if pd.api.types.is_numeric_dtype(frame[c]) else "l" for c in frame)
        lines = [r"\begin{table}", r"\centering"]
        if caption:
            lines.append(r"\caption{" + esc(caption) + "}")
        lines += [
            r"\begin{tabular}{" + align + "}",
            r"\toprule",
            " & ".join(esc(h) for h in header) + r" \\",
            r"\midrule",
        ]
        lines += [" & ".join(esc(c) for c in row) + r" \\" for row in cells]
        lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
        return "\n".join(lines) + "\n"
    raise ValueError(f"unknown format {fmt!r}; allowed {', '.join(FORMATS)}")
