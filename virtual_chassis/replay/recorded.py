"""Read recordings into what a replayed device answers: per session, each command's outputs in
the order they were recorded, with the prompt that followed each, and the login banner.

A recording is JSON lines: a header ``{"chassis", "session", "transport", "started"}``, then
``{"t", "dir": "sent" | "received" | "note", "data"}``. A line sent while the device waited at
its prompt is a command; what was received from then to the next prompt is its answer.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

#: A prompt at the very end of received text: ``* XCM8810.12 # ``, ``Slot-1 NAME.3 > ``.
PROMPT_AT_END = re.compile(r"(?:^|(?<=[\r\n]))((?:\* )?(?:! )?(?:Slot-\d+ )?[\w\-.~()]+\.\d+ [#>] )\Z")
_PAGER = re.compile(r"Press <SPACE> to continue or <Q> to quit:[ \t]*(?:\r[ \t]*\r)?")
_PASSWORD_LINE = re.compile(r"[Pp]assword: ?$")


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


def _fail(path: Path, number: int, why: str) -> NotARecording:
    return NotARecording(f"{path}: not a recording ({why}, line {number}); give a .jsonl file from reports/recordings/")


def _sessions(path: Path) -> list[tuple[dict, list[tuple[str, str]]]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise NotARecording(f"{path}: cannot read it ({error})") from None
    sessions: list[tuple[dict, list[tuple[str, str]]]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            raise _fail(path, number, "a line is not JSON") from None
        if not isinstance(entry, dict):
            raise _fail(path, number, "a line is not a JSON object")
        if "dir" not in entry:
            if not all(isinstance(entry.get(k), str) for k in ("chassis", "session", "transport", "started")):
                raise _fail(path, number, "the header lacks chassis, session, transport or started")
            sessions.append((entry, []))
        elif not sessions:
            raise _fail(path, number, "the first line is not a recording header")
        elif isinstance(entry.get("data"), str):
            sessions[-1][1].append((str(entry["dir"]), entry["data"]))
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
