"""The example notebooks of docs/notebooks/ run from top to bottom without an error.

Each is executed by nbclient in a fresh kernel whose working directory is a temporary folder,
so a notebook that wrote into the repository (or read a file by a relative path) would show
here. They are stored without outputs, so their diffs stay small; the test checks that too.
Each takes over 10 s (paired replications and a small batch), so they are marked slow.
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "docs" / "notebooks").glob("*.ipynb"))


def test_the_three_example_notebooks_are_there():
    assert [p.stem for p in NOTEBOOKS] == [
        "custom_structure",
        "sensitivity_analysis",
        "structure_comparison",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_without_errors(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    assert list(tmp_path.iterdir()) == []  # the notebooks write only to their own temp folders
