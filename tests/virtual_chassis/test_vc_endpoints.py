"""End to end: ``python -m virtual_chassis`` as a process, reached over its TCP consoles, ptys,
control channel and management SSH (the system OpenSSH client under pexpect, and asyncssh)."""

import asyncio
import json
import os
import random
import re
import time
from pathlib import Path

import asyncssh
import pexpect
import pytest

from tests.virtual_chassis.vc_helpers import PROMPT, Emulator, RawConsole
from virtual_chassis.protocol import ControlClient, ControlError

SPEED = "1000"


@pytest.fixture
def emulator():
    """An emulator of its own, for a test that changes the chassis or a console's login state."""
    with Emulator("--speed", SPEED) as e:
        yield e
        assert e.proc.poll() is None, "emulator died during the test"


@pytest.fixture(scope="module")
def shared_emulator():
    """One emulator for the tests that leave it as they found it (each on its own endpoint:
    the JSON line, management SSH, the backup's pty console): one start instead of four."""
    with Emulator("--speed", SPEED) as e:
        yield e
        assert e.proc.poll() is None, "emulator died during the tests"


def wait_for(predicate, timeout=10.0, what="condition"):
    """Poll the control channel (a separate process has no notices to wait on)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s")
        time.sleep(0.02)


def ssh_spawn(emulator, tmp_path, user="admin"):
    port = emulator.endpoints["ssh"]["port"]
    return pexpect.spawn(
        "ssh", ["-p", str(port), "-o", f"UserKnownHostsFile={tmp_path / 'known_hosts'}",
                "-o", "StrictHostKeyChecking=accept-new", "-o", "PubkeyAuthentication=no",
                "-o", "BatchMode=no", "-tt", f"{user}@127.0.0.1"], timeout=15)


def ssh_login(emulator, tmp_path, password="", user="admin"):
    child = ssh_spawn(emulator, tmp_path, user)
    child.expect(r"password: ")
    child.sendline(password)
    child.expect(rb"\.1 [#>] ")
    return child


def ssh_command(child, line):
    child.send(line + "\r")
    child.expect(re.escape(line) + r"\r\n")
    child.expect(PROMPT)
    return child.before.decode()


def test_json_line_describes_every_endpoint(shared_emulator):
    e = shared_emulator.endpoints
    assert e["name"] == "XCM8810" and e["username"] == "admin" and "password" not in e  # never printed
    assert e["ssh"]["host"] == "127.0.0.1" and e["ssh"]["port"] > 0
    for msm in ("MSM-A", "MSM-B"):
        assert re.fullmatch(r"socket://127\.0\.0\.1:\d+", e["consoles"][msm]["tcp"])
        assert os.path.exists(e["consoles"][msm]["pty"])
    assert len(e["control"]["token"]) >= 32


def test_tcp_console_login_and_show_switch(emulator):
    console = RawConsole.tcp(emulator.console_address("MSM-A"))
    try:
        console.send("\r")
        console.expect("login: ")
        console.send("admin\rbad\r")
        console.expect("Login incorrect\r\nlogin: ")
        console.login()
        console.command("disable clipaging")
        out = console.command("show switch")
        assert re.search(r"Slot:\s+MSM-A \*\s+MSM-B", out)
        assert re.search(r"Current State:\s+MASTER\s+BACKUP \(In Sync\)", out)
        assert "Press <SPACE>" not in out
    finally:
        console.close()


def test_console_session_survives_a_client_disconnect(emulator):
    first = RawConsole.tcp(emulator.console_address("MSM-A"))
    first.login()
    first.close()
    second = RawConsole.tcp(emulator.console_address("MSM-A"))
    try:
        out = second.command("show node")
        assert "MSM-A       MASTER" in out
    finally:
        second.close()


def test_pty_console_of_the_backup(shared_emulator):
    console = RawConsole.pty(shared_emulator.endpoints["consoles"]["MSM-B"]["pty"])
    try:
        console.login()
        console.send("show switch\r")
        console.expect(r"Slot:\s+MSM-A\s+MSM-B \*")
        console.expect(r"Press <SPACE> to continue or <Q> to quit:")
        console.send(" ")
        console.expect(r"Config Booted:")
        console.expect(PROMPT)
        assert "Error: This command can only be executed on Master." in console.command("create vlan x")
        console.send("exit\r")
        console.expect("login: ")
    finally:
        console.close()


def test_control_channel_power_and_token(emulator):
    control = emulator.control()
    status = control.status()
    assert status["master"] == "MSM-A" and status["msms"]["MSM-B"]["in_sync"]
    c = emulator.endpoints["control"]
    with pytest.raises(ControlError, match="token"):
        ControlClient(c["host"], c["port"], "0" * 32).power("MSM-B", "off")
    assert control.status()["msms"]["MSM-B"]["powered"]
    console = RawConsole.tcp(emulator.console_address("MSM-B"))
    try:
        control.backup_down()
        console.send("\r")
        with pytest.raises(AssertionError, match="not seen"):
            console.expect("login: ", timeout=0.5)  # powered off: silent and deaf
        control.power("MSM-B", "on")
        console.expect(r"NETGEAR XCM8800 BootROM 1\.0\.1\.3")
        console.expect("login: ")
        wait_for(lambda: control.status()["msms"]["MSM-B"]["in_sync"], what="MSM-B back in sync")
        assert any(e["to"] == "BACKUP (In Sync)" for e in control.events(since=0))
    finally:
        console.close()


def test_ssh_failover_end_to_end(emulator, tmp_path):
    console_a = RawConsole.tcp(emulator.console_address("MSM-A"))
    console_a.login()
    child = ssh_login(emulator, tmp_path)
    try:
        ssh_command(child, "disable clipaging")
        out = ssh_command(child, "show switch")
        assert re.search(r"Slot:\s+MSM-A \*", out) and "BACKUP (In Sync)" in out
        child.send("run msm-failover\r")
        child.expect(pexpect.EOF)  # management SSH is dropped when the master changes
        console_a.expect(r"Rebooting \.\.\.")
        console_a.expect(r"NETGEAR XCM8800 BootROM")
        console_a.expect(r"Starting primary image 12\.4\.2\.8 \.\.\.")
        console_a.expect(r"\r\n\r\nlogin: ")
        again = ssh_login(emulator, tmp_path)
        ssh_command(again, "disable clipaging")
        out = ssh_command(again, "show switch")
        assert re.search(r"Slot:\s+MSM-A\s+MSM-B \*", out)
        assert re.search(r"Current State:\s+\S+.*\s+MASTER", out)
        control = emulator.control()
        wait_for(lambda: control.status()["msms"]["MSM-A"]["in_sync"], what="MSM-A back in sync")
        assert re.search(r"Current State:\s+BACKUP \(In Sync\)\s+MASTER", ssh_command(again, "show switch"))
        again.send("exit\r")
        again.expect(pexpect.EOF)
    finally:
        child.close()
        console_a.close()


def test_ssh_read_only_user_and_wrong_password(shared_emulator, tmp_path):
    child = ssh_login(shared_emulator, tmp_path, user="user")
    try:
        assert "Permission denied" in ssh_command(child, "create vlan x")
    finally:
        child.close()
    bad = ssh_spawn(shared_emulator, tmp_path)
    try:
        bad.expect("password: ")
        bad.sendline("wrong")
        assert bad.expect(["password: ", rb"\.1 # "]) == 0
    finally:
        bad.close()


def test_ssh_closed_at_once_while_there_is_no_master(emulator, tmp_path):
    control = emulator.control()
    control.power("MSM-B", "off")
    control.power("MSM-A", "off")
    started = time.monotonic()
    child = ssh_spawn(emulator, tmp_path)
    try:
        index = child.expect([pexpect.EOF, "password: "])
        assert index == 0 and time.monotonic() - started < 5
    finally:
        child.close()
    control.power("MSM-A", "on")
    wait_for(lambda: control.status()["master"] == "MSM-A", what="MSM-A master again")
    ssh_login(emulator, tmp_path).close()


def test_asyncssh_exec_and_shell_without_pty(shared_emulator):
    port = shared_emulator.endpoints["ssh"]["port"]

    async def run():
        async with asyncssh.connect("127.0.0.1", port, username="admin", password="",
                                    known_hosts=None) as conn:
            result = await asyncio.wait_for(conn.run("show node"), 10)
            assert isinstance(result.stdout, str)  # the connection's default encoding: utf-8
            assert result.stdout.replace("\r\n", "\n").startswith("Node        State")
            assert "MSM-A       MASTER" in result.stdout
            result = await asyncio.wait_for(conn.run(input="show version\nexit\n"), 10)
            assert isinstance(result.stdout, str)
            assert "IMG: 12.4.2.8" in result.stdout and "show version" not in result.stdout  # no echo
            assert "XCM8810.1 # \r\nChassis      :" in result.stdout  # output starts on its own line
        with pytest.raises(asyncssh.PermissionDenied):
            await asyncssh.connect("127.0.0.1", port, username="admin", password="nope", known_hosts=None)

    asyncio.run(run())


def test_garbage_on_a_console_does_not_hurt_the_emulator(emulator):
    console = RawConsole.tcp(emulator.console_address("MSM-A"))
    try:
        rng = random.Random(1)
        for _ in range(20):
            console.send(bytes(rng.randrange(256) for _ in range(5000)))
        console.send("\x03\r")
        console.login()
        assert "MSM-A       MASTER" in console.command("show node")
    finally:
        console.close()


def test_password_from_environment_and_several_chassis(tmp_path):
    with Emulator("--count", "2", "--speed", SPEED, env={"XCM_VIRTUAL_PASSWORD": "s3cret"}) as e:
        lines = e.read_more_lines(2)
        names = [json.loads(line)["name"] for line in lines]
        assert names == ["XCM8810-1", "XCM8810-2"]
        console = RawConsole.tcp(e.console_address("MSM-A"))
        try:
            console.send("\radmin\r\r")
            console.expect("Login incorrect")
            console.login(password="s3cret")
        finally:
            console.close()
    assert e.proc.returncode == 0
    assert "s3cret" not in e.stderr_text and "XCM8810-2" in e.stderr_text


def test_telnet_mode_consoles_announce_server_echo():
    with Emulator("--speed", SPEED, "--telnet", "--duration", "boot=30") as e:
        console = RawConsole.tcp(e.console_address("MSM-B"))
        try:
            console.expect(re.escape(b"\xff\xfb\x01\xff\xfb\x03"))
            console.send(b"\xff\xfd\x01\xff\xfd\x03")  # what a telnet client answers
            console.login()
            assert "MSM-B       BACKUP" in console.command("show node")
        finally:
            console.close()


def test_bad_options_are_refused():
    import subprocess
    import sys
    for args in (["--speed", "0"], ["--version-a", "12.4"], ["--duration", "nap=3"],
                 ["--count", "2", "--ssh-port", "2222"]):
        done = subprocess.run([sys.executable, "-m", "virtual_chassis", *args], capture_output=True,
                              timeout=20, cwd=Path(__file__).resolve().parents[2])
        assert done.returncode == 2 and done.stdout == b"", args
