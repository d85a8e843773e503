"""``CliSession.before_retry``: a reconnect whose far end is known to be gone stops at once."""

import socket

import pytest

from drivers import CliSession, Deadline, HilError, SshTransport


class FarEndGone(HilError):
    pass


def test_before_retry_stops_a_reconnect_long_before_its_deadline(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]                # nobody listens: every attempt is refused
    session = CliSession(SshTransport("127.0.0.1", port, known_hosts=tmp_path / "kh"))
    asked = []

    def gone():
        asked.append(True)
        raise FarEndGone("the emulator behind this port is dead")

    session.before_retry = gone
    deadline = Deadline(60)
    with pytest.raises(FarEndGone):
        session.reconnect(deadline)
    assert asked == [True] and deadline.remaining() > 50   # one refused attempt, then the hook
