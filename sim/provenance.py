"""What made a result: package versions and the code version, recorded next to every output."""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata

from sim.paths import repo_root

PACKAGES = ("itlead", "mesa", "numpy", "pandas", "pyarrow", "networkx")


def package_versions() -> dict[str, str]:
    """Python and the versions of the packages a result depends on."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def code_version() -> str:
    """The git commit of the checkout (with ``-dirty`` if changed), or the package version."""
    root = repo_root()
    if root is not None and (root / ".git").exists():
        try:
            commit = subprocess.run(
                ["git", "-C", str(root), "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                check=True,
                timeout=10,
            ).stdout.strip()
            dirty = subprocess.run(
                ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                capture_output=True,
                text=True,
                check=True,
                timeout=10,
            ).stdout.strip()
            return commit + ("-dirty" if dirty else "")
        except (OSError, subprocess.SubprocessError):
            pass
    return "itlead " + package_versions()["itlead"]
