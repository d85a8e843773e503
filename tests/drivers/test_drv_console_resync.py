"""A console never desynchronises (issue 24): a 9600-baud console with a big configuration.

The emulator paces its console at 9600 baud (``--baud``) and holds a configuration of a busy
switch (``--config-lines``): ``show configuration`` takes seconds on the wire. A command whose
deadline does not cover that is interrupted and the session brought back to a fresh prompt (or
reopened); nothing of its output reaches the next command. A deadline that knows the line rate
lets the output finish, with heartbeats while it runs."""

import time

import pytest

import drivers.session as session_module
from drivers import CliSession, SerialTransport
from drivers.errors import Timeout
from harness.parsers import parse_show_switch
from tests.virtual_chassis.vc_helpers import Emulator

CONFIG_LINES = "150"  # about 8 KB of show configuration: about 8 s at 9600 baud


@pytest.fixture(scope="module")
def slow_console():
    emulator = Emulator("--speed", "1000", "--baud", "9600", "--config-lines", CONFIG_LINES)
    try:
        yield emulator.endpoints["consoles"]["MSM-A"]["tcp"]
    finally:
        emulator.stop()


def test_a_timed_out_command_leaves_nothing_for_the_next_one(slow_console):
    # the testbed says 115200 while the line runs at 9600: the deadline is too short for the output
    console = CliSession(SerialTransport(slow_console, 115200), "admin", "")
    try:
        console.connect(30)
        with pytest.raises(Timeout):
            console.run("show configuration", timeout=2)
        after = console.run("show switch", timeout=60)
        status = parse_show_switch(after.output)
        assert status.master == "MSM-A"
        assert "create fdb" not in after.output and "configure" not in after.output, after.output[:500]
        again = console.run("show switch", timeout=60)
        assert parse_show_switch(again.output).master == "MSM-A"
    finally:
        console.close()


def test_a_console_deadline_accounts_for_the_line_rate_with_heartbeats(slow_console, monkeypatch):
    monkeypatch.setattr(session_module, "HEARTBEAT_EVERY", 1.0)
    beats: list[str] = []
    console = CliSession(SerialTransport(slow_console, 9600), "admin", "")
    console.heartbeat = beats.append
    try:
        console.connect(30)
        started = time.monotonic()
        result = console.run("show configuration", timeout=3)
        took = time.monotonic() - started
    finally:
        console.close()
    assert took > 3, "the output did not take its line time: the test does not show anything"
    assert len(result.output.splitlines()) >= int(CONFIG_LINES)
    assert beats and "'show configuration' still running after" in beats[0] and "bytes so far" in beats[0]
