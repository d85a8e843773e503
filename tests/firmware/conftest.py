"""Firmware tests: a TFTP server serving a temporary folder, and images built into it."""

import pytest

from harness.firmware.images import build_image
from harness.firmware.tftp import TftpServer


@pytest.fixture
def tftp(tmp_path):
    """A harness TFTP server on loopback (a free port) serving ``tmp_path / "served"``."""
    server = TftpServer(tmp_path / "served").start()
    yield server
    server.stop()


@pytest.fixture
def image(tftp):
    """A function that builds a small emulator image in the served folder; returns its name."""
    def make(version: str = "12.4.3.9", platform: str = "XCM8800", size: int = 64 * 1024,
             name: str | None = None) -> str:
        name = name or f"{platform.lower()}-{version}.xos"
        build_image(tftp.root / name, version, platform, size)
        return name
    return make
