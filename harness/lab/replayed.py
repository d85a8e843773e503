"""Start a replayed chassis (``python -m virtual_chassis --replay``) for a ``type: replay``
testbed entry and reach it as hardware is reached: OpenSSH and raw-TCP consoles, no power or
fault control, deadlines scaled as the recordings were.

The child is the emulator's replay device, started as the virtual chassis is (its password on
the stdin pipe, which also stops it when the harness ends).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from drivers.deadline import Deadline
from harness.lab.chassis import ChassisAccess
from harness.lab.virtual import VirtualChassisProcess
from harness.testbed.replay import ReplayOptions
from harness.testbed.schema import ChassisSpec, VirtualOptions
from virtual_chassis.api import command


class ReplayedChassisProcess(VirtualChassisProcess):
    """The replay device child: ``start_replay()`` returns how to reach it."""

    def __init__(self, spec: ChassisSpec, log_path: Path):
        assert spec.replay is not None
        super().__init__(VirtualOptions(sysname=spec.name), spec.credentials, log_path)
        self.replay: ReplayOptions = spec.replay

    def command(self) -> list[str]:
        """The child's command line; the password travels on its stdin pipe, never here."""
        files = [str(path) for path in self.replay.recordings]
        args = ["--replay", *files, "--speed", f"{self.replay.speed:g}", "--username", self.credentials.username]
        return command(*args, "--from-parent")

    def start_replay(self, name: str, workdir: Path, deadline: Deadline | float = 30.0) -> ChassisAccess:
        """Spawn it, hand it the password, wait for its endpoints; the access a plan uses
        (kind ``real``: no control channel)."""
        deadline = Deadline.of(deadline)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, start_new_session=True
            )
        self._hand_over_password()
        data = json.loads(self._first_line(deadline))
        return ChassisAccess(
            name,
            "real",
            data["ssh"]["host"],
            int(data["ssh"]["port"]),
            {msm: where["tcp"] for msm, where in data["consoles"].items()},
            self.credentials,
            workdir / "known_hosts-replay",
            time_scale=min(self.replay.time_scale, 1.0),
        )
