"""Output that never reaches a prompt is cut off at the session's limit, as a failure.

A fake console on a real TCP port logs in like an MSM, then answers one command (or the login
itself) with lines that never end in a prompt, as fast as loopback takes them. The session must
stop at its limit, long before the command's deadline, with memory and the transcript bounded.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from drivers.errors import OutputLimit
from drivers.session import CliSession
from drivers.transcript import Transcript
from drivers.transports.serial import SerialTransport
from harness.errors import TestbedError
from harness.testbed.schema import load_testbed
from tests.security.fake_terminal import LoginConsole

LINE = b"01/01/2026 00:00:00.00 <Info:DM.Info> MSM-A: a line that never ends in a prompt\r\n"
#: The fake device stops after this much, so the old code (no limit) does not fill the disk.
MOST_SENT = 400 << 20
LIMIT = 1 << 20


class EndlessConsole(LoginConsole):
    """``at_login``: prints without end as soon as a client connects; else after ``show log``."""

    def __init__(self, at_login: bool):
        self.at_login = at_login
        self.sent = 0
        self.stopped_by_client = threading.Event()
        super().__init__()

    def serve(self, conn: socket.socket) -> None:
        if self.at_login:
            with conn:
                self._flood(conn)
            return
        super().serve(conn)

    def command(self, conn: socket.socket, line: bytes, prompt: bytes) -> bool:
        if line != b"show log":
            return super().command(conn, line, prompt)
        conn.sendall(line + b"\r\n")
        self._flood(conn)
        return False

    def _flood(self, conn: socket.socket) -> None:
        block, sent = LINE * (65536 // len(LINE)), 0
        try:
            while self.sent < MOST_SENT:
                conn.sendall(block)
                sent += len(block)
                self.sent += len(block)
        except OSError:
            if sent > LIMIT:
                self.stopped_by_client.set()  # the harness closed the link


@pytest.mark.parametrize("at_login", [False, True], ids=["after a command", "at login"])
def test_endless_output_is_cut_off_at_the_limit_with_memory_and_transcript_bounded(tmp_path, at_login):
    device = EndlessConsole(at_login)
    path = tmp_path / "console.log"
    transcript = Transcript(path)
    session = CliSession(SerialTransport(device.url, transcript=transcript), "admin", "Pw-1234", transcript=transcript)
    session.max_output = LIMIT  # as the testbed's max_output sets it
    started = time.monotonic()
    with pytest.raises(OutputLimit) as cut:
        if at_login:
            session.connect(60)
        else:
            session.connect(20)
            session.run("show log", timeout=60)
    took = time.monotonic() - started
    transcript.close()
    message = str(cut.value)
    assert "without reaching a prompt" in message and "max_output" in message and len(message.splitlines()) == 1
    assert took < 30, f"cut off after {took:.1f}s (the deadline was 60 s)"
    assert session._inbox.size == 0  # what was read is let go with the link
    assert device.stopped_by_client.wait(10), "the link stayed open: the device is still being read"
    # the transcript holds what was read up to the limit (plus one read), escaped: not the flood
    assert path.stat().st_size < 4 * LIMIT, path.stat().st_size
    assert device.sent < MOST_SENT


def test_the_limit_is_a_testbed_setting_checked_at_load(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text("chassis:\n  vc1: {type: virtual, max_output: 2097152}\n  vc2: {type: virtual}\n")
    testbed = load_testbed(good)
    assert testbed.chassis["vc1"].max_output == 2097152 and testbed.chassis["vc2"].max_output is None
    bad = tmp_path / "bad.yaml"
    bad.write_text("chassis:\n  vc1: {type: virtual, max_output: 10}\n")
    with pytest.raises(TestbedError) as refused:
        load_testbed(bad)
    assert "max_output" in str(refused.value) and len(str(refused.value).splitlines()) == 1
