"""TFTP is read-only: a real write request (tftpy's client uploading) for the name of the lab's
release image gets a TFTP error, and the release file outside the served folder is unchanged."""

from __future__ import annotations

import hashlib
import os
import select
import socket
import struct
import time

import pytest
import tftpy

from harness.firmware.images import build_image
from harness.firmware.setup import FirmwareLab, FirmwareSettings
from harness.firmware.tftp import TftpServer, TftpServerDied, TftpServerError
from harness.firmware.tftp_loop import BUSY_MESSAGE, MAX_PER_HOST, MAX_SESSIONS, TransferLoop
from harness.testbed.firmware import FirmwareSpec

VERSION = "12.4.3.9"


def test_a_write_request_for_the_release_image_is_refused_and_the_release_unchanged(tmp_path):
    release = tmp_path / "lab-releases" / f"xcm8800-{VERSION}.xos"
    release.parent.mkdir()
    build_image(release, VERSION, size=64 * 1024)
    before = hashlib.sha256(release.read_bytes()).hexdigest()
    spec = FirmwareSpec(tftp_address="127.0.0.1", image=release, version=VERSION)
    lab = FirmwareLab(FirmwareSettings("127.0.0.1", 0, spec, build=False), tmp_path / "served").start()
    try:
        source = lab.release(state=None)  # type: ignore[arg-type]  # a testbed image: the state is not read
        assert source.file == release.name
        (tmp_path / "evil.xos").write_bytes(b"not an image" * 1000)
        client = tftpy.TftpClient("127.0.0.1", lab.server.port)
        with pytest.raises(tftpy.TftpException) as refused:
            client.upload(source.file, str(tmp_path / "evil.xos"), timeout=2, retries=1)
        assert "Access violation" in str(refused.value) or "access" in str(refused.value).lower()
        with pytest.raises(tftpy.TftpException):
            client.upload("new-file.xos", str(tmp_path / "evil.xos"), timeout=2, retries=1)
        client.download(source.file, str(tmp_path / "read-back.xos"), timeout=2, retries=1)
    finally:
        lab.stop()
    assert hashlib.sha256(release.read_bytes()).hexdigest() == before
    assert (tmp_path / "read-back.xos").read_bytes() == release.read_bytes()
    assert not (tmp_path / "served" / "new-file.xos").exists()


@pytest.mark.parametrize("address", ["0.0.0.0", "::", ""])
def test_the_server_never_binds_every_address(tmp_path, address):
    with pytest.raises(TftpServerError, match="every address"):
        TftpServer(tmp_path, address).start()


def _rrq(name: str) -> bytes:
    return struct.pack("!H", 1) + name.encode() + b"\0octet\0"


def _flood(port: int, name: str, sources: list[str], count: int) -> list[socket.socket]:
    """``count`` read requests, each from its own UDP socket (a new transfer), never ACKed."""
    sockets = []
    for i in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((sources[i % len(sources)], 0))
        sock.sendto(_rrq(name), ("127.0.0.1", port))
        sockets.append(sock)
        if i % 20 == 19:
            time.sleep(0.01)  # paced a little, so the kernel drops none of them on a busy machine
    return sockets


def _answers(sockets: list[socket.socket], seconds: float = 5.0) -> tuple[int, int]:
    """How many flood sockets got the busy ERROR packet, and how many got a data block."""
    busy = data = 0
    deadline = time.monotonic() + seconds
    pending = list(sockets)
    while pending and time.monotonic() < deadline:
        ready, _, _ = select.select(pending[:900], [], [], 0.2)
        for sock in ready:
            packet = sock.recv(1024)
            pending.remove(sock)
            if packet[:2] == b"\x00\x05" and BUSY_MESSAGE.encode() in packet:
                busy += 1
            elif packet[:2] == b"\x00\x03":
                data += 1
        if not ready and busy + data >= len(sockets) - 1:
            break
    return busy, data


def _descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_a_flood_of_read_requests_that_never_ack_is_refused_and_the_server_stays(tmp_path):
    """~600 real RRQs over UDP from one host (past the 1,023 descriptors of select() with the old
    server, whose thread died): all but a bounded few get a TFTP ERROR, descriptors stay bounded,
    and a real download from another address works during the flood."""
    image = tmp_path / "served" / "xcm8800-12.4.3.9.xos"
    image.parent.mkdir()
    build_image(image, VERSION, size=64 * 1024)
    server = TftpServer(image.parent).start()
    before = _descriptors()
    flood = _flood(server.port, image.name, ["127.0.0.2"], 600)
    try:
        busy, data = _answers(flood)
        assert data <= MAX_PER_HOST and busy >= 500, (busy, data)  # a few may be dropped by the kernel
        assert server.running and server.refused >= busy
        server.check()
        # the flood holds at most its bound: 2 descriptors (socket, file) per transfer, plus ours
        assert _descriptors() - before - len(flood) <= 2 * MAX_SESSIONS + 4
        got = tmp_path / "got.xos"
        tftpy.TftpClient("127.0.0.1", server.port).download(image.name, str(got), timeout=2, retries=2)
        assert got.read_bytes() == image.read_bytes()
    finally:
        for sock in flood:
            sock.close()
        server.stop()


def test_a_flood_from_many_hosts_is_held_to_the_session_bound(tmp_path):
    image = tmp_path / "served" / "img.xos"
    image.parent.mkdir()
    image.write_bytes(b"x" * 4096)
    server = TftpServer(image.parent).start()
    before = _descriptors()
    flood = _flood(server.port, image.name, [f"127.0.{i // 250}.{2 + i % 250}" for i in range(300)], 600)
    try:
        busy, data = _answers(flood)
        # a few requests may be dropped by the kernel (the socket's buffer is full): unanswered
        assert data <= MAX_SESSIONS and busy >= 500, (busy, data)
        assert server.running
        assert _descriptors() - before - len(flood) <= 2 * MAX_SESSIONS + 4
    finally:
        for sock in flood:
            sock.close()
        server.stop()


def test_a_server_that_died_is_its_own_verdict_not_the_release(tmp_path, monkeypatch):
    """The serving thread ends by a fault inside it: the next image asked for (and a download
    refused meanwhile) names the TFTP server, not the image."""
    spec = FirmwareSpec(tftp_address="127.0.0.1", image=None, version=None)
    lab = FirmwareLab(FirmwareSettings("127.0.0.1", 0, spec, build=True), tmp_path / "served", cache=tmp_path / "c")
    lab.start()
    try:

        def fail(self, selector):
            raise MemoryError("out of memory in the receive loop")

        monkeypatch.setattr(TransferLoop, "_resend_or_drop", fail)
        tftpy.TftpClient("127.0.0.1", lab.server.port)  # nothing: the loop meets the fault at its next turn
        deadline = time.monotonic() + 10
        while lab.server.running and time.monotonic() < deadline:
            time.sleep(0.05)
        with pytest.raises(TftpServerDied) as died:
            lab.image_of("12.4.3.9")
        message = str(died.value)
        assert "TFTP server" in message and "MemoryError" in message and "not because of the image" in message
        assert len(message.splitlines()) == 1
    finally:
        lab.stop()
