"""A scripted fake XCM8800 for driver tests: plays a script over a real pty, TCP socket or SSH.

The script is a list of steps: ``expect(regex)`` waits for the harness to send matching
bytes, ``send(bytes)`` writes device output, ``pause(s)`` keeps the device silent and
``hangup()`` closes the line. The player records the first deviation in ``error``; tests
assert it is None after the session is done.
"""

from __future__ import annotations

import asyncio
import errno
import os
import pty
import re
import select
import socket
import threading
import time
from dataclasses import dataclass

import asyncssh

BANNER = (
    b"\r\n\r\nXCM8800\r\nCopyright (C) 2011 NETGEAR, Inc. All rights reserved.\r\n"
    + b"=" * 78
    + b"\r\n\r\nPress the <tab> or '?' key at any time for completions.\r\n"
    b"Remember to save your configuration changes.\r\n\r\n"
)
PAGER = b"Press <SPACE> to continue or <Q> to quit:"
PAGER_ERASE = b"\r" + b" " * len(PAGER) + b"\r"
LOG_SYNC = b"11/25/2026 10:40:01.23 <Info:DM.Info> MSM-A: Backup MSM-B is in sync with the master"
LOG_STATE = b"11/25/2026 10:40:00.07 <Noti:DM.Notice> MSM-A: Node MSM-B changed state from INIT to BACKUP"


@dataclass(frozen=True)
class Step:
    kind: str
    data: bytes = b""
    seconds: float = 0.0


def expect(pattern: bytes | str) -> Step:
    """Wait until the harness sent bytes matching ``pattern`` (a regex; str is escaped)."""
    return Step("expect", re.escape(pattern.encode()) if isinstance(pattern, str) else pattern)


def send(data: bytes) -> Step:
    return Step("send", data)


def pause(seconds: float) -> Step:
    return Step("pause", seconds=seconds)


def hangup() -> Step:
    return Step("hangup")


def login_steps(password: str = "s3cret-pw", counter: int = 1, name: bytes = b"XCM8810") -> list[Step]:
    """Console: the harness presses Enter, logs in, and disables paging."""
    return [
        expect(b"\r"),
        send(b"\r\nlogin: "),
        expect("admin\r"),
        send(b"admin\r\npassword: "),
        expect(f"{password}\r"),
        send(b"\r\n" + BANNER + name + b".%d # " % counter),
        *command("disable clipaging", b"", counter + 1, name),
    ]


def logout_steps(name: bytes = b"XCM8810") -> list[Step]:
    """Console: the harness types ``exit``; the device returns to ``login:``."""
    return [expect("exit\r"), send(b"exit\r\n\r\nlogin: ")]


def command(text: str, output: bytes, next_counter: int, name: bytes = b"XCM8810") -> list[Step]:
    """The harness sends ``text``; the device echoes it, prints ``output`` and the prompt."""
    return [
        expect(f"{text}\r"),
        send(text.encode() + b"\r\n" + output + name + b".%d # " % next_counter),
    ]


class _Line:
    """The device side of one link: a pty master, a socket or one end of a socketpair."""

    def __init__(self, fd: int | None = None, sock: socket.socket | None = None):
        self.fd, self.sock = fd, sock
        self.keep_open: int | None = None

    def fileno(self) -> int:
        return self.sock.fileno() if self.sock is not None else self._fd()

    def _fd(self) -> int:
        if self.fd is None:
            raise OSError(errno.EBADF, "the line is closed")
        return self.fd

    def read(self) -> bytes:
        try:
            return self.sock.recv(65536) if self.sock is not None else os.read(self._fd(), 65536)
        except OSError:
            return b""

    def write(self, data: bytes) -> None:
        if self.sock is not None:
            self.sock.sendall(data)
        else:
            os.write(self._fd(), data)

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()
        elif self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.keep_open is not None:
            os.close(self.keep_open)
            self.keep_open = None


class ScriptPlayer(threading.Thread):
    """Plays ``script`` on a line; ``received`` holds everything the harness sent."""

    def __init__(self, script: list[Step], step_timeout: float = 5.0):
        super().__init__(daemon=True)
        self.script = list(script)
        self.step_timeout = step_timeout
        self.received = b""
        self.error: str | None = None
        self.line: _Line | None = None
        self.ready = threading.Event()
        self._halt = threading.Event()

    def attach(self, line: _Line) -> None:
        self.line = line
        self.ready.set()

    def run(self) -> None:
        if not self.ready.wait(self.step_timeout):
            self.error = "nobody connected"
            return
        assert self.line is not None  # ready is set only by attach()
        consumed = 0
        for index, step in enumerate(self.script):
            if step.kind == "send":
                self.line.write(step.data)
            elif step.kind == "pause":
                self._pump(time.monotonic() + step.seconds)
            elif step.kind == "hangup":
                self.line.close()
                return
            else:
                consumed = self._expect(index, step, consumed)
                if consumed < 0:
                    return
        self._pump(time.monotonic() + self.step_timeout)

    def _expect(self, index: int, step: Step, consumed: int) -> int:
        pattern = re.compile(step.data)
        end = time.monotonic() + self.step_timeout
        while True:
            match = pattern.search(self.received, consumed)
            if match:
                return match.end()
            if time.monotonic() >= end or self._halt.is_set() or not self._read(end - time.monotonic()):
                self.error = f"step {index}: expected {step.data!r}, got {self.received[consumed:]!r}"
                return -1

    def _pump(self, until: float) -> None:
        """Keep reading (the device stays silent) until ``until`` or the line closes."""
        while time.monotonic() < until and not self._halt.is_set():
            if not self._read(until - time.monotonic()):
                return

    def _read(self, timeout: float) -> bool:
        assert self.line is not None  # called from run() after attach()
        try:
            ready = select.select([self.line], [], [], max(0.0, min(timeout, 0.2)))[0]
        except (OSError, ValueError):
            return False
        if not ready:
            return not self._halt.is_set()
        data = self.line.read()
        if not data:
            return False
        self.received += data
        return True

    def stop(self) -> None:
        self._halt.set()
        self.join(2)
        if self.line is not None:
            self.line.close()


def pty_device(script: list[Step], **kw) -> tuple[ScriptPlayer, str]:
    """A fake device on a real pty: returns the player and the console URL (``/dev/pts/N``)."""
    master, slave = pty.openpty()
    path = os.ttyname(slave)
    player = ScriptPlayer(script, **kw)
    line = _Line(fd=master)
    line.keep_open = slave  # with no slave open, reads on the master fail with EIO
    player.attach(line)
    player.start()
    return player, path


def tcp_device(script: list[Step], **kw) -> tuple[ScriptPlayer, str]:
    """A fake device behind a raw TCP port (ser2net style): returns player and ``socket://`` URL."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    player = ScriptPlayer(script, **kw)

    def accept() -> None:
        server.settimeout(player.step_timeout)
        try:
            conn, _ = server.accept()
        except OSError:
            return
        finally:
            server.close()
        player.attach(_Line(sock=conn))

    threading.Thread(target=accept, daemon=True).start()
    player.start()
    return player, f"socket://127.0.0.1:{port}"


class SshDevice:
    """A real asyncssh server on 127.0.0.1 whose shell sessions play a script each.

    ``scripts`` is consumed one per accepted shell session; ``password`` is required.
    """

    def __init__(self, scripts: list[list[Step]], username: str = "admin", password: str = "s3cret-pw",
                 port: int = 0, banner: str = "", client_key: asyncssh.SSHKey | None = None):
        self.scripts = list(scripts)
        self.players: list[ScriptPlayer] = []
        self._sockets: list[socket.socket] = []
        self.username, self.password = username, password
        self.banner, self.client_key = banner, client_key
        self.loop = asyncio.new_event_loop()
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.server = asyncio.run_coroutine_threadsafe(self._listen(port), self.loop).result(10)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _listen(self, port: int):
        device = self

        class Server(asyncssh.SSHServer):
            def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
                self.conn = conn

            def begin_auth(self, username: str) -> bool:
                if device.banner:
                    self.conn.send_auth_banner(device.banner)
                return True

            def public_key_auth_supported(self) -> bool:
                return device.client_key is not None

            def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
                return (
                    username == device.username
                    and device.client_key is not None
                    and key.public_data == device.client_key.public_data
                )

            def password_auth_supported(self) -> bool:
                return True

            def validate_password(self, username: str, password: str) -> bool:
                return username == device.username and password == device.password

        return await asyncssh.create_server(
            Server, "127.0.0.1", port, server_host_keys=[self.host_key],
            process_factory=self._shell, encoding=None, line_editor=False,
        )

    async def _shell(self, process: asyncssh.SSHServerProcess) -> None:
        ours, theirs = socket.socketpair()
        self._sockets.append(ours)
        player = ScriptPlayer(self.scripts.pop(0) if self.scripts else [hangup()])
        player.attach(_Line(sock=theirs))
        self.players.append(player)
        player.start()
        reader = asyncio.get_running_loop()
        ours.setblocking(False)

        async def pump_in() -> None:
            try:
                while True:
                    data = await process.stdin.read(65536)
                    if not data:
                        break
                    await reader.sock_sendall(ours, data)
            except (OSError, asyncssh.Error):
                pass

        feeder = asyncio.ensure_future(pump_in())
        try:
            while True:
                data = await reader.sock_recv(ours, 65536)
                if not data:
                    break
                process.stdout.write(data)
        except OSError:
            pass
        feeder.cancel()
        process.exit(0)

    def close(self) -> None:
        for player in self.players:
            player.stop()
        self.server.close()
        asyncio.run_coroutine_threadsafe(self.server.wait_closed(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        for sock in self._sockets:
            sock.close()
        self.loop.close()
