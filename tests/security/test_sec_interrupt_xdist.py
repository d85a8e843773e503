"""Ctrl-C under ``hil run -n 2``: junit.xml and report.html keep both running plans, reported as
interrupted, and hold no nameless testcase.

Two plans each hold their own virtual chassis on their own xdist worker; when both run, the
whole process group gets SIGINT, as a terminal's Ctrl-C sends it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

PLANS = """
import time
from pathlib import Path

def test_first(lab):
    Path("running-first").write_text("x")
    time.sleep(60)

def test_second(lab):
    Path("running-second").write_text("x")
    time.sleep(60)
"""


def test_ctrl_c_under_two_workers_keeps_the_interrupted_plans_in_junit_and_report(tmp_path):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "test_two.py").write_text(PLANS)
    run = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "run", "--plans", "plans", "--reports", "reports", "-n", "2",
         "--", "-p", "no:randomly"],
        cwd=tmp_path, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + 120
    while not ((tmp_path / "running-first").exists() and (tmp_path / "running-second").exists()):
        assert run.poll() is None and time.monotonic() < deadline, "the plans did not start"
        time.sleep(0.1)
    time.sleep(0.5)
    os.killpg(run.pid, signal.SIGINT)
    output = run.communicate(timeout=120)[0]
    assert run.returncode == 130, output[-2000:]
    suite = ET.parse(tmp_path / "reports" / "junit.xml").getroot().find("testsuite")
    assert suite is not None, "junit.xml has no <testsuite>"
    cases = suite.findall("testcase")
    assert sorted(c.get("name") or "(nameless)" for c in cases) == ["test_first", "test_second"], output[-2000:]
    assert suite.get("tests") == "2" and suite.get("failures") == "2"
    for case in cases:
        failure = case.find("failure")
        assert failure is not None and "interrupted while running" in failure.get("message", ""), case.get("name")
    report = (tmp_path / "reports" / "report.html").read_text()
    assert "test_first" in report and "test_second" in report
