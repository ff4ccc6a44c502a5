"""Tables for papers: LaTeX through pandas' Styler, read back cell by cell.

The LaTeX is parsed back into rows of cells and compared with the frame's values formatted by
the module's rule (4 significant digits, NaN as n/a) and escaped by a table written out here, so
a wrong digit, a lost escape or a missing booktabs rule fails. ``pdflatex`` compiles the output
where it is installed; elsewhere a structural check (cells per row, balanced braces, no bare
special character) stands in.
"""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sim.analysis.tables import render
from sim.cli import main
from sim.errors import ParameterError

# Written out independently of sim.analysis.tables: what each special character must become.
ESCAPED = {
    "_": r"\_",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\\": r"\textbackslash{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}
UNESCAPE = re.compile("|".join(re.escape(v) for v in sorted(ESCAPED.values(), key=len)[::-1]))
BY_ESCAPE = {v: k for k, v in ESCAPED.items()}

FRAME = pd.DataFrame(
    {
        "outcome_name": ["lead_time", "share 5%", "R&D #1", "a<b {x} ~^\\"],
        "mean_%": [1.23456, math.nan, 123456.7, 0.000123456],
        "n": [10, 20, 30, 40],
        "diff": [-0.5, 2.0, 1e-9, -7.25],
    }
)


def unescape(text: str) -> str:
    return UNESCAPE.sub(lambda m: BY_ESCAPE[m.group(0)], text)


def body_lines(latex: str) -> tuple[list[str], list[list[str]]]:
    """(header cells, body rows of cells) of a booktabs tabular."""
    lines = latex.splitlines()
    top, mid, bottom = (lines.index(rule) for rule in (r"\toprule", r"\midrule", r"\bottomrule"))
    assert top < mid < bottom

    def cells(line: str) -> list[str]:
        assert line.endswith(r" \\"), line
        return re.split(r"(?<!\\) & ", line[: -len(r" \\")])

    (header,) = [cells(line) for line in lines[top + 1 : mid]]
    return header, [cells(line) for line in lines[mid + 1 : bottom]]


def test_latex_cells_are_the_values_by_the_rule():
    latex = render(FRAME, "latex", caption="c", label="tab:t")
    header, rows = body_lines(latex)
    assert [unescape(h) for h in header] == list(FRAME.columns)
    assert header[0] == r"outcome\_name" and header[1] == r"mean\_\%"
    assert len(rows) == len(FRAME)
    for row, (_, expected) in zip(rows, FRAME.iterrows(), strict=True):
        assert unescape(row[0]) == expected["outcome_name"]
        value = expected["mean_%"]
        assert row[1] == ("n/a" if math.isnan(value) else f"{value:.4g}")
        assert int(row[2]) == expected["n"]
        assert float(row[3]) == pytest.approx(expected["diff"], rel=5e-4)
    # The rule, digit by digit: 4 significant digits, exponent beyond its range, NaN as n/a.
    assert [r[1] for r in rows] == ["1.235", "n/a", "1.235e+05", "0.0001235"]
    assert [r[3] for r in rows] == ["-0.5", "2", "1e-09", "-7.25"]


def test_latex_escapes_every_special_character():
    _, rows = body_lines(render(FRAME, "latex"))
    cells = [r[0] for r in rows]
    assert cells[0] == r"lead\_time"
    assert cells[1] == r"share 5\%"
    assert cells[2] == r"R\&D \#1"
    assert cells[3] == (r"a\textless{}b \{x\} \textasciitilde{}\textasciicircum{}\textbackslash{}")
    # No special character is left bare anywhere in the body.
    for cell in cells:
        stripped = UNESCAPE.sub("", cell)
        assert not set(stripped) & set(ESCAPED), cell


def test_latex_has_booktabs_caption_label_and_alignment():
    caption = "Paired differences: 95% CI, p < 0.05 & d_z"
    latex = render(FRAME, "latex", caption=caption, label="tab:compare")
    lines = latex.splitlines()
    assert lines[:5] == [
        r"\begin{table}",
        r"\centering",
        r"\caption{Paired differences: 95\% CI, p \textless{} 0.05 \& d\_z}",
        r"\label{tab:compare}",
        r"\begin{tabular}{lrrr}",  # text left, numbers right
    ]
    assert lines[-2:] == [r"\end{tabular}", r"\end{table}"]
    for rule in (r"\toprule", r"\midrule", r"\bottomrule"):
        assert lines.count(rule) == 1
    assert r"\hline" not in latex
    # Without a caption or label neither line appears.
    plain = render(FRAME, "latex").splitlines()
    assert not any(line.startswith((r"\caption", r"\label")) for line in plain)


def test_nan_is_na_in_latex_and_markdown_alike():
    frame = pd.DataFrame({"x": [math.nan, 0.5], "y": [np.float64("nan"), 3.0]})
    _, rows = body_lines(render(frame, "latex"))
    assert rows == [["n/a", "n/a"], ["0.5", "3"]]
    markdown = render(frame, "markdown").splitlines()
    assert markdown[2:] == ["| n/a | n/a |", "| 0.5 | 3 |"]


def test_columns_select_a_subset_in_order_in_every_format():
    subset = ["n", "outcome_name"]
    header, rows = body_lines(render(FRAME, "latex", columns=subset))
    assert header == ["n", r"outcome\_name"]
    assert [int(r[0]) for r in rows] == [10, 20, 30, 40]
    assert r"\begin{tabular}{rl}" in render(FRAME, "latex", columns=subset)
    back = pd.read_csv(io.StringIO(render(FRAME, "csv", columns=subset)))
    pd.testing.assert_frame_equal(back, FRAME[subset])
    assert render(FRAME, "markdown", columns=["n"]).splitlines()[2:] == [
        f"| {n} |" for n in (10, 20, 30, 40)
    ]
    with pytest.raises(ParameterError, match="'nope' is not a column") as info:
        render(FRAME, "latex", columns=["n", "nope"])
    assert info.value.parameter == "columns" and "outcome_name" in str(info.value)
    with pytest.raises(ParameterError, match="'n' is named twice"):
        render(FRAME, "markdown", columns=["n", "n"])


def test_unknown_format_names_it():
    with pytest.raises(ParameterError, match="'html' is unknown; allowed table, csv"):
        render(FRAME, "html")


def test_csv_keeps_full_precision():
    back = pd.read_csv(io.StringIO(render(FRAME, "csv")))
    assert back["mean_%"].iloc[0] == 1.23456 and back["diff"].iloc[2] == 1e-9


# --- itlead compare --format latex: a table that compiles ---------------------------------------

TINY = """
scenarios = ["baseline"]
structures = ["single_cio", "cio_cto_split"]
replications = 2
master_seed = 7
steps = 60
[constants]
warmup = 10
"""


@pytest.fixture(scope="module")
def compare_latex(tmp_path_factory: pytest.TempPathFactory) -> str:
    from sim.experiments.batch import run_batch

    root = tmp_path_factory.mktemp("tables")
    (root / "tiny.toml").write_text(TINY)
    run_batch(root / "tiny.toml", out=root / "batch", workers=1)
    result = CliRunner().invoke(main, ["compare", str(root / "batch"), "--format", "latex"])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def test_compare_latex_is_well_formed(compare_latex):
    from sim.model.outcomes import HEADLINE

    (align,) = re.findall(r"\\begin\{tabular\}\{([lr]+)\}", compare_latex)
    header, rows = body_lines(compare_latex)
    assert len(header) == len(align)
    assert len(rows) == len(HEADLINE)  # one scenario, two structures: one row per outcome
    assert all(len(row) == len(align) for row in rows)
    # Braces balance once escaped ones are set aside, and nothing special is left bare.
    text = UNESCAPE.sub("", compare_latex)
    assert text.count("{") == text.count("}")
    body = "\n".join(" ".join(r) for r in rows)
    assert not re.search(r"(?<!\\)[_%#$&<>]", body), body
    assert r"\caption{Paired differences (other - single\_cio); 95\% CI" in compare_latex


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_compare_latex_compiles(compare_latex, tmp_path: Path):
    document = (
        "\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage[margin=1cm]{geometry}\n"
        "\\begin{document}\n\\tiny\n" + compare_latex + "\\end{document}\n"
    )
    (tmp_path / "t.tex").write_text(document)
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "t.pdf").stat().st_size > 1000
