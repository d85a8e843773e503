"""A serial line's output rate: bytes leave at ``baud / 10`` per second (8N1: start bit, eight
data bits, stop bit), as on a real console port.

Each chunk is handed on when its last byte would have left the wire, so a reader sees the
timing of a real line. Deadlines are absolute: a timer that fires late is caught up on the next
chunk instead of adding up over a long output.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

BITS_PER_BYTE = 10  # 8N1
TICK = 0.005  # seconds of line time per chunk


def wire_time(size: int, baud: int) -> float:
    """Seconds ``size`` bytes take on a line at ``baud`` (8N1)."""
    return size * BITS_PER_BYTE / baud


class PacedOutput:
    """Queues output and passes it to ``deliver`` at the line rate of ``baud``."""

    def __init__(self, loop: asyncio.AbstractEventLoop, baud: int, deliver: Callable[[bytes], None]):
        if baud <= 0:
            raise ValueError(f"the line rate must be positive, got {baud!r}")
        self.loop = loop
        self.baud = baud
        self.deliver = deliver
        self.chunk = max(1, int(TICK * baud / BITS_PER_BYTE))
        self._queue = bytearray()
        self._free_at = 0.0  # loop time the wire is done with what was handed on
        self._handle: asyncio.TimerHandle | None = None

    @property
    def pending(self) -> int:
        """Bytes waiting for the wire."""
        return len(self._queue)

    def send(self, data: bytes) -> None:
        """Queue ``data`` behind what is already on its way."""
        self._queue += data
        if self._handle is None and self._queue:
            self._schedule(max(self._free_at, self.loop.time()))

    def _schedule(self, start: float) -> None:
        size = min(len(self._queue), self.chunk)
        self._free_at = start + wire_time(size, self.baud)
        self._handle = self.loop.call_at(self._free_at, self._hand_on, size)

    def _hand_on(self, size: int) -> None:
        data = bytes(self._queue[:size])
        del self._queue[:size]
        self._handle = None
        if self._queue:
            self._schedule(self._free_at)  # back to back: the line never idles mid-output
        self.deliver(data)

    def close(self) -> None:
        """Drop what is queued (the line goes down)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._queue.clear()
