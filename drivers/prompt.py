"""What the XCM8800 CLI prints, recognised by shape: prompts, login, pager, log and boot lines.

Pure functions over text; no I/O. Patterns are compiled once at import. The prompt is
recognised by its shape only (``[* ][! ]<SysName>.<n> # ``), never by hostname, and only in
the tail of the buffer, so a long command output costs the same as a short one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

#: How much of the end of a buffer is searched for a prompt, a question or the pager.
TAIL = 256

_LINE_START = r"(?:(?<=[\r\n])|^)"

PROMPT_RE = re.compile(
    _LINE_START
    + r"(?P<unsaved>\* )?(?P<recovery>! )?(?P<sysname>\(?[\w\-.~]+\)?)\.(?P<counter>\d+) "
    r"(?P<mode>[#>]) \Z"
)
LOGIN_RE = re.compile(_LINE_START + r"(?P<pending>\(pending-AAA\) )?login: ?\Z")
PASSWORD_RE = re.compile(_LINE_START + r"[Pp]assword: ?\Z")
LOGIN_INCORRECT_RE = re.compile(r"^Login incorrect", re.M)
PAGER_TEXT = "Press <SPACE> to continue or <Q> to quit:"
PAGER_RE = re.compile(re.escape(PAGER_TEXT) + r"[ \t]*\Z")
#: The pager prompt plus the ``\r`` + blanks + ``\r`` the device uses to erase it.
PAGER_ERASE_RE = re.compile(re.escape(PAGER_TEXT) + r"[ \t]*(?:\r[ \t]*\r)?")
LOG_RE = re.compile(
    r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}\.\d{2} <[A-Za-z]+:[^>\s]+> \S.*"
)
#: Lines of reboot and boot text (``BootROM 1.0.1.3``, not ``show version``'s ``BootROM:``).
_BOOT_LINE = (
    r"(?:Rebooting\s*\.*\s*"
    r"|.*\bBootROM \d[\w.]*.*"
    r"|Starting \S+ image\b.*"
    r"|Loading XCM8800\b.*)$"
)
BOOT_RE = re.compile("^" + _BOOT_LINE)
_BOOT_STARTS = ("Rebooting", "Starting ", "Loading XCM8800")
#: The same lines anywhere in raw received text (lines may start with ``\r``).
_BOOT_IN_TEXT_RE = re.compile(r"^\r*" + _BOOT_LINE, re.M)
ERROR_RE = re.compile(r"^(?:Error:|%%)")
ANSI_RE = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[=>78DEHM])")
#: Control characters and U+FFFD (an undecodable byte: the device prints ASCII, so it is line noise).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f\ufffd]")
#: U+FFFD, what an undecodable byte becomes: the fast paths leave lines with it to the full way.
_NOISE = "\ufffd"
_CR_OR_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffd]")
#: Text that may hold a log line or a line of boot text (a cheap test before looking line by line).
EVENT_HINT_RE = re.compile(r"<[A-Za-z]+:|Rebooting|BootROM |Starting |Loading XCM8800")


@dataclass(frozen=True)
class Prompt:
    """A parsed CLI prompt such as ``* XCM8810.12 # ``."""

    text: str
    sysname: str
    counter: int
    unsaved: bool
    recovery: bool
    admin: bool


def _prompt_from(match: re.Match[str]) -> Prompt:
    return Prompt(
        text=match.group(0),
        sysname=match["sysname"],
        counter=int(match["counter"]),
        unsaved=bool(match["unsaved"]),
        recovery=bool(match["recovery"]),
        admin=match["mode"] == "#",
    )


def parse_prompt(text: str) -> Prompt | None:
    """Parse one prompt string (``"XCM8810.3 # "``); None when it is not prompt-shaped."""
    match = PROMPT_RE.fullmatch(text)
    return _prompt_from(match) if match else None


def _end_before_logs(buffer: str) -> int:
    """Where the text ends once complete log lines at the very end are left out.

    A console prints log lines whenever they happen, also right after a prompt.
    """
    end, dropped = len(buffer), False
    while True:
        body_end = end
        while body_end and buffer[body_end - 1] in "\r\n":
            body_end -= 1
        if body_end == end:
            return end
        start = max(buffer.rfind("\n", 0, body_end), buffer.rfind("\r", 0, body_end)) + 1
        if not LOG_RE.search(buffer, start, body_end):
            return body_end if dropped else end
        end, dropped = start, True


def _search_end(pattern: re.Pattern[str], buffer: str) -> re.Match[str] | None:
    """``pattern`` (anchored with ``\\Z``, no line break in it) at the end of the buffer, log
    lines after it ignored. Only the last line is searched: that is where such a match starts."""
    end = _end_before_logs(buffer)
    line = max(buffer.rfind("\n", 0, end), buffer.rfind("\r", 0, end)) + 1
    return pattern.search(buffer, max(line, end - TAIL), end)


def find_prompt(buffer: str) -> Prompt | None:
    """The prompt the device is waiting at, if the buffer ends with one (log lines after it ignored)."""
    match = _search_end(PROMPT_RE, buffer)
    return _prompt_from(match) if match else None


def find_login(buffer: str) -> str | None:
    """``"login"``, ``"pending-aaa"`` or ``"password"`` when the buffer ends with that prompt.

    Log lines the console printed after the prompt are ignored.
    """
    match = _search_end(LOGIN_RE, buffer)
    if match:
        return "pending-aaa" if match["pending"] else "login"
    if _search_end(PASSWORD_RE, buffer):
        return "password"
    return None


def at_pager(buffer: str) -> bool:
    """True when the buffer ends with the pager prompt (the device waits for SPACE or q)."""
    return _search_end(PAGER_RE, buffer) is not None


def is_boot_line(line: str) -> bool:
    """True for a line of reboot/boot text (``Rebooting ...``, BootROM banner, image start)."""
    if "BootROM " not in line and not line.startswith(_BOOT_STARTS):  # most lines: no regex
        return False
    return BOOT_RE.match(line) is not None


def find_boot_start(text: str) -> int | None:
    """Where the first line of reboot/boot text begins in raw received text, or None."""
    match = _BOOT_IN_TEXT_RE.search(text)
    return match.start() if match else None


def split_log(line: str) -> tuple[str, str | None]:
    """Split a clean line into (text before a log line, the log line or None)."""
    if "<" not in line:  # every log line has its <Severity:Component>; most lines are not one
        return line, None
    match = LOG_RE.search(line)
    if match is None:
        return line, None
    return line[: match.start()], match.group(0).rstrip()


def resolve_line(line: str) -> str:
    """One clean line: no ANSI escapes, control characters or undecodable bytes; ``\\r``
    overwrites like a terminal.

    Of the ``\\r``-separated pieces the last non-blank one is what a terminal shows in the
    cases the device produces (erased pager prompt, a log line after ``\\r``).
    """
    if line.endswith("\r"):  # the usual CR LF line: resolved at once when nothing else is in it
        body = line[:-1]
        if body.isprintable() and _NOISE not in body:
            return body if body.strip() else ""
    elif line.isprintable() and _NOISE not in line:  # no escape, \r, control character or noise
        return line
    line = ANSI_RE.sub("", line)
    if "\r" in line:
        pieces = [piece for piece in line.split("\r") if piece.strip()]
        line = pieces[-1] if pieces else ""
    return _CONTROL_RE.sub("", line)


class LineSplitter:
    """Turns chunks of received text into complete clean lines, whatever the chunk boundaries.

    With ``only`` (e.g. :data:`EVENT_HINT_RE`), the lines a chunk completed are resolved and
    returned only when their raw text matches it: one search instead of work on every line.
    """

    def __init__(self, only: re.Pattern[str] | None = None) -> None:
        self._partial = ""
        self._only = only

    def feed(self, text: str) -> list[str]:
        """Add text; return the lines it completed (resolved, without line endings)."""
        data = self._partial + text
        *complete, self._partial = data.split("\n")
        if self._only is not None and not self._only.search(data, 0, len(data) - len(self._partial)):
            return []
        return [resolve_line(line) for line in complete]


class Cleaned(NamedTuple):
    """Command output after cleaning."""

    output: str
    log_lines: tuple[str, ...]
    errors: tuple[str, ...]


def _lines_of(raw: str) -> list[str]:
    raw = PAGER_ERASE_RE.sub("", ANSI_RE.sub("", raw))
    raw = raw.replace("\r\n", "\n").replace("\n\r", "\n")
    if not _CR_OR_CONTROL_RE.search(raw):  # the usual case: every line is clean already
        return raw.split("\n")
    return [resolve_line(line) for line in raw.split("\n")]


def _pull_logs(lines: list[str]) -> tuple[list[str], list[str]]:
    """Move log lines out; a log line that cut an output line in two is stitched back."""
    kept: list[str] = []
    logs: list[str] = []
    if not any("<" in line for line in lines):  # every log line has its <Severity:Component>
        return lines, logs
    carry = ""
    for line in lines:
        before, log = split_log(carry + line)
        if log is None:
            kept.append(before)
            carry = ""
        else:
            logs.append(log)
            carry = before
    if carry:
        kept.append(carry)
    return kept, logs


def _drop_echo(lines: list[str], command: str | None) -> list[str]:
    wanted = (command or "").strip()
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if wanted and line.rstrip().endswith(wanted):
            return lines[:index] + lines[index + 1 :]
        return lines
    return lines


def clean_output(raw: str, command: str | None = None) -> Cleaned:
    """Clean what the device printed for ``command``: the text between sending it and the prompt.

    Removes the echoed command, the final prompt, ``\\r``, pager prompts and their erase
    sequences, ANSI escapes; moves log lines out into their own list; collects error lines.
    """
    lines = _lines_of(raw)
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and parse_prompt(lines[-1]) is not None:
        lines.pop()
    lines, logs = _pull_logs(lines)
    lines = _drop_echo(lines, command)
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    output = "\n".join(lines)
    errors = ()
    if "Error:" in output or "%%" in output:
        errors = tuple(line.strip() for line in lines if ERROR_RE.match(line.lstrip()))
    return Cleaned(output, tuple(logs), errors)
