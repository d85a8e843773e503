"""``hil soak`` on a virtual chassis, end to end: a whole soak, one interrupted by SIGINT, one
that stops early on a chassis whose new master goes to FAIL (armed through the control channel)."""

import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from drivers.deadline import Deadline
from harness.lab.access import LabChassis
from harness.procedures.soak import Soak, percentile
from harness.reporting.soak_report import write_soak_reports
from harness.testbed.schema import VirtualOptions, virtual_spec

HIL = [sys.executable, "-m", "harness.cli"]
PHASE_PROPERTIES = ("takeover (s)", "SSH outage (s)", "old master boot (s)", "old master back (s)")


def _child(element: ET.Element, tag: str) -> ET.Element:
    """``element``'s child ``tag`` (fails the test when the report has none)."""
    found = element.find(tag)
    assert found is not None, f"<{element.tag}> has no <{tag}>"
    return found


def _junit(path):
    root = ET.parse(path).getroot()
    suite = _child(root, "testsuite")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    properties = {p.get("name"): p.get("value") for p in _child(suite, "properties")}
    return cases, properties


def _case_properties(case):
    return {p.get("name"): p.get("value") for p in _child(case, "properties")}


def test_hil_soak_of_three_cycles_alternates_masters_and_reports_each_cycle(tmp_path):
    out = tmp_path / "soak"
    done = subprocess.run(
        [*HIL, "soak", "--cycles", "3", "--reports", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    cases, suite = _junit(out / "junit.xml")
    assert list(cases) == ["cycle-001", "cycle-002", "cycle-003"]
    assert not any(c.find("failure") is not None or c.find("error") is not None for c in cases.values())
    per_cycle = [_case_properties(c) for c in cases.values()]
    assert [(p["master before"], p["master after"]) for p in per_cycle] == [
        ("MSM-A", "MSM-B"),
        ("MSM-B", "MSM-A"),
        ("MSM-A", "MSM-B"),
    ]
    for phase in PHASE_PROPERTIES:
        values = [float(p[phase]) for p in per_cycle]
        assert all(v >= 0 for v in values), (phase, values)
        name = phase.removesuffix(" (s)")
        assert float(suite[f"{name} max (s)"]) == max(values)
        assert float(suite[f"{name} p50 (s)"]) == round(percentile(values, 50), 3)
    assert suite["stopped"] == "" and suite["cycles asked"] == "3"
    assert "3 of 3 cycles run, 0 failed" in done.stdout and "p95" in done.stdout
    assert "<svg" in (out / "report.html").read_text() and (out / "distribution.svg").exists()
    assert not list(out.glob("cycle-*.log")), "a passed cycle keeps no transcript apart"


def _ended_or_traced(child: subprocess.Popen, seconds: float) -> str:
    """The child's output once it ends; if it has not ended within ``seconds``, SIGABRT makes
    its fault handler print every thread's stack, and the test fails showing where it hung."""
    try:
        return child.communicate(timeout=seconds)[0]
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGABRT)
        output = child.communicate(timeout=30)[0]
        pytest.fail(f"hil soak did not end within {seconds:g} s of SIGINT; its output and threads:\n{output[-8000:]}")


def test_sigint_ends_a_soak_with_the_cycles_measured_so_far_written(tmp_path):
    out = tmp_path / "soak"
    child = subprocess.Popen(
        [*HIL, "soak", "--cycles", "500", "--reports", str(out)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},
    )
    try:
        deadline = Deadline(120)
        while not (out / "junit.xml").exists() or "cycle-002" not in (out / "junit.xml").read_text():
            assert child.poll() is None, "hil soak ended before two cycles were written"
            assert not deadline.expired, "two cycles not written within 120 s"
            time.sleep(0.05)
        child.send_signal(signal.SIGINT)
        output = _ended_or_traced(child, 60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 130, output[-3000:]
    cases, suite = _junit(out / "junit.xml")
    assert 2 <= len(cases) < 500
    # during a cycle, or between two (the signal may land while a cycle's reports are written)
    assert re.fullmatch(r"interrupted \(Ctrl-C\) (during|after) cycle \d+", suite["stopped"]), suite["stopped"]
    assert float(suite["old master boot max (s)"]) > 0
    assert "Stopped early: interrupted" in (out / "report.html").read_text()
    assert "hil: interrupted" in output and "cycles run" in output
    assert "virtual_chassis: stopping" in (out / "virtual-virtual.log").read_text()


def test_a_new_master_in_fail_stops_the_soak_at_once_with_the_reason(tmp_path):
    lab = LabChassis(virtual_spec("vsoak", VirtualOptions(speed=200.0)), tmp_path)
    lab.chassis.access = replace(lab.chassis.access, min_deadline=3.0)
    try:
        lab.ensure_baseline()
        lab.chassis.control.fail_new_master()
        soak = Soak(lab.chassis, 5, tmp_path / "soak")
        result = soak.run()
    finally:
        lab.close()
    assert len(result.cycles) == 1 and [c.number for c in result.failed] == [1]
    assert "FAIL" in result.cycles[0].verdict
    stopped = result.stopped
    assert stopped is not None, "the soak does not say why it stopped early"
    assert stopped.startswith("chassis vsoak no longer usable after cycle 1:"), stopped
    assert "in FAIL (reboot or replace it)" in stopped
    log = (tmp_path / "soak" / "cycle-001.log").read_text()
    assert log.startswith("cycle-001 on vsoak: failed:") and "failover sent" in log
    assert "changed state to FAIL" in log, "the cycle's console transcript is not in its log"
    cases, suite = _junit(write_soak_reports(result, tmp_path / "soak")["junit"])
    assert list(cases) == ["cycle-001"] and cases["cycle-001"].find("failure") is not None
    assert suite["stopped"] == result.stopped


def test_a_soak_checks_the_plans_limits_in_lab_seconds_and_states_the_speed(tmp_path):
    """The soak uses the plans' limits (the testbed's over the defaults) on the same lab seconds:
    a cycle whose old master boot (95 lab s on the emulator's clock) is over 1 s fails."""
    (tmp_path / "testbed.yaml").write_text("chassis:\n  vc1:\n    type: virtual\n    limits: {old master boot: 1}\n")
    out = tmp_path / "soak"
    done = subprocess.run(
        [*HIL, "soak", "--cycles", "1", "--testbed", "testbed.yaml", "--reports", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert "old master boot 95.0 s" in done.stdout
    assert "phase limits missed (lab seconds): old master boot: 95.0 s of 1 s allowed: MISSED" in done.stdout
    assert "virtual chassis at speed 1000" in done.stdout
    cases, suite = _junit(out / "junit.xml")
    assert cases["cycle-001"].find("failure") is not None and suite["speed"] == "1000"
    assert _case_properties(cases["cycle-001"])["old master boot (s)"] == "95.000"
