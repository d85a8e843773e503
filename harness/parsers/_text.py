"""Shared by the parsers: turning raw session text into clean output lines, and TextFSM.

Raw text may still hold what surrounds a command's output on the wire: the prompt and the
echoed command, console log lines (anywhere, even glued to the end of an output line), the
pager prompt and its erasure with carriage returns, ANSI escapes, ``\\r\\n`` line ends and
trailing blanks. :func:`output_lines` removes all of that; the parsers see only output lines.
"""

from __future__ import annotations

import io
import re
import threading
from importlib import resources

import textfsm

from drivers.prompt import ANSI_RE, LOG_RE, PAGER_TEXT

from harness.errors import ParseError

# MM/DD/YYYY hh:mm:ss.cc <Sev:Component.Condition> ... up to the end of the line.
LOG_LINE = LOG_RE
PROMPT_LINE = re.compile(r"^\s*(?:\* )?(?:! )?[\w.~-]+\.\d+ [#>](?: .*)?$")
PAGER = re.compile(re.escape(PAGER_TEXT))
ANSI = ANSI_RE
DEVICE_ERROR = re.compile(r"^\s*(?:Error:|%%|% )")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")


def echo_pattern(word: str) -> re.Pattern:
    """Regex for the echo of ``show <word> [arg]`` with EXOS abbreviations (``sh sw``)."""
    return re.compile(rf"^\s*sh(?:o|ow)?\s+{re.escape(word[:2])}[\w-]*(?:\s+\S+)?\s*$")


def _overlay(line: str) -> str:
    """What a terminal shows for ``line``: each ``\\r`` returns to column 0 and overwrites."""
    if "\r" not in line:
        return line
    shown: list[str] = []
    for segment in line.split("\r"):
        shown[: len(segment)] = segment
    return "".join(shown)


def _strip_log(line: str) -> str:
    """``line`` without a console log line in it (the text before a glued log line stays)."""
    match = LOG_LINE.search(line)
    return line if match is None else line[: match.start()]


def _physical_lines(text: str) -> list[str]:
    """Split wire text into the lines a terminal would show, escapes and pager removed."""
    text = ANSI.sub("", text.replace("\r\n", "\n"))
    text = PAGER.sub("", text)
    lines: list[str] = []
    for raw in text.split("\n"):
        lines.extend(_CONTROL.sub("", _overlay(raw)).splitlines() or [""])
    return lines


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
    for line in _physical_lines(text):
        line = _strip_log(line).rstrip()
        if not line.strip() or PROMPT_LINE.match(line):
            continue
        if echo is not None and echo.match(line):
            continue
        if DEVICE_ERROR.match(line):
            raise ParseError(command, line, "the device answered with an error instead of output")
        lines.append(line)
    if not lines:
        raise ParseError(command, "", "the output is empty")
    return lines


class Template:
    """A TextFSM template from ``harness/templates/``, read and compiled once."""

    def __init__(self, name: str):
        self.name = name
        source = resources.files("harness").joinpath("templates", name).read_text("utf-8")
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
