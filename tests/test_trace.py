"""docs/TRACE.md in step with the code: the settings it names, the documents and scripts cited."""

from __future__ import annotations

import re
from pathlib import Path

from sim.analysis import verdict
from sim.config.params import Params

ROOT = Path(__file__).resolve().parent.parent
TRACE = (ROOT / "docs" / "TRACE.md").read_text(encoding="utf-8")


def test_every_setting_it_names_is_the_code_s():
    named = re.findall(r"`(\w+)` = ([0-9.]+)", TRACE)
    assert named, "TRACE.md names no setting: the pattern of this test no longer matches"
    defaults = Params()
    for name, value in named:
        actual = getattr(defaults, name) if hasattr(defaults, name) else getattr(verdict, name)
        assert float(value) == float(actual), f"TRACE.md says {name} = {value}; the code {actual}"


def test_every_document_it_links_exists():
    for link in re.findall(r"\]\(([\w./-]+\.md)\)", TRACE):
        assert (ROOT / "docs" / link).is_file(), link


def test_every_script_and_test_it_cites_exists():
    for path in re.findall(r"`(?:\.venv/bin/python )?((?:scripts|tests)/\w+\.py)", TRACE):
        assert (ROOT / path).is_file(), path


def test_the_readme_states_the_default_warmup():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stated = re.findall(r"a (\d+)-tick warm-up", readme)
    assert stated == [str(Params().warmup)]
