"""Real clients' flows against a virtual chassis process: Netmiko's save (``disable cli
prompting`` first, then ``save configuration`` with no question), and a boot that fails into the
``! `` recovery prompt, where the drivers must still log in and work."""

from __future__ import annotations

import re

import pytest

from drivers import Deadline
from drivers.prompt import PROMPT_RE
from tests.drivers.test_drv_virtual_chassis import Chassis
from virtual_chassis.protocol import ControlClient


@pytest.fixture
def chassis(tmp_path):
    running = Chassis(tmp_path)
    yield running
    running.stop()


def control(chassis: Chassis) -> ControlClient:
    c = chassis.info["control"]
    return ControlClient(c["host"], c["port"], c["token"])


def test_netmiko_save_flow_over_openssh_asks_nothing(chassis):
    """Netmiko ``extreme_exos`` sends ``disable cli prompting`` before ``save configuration``."""
    session = chassis.session("ssh")
    session.connect(Deadline(20))
    session.run("create vlan nmtest", timeout=10, check=True)
    assert session.run("disable cli prompting", timeout=10, check=True).output.strip() == ""
    saved = session.run("save configuration", timeout=10, check=True)
    assert "Configuration saved to primary.cfg successfully." in saved.output
    assert not saved.prompt.unsaved
    session.run("delete vlan nmtest", timeout=10, check=True)
    session.run("save configuration", timeout=10, check=True)
    session.close()
    wire = chassis.transcripts[-1].text()
    assert "overwrite it?" not in wire, "a question was asked with prompting disabled"
    assert re.search(r"save configuration\r?\n.*successfully", wire, re.S)


def test_a_failed_boot_comes_up_at_the_recovery_prompt_and_the_driver_logs_in(chassis):
    """I/O modules shut down by system recovery: the console warns and the prompt reads
    ``! NAME.1 # ``; the session recognises it, logs in, and commands work."""
    ops = control(chassis)
    assert ops.fail_boot(msm="MSM-B", slots=(1, 3))["slots"] == [1, 3]
    console = chassis.session("MSM-B:tcp")
    prompt = console.connect(Deadline(60))
    assert prompt.recovery and PROMPT_RE.search(f"! {chassis.info['name']}.1 # ")
    assert prompt.text.startswith("! ") and prompt.sysname == chassis.info["name"]
    wire = chassis.transcripts[-1].text()
    assert "The I/O modules in the following slots are shut down: 1,3" in wire
    result = console.run("show switch", timeout=10)
    assert result.ok and result.prompt.recovery and "MSM-B *" in result.output
    assert ops.clear_faults() == ["fail_boot"]
    assert not console.run("show node", timeout=10).prompt.recovery, "clearing the fault restores the slots"
