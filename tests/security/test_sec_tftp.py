"""TFTP is read-only: a real write request (tftpy's client uploading) for the name of the lab's
release image gets a TFTP error, and the release file outside the served folder is unchanged."""

from __future__ import annotations

import hashlib

import pytest
import tftpy

from harness.firmware.images import build_image
from harness.firmware.setup import FirmwareLab, FirmwareSettings
from harness.firmware.tftp import TftpServer, TftpServerError
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
        source = lab.release(state=None)
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
