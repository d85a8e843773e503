"""Fixtures for the fault tests: a virtual chassis (as the harness starts one) with short
deadlines."""

from __future__ import annotations

from dataclasses import replace

import pytest

from harness.lab.access import LabChassis
from harness.testbed.schema import VirtualOptions, virtual_spec

SPEED = 200.0          # boot 0.45 s, boot deadline 600 s / 200 = 3 s
MIN_DEADLINE = 2.0     # instead of the 15 s a plan run keeps for a loaded machine


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One virtual chassis for the module, started by the harness, with short scaled deadlines."""
    opened = LabChassis(virtual_spec("vfault", VirtualOptions(speed=SPEED)),
                        tmp_path_factory.mktemp("faults"))
    opened.chassis.access = replace(opened.chassis.access, min_deadline=MIN_DEADLINE)
    yield opened
    opened.close()


@pytest.fixture
def chassis(lab):
    """The lab's chassis brought to baseline (faults cleared, MASTER + BACKUP In Sync)."""
    lab.ensure_baseline()
    return lab.chassis
