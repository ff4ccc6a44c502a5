"""Faults around a batch's executors: servers, scheduler addresses, killed parents and workers.

Each test reproduces a finding of issue 14 and asserts the safe outcome:

- 7: the Dask LocalCluster a batch starts listens on loopback only, and has no dashboard;
- 8: the dashboard starts with no version check or telemetry, and its Export writes only inside
  ``results/``, never over an existing file unless asked twice;
- 9: a malformed ``--address`` is one ``itlead: error:`` line naming the value and what is
  allowed, before any connection is tried;
- 10: the pool's workers exit when the batch process is SIGKILLed, and a killed worker ends the
  batch with one line and a ``--resume`` hint, the chunks already written kept.

The process tests drive the real ``itlead`` in a subprocess and read ``/proc`` (Linux only).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from distributed.comm.utils import get_tcp_server_addresses

from sim.cli import main
from sim.experiments import batch

from .test_cli import assert_bad_input

ITLEAD = str(Path(sys.executable).parent / "itlead")

# Enough runs that the batch is still busy when the test strikes (16 chunks of one run each).
BUSY = """
description = "A batch that runs for a while, for the fault tests."
scenarios = ["baseline"]
structures = ["single_cio", "cio_cto_split"]
replications = 8
master_seed = 11
steps = 150

[constants]
warmup = 10
"""

needs_proc = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("exp") / "busy.toml"
    path.write_text(BUSY)
    return path


# --- /proc helpers ---------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # the task ended meanwhile
            out += [int(c) for c in (task / "children").read_text().split()]
    return out


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        for child in _children(todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for its new parent to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _workers(pid: int) -> list[int]:
    """The pool's worker processes under ``pid`` (not the resource tracker)."""
    return [
        p
        for p in _descendants(pid)
        if "multiprocessing" in _cmdline(p) and "resource_tracker" not in _cmdline(p)
    ]


def _wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _listening(pids: set[int]) -> list[str]:
    """The local addresses (``ip:port`` in /proc's hex) of every TCP socket the pids listen on."""
    inodes = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                link = os.readlink(fd)
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    addresses = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                addresses.append(fields[1])
    return addresses


def _is_loopback(hex_address: str) -> bool:
    ip = hex_address.split(":")[0]
    if len(ip) == 8:  # IPv4, little-endian: 127.x.x.x ends in 7F
        return ip.endswith("7F")
    return ip == "00000000000000000000000001000000"  # ::1


# --- finding 7: the LocalCluster listens on loopback only ------------------------------------


@needs_proc
def test_local_cluster_listens_on_loopback_only():
    client, cluster = batch._connect(None, 1)
    try:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        # The scheduler's HTTP server (it used to be on every interface, port 8787).
        http = get_tcp_server_addresses(cluster.scheduler.http_server)
        assert http and all(host == "127.0.0.1" for host, _ in http), http
        workers = client.scheduler_info()["workers"]
        assert workers and all(a.startswith("tcp://127.0.0.1:") for a in workers)
        # What the kernel says: every listening socket of this process and its workers.
        listening = _listening({os.getpid(), *_descendants(os.getpid())})
        assert listening and all(_is_loopback(a) for a in listening), listening
    finally:
        batch._disconnect(client, cluster)


# --- finding 9: a malformed scheduler address ------------------------------------------------


@pytest.mark.parametrize(
    "address", ["not a url", "tcp://127.0.0.1:abc", "tcp://host", "tcp://h:99999", "ucx://h:1"]
)
def test_a_malformed_address_is_one_line(busy, tmp_path, address):
    out = tmp_path / "never"
    start = time.monotonic()
    args = ["batch", str(busy), "--out", str(out), "--executor", "dask", "--address", address]
    result = CliRunner().invoke(main, args)
    assert_bad_input(result, f"--address = {address!r}", "host:port", "tcp://127.0.0.1:8786")
    assert time.monotonic() - start < 3  # refused before any connection is tried
    assert not out.exists()


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", "127.0.0.1:8786", "tls://[::1]:1"])
def test_a_well_formed_address_passes_the_check(address):
    batch._check_address(address)


# --- finding 10: workers do not outlive their batch ------------------------------------------


def _start(busy: Path, out: Path) -> subprocess.Popen:
    cmd = [ITLEAD, "batch", str(busy), "--out", str(out), "--workers", "2", "--quiet"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _reap(proc: subprocess.Popen, family: set[int]) -> None:
    """End the batch and every process it started: never leave a stray worker behind a test."""
    proc.kill()
    proc.wait()
    for pid in family:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


@needs_proc
def test_workers_exit_when_the_batch_is_sigkilled(busy, tmp_path):
    proc = _start(busy, tmp_path / "orphaned")
    family: set[int] = set()
    try:
        assert _wait_for(lambda: len(_workers(proc.pid)) == 2, 30), "no workers started"
        family = _descendants(proc.pid)  # both workers and the resource tracker
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        # A started worker looks at its parent once a second (gone in about 1 s); one still
        # importing notices when its imports are done, which on a loaded machine takes seconds.
        # The resource tracker ends with its last client. Without the watcher they never end.
        assert _wait_for(lambda: not any(_alive(p) for p in family), 20), [
            (p, _cmdline(p)) for p in family if _alive(p)
        ]
    finally:
        _reap(proc, family)


@needs_proc
def test_a_killed_worker_is_one_line_with_a_resume_hint(busy, tmp_path):
    out = tmp_path / "broken"
    proc = _start(busy, out)
    family: set[int] = set()
    try:
        assert _wait_for(lambda: len(batch.done_chunks(out)) >= 1, 40), "no chunk finished"
        written = batch.done_chunks(out)
        family = _descendants(proc.pid)
        os.kill(_workers(proc.pid)[0], signal.SIGKILL)
        _, stderr = proc.communicate(timeout=20)
    finally:
        _reap(proc, family)
    assert proc.returncode == 2, stderr
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("itlead: error: "), stderr
    assert "worker process died" in lines[0] and "--resume" in lines[0]
    assert written <= batch.done_chunks(out)  # the chunks already written stay
    assert batch.status(out)["pending"] > 0


# --- finding 8: the dashboard makes no network call at start ---------------------------------


def test_dashboard_server_starts_without_version_check_or_telemetry(monkeypatch):
    """``itlead dashboard`` execs ``solara run`` with the PyPI version check and telemetry off."""
    import sim.dashboard as dashboard

    if dashboard.importlib.util.find_spec("solara") is None:
        pytest.skip("the dashboard extra is not installed")
    started = {}

    def fake_execv(path, argv):  # the real one would replace this test's process
        started["argv"] = argv
        started["env"] = dict(os.environ)

    monkeypatch.setattr(dashboard.os, "execv", fake_execv)
    monkeypatch.delenv("SOLARA_TELEMETRY_MIXPANEL_ENABLE", raising=False)
    result = CliRunner().invoke(main, ["dashboard", "--port", "8799"])
    assert result.exit_code == 0, result.output
    argv = started["argv"]
    assert argv[1:4] == ["-m", "solara", "run"]
    assert "--no-check-version" in argv  # else solara asks pypi.org for its version at start
    assert argv[argv.index("--host") + 1] == "127.0.0.1"
    assert started["env"]["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"


# --- finding 8: the dashboard writes no file on the server ------------------------------------


def test_the_dashboard_page_never_writes_on_the_server():
    """Its downloads go to the browser: the page module has no file-writing call at all."""
    import sim.dashboard

    text = (Path(sim.dashboard.__file__).parent / "app.py").read_text()  # Solara not needed
    for call in ("write_text", "open(", "mkdir"):
        assert call not in text, call
