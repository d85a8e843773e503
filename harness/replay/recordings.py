"""Read a recording (``drivers.recording``) back: its header, and the commands sent at a prompt
with what the device printed for each, up to the next prompt.

Splitting follows the device, not the harness's notes, so a recording made by another tool
(or typed by hand, one key at a time) splits the same way: a line sent while the device waited
at its prompt is a command; everything received from then to the next prompt is its output. A
line sent at anything else (a pager, a ``(y/N)`` question, ``login:``) belongs to the output of
the command before it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from drivers.cleaning import Cleaned, clean_output
from drivers.prompt import find_login, find_prompt
from harness.errors import HilError

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
class Exchange:
    """One command and what the device printed for it.

    ``raw`` is the received text from the command's echo to the prompt that ended it (that
    prompt included); ``prompt`` is that prompt, or None when the output was cut off (a reboot,
    a dropped link, the end of the recording).
    """

    command: str
    raw: str
    prompt: str | None

    @property
    def cleaned(self) -> Cleaned:
        """The output as the session would have returned it (echo, prompt, pager, logs removed)."""
        return clean_output(self.raw, self.command)


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
    splitter = _Splitter()
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


class _Splitter:
    """Cuts the traffic of one session into exchanges at the device's prompts."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self._received = ""  # since the current command was started (or since the last prompt)
        self._command: str | None = None  # the command whose output is being received
        self._typing: str | None = None  # a line being sent at a prompt, until its line end
        self.last_line = ""

    def feed(self, direction: str, data: str) -> None:
        if direction == "received":
            self._received += data
            lines = [line for line in data.replace("\r", "\n").split("\n") if line.strip()]
            self.last_line = lines[-1] if lines else self.last_line
        elif direction == "sent":
            self._sent(data)

    def _sent(self, data: str) -> None:
        if self._typing is None:
            if find_prompt(self._received) is None:
                return  # an answer to a pager, a question or login: part of the output
            self._end(prompted=True)
            self._typing = ""
        self._typing += data
        for end in ("\r", "\n"):
            if end in self._typing:
                line = self._typing.split(end, 1)[0]
                self._typing = None
                command = "".join(char for char in line if char.isprintable()).strip()
                self._command = command or None
                return

    def _end(self, prompted: bool) -> None:
        """The current command's output ends here (at a prompt, or cut off)."""
        if self._command is not None:
            prompt = find_prompt(self._received) if prompted else None
            self.exchanges.append(Exchange(self._command, self._received, prompt.text if prompt else None))
        self._command = None
        self._received = ""

    def finish(self) -> None:
        """The session ended (end of file, or another session's header follows)."""
        at_prompt = find_prompt(self._received) is not None and find_login(self._received) is None
        self._end(prompted=at_prompt)
        self._typing = None
