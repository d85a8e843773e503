"""The harness's TFTP server: serves one folder of image files to the chassis (tftpy, in a thread).

It binds to the address the testbed says the chassis can reach (the test host's address on
the management network; loopback for a virtual chassis), never to every address, and stops at
the end of the run. tftpy checks every requested name against the folder, so nothing outside it
can be read. It is read-only: a write request (upload) gets a TFTP "access violation" error and
writes nothing, so no one on the management network can replace an image (the lab's release
files are linked into the folder and only ever opened for reading).
"""

from __future__ import annotations

import errno
import logging
import socket
import struct
import threading
from pathlib import Path

import tftpy

from drivers.deadline import Deadline
from harness.errors import HilError

TFTP_PORT = 69
#: Seconds tftpy waits for a client's ACK before it sends a block again.
RESEND_AFTER = 2.0
_WAKE = struct.pack("!HH", 5, 0) + b"stop\0"  # a TFTP ERROR packet: wakes the select loop

logging.getLogger("tftpy").setLevel(logging.CRITICAL)  # outcomes are reported by the switch's CLI


class TftpServerError(HilError):
    """The TFTP server could not start (address not on this host, port taken or privileged)."""


_WILDCARDS = ("", "0.0.0.0", "::", "*")


def _refuse_upload(path: str, context: object) -> None:
    """tftpy's upload hook: None makes it answer every write request with an access violation."""
    return None


class TftpServer:
    """``start()`` serves ``root`` on ``address:port`` (port 0: a free one); ``stop()`` ends it."""

    def __init__(self, root: str | Path, address: str = "127.0.0.1", port: int = 0):
        self.root = Path(root)
        self.address = address
        self.requested_port = port
        self._server: tftpy.TftpServer | None = None
        self._thread: threading.Thread | None = None
        self._failure: OSError | None = None

    @property
    def port(self) -> int:
        """The UDP port it listens on (known once started)."""
        return self._server.listenport if self._server is not None else self.requested_port

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, deadline: Deadline | float = 10.0) -> TftpServer:
        """Bind and serve in a daemon thread; raise :class:`TftpServerError` with the fix."""
        deadline = Deadline.of(deadline)
        if self.address.strip() in _WILDCARDS:
            raise TftpServerError(
                f"will not serve TFTP on every address ({self.address!r}); set firmware.tftp_address "
                "to the test host's address on the chassis's management network"
            )
        self.root.mkdir(parents=True, exist_ok=True)
        self._server = server = tftpy.TftpServer(str(self.root), upload_open=_refuse_upload)
        self._thread = threading.Thread(target=self._serve, args=(server,), name=f"tftp {self.address}", daemon=True)
        self._thread.start()
        while not server.is_running.wait(min(0.05, deadline.remaining())):
            if self._failure is not None or not self._thread.is_alive():
                raise TftpServerError(self._why())
            if deadline.expired:
                self.stop()
                raise TftpServerError(
                    f"TFTP server on {self.address} did not start within "
                    f"{deadline.seconds:g} s; check the address and the port"
                )
        return self

    def _serve(self, server: tftpy.TftpServer) -> None:
        try:
            server.listen(self.address, self.requested_port, timeout=RESEND_AFTER)
        except OSError as failure:
            self._failure = failure

    def _why(self) -> str:
        failure = self._failure
        where = f"{self.address}:{self.requested_port}"
        if failure is None:
            return f"TFTP server on {where} stopped at once; see the log"
        if failure.errno == errno.EACCES:
            return (
                f"cannot serve TFTP on {where}: port {self.requested_port} is privileged; run the "
                "harness as a user allowed to bind it (root or CAP_NET_BIND_SERVICE)"
            )
        if failure.errno == errno.EADDRNOTAVAIL:
            return (
                f"cannot serve TFTP on {where}: {self.address} is not an address of this host; set "
                "firmware.tftp_address to the test host's address the chassis reaches"
            )
        if failure.errno == errno.EADDRINUSE:
            return f"cannot serve TFTP on {where}: the port is in use; stop the other TFTP server"
        return f"cannot serve TFTP on {where} ({failure.strerror or failure})"

    def stop(self, deadline: Deadline | float = 10.0) -> None:
        """Stop serving (transfers in flight are dropped) and wait for the thread; idempotent."""
        server, thread = self._server, self._thread
        if server is None or thread is None or not thread.is_alive():
            return
        deadline = Deadline.of(deadline)
        server.stop(now=True)
        wake_to = self.address
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as waker:
            try:
                waker.sendto(_WAKE, (wake_to, server.listenport))
            except OSError:
                pass  # the loop still ends at its next timeout
        thread.join(deadline.remaining())
        if thread.is_alive():
            raise TftpServerError(
                f"TFTP server on {self.address}:{self.port} did not stop within {deadline.seconds:g} s"
            )

    def __enter__(self) -> TftpServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
