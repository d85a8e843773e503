"""The byte-moving interface every transport (serial console, SSH) offers to a session."""

from __future__ import annotations

import os
import select
import time
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from drivers.deadline import Deadline
from drivers.secret import Secret, plain

#: Seconds a write may take when the caller gives no deadline (a console that takes no input).
WRITE_TIMEOUT = 10.0
#: The most a pty hands out per read(2): a read that gets this much may have left more behind.
PTY_PIECE = 4095
#: The most one read(2) asks for (a larger buffer would be allocated for every short answer).
READ_PIECE = 65536
#: The most :func:`read_more` gathers for one chunk of a session's input.
READ_LIMIT = 1 << 20
#: Seconds a wait for the device lasts before the transcript's kept records are written: an
#: answer that comes sooner is not kept waiting by the write; a device that hangs leaves all
#: of them on disk.
WRITE_AFTER = 0.002

if TYPE_CHECKING:
    from drivers.transcript import Transcript


@runtime_checkable
class Transport(Protocol):
    """Moves bytes to and from one MSM console or the management SSH service.

    ``transcript`` (may be None) records every byte read and written, masked.
    """

    name: str
    """For transcripts and messages, e.g. ``"ssh admin@127.0.0.1:2222"``."""
    kind: str
    """``"ssh"`` or ``"console"``."""
    transcript: Transcript | None

    def open(self, deadline: Deadline) -> None:
        """Connect; raise :class:`~drivers.errors.ConnectionFailed` (or a subclass) on failure."""

    def read(self, timeout: float) -> bytes:
        """What arrived within ``timeout`` seconds (``b""`` if nothing); ConnectionLost on EOF."""

    def write(self, data: bytes | Secret, timeout: float = WRITE_TIMEOUT) -> None:
        """Send ``data`` within ``timeout`` seconds; raise :class:`~drivers.errors.ConnectionLost`
        if the link is gone or takes nothing for that long. A :class:`~drivers.secret.Secret` is
        revealed only inside the operating-system write."""

    def close(self) -> None:
        """Release the link; idempotent and fast."""

    @property
    def is_open(self) -> bool:
        """True between a successful ``open`` and ``close`` or a lost connection."""


def write_fd(fd: int, data: bytes | Secret, deadline: Deadline) -> bool:
    """Write all of ``data`` to the non-blocking descriptor ``fd`` before ``deadline``; False
    when the far end took nothing for that long. A Secret's plaintext lives only in a
    ``memoryview`` (whose repr shows no content), never in a local a traceback prints."""
    view = memoryview(plain(data))
    while view:
        try:  # most writes fit at once: wait for room only when the far end pushes back
            view = view[os.write(fd, view) :]
        except BlockingIOError:
            if not select.select([], [fd], [], deadline.remaining())[1]:
                return False
    return True


def wait_readable(fd: int, timeout: float, transcript: Transcript | None) -> bool:
    """Wait up to ``timeout`` seconds for ``fd`` to have input; True when it has. A wait that
    lasts longer than :data:`WRITE_AFTER` writes what ``transcript`` keeps first."""
    if transcript is None or timeout <= WRITE_AFTER or not transcript.unwritten:
        return bool(select.select([fd], [], [], max(0.0, timeout))[0])
    end = time.monotonic() + timeout
    if select.select([fd], [], [], WRITE_AFTER)[0]:
        return True
    transcript.flush()
    return bool(select.select([fd], [], [], max(0.0, end - time.monotonic()))[0])


def read_more(fd: int, first: bytes, limit: int = READ_LIMIT) -> bytes:
    """``first`` (just read from ``fd``) plus what else is ready there now, up to ``limit``
    bytes in all, at most :data:`READ_PIECE` per read(2): a pty hands out 4 KiB per read and
    its writer refills it at once, a socket as much as its buffer holds, so a session takes a
    long output in a few large chunks, not many small ones.

    A read shorter than a pty's piece took all there was: no system call looks for more. A
    failing read ends the loop; the end of file or the reset shows at the next read."""
    pieces, size = [first], len(first)
    while len(pieces[-1]) >= PTY_PIECE and size < limit and select.select([fd], [], [], 0)[0]:
        try:
            more = os.read(fd, min(READ_PIECE, limit - size))
        except OSError:  # nothing after all, or a reset: what came first is delivered first
            break
        if not more:
            break
        pieces.append(more)
        size += len(more)
    return first if len(pieces) == 1 else b"".join(pieces)
