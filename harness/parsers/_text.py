"""Shared by the parsers: the output lines of a command out of raw session text, and TextFSM.

Raw text may still hold what surrounds a command's output on the wire: the prompt and the
echoed command, console log lines, the pager prompt and its erasure, ANSI escapes. The
terminal-level cleaning is the drivers' one pipeline (:mod:`drivers.cleaning`), the same the
session uses; here only the prompt and echo lines are dropped and an error answer is refused.
"""

from __future__ import annotations

import io
import re
import threading
from importlib import resources

import textfsm

from drivers.cleaning import ERROR_RE, clean_lines
from harness.errors import ParseError

PROMPT_LINE = re.compile(r"^\s*(?:\* )?(?:! )?(?:Slot-\d+ )?[\w.~-]+\.\d+ [#>](?: .*)?$")


def echo_pattern(word: str) -> re.Pattern:
    """Regex for the echo of ``show <word> [arg]`` with EXOS abbreviations (``sh sw``)."""
    return re.compile(rf"^\s*sh(?:o|ow)?\s+{re.escape(word[:2])}[\w-]*(?:\s+\S+)?\s*$")


def output_lines(text: object, command: str, echo: re.Pattern | None = None) -> list[str]:
    """The non-blank output lines of ``command`` in ``text``, right-stripped.

    Raises :class:`ParseError` when there are none, when the device answered with an error
    (``Error: ...``, ``%% ...``), or when ``text`` is not text.
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", "replace")
    if not isinstance(text, str):
        raise ParseError(command, "", f"expected text, got {type(text).__name__}")
    lines = []
    for line in clean_lines(text)[0]:
        line = line.rstrip()
        if not line.strip() or PROMPT_LINE.match(line):
            continue
        if echo is not None and echo.match(line):
            continue
        if ERROR_RE.match(line):
            raise ParseError(command, line, "the device answered with an error instead of output")
        lines.append(line)
    if not lines:
        raise ParseError(command, "", "the output is empty")
    return lines


class Template:
    """A TextFSM template from ``harness/parsers/templates/``, read and compiled once."""

    def __init__(self, name: str):
        self.name = name
        source = resources.files("harness.parsers").joinpath("templates", name).read_text("utf-8")
        self._fsm = textfsm.TextFSM(io.StringIO(source))
        self._lock = threading.Lock()

    def parse(self, lines: list[str], command: str) -> list[dict[str, str]]:
        """Run the template over ``lines``; a template ``Error`` becomes :class:`ParseError`."""
        with self._lock:
            self._fsm.Reset()
            try:
                return self._fsm.ParseTextToDicts("\n".join(lines))
            except textfsm.TextFSMError as exc:
                raise ParseError(command, _input_line(str(exc)), "unexpected line") from exc


def _input_line(message: str) -> str:
    """The device line quoted in a TextFSM error message."""
    found = re.search(r"Input Line: (.*)$", message, re.S)
    if found is None:
        return ""
    line = found.group(1)
    return line[:-1] if message.startswith("Error:") and line.endswith(".") else line


def integer(value: str, command: str, line: str = "") -> int:
    """``value`` as an int, or :class:`ParseError`."""
    try:
        return int(value)
    except ValueError:
        raise ParseError(command, line or value, f"{value!r} is not a number") from None


def unique(records: list, key: str, command: str) -> list:
    """``records`` unchanged, or a ParseError when two share the field ``key`` (output run twice)."""
    seen: set[str] = set()
    for record in records:
        value = getattr(record, key)
        if value in seen:
            raise ParseError(command, value, f"the {key} is listed twice")
        seen.add(value)
    return records
