"""The TFTP path: the harness's server (tftpy in a thread) and the emulator's client, over real
UDP on loopback."""

import hashlib
import os
import socket
import threading

import pytest

from harness.firmware.tftp import TftpServer, TftpServerError
from virtual_chassis.cli.tftp_client import TftpFailed, fetch


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("blksize", [None, 1468])
def test_the_emulator_fetches_exactly_the_served_file(tftp, image, tmp_path, blksize):
    name = image(size=200_000)
    got = fetch("127.0.0.1", name, tmp_path / "got.xos", tftp.port, blksize=blksize)
    assert got == (tftp.root / name).stat().st_size
    assert digest(tmp_path / "got.xos") == digest(tftp.root / name)


def test_a_file_missing_on_the_server_is_not_found_and_leaves_nothing(tftp, tmp_path):
    with pytest.raises(TftpFailed) as caught:
        fetch("127.0.0.1", "nope.xos", tmp_path / "got.xos", tftp.port)
    assert caught.value.kind == "not found" and '"nope.xos"' in str(caught.value)
    assert not (tmp_path / "got.xos").exists()


def test_nothing_outside_the_served_folder_is_handed_out(tftp, tmp_path):
    (tmp_path / "secret.txt").write_text("not for the switch")
    with pytest.raises(TftpFailed) as caught:
        fetch("127.0.0.1", "../secret.txt", tmp_path / "got", tftp.port, timeout=0.5, retries=1)
    assert caught.value.kind == "error"
    assert not (tmp_path / "got").exists()


def test_a_silent_server_times_out(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:   # bound, never answers
        silent.bind(("127.0.0.1", 0))
        with pytest.raises(TftpFailed) as caught:
            fetch("127.0.0.1", "x.xos", tmp_path / "got", silent.getsockname()[1], timeout=0.2, retries=1)
    assert caught.value.kind == "timeout" and "did not answer" in str(caught.value)


def test_a_cancelled_transfer_stops_and_removes_its_file(tftp, image, tmp_path):
    name = image(size=100_000)
    cancelled = threading.Event()
    cancelled.set()
    with pytest.raises(TftpFailed) as caught:
        fetch("127.0.0.1", name, tmp_path / "got.xos", tftp.port, cancelled)
    assert caught.value.kind == "cancelled" and not (tmp_path / "got.xos").exists()


def test_the_server_stops_and_a_second_stop_is_harmless(tmp_path):
    server = TftpServer(tmp_path / "served").start()
    assert server.running and server.port > 0
    server.stop()
    server.stop()
    assert not server.running


def test_an_address_that_is_not_this_hosts_says_which_key_to_fix(tmp_path):
    with pytest.raises(TftpServerError, match="not an address of this host.*firmware.tftp_address"):
        TftpServer(tmp_path, "192.0.2.7", 0).start()


def test_a_port_in_use_is_named(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        with pytest.raises(TftpServerError, match="in use"):
            TftpServer(tmp_path, "127.0.0.1", taken.getsockname()[1]).start()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may bind port 69")
def test_the_privileged_port_says_how_to_get_it(tmp_path):
    with pytest.raises(TftpServerError, match="privileged"):
        TftpServer(tmp_path, "127.0.0.1", 69).start()


def test_a_folder_named_relative_to_the_run_serves_its_files_and_its_links(tmp_path, monkeypatch):
    """A run serves ``reports/tftp/<chassis>`` relative to where it started, with links into the
    image cache: tftpy compares absolute paths with its root, so a relative root refused every
    file (the firmware plans all failed with 'download failed', TFTP error 4)."""
    monkeypatch.chdir(tmp_path)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "image.xos").write_bytes(b"XOS" * 1000)
    served = tmp_path / "reports" / "tftp" / "lab1"
    served.mkdir(parents=True)
    (served / "image.xos").symlink_to(cache / "image.xos")
    with TftpServer("reports/tftp/lab1") as server:
        size = fetch("127.0.0.1", "image.xos", tmp_path / "fetched", port=server.port)
    assert size == 3000 and (tmp_path / "fetched").read_bytes() == b"XOS" * 1000
