"""SerialTransport on real ptys, real TCP sockets and a real RFC 2217 server."""

from __future__ import annotations

import os
import pty
import socket
import threading
import time
import tty

import pytest
import serial
import serial.rfc2217

from drivers import ConnectionFailed, ConnectionLost, Deadline, SerialTransport, Transcript


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def tcp_peer():
    """``(url, accept)``: a listening port; ``accept()`` returns the device side of the link."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(5)
    yield f"socket://127.0.0.1:{server.getsockname()[1]}", lambda: server.accept()[0]
    server.close()


@pytest.fixture
def pty_peer():
    master, slave = pty.openpty()
    yield os.ttyname(slave), master
    for fd in (master, slave):
        try:
            os.close(fd)
        except OSError:
            pass


def test_missing_device_names_the_url_and_what_to_check():
    with pytest.raises(ConnectionFailed, match=r"/dev/ttyUSB97.*dialout"):
        SerialTransport("/dev/ttyUSB97").open(Deadline(2))


def test_refused_terminal_server_port():
    url = f"socket://127.0.0.1:{free_port()}"
    with pytest.raises(ConnectionFailed, match=f"{url}.*terminal server"):
        SerialTransport(url).open(Deadline(2))


def test_unknown_url_scheme():
    with pytest.raises(ConnectionFailed, match="socket://host:port"):
        SerialTransport("telnetx://sw1:23").open(Deadline(2))


def test_tcp_read_returns_as_soon_as_data_arrives(tcp_peer):
    url, accept = tcp_peer
    link = SerialTransport(url)
    link.open(Deadline(2))
    peer = accept()
    threading.Timer(0.2, peer.sendall, [b"login: "]).start()
    started = time.monotonic()
    data = b""
    while not data.endswith(b"login: "):
        data += link.read(5.0)
    assert 0.15 < time.monotonic() - started < 1.0
    started = time.monotonic()
    assert link.read(0.3) == b""  # nothing: returns at the timeout
    assert 0.25 < time.monotonic() - started < 0.6
    link.write(b"admin\r")
    peer.settimeout(2)
    assert peer.recv(100) == b"admin\r"
    peer.close()
    with pytest.raises(ConnectionLost, match=url):
        while True:
            link.read(2.0)
    assert not link.is_open


def test_tcp_close_is_fast_and_idempotent(tcp_peer):
    url, accept = tcp_peer
    link = SerialTransport(url)
    link.open(Deadline(2))
    peer = accept()
    started = time.monotonic()
    link.close()
    link.close()
    assert time.monotonic() - started < 0.1  # pyserial's socket:// close would sleep 0.3 s
    peer.settimeout(2)
    assert peer.recv(10) == b""  # the device side sees the hang-up
    peer.close()
    with pytest.raises(ConnectionLost, match="not open"):
        link.read(0.1)


def test_pty_stale_input_is_flushed_on_open(pty_peer):
    path, master = pty_peer
    slave = os.open(path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(slave)  # as an emulator sets it up: no echo
    os.close(slave)
    os.write(master, b"old boot text\r\nlogin: ")
    transcript = Transcript(None)
    link = SerialTransport(path, baudrate=115200, transcript=transcript)
    link.open(Deadline(2))
    assert link.read(0.1) == b""
    os.write(master, b"fresh")
    assert link.read(2.0) == b"fresh"
    link.write(b"\r")
    assert os.read(master, 10) == b"\r"  # raw: no \r -> \n translation
    link.close()
    assert "| fresh" in transcript.text() and "> \\r" in transcript.text()


def test_pty_hangup_is_connection_lost(pty_peer):
    path, master = pty_peer
    link = SerialTransport(path)
    link.open(Deadline(2))
    os.close(master)
    with pytest.raises(ConnectionLost):
        link.read(2.0)


class _Writer:
    """What PortManager writes telnet negotiation to."""

    def __init__(self, conn: socket.socket):
        self.write = conn.sendall


@pytest.fixture
def rfc2217_echo_server():
    """A real RFC 2217 server (pyserial's PortManager) in front of a loop:// port that echoes."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(5)
    stop = threading.Event()

    def serve() -> None:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        port = serial.serial_for_url("loop://", timeout=0.05)
        manager = serial.rfc2217.PortManager(port, _Writer(conn))
        conn.settimeout(0.05)
        while not stop.is_set():
            try:
                data = conn.recv(1024)
                if not data:
                    break
                port.write(b"".join(manager.filter(data)))
            except TimeoutError:
                pass
            echoed = port.read(port.in_waiting or 1)
            if echoed:
                conn.sendall(b"".join(manager.escape(echoed)))
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"rfc2217://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(5)
    server.close()


@pytest.mark.filterwarnings("ignore:set(Daemon|Name)\\(\\) is deprecated:DeprecationWarning")  # inside pyserial
def test_rfc2217_read_write(rfc2217_echo_server):
    link = SerialTransport(rfc2217_echo_server)
    link.open(Deadline(10))
    link.write(b"show switch\r")
    data, deadline = b"", Deadline(5)
    while data != b"show switch\r" and not deadline.expired:
        data += link.read(deadline.remaining())
    assert data == b"show switch\r"
    started = time.monotonic()
    assert link.read(0.2) == b""
    assert time.monotonic() - started < 0.5
    link.close()
