"""Lock files only their owner can take; the busy message names the real holder; the HTTP
power bridge of an exported chassis wants the control token.

The second local user is real: a child process running as ``nobody`` (needs root to start it)
opens the lock file and takes ``flock`` on it, as any user could on a world-readable file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from harness.lab.labgrid.bridge import PowerBridge
from harness.lab.pool import ChassisPool, PoolSettings, Worker
from harness.lab.virtual import VirtualControl
from harness.reporting.ownership import LOCK_NAME, ReportsFolder, ReportsFolderBusy
from harness.testbed.schema import ChassisSpec, Credentials, SshAddress, Testbed
from tests.virtual_chassis.vc_helpers import Emulator

NOBODY = 65534
SYSTEM_PYTHON = shutil.which("python3", path="/usr/bin:/bin") or "/usr/bin/python3"
#: Opens the lock file read-only, takes flock on it, says so, and holds it for a while.
TAKE = (
    "import fcntl, os, sys, time\n"
    "try:\n"
    "    fd = os.open(sys.argv[1], os.O_RDONLY)\n"
    "    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
    "    print('taken', flush=True)\n"
    "    time.sleep(30)\n"
    "except OSError as error:\n"
    "    print('refused', error.errno, flush=True)\n"
)


@pytest.fixture
def shared_folder():
    """A folder in /tmp that other users can reach (as a lab's shared reports folder)."""
    folder = Path(tempfile.mkdtemp(prefix="hil-locks-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _take(path: Path, user: int | None) -> subprocess.Popen:
    python = SYSTEM_PYTHON if user is not None else sys.executable  # another user cannot run ours (under /root)
    return subprocess.Popen([python, "-c", TAKE, str(path)], stdout=subprocess.PIPE, text=True, user=user, cwd="/")


def _answer(child: subprocess.Popen) -> str:
    assert child.stdout is not None  # a pipe, asked for by the caller
    return child.stdout.readline().strip()


def _real_spec(name: str = "lab1") -> ChassisSpec:
    return ChassisSpec(
        name,
        "real",
        SshAddress("10.77.0.5", 22),
        {"MSM-A": "socket://10.77.0.5:7001"},
        9600,
        Credentials("admin", "x"),
        None,
        "fail",
        (),
        None,
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="starting a process as another user needs root")
def test_another_user_cannot_take_the_reports_folder_lock(shared_folder):
    ReportsFolder(shared_folder).claim().release()  # the lock file exists, as after any run
    intruder = _take(shared_folder / LOCK_NAME, NOBODY)
    try:
        said = _answer(intruder)
        assert said.startswith("refused"), f"another user {said} the lock"
        ReportsFolder(shared_folder).claim().release()
    finally:
        intruder.kill()
        intruder.wait()
    assert (shared_folder / LOCK_NAME).stat().st_mode & 0o077 == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="starting a process as another user needs root")
def test_another_user_cannot_take_a_pool_lock(shared_folder):
    spec = _real_spec()
    testbed = Testbed(shared_folder / "testbed.yaml", {spec.name: spec})
    pool = ChassisPool(testbed, PoolSettings(shared_folder, wait=0.0), Worker.from_environment(), spec.name)
    pool.claim(say=lambda line: None).release()
    path = pool.lock_path(spec)
    intruder = _take(path, NOBODY)
    try:
        said = _answer(intruder)
        assert said.startswith("refused"), f"another user {said} the pool lock"
        pool.claim(say=lambda line: None).release()
    finally:
        intruder.kill()
        intruder.wait()


def test_the_busy_message_names_the_process_that_holds_the_lock(shared_folder):
    """The file says which run had it last; the kernel says who has it now."""
    ReportsFolder(shared_folder).claim().release()  # the file now holds this process's pid
    other = _take(shared_folder / LOCK_NAME, None)
    try:
        assert _answer(other) == "taken"
        with pytest.raises(ReportsFolderBusy) as busy:
            ReportsFolder(shared_folder).claim()
        assert f"(pid {other.pid}, user " in str(busy.value), str(busy.value)
        spec = _real_spec()
        pool = ChassisPool(
            Testbed(shared_folder / "t.yaml", {spec.name: spec}),
            PoolSettings(shared_folder / "locks", wait=0.0),
            Worker.from_environment(),
            spec.name,
        )
        pool.claim(say=lambda line: None).release()
        other.kill()
        other.wait()
        other = _take(pool.lock_path(spec), None)
        assert _answer(other) == "taken"
        assert f"taken by pid {other.pid}, user " in pool.holders(), pool.holders()
    finally:
        other.kill()
        other.wait()


def test_the_power_bridge_switches_nothing_without_the_control_token():
    emulator = Emulator("--speed", "100")
    control_info = emulator.endpoints["control"]
    control = VirtualControl(control_info["host"], control_info["port"], control_info["token"])
    bridge = PowerBridge(control, control_info["token"], "127.0.0.1").start()
    port = bridge.server.server_address[1]
    try:
        for path in ("/0/0", "/wrong-token/0/0", "//0/0"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5)
            assert refused.value.code == 403
        time.sleep(0.2)
        assert control.request("status")["msms"]["MSM-A"]["powered"], "MSM-A was switched off without the token"
        url = bridge.url("127.0.0.1").format(index=0, value="")
        assert urllib.request.urlopen(url, timeout=5).read() == b"1"
    finally:
        bridge.stop()
        emulator.stop()
