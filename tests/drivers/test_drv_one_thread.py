"""One thread at a time on a session: a second thread that runs a command while the first waits
for its answer gets SessionBusy at once, and the first thread's answer stays whole (a real pty
device answers slowly)."""

from __future__ import annotations

import threading

import pytest

from drivers import CliSession, SerialTransport, SessionBusy
from tests.drivers.drv_fakes import command, expect, login_steps, logout_steps, pause, pty_device, send

PASSWORD = "s3cret-pw"
SHOW_NODE = b"Node        State\r\nMSM-A       MASTER\r\nMSM-B       BACKUP\r\n"


def test_a_second_thread_gets_session_busy_and_the_first_answer_stays_whole():
    player, path = pty_device(
        login_steps()
        + [expect("show node\r"), pause(1.5), send(b"show node\r\n" + SHOW_NODE + b"XCM8810.3 # ")]
        + command("show version", b"XCM8800 version 12.4.2.8\r\n", 4)
        + logout_steps()
    )
    session = CliSession(SerialTransport(path), password=PASSWORD)
    try:
        session.connect(10)
        answers = []
        first = threading.Thread(target=lambda: answers.append(session.run("show node", timeout=10)), name="plan")
        first.start()
        while session._user._owner is None and first.is_alive():  # until the plan's command is on the line
            first.join(0.01)
        with pytest.raises(SessionBusy, match=r"thread MainThread wanted it for 'show switch' while thread plan "
                                              r"runs 'show node' on it"):
            session.run("show switch", timeout=10)
        first.join(10)
        assert answers and answers[0].output.splitlines() == SHOW_NODE.decode().strip().splitlines()
        assert session.run("show version", timeout=10).output.strip() == "XCM8800 version 12.4.2.8"  # free again
    finally:
        session.close()
        player.join(5)
