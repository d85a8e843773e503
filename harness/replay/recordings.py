"""Read a recording (``drivers.recording``) back: its header, and the commands sent at a prompt
with what the device printed for each (:mod:`harness.replay.splitting` cuts them).

Splitting follows the device, not the harness's notes, so a recording made by another tool
(or typed by hand, one key at a time) splits the same way.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HilError
from harness.replay.splitting import Exchange, Splitter

HEADER_KEYS = ("chassis", "session", "transport", "started")
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
    """Read and split ``path``; raises :class:`NotARecording` with one line saying why."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise NotARecording(f"{path}: cannot read it ({error}); give a .jsonl file from reports/recordings/") from None
    header: Header | None = None
    splitter = Splitter()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        entry = _entry(path, number, line)
        if "dir" not in entry:  # a header: a new session (another run appended to the file)
            splitter.finish()
            header = header or _header(path, number, entry)
            continue
        if header is None:
            raise NotARecording(_not_a_recording(path, number, "the first line is not a recording header"))
        splitter.feed(entry["dir"], entry["data"])
    if header is None:
        raise NotARecording(_not_a_recording(path, 1, "it is empty"))
    splitter.finish()
    return Recorded(path, header, tuple(splitter.exchanges), splitter.last_line)


def _not_a_recording(path: Path, number: int, why: str) -> str:
    return (
        f"{path}: not a recording ({why}, line {number}); a recording is a .jsonl file "
        f"that starts with {{{', '.join(repr(k) for k in HEADER_KEYS)}}}"
    )


def _entry(path: Path, number: int, line: str) -> dict:
    try:
        entry = json.loads(line)
    except ValueError:
        raise NotARecording(_not_a_recording(path, number, "a line is not JSON")) from None
    if not isinstance(entry, dict):
        raise NotARecording(_not_a_recording(path, number, "a line is not a JSON object"))
    if "dir" in entry and (entry["dir"] not in DIRECTIONS or not isinstance(entry.get("data"), str)):
        raise NotARecording(_not_a_recording(path, number, f"'dir' must be one of {', '.join(DIRECTIONS)} with text"))
    return entry


def _header(path: Path, number: int, entry: dict) -> Header:
    missing = [key for key in HEADER_KEYS if not isinstance(entry.get(key), str)]
    if missing:
        raise NotARecording(_not_a_recording(path, number, f"the header lacks {', '.join(missing)}"))
    return Header(*(entry[key] for key in HEADER_KEYS))
