"""Testbed odds found by trying to break it: each gets one line from ``hil`` and exit 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness.errors import TestbedError
from harness.testbed.schema import load_testbed

HIL = [sys.executable, "-m", "harness.cli"]


def hil_check(tmp_path, text: str) -> subprocess.CompletedProcess:
    (tmp_path / "tb.yaml").write_text(text)
    return subprocess.run([*HIL, "check", "--testbed", "tb.yaml"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("text, said", [
    ("chassis: " + "[" * 20000 + "]" * 20000 + "\n", "nested too deeply to read"),
    ("chassis:\n  " + "c" * 260 + ": {type: virtual}\n", "not a usable chassis name"),
    ("chassis:\n  vc1: {type: virtual, credentials: {username: 'ad min'}}\n", "not an account name"),
])
def test_a_broken_testbed_gets_one_line_and_exit_2(tmp_path, text, said):
    done = hil_check(tmp_path, text)
    assert done.returncode == 2, done.stderr[-2000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and said in lines[0], done.stderr[-2000:]
    assert "Traceback" not in done.stderr and len(lines[0]) < 400


def test_values_from_the_environment_are_the_testbeds_secrets(tmp_path):
    (tmp_path / "tb.yaml").write_text(
        "chassis:\n  lab1:\n    type: real\n    management: {host: '${H}', port: 22}\n"
        "    consoles: {MSM-A: 'socket://a:1', MSM-B: 'socket://a:2'}\n"
        "    credentials: {username: admin, password: pw-not-from-env}\n"
        "    ssh_options: ['-J', '${JUMP}']\n")
    testbed = load_testbed(tmp_path / "tb.yaml", {"H": "10.9.8.7", "JUMP": "me@jump.example"})
    assert set(testbed.secrets) == {"pw-not-from-env", "10.9.8.7", "me@jump.example"}
    with pytest.raises(TestbedError):
        load_testbed(tmp_path / "tb.yaml", {"H": "x"})


@pytest.mark.parametrize("args, said", [
    (["--username", "ad min"], "argument --username: the username must be one word"),
    (["--name", "x" * 260], "argument --name: Invalid SysName"),
])
def test_the_emulator_refuses_what_would_crash_it(args, said):
    done = subprocess.run([sys.executable, "-m", "virtual_chassis", *args], capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and said in done.stderr and "Traceback" not in done.stderr
