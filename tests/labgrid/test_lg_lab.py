"""Plans run through labgrid places: labgrid's own coordinator, two virtual chassis exported by
``hil virtual --export`` (consoles, SSH and power as labgrid resources), ``hil run`` processes
from their own working folders, as hosts of a shared lab run them."""

from __future__ import annotations

import os
import re
import signal

import pytest

from harness import signals
from harness.testbed.schema import load_testbed
from tests.labgrid.conftest import PLACES, TAGS, read_until, stop

pytest.importorskip("labgrid")  # the suite installs it ('.[test]'); a bare install skips these

RUN_DEADLINE = 150  # seconds for one hil run of a few plans on a busy machine
pytestmark = pytest.mark.timeout(300)  # the module starts a coordinator and two exports first


def finish(child, seconds: float = RUN_DEADLINE) -> tuple[int, str]:
    out, _ = child.communicate(timeout=seconds)
    return child.returncode, out.decode(errors="replace")


def group_in(pattern: str, text: str) -> str:
    """Group 1 of ``pattern`` in ``text``; fails the test when ``text`` does not hold it."""
    match = re.search(pattern, text)
    assert match is not None, f"no {pattern!r} in: {text[-2000:]}"
    return match.group(1)


def test_plans_and_the_power_loss_run_through_a_place_and_it_is_released(lab, tmp_path):
    """A testbed chassis that is a labgrid place: acquired, its consoles, SSH and power used by
    the plans (the master's power cut through labgrid's NetworkPowerDriver), released after."""
    run = lab.hil_run(tmp_path / "host1", "--testbed", str(lab.testbed(tmp_path)), "--", "-k", "step1 or power_loss")
    status, out = finish(run)

    assert status == 0, out[-3000:]
    assert f"acquired labgrid place {PLACES[0]}" in out
    assert re.search(rf"chassis {PLACES[0]}: real, SSH 127\.0\.0\.1:\d+, MSM-A socket://127\.0\.0\.1:\d+", out)
    assert "test_power_loss_of_the_master_the_backup_takes_over_by_itself PASSED" in out
    assert PLACES[0] not in lab.who(), "the place is still acquired after the run"


def test_two_runs_on_one_coordinator_never_share_a_chassis(lab, tmp_path):
    """Two runs from separate folders take places by tags at once: each gets a place and no place
    is ever acquired twice without a release between (the coordinator's own log says so)."""
    runs = [lab.hil_run(tmp_path / name, "--lg-tags", TAGS, "--", "-k", "step1") for name in "ab"]
    outs = [finish(child) for child in runs]

    assert [status for status, _ in outs] == [0, 0], [out[-2000:] for _, out in outs]
    for _, out in outs:
        assert re.search(rf"acquired labgrid place ({'|'.join(PLACES)}) \(model=xcm8810\)", out), out[-2000:]
    log = lab.log.read_text().splitlines()
    for place in PLACES:
        events = [
            "released" if "released" in line else "acquired" for line in log if line.startswith(f"{place}: place ")
        ]
        assert events[::2] == ["acquired"] * len(events[::2]) and events[1::2] == ["released"] * len(events[1::2]), (
            events
        )


def test_a_taken_place_is_waited_for_in_a_reservation(lab, tmp_path):
    """A run wanting a place someone holds waits (saying who holds it) and runs once it is free."""
    lab.client("-p", PLACES[0], "acquire")
    try:
        run = lab.hil_run(tmp_path / "w", "--testbed", str(lab.testbed(tmp_path)), "--", "-k", "step1")
        said = read_until(run, "in labgrid reservation", 60)
    finally:
        lab.client("-p", PLACES[0], "release")
    status, out = finish(run)

    assert status == 0, out[-2000:]
    assert re.search(rf"for place {PLACES[0]}, \d+ s so far: place {PLACES[0]} is held by \S+/\S+ since", said), said


def test_a_killed_run_leaves_its_place_named_with_the_command_that_frees_it(lab, tmp_path):
    """SIGKILL leaves the place acquired; the next run names the holder (gone) and the
    command; that command frees it. SIGTERM, by contrast, releases it."""
    testbed = str(lab.testbed(tmp_path, PLACES[1]))
    killed = lab.hil_run(tmp_path / "killed", "--testbed", testbed, "--", "-k", "step1")
    said = read_until(killed, f"acquired labgrid place {PLACES[1]} as ", 60)
    killed.kill()
    killed.wait(10)
    holder = group_in(rf"acquired labgrid place {PLACES[1]} as (\S+)", said + killed.stdout.read().decode())
    assert PLACES[1] in lab.who(), "the killed run's place should still be acquired"

    late = lab.hil_run(tmp_path / "late", "--testbed", testbed, "--lg-wait", "2", "--", "-k", "step1")
    status, out = finish(late)
    assert status != 0
    assert f"place {PLACES[1]} is held by {holder}" in out and "a run that is gone (killed?)" in out, out[-2000:]
    command = group_in(r"free it with: (labgrid-client .*? release-from \S+)", out)
    assert command == f"labgrid-client -x {lab.address} -p {PLACES[1]} release-from {holder}"
    lab.client(*command.split()[3:])
    assert PLACES[1] not in lab.who()

    terminated = lab.hil_run(tmp_path / "term", "--testbed", testbed, "--", "-k", "power_loss")
    read_until(terminated, f"acquired labgrid place {PLACES[1]}", 60)
    stop(terminated, signal.SIGTERM)
    said = terminated.stdout.read().decode(errors="replace")
    assert PLACES[1] not in lab.who(), f"SIGTERM left the place acquired (exit {terminated.returncode}): {said[-3000:]}"


def test_a_sigterm_the_moment_the_place_is_acquired_still_releases_it(lab, tmp_path):
    """A window a loaded machine opened in the test above: SIGTERM lands right as 'acquired' is
    printed, before the run's claim on the place exists. Sent for real, through the handler a
    run installs."""
    from harness.lab.labgrid.claim import hold_place  # labgrid is there: the module skipped otherwise

    spec = load_testbed(lab.testbed(tmp_path, PLACES[1])).chassis[PLACES[1]]
    previous = signals.interrupt_on_termination()
    try:
        with pytest.raises(KeyboardInterrupt, match="SIGTERM"):
            hold_place(lab.address, spec, 30, lambda line: os.kill(os.getpid(), signal.SIGTERM))
    finally:
        signals.restore(previous)
    assert PLACES[1] not in lab.who(), "SIGTERM right after the acquire left the place acquired"


def _children(pid: int) -> list[int]:
    from pathlib import Path

    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _gone(pid: int, seconds: float) -> bool:
    import time
    from pathlib import Path

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


def test_an_export_killed_with_sigkill_takes_its_emulator_and_exporter_and_the_next_takes_over_its_place(lab):
    import subprocess
    import sys

    place = "vc-killed"
    command = [sys.executable, "-m", "harness.cli", "virtual", "--export", "--lg-coordinator", lab.address,
               "--place", place, "--", "--speed", "250", "--name", "vckilled"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True)
    read_until(first, f"exported as labgrid place {place}", 60)
    children = _children(first.pid)
    assert len(children) >= 2, "the export runs an emulator and a labgrid exporter"
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    for pid in children:
        assert _gone(pid, 10), f"pid {pid} outlived hil virtual --export killed with SIGKILL"
    assert place in lab.client("places").stdout, "the killed export's place is left on the coordinator"
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                              start_new_session=True)
    said = read_until(second, f"exported as labgrid place {place}", 60)
    assert f"place {place} was left by a killed hil virtual --export (pid {first.pid})" in said, said
    stop(second)
    assert place not in lab.client("places").stdout.split(), "the place taken over was not deleted at the end"
