"""Helpers for the virtual chassis tests: a model bench, output capture, the emulator process
and raw console clients (TCP socket, pty). Nothing here imports the drivers."""

from __future__ import annotations

import asyncio
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import termios
import time
import tty
from pathlib import Path
from typing import IO

from virtual_chassis.cli.session import CliSession
from virtual_chassis.model.chassis import Chassis, Notice
from virtual_chassis.model.clock import Clock, Durations

ROOT = Path(__file__).resolve().parents[2]
FAST = Durations()  # real durations; the speed factor makes them short
PROMPT = rb"(?:\* )?(?:! )?[\w.-]+\.\d+ [#>] "


class Bench:
    """A chassis model on its own event loop, with waits driven by the model's notices."""

    def __init__(self, speed: float = 10000.0, durations: Durations = FAST, **chassis_args):
        self.loop = asyncio.new_event_loop()
        self.clock = Clock(self.loop, speed, durations)
        self.chassis = Chassis(self.clock, **chassis_args)
        self.notices: list[Notice] = []
        self.chassis.subscribe(self.notices.append)

    def state(self, msm: str) -> str:
        m = self.chassis.msm(msm)
        return self.chassis.display_state(m) if m.powered else "OFF"

    def wait(self, predicate, timeout: float = 5.0, what: str = "condition") -> None:
        """Run the loop until ``predicate()`` holds (checked at every model notice)."""
        async def waiter() -> None:
            done = asyncio.Event()

            def check(_notice=None) -> None:
                if predicate():
                    done.set()

            self.chassis.subscribe(check)
            try:
                check()
                await asyncio.wait_for(done.wait(), timeout)
            except TimeoutError:
                raise AssertionError(f"{what} not reached within {timeout} s; states: "
                                     f"{self.state('A')} / {self.state('B')}") from None
            finally:
                self.chassis.unsubscribe(check)

        self.loop.run_until_complete(waiter())

    def wait_states(self, a: str, b: str, timeout: float = 5.0) -> None:
        self.wait(lambda: (self.state("A"), self.state("B")) == (a, b), timeout, f"states {a} / {b}")

    def run_for(self, real_seconds: float) -> None:
        """Let ``real_seconds`` of chassis time pass (to show that nothing happens)."""
        self.loop.run_until_complete(asyncio.sleep(self.clock.scaled(real_seconds)))

    def events(self, msm: str) -> list[tuple[str, str, str]]:
        name = self.chassis.msm(msm).name
        return [(e["from"], e["to"], e["what"]) for e in self.chassis.events if e["msm"] == name]

    def close(self) -> None:
        self.clock.close()
        self.loop.close()


class Capture:
    """A CLI session with its output collected as text."""

    def __init__(self, chassis: Chassis, msm: str = "MSM-A", username: str = "admin",
                 privilege: str = "admin", **kwargs):
        self.raw = bytearray()
        self.exited = False
        self.session = CliSession(chassis, msm, username, privilege, self.raw.extend,
                                  on_exit=self._exit, **kwargs)

    def _exit(self) -> None:
        self.exited = True

    def start(self) -> str:
        self.session.start()
        return self.take()

    def take(self) -> str:
        text = self.raw.decode()
        self.raw.clear()
        return text

    def type(self, data: str | bytes) -> str:
        self.session.feed(data.encode() if isinstance(data, str) else data)
        return self.take()

    def command(self, line: str) -> str:
        return self.type(line + "\r")


# --- the emulator as a process -----------------------------------------------------------------

class Emulator:
    """``python -m virtual_chassis`` as a child; ``endpoints`` is its first JSON line."""

    def __init__(self, *args: str, env: dict | None = None, timeout: float = 20.0):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "virtual_chassis", *args], cwd=ROOT, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
        assert self.proc.stdout is not None and self.proc.stderr is not None  # both are PIPEs
        self.out: IO[bytes] = self.proc.stdout
        self.err: IO[bytes] = self.proc.stderr
        self.lines = self._read_lines(timeout)
        self.endpoints = json.loads(self.lines[0])

    def _read_lines(self, timeout: float) -> list[str]:
        deadline = time.monotonic() + timeout
        buffer = b""
        fd = self.out.fileno()
        while b"\n" not in buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self.stop()
                raise AssertionError(f"emulator printed no JSON line within {timeout} s")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise AssertionError(f"emulator exited: {self.err.read().decode()}")
            buffer += chunk
        return buffer.decode().splitlines()

    def read_more_lines(self, count: int, timeout: float = 10.0) -> list[str]:
        deadline = time.monotonic() + timeout
        buffer = "\n".join(self.lines).encode() + b"\n"
        fd = self.out.fileno()
        while buffer.count(b"\n") < count:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise AssertionError(f"expected {count} JSON lines")
            buffer += os.read(fd, 65536)
        self.lines = buffer.decode().splitlines()
        return self.lines

    def console_address(self, msm: str) -> tuple[str, int]:
        host, port = self.endpoints["consoles"][msm]["tcp"][len("socket://"):].rsplit(":", 1)
        return host, int(port)

    def control(self):
        from virtual_chassis.protocol import ControlClient
        c = self.endpoints["control"]
        return ControlClient(c["host"], c["port"], c["token"])

    def stop(self, timeout: float = 10.0) -> int:
        if self.out.closed:
            return self.proc.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("emulator did not stop on SIGTERM") from None
        self.stderr_text = self.err.read().decode(errors="replace")
        self.out.close()
        self.err.close()
        return self.proc.returncode

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class RawConsole:
    """Expect-style reader over a file descriptor (a TCP socket or a pty)."""

    def __init__(self, fd: int, closer):
        self.fd = fd
        self._closer = closer
        self.buffer = b""
        self.seen = b""

    @classmethod
    def tcp(cls, address: tuple[str, int]) -> RawConsole:
        sock = socket.create_connection(address, timeout=5)
        sock.setblocking(False)
        return cls(sock.fileno(), sock.close)

    @classmethod
    def pty(cls, path: str) -> RawConsole:
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(fd)
        attrs = termios.tcgetattr(fd)
        assert not attrs[3] & termios.ECHO
        termios.tcflush(fd, termios.TCIFLUSH)
        return cls(fd, lambda: os.close(fd))

    def send(self, data: str | bytes) -> None:
        os.write(self.fd, data.encode() if isinstance(data, str) else data)

    def expect(self, pattern: str | bytes, timeout: float = 10.0) -> re.Match:
        """Read until ``pattern`` matches; consume up to the end of the match."""
        regex = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        deadline = time.monotonic() + timeout
        while True:
            match = regex.search(self.buffer)
            if match:
                self.seen += self.buffer[:match.end()]
                self.buffer = self.buffer[match.end():]
                return match
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise AssertionError(f"{pattern!r} not seen within {timeout} s; got {self.buffer[-600:]!r}")
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise AssertionError(f"console closed while waiting for {pattern!r}")
            self.buffer += chunk

    def login(self, username: str = "admin", password: str = "") -> None:
        self.send("\r")
        self.expect(rb"login: $|login: ")
        self.send(username + "\r")
        self.expect(b"password: ")
        self.send(password + "\r")
        self.expect(rb"\.1 [#>] ")

    def command(self, line: str, timeout: float = 10.0) -> str:
        """Run a command at the prompt; returns its output (between the echo and the next prompt)."""
        self.send(line + "\r")
        self.expect(re.escape(line).encode() + b"\r\n", timeout)
        start = len(self.seen)
        match = self.expect(PROMPT, timeout)
        return self.seen[start:len(self.seen) - len(match.group())].decode(errors="replace")

    def close(self) -> None:
        self._closer()
