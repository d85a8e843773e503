"""The OpenSSH client on a pty of its own, started without forking this interpreter in Python.

pexpect's ``spawn`` forks with ``pty.fork()`` (``os.forkpty``): the harness runs threads (the
transcript writer, TFTP, progress), and Python 3.12 warns that forking a multi-threaded process
may deadlock the child (17 warnings per run). Here the pty is made with ``os.openpty`` and the
client is started by :mod:`subprocess`, whose child execs at once (no Python runs in it), through
``setsid --ctty`` (util-linux): a new session whose controlling terminal is the pty, so OpenSSH
asks for passwords on it as under pexpect. Reading keeps pexpect's interface
(:class:`pexpect.fdpexpect.fdspawn` over the pty's master).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import struct
import subprocess
import termios
from collections.abc import Sequence

from pexpect.fdpexpect import fdspawn

SETSID = shutil.which("setsid") or "/usr/bin/setsid"


class PtyChild:
    """``argv`` running on a new pty of ``rows`` x ``cols``; ``child_fd`` is the master side."""

    def __init__(self, argv: Sequence[str], rows: int = 24, cols: int = 200, maxread: int = 65536):
        master, slave = os.openpty()
        try:
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            self.process = subprocess.Popen(
                [SETSID, "--ctty", *argv], stdin=slave, stdout=slave, stderr=slave, close_fds=True
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)  # the child holds it: its end closes the pty (EOF here)
        os.set_blocking(master, False)  # writes keep their deadline (drivers.transports.base.write_fd)
        self.child_fd = master
        self.reader = fdspawn(master, timeout=None, maxread=maxread)

    def read_nonblocking(self, size: int, timeout: float | None = 0) -> bytes:
        """What the pty has (pexpect's ``read_nonblocking``: ``EOF`` at its end, ``TIMEOUT``)."""
        return self.reader.read_nonblocking(size, timeout)

    def close(self, force: bool = True, grace: float = 0.05) -> None:
        """Stop the client (SIGTERM, SIGKILL after ``grace`` s), reap it and close the pty."""
        process = self.process
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(grace * 10)
        self.reader.close()
