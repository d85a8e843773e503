"""CliSession against a scripted fake device on a real pty and a real TCP console port."""

from __future__ import annotations

import threading
import time

import pytest

from drivers import (
    CliSession,
    CommandError,
    ConnectionLost,
    Deadline,
    DeviceRebooted,
    LoginFailed,
    SerialTransport,
    Timeout,
)
from tests.drivers.drv_fakes import (
    LOG_STATE,
    LOG_SYNC,
    PAGER,
    PAGER_ERASE,
    command,
    expect,
    hangup,
    login_steps,
    logout_steps,
    pause,
    pty_device,
    send,
)

PASSWORD = "s3cret-pw"

SHOW_NODE = (
    b"Node        State       Priority    SwHealth    HwHealth\r\n"
    b"MSM-A       MASTER      0           49          7\r\n"
    b"MSM-B       BACKUP      0           49          7\r\n"
)
MSM_B = SHOW_NODE.index(b"MSM-B")
NODE_TEXT = SHOW_NODE.decode().replace("\r\n", "\n").rstrip("\n")


def test_login_command_and_polite_logout(console_device):
    session, player = console_device(
        login_steps() + command("show node", SHOW_NODE, 3) + logout_steps()
    )
    prompt = session.connect(Deadline(10))
    assert (prompt.sysname, prompt.counter, prompt.admin) == ("XCM8810", 2, True)
    result = session.run("show node", timeout=5)
    assert result.output == NODE_TEXT
    assert result.prompt.counter == 3 and not result.failed and not result.rebooted
    assert result.error is None and result.log_lines == ()
    session.close()
    assert player.error is None
    assert b"s3cret-pw\r" in player.received  # the device did get the password ...
    assert b"\n" not in player.received  # ... and consoles only ever get \r


def test_existing_prompt_is_adopted_without_login(console_device):
    session, player = console_device(
        [expect(b"\r"), send(b"\r\n* XCM8810.7 # ")] + command("disable clipaging", b"", 8, b"* XCM8810")
    )
    prompt = session.connect(Deadline(10))
    assert prompt.unsaved and prompt.counter == 8
    assert b"admin" not in player.received
    assert player.error is None


def test_wrong_password_is_login_failed(console_device):
    session, player = console_device(
        [
            expect(b"\r"), send(b"\r\nlogin: "),
            expect("admin\r"), send(b"admin\r\npassword: "),
            expect(b"s3cret-pw\r"), send(b"\r\nLogin incorrect\r\n\r\nlogin: "),
        ]
    )
    with pytest.raises(LoginFailed, match="admin") as info:
        session.connect(Deadline(10))
    assert "s3cret-pw" not in str(info.value)
    assert player.error is None


def test_pending_aaa_waits_and_retries(console_device):
    session, player = console_device(
        [
            expect(b"\r"), send(b"\r\n(pending-AAA) login: "),
            pause(0.3),
            send(b"\r\nAuthentication Service (AAA) on the master node is now available for login.\r\nlogin: "),
        ]
        + login_steps()[2:]
    )
    session.connect(Deadline(10))
    assert player.received.startswith(b"\radmin\r")  # nothing typed at the pending-AAA prompt
    assert player.error is None


def test_boot_text_at_connect_waits_for_login_without_typing(console_device):
    session, player = console_device(
        [
            expect(b"\r"),
            send(b"NETGEAR XCM8800 BootROM 1.0.1.3\r\nStarting primary image 12.4.2.8 ...\r\n"),
            pause(0.4),
            send(b"Loading XCM8800 ...\r\n"),
            pause(0.4),
            send(b"\r\nlogin: "),
        ]
        + login_steps()[2:]
    )
    session.nudge_after = 0.2  # would nudge during the pauses if boot text did not stop it
    session.connect(Deadline(10))
    assert player.received.startswith(b"\radmin\r")
    assert player.error is None


def test_pager_is_paged_through_and_cleaned(console_device):
    page1 = b"".join(b"line %02d\r\n" % i for i in range(23))
    page2 = b"".join(b"line %02d\r\n" % i for i in range(23, 30))
    session, player = console_device(
        login_steps()
        + [expect("show log\r"), send(b"show log\r\n" + page1 + PAGER), expect(" ")]
        + [send(PAGER_ERASE + page2 + b"XCM8810.3 # ")]
    )
    session.connect(Deadline(10))
    result = session.run("show log", timeout=5)
    assert result.output.splitlines() == [f"line {i:02d}" for i in range(30)]
    assert player.error is None


def test_dialog_is_answered_from_the_table(console_device):
    question = b"Do you want to save configuration to primary.cfg and overwrite it? (y/N) "
    session, player = console_device(
        login_steps(counter=1)
        + [expect("save configuration\r"), send(b"save configuration\r\n" + question), expect("y\r")]
        + [send(b"y\r\nSaving configuration on master MSM ....... done!\r\n"
                b"Configuration saved to primary.cfg successfully.\r\nXCM8810.3 # ")]
    )
    session.connect(Deadline(10))
    result = session.run("save configuration", timeout=5)
    assert result.output.endswith("Configuration saved to primary.cfg successfully.")
    assert not result.failed
    assert player.error is None


def test_caller_answers_override_the_table(console_device):
    question = b"Do you want to save configuration to primary.cfg and overwrite it? (y/N) "
    session, player = console_device(
        login_steps()
        + [expect("save configuration\r"), send(b"save configuration\r\n" + question), expect("n\r")]
        + [send(b"n\r\nXCM8810.3 # ")]
    )
    session.connect(Deadline(10))
    session.run("save configuration", timeout=5, answers={r"overwrite it\? \(y/N\)": "n"})
    assert player.error is None


def test_log_lines_split_across_chunks_are_pulled_out(console_device):
    seen: list[str] = []
    session, player = console_device(
        login_steps()
        + [
            expect("show node\r"),
            send(b"show node\r\n" + SHOW_NODE[:40]),
            pause(0.05),
            send(SHOW_NODE[40:MSM_B] + LOG_STATE[:30]),
            pause(0.05),
            send(LOG_STATE[30:] + b"\r\n" + SHOW_NODE[MSM_B:] + LOG_SYNC + b"\r\nXCM8810.3 # "),
        ],
        on_log=seen.append,
    )
    session.connect(Deadline(10))
    result = session.run("show node", timeout=5)
    assert result.output == NODE_TEXT
    assert result.log_lines == (LOG_STATE.decode(), LOG_SYNC.decode())
    assert seen == [LOG_STATE.decode(), LOG_SYNC.decode()]
    assert player.error is None


def test_error_line_sets_failed_and_check_raises(console_device):
    error = b"Error: Backup MSM is not in sync with the master. Use \"run msm-failover force\" to override."
    session, player = console_device(
        login_steps()
        + command("run msm-failover", error + b"\r\n", 3)
        + command("show nonsense", b"     ^\r\n%% Invalid input detected at '^' marker.\r\n", 4)
    )
    session.connect(Deadline(10))
    result = session.run("run msm-failover", timeout=5)
    assert result.failed and result.error == error.decode()
    with pytest.raises(CommandError, match="Invalid input") as info:
        session.run("show nonsense", timeout=5, check=True)
    assert info.value.result.failed
    assert player.error is None


def test_reboot_during_command_then_wait_for_login(console_device):
    session, player = console_device(
        login_steps()
        + [expect("reboot\r"), send(b"reboot\r\nAre you sure you want to reboot the switch? (y/N) "),
           expect("y\r"), send(b"y\r\n\r\nRebooting ...\r\n"), pause(0.3)]
        + [send(b"NETGEAR XCM8800 BootROM 1.0.1.3\r\nStarting primary image 12.4.2.8 ...\r\n"),
           pause(0.3), send(b"\r\nlogin: ")]
        + login_steps()[2:]
    )
    session.nudge_after = 0.1
    session.connect(Deadline(10))
    result = session.run("reboot", timeout=5, expect_reboot=True)
    assert result.rebooted and result.prompt is None and not session.logged_in
    assert "Rebooting" not in result.output
    prompt = session.wait_for_login(Deadline(10))
    assert prompt.counter == 2 and session.logged_in
    after_reboot = player.received.split(b"reboot\ry\r", 1)[1]
    assert after_reboot.startswith(b"admin\r")  # nothing typed while it was booting
    assert player.error is None


def test_unexpected_reboot_raises_device_rebooted(console_device):
    session, player = console_device(
        login_steps() + [expect("show node\r"), send(b"show node\r\nRebooting ...\r\n")]
    )
    session.connect(Deadline(10))
    with pytest.raises(DeviceRebooted, match="expect_reboot"):
        session.run("show node", timeout=5)
    assert player.error is None


def test_garbage_times_out_with_the_tail_and_what_was_expected(console_device):
    session, player = console_device([expect(b"\r"), send(b"\x00\xff~~garbage~~ s3cret-pw %$#\r\n" * 3)])
    started = time.monotonic()
    with pytest.raises(Timeout) as info:
        session.connect(Deadline(0.8))
    assert time.monotonic() - started < 1.5
    message = str(info.value)
    assert "garbage" in message and "login:" in message and "s3cret-pw" not in message


def test_silence_after_command_times_out_at_the_deadline(console_device):
    session, player = console_device(login_steps() + [expect("show node\r"), pause(3)])
    session.connect(Deadline(10))
    started = time.monotonic()
    with pytest.raises(Timeout, match="show node"):
        session.run("show node", timeout=0.5)
    assert 0.45 < time.monotonic() - started < 1.0


def test_a_command_that_hangs_is_on_disk_while_the_session_waits(console_device):
    session, player = console_device(login_steps() + [expect("show node\r"), send(b"show node\r\n"), pause(3)])
    session.connect(Deadline(10))
    waiting = threading.Thread(target=lambda: pytest.raises(Timeout, session.run, "show node", timeout=2))
    waiting.start()
    try:
        path, deadline = session.transcript.path, Deadline(1.5)
        while "| show node" not in path.read_text():  # what a killed run would leave
            assert not deadline.expired, "the hung command was not on disk while the session waited"
            time.sleep(0.01)
        assert waiting.is_alive()
    finally:
        waiting.join()


def test_hangup_is_connection_lost(console_device):
    session, player = console_device(login_steps() + [expect("show node\r"), hangup()])
    session.connect(Deadline(10))
    with pytest.raises(ConnectionLost):
        session.run("show node", timeout=5)


def test_password_question_inside_a_command_is_answered_by_the_caller(console_device):
    session, player = console_device(
        login_steps()
        + [expect("configure account admin\r"), send(b"configure account admin\r\npassword: "),
           expect("n3w-Secret\r"), send(b"\r\nReenter password: "),
           expect("n3w-Secret\r"), send(b"\r\nXCM8810.3 # ")]
    )
    session.connect(Deadline(10))
    session.transcript.add_secret("n3w-Secret")
    result = session.run("configure account admin", timeout=5, answers={r"[Pp]assword: ": "n3w-Secret"})
    assert result.prompt.counter == 3 and session.logged_in and not result.rebooted
    assert player.error is None
    assert "n3w-Secret" not in session.transcript.text()


def test_reconnect_after_a_reboot_whose_login_prompt_was_flushed(tmp_path):
    boot = [send(b"NETGEAR XCM8800 BootROM 1.0.1.3\r\nStarting primary image 12.4.2.8 ...\r\n\r\nlogin: ")]
    player, path = pty_device(
        login_steps()
        + [expect("reboot\r"), send(b"reboot\r\nAre you sure you want to reboot the switch? (y/N) "),
           expect("y\r"), send(b"y\r\n\r\nRebooting ...\r\n")]
        + boot
        + login_steps()  # the reopened console gets \r, shows login: again
    )
    session = CliSession(SerialTransport(path), password=PASSWORD)
    try:
        session.connect(Deadline(10))
        assert session.run("reboot", timeout=5, expect_reboot=True).rebooted
        time.sleep(0.2)  # let the boot text reach the console buffer, which reopening flushes
        assert session.reconnect(Deadline(10)).counter == 2
        assert player.error is None
    finally:
        session.transport.close()
        player.stop()


def test_reboot_while_idle_is_followed_by_a_new_login(console_device):
    session, player = console_device(
        login_steps()
        + command("show node", SHOW_NODE, 3)
        + [pause(0.3), send(b"\r\nRebooting ...\r\n"), pause(0.2),
           send(b"NETGEAR XCM8800 BootROM 1.0.1.3\r\nStarting primary image 12.4.2.8 ...\r\n"), pause(0.2),
           send(b"\r\nlogin: ")]
        + login_steps()[2:]
        + command("show node", SHOW_NODE, 3)
    )
    session.connect(Deadline(10))
    session.run("show node", timeout=5)
    time.sleep(0.6)  # the reboot happens while the session is idle
    result = session.run("show node", timeout=10)
    assert result.output == NODE_TEXT and not result.rebooted
    assert session.relogins == 1
    assert player.error is None


def test_run_needs_a_connected_session(console_device):
    session, player = console_device(login_steps() + logout_steps())
    with pytest.raises(ConnectionLost, match="call connect"):
        session.run("show node")
    session.connect(Deadline(10))
    session.close()
    assert player.error is None
    with pytest.raises(ConnectionLost, match="call connect"):
        session.run("show node")


def test_prompt_then_reboot_in_one_chunk_keeps_the_result(console_device):
    boot = b"\r\nRebooting ...\r\nNETGEAR XCM8800 BootROM 1.0.1.3\r\n\r\nlogin: "
    session, player = console_device(
        login_steps()
        + [expect("show node\r"), send(b"show node\r\n" + SHOW_NODE + b"XCM8810.3 # " + boot)]
        + login_steps()[2:]
    )
    session.connect(Deadline(10))
    result = session.run("show node", timeout=5)
    assert result.output == NODE_TEXT and result.prompt.counter == 3 and not result.rebooted
    assert not session.logged_in
    assert session.wait_for_login(Deadline(10)).counter == 2  # the login prompt was kept for it
    assert player.error is None
