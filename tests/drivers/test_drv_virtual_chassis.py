"""End to end: CliSession over the pty console, the TCP console and SSH of a virtual chassis.

Starts ``python -m virtual_chassis --speed 1000`` as a separate process and talks to it only
through its endpoints, exactly as to a real chassis.
"""

from __future__ import annotations

import importlib.util
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drivers import (
    CliSession,
    Deadline,
    LoginFailed,
    SerialTransport,
    SshTransport,
    Transcript,
    Transport,
)

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "vc-Pa55-word"

if importlib.util.find_spec("virtual_chassis.__main__") is None:  # pragma: no cover
    pytest.skip("virtual_chassis is not importable yet", allow_module_level=True)


class Chassis:
    """A running emulator process and what it printed about its endpoints."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.transcripts: list[Transcript] = []
        self.sessions: list[CliSession] = []
        env = dict(os.environ, XCM_VIRTUAL_PASSWORD=PASSWORD)
        self.stderr = open(workdir / "emulator.err", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "virtual_chassis", "--speed", "1000"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=self.stderr,
        )
        self.info = json.loads(self._first_line(Deadline(30)))

    def _first_line(self, deadline: Deadline) -> bytes:
        stdout = self.process.stdout
        assert stdout is not None  # Popen(stdout=PIPE)
        line = b""
        while not line.endswith(b"\n"):
            if deadline.expired or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"emulator did not start: {(self.workdir / 'emulator.err').read_text()}")
            if select.select([stdout], [], [], deadline.remaining())[0]:
                line += os.read(stdout.fileno(), 4096)
        return line

    def session(self, where: str, password: str = PASSWORD, on_log=None) -> CliSession:
        """``where``: ``ssh``, or ``MSM-A:pty`` / ``MSM-B:tcp`` for a console."""
        transcript = Transcript(self.workdir / f"{where.replace(':', '-')}-{len(self.transcripts)}.log",
                                title=where)
        self.transcripts.append(transcript)
        link: Transport
        if where == "ssh":
            link = SshTransport(self.info["ssh"]["host"], self.info["ssh"]["port"], self.info["username"],
                                password, known_hosts=self.workdir / "known_hosts")
        else:
            msm, kind = where.split(":")
            link = SerialTransport(self.info["consoles"][msm][kind])
        session = CliSession(link, self.info["username"], password, transcript=transcript, on_log=on_log)
        self.sessions.append(session)
        return session

    def wait_in_sync(self, session: CliSession, deadline: Deadline) -> str:
        """Poll ``show switch`` until the backup is In Sync; returns that output."""
        while True:
            output = session.run("show switch", timeout=deadline).output
            if "BACKUP (In Sync)" in output:
                return output
            if deadline.expired:
                raise AssertionError(f"backup never got in sync:\n{output}")
            time.sleep(0.05)  # polling interval of this test, not on the driver's command path

    def close_sessions(self) -> None:
        """Log every session out: a console stays logged in for the next user otherwise."""
        for session in self.sessions:
            session.close(timeout=2)
        self.sessions.clear()

    def stop(self) -> None:
        self.close_sessions()
        for transcript in self.transcripts:
            transcript.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        assert self.process.stdout is not None  # Popen(stdout=PIPE)
        self.process.stdout.close()
        self.stderr.close()
        for log in self.workdir.glob("*.log"):
            assert PASSWORD not in log.read_text(), f"password in {log}"
            assert "wrong-" + PASSWORD not in log.read_text(), f"wrong password in {log}"


@pytest.fixture(scope="module")
def shared_chassis(tmp_path_factory):
    running = Chassis(tmp_path_factory.mktemp("vc"))
    yield running
    running.stop()


@pytest.fixture
def chassis(shared_chassis):
    """The module's chassis; the sessions a test opened are logged out after it."""
    yield shared_chassis
    shared_chassis.close_sessions()


@pytest.fixture
def fresh_chassis(tmp_path):
    """A chassis of its own, for tests that fail over."""
    running = Chassis(tmp_path)
    yield running
    running.stop()


def state_of(show_switch: str) -> dict[str, str]:
    """MSM name -> Current State, and which MSM the session runs on (``"here"``)."""
    lines = show_switch.splitlines()
    slot = next(line for line in lines if line.startswith("Slot:"))
    state = next(line for line in lines if line.startswith("Current State:"))
    columns = [(slot[18:42].strip(), state[18:42].strip()), (slot[47:71].strip(), state[47:71].strip())]
    result = {}
    for name, value in columns:
        if name.endswith("*"):
            name = name.rstrip(" *")
            result["here"] = name
        result[name] = value
    return result


@pytest.mark.parametrize("where", ["MSM-A:pty", "MSM-A:tcp", "MSM-B:tcp", "ssh"])
def test_login_and_show_switch(chassis, where):
    session = chassis.session(where)
    prompt = session.connect(Deadline(20))
    assert prompt.sysname == chassis.info["name"] and prompt.admin
    result = session.run("show switch", timeout=10)
    assert not result.failed and result.prompt.counter == prompt.counter + 1
    states = state_of(result.output)
    assert states["MSM-A"] == "MASTER" and states["MSM-B"].startswith("BACKUP")
    assert states["here"] == ("MSM-B" if where.startswith("MSM-B") else "MSM-A")
    session.close()
    assert not session.transport.is_open


def test_pager_on_and_off_gives_the_same_clean_output(chassis):
    session = chassis.session("MSM-A:tcp")
    session.connect(Deadline(20))
    session.run("enable clipaging", timeout=10, check=True)
    paged = session.run("show checkpoint-data", timeout=10)
    session.run("disable clipaging", timeout=10, check=True)
    plain = session.run("show checkpoint-data", timeout=10)
    names = [[line.split()[0] for line in r.output.splitlines()] for r in (paged, plain)]
    assert names[0] == names[1] and len(names[0]) == 28  # header, dashes, 26 processes
    assert "Press <SPACE>" not in paged.output
    assert "Press <SPACE> to continue" in chassis.transcripts[-1].text()  # it did page


def test_dialog_and_prompt_changes(chassis):
    session = chassis.session("ssh")
    session.connect(Deadline(20))
    created = session.run("create vlan drvtest", timeout=10, check=True)
    assert created.prompt.unsaved
    saved = session.run("save configuration", timeout=10, check=True)
    assert "Configuration saved to primary.cfg successfully." in saved.output
    assert "overwrite it? (y/N)" in saved.output and not saved.prompt.unsaved
    renamed = session.run("configure snmp sysName drv-lab.2", timeout=10, check=True)
    assert renamed.prompt.sysname == "drv-lab.2"  # found by shape, not by name
    restored = session.run(f"configure snmp sysName {chassis.info['name']}", timeout=10, check=True)
    assert restored.prompt.sysname == chassis.info["name"]
    refused = session.run("show no-such-thing", timeout=10)
    assert refused.failed and refused.error.startswith("%%")


@pytest.mark.parametrize("where", ["ssh", "MSM-A:tcp", "MSM-B:pty"])
def test_wrong_password_is_login_failed(chassis, where):
    session = chassis.session(where, password="wrong-" + PASSWORD)
    with pytest.raises(LoginFailed) as info:
        session.connect(Deadline(20))
    assert "wrong-" + PASSWORD not in str(info.value)
    session.transport.close()


def test_failover_over_ssh_drops_and_reconnect_reaches_the_new_master(fresh_chassis):
    session = fresh_chassis.session("ssh")
    session.connect(Deadline(20))
    assert state_of(fresh_chassis.wait_in_sync(session, Deadline(20)))["here"] == "MSM-A"
    result = session.run("run msm-failover", timeout=20, expect_reboot=True)
    assert result.rebooted and not session.logged_in
    session.reconnect(Deadline(30))
    states = state_of(session.run("show switch", timeout=10).output)
    assert states["here"] == "MSM-B" and states["MSM-B"] == "MASTER"


def test_failover_on_the_old_master_console(fresh_chassis):
    logs: list[str] = []
    old_master = fresh_chassis.session("MSM-A:pty")
    new_master = fresh_chassis.session("MSM-B:tcp", on_log=logs.append)
    old_master.connect(Deadline(20))
    new_master.connect(Deadline(20))
    fresh_chassis.wait_in_sync(old_master, Deadline(20))
    result = old_master.run("run msm-failover", timeout=20, expect_reboot=True)
    assert result.rebooted and result.prompt is None
    prompt = old_master.wait_for_login(Deadline(60))
    assert prompt.counter == 2 and old_master.logged_in
    states = state_of(old_master.run("show switch", timeout=10).output)
    assert states["here"] == "MSM-A" and states["MSM-A"] != "MASTER" and states["MSM-B"] == "MASTER"
    seen = new_master.run("show node", timeout=10)
    assert "MSM-B       MASTER" in seen.output
    assert all("MSM-" in line for line in logs) and logs, "the new master's console printed log lines"


def test_an_idle_session_wakes_when_the_console_reports_a_change_or_ssh_drops(fresh_chassis):
    logs: list[str] = []
    backup = fresh_chassis.session("MSM-B:tcp", on_log=logs.append)
    ssh, watcher = fresh_chassis.session("ssh"), fresh_chassis.session("ssh")
    for session in (backup, ssh, watcher):
        session.connect(Deadline(20))
    fresh_chassis.wait_in_sync(ssh, Deadline(20))
    assert not backup.wait_for_output(0.05), "nothing happened, nothing to report"
    ssh.run("run msm-failover", timeout=20, expect_reboot=True)
    assert watcher.wait_for_output(10), "the failover dropped SSH: the watcher must wake"
    until = Deadline(10)
    while watcher.logged_in and not until.expired:     # ssh's own last words, then the end
        watcher.wait_for_output(until.remaining())
    assert not watcher.logged_in
    assert not watcher.wait_for_output(0.05), "a dropped session has nothing to wait for"
    assert backup.wait_for_output(10) and any("MASTER" in line for line in logs)
    assert backup.run("show switch", timeout=10).ok
