"""Passwords the device cannot take are refused at load; a typed password is masked by its place.

A fake console on a real TCP port logs in like an MSM and echoes the password it is typed, with
a control sequence after each character (as some terminal servers do); its CLI then answers
``show switch``. The password is ``show``: a common word of the CLI's own output.
"""

from __future__ import annotations

import socket

import pytest

from drivers.session import CliSession
from drivers.transcript import Transcript
from drivers.transports.serial import SerialTransport
from harness.errors import TestbedError
from harness.testbed.schema import load_testbed
from tests.security.fake_terminal import LoginConsole

PASSWORD = "show"
SHOW_SWITCH = b"show switch\r\n\r\nSysName:          XCM8810\r\nSysLocation:      lab (show room)\r\n"


class EchoingConsole(LoginConsole):
    """Echoes the typed password character by character, each followed by ``ESC [ 0 m``."""

    def echo_password(self, typed: bytes) -> bytes:
        return b"".join(bytes([c]) + b"\x1b[0m" for c in typed)

    def command(self, conn: socket.socket, line: bytes, prompt: bytes) -> bool:
        conn.sendall((SHOW_SWITCH if line == b"show switch" else line + b"\r\n") + prompt)
        return True


def test_a_common_word_password_echoed_with_control_sequences_is_masked_only_where_typed(tmp_path):
    console = EchoingConsole()
    seen: list[str] = []

    class Tap:  # what a recording receives
        def record(self, direction: str, text: str, when: float) -> None:
            seen.append(text)

    path = tmp_path / "MSM-A.log"
    transcript = Transcript(path, taps=[Tap()])
    session = CliSession(SerialTransport(console.url, transcript=transcript), "admin", PASSWORD, transcript=transcript)
    session.connect(20)
    result = session.run("show switch", timeout=20)
    session.close()
    transcript.close()
    text = path.read_text()
    assert "SysLocation:      lab (show room)" in result.output
    for where in (text, "".join(seen)):
        assert "s\\x1b[0mh" not in where and "s\x1b[0mh" not in where, where  # the echo is masked
        assert "show switch" in where and "(show room)" in where, where  # the word elsewhere is not
        assert "********" in where


@pytest.mark.parametrize(
    ("credentials", "rule"),
    [
        ('{username: admin, password: "pw\\nshow switch"}', "line break"),
        ('{username: admin, password: "pw\\rreboot"}', "line break"),
        ('{username: admin, password: "pw\\u0003x"}', "control character"),
        ('{username: admin, password: "Pässwort-1"}', "not ASCII"),
        ('{username: admin, password: "ok", console: {username: admin, password: "Kennwört"}}', "not ASCII"),
        ('{username: admin, password: "${HIL_PW}"}', "line break"),
    ],
)
def test_a_password_the_device_cannot_take_is_refused_at_load_in_one_line(tmp_path, monkeypatch, credentials, rule):
    monkeypatch.setenv("HIL_PW", "pw\nshow switch")
    testbed = tmp_path / "testbed.yaml"
    testbed.write_text(f"chassis:\n  vc1:\n    type: virtual\n    credentials: {credentials}\n")
    with pytest.raises(TestbedError) as refused:
        load_testbed(testbed)
    message = str(refused.value)
    assert rule in message and ".password" in message and len(message.splitlines()) == 1, message
    assert "show switch" not in message and "ässwort" not in message and "Kennw" not in message


def test_a_non_ascii_ssh_password_with_an_ascii_console_login_is_taken(tmp_path):
    testbed = tmp_path / "testbed.yaml"
    testbed.write_text(
        "chassis:\n  vc1:\n    type: virtual\n"
        '    credentials: {username: admin, password: "Pässwort-1", console: {username: admin, password: "ascii-1"}}\n'
    )
    assert load_testbed(testbed).chassis["vc1"].console_credentials.password == "ascii-1"
