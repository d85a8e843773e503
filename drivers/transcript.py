"""A transcript tap: every byte in and out of a session, as readable timestamped text.

Each line starts with the wall-clock time and a direction mark: ``|`` device output, ``>``
what the harness sent, ``#`` a note. Control characters other than line breaks are shown as
escapes (``\\r``, ``\\x1b``). Secrets are replaced by ``********`` before anything is
written or handed to a tap, also when a secret arrives split over several chunks.

Every record is masked and handed to the taps at once, with its time. Outside
:meth:`Transcript.batch` it is written and flushed at once too. Inside a batch (a session's
command) records are kept and written together by :meth:`Transcript.flush`: the transports
call it when a wait for the device lasts longer than a few milliseconds (a hung command leaves
every byte on disk; an answer that comes at once is not kept waiting by the write), and a
writer thread calls it at the latest :data:`LATE_WRITE` seconds after a record was kept; more
than :data:`KEEP_LIMIT` bytes kept, or the end of the transcript, write at once. Records are
written in the order they were kept, whichever thread writes them. The file is fsynced on close.
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
#: The most received bytes taken as the echo of a typed password: a span, plus some bytes per
#: character (a console may send a control sequence after each echoed character).
ECHO_SPAN = 64
ECHO_PER_CHARACTER = 16
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
        self._lock = threading.Lock()  # recording: secrets, maskers, decoders, what is kept
        self._write_lock = threading.Lock()  # writing: the open line, the stamp, the file
        self._secrets: Secrets | None = None
        self._maskers = {RECEIVED: StreamMasker(), SENT: StreamMasker()}
        self._decoders = {d: codecs.getincrementaldecoder("utf-8")("backslashreplace") for d in (RECEIVED, SENT)}
        self._undecoded = {RECEIVED: False, SENT: False}  # the decoder holds the start of a character
        self._kept: list[tuple[str, float, bytes]] = []  # recorded, not written yet
        self._kept_size = 0
        self._batches = 0
        self._closed = False
        self._pending_cr = {RECEIVED: b"", SENT: b""}
        self._echo_left = 0  # bytes of a typed password's echo still to mask
        self._echo_shown = False
        self._open: str | None = None
        self._second, self._clock = -1, ""
        self._milli, self._stamped = -1, b""
        self._memory = io.BytesIO()
        self._file: io.BufferedWriter | None = None
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

    @property
    def unwritten(self) -> bool:
        """True when records are kept that :meth:`flush` would write."""
        return bool(self._kept)

    def add_secret(self, secret: str | bytes | Secret) -> None:
        """Mask ``secret`` from now on (empty secrets are ignored).

        Text (a ``${VAR}`` value, a token) is masked wherever it stands. A :class:`Secret` (a
        password the harness types) is not searched for: what is sent is recorded as
        ``********`` and its echo, the received text up to the next line break, is masked by
        its place (see :meth:`sent`), so a password that is a common word (``show``) neither
        garbles the transcript nor gives itself away, and an echo with control sequences
        between its characters is masked all the same."""
        if not secret or isinstance(secret, Secret):
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
            with self._lock:  # its echo: masked by its place, up to the next line break
                self._echo_left = ECHO_SPAN + ECHO_PER_CHARACTER * len(data)
                self._echo_shown = False
        else:
            self._record(SENT, data)

    def note(self, text: str) -> None:
        """Record a harness note (connect, reconnect, command boundaries) on its own line."""
        with self._lock:
            if self._closed:
                return
            masked = self.mask(text)
            self._tap(NOTE, masked)
            first = self._keep(NOTE, masked.encode("utf-8", "backslashreplace"))
        self._kept_one(first)

    def text(self) -> str:
        """Everything recorded so far, as written."""
        self.flush()
        if self.path is None:
            return self._memory.getvalue().decode("utf-8")
        return self.path.read_text(encoding="utf-8")

    def flush(self) -> None:
        """Write what is kept and put it on disk (see the module docstring for who calls it)."""
        if self._kept:
            with self._write_lock:
                self._write_kept()

    def close(self) -> None:
        """Write what is kept and held back (masked), flush and fsync. Idempotent."""
        with self._write_lock:
            with self._lock:
                if self._closed:
                    return
                self._closed = True
                now = time.time()
                rests = [(d, self._visible(d, m.rest(self._secrets), final=True)) for d, m in self._maskers.items()]
            self._write_kept()
            self._write(b"".join(self._format(d, now, rest, final=True) for d, rest in rests) + self._end_line())
            if self._file is not None:
                os.fsync(self._file.fileno())
                self._file.close()
                self._file = None

    def batch(self) -> _Batch:
        """A context: within it, records are kept and written by :meth:`flush`, not one by one;
        see the module docstring."""
        return _Batch(self)

    # -- recording (any thread; under the recording lock) ----------------------------------

    def _record(self, direction: str, data: bytes) -> None:
        if not data:
            return
        with self._lock:
            if self._closed:
                return
            data = bytes(data)
            echo = b""
            if direction == RECEIVED and self._echo_left:
                echo, data = self._echo(data)
            visible = self._maskers[direction].feed(data, self._secrets)
            if echo:  # what was held back comes before the echo
                visible = self._maskers[direction].rest(self._secrets) + echo + visible
            first = self._keep(direction, self._visible(direction, visible))
        self._kept_one(first)

    def _echo(self, data: bytes) -> tuple[bytes, bytes]:
        """Split received ``data`` into the password's echo (shown as one ``********``) and
        what follows it (from the first line break on, or past the echo's span)."""
        ends = [i for i in (data.find(b"\r", 0, self._echo_left), data.find(b"\n", 0, self._echo_left)) if i >= 0]
        cut = min(ends) if ends else min(len(data), self._echo_left)
        self._echo_left = 0 if ends else self._echo_left - cut
        shown = b""
        if cut and not self._echo_shown:
            shown, self._echo_shown = MASK.encode(), True
        return shown, data[cut:]

    def _visible(self, direction: str, masked: bytes, final: bool = False) -> bytes:
        """Masked bytes as recorded, also handed to the taps: ASCII as it is (most chunks),
        anything else through the direction's incremental decoder (a chunk may end inside a
        character)."""
        if masked.isascii() and not self._undecoded[direction] and not final:
            if self.taps and masked:
                self._tap(direction, masked.decode("ascii"))
            return masked
        decoder = self._decoders[direction]
        text = decoder.decode(masked, final)
        self._undecoded[direction] = bool(decoder.getstate()[0])
        self._tap(direction, text)
        return text.encode()

    def _tap(self, direction: str, text: str) -> None:
        if text and self.taps:
            now = time.time()
            for tap in self.taps:
                tap.record(direction, text, now)

    def _keep(self, direction: str, record: bytes) -> bool:
        """Keep ``record`` with its time; True when nothing was kept before it."""
        if not record:
            return False
        self._kept.append((direction, time.time(), record))
        self._kept_size += len(record)
        return len(self._kept) == 1

    def _kept_one(self, first: bool) -> None:
        """After a record was kept (outside the recording lock): write now outside a batch or
        beyond the limit, else make sure the writer thread writes it in time."""
        if not self._batches or self._kept_size > KEEP_LIMIT:
            self.flush()
        elif first:
            _LATE.add(self)

    # -- writing (one writer at a time; under the write lock) --------------------------------

    def _write_kept(self) -> None:
        """Take what is kept, format and write it. Interrupted (Ctrl-C), what was formatted is
        still written and the rest is kept again, first, for the next flush or close()."""
        with self._lock:
            kept, self._kept, self._kept_size = self._kept, [], 0
        formatted: list[bytes] = []
        try:
            for direction, when, record in kept:
                formatted.append(self._format(direction, when, record))
        finally:
            if len(formatted) < len(kept):
                rest = kept[len(formatted) :]
                with self._lock:
                    self._kept[:0] = rest
                    self._kept_size += sum(len(record) for _, _, record in rest)
            self._write(b"".join(formatted))

    def _format(self, direction: str, when: float, body: bytes, final: bool = False) -> bytes:
        """One record as transcript lines: a note on its own line, traffic stamped per chunk."""
        if direction == NOTE:
            return self._end_line() + self._stamp(when) + _MARKS[NOTE] + body + b"\n"
        if self._pending_cr[direction]:
            body = self._pending_cr[direction] + body
        # device output: trailing \r may be the start of a \r\n split over two chunks
        held = b"" if final or direction != RECEIVED else body[len(body.rstrip(b"\r")) :]
        self._pending_cr[direction] = held
        if held:
            body = body[: len(body) - len(held)]
        body = _shown(body)
        if not body:
            return b""
        # one stamp per chunk: its lines arrived together (and a stamp per line is costly)
        stamp = self._stamp(when) + _MARKS[direction]
        head = b"" if self._open == direction else stamp if self._open is None else b"\n" + stamp
        lines = body.replace(b"\n", b"\n" + stamp)  # every line stamped with one replace
        if body.endswith(b"\n"):
            lines = lines[: len(lines) - len(stamp)]  # the next line is stamped when it comes
            self._open = None
        else:
            self._open = direction
        return head + lines

    def _end_line(self) -> bytes:
        if self._open is None:
            return b""
        self._open = None
        return b"\n"

    def _write(self, data: bytes) -> None:
        if not data:
            return
        if self._file is None:
            self._memory.write(data)
            return
        self._file.write(data)
        self._file.flush()

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


def _shown(body: bytes) -> bytes:
    """``body`` as the transcript shows it: CR LF ending lines, other control characters
    escaped (most chunks need only the joining; a command sent ends with its lone ``\\r``)."""
    joined = joined_lines(body)
    if joined is not None:
        return joined
    if body.endswith(b"\r"):
        joined = joined_lines(body[:-1])
        if joined is not None:
            return joined + b"\\r"
    return _escaped(body)


class _Batch:
    """:meth:`Transcript.batch` (a class, not a generator: it is entered once per command)."""

    __slots__ = ("_transcript",)

    def __init__(self, transcript: Transcript) -> None:
        self._transcript = transcript

    def __enter__(self) -> None:
        self._transcript._batches += 1

    def __exit__(self, *exc: object) -> None:
        self._transcript._batches -= 1


class _LateWriter:
    """Writes what a transcript kept when :data:`LATE_WRITE` seconds passed after it kept its
    first record and nothing wrote it meanwhile (the device answers at once and the harness
    goes on). One daemon thread for all transcripts; at exit everything due is written."""

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
