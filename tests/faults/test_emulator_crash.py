"""A virtual chassis whose emulator dies mid-run (SIGKILL) is reported as EmulatorCrashed,
not as a device fault, and the plans after it stop at once with the same reason."""

import xml.etree.ElementTree as ET

pytest_plugins = ["pytester"]

PLANS = """
import os
import signal

from harness.reporting import timeline as ev
from harness.procedures.failover import failover


def test_failover_while_the_emulator_is_killed(chassis, lab):
    pid = lab.emulator.process.pid
    chassis.timeline.listeners.append(
        lambda event: event.name == ev.OLD_MASTER_REBOOTING and os.kill(pid, signal.SIGKILL))
    failover(chassis)


def test_the_next_plan(chassis):
    pass
"""


def test_a_killed_emulator_is_reported_as_crashed(pytester):
    pytester.makepyfile(PLANS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly",
                                           f"--hil-workdir={pytester.path / 'out'}", "--junitxml=junit.xml")
    result.assert_outcomes(failed=1, errors=1)
    crashed = "virtual chassis XCM8810 crashed (exit status -9)"
    messages = {case.get("name"): problem.get("message", "")
                for case in ET.parse(pytester.path / "junit.xml").iter("testcase")
                for problem in case if problem.tag in ("failure", "error")}
    assert messages["test_failover_while_the_emulator_is_killed"].startswith(
        f"harness.errors.EmulatorCrashed: {crashed}")
    assert f"chassis virtual is not usable for plans: {crashed}" in messages["test_the_next_plan"]
