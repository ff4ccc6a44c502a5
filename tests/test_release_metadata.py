"""The version is written once (pyproject.toml) and every place that repeats it agrees.

``sim.__version__`` and ``itlead --version`` read the installed package's metadata, so they follow
pyproject.toml by themselves (after a reinstall, which ``make venv`` does when the file changes);
CITATION.cff and CHANGELOG.md repeat the version and the release date by hand, and this test
fails until they are updated together (CONTRIBUTING.md, "Versions and releases").
"""

import re
import tomllib
from importlib import metadata
from pathlib import Path

import sim

ROOT = Path(__file__).resolve().parent.parent
SEMVER = r"\d+\.\d+\.\d+"


def _pyproject_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def _citation(key: str) -> str:
    # CITATION.cff is YAML; its top-level scalars are read by a pattern, so the test needs no
    # YAML library. Top-level keys start a line (the references' are indented).
    match = re.search(rf"^{key}: *\"?([^\"\n]+)\"?$", (ROOT / "CITATION.cff").read_text(), re.M)
    assert match, f"CITATION.cff has no top-level {key}"
    return match.group(1).strip()


def _latest_release() -> tuple[str, str]:
    text = (ROOT / "CHANGELOG.md").read_text()
    releases = re.findall(rf"^## \[({SEMVER})\] - (\d{{4}}-\d{{2}}-\d{{2}})$", text, re.M)
    assert releases, "CHANGELOG.md has no release heading '## [X.Y.Z] - YYYY-MM-DD'"
    return releases[0]


def test_the_version_is_semantic():
    assert re.fullmatch(SEMVER, _pyproject_version())


def test_pyproject_citation_changelog_and_package_agree_on_the_version():
    version = _pyproject_version()
    assert _citation("version") == version
    assert _latest_release()[0] == version
    assert metadata.version("itlead") == version  # stale: reinstall (make venv)
    assert sim.__version__ == version


def test_the_citation_dates_the_latest_release():
    assert _citation("date-released") == _latest_release()[1]


def test_the_citation_names_the_licence_of_the_licence_file():
    assert _citation("license") == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == {
        "text": "MIT"
    }


def test_the_changelog_releases_run_newest_first():
    text = (ROOT / "CHANGELOG.md").read_text()
    versions = re.findall(rf"^## \[({SEMVER})\]", text, re.M)
    keys = [tuple(int(n) for n in v.split(".")) for v in versions]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == len(keys)
    assert text.index("## [Unreleased]") < text.index(f"## [{versions[0]}]")
