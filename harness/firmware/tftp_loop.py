"""The TFTP server's receive loop: tftpy's transfer contexts, a bounded number of them at once.

tftpy's own ``TftpServer.listen`` keeps every session a client opens (two descriptors each:
its socket and the open file) and waits with ``select()``: ~520 read requests that never ACK
(anyone on the management network) pass 1,023 descriptors, ``select()`` raises and the server
thread dies. This loop serves at most :data:`MAX_SESSIONS` transfers at once and
:data:`MAX_PER_HOST` for one client address; a request past either gets a TFTP ERROR packet
at once (no descriptor is opened for it). It waits with :mod:`selectors` (epoll), which has no
descriptor ceiling, and each transfer still ends after tftpy's resends.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading
import time

from tftpy.TftpContexts import TftpContextServer
from tftpy.TftpShared import (
    DEF_TIMEOUT_RETRIES,
    MAX_BLKSIZE,
    TftpException,
    TftpTimeout,
    TftpTimeoutExpectACK,
)

#: Transfers served at once (a firmware plan needs one per MSM; a lab rarely more than a few).
MAX_SESSIONS = 32
#: Transfers served at once to one client address (an MSM downloads one image at a time).
MAX_PER_HOST = 4
BUSY_MESSAGE = "server busy: too many transfers at once, try again later"
#: TFTP ERROR (opcode 5), code 0 "not defined, see the message".
BUSY_PACKET = struct.pack("!HH", 5, 0) + BUSY_MESSAGE.encode() + b"\0"

Address = tuple[str, int]


class TransferLoop:
    """Serves read requests arriving on ``sock`` until :meth:`stop`; see the module docstring."""

    def __init__(self, sock: socket.socket, root: str, timeout: float, upload_open, retries: int = DEF_TIMEOUT_RETRIES):
        self.sock = sock
        self.root = root
        self.timeout = timeout
        self.upload_open = upload_open
        self.retries = retries
        self.sessions: dict[Address, TftpContextServer] = {}
        self.refused = 0
        """Requests answered with the busy ERROR packet."""
        self.stopping = threading.Event()

    def stop(self) -> None:
        """End the loop at its next wake-up (the caller sends a packet to wake it at once)."""
        self.stopping.set()

    def run(self) -> None:
        """Serve until stopped; whatever ends it otherwise propagates (the server reports it)."""
        selector = selectors.DefaultSelector()
        selector.register(self.sock, selectors.EVENT_READ, None)
        try:
            while not self.stopping.is_set():
                for key, _ in selector.select(self.timeout):
                    if self.stopping.is_set():
                        break
                    if key.data is None:
                        self._request(selector)
                    else:
                        self._traffic(selector, key.data)
                self._resend_or_drop(selector)
        finally:
            for address in list(self.sessions):
                self._end(selector, address)
            selector.close()

    def _request(self, selector: selectors.BaseSelector) -> None:
        try:
            packet, address = self.sock.recvfrom(MAX_BLKSIZE)
        except (BlockingIOError, InterruptedError, ConnectionError):
            return
        if address in self.sessions:
            return  # a request repeated while its transfer runs
        if len(self.sessions) >= MAX_SESSIONS or self._from(address[0]) >= MAX_PER_HOST:
            self.refused += 1
            with contextlib.suppress(OSError):
                self.sock.sendto(BUSY_PACKET, address)
            return
        try:
            context = TftpContextServer(
                address[0], address[1], self.timeout, self.root, None, self.upload_open, self.retries
            )
        except OSError:  # out of descriptors or buffers: refused like a request past the bound
            self.refused += 1
            with contextlib.suppress(OSError):
                self.sock.sendto(BUSY_PACKET, address)
            return
        self.sessions[address] = context
        selector.register(context.sock, selectors.EVENT_READ, address)
        try:
            context.start(packet)
        except TftpTimeoutExpectACK:
            context.timeout_expectACK = True
        except Exception:  # noqa: BLE001 - tftpy answered it, or a malformed packet: end that transfer only
            self._end(selector, address)

    def _traffic(self, selector: selectors.BaseSelector, address: Address) -> None:
        context = self.sessions.get(address)
        if context is None:
            return
        context.timeout_expectACK = False
        try:
            context.cycle()
        except TftpTimeoutExpectACK:
            context.timeout_expectACK = True
            return
        except Exception:  # noqa: BLE001 - one client's fault ends its transfer, never the server
            self._end(selector, address)
            return
        if context.state is None:  # the transfer is complete
            self._end(selector, address)

    def _resend_or_drop(self, selector: selectors.BaseSelector) -> None:
        now = time.time()
        for address, context in list(self.sessions.items()):
            try:
                context.checkTimeout(now)
            except TftpTimeout:
                context.retry_count += 1
                if context.retry_count >= context.retries or context.state is None:
                    self._end(selector, address)
                else:
                    try:
                        context.state.resendLast()
                    except Exception:  # noqa: BLE001 - a send that fails ends that transfer only
                        self._end(selector, address)

    def _from(self, host: str) -> int:
        return sum(1 for address in self.sessions if address[0] == host)

    def _end(self, selector: selectors.BaseSelector, address: Address) -> None:
        context = self.sessions.pop(address, None)
        if context is None:
            return
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(context.sock)
        with contextlib.suppress(OSError, TftpException):
            context.end()
