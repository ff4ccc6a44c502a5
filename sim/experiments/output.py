"""Writing a run's tables to disk: Parquet (and CSV on request), plus a manifest.

A run folder is written under a temporary name and renamed once complete, so an interrupted run
never leaves a folder that looks finished.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from sim.errors import ConfigError
from sim.experiments.provenance import code_version, package_versions
from sim.experiments.run import RunResult

TABLES = ("ticks", "executives", "summary", "events")


def write_run(result: RunResult, folder: Path, *, csv: bool, spec: dict[str, Any]) -> Path:
    """Write ``result`` into ``folder`` (which must not exist yet) and return it.

    Args:
        result: The run's tables.
        folder: Destination folder.
        csv: Also write each table as CSV.
        spec: What was asked for (scenario, structure, seed, overrides), for the manifest.
    """
    if folder.exists():
        raise ConfigError(f"{folder}: already exists; allowed: a new folder (remove it first)")
    partial = folder.with_name(folder.name + ".partial")
    try:
        if partial.exists():
            shutil.rmtree(partial)
        partial.mkdir(parents=True)
        for name in TABLES:
            table = getattr(result, name)
            table.to_parquet(partial / f"{name}.parquet", index=False)
            if csv:
                table.to_csv(partial / f"{name}.csv", index=False)
        manifest = {
            "spec": spec,
            "params": repr(result.params),
            "code_version": code_version(),
            "packages": package_versions(),
        }
        (partial / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
        partial.rename(folder)
    except OSError as exc:
        raise ConfigError(
            f"{folder}: cannot write results ({exc.strerror}); allowed: a writable"
            " folder with free space"
        ) from exc
    return folder
