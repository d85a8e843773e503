"""Firmware tests: the repository root (and the emulator test helpers) importable, and a TFTP
server serving a temporary folder."""

import sys
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[2])
VC_HELPERS = str(Path(__file__).resolve().parents[1] / "virtual_chassis")   # Bench, Capture
for folder in (ROOT, VC_HELPERS):
    if folder not in sys.path:
        sys.path.insert(0, folder)

from harness.images import build_image  # noqa: E402
from harness.tftp import TftpServer  # noqa: E402


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
