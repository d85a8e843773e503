"""The harness's TFTP server: serves one folder of image files to the chassis (tftpy, in a thread).

It binds to the address the testbed says the chassis can reach (the test host's address on
the management network; loopback for a virtual chassis), never to every address, and stops at
the end of the run. tftpy checks every requested name against the folder, so nothing outside it
can be read. It is read-only: a write request (upload) gets a TFTP "access violation" error and
writes nothing, so no one on the management network can replace an image (the lab's release
files are linked into the folder and only ever opened for reading). At most
:data:`~harness.firmware.tftp_loop.MAX_SESSIONS` transfers run at once (others get a TFTP
ERROR packet), and a server that stops by itself is reported as such (:meth:`TftpServer.check`),
not as a download failure of the release.
"""

from __future__ import annotations

import errno
import logging
import socket
import struct
import threading
from pathlib import Path

from drivers.deadline import Deadline
from harness.errors import HilError
from harness.firmware.tftp_loop import TransferLoop

TFTP_PORT = 69
#: Seconds tftpy waits for a client's ACK before it sends a block again.
RESEND_AFTER = 2.0
_WAKE = struct.pack("!HH", 5, 0) + b"stop\0"  # a TFTP ERROR packet: wakes the select loop

logging.getLogger("tftpy").setLevel(logging.CRITICAL)  # outcomes are reported by the switch's CLI


class TftpServerError(HilError):
    """The TFTP server could not start (address not on this host, port taken or privileged)."""


class TftpServerDied(TftpServerError):
    """The TFTP server stopped by itself while the run needed it: downloads fail for that reason."""


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
        self._sock: socket.socket | None = None
        self._loop: TransferLoop | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._stopped = False
        self._port = port

    @property
    def port(self) -> int:
        """The UDP port it listens on (known once started)."""
        return self._port

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def refused(self) -> int:
        """Requests refused with the busy ERROR packet (more transfers than the bound)."""
        return self._loop.refused if self._loop is not None else 0

    def start(self, deadline: Deadline | float = 10.0) -> TftpServer:
        """Bind and serve in a daemon thread; raise :class:`TftpServerError` with the fix (the
        bind is done here, so ``deadline`` is met at once; kept for the callers)."""
        if self.address.strip() in _WILDCARDS:
            raise TftpServerError(
                f"will not serve TFTP on every address ({self.address!r}); set firmware.tftp_address "
                "to the test host's address on the chassis's management network"
            )
        self.root.mkdir(parents=True, exist_ok=True)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind((self.address, self.requested_port))
        except OSError as failure:
            sock.close()
            self._failure = failure
            raise TftpServerError(self._why()) from None
        sock.setblocking(False)
        self._sock, self._stopped, self._port = sock, False, sock.getsockname()[1]
        # tftpy refuses every file whose absolute path does not start with the root it was given:
        # a relative root (reports/tftp/<chassis>, as a run names it) would refuse them all
        self._loop = TransferLoop(sock, str(self.root.resolve()), RESEND_AFTER, _refuse_upload)
        self._thread = threading.Thread(target=self._serve, name=f"tftp {self.address}", daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        assert self._loop is not None and self._sock is not None
        try:
            self._loop.run()
        except BaseException as failure:  # noqa: BLE001 - any end of the loop is reported by check()
            self._failure = failure
        finally:
            self._sock.close()

    def check(self) -> None:
        """Raise :class:`TftpServerDied` when the server stopped by itself (it was started and
        not stopped): a download that failed then is the server's fault, not the image's."""
        if self._thread is None or self._stopped or self._thread.is_alive():
            return
        failure = self._failure
        why = f"{type(failure).__name__}: {failure}" if failure is not None else "it ended without an error"
        raise TftpServerDied(
            f"the harness's TFTP server on {self.address}:{self.port} stopped ({why}); downloads fail "
            "because of it, not because of the image: see the run's log and run the firmware plans again"
        )

    def _why(self) -> str:
        failure = self._failure
        where = f"{self.address}:{self.requested_port}"
        if not isinstance(failure, OSError):
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
        loop, thread = self._loop, self._thread
        self._stopped = True
        if loop is None or thread is None or not thread.is_alive():
            return
        deadline = Deadline.of(deadline)
        loop.stop()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as waker:
            try:
                waker.sendto(_WAKE, (self.address, self.port))
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
