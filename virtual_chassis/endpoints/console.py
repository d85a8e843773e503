"""The serial console of one MSM, served as a pty and as a raw TCP port (like ser2net).

The console session belongs to the line, as on a real serial port: clients may come and go, and
the session stays logged in between them. The TCP port takes one client at a time (ser2net's
default): a second one waits up to a second for the port (a client reconnecting), then is told
the port is in use and closed, so no other local process can type into a session logged in
there; the pty and the TCP client both see the output. After every boot
the line shows boot text, then ``login: ``; a powered-off MSM's console is silent and deaf.
Output never blocks the event loop: it waits for a pty reader that is reading, and is dropped
for a reader that stopped (like bytes on a serial line nobody listens to). With a ``baud``
rate the output leaves at that line rate (:mod:`.pacing`).
"""

from __future__ import annotations

import asyncio
import os
import termios
import time
import tty
from typing import cast

from ..cli import outputs
from ..cli.login import Accounts, LoginDialog
from ..cli.session import CliSession
from ..model.chassis import Chassis, Notice
from .pacing import PacedOutput

TELNET_HELLO = b"\xff\xfb\x01\xff\xfb\x03"  # IAC WILL ECHO, IAC WILL SUPPRESS-GO-AHEAD
PTY_STALE_AFTER = 1.0  # seconds a full pty waits for its reader before its output is old news
#: What a second TCP client of a console port reads before it is closed (ser2net's default: one
#: client a port), so no local process can type into the session logged in there.
PORT_IN_USE = b"\r\nPort already in use by another client; this console takes one at a time.\r\n"
ATTACH_WAIT, ATTACH_POLL = 1.0, 0.05  # seconds a newcomer waits for the port's client to leave
TCP_BACKLOG = 1 << 20  # output a TCP client (or the pty) has not taken yet beyond this is dropped


class ConsoleLine:
    """Console of MSM ``msm_name``: phase ``off``, ``silent``, ``booting``, ``login`` or ``session``."""

    def __init__(self, chassis: Chassis, msm_name: str, accounts: Accounts, telnet: bool = False, baud: int = 0):
        self.chassis = chassis
        self.baud = baud  # 0: as fast as the reader takes it
        self.telnet = telnet  # TCP clients are told "server echoes" (for an interactive telnet)
        self.msm_name = msm_name
        self.accounts = accounts
        self.phase = "login"
        self.login: LoginDialog | None = None
        self.session: CliSession | None = None
        self.clients: set[asyncio.Transport] = set()
        self.master_fd = self.slave_fd = -1
        self.pty_name = ""
        self.server: asyncio.base_events.Server | None = None
        self.port = 0
        self._batch: bytearray | None = None
        self._pty_out = bytearray()  # what the pty did not take yet
        self._pty_waiting = False  # for the pty reader to make room
        self._pty_read_at = 0.0  # when the pty reader last made room
        self._paced: PacedOutput | None = None
        chassis.subscribe(self.on_notice)

    # --- endpoints --------------------------------------------------------------------------

    async def start(self, bind: str = "127.0.0.1", port: int = 0) -> None:
        """Open the pty and the TCP port, then show ``login:``."""
        loop = asyncio.get_running_loop()
        self.master_fd, self.slave_fd = os.openpty()
        tty.setraw(self.slave_fd)
        os.set_blocking(self.master_fd, False)
        self.pty_name = os.ttyname(self.slave_fd)
        loop.add_reader(self.master_fd, self._pty_readable)
        if self.baud:
            self._paced = PacedOutput(loop, self.baud, self._deliver)
        self.server = await loop.create_server(lambda: _ConsoleClient(self), bind, port)
        self.port = self.server.sockets[0].getsockname()[1]
        self._new_login()

    async def stop(self) -> None:
        self.chassis.unsubscribe(self.on_notice)
        if self._paced:
            self._paced.close()
        if self.session:
            self.session.close()
        if self.server:
            self.server.close()
        for client in list(self.clients):
            client.close()
        if self.server:
            await self.server.wait_closed()
        if self.master_fd >= 0:
            asyncio.get_running_loop().remove_reader(self.master_fd)
            asyncio.get_running_loop().remove_writer(self.master_fd)
            os.close(self.master_fd)
            os.close(self.slave_fd)
            self.master_fd = self.slave_fd = -1

    def _pty_readable(self) -> None:
        try:
            data = os.read(self.master_fd, 4096)
        except OSError:  # nothing to read after all (EAGAIN, EINTR) or the pty went away
            return
        self.feed(data)

    def write(self, data: bytes) -> None:
        """Send output to the line (paced at ``baud`` when set)."""
        if self._batch is not None:
            self._batch += data
            return
        data = self.chassis.faults.noisy(self.msm_name, data)
        if self._paced is not None:
            self._paced.send(data)
        else:
            self._deliver(data)

    def _deliver(self, data: bytes) -> None:
        """Hand output to the pty and every TCP client, dropping what a stalled reader cannot take."""
        if self.master_fd >= 0:
            self._write_pty(data)
        for client in list(self.clients):
            if not client.is_closing() and client.get_write_buffer_size() < TCP_BACKLOG:
                client.write(data)

    def _write_pty(self, data: bytes) -> None:
        if self._pty_out and time.monotonic() - self._pty_read_at > PTY_STALE_AFTER:
            termios.tcflush(self.slave_fd, termios.TCIFLUSH)  # nobody reads: old news
            self._pty_out.clear()
        if len(self._pty_out) + len(data) > TCP_BACKLOG:
            return
        blocked = bool(self._pty_out)
        self._pty_out += data
        if not blocked:
            self._pty_flush()

    def _pty_flush(self) -> None:
        """Move queued output into the pty; when it is full, wait until the reader makes room."""
        try:
            del self._pty_out[: os.write(self.master_fd, self._pty_out)]
        except BlockingIOError:
            pass
        except OSError:  # the pty went away
            self._pty_out.clear()
        waiting = bool(self._pty_out)
        if waiting != self._pty_waiting:
            self._pty_waiting, self._pty_read_at = waiting, time.monotonic()
            loop = asyncio.get_running_loop()
            if waiting:
                loop.add_writer(self.master_fd, self._pty_room)
            else:
                loop.remove_writer(self.master_fd)

    def _pty_room(self) -> None:
        """The pty reader took output: pass on more."""
        self._pty_read_at = time.monotonic()
        self._pty_flush()

    # --- the line ---------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Input from any client of the line (its echo and output leave in one write)."""
        self._batch = bytearray()
        try:
            self._feed(data)
        finally:
            batch, self._batch = self._batch, None
            if batch:
                self.write(bytes(batch))

    def _feed(self, data: bytes) -> None:
        if self.phase == "login" and self.login:
            rest = self.login.feed(data)
            if rest and self.phase == "session" and self.session:
                self.session.feed(rest)
        elif self.phase == "session" and self.session:
            self.session.feed(data)

    def _new_login(self, pending_aaa: bool = False) -> None:
        self.phase = "login"
        self.login = LoginDialog(self.accounts, self.write, self._logged_in, pending_aaa)
        self.login.start()

    def _after_boot(self) -> None:
        """``login:``, or ``(pending-AAA) login:`` until AAA starts (a fault delays it)."""
        seconds = self.chassis.faults.pending_aaa()
        self._new_login(pending_aaa=seconds > 0)
        if seconds > 0:
            msm = self.chassis.msms[self.msm_name]
            self.chassis.clock.after(seconds, self._aaa_available, msm.epoch)

    def _aaa_available(self, epoch: int | None = None) -> None:
        msm = self.chassis.msms[self.msm_name]
        if (epoch is None or msm.epoch == epoch) and self.phase == "login" and self.login:
            self.login.aaa_available()

    def _logged_in(self, username: str, privilege: str) -> None:
        self.phase = "session"
        self.session = CliSession(
            self.chassis, self.msm_name, username, privilege, self.write, on_exit=self._logged_out
        )
        if self.login is not None:
            self.session.editor.continue_from(self.login.editor)
        self.login = None
        self.session.start()

    def _logged_out(self) -> None:
        self.session = None
        self._new_login()

    def _end_session(self, phase: str) -> None:
        if self.session:
            self.session.close()
        self.session = self.login = None
        self.phase = phase

    def on_notice(self, notice: Notice) -> None:
        """Follow the MSM: reboots, boot text, power, log lines."""
        if notice.kind == "faults_cleared":
            self._aaa_available()
            return
        if notice.kind == "log":
            if self.msm_name in notice.data["consoles"]:
                d = notice.data
                self._log(
                    outputs.log_line(d["t"], d["severity"], d["component"], notice.msm or self.msm_name, d["text"])
                )
            return
        if notice.msm != self.msm_name:
            return
        if notice.kind == "rebooting":
            self._end_session("silent")
            self.write(b"\r\nRebooting ...\r\n")
        elif notice.kind == "power_off":
            self._end_session("off")
        elif notice.kind == "booting":
            self._end_session("booting")
            lines = outputs.boot_text(notice.data["partition"], notice.data["version"])
            self.write("".join(f"{line}\r\n" for line in lines).encode())
        elif notice.kind == "ready":
            self._after_boot()

    def _log(self, line: str) -> None:
        if self.phase == "session" and self.session:
            self.session.insert_line(line)
        elif self.phase == "login" and self.login:
            self.write(f"\r\n{line}\r\n".encode() + self.login.redisplay())


class _ConsoleClient(asyncio.Protocol):
    """One TCP client of a console line: raw bytes, plus a telnet hello when the line asks."""

    def __init__(self, line: ConsoleLine):
        self.line = line
        self.transport: asyncio.Transport | None = None
        self._admitted = False
        self._waited = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # a TCP server's connections are Transports
        self._waited = 0.0
        self._admit()

    def _admit(self) -> None:
        """Take the port when it is free; a client that reconnects may arrive before its old
        connection's end is seen, so a newcomer waits up to ``ATTACH_WAIT`` for the port."""
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        if not any(not client.is_closing() for client in self.line.clients):
            if self._waited:
                transport.resume_reading()
            if self.line.telnet:
                transport.write(TELNET_HELLO)
            self.line.clients.add(transport)
            self._admitted = True
            return
        if self._waited >= ATTACH_WAIT:
            # one client a port, as ser2net's default: nobody types into a session logged in there
            transport.write(PORT_IN_USE)
            transport.close()
            return
        if not self._waited:
            transport.pause_reading()
        self._waited += ATTACH_POLL
        asyncio.get_running_loop().call_later(ATTACH_POLL, self._admit)

    def data_received(self, data: bytes) -> None:
        if self._admitted:
            self.line.feed(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._admitted:
            self.line.clients.discard(self.transport)
