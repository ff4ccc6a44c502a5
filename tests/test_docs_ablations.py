"""docs/ablations.md tables every ablation test, with effect sizes that come out of the model.

``scripts/ablations.py`` writes the page from the ablation tests' own runs. These tests fail when
an ablation test is added, renamed or removed without regenerating the page, and when a row's
numbers no longer come out of the model (one row re-run here).
"""

import ast
import re
from pathlib import Path

import pytest

from tests import ablation, test_ablation
from tests.scripts import load_script

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(r"^\| `(?P<test>[^`]+)` \| `(?P<outcome>[^`]+)` \| (?P<rest>.+)$")


@pytest.fixture(scope="module")
def script():
    return load_script("ablations")


def _rows() -> dict[str, str]:
    text = (ROOT / "docs" / "ablations.md").read_text(encoding="utf-8")
    return {m["test"]: m[0] for line in text.splitlines() if (m := ROW.match(line))}


#: The calls that put an ablation on the page (tests.ablation).
RECORDING = {"ablate", "contrast", "record"}


def _tests_that_ablate(script) -> set[str]:
    """``module::test`` of every test function whose body computes a recorded ablation."""
    found = set()
    for path in script.ablation_files():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                calls = {
                    n.func.id
                    for n in ast.walk(node)
                    if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                }
                if calls & RECORDING:
                    found.add(f"{path.stem}::{node.name}")
    return found


def test_the_page_lists_every_ablation_test(script):
    documented = {test.split("[")[0] for test in _rows()}
    assert documented == _tests_that_ablate(script)


def test_a_documented_effect_comes_out_of_the_model(script):
    before = len(ablation.RECORDED)
    test_ablation.test_debt_raises_incidents()  # called, not imported: pytest would collect it
    _, outcome, result = ablation.RECORDED[before]
    regenerated = script.table(
        [("tests/test_ablation.py::test_debt_raises_incidents", outcome, result)]
    )
    assert _rows()["test_ablation::test_debt_raises_incidents"] == regenerated[-1]
