"""Read recordings into what a replayed device answers: per session, a :class:`Track` of its
commands in the order they were recorded (:mod:`.track` splits them). Every line is checked:
a broken file stops the replay with one line naming the file and the line.

A recording is JSON lines: a header ``{"chassis", "session", "transport", "started"}``, then
``{"t", "dir": "sent" | "received" | "note", "data"}``. A line sent while the device waited at
its prompt is a command; what was received from then to the next prompt is its answer.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from .track import Event, Track, add_steps

#: A chassis or session name: no ``/``, no ``..``, no escapes.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
#: The longest line a recording may have (the recorder writes a line per read of 64 KiB at most).
MAX_LINE = 8 << 20


class NotARecording(ValueError):
    """The file is not a recording; the message says which file and why, on one line."""


def load(paths: Sequence[str | os.PathLike]) -> dict[str, Track]:
    """The tracks of ``paths`` by session name (``MSM-A``, ``MSM-B``, ``ssh``); files of the
    same session continue one track, in the order given."""
    tracks: dict[str, Track] = {}
    for path in paths:
        for header, events in _sessions(Path(path)):
            name = header["session"]
            track = tracks.setdefault(name, Track(header["chassis"], name, str(path)))
            add_steps(events, track)
    return tracks


def escaped(text: str, limit: int = 80) -> str:
    """``text`` safe to print: control characters and escapes written escaped, cut at ``limit``."""
    cut = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text[:limit])
    return cut + ("..." if len(text) > limit else "")


def _fail(path: Path, number: int, why: str) -> NotARecording:
    return NotARecording(
        f"{escaped(str(path), 200)}: not a recording ({why}, line {number}); give a .jsonl file from reports/recordings/"
    )


def _numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The non-blank lines of ``path`` with their numbers; a line over :data:`MAX_LINE` is refused unread."""
    try:
        with path.open("rb") as file:
            for number, line in enumerate(iter(lambda: file.readline(MAX_LINE + 1), b""), 1):
                if len(line) > MAX_LINE:
                    raise _fail(path, number, f"a line is longer than {MAX_LINE >> 20} MiB")
                try:
                    text = line.decode("utf-8")
                except UnicodeDecodeError:
                    raise _fail(path, number, "a line is not UTF-8 text") from None
                if text.strip():
                    yield number, text
    except OSError as error:
        raise NotARecording(f"{escaped(str(path), 200)}: cannot read it ({escaped(str(error.strerror))})") from None


def _parsed(path: Path, number: int, line: str) -> dict:
    try:
        entry = json.loads(line)
    except RecursionError:
        raise _fail(path, number, "a line nests too deep") from None
    except ValueError:
        raise _fail(path, number, "a line is not JSON") from None
    if not isinstance(entry, dict):
        raise _fail(path, number, "a line is not a JSON object")
    return entry


def _checked_header(path: Path, number: int, entry: dict) -> dict:
    if not all(isinstance(entry.get(k), str) for k in ("chassis", "session", "transport", "started")):
        raise _fail(path, number, "the header lacks chassis, session, transport or started")
    for key in ("chassis", "session"):
        if not _NAME.fullmatch(entry[key]) or ".." in entry[key]:
            raise _fail(path, number, f"the header's {key} '{escaped(entry[key])}' is not a name")
    return entry


def _checked_traffic(path: Path, number: int, entry: dict) -> tuple[float, str, str]:
    when, direction, data = entry.get("t"), entry.get("dir"), entry.get("data")
    if not isinstance(direction, str) or direction not in ("sent", "received", "note") or not isinstance(data, str):
        raise _fail(path, number, "'dir' must be sent, received or note with text in 'data'")
    if isinstance(when, bool) or not isinstance(when, int | float) or not 0 <= when < math.inf:
        raise _fail(path, number, "'t' must be seconds since 'started' (a number)")
    return float(when), direction, data


def _sessions(path: Path) -> list[tuple[dict, list[Event]]]:
    sessions: list[tuple[dict, list[Event]]] = []
    for number, line in _numbered_lines(path):
        entry = _parsed(path, number, line)
        if "dir" not in entry:
            sessions.append((_checked_header(path, number, entry), []))
            continue
        when, direction, data = _checked_traffic(path, number, entry)
        if not sessions:
            raise _fail(path, number, "the first line is not a recording header")
        sessions[-1][1].append((when, direction, data, number))
    if not sessions:
        raise _fail(path, 1, "it is empty")
    return sessions
