"""Every wait honours its deadline and the abort signal; every open and write has a deadline.

Each fault is performed: a new master in FAIL while the old master boots slowly, a management
SSH that is gone for the whole phase, an rfc2217 port that accepts and never negotiates, a
console that takes no input, a console that accepts and never answers (``hil check``).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from drivers.deadline import Deadline
from drivers.errors import ConnectionFailed, ConnectionLost
from drivers.transports.serial import SerialTransport
from harness.errors import PhaseTimeout
from harness.lab.access import LabChassis
from harness.lab.chassis import MSMS, SSH
from harness.procedures.failover import failover
from harness.procedures.sync import GaveUp, check_sync, wait_for_status
from harness.testbed.schema import VirtualOptions, virtual_spec
from tests.security.fake_terminal import FakeTerminalServer
from tests.virtual_chassis.vc_helpers import Emulator

SPEED = 100.0  # boot deadline 600 s / 100 = 6 s, floored to the access's min_deadline


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    opened = LabChassis(virtual_spec("vdead", VirtualOptions(speed=SPEED)), tmp_path_factory.mktemp("deadlines"))
    opened.chassis.access = replace(opened.chassis.access, min_deadline=30.0)
    yield opened
    opened.close()


def test_a_failed_takeover_stops_the_wait_for_the_old_master_at_once(lab):
    lab.ensure_baseline()
    chassis = lab.chassis
    old = check_sync(chassis).master
    chassis.control.slow_boot(seconds=100_000, msm=old)  # the old master boots for 1000 s
    chassis.control.fail_new_master()
    boot = chassis.deadline("boot").seconds
    started = time.monotonic()
    with pytest.raises(GaveUp) as failed:
        failover(chassis)
    took = time.monotonic() - started
    assert "is in FAIL instead of MASTER" in str(failed.value)
    assert took < boot / 2, f"the failover took {took:.1f} s: it waited for the {boot:g} s boot deadline"


def test_a_status_wait_names_its_phase_when_ssh_never_comes_back(lab, tmp_path):
    lab.ensure_baseline()
    chassis = lab.chassis
    with socket.create_server(("127.0.0.1", 0)) as refused:
        port = refused.getsockname()[1]
    saved = chassis.access
    chassis.close()  # the management session reconnects to a port where nothing listens
    chassis.access = replace(saved, ssh_port=port)
    try:
        started = time.monotonic()
        with pytest.raises(PhaseTimeout) as timed_out:
            wait_for_status(chassis, lambda s: True, Deadline(4), "management SSH back", phase="management SSH back")
        took = time.monotonic() - started
    finally:
        chassis.close()
        chassis.access = saved
    assert "(phase 'management SSH back')" in str(timed_out.value)
    assert "ConnectionFailed" in str(timed_out.value) and took < 8


def test_rfc2217_open_keeps_its_deadline_on_a_port_that_never_negotiates():
    with FakeTerminalServer("silent") as silent:
        url = silent.url.replace("socket://", "rfc2217://")
        started = time.monotonic()
        with pytest.raises(ConnectionFailed):
            SerialTransport(url).open(Deadline(1.0))
        assert time.monotonic() - started < 1.8


def test_a_console_that_takes_no_input_fails_the_write_at_its_deadline():
    with FakeTerminalServer("stuck") as stuck:
        console = SerialTransport(stuck.url)
        console.open(Deadline(5))
        started = time.monotonic()
        with pytest.raises(ConnectionLost) as lost:
            for _ in range(1000):
                console.write(b"x" * 1_000_000, timeout=1.0)
        assert time.monotonic() - started < 10 and "nothing was taken within 1s" in str(lost.value)


def test_hil_check_gives_up_on_a_silent_console_within_its_deadline_saying_what_it_waits_for(tmp_path):
    # management: a real SSH server (it passes the preflight) that refuses the testbed's login
    emulator = Emulator("--speed", "100", "--password", "not-the-testbed-one")
    try:
        with FakeTerminalServer("silent") as console:
            (tmp_path / "tb.yaml").write_text(
                "chassis:\n  quiet:\n    type: real\n"
                f"    management: {{host: 127.0.0.1, port: {emulator.endpoints['ssh']['port']}}}\n"
                f"    consoles: {{MSM-A: '{console.url}', MSM-B: 'socket://localhost:{console.port}'}}\n"
                "    known_hosts: known_hosts\n"
                "    credentials: {username: admin, password: ''}\n")
            started = time.monotonic()
            done = subprocess.run([sys.executable, "-m", "harness.cli", "check", "--testbed", "tb.yaml",
                                   "--timeout", "3"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
            took = time.monotonic() - started
    finally:
        emulator.stop()
    assert done.returncode == 2, done.stdout + done.stderr  # unusable (issue 24: exit statuses of hil check)
    assert took < 40, f"hil check took {took:.0f} s"
    for where in (SSH, *MSMS):
        assert f"FAIL  {where}" in done.stdout, done.stdout
    assert "waited 3s for 'login:'" in done.stdout, done.stdout


def test_a_transcript_is_closed_also_after_a_failed_connect(tmp_path):
    """A session that never logged in still closes its transcript (written to the end, fsynced
    by Transcript.close; no unclosed file left for the garbage collector)."""
    import gc
    import warnings

    from drivers.errors import LoginFailed
    from harness.lab.chassis import Chassis, ChassisAccess
    from harness.testbed.schema import Credentials

    with FakeTerminalServer("refuse") as console:
        access = ChassisAccess("tail", "real", "127.0.0.1", 22, {"MSM-A": console.url},
                               Credentials("admin", "wrong-password"), tmp_path / "known_hosts")
        chassis = Chassis(access, tmp_path / "transcripts")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(LoginFailed):
                chassis.session("MSM-A")
            chassis.close()
            gc.collect()
        port = console.port
    # this test's objects only: its files below tmp_path and its socket to the fake console (other
    # tests of this worker may leave garbage of their own, dependencies' included, to the collector)
    ours = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)
            and (str(tmp_path) in str(w.message) or f", {port})" in str(w.message))]
    assert not ours, ours
    text = chassis.transcript_path("MSM-A").read_text()
    assert "login: " in text.rsplit("Login incorrect", 1)[-1] and "wrong-password" not in text
