"""A transcript tap: every byte in and out of a session, as readable timestamped text.

Each line starts with the wall-clock time and a direction mark: ``|`` device output, ``>``
what the harness sent, ``#`` a note. Control characters other than line breaks are shown as
escapes (``\\r``, ``\\x1b``). Secrets are replaced by ``********`` before anything is
written, also when a secret arrives split over several chunks; the transcript is flushed as
it is written (and fsynced on close) so an interrupted run keeps everything. Inside
:meth:`Transcript.batch` (a session's command) it is flushed before every wait for the device
(:meth:`Transcript.flush`, called by the transports) and at the end: a hung or interrupted
command still leaves every byte on disk, at one write instead of four per command.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from drivers.prompt import join_crlf
from drivers.secret import MASK, Secret, plain

RECEIVED, SENT, NOTE = "|", ">", "#"
_ESCAPE_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def mask_text(text: str, secrets: Iterable[str | Secret]) -> str:
    """``text`` with every non-empty secret replaced by ``********`` (longest first)."""
    values = (s.reveal() if isinstance(s, Secret) else s for s in secrets)
    for each in sorted((v for v in values if v), key=len, reverse=True):
        text = text.replace(each, MASK)
    return text


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    return "\\r" if char == "\r" else f"\\x{ord(char):02x}"


def _escaped(text: str) -> str:
    """``text`` with CR LF (and CR CR LF) ending lines and other control characters escaped."""
    while "\r\n" in text:  # \r\r\n too ends a line
        text = text.replace("\r\n", "\n")
    return _ESCAPE_RE.sub(_escape, text)


class _Secrets:
    """The secrets a transcript masks, prepared once when one is added."""

    def __init__(self, values: list[bytes]) -> None:
        self.values = sorted(values, key=len, reverse=True)
        self.pattern = re.compile(b"|".join(re.escape(s) for s in self.values))
        self.texts = [s.decode("utf-8", "replace") for s in self.values]
        self.firsts = [(s, s[:1]) for s in self.values]
        #: secrets that are the start of a longer one: at the very end they may still grow
        self.growing = frozenset(s for s in self.values if any(o != s and o.startswith(s) for o in self.values))

    def occur_in(self, buf: bytes) -> bool:
        """Does a secret occur in ``buf``? (``in`` per secret: faster than the pattern's search.)"""
        for secret in self.values:
            if secret in buf:
                return True
        return False

    def partial_start(self, buf: bytes, after: int) -> int:
        """Where the earliest secret cut off by the end of ``buf`` begins (at or after
        ``after``), or ``len(buf)``: only places holding a secret's first byte are tried."""
        earliest = len(buf)
        for secret, first in self.firsts:
            start = buf.find(first, max(after, len(buf) - len(secret) + 1))
            while 0 <= start < earliest:
                if secret.startswith(buf[start:]):
                    earliest = start
                    break
                start = buf.find(first, start + 1)
        return earliest


_MASK_BYTES = MASK.encode()


class _Masker:
    """Masks secrets in a byte stream, holding back a tail that may be the start of one."""

    def __init__(self) -> None:
        self.held = b""

    def feed(self, data: bytes, secrets: _Secrets | None) -> bytes:
        buf = self.held + data if self.held else data
        if secrets is None:
            self.held = b""
            return buf
        if not secrets.occur_in(buf):  # most chunks: nothing to replace, at most a tail to hold
            cut = secrets.partial_start(buf, 0)
            self.held = buf[cut:]
            return buf[:cut]
        last = None
        for last in secrets.pattern.finditer(buf):  # noqa: B007 - the last match is wanted
            pass
        assert last is not None
        if last.end() == len(buf) and last.group(0) in secrets.growing:
            cut = last.start()  # a shorter secret that may grow into a longer one
        else:
            cut = secrets.partial_start(buf, last.end())
        self.held = buf[cut:]
        return secrets.pattern.sub(_MASK_BYTES, buf[:cut])

    def rest(self, secrets: _Secrets | None) -> bytes:
        """What is held back, masked: the stream ended (a secret held because a longer one
        might start with it is a whole secret now)."""
        held, self.held = self.held, b""
        return held if secrets is None else secrets.pattern.sub(_MASK_BYTES, held)


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
        self._secrets: _Secrets | None = None
        self._maskers = {RECEIVED: _Masker(), SENT: _Masker()}
        self._decoders = {d: codecs.getincrementaldecoder("utf-8")("backslashreplace") for d in (RECEIVED, SENT)}
        self._pending_cr = {RECEIVED: "", SENT: ""}
        self._open: str | None = None
        self._memory = io.StringIO()
        self._file = None
        self._closed = False
        self._second, self._clock = -1, ""
        self._milli, self._stamped = -1, ""
        self._batches = 0
        self._dirty = False
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "a", encoding="utf-8")
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
                self._secrets = _Secrets([*known, plain(secret)])

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
            self._end_line()
            masked = self.mask(text)
            self._write(f"{self._stamp()} {NOTE} {masked}\n")
            self._flush_unless_batched()
            self._tap(NOTE, masked)

    def text(self) -> str:
        """Everything recorded so far, as written."""
        with self._lock:
            if self.path is None:
                return self._memory.getvalue()
            if self._file is not None:
                self._file.flush()
        return self.path.read_text(encoding="utf-8")

    def close(self) -> None:
        """Write what is held back (masked), flush and fsync. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for direction, masker in self._maskers.items():
                text = self._decoders[direction].decode(masker.rest(self._secrets), final=True)
                self._emit(direction, text, final=True)
                self._tap(direction, text)
            self._end_line()
            if self._file is not None:
                self._file.flush()
                os.fsync(self._file.fileno())
                self._file.close()
                self._file = None

    def _record(self, direction: str, data: bytes) -> None:
        if not data:
            return
        with self._lock:
            if self._closed:
                return
            visible = self._maskers[direction].feed(bytes(data), self._secrets)
            text = self._decoders[direction].decode(visible)
            self._emit(direction, text)
            self._flush_unless_batched()
            self._tap(direction, text)

    def _tap(self, direction: str, text: str) -> None:
        if text and self.taps:
            now = time.time()
            for tap in self.taps:
                tap.record(direction, text, now)

    def _emit(self, direction: str, text: str, final: bool = False) -> None:
        if self._pending_cr[direction]:
            text = self._pending_cr[direction] + text
        # device output: trailing \r may be the start of a \r\n split over two chunks
        held = "" if final or direction != RECEIVED else text[len(text.rstrip("\r")) :]
        self._pending_cr[direction] = held
        if held:
            text = text[: len(text) - len(held)]
        plain = join_crlf(text)  # most chunks: CR LF line ends and nothing else to show
        text = _escaped(text) if plain is None else plain
        if not text:
            return
        # one stamp per chunk: its lines arrived together (and a stamp per line is costly)
        stamp = f"{self._stamp()} {direction} "
        head = "" if self._open == direction else stamp if self._open is None else "\n" + stamp
        body = text.replace("\n", "\n" + stamp)  # every line stamped with one replace
        if text.endswith("\n"):
            body = body[: len(body) - len(stamp)]  # the next line is stamped when it comes
            self._open = None
        else:
            self._open = direction
        self._write(head + body)

    def _end_line(self) -> None:
        if self._open is not None:
            self._write("\n")
            self._open = None

    def _write(self, text: str) -> None:
        (self._file or self._memory).write(text)
        self._dirty = True

    def _flush(self) -> None:
        if self._file is not None and self._dirty:
            self._file.flush()
        self._dirty = False

    def _flush_unless_batched(self) -> None:
        if not self._batches:
            self._flush()

    def flush(self) -> None:
        """Put what was recorded on disk (a transport calls it before it waits for the device)."""
        if self._dirty:
            with self._lock:
                self._flush()

    def batch(self) -> _Batch:
        """A context: within it, records are flushed by :meth:`flush` (before each wait) and at
        its end, not one by one."""
        return _Batch(self)

    def _stamp(self) -> str:
        milli = int(time.time() * 1000)
        if milli == self._milli:  # a command's records mostly share their millisecond
            return self._stamped
        second = milli // 1000
        if second != self._second:  # strftime once a second, not for every chunk
            self._second, self._clock = second, time.strftime("%H:%M:%S", time.localtime(second))
        self._milli, self._stamped = milli, f"{self._clock}.{milli % 1000:03d}"
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
        self._transcript._batches -= 1
        self._transcript.flush()
