"""A write to a device that stops reading keeps its deadline. The OpenSSH client's pty was a
blocking descriptor: once the emulator stopped reading (SIGSTOP here; a flooded console under
load in the garbage test), the SSH channel window, the socket buffers and the pty filled and
``os.write`` waited for ever, past every deadline, until pytest-timeout killed the test."""

from __future__ import annotations

import os
import signal
import threading

from drivers.errors import ConnectionLost
from drivers.transports.ssh import SshTransport
from tests.virtual_chassis.vc_helpers import Emulator

WRITE_DEADLINE = 2.0
BIG = 16 * 1024 * 1024  # more than the SSH window and every buffer on the way


def test_a_write_to_a_stopped_device_over_ssh_fails_at_its_deadline(tmp_path):
    with Emulator("--speed", "1000") as emulator:
        ssh = SshTransport("127.0.0.1", emulator.endpoints["ssh"]["port"], "admin", "",
                           known_hosts=tmp_path / "known_hosts")
        ssh.open(20)
        outcome: list[BaseException | None] = []

        def write() -> None:
            try:
                ssh.write(b"A" * BIG, timeout=WRITE_DEADLINE)
                outcome.append(None)
            except BaseException as failure:  # noqa: BLE001 - handed to the test's thread
                outcome.append(failure)

        os.kill(emulator.proc.pid, signal.SIGSTOP)
        try:
            writer = threading.Thread(target=write, daemon=True)
            writer.start()
            writer.join(WRITE_DEADLINE + 8)
            hung = writer.is_alive()
        finally:
            os.kill(emulator.proc.pid, signal.SIGCONT)
            ssh.close()
        assert not hung, "the write waited past its deadline"
        assert len(outcome) == 1 and isinstance(outcome[0], ConnectionLost), outcome
        assert "took nothing within 2s" in str(outcome[0])
