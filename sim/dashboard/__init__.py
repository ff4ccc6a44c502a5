"""Interactive dashboard: two leadership structures side by side, on the same seed, in a browser.

A strategist picks a scenario, two structures, an optional extra shock, the organisation's size
and the main behavioural parameters; both structures then step together on the same seed (common
random numbers) in a background thread while the charts fill in, and a summary card gives the
paired differences of the headline outcomes. With more than one seed the card shows the paired
comparison of :func:`sim.analysis.stats.paired_comparison` (mean difference and 95% interval).
The set-up can be exported as a scenario file that ``itlead validate`` and ``itlead run`` accept
and that gives the same numbers.

Start it with ``itlead dashboard --port 8765`` (or :func:`serve`). The page needs the optional
extra, ``pip install -e '.[dashboard]'``; only :mod:`sim.dashboard.app` imports Solara, so the
rest works without it:

- :mod:`sim.dashboard.form`: the form's fields and ranges, checked into a set-up;
- :mod:`sim.dashboard.export`: a set-up as a scenario file;
- :mod:`sim.dashboard.session`: running a set-up, the views the page shows, the charts' data;
- :mod:`sim.dashboard.summary` and :mod:`sim.dashboard.charts`: the summary card and the charts;
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
