"""``hil virtual --replay``: recordings served as a device, to the drivers over OpenSSH and a
``socket://`` console, and to the plain OpenSSH client."""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import subprocess
import sys

import pytest

from drivers.deadline import Deadline
from harness.lab.chassis import Chassis, ChassisAccess
from harness.testbed.schema import Credentials
from tests.replay.conftest import COMMANDS
from tests.replay.rp_helpers import recorded_outputs

START_DEADLINE = 30.0


@pytest.fixture(scope="module")
def device(recorded):
    """``hil virtual --replay`` over the recorded run; yields its endpoint JSON line."""
    files = [str(p) for p in sorted(recorded.iterdir())]
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "virtual", "--replay", *files],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield json.loads(_first_line(process, Deadline(START_DEADLINE)))
    finally:
        process.send_signal(signal.SIGTERM)  # hil passes it on to the replay device
        process.wait(START_DEADLINE)
        assert process.stdout is not None and process.stderr is not None  # pipes, asked for at the start
        process.stdout.close()
        process.stderr.close()


def _first_line(process: subprocess.Popen, deadline: Deadline) -> str:
    buffer = b""
    assert process.stdout is not None and process.stderr is not None  # pipes, asked for at the start
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"\n" not in buffer:
            if deadline.expired or not selector.select(deadline.remaining()):
                pytest.fail(f"no endpoints within {deadline.seconds:g} s: {os.read(process.stderr.fileno(), 4096)!r}")
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                pytest.fail(f"hil virtual --replay exited: {process.stderr.read().decode()}")
            buffer += chunk
    return buffer.split(b"\n", 1)[0].decode()


@pytest.fixture
def chassis(device, tmp_path):
    """The replayed device reached as a real chassis is: OpenSSH and console URLs."""
    access = ChassisAccess(
        device["name"],
        "real",
        device["ssh"]["host"],
        device["ssh"]["port"],
        {msm: where["tcp"] for msm, where in device["consoles"].items()},
        Credentials(device["username"], ""),
        tmp_path / "known_hosts",
    )
    chassis = Chassis(access, tmp_path / "transcripts")
    yield chassis
    chassis.close()


def test_the_drivers_read_recorded_answers_over_openssh_and_a_console(chassis, recorded):
    """The run follows the recorded path: each command gets its recorded answer, in order."""
    for where, commands in COMMANDS.items():
        recorded_answers = recorded_outputs(recorded / f"lab1-{where}.jsonl")
        answers = [(command, chassis.run(where, command, check=True).output) for command in commands]
        assert answers == [a for a in recorded_answers if a[0] != "disable clipaging"], where
    assert chassis.session("MSM-A").prompt.text.startswith("XCM8810.")  # the recorded prompt


def test_a_command_off_the_recorded_path_gets_the_syntax_error_and_says_where(chassis):
    result = chassis.run("MSM-A", "show fabric")
    assert result.error
    assert "%% Invalid input detected at '^' marker." in result.output
    assert re.search(
        r"% replay: MSM-A: the run left the recording at (step \d+ of \d+ \(.*lab1-MSM-A\.jsonl line \d+\)"
        r"|its end \(after step (\d+) of \2\)): expected .*, got 'show fabric'",
        result.output,
    ), result.output


def test_the_plain_openssh_client_runs_a_recorded_command(device, recorded, tmp_path):
    ssh = device["ssh"]
    options = ["-o", f"UserKnownHostsFile={tmp_path / 'kh'}", "-o", "StrictHostKeyChecking=accept-new"]
    options += ["-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1", "-o", "BatchMode=no"]
    done = subprocess.run(
        ["ssh", *options, "-p", str(ssh["port"]), f"{device['username']}@{ssh['host']}", "show node"],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=START_DEADLINE,
    )
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.decode().replace("\r\n", "\n").strip()
        == dict(recorded_outputs(recorded / "lab1-ssh.jsonl"))["show node"]
    )


def test_a_file_that_is_not_a_recording_stops_the_replay_device_with_one_line(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text("not json\n")
    done = subprocess.run(
        [sys.executable, "-m", "virtual_chassis", "--replay", str(path)], capture_output=True, timeout=START_DEADLINE
    )
    assert done.returncode == 2
    assert (
        done.stderr.decode().count("\n") == 1 and "not a recording (a line is not JSON, line 1)" in done.stderr.decode()
    )
