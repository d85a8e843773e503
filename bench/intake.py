"""Benchmark 6: how fast a session takes in output that does not reach a prompt, and whether
the rate stays the same however much came before (linear intake).

A ``CliSession`` with its transcript (to a file, as in a run) runs one command on an in-memory
console that answers with 10 MB of configuration lines (or one 1 MB line without a line
break) in 4 KiB chunks, a pty's size, and only then a prompt. No I/O is timed but the
transcript's: this is the Python cost per byte of the session, the inbox, the line splitter
and the transcript. The rate of each tenth of the output is measured as it goes through
``read``: a quadratic intake shows as later tenths slower than the first.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bench.common import Row
from drivers import CliSession, Transcript
from drivers.deadline import Deadline
from drivers.secret import Secret

MB = 1 << 20
CHUNK = 4096
RATE_TARGET = 20.0  # MB/s, for the slowest tenth of the output
PROMPT = "XCM8810.{} # "


class MemoryConsole:
    """A console transport (see :class:`~drivers.transports.base.Transport`) in memory: it
    answers ``big`` with ``payload`` and every other command with its prompt, in ``chunk``
    byte reads, and notes the time at each tenth of ``payload`` it hands out."""

    kind = "console"
    name = "memory console"

    def __init__(self, payload: bytes, chunk: int = CHUNK) -> None:
        self.transcript: Transcript | None = None
        self.payload, self.chunk = payload, chunk
        self.step = max(1, len(payload) // 10)
        self.marks: list[float] = []
        self._out = bytearray()
        self._counter = 1
        self._open = False
        self._in_payload: tuple[int, int] | None = None  # where the payload is in _out, while read

    @property
    def is_open(self) -> bool:
        return self._open

    def open(self, deadline: Deadline) -> None:
        self._open = True
        self._out += PROMPT.format(self._counter).encode()

    def write(self, data: bytes | Secret, timeout: float = 0.0) -> None:
        data = data.reveal_bytes() if isinstance(data, Secret) else data
        if self.transcript is not None:
            self.transcript.sent(data)
        for line in data.decode().split("\r")[:-1]:
            self._counter += 1
            self._out += line.encode() + b"\r\n"
            if line == "big":
                self._in_payload = (0, len(self.payload))
                self._out += self.payload
            self._out += PROMPT.format(self._counter).encode()

    def read(self, timeout: float) -> bytes:
        if not self._out and timeout > 0 and self.transcript is not None:
            self.transcript.flush()  # nothing to read: a wait that lasts, which writes the transcript
        data = bytes(self._out[: self.chunk])
        del self._out[: self.chunk]
        if self._in_payload is not None and data:
            done = self._in_payload[0] + len(data)
            if done // self.step > self._in_payload[0] // self.step or not self.marks:
                self.marks.append(time.perf_counter())
            self._in_payload = (done, self._in_payload[1])
        if data and self.transcript is not None:
            self.transcript.received(data)
        return data

    def close(self) -> None:
        self._open = False


def rates(payload: bytes, work: Path) -> list[float]:
    """MB/s of each tenth of ``payload`` taken in by a session with a transcript."""
    console = MemoryConsole(payload)
    transcript = Transcript(work / "intake.log")
    session = CliSession(console, transcript=transcript)
    try:
        session.connect(30)
        session.run("big", timeout=300)
    finally:
        session.close()
        transcript.close()
    marks = console.marks
    return [console.step / MB / (later - earlier) for earlier, later in zip(marks, marks[1:], strict=False)]


def intake_rows(work: Path, runs: int = 3) -> list[Row]:
    """Rows for 10 MB of lines and for one 1 MB line without a line break: each tenth's rate is
    the median of ``runs`` runs (a shared machine makes single tenths noisy)."""
    line = b"configure vlan Default add ports 2:1-48 untagged   # a configuration line\r\n"
    cases = (
        ("10 MB of 80-byte lines", line * (10 * MB // len(line))),
        ("one 1 MB line without a line break", b"x" * MB + b"\r\n"),
    )
    rows = []
    for what, payload in cases:
        found = [statistics.median(tenth) for tenth in zip(*(rates(payload, work) for _ in range(runs)), strict=True)]
        first, last, slowest = found[0], found[-1], min(found)
        rows.append(  # the "raw floor" column: how the last tenth's rate compares with the first's
            Row(
                "6",
                f"intake, {what} in 4 KiB reads, no prompt until the end: the slowest tenth, median of {runs} runs "
                "(first / last tenth)",
                f"{slowest:.1f} MB/s",
                "—",
                f"last/first {last / first:.2f}",
                f"{first:.1f} / {last:.1f} MB/s",
                f">= {RATE_TARGET:g} MB/s",
                "yes" if slowest >= RATE_TARGET else "NO",
            )
        )
    return rows
