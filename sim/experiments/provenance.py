"""What made a result: package versions and the code version, recorded next to every output."""

from __future__ import annotations

import hashlib
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from sim.config.paths import package_dir, repo_root

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


def code_fingerprint(package: Path | None = None) -> str:
    """A hash of the ``sim`` package's source files: the code that ran, with or without git.

    Unlike :func:`code_version` it ignores everything outside the package (docs, tests) and
    does not depend on a checkout, so two machines running the same code agree on it. Every
    module counts, not only the model's: which of them can change results is not worth
    guessing when a batch's results are at stake.

    Args:
        package: The package folder (default: this package's).
    """
    package = package if package is not None else package_dir()
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
