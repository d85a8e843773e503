"""A soak (or a check, or a failover) beside a run: the second command stops at once.

``hil run`` drives a chassis (an emulator reached as a real chassis, so the pool locks it by the
address OpenSSH resolves) with a plan that holds it until told to end. Meanwhile ``hil soak``
into the run's reports folder, ``hil soak`` into another folder, ``hil check`` and ``hil
failover`` each stop in one line with exit status 2, naming what holds the folder or the
chassis, and the run's reports are untouched.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.virtual_chassis.vc_helpers import Emulator

PLAN = """
import time
from pathlib import Path

def test_hold_the_chassis(lab):
    lab.chassis.session("ssh")
    Path("running").write_text("yes")
    deadline = time.monotonic() + 90
    while not Path("release").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
"""


def _testbed(endpoints: dict) -> str:
    consoles = endpoints["consoles"]
    return f"""
chassis:
  lab1:
    type: real
    management: {{host: 127.0.0.1, port: {endpoints["ssh"]["port"]}}}
    consoles: {{MSM-A: "{consoles["MSM-A"]["tcp"]}", MSM-B: "{consoles["MSM-B"]["tcp"]}"}}
    credentials: {{username: admin, password: ""}}
"""


def _hil(cwd: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=90
    )


def test_a_soak_check_or_failover_beside_a_run_stops_at_once_naming_the_holder(tmp_path):
    emulator = Emulator("--speed", "100")
    env = {**os.environ, "HOME": str(tmp_path / "home")}  # its own lock folder and known_hosts
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "test_hold.py").write_text(PLAN)
    (tmp_path / "testbed.yaml").write_text(_testbed(emulator.endpoints))
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "run",
            "--testbed",
            "testbed.yaml",
            "--plans",
            "plans",
            "--reports",
            "reports",
            "--",
            "-p",
            "no:randomly",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not (tmp_path / "running").exists():
            assert run.poll() is None and time.monotonic() < deadline, run.communicate()[0] if run.poll() else "slow"
            time.sleep(0.1)
        same_folder = _hil(tmp_path, env, "soak", "--testbed", "testbed.yaml", "--cycles", "1", "--reports", "reports")
        beside = {
            "soak": _hil(tmp_path, env, "soak", "--testbed", "testbed.yaml", "--cycles", "1", "--reports", "soak"),
            "check": _hil(tmp_path, env, "check", "--testbed", "testbed.yaml"),
            "failover": _hil(tmp_path, env, "failover", "--testbed", "testbed.yaml", "--junit", "fo/junit.xml"),
        }
        assert run.poll() is None, "the run ended while the others tried"
    finally:
        (tmp_path / "release").write_text("now")
        output = run.communicate(timeout=120)[0]
        emulator.stop()
    assert same_folder.returncode == 2, same_folder.stdout + same_folder.stderr
    assert f"reports folder reports is in use by another run (pid {run.pid}, user " in same_folder.stderr
    for name, done in beside.items():
        assert done.returncode == 2, f"{name}: {done.stdout}{done.stderr}"
        line = done.stderr.strip()
        assert len(line.splitlines()) == 1 and "chassis lab1 is in use by another run" in line, f"{name}: {line}"
        assert f"pid {run.pid}" in line, f"{name}: {line}"
    assert run.returncode == 0, output
    junit = (tmp_path / "reports" / "junit.xml").read_text()
    assert "test_hold_the_chassis" in junit and "soak" not in junit
