"""The TFTP client of the virtual chassis: ``download image`` really fetches the file.

tftpy's client blocks, so :func:`fetch` is meant to run in an executor thread while the event
loop keeps serving consoles and SSH. A transfer can be cancelled between two blocks (the MSM
rebooted, the emulator stops); a silent server ends it after ``timeout`` x ``retries`` seconds.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import tftpy

DEFAULT_PORT = 69

logging.getLogger("tftpy").setLevel(logging.CRITICAL)  # the CLI reports every outcome itself


class TftpFailed(Exception):
    """The download failed; ``kind`` is ``not found``, ``timeout``, ``cancelled`` or ``error``."""

    def __init__(self, kind: str, message: str):
        self.kind = kind
        super().__init__(message)


class _Sink:
    """A file for tftpy that stops the transfer once ``cancelled`` is set."""

    def __init__(self, f, cancelled: threading.Event):
        self.f, self.cancelled, self.bytes = f, cancelled, 0

    def write(self, data: bytes) -> int:
        if self.cancelled.is_set():
            raise TftpFailed("cancelled", "download cancelled")
        self.bytes += len(data)
        return self.f.write(data)

    def close(self) -> None:  # tftpy closes only files it opened itself
        pass


def fetch(
    host: str,
    filename: str,
    dest: Path,
    port: int = DEFAULT_PORT,
    cancelled: threading.Event | None = None,
    timeout: float = 2.0,
    retries: int = 3,
    blksize: int | None = None,
) -> int:
    """Download ``filename`` from the TFTP server ``host:port`` into ``dest``; returns its size.

    Raises :class:`TftpFailed` with the reason; ``dest`` is removed when nothing usable came.
    """
    cancelled = cancelled or threading.Event()
    options = {"blksize": blksize} if blksize else {}
    where = f"TFTP server {host}"
    try:
        with open(dest, "wb") as f:
            sink = _Sink(f, cancelled)
            client = tftpy.TftpClient(host, port, options=options)
            client.download(filename, sink, timeout=timeout, retries=retries)
        return sink.bytes
    except TftpFailed:
        dest.unlink(missing_ok=True)
        raise
    except tftpy.TftpShared.TftpFileNotFoundError:
        dest.unlink(missing_ok=True)
        raise TftpFailed("not found", f'file not found on {where} ("{filename}")') from None
    except tftpy.TftpShared.TftpTimeout:
        dest.unlink(missing_ok=True)
        raise TftpFailed("timeout", f"{where} did not answer (timeout)") from None
    except (tftpy.TftpShared.TftpException, OSError, ValueError) as failure:
        dest.unlink(missing_ok=True)
        raise TftpFailed("error", f"transfer from {where} failed ({failure})") from None
