"""Read a recording (``drivers.recording``) back: its header, and the commands sent at a prompt
with what the device printed for each (:mod:`harness.replay.splitting` cuts them).

Splitting follows the device, not the harness's notes, so a recording made by another tool
(or typed by hand, one key at a time) splits the same way.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HilError
from harness.replay.splitting import Exchange, Splitter, shown

HEADER_KEYS = ("chassis", "session", "transport", "started")
#: What a chassis or session name may be (it names files): no ``/``, no ``..``, no escapes.
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
#: The longest line a recording may have (the recorder writes a line per read of 64 KiB at most).
MAX_LINE = 8 << 20
DIRECTIONS = ("sent", "received", "note")


class NotARecording(HilError):
    """A file given as a recording is not one (not JSON lines with a recording header)."""


@dataclass(frozen=True)
class Header:
    """The first line of a recording."""

    chassis: str
    session: str
    transport: str
    started: str


@dataclass(frozen=True)
class Recorded:
    """A recording file read back: its (first) header and every exchange, in order."""

    path: Path
    header: Header
    exchanges: tuple[Exchange, ...]
    last_line: str = ""  # the last line the device printed (says what a recording without commands shows)


def read_recording(path: str | os.PathLike) -> Recorded:
    """Read and split ``path``; raises :class:`NotARecording` with one line saying why (the
    file and the line number, anything quoted from the file shown escaped)."""
    path = Path(path)
    header: Header | None = None
    splitter = Splitter()
    for number, line in _lines(path):
        entry = _entry(path, number, line)
        if "dir" not in entry:  # a header: a new session (another run appended to the file)
            splitter.finish()
            this = _header(path, number, entry)  # every header is checked: its names name files
            header = header or this
            continue
        if header is None:
            raise NotARecording(_not_a_recording(path, number, "the first line is not a recording header"))
        splitter.feed(entry["dir"], entry["data"], entry["t"])
    if header is None:
        raise NotARecording(_not_a_recording(path, 1, "it is empty"))
    splitter.finish()
    return Recorded(path, header, tuple(splitter.exchanges), splitter.last_line)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """The numbered non-blank lines of ``path``; a line over :data:`MAX_LINE` is refused unread."""
    try:
        with path.open("rb") as file:
            for number, line in enumerate(iter(lambda: file.readline(MAX_LINE + 1), b""), 1):
                if len(line) > MAX_LINE:
                    raise NotARecording(_not_a_recording(path, number, f"a line is longer than {MAX_LINE >> 20} MiB"))
                try:
                    text = line.decode("utf-8")
                except UnicodeDecodeError:
                    raise NotARecording(_not_a_recording(path, number, "a line is not UTF-8 text")) from None
                if text.strip():
                    yield number, text
    except OSError as error:
        why = shown(error.strerror or str(error))
        raise NotARecording(
            f"{shown(str(path))}: cannot read it ({why}); give a .jsonl file from reports/recordings/"
        ) from None


def _not_a_recording(path: Path, number: int, why: str) -> str:
    return (
        f"{shown(str(path))}: not a recording ({why}, line {number}); a recording is a .jsonl file "
        f"that starts with {{{', '.join(repr(k) for k in HEADER_KEYS)}}}"
    )


def _entry(path: Path, number: int, line: str) -> dict:
    try:
        entry = json.loads(line)
    except RecursionError:
        raise NotARecording(_not_a_recording(path, number, "a line nests too deep")) from None
    except ValueError:
        raise NotARecording(_not_a_recording(path, number, "a line is not JSON")) from None
    if not isinstance(entry, dict):
        raise NotARecording(_not_a_recording(path, number, "a line is not a JSON object"))
    if "dir" in entry:
        if (
            not isinstance(entry["dir"], str)
            or entry["dir"] not in DIRECTIONS
            or not isinstance(entry.get("data"), str)
        ):
            why = f"'dir' must be one of {', '.join(DIRECTIONS)} with text in 'data'"
            raise NotARecording(_not_a_recording(path, number, why))
        when = entry.get("t")
        if isinstance(when, bool) or not isinstance(when, int | float) or not 0 <= when < math.inf:
            raise NotARecording(_not_a_recording(path, number, "'t' must be seconds since 'started' (a number)"))
    return entry


def _header(path: Path, number: int, entry: dict) -> Header:
    missing = [key for key in HEADER_KEYS if not isinstance(entry.get(key), str)]
    if missing:
        raise NotARecording(_not_a_recording(path, number, f"the header lacks {', '.join(missing)}"))
    for key in ("chassis", "session"):
        if not NAME_RE.fullmatch(entry[key]) or ".." in entry[key]:
            why = f"the header's {key} '{shown(entry[key], 60)}' is not a name: letters, digits, '-', '_', '.'"
            raise NotARecording(_not_a_recording(path, number, why))
    return Header(*(entry[key] for key in HEADER_KEYS))
