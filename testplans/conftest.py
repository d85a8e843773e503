"""Fixtures the plans share; `chassis` and `testbed` come from the harness plugin."""

import itertools

import pytest

from harness.lab.chassis import SSH

_numbers = itertools.count(1)


@pytest.fixture
def vlan(chassis):
    """A VLAN created (and tagged) on the master before the plan acts; deleted afterwards."""
    number = next(_numbers)
    name, tag = f"hil_v{number}", 1000 + number
    chassis.run(SSH, f"create vlan {name}", check=True)
    chassis.run(SSH, f"configure vlan {name} tag {tag}", check=True)
    yield name, tag
    chassis.run(SSH, f"delete vlan {name}")
