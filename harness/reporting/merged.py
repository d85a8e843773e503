"""One transcript per chassis: MSM-A, MSM-B and management SSH interleaved in time order.

Each session's :class:`drivers.transcript.Transcript` feeds a tap of this log (the text it gets
is already masked); the timeline's phases are written in as ``phase`` notes. Every line carries
its date and time, the seconds since the run began, its source and direction::

    2026-12-01 21:30:01.123 +   12.345 MSM-B | Rebooting ...
    2026-12-01 21:30:01.130 +   12.352 SSH   > show switch
    2026-12-01 21:30:01.200 +   12.422 phase # failover sent: run msm-failover on MSM-B

A line is written once complete; a partial line (a prompt) is written when its source turns to
the other direction, another source completes a later line, or the log is flushed: lines stay
in time order and nothing waits behind another source.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import TextIO

from drivers.transcript import NOTE, SENT

PHASE_SOURCE = "phase"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _visible(text: str) -> str:
    """Control characters (an escape sequence, a backspace) shown as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


class MergedTranscript:
    """The merged log of one chassis at ``path``, lines timed from ``started`` (epoch seconds)."""

    def __init__(self, path: Path, started: float | None = None):
        self.path = Path(path)
        self.started = time.time() if started is None else started
        self._lock = threading.Lock()
        self._partial: dict[str, tuple[str, str, float]] = {}  # source -> (direction, text, first seen)
        self._last: dict[str, str] = {}  # source -> its last line of device output
        self._file: TextIO | None = None

    def tap(self, source: str) -> SourceTap:
        """A :class:`drivers.transcript.Tap` writing ``source``'s traffic into this log."""
        return SourceTap(self, source)

    def record(self, source: str, direction: str, text: str, when: float) -> None:
        """Add ``text`` that ``source`` sent or received at ``when``."""
        with self._lock:
            held = self._partial.pop(source, None)
            if held is not None and (held[0] != direction or direction == NOTE):
                self._write_line(source, *held)
                held = None
            pending, since = (held[1], held[2]) if held else ("", when)
            text = text.replace("\r\n", "\n").replace("\r", "\n" if direction == SENT else "")  # sent: Enter
            lines = (pending + _visible(text)).split("\n")
            if len(lines) > 1:  # lines of other sources begun before these go first: time order
                for other, (way, part, first) in list(self._partial.items()):
                    if first <= when:
                        self._write_line(other, way, part, first)
                        del self._partial[other]
            for line in lines[:-1]:
                self._write_line(source, direction, line, since)
                since = when
            if lines[-1] and direction != NOTE:
                self._partial[source] = (direction, lines[-1], since)
                self._seen(source, direction, lines[-1])
            elif lines[-1]:
                self._write_line(source, direction, lines[-1], since)
            self._flush()

    def last_line(self, source: str) -> str:
        """The last non-blank line ``source``'s device printed (a heartbeat's "last seen")."""
        with self._lock:
            return self._last.get(source, "nothing yet")

    def _seen(self, source: str, direction: str, text: str) -> None:
        if direction == "|" and text.strip():
            self._last[source] = text.strip()[:120]

    def phase(self, name: str, detail: str, when: float) -> None:
        """A phase of the timeline, as a note at its time."""
        self.record(PHASE_SOURCE, NOTE, f"{name}: {detail}" if detail else name, when)

    def mark(self) -> int:
        """How much is written (partial lines flushed first); pass it to :meth:`since`."""
        with self._lock:
            self._flush_partial()
            return self.path.stat().st_size if self.path.exists() else 0

    def since(self, mark: int) -> list[str]:
        """The lines written after ``mark``."""
        end = self.mark()
        if end <= mark:
            return []
        with open(self.path, "rb") as f:
            f.seek(mark)
            return f.read(end - mark).decode("utf-8", "replace").splitlines()

    def close(self) -> None:
        """Write what is held and close the file; later records open it again."""
        with self._lock:
            self._flush_partial()
            if self._file is not None:
                self._file.close()
                self._file = None

    def _flush_partial(self) -> None:
        for source, held in list(self._partial.items()):
            self._write_line(source, *held)
        self._partial.clear()
        self._flush()

    def _write_line(self, source: str, direction: str, text: str, when: float) -> None:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - open until close()
        self._seen(source, direction, text)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when)) + f".{int(when * 1000) % 1000:03d}"
        self._file.write(f"{stamp} +{when - self.started:9.3f} {source:<5} {direction} {text}\n")

    def _flush(self) -> None:
        if self._file is not None:
            self._file.flush()


class SourceTap:
    """The tap one session's transcript feeds: its traffic under one source name."""

    def __init__(self, log: MergedTranscript, source: str):
        self.log = log
        self.source = source

    def record(self, direction: str, text: str, when: float) -> None:
        self.log.record(self.source, direction, text, when)
