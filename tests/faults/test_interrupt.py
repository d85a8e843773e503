"""SIGINT to ``hil run`` in the middle of a failover: the transcripts, a JUnit file with what
ran and the HTML report are all there afterwards, and the emulator was stopped."""

import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

from drivers.deadline import Deadline

HIL = [sys.executable, "-m", "harness.cli"]


def wait_for_text(path, text, deadline, child):
    """Poll a file the run writes (transcripts are flushed as they are written)."""
    while not (path.exists() and text in path.read_text(errors="replace")):
        assert child.poll() is None, f"hil ended before {text!r} appeared in {path.name}"
        assert not deadline.expired, f"{text!r} not in {path} within {deadline.seconds:g} s"
        time.sleep(0.02)


def test_sigint_in_the_middle_of_a_failover_keeps_every_output(tmp_path):
    reports = tmp_path / "reports"
    child = subprocess.Popen([*HIL, "run", "--reports", str(reports), "--", "-k", "step1 or step3"],
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_text(reports / "transcripts" / "virtual-MSM-A.log", "> run msm-failover", Deadline(60), child)
        child.send_signal(signal.SIGINT)
        output, _ = child.communicate(timeout=Deadline(60).remaining())
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 130, output[-3000:]
    cases = {c.get("name"): c for c in ET.parse(reports / "junit.xml").iter("testcase")}
    ran = [name for name in cases if (name or "").startswith("test_step1")]
    assert len(ran) == 6 and not any(len(cases[name]) and cases[name][0].tag in ("failure", "error")
                                     for name in ran), output[-3000:]
    html = (reports / "report.html").read_text()
    assert "test_step1_show_switch_confirms_the_nodes_are_in_sync" in html
    transcript = (reports / "transcripts" / "virtual-MSM-A.log").read_text()
    assert "Rebooting ..." in transcript.split("> run msm-failover")[-1]
    assert {p.name for p in (reports / "transcripts").iterdir()} >= {"virtual-ssh.log", "virtual-MSM-B.log"}
    assert "virtual_chassis: stopping" in (reports / "virtual-virtual.log").read_text()
    assert "Interrupted" in output or "KeyboardInterrupt" in output
