"""SIGTERM or SIGHUP (a cancelled CI job, a closed terminal) to ``hil run`` in the middle of a
failover ends it as Ctrl-C does: JUnit XML and the HTML report written (the interrupted plan
named in them), the emulator stopped, the run's lock folder removed."""

from __future__ import annotations

import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from drivers.deadline import Deadline
from tests.faults.test_interrupt import wait_for_text
from tests.security.test_sec_lifetimes import alive, wait_until

HIL = [sys.executable, "-m", "harness.cli"]


def emulators_of(pid: int) -> list[int]:
    """The virtual chassis children of ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid and b"virtual_chassis" in command:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_termination_signal_mid_failover_ends_the_run_as_ctrl_c_does(tmp_path, sig):
    reports, locks = tmp_path / "reports", tmp_path / "locks"
    child = subprocess.Popen([*HIL, "run", "--reports", str(reports), "--", "-k", "step1 or step3",
                              f"--lock-dir={locks}"],
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_text(reports / "transcripts" / "virtual-MSM-A.log", "> run msm-failover", Deadline(90), child)
        emulators = emulators_of(child.pid)
        assert len(emulators) == 1 and list((locks / "runs").iterdir())
        child.send_signal(sig)
        output, _ = child.communicate(timeout=Deadline(60).remaining())
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 130, output[-3000:]
    assert f"{signal.Signals(sig).name} received" in output
    wait_until(lambda: not alive(emulators[0]), 10, "the emulator stopping")
    assert not list((locks / "runs").iterdir()), "the run's lock folder is left"
    suite = ET.parse(reports / "junit.xml").getroot().find("testsuite")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert None not in cases and int(suite.get("tests")) == len(cases) == 4, output[-3000:]
    step3 = cases["test_step3_in_sync_then_failover"]
    assert "interrupted while running" in step3[-1].get("message")
    assert "test_step3_in_sync_then_failover" in (reports / "report.html").read_text()
    assert "virtual_chassis: stopping" in (reports / "virtual-virtual.log").read_text()
