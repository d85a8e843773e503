"""Read recordings into what a replayed device answers: per session, each command's outputs in
the order they were recorded, with the prompt that followed each, and the login banner.

A recording is JSON lines: a header ``{"chassis", "session", "transport", "started"}``, then
``{"t", "dir": "sent" | "received" | "note", "data"}``. A line sent while the device waited at
its prompt is a command; what was received from then to the next prompt is its answer.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: A prompt at the very end of received text: ``* XCM8810.12 # ``, ``Slot-1 NAME.3 > ``.
PROMPT_AT_END = re.compile(r"(?:^|(?<=[\r\n]))((?:\* )?(?:! )?(?:Slot-\d+ )?[\w\-.~()]+\.\d+ [#>] )\Z")
_PAGER = re.compile(r"Press <SPACE> to continue or <Q> to quit:[ \t]*(?:\r[ \t]*\r)?")
_PASSWORD_LINE = re.compile(r"[Pp]assword: ?$")
#: A chassis or session name: no ``/``, no ``..``, no escapes.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
#: The longest line a recording may have (the recorder writes a line per read of 64 KiB at most).
MAX_LINE = 8 << 20


class NotARecording(ValueError):
    """The file is not a recording; the message says which file and why, on one line."""


@dataclass(frozen=True)
class Answer:
    """What the device printed for one command (``\\r\\n`` lines, echo and prompt removed), and
    the prompt it showed after it."""

    output: str
    prompt: str


@dataclass
class Script:
    """Everything one recorded session answers."""

    chassis: str
    session: str
    banner: str = ""
    first_prompt: str = ""
    answers: dict[str, list[Answer]] = field(default_factory=lambda: defaultdict(list))

    def commands(self) -> int:
        return sum(len(a) for a in self.answers.values())


def command_key(line: str) -> str:
    """How a typed command is looked up: words separated by one blank."""
    return " ".join(line.split())


def load(paths: list[str | os.PathLike]) -> dict[str, Script]:
    """The scripts of ``paths`` by session name (``MSM-A``, ``MSM-B``, ``ssh``); files of the
    same session add to one script."""
    scripts: dict[str, Script] = {}
    for path in paths:
        for header, events in _sessions(Path(path)):
            name = header["session"]
            script = scripts.setdefault(name, Script(header["chassis"], name))
            _split(events, script)
    return scripts


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


def _sessions(path: Path) -> list[tuple[dict, list[tuple[str, str]]]]:
    sessions: list[tuple[dict, list[tuple[str, str]]]] = []
    for number, line in _numbered_lines(path):
        entry = _parsed(path, number, line)
        if "dir" not in entry:
            sessions.append((_checked_header(path, number, entry), []))
            continue
        _, direction, data = _checked_traffic(path, number, entry)
        if not sessions:
            raise _fail(path, number, "the first line is not a recording header")
        sessions[-1][1].append((direction, data))
    if not sessions:
        raise _fail(path, 1, "it is empty")
    return sessions


def _split(events: list[tuple[str, str]], script: Script) -> None:
    received, command, typing = "", None, None
    for direction, data in events:
        if direction == "received":
            received += data
            continue
        if direction != "sent":
            continue
        if typing is None:
            prompt = PROMPT_AT_END.search(received)
            if prompt is None:
                continue  # an answer to the pager, a question or login: part of the output
            if command is not None:
                script.answers[command].append(_answer(received, command, prompt.group(1)))
            elif not script.first_prompt:
                script.banner, script.first_prompt = _banner(received[: prompt.start()]), prompt.group(1)
            received, command, typing = "", None, ""
        typing += data
        if "\r" in typing or "\n" in typing:
            line = re.split(r"[\r\n]", typing, maxsplit=1)[0]
            command, typing = command_key("".join(c for c in line if c.isprintable())) or None, None
    prompt = PROMPT_AT_END.search(received)
    if command is not None and prompt is not None:
        script.answers[command].append(_answer(received, command, prompt.group(1)))


def _lines(text: str) -> list[str]:
    text = _PAGER.sub("", text).replace("\r\n", "\n").replace("\n\r", "\n")
    return [line.rstrip("\r") for line in text.split("\n")]


def _answer(raw: str, command: str, prompt: str) -> Answer:
    lines = _lines(raw[: len(raw) - len(prompt)])
    for index, line in enumerate(lines):  # the echo: the first line that is not blank
        if line.strip():
            if command_key(line).endswith(command):
                del lines[index]
            break
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return Answer("".join(line + "\r\n" for line in lines), prompt)


def _banner(before_prompt: str) -> str:
    lines = _lines(before_prompt)
    last_login = max((i for i, line in enumerate(lines) if _PASSWORD_LINE.search(line)), default=-1)
    lines = lines[last_login + 1 :]
    while lines and not lines[-1].strip():
        lines.pop()
    return "".join(line + "\r\n" for line in lines)
