"""labgrid's own coordinator and two virtual chassis exported to it by ``hil virtual --export``
(real processes on 127.0.0.1, free ports), shared by the tests of a module."""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

PLACES = ("vc-lg1", "vc-lg2")
TAGS = "model=xcm8810"
STARTUP = 60.0  # seconds for a coordinator or an export to come up on a busy machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bin_path(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def read_until(child: subprocess.Popen, text: str, seconds: float) -> str:
    """The child's stdout up to the line holding ``text``; fails the test on the deadline."""
    assert child.stdout is not None, "read_until reads a child started with stdout=PIPE"
    end, seen = time.monotonic() + seconds, b""
    selector = selectors.DefaultSelector()
    selector.register(child.stdout, selectors.EVENT_READ)
    try:
        while text.encode() not in seen:
            left = end - time.monotonic()
            if left <= 0 or child.poll() is not None and not selector.select(0):
                pytest.fail(f"no {text!r} within {seconds:g} s; got: {seen.decode(errors='replace')[-2000:]}")
            if selector.select(min(left, 1.0)):
                chunk = os.read(child.stdout.fileno(), 65536)
                if not chunk and child.poll() is not None:
                    continue
                seen += chunk
    finally:
        selector.close()
    return seen.decode(errors="replace")


def stop(child: subprocess.Popen, sig: int = signal.SIGINT) -> None:
    if child.poll() is None:
        child.send_signal(sig)
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(5)


@dataclass
class Lab:
    """A coordinator and its exported virtual chassis."""

    address: str
    folder: Path
    log: Path

    def client(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """``labgrid-client -x ADDRESS ARGS``, as a lab engineer types it."""
        return subprocess.run(
            [bin_path("labgrid-client"), "-x", self.address, *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=check,
        )

    def who(self) -> str:
        return self.client("who").stdout

    def testbed(self, folder: Path, place: str = PLACES[0]) -> Path:
        path = folder / "testbed.yaml"
        path.write_text(
            "chassis:\n"
            f"  {place}:\n"
            "    type: real\n"
            f"    labgrid: {{place: {place}}}\n"
            '    credentials: {username: admin, password: ""}\n'
            # the lab's own host keys: the user's file would pin every emulator that ever listened
            # on a loopback port, and a later one on the same port (another key) would be refused
            f"    known_hosts: {self.folder / 'known_hosts'}\n"
        )
        return path

    def hil_run(self, folder: Path, *args: str) -> subprocess.Popen:
        """``hil run`` from its own working folder (as another host would), output to a pipe."""
        folder.mkdir(parents=True, exist_ok=True)
        return subprocess.Popen(
            [sys.executable, "-m", "harness.cli", "run", "--lg-coordinator", self.address, *args],
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    folder = tmp_path_factory.mktemp("labgrid")
    address = f"127.0.0.1:{free_port()}"
    log = folder / "coordinator.log"
    coordinator = subprocess.Popen(
        [bin_path("labgrid-coordinator"), "-l", address],
        cwd=folder,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),  # its log lines as they happen
        stdout=open(log, "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    exports = []
    try:
        deadline = time.monotonic() + STARTUP
        while True:
            try:
                socket.create_connection(("127.0.0.1", int(address.rsplit(":", 1)[1])), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or coordinator.poll() is not None:
                    pytest.fail(f"labgrid-coordinator did not listen on {address}: {log.read_text()[-1000:]}")
                time.sleep(0.1)
        for place in PLACES:
            child = subprocess.Popen(
                [sys.executable, "-m", "harness.cli", "virtual", "--export", "--lg-coordinator", address]
                + ["--place", place, "--lg-tags", TAGS, "--", "--speed", "250", "--name", place.replace("-", "")],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                cwd=folder,  # its reports/virtual.log is the lab's, not the checkout's
            )
            exports.append(child)
            read_until(child, f"exported as labgrid place {place}", STARTUP)
        yield Lab(address, folder, log)
    finally:
        for child in exports:
            stop(child)
        stop(coordinator, signal.SIGTERM)
