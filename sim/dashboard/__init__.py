"""Interactive dashboard: a strategist's organisation, two structures on paired seeds, the answer.

A strategist sets up their organisation (sizes, demand, people, leadership, each structure
file's numbers), picks a scenario, two structures and an optional extra shock, and runs both
structures on the same seeds (common random numbers) in a background thread, with play, pause,
step, stop and reset as in Mesa's SolaraViz. The page answers first, in the words of the report
(:mod:`sim.analysis.answer`, by the verdict rule), then draws both structures, the charts (mean
over seeds with a 95% band, by the paper figures' own code) and the detailed table; it marks
results out of date when an input changes, and offers the scenario and structure files, which
rerun to its numbers with ``itlead compare-structures``, and the tables as browser downloads.

Start it with ``itlead dashboard --port 8765`` (or :func:`serve`). The page needs the optional
extra, ``pip install -e '.[dashboard]'``; only :mod:`sim.dashboard.app` imports Solara, so the
rest works without it:

- :mod:`sim.dashboard.form`: the form's groups, fields and ranges, checked into a set-up;
- :mod:`sim.dashboard.export`: the downloads (scenario and structure files, tables);
- :mod:`sim.dashboard.session`: running a set-up, its controls, and what the charts draw;
- :mod:`sim.dashboard.summary` and :mod:`sim.dashboard.charts`: the answer, the table, the charts;
- :mod:`sim.dashboard.app`: the page.
"""

from __future__ import annotations

import importlib.util
import os
import sys

DEFAULT_PORT = 8765
APP = "sim.dashboard.app:Page"  # what ``solara run`` serves
MISSING_EXTRA = "the dashboard needs the optional extra: .venv/bin/pip install -e '.[dashboard]'"


def serve(host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> None:
    """Serve the dashboard with ``solara run`` in this process (it replaces the interpreter).

    The process becomes the server, so stopping it (Ctrl-C, SIGTERM) stops the server; nothing is
    left behind. It makes no network call of its own: Solara's telemetry is switched off, and so
    is its start-up check of its version against PyPI (``--no-check-version``).

    Args:
        host: The interface to listen on.
        port: The port to listen on.

    Raises:
        ImportError: Solara (the ``dashboard`` extra) is not installed.
    """
    if importlib.util.find_spec("solara") is None:
        raise ImportError(MISSING_EXTRA)
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    os.environ["SOLARA_THEME_SHOW_BANNER"] = "false"  # its corner banner covered the last chart
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
    ]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, command)
