"""A reports folder that cannot take the reports stops the run before any plan; a cleared cache
is not a changed host key; a damaged cached image is built again.

The full disk and the read-only folder are real mounts (tmpfs of 1 MiB; tmpfs mounted read-only),
so they need root; the wrong type is a file where the folder should be.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.firmware.setup import FirmwareLab, FirmwareSettings
from harness.testbed.firmware import FirmwareSpec


def _mount(where: Path, options: str) -> bool:
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
    return done.returncode == 0


@pytest.fixture
def mounted(tmp_path):
    made = []

    def mount(name: str, options: str) -> Path:
        where = tmp_path / name
        if not _mount(where, options):
            pytest.skip("mounting a tmpfs needs root (or CAP_SYS_ADMIN)")
        made.append(where)
        return where

    yield mount
    for where in made:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _hil_run(cwd: Path, reports: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "--reports", str(reports), "--", "-p", "no:randomly"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def _assert_one_line_exit_2(done: subprocess.CompletedProcess, words: str) -> None:
    output = done.stdout + done.stderr
    assert done.returncode == 2, output[-3000:]
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and words in lines[0], output[-3000:]
    assert "INTERNALERROR" not in output and "PASSED" not in output and "FAILED" not in output


def test_a_full_reports_folder_stops_the_run_before_any_plan(tmp_path, mounted):
    full = mounted("full", "size=1m")
    (full / "filler").write_bytes(bytes(900 * 1024))
    _assert_one_line_exit_2(_hil_run(tmp_path, full / "reports"), "KiB free, a run needs")


def test_a_read_only_reports_folder_stops_the_run_before_any_plan(tmp_path, mounted):
    read_only = mounted("ro", "size=64m,ro")
    _assert_one_line_exit_2(_hil_run(tmp_path, read_only / "reports"), "cannot create reports folder")
    _assert_one_line_exit_2(_hil_run(tmp_path, read_only), "cannot write into reports folder")


def test_a_reports_folder_that_is_a_file_stops_the_run_before_any_plan(tmp_path):
    (tmp_path / "reports").write_text("not a folder")
    _assert_one_line_exit_2(_hil_run(tmp_path, tmp_path / "reports"), "is not a folder")


def test_clearing_the_cache_is_not_a_changed_host_key(tmp_path):
    """The emulator keeps its key per name in ~/.cache; clear it (as a CI job or a new HOME
    does) and the next check into the same folder still connects."""
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home)}
    for attempt in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "harness.cli", "check"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert done.returncode == 0 and "host key" not in done.stdout + done.stderr, (attempt, done.stdout, done.stderr)
        shutil.rmtree(home / ".cache")


def test_a_damaged_cached_image_is_built_again(tmp_path):
    spec = FirmwareSpec(tftp_address="127.0.0.1", image=None, version=None)
    lab = FirmwareLab(FirmwareSettings("127.0.0.1", 0, spec, build=True), tmp_path / "served", cache=tmp_path / "cache")
    first = lab.image_of("12.4.3.9")
    assert first is not None, "no image built for 12.4.3.9"
    cached = tmp_path / "cache" / first.file
    good = cached.read_bytes()
    with open(cached, "r+b") as f:  # a bit flipped on the disk, or a copy cut short
        f.seek(len(good) // 2)
        f.write(bytes([good[len(good) // 2] ^ 0xFF]))
    second = lab.image_of("12.4.3.9")
    assert second is not None, "no image built again for 12.4.3.9"
    served = (tmp_path / "served" / second.file).read_bytes()
    assert served != good[: len(good) // 2] + bytes([good[len(good) // 2] ^ 0xFF]) + good[len(good) // 2 + 1 :]
    assert len(served) == len(good)
