"""Nothing orphaned, nothing shared by accident: each fault performed for real.

- a failed console login lets go of a one-client-at-a-time terminal server port at once;
- an emulator whose parent is SIGKILLed stops, and its flash folder goes;
- the emulator's host key is the same on every start, so known_hosts gains no line;
- a second run into a reports folder stops with one line naming the first run's pid;
- a second client of an emulator console port is refused; the read-only user needs the password.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from drivers.deadline import Deadline
from drivers.errors import LoginFailed
from drivers.session import CliSession
from drivers.transports.serial import SerialTransport
from harness.lab.access import VIRTUAL_KNOWN_HOSTS, LabChassis
from harness.lab.chassis import SSH
from harness.testbed.schema import VirtualOptions, virtual_spec
from tests.security.fake_terminal import FakeTerminalServer
from tests.virtual_chassis.vc_helpers import Emulator, RawConsole

HIL = [sys.executable, "-m", "harness.cli"]


def wait_until(condition, seconds: float, what: str) -> None:
    deadline = Deadline(seconds)
    while not condition():
        assert not deadline.expired, f"{what} not within {seconds:g} s"
        time.sleep(0.02)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] != "Z"


def test_a_failed_console_login_frees_a_one_client_terminal_server_port_at_once():
    with FakeTerminalServer("refuse") as server:
        for _attempt in range(2):  # the second attempt finds the port free, not "in use"
            session = CliSession(SerialTransport(server.url), "admin", "wrong")
            with pytest.raises(LoginFailed):
                session.connect(Deadline(10))
            assert not session.transport.is_open
            wait_until(server.closed_by_client.is_set, 2, "the terminal server seeing the close")
            server.closed_by_client.clear()
        assert server.refused_busy == 0 and server.connections == 2


PARENT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from harness.lab.virtual import VirtualChassisProcess
    from harness.testbed.schema import Credentials, VirtualOptions
    emulator = VirtualChassisProcess(VirtualOptions(speed=500), Credentials("admin", "Emu-Pa55-word"), Path(sys.argv[1]))
    emulator.start()
    print(emulator.process.pid, emulator.flash, flush=True)
    time.sleep(600)
""")


def test_an_emulator_stops_when_its_parent_is_killed_and_leaves_no_flash_folder(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path / "emulator.log")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None  # stdout=PIPE
        pid, flash = parent.stdout.readline().split()
        assert alive(int(pid)) and Path(flash).is_dir()
        for part in ("environ", "cmdline"):  # the password came on a pipe: visible nowhere else
            assert b"Emu-Pa55-word" not in Path(f"/proc/{pid}/{part}").read_bytes()
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        wait_until(lambda: not alive(int(pid)), 10, "the emulator ending after its parent's death")
    finally:
        if parent.poll() is None:
            parent.kill()
    assert "the process that started it ended; stopping" in (tmp_path / "emulator.log").read_text()
    assert not list(Path(flash).glob("xcm8800-flash-*")), "the emulator left its downloaded images"


def test_the_emulator_host_key_is_kept_so_known_hosts_gains_no_line(tmp_path):
    spec = virtual_spec("keyed", VirtualOptions(speed=500, sysname="KeyedChassis"))
    seen = []
    for _ in range(2):
        lab = LabChassis(spec, tmp_path)
        try:
            lab.chassis.show_switch(SSH)
            seen.append(VIRTUAL_KNOWN_HOSTS.read_text())
        finally:
            lab.close()
    assert len(seen) == 2  # the file is shared by the chassis names of this user (and parallel tests)
    found = subprocess.run(["ssh-keygen", "-F", "xcm8800-hil-virtual-keyedchassis", "-f",
                            str(VIRTUAL_KNOWN_HOSTS)], capture_output=True, text=True)
    assert found.returncode == 0, "the key is pinned under the chassis's alias, not its port"
    assert len([line for line in found.stdout.splitlines() if not line.startswith("#")]) == 1
    key = Path.home() / ".cache" / "xcm8800-hil" / "virtual-keys" / "KeyedChassis"
    assert key.stat().st_mode & 0o077 == 0


def test_a_second_run_into_the_same_reports_folder_stops_naming_the_first(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "test_slow.py").write_text(
        "import pathlib, time\n\ndef test_slow():\n    pathlib.Path('started').touch()\n    time.sleep(60)\n")
    first = subprocess.Popen([*HIL, "run", "--plans", "plans", "--reports", "reports"], cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        lock = tmp_path / "reports" / ".hil-run.lock"
        wait_until(lambda: (tmp_path / "started").exists(), 60, "the first run's plan starting")
        assert lock.read_text().strip() == str(first.pid)
        second = subprocess.run([*HIL, "run", "--plans", "plans", "--reports", "reports"], cwd=tmp_path,
                                capture_output=True, text=True, timeout=60)
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(30)
    assert second.returncode == 2
    said = [line for line in (second.stdout + second.stderr).splitlines() if f"pid {first.pid}" in line]
    assert len(said) == 1 and "in use by another run" in said[0], second.stdout + second.stderr
    assert first.returncode == 130, "the first run ends on SIGTERM as on Ctrl-C"
    suite = ET.parse(tmp_path / "reports" / "junit.xml").getroot().find("testsuite")
    assert suite is not None, "junit.xml has a testsuite"
    assert suite.get("tests") == "1", "the interrupted plan is counted"
    (case,) = suite.iter("testcase")
    assert case.get("name") == "test_slow" and "interrupted while running (SIGTERM" in case[0].get("message", "")


def test_a_second_console_client_is_refused_and_user_needs_the_password():
    with Emulator("--speed", "500", env={"XCM_VIRTUAL_PASSWORD": "s3cret"}) as emulator:
        first = RawConsole.tcp(emulator.console_address("MSM-A"))
        try:
            first.login("admin", "s3cret")
            second = RawConsole.tcp(emulator.console_address("MSM-A"))
            try:
                second.expect(b"Port already in use", timeout=5)
            finally:
                second.close()
            first.send("exit\r")
            first.expect(b"login: ")
            first.send("user\r")
            first.expect(b"password: ")
            first.send("\r")
            first.expect(b"Login incorrect")
            first.login("user", "s3cret")
        finally:
            first.close()


def test_the_emulator_warns_when_it_listens_beyond_loopback():
    with Emulator("--speed", "500", "--bind", "0.0.0.0") as emulator:
        emulator.stop()
        assert "WARNING: listening on 0.0.0.0, not loopback" in emulator.stderr_text


def test_hil_failover_into_a_folder_another_run_holds_stops_naming_it(tmp_path):
    from harness.reporting.ownership import ReportsFolder

    with ReportsFolder(tmp_path / "reports"):
        done = subprocess.run([*HIL, "failover", "--junit", str(tmp_path / "reports" / "failover.xml")],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and f"in use by another run (pid {os.getpid()}, user " in lines[0]
    assert not (tmp_path / "reports" / "virtual-virtual.log").exists(), "no emulator was started"
