"""Fixtures the plans share; `chassis` and `testbed` come from the harness plugin."""

import itertools
import re

import pytest

from harness.lab.chassis import SSH
from testplans.plan_helpers import vlans_on

_numbers = itertools.count(1)
#: The plans' own VLANs: anything of this name on a chassis was left by a run (killed mid-plan).
TEST_VLAN = re.compile(r"hil_v\d+")


@pytest.fixture
def vlan(chassis):
    """A VLAN created (and tagged) on the master before the plan acts; deleted afterwards. A
    procedure that had to save the configuration with it (an upgrade saves before rebooting the
    backup) gets the configuration saved again without it, so no test VLAN stays in flash. A test
    VLAN a killed run left behind is deleted before, not fatal."""
    for leftover in sorted(name for name in vlans_on(chassis, SSH) if TEST_VLAN.fullmatch(name)):
        chassis.progress.line(f"deleting VLAN {leftover} left by an earlier run")
        chassis.run(SSH, f"delete vlan {leftover}", check=True)
    number = next(_numbers)
    name, tag = f"hil_v{number}", 1000 + number
    chassis.run(SSH, f"create vlan {name}", check=True)
    chassis.run(SSH, f"configure vlan {name} tag {tag}", check=True)
    mark = chassis.transcript_mark(SSH)
    yield name, tag
    if name in vlans_on(chassis, SSH):  # a plan that saves deletes it first
        chassis.run(SSH, f"delete vlan {name}", check=True)
        if "save configuration" in chassis.transcript_since(SSH, mark):
            chassis.run(SSH, "save configuration", check=True)  # the flash without the test VLAN
