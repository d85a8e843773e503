"""Fixtures for the driver tests: fake devices on a real pty and a real TCP socket."""

from __future__ import annotations

import pytest

from drivers import CliSession, SerialTransport, Transcript
from tests.drivers.drv_fakes import ScriptPlayer, pty_device, tcp_device

PASSWORD = "s3cret-pw"


@pytest.fixture(params=["pty", "tcp"])
def console_device(request, tmp_path):
    """``play(script) -> (session, player)``: a CliSession on a console to a scripted device.

    Checks after the test that the device saw what the script expected and that the
    transcript never holds the password.
    """
    started: list[tuple[ScriptPlayer, CliSession, Transcript]] = []

    def play(script, **session_kw):
        factory = pty_device if request.param == "pty" else tcp_device
        player, url = factory(script)
        transcript = Transcript(tmp_path / f"console-{len(started)}.log", secrets=[PASSWORD])
        session = CliSession(SerialTransport(url), password=PASSWORD, transcript=transcript, **session_kw)
        started.append((player, session, transcript))
        return session, player

    yield play
    for player, session, transcript in started:
        session.transport.close()
        player.stop()
        transcript.close()
        assert transcript.path is not None  # play() gives every transcript a file
        assert PASSWORD not in transcript.path.read_text()
