"""Ctrl-C, SIGTERM or SIGHUP (a cancelled CI job, a closed terminal) to ``hil run`` in the middle
of a failover: the transcripts, JUnit XML and the HTML report are all there afterwards (what ran,
and the interrupted plan by name), the emulator was stopped and the run's lock folder removed."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from drivers.deadline import Deadline
from tests.security.test_sec_lifetimes import alive, wait_until

HIL = [sys.executable, "-m", "harness.cli"]


def wait_for_text(path, text, deadline, child):
    """Poll a file the run writes (transcripts are flushed as they are written)."""
    while not (path.exists() and text in path.read_text(errors="replace")):
        assert child.poll() is None, f"hil ended before {text!r} appeared in {path.name}"
        assert not deadline.expired, f"{text!r} not in {path} within {deadline.seconds:g} s"
        time.sleep(0.02)


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


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_an_interrupt_mid_failover_keeps_every_output_and_leaves_nothing(tmp_path, sig):
    reports, locks = tmp_path / "reports", tmp_path / "locks"
    # at speed 100 the failover lasts ~2 s, not ~0.2 s: on a loaded machine the signal still
    # lands in the middle of it (at 1000 the plan could end before this test saw it begin)
    (tmp_path / "testbed.yaml").write_text("chassis:\n  virtual: {type: virtual, virtual: {speed: 100}}\n")
    child = subprocess.Popen([*HIL, "run", "--testbed", "testbed.yaml", "--reports", str(reports), "--",
                              "-k", "step1 or step3", f"--lock-dir={locks}"],
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
    assert "Interrupted" in output or "KeyboardInterrupt" in output
    if sig != signal.SIGINT:
        assert f"{signal.Signals(sig).name} received" in output
    wait_until(lambda: not alive(emulators[0]), 10, "the emulator stopping")
    assert not list((locks / "runs").iterdir()), "the run's lock folder is left"
    assert "virtual_chassis: stopping" in (reports / "virtual-virtual.log").read_text()

    suite = ET.parse(reports / "junit.xml").getroot().find("testsuite")
    assert suite is not None, "junit.xml has a testsuite"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert None not in cases and int(suite.get("tests", "0")) == len(cases) == 7, output[-3000:]
    ran = [name for name in cases if name is not None and name.startswith("test_step1")]
    assert len(ran) == 6 and not any(child.tag in ("failure", "error") for name in ran for child in cases[name])
    step3 = cases["test_step3_in_sync_then_failover"]
    assert "interrupted while running" in step3[-1].get("message", "")
    html = (reports / "report.html").read_text()
    assert "test_step1_show_switch_confirms_the_nodes_are_in_sync" in html and "test_step3_in_sync" in html
    transcript = (reports / "transcripts" / "virtual-MSM-A.log").read_text()
    assert "Rebooting ..." in transcript.split("> run msm-failover")[-1]
    assert {p.name for p in (reports / "transcripts").iterdir()} >= {"virtual-ssh.log", "virtual-MSM-B.log"}
