"""SshTransport (the real OpenSSH client) and CliSession against a real asyncssh server."""

from __future__ import annotations

import socket
import threading
import time

import asyncssh
import pytest

from drivers import (
    CliSession,
    ConnectionFailed,
    ConnectionLost,
    Deadline,
    DeviceRebooted,
    HostKeyChanged,
    LoginFailed,
    SshTransport,
    Transcript,
)
from drivers.transports.ssh import DEFAULT_KNOWN_HOSTS
from tests.drivers.drv_fakes import BANNER, SshDevice, command, expect, hangup, pause, send

PASSWORD = "s3cret-pw"


def shell(*steps, counter=1):
    """An SSH shell: banner and prompt at once, then ``disable clipaging``, then ``steps``."""
    return [send(BANNER + b"XCM8810.%d # " % counter), *command("disable clipaging", b"", counter + 1), *steps]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def device():
    made = []

    def make(*scripts, password=PASSWORD):
        made.append(SshDevice(list(scripts), password=password))
        return made[-1]

    yield make
    for each in made:
        each.close()


@pytest.fixture
def transcript(tmp_path):
    t = Transcript(tmp_path / "ssh.log", secrets=[PASSWORD])
    yield t
    t.close()
    assert t.path is not None  # the fixture gave it a file
    assert PASSWORD not in t.path.read_text()


def transport(dev, tmp_path, transcript=None, password=PASSWORD, **kw):
    return SshTransport("127.0.0.1", dev.port, "admin", password, known_hosts=tmp_path / "known_hosts",
                        transcript=transcript, **kw)


def test_command_line_keeps_user_config_and_pins_host_keys(tmp_path):
    argv = SshTransport("sw1", 2222, "admin", "pw", known_hosts=tmp_path / "kh",
                        ssh_options=("-J", "jump")).command(7.2)
    line = " ".join(argv)
    assert argv[0] == "ssh" and argv[-1] == "sw1" and "-tt" in argv
    assert f"UserKnownHostsFile={tmp_path / 'kh'}" in line
    assert "StrictHostKeyChecking=accept-new" in line and "NumberOfPasswordPrompts=1" in line
    assert "ConnectTimeout=8" in line and "-J jump" in line
    assert "-F" not in argv and "pw" not in argv and "StrictHostKeyChecking=no" not in line
    default = " ".join(SshTransport("sw1").command())
    assert f"UserKnownHostsFile={DEFAULT_KNOWN_HOSTS}" in default and "-p 22 -l admin" in default


def test_session_over_ssh_logs_in_and_runs(device, tmp_path, transcript):
    dev = device(shell(*command("show node", b"Node        State\r\nMSM-A       MASTER\r\n", 3)))
    session = CliSession(transport(dev, tmp_path, transcript), password=PASSWORD)
    started = time.monotonic()
    prompt = session.connect(Deadline(15))
    assert prompt.counter == 2
    result = session.run("show node", timeout=5)
    assert result.output == "Node        State\nMSM-A       MASTER"
    session.close()
    assert time.monotonic() - started < 5
    assert not session.transport.is_open
    assert dev.players[0].error is None
    key = dev.host_key.export_public_key("openssh").decode().split()[1]
    assert key in (tmp_path / "known_hosts").read_text()  # trusted on first use


def test_a_long_output_over_ssh_arrives_whole_and_in_order(device, tmp_path, transcript):
    lines = [b"configure ports 1:%d display-string port-%05d" % (n % 48 + 1, n) for n in range(3000)]
    body = b"\r\n".join(lines) + b"\r\n"  # ~140 KB: dozens of 4 KiB pty pieces, read a few at a time
    dev = device(shell(*command("show configuration", body, 3)))
    session = CliSession(transport(dev, tmp_path, transcript), password=PASSWORD)
    session.connect(Deadline(15))
    try:
        result = session.run("show configuration", timeout=15)
    finally:
        session.close()
    assert result.output.encode().split(b"\n") == lines


def test_pre_login_banner_then_password(device, tmp_path, transcript):
    dev = device(shell(*command("show node", b"MSM-A       MASTER\r\n", 3)))
    dev.banner = "Authorized use only.\r\nAll sessions are logged.\r\n"
    session = CliSession(transport(dev, tmp_path, transcript), password=PASSWORD)
    session.connect(Deadline(15))
    assert session.run("show node", timeout=5).output == "MSM-A       MASTER"
    assert "Authorized use only." in transcript.text()
    session.close()
    assert dev.players[0].error is None


def test_key_based_login_needs_no_password(device, tmp_path):
    key = asyncssh.generate_private_key("ssh-ed25519")
    key.write_private_key(tmp_path / "id_lab")
    (tmp_path / "id_lab").chmod(0o600)  # OpenSSH ignores keys others can read
    dev = device(shell())
    dev.client_key = key
    link = transport(dev, tmp_path, password="", ssh_options=("-i", str(tmp_path / "id_lab"), "-o", "IdentitiesOnly=yes"))
    session = CliSession(link)
    assert session.connect(Deadline(15)).counter == 2
    session.close()
    assert dev.players[0].error is None


def test_wrong_password_is_login_failed_naming_user_and_host(device, tmp_path, transcript):
    dev = device(password="the-right-one")
    with pytest.raises(LoginFailed) as info:
        transport(dev, tmp_path, transcript).open(Deadline(15))
    message = str(info.value)
    assert "'admin'" in message and f"127.0.0.1:{dev.port}" in message and PASSWORD not in message


def test_changed_host_key_names_the_known_hosts_line(device, tmp_path):
    dev = device(shell())
    someone_else = asyncssh.generate_private_key("ssh-ed25519").export_public_key("openssh").decode()
    known = tmp_path / "known_hosts"
    known.write_text(f"# lab hosts\n[127.0.0.1]:{dev.port} {someone_else.strip()}\n")
    with pytest.raises(HostKeyChanged) as info:
        transport(dev, tmp_path).open(Deadline(15))
    message = str(info.value)
    assert f"line 2 of {known}" in message and "ssh-keygen -R" in message
    assert isinstance(info.value, ConnectionFailed)
    assert dev.players == []  # never authenticated


def test_refused_port_is_connection_failed(tmp_path):
    port = free_port()
    started = time.monotonic()
    with pytest.raises(ConnectionFailed, match="refused") as info:
        SshTransport("127.0.0.1", port, known_hosts=tmp_path / "kh").open(Deadline(10))
    assert not isinstance(info.value, HostKeyChanged)
    assert time.monotonic() - started < 5


def test_server_that_closes_at_once_is_connection_failed(tmp_path):
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.settimeout(10)

    def slam() -> None:
        conn, _ = server.accept()
        conn.close()

    threading.Thread(target=slam, daemon=True).start()
    try:
        with pytest.raises(ConnectionFailed):
            SshTransport("127.0.0.1", port, known_hosts=tmp_path / "kh").open(Deadline(10))
    finally:
        server.close()


def test_dropped_connection_during_command(device, tmp_path, transcript):
    dev = device(
        shell(expect("run msm-failover\r"), send(b"run msm-failover\r\n"), pause(0.1), hangup()),
        shell(*command("show node", b"MSM-B       MASTER\r\n", 3)),
    )
    session = CliSession(transport(dev, tmp_path, transcript), password=PASSWORD)
    session.connect(Deadline(15))
    result = session.run("run msm-failover", timeout=5, expect_reboot=True)
    assert result.rebooted and not session.logged_in and not session.transport.is_open
    assert session.run("show node", timeout=15).output == "MSM-B       MASTER"  # reconnected first
    assert session.relogins == 1 and "logging in again" in transcript.text()
    session.close()
    with pytest.raises(ConnectionLost, match="call connect"):
        session.run("show node")
    assert [p.error for p in dev.players] == [None, None]


def test_dropped_connection_without_expect_reboot_raises(device, tmp_path):
    dev = device(shell(expect("show node\r"), hangup()))
    session = CliSession(transport(dev, tmp_path), password=PASSWORD)
    session.connect(Deadline(15))
    with pytest.raises(DeviceRebooted):
        session.run("show node", timeout=5)


def test_reconnect_retries_until_the_server_answers(tmp_path):
    port = free_port()
    servers = []
    timer = threading.Timer(0.6, lambda: servers.append(SshDevice([shell()], port=port)))
    timer.start()
    try:
        session = CliSession(SshTransport("127.0.0.1", port, password=PASSWORD, known_hosts=tmp_path / "kh"))
        started = time.monotonic()
        assert session.reconnect(Deadline(10)).counter == 2
        assert 0.5 < time.monotonic() - started < 5
        session.close()
    finally:
        timer.join()
        for server in servers:
            server.close()


def test_reconnect_gives_up_at_the_deadline(tmp_path):
    session = CliSession(SshTransport("127.0.0.1", free_port(), password=PASSWORD, known_hosts=tmp_path / "kh"))
    started = time.monotonic()
    with pytest.raises(ConnectionFailed, match="could not reconnect within 1.5s.*refused"):
        session.reconnect(Deadline(1.5))
    assert 1.4 < time.monotonic() - started < 2.5


def test_read_after_remote_exit_is_connection_lost(device, tmp_path):
    dev = device([send(b"bye\r\n"), hangup()])
    link = transport(dev, tmp_path)
    link.open(Deadline(15))
    deadline = Deadline(5)
    with pytest.raises(ConnectionLost):
        while not deadline.expired:
            link.read(deadline.remaining())
    assert not link.is_open
    link.close()
