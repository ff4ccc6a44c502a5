"""What the benchmark scripts share: which code they measured, and how they print a table."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from sim.experiments.provenance import code_fingerprint

ROOT = Path(__file__).resolve().parent.parent


def sim_fingerprint() -> str:
    """Short hash of the sim package's sources: other people edit the model while benchmarks run."""
    return code_fingerprint()[:12]


def git_head() -> str:
    """The short commit of the checkout, or "unknown"."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A plain aligned table with a rule under the header."""
    lines = [tuple(header), *(tuple(r) for r in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    print(title)
    for i, line in enumerate(lines):
        print("  " + "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        if i == 0:
            print("  " + "  ".join("-" * w for w in widths))


def print_footer(started: float, fingerprint: str) -> None:
    """Total time since ``started``, and a warning if ``sim/*.py`` changed during the run."""
    print(f"\ntotal benchmark time {time.perf_counter() - started:.1f} s")
    if sim_fingerprint() != fingerprint:
        print("note: sim/*.py changed on disk during the run (this process kept the old code)")
