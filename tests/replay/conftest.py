"""A run of the harness on a virtual chassis, recorded: the recordings the replay tests read."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.lab.access import LabChassis
from harness.testbed.schema import Credentials, virtual_spec

PASSWORD = "Rec0rd-s3cret"
COMMANDS = {
    "ssh": ("show switch", "show switch detail", "show node", "show version", "show vlan", "show checkpoint-data"),
    "MSM-A": ("show switch", "show version"),
    "MSM-B": ("show switch", "show node"),
}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    """Recordings of three sessions (SSH and both consoles) of a run with a password."""
    workdir = tmp_path_factory.mktemp("run")
    lab = LabChassis(virtual_spec("lab1", credentials=Credentials("admin", PASSWORD)), workdir)
    try:
        for where, commands in COMMANDS.items():
            for command in commands:
                lab.chassis.run(where, command, check=True)
    finally:
        lab.close()
    return workdir / "recordings"


@pytest.fixture(scope="session")
def green_virtual_run(tmp_path_factory) -> Path:
    """The recordings of a green ``hil run`` of every plan on a virtual chassis."""
    from tests.replay.rp_runs import hil_run

    return hil_run(tmp_path_factory.mktemp("green-virtual"))


@pytest.fixture(scope="session")
def green_real_run(tmp_path_factory) -> Path:
    """The recordings of a green ``hil run`` on a real-type testbed (OpenSSH, raw-TCP consoles)."""
    from tests.replay.rp_runs import green_real_type_run

    return green_real_type_run(tmp_path_factory.mktemp("green-real"))
