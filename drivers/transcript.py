"""A transcript tap: every byte in and out of a session, as readable timestamped text.

Each line starts with the wall-clock time and a direction mark: ``|`` device output, ``>``
what the harness sent, ``#`` a note. Control characters other than line breaks are shown as
escapes (``\\r``, ``\\x1b``). Secrets are replaced by ``********`` before anything is
written or handed to a tap, also when a secret arrives split over several chunks.

Outside :meth:`Transcript.batch` every record is written and flushed at once. Inside a batch
(a session's command) records are masked and tapped at once and kept, each with its time,
to be written together: before every wait for the device (:meth:`Transcript.flush`, which
the transports call: the harness writes while the MSM works on the command, and a hung
command still leaves every byte on disk), when more than :data:`KEEP_LIMIT` bytes are kept,
at close, and at the latest :data:`LATE_WRITE` seconds after the batch ended when no wait
came first. The file is fsynced on close.
"""

from __future__ import annotations

import atexit
import codecs
import io
import os
import re
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from drivers.prompt import joined_lines
from drivers.secret import MASK, Secret, Secrets, StreamMasker, plain

RECEIVED, SENT, NOTE = "|", ">", "#"
_MARKS = {RECEIVED: b" | ", SENT: b" > ", NOTE: b" # "}
_ESCAPE_RE = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")
#: Seconds after a batch ended by which what it kept is written, when no wait came first.
LATE_WRITE = 0.2
#: Bytes a batch keeps at most before it writes them (a long output arriving without a wait).
KEEP_LIMIT = 1 << 20


def _escape(match: re.Match[bytes]) -> bytes:
    char = match.group(0)
    return b"\\r" if char == b"\r" else b"\\x%02x" % char[0]


def _escaped(body: bytes) -> bytes:
    """``body`` with CR LF (and CR CR LF) ending lines and other control characters escaped."""
    while b"\r\n" in body:  # \r\r\n too ends a line
        body = body.replace(b"\r\n", b"\n")
    return _ESCAPE_RE.sub(_escape, body)


class Tap(Protocol):
    """Another consumer of a session's traffic (a recording for machines, a merged log): it gets
    the same text as the transcript, secrets already masked, with its direction and time."""

    def record(self, direction: str, text: str, when: float) -> None:
        """``direction`` is :data:`RECEIVED`, :data:`SENT` or :data:`NOTE`; ``when`` is epoch seconds."""


class Transcript:
    """Records a session's bytes to ``path`` (or memory when ``path`` is None), secrets masked.

    ``taps`` receive the same masked text as it is recorded (see :class:`Tap`).
    """

    def __init__(
        self,
        path: str | os.PathLike | None,
        secrets: Iterable[str | Secret] = (),
        title: str = "",
        taps: Iterable[Tap] = (),
    ):
        self.path = Path(path) if path is not None else None
        self.taps: list[Tap] = list(taps)
        self._lock = threading.Lock()
        self._secrets: Secrets | None = None
        self._maskers = {RECEIVED: StreamMasker(), SENT: StreamMasker()}
        self._decoders = {d: codecs.getincrementaldecoder("utf-8")("backslashreplace") for d in (RECEIVED, SENT)}
        self._undecoded = {RECEIVED: False, SENT: False}  # the decoder holds the start of a character
        self._pending_cr = {RECEIVED: b"", SENT: b""}
        self._kept: list[tuple[str, float, bytes]] = []  # a batch's records, not written yet
        self._kept_size = 0
        self._open: str | None = None
        self._memory = io.BytesIO()
        self._file: io.BufferedWriter | None = None
        self._closed = False
        self._second, self._clock = -1, ""
        self._milli, self._stamped = -1, b""
        self._batches = 0
        self._dirty = False
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "ab")  # UTF-8 text, written as bytes: most chunks are ASCII
        for secret in secrets:
            self.add_secret(secret)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S %z")
        name = f"transcript of {title}" if title else "transcript"
        self.note(f"{name} started {stamp}; '|' device output, '>' sent by the harness")

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran; later bytes are not recorded."""
        return self._closed

    def add_secret(self, secret: str | bytes | Secret) -> None:
        """Mask ``secret`` from now on (empty secrets are ignored)."""
        if not secret:
            return
        with self._lock:
            known = self._secrets.values if self._secrets is not None else []
            if plain(secret) not in known:
                self._secrets = Secrets([*known, plain(secret)])

    def mask(self, text: str) -> str:
        """``text`` with this transcript's secrets replaced (for messages and reports)."""
        for secret in self._secrets.texts if self._secrets is not None else ():
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def received(self, data: bytes) -> None:
        """Record bytes that came from the device."""
        self._record(RECEIVED, data)

    def sent(self, data: bytes | Secret) -> None:
        """Record bytes sent to the device; a :class:`Secret` is recorded as ``********``
        followed by its line ending, whatever the secret is."""
        if isinstance(data, Secret):
            self._record(SENT, data.shown().encode())
        else:
            self._record(SENT, data)

    def note(self, text: str) -> None:
        """Record a harness note (connect, reconnect, command boundaries) on its own line."""
        with self._lock:
            if self._closed:
                return
            masked = self.mask(text)
            self._put(NOTE, masked.encode("utf-8", "backslashreplace"))
            self._tap(NOTE, masked)

    def text(self) -> str:
        """Everything recorded so far, as written."""
        with self._lock:
            self._write_kept()
            if self.path is None:
                return self._memory.getvalue().decode("utf-8")
            if self._file is not None:
                self._file.flush()
        return self.path.read_text(encoding="utf-8")

    def close(self) -> None:
        """Write what is kept and held back (masked), flush and fsync. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for direction, masker in self._maskers.items():
                self._take(direction, masker.rest(self._secrets), final=True)
            self._end_line()
            if self._file is not None:
                self._file.flush()
                os.fsync(self._file.fileno())
                self._file.close()
                self._file = None

    def flush(self) -> None:
        """Write what is kept and put it on disk (a transport calls it before it waits for the device)."""
        if self._kept or self._dirty:
            with self._lock:
                self._write_kept()
                self._flush()

    def batch(self) -> _Batch:
        """A context: within it, records are kept and written by :meth:`flush` (before each
        wait), not one by one; see the module docstring."""
        return _Batch(self)

    def _record(self, direction: str, data: bytes) -> None:
        if not data:
            return
        with self._lock:
            if self._closed:
                return
            self._take(direction, self._maskers[direction].feed(bytes(data), self._secrets))

    def _take(self, direction: str, visible: bytes, final: bool = False) -> None:
        """Record and tap masked bytes: ASCII as it is (most chunks), anything else through the
        direction's incremental decoder (a chunk may end inside a character)."""
        if visible.isascii() and not self._undecoded[direction] and not final:
            self._put(direction, visible)
            if self.taps:
                self._tap(direction, visible.decode("ascii"))
            return
        decoder = self._decoders[direction]
        text = decoder.decode(visible, final)
        self._undecoded[direction] = bool(decoder.getstate()[0])
        self._put(direction, text.encode(), final)
        self._tap(direction, text)

    def _tap(self, direction: str, text: str) -> None:
        if text and self.taps:
            now = time.time()
            for tap in self.taps:
                tap.record(direction, text, now)

    def _put(self, direction: str, record: bytes, final: bool = False) -> None:
        """Keep a record for the batch's next write, or write and flush it now outside a batch."""
        when = time.time()
        if self._batches and not final:
            self._kept.append((direction, when, record))
            self._kept_size += len(record)
            if self._kept_size > KEEP_LIMIT:
                self._write_kept()
            return
        self._write_kept()
        self._write_record(direction, when, record, final)
        self._flush()

    def _write_kept(self) -> None:
        kept, written = self._kept, 0
        try:
            for direction, when, record in kept:
                self._write_record(direction, when, record)
                written += 1
        finally:  # interrupted (Ctrl-C): what is not written yet stays kept, for close()
            del kept[:written]
            self._kept_size = sum(len(record) for _, _, record in kept)

    def _write_record(self, direction: str, when: float, record: bytes, final: bool = False) -> None:
        if direction == NOTE:
            self._end_line()
            self._write(self._stamp(when) + _MARKS[NOTE] + record + b"\n")
        else:
            self._emit(direction, when, record, final)

    def _emit(self, direction: str, when: float, body: bytes, final: bool = False) -> None:
        if self._pending_cr[direction]:
            body = self._pending_cr[direction] + body
        # device output: trailing \r may be the start of a \r\n split over two chunks
        held = b"" if final or direction != RECEIVED else body[len(body.rstrip(b"\r")) :]
        self._pending_cr[direction] = held
        if held:
            body = body[: len(body) - len(held)]
        plain = joined_lines(body)  # most chunks: CR LF line ends and nothing else to show
        body = _escaped(body) if plain is None else plain
        if not body:
            return
        # one stamp per chunk: its lines arrived together (and a stamp per line is costly)
        stamp = self._stamp(when) + _MARKS[direction]
        head = b"" if self._open == direction else stamp if self._open is None else b"\n" + stamp
        lines = body.replace(b"\n", b"\n" + stamp)  # every line stamped with one replace
        if body.endswith(b"\n"):
            lines = lines[: len(lines) - len(stamp)]  # the next line is stamped when it comes
            self._open = None
        else:
            self._open = direction
        self._write(head + lines)

    def _end_line(self) -> None:
        if self._open is not None:
            self._write(b"\n")
            self._open = None

    def _write(self, data: bytes) -> None:
        (self._file or self._memory).write(data)
        self._dirty = True

    def _flush(self) -> None:
        if self._file is not None and self._dirty:
            self._file.flush()
        self._dirty = False

    def _stamp(self, when: float) -> bytes:
        milli = int(when * 1000)
        if milli == self._milli:  # a command's records mostly share their millisecond
            return self._stamped
        second = milli // 1000
        if second != self._second:  # strftime once a second, not for every chunk
            self._second, self._clock = second, time.strftime("%H:%M:%S", time.localtime(second))
        self._milli, self._stamped = milli, f"{self._clock}.{milli % 1000:03d}".encode()
        return self._stamped

    def __enter__(self) -> Transcript:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Batch:
    """:meth:`Transcript.batch` (a class, not a generator: it is entered once per command)."""

    __slots__ = ("_transcript",)

    def __init__(self, transcript: Transcript) -> None:
        self._transcript = transcript

    def __enter__(self) -> None:
        self._transcript._batches += 1

    def __exit__(self, *exc: object) -> None:
        transcript = self._transcript
        transcript._batches -= 1
        if transcript._kept or transcript._dirty:
            _LATE.add(transcript)


class _LateWriter:
    """Writes what a transcript kept when :data:`LATE_WRITE` seconds passed after its batch
    ended and no wait for the device wrote it first (the harness does something else between
    commands). One daemon thread for all transcripts; at exit everything due is written."""

    def __init__(self) -> None:
        self._forget()
        atexit.register(self.write_all)
        os.register_at_fork(after_in_child=self._forget)  # the thread stays in the parent

    def _forget(self) -> None:
        self._due: dict[Transcript, float] = {}
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, transcript: Transcript) -> None:
        """Write ``transcript``'s kept records within :data:`LATE_WRITE` seconds."""
        with self._wake:
            if transcript in self._due:
                return
            self._due[transcript] = time.monotonic() + LATE_WRITE
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="transcript late writer", daemon=True)
                self._thread.start()
            elif len(self._due) == 1:  # the thread waits for work with no timeout: wake it
                self._wake.notify()

    def write_all(self) -> None:
        """Write every transcript that is due now."""
        with self._wake:
            due, self._due = list(self._due), {}
        for transcript in due:
            transcript.flush()

    def _run(self) -> None:
        while True:
            with self._wake:
                ready = self._wait_for_due()
            for transcript in ready:
                try:
                    transcript.flush()
                except (OSError, ValueError):  # a full disk or a file closed meanwhile: the
                    pass  # session's own next write or close meets the same error and reports it

    def _wait_for_due(self) -> list[Transcript]:
        while True:
            now = time.monotonic()
            ready = [transcript for transcript, at in self._due.items() if at <= now]
            if ready:
                for transcript in ready:
                    del self._due[transcript]
                return ready
            self._wake.wait(min(self._due.values()) - now if self._due else None)


_LATE = _LateWriter()
