"""Browser tests: the dashboard on a free localhost port, driven in Debian chromium.

Everything here is skipped, with the reason, when the optional extra (solara, pytest-playwright)
or /usr/bin/chromium is missing. Playwright never downloads a browser: the launch arguments point
at Debian's chromium.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
# The venv's console script: `itlead dashboard` is the one way to start the dashboard.
ITLEAD = Path(sys.executable).parent / "itlead"
START_TIMEOUT = 60.0


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    for module, package in (("solara", "solara"), ("pytest_playwright", "pytest-playwright")):
        if importlib.util.find_spec(module) is None:
            return f"{package} is not installed (pip install -e '.[dashboard]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if not ITLEAD.exists():
        return f"{ITLEAD} is missing (pip install -e '.[dashboard]' in this venv)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = missing()
    if reason is None:
        return
    skip = pytest.mark.skip(reason=f"browser tests skipped: {reason}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """Debian's chromium with the flags this machine needs (overrides pytest-playwright's)."""
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_FLAGS}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def dashboard_url(tmp_path_factory):
    """Start ``itlead dashboard`` on a free port; yield its URL; stop it afterwards."""
    reason = missing()
    if reason is not None:
        pytest.skip(f"browser tests skipped: {reason}")
    port = _free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false"}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(ITLEAD), "dashboard", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"dashboard exited with {proc.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"dashboard did not answer within {START_TIMEOUT} s:\n{log.read_text()}"
                )
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
