"""A serial line served as a pty and as a raw TCP port (like ser2net): what every console of the
emulator (a live MSM's, a replayed one's) shares.

The TCP port takes one client at a time (ser2net's default): a second one waits up to a second
for the port (a client reconnecting), then is told the port is in use and closed, so no other
local process can type into a session logged in there; the pty and the TCP client both see the
output. Output never blocks the event loop: it waits for a pty reader that is reading, and is
dropped for a reader that stopped (like bytes on a serial line nobody listens to).
"""

from __future__ import annotations

import asyncio
import os
import termios
import time
import tty
from typing import cast

TELNET_HELLO = b"\xff\xfb\x01\xff\xfb\x03"  # IAC WILL ECHO, IAC WILL SUPPRESS-GO-AHEAD
PTY_STALE_AFTER = 1.0  # seconds a full pty waits for its reader before its output is old news
#: What a second TCP client of a console port reads before it is closed (ser2net's default: one
#: client a port), so no local process can type into the session logged in there.
PORT_IN_USE = b"\r\nPort already in use by another client; this console takes one at a time.\r\n"
ATTACH_WAIT, ATTACH_POLL = 1.0, 0.05  # seconds a newcomer waits for the port's client to leave
TCP_BACKLOG = 1 << 20  # output a TCP client (or the pty) has not taken yet beyond this is dropped


class SerialLine:
    """A pty and a TCP port carrying one line; subclasses say what the line does with input
    (:meth:`feed`) and what it shows once it is up (:meth:`on_start`)."""

    def __init__(self, telnet: bool = False):
        self.telnet = telnet  # TCP clients are told "server echoes" (for an interactive telnet)
        self.clients: set[asyncio.Transport] = set()
        self.master_fd = self.slave_fd = -1
        self.pty_name = ""
        self.server: asyncio.base_events.Server | None = None
        self.port = 0
        self._pty_out = bytearray()  # what the pty did not take yet
        self._pty_waiting = False  # for the pty reader to make room
        self._pty_read_at = 0.0  # when the pty reader last made room

    async def start(self, bind: str = "127.0.0.1", port: int = 0) -> None:
        """Open the pty and the TCP port, then :meth:`on_start`."""
        loop = asyncio.get_running_loop()
        self.master_fd, self.slave_fd = os.openpty()
        tty.setraw(self.slave_fd)
        os.set_blocking(self.master_fd, False)
        self.pty_name = os.ttyname(self.slave_fd)
        loop.add_reader(self.master_fd, self._pty_readable)
        self.on_start(loop)
        self.server = await loop.create_server(lambda: _LineClient(self), bind, port)
        self.port = self.server.sockets[0].getsockname()[1]
        self.on_ready()

    def on_start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Before the TCP port opens (e.g. start pacing)."""

    def on_ready(self) -> None:
        """Once the line is up (e.g. show ``login:``)."""

    def feed(self, data: bytes) -> None:
        """Input from the pty or the TCP client."""
        raise NotImplementedError

    async def stop(self) -> None:
        """Close the TCP port, its client and the pty."""
        if self.server:
            self.server.close()
        for client in list(self.clients):
            client.close()
        if self.server:
            await self.server.wait_closed()
        if self.master_fd >= 0:
            loop = asyncio.get_running_loop()
            loop.remove_reader(self.master_fd)
            loop.remove_writer(self.master_fd)
            os.close(self.master_fd)
            os.close(self.slave_fd)
            self.master_fd = self.slave_fd = -1

    def _pty_readable(self) -> None:
        try:
            data = os.read(self.master_fd, 4096)
        except OSError:  # nothing to read after all (EAGAIN, EINTR) or the pty went away
            return
        self.feed(data)

    def deliver(self, data: bytes) -> None:
        """Hand output to the pty and the TCP client, dropping what a stalled reader cannot take."""
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


class _LineClient(asyncio.Protocol):
    """One TCP client of a line: raw bytes, plus a telnet hello when the line asks."""

    def __init__(self, line: SerialLine):
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
        if self._admitted and self.transport is not None:
            self.line.clients.discard(self.transport)
