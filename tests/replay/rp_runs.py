"""Green ``hil run``s whose recordings the replay tests read: every plan on a virtual chassis,
and the plans a real chassis runs on a real-type testbed (an emulator reached as hardware is:
OpenSSH and raw-TCP consoles, as ser2net serves them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.virtual_chassis.vc_helpers import Emulator

HIL = [sys.executable, "-m", "harness.cli"]
RUN_DEADLINE = 240  # seconds for one whole hil run on a busy machine


def child_environment() -> dict[str, str]:
    """This process's environment without the xdist worker's variables (the run is its own)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_XDIST_")}
    env["PYTEST_ADDOPTS"] = "-p no:hypothesispytest -p no:labgrid"
    return env


def hil_run(folder: Path, *args: str) -> Path:
    """``hil run ARGS`` in ``folder``; it must pass. Returns its recordings folder."""
    done = subprocess.run(
        [*HIL, "run", "--reports", "reports", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=RUN_DEADLINE,
        env=child_environment(),
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    return folder / "reports" / "recordings"


def real_type_testbed(emulator: Emulator) -> str:
    """A testbed naming the emulator as a real chassis: management SSH and socket:// consoles."""
    ends = emulator.endpoints
    consoles = ", ".join(f'{msm}: "{ends["consoles"][msm]["tcp"]}"' for msm in ("MSM-A", "MSM-B"))
    return (
        "chassis:\n  lab1:\n    type: real\n"
        f"    management: {{host: {ends['ssh']['host']}, port: {ends['ssh']['port']}}}\n"
        f"    consoles: {{{consoles}}}\n"
        '    credentials: {username: admin, password: ""}\n'
    )


def green_real_type_run(folder: Path) -> Path:
    """Every plan on a real-type testbed (an emulator at --speed 100); its recordings folder."""
    emulator = Emulator("--speed", "100")
    try:
        (folder / "testbed.yaml").write_text(real_type_testbed(emulator))
        return hil_run(folder, "--testbed", "testbed.yaml")
    finally:
        emulator.stop()
