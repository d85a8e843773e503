"""Nothing outlives a killed ``hil``: ``hil virtual`` killed with SIGKILL or SIGHUP takes its
emulator with it, and what a ``hil run`` killed with SIGKILL left (its emulator's flash folder,
its lock folder) is removed by the next run, which says so."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HIL = [sys.executable, "-m", "harness.cli"]
PLAN = """
import time
from pathlib import Path

def test_hold(lab):
    lab.chassis.session("ssh")
    Path("running").write_text("yes")
    time.sleep(60)
"""
QUICK = "def test_quick():\n    pass\n"


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGHUP], ids=["SIGKILL", "SIGHUP"])
def test_hil_virtual_killed_takes_its_emulator_with_it(how):
    hil = subprocess.Popen(
        [*HIL, "virtual", "--speed", "100"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    assert hil.stdout is not None  # a pipe, asked for above
    try:
        assert select.select([hil.stdout], [], [], 30)[0], "hil virtual printed no endpoints"
        assert hil.stdout.readline().startswith(b"{")
        emulators = _children(hil.pid)
        assert emulators, "hil virtual runs its emulator as a child"
        os.kill(hil.pid, how)
        hil.wait(10)
        for pid in emulators:
            assert _gone(pid, 10), f"the emulator (pid {pid}) outlived hil virtual killed with {how.name}"
    finally:
        for pid in _children(hil.pid):
            os.kill(pid, signal.SIGKILL)
        if hil.poll() is None:
            hil.kill()


def test_a_run_after_a_killed_run_clears_its_flash_and_lock_folders_and_says_so(tmp_path):
    (tmp_path / "tmp").mkdir()  # its own temporary folder: other runs clear what is in /tmp too
    env = {**os.environ, "HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "test_hold.py").write_text(PLAN)
    run = subprocess.Popen(
        [*HIL, "run", "--plans", "plans", "--reports", "reports", "--", "-p", "no:randomly"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while not (tmp_path / "running").exists():
        assert run.poll() is None and time.monotonic() < deadline, "the run did not reach its plan"
        time.sleep(0.1)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    flash = list((tmp_path / "tmp").glob(f"xcm8800-hil-flash-{run.pid}-*"))
    runs = tmp_path / "home" / ".cache" / "xcm8800-hil" / "locks" / "runs"
    locks = list(runs.glob("*"))
    assert flash and locks, "the killed run left nothing behind: nothing to test"
    for folder in locks:  # as a minute later: a lock folder that young may be a run's first lock
        os.utime(folder, (time.time() - 120, time.time() - 120))
    (tmp_path / "plans" / "test_hold.py").write_text(QUICK)
    done = subprocess.run(
        [*HIL, "run", "--plans", "plans", "--reports", "reports2"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    for folder in flash:
        assert not folder.exists() and f"removed the flash folder {folder}" in done.stdout, done.stdout[-2000:]
    for folder in locks:
        assert not folder.exists() and f"removed the lock folder {folder}" in done.stdout, done.stdout[-2000:]
