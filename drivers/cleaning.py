"""One output-cleaning pipeline for everything the device prints: used by the session for each
command's output and by every parser of the harness.

What a terminal shows for a line (``\\r`` returns to column 0 and overwrites, backspaces erase,
ANSI escapes and control characters vanish), the pager prompt and its erasure removed, console
log lines moved out (also one glued to the end of an output line), error lines collected.
Pure functions; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from drivers.prompt import ANSI_RE, HINT_SPAN, LOG_RE, PAGER_ERASE_RE, PAGER_TEXT, has_control, is_prompt, joined_lines

#: A line the device prints instead of output: ``Error: ...``, ``%% Invalid input ...``, ``% ...``.
ERROR_RE = re.compile(r"^\s*(?:Error:|%%|% )")
#: Control characters and U+FFFD (an undecodable byte: the device prints ASCII, so it is line noise).
_CONTROL_RE = re.compile(r"[\x00-\x07\x0b-\x0c\x0e-\x1f\x7f\ufffd]")
#: What makes a line need more than a strip: escapes, \r, backspace, control characters, noise.
_NEEDS_WORK_RE = re.compile(r"[\x00-\x1f\x7f\ufffd]")
#: Chunks up to this long are searched for hints with the carry in one piece (a copy is cheap).
_SEARCH_WHOLE = 16384


def split_log(line: str) -> tuple[str, str | None]:
    """Split a clean line into (text before a log line, the log line or None)."""
    if "<" not in line:  # every log line has its <Severity:Component>; most lines are not one
        return line, None
    match = LOG_RE.search(line)
    if match is None:
        return line, None
    return line[: match.start()], match.group(0).rstrip()


def _overlay(line: str) -> str:
    """What a terminal shows: ``\\r`` returns to column 0 and overwrites, backspace moves left."""
    shown: list[str] = []
    column = 0
    for char in line:
        if char == "\r":
            column = 0
        elif char == "\b":
            column = max(0, column - 1)
        else:
            shown[column : column + 1] = char
            column += 1
    return "".join(shown)


def resolve_line(line: str) -> str:
    """One line as a terminal shows it: no ANSI escapes, control characters or undecodable
    bytes; ``\\r`` and backspace overwrite (``Progress 50%\\rDone`` shows ``Doneress 50%``)."""
    if line.endswith("\r"):  # the usual CR LF line
        line = line[:-1]
        if not _NEEDS_WORK_RE.search(line):
            return line if line.strip() else ""
    elif not _NEEDS_WORK_RE.search(line):
        return line
    body = line
    body = ANSI_RE.sub("", body)
    if "\r" in body or "\b" in body:
        body = _overlay(body)
    body = _CONTROL_RE.sub("", body)
    return body if body.strip() else ""


class LineSplitter:
    """Turns chunks of received text into complete clean lines, whatever the chunk boundaries.

    With ``only`` (e.g. :func:`~drivers.prompt.may_hold_event`), the lines a chunk completed are
    resolved and returned only when their raw text may hold what it looks for. The work is
    linear in what is fed, however it is cut: each chunk is searched once where it lies (plus
    a few characters carried over a boundary), and a line is joined once, when its end arrives.
    """

    def __init__(self, only: Callable[[str], bool] | None = None) -> None:
        self._only = only
        self._parts: list[str] = []  # the line begun and not ended yet, as it came
        self._hinted = False  # ``only`` matched in that line already
        self._carry = ""  # its last characters: a hint cut by a chunk boundary

    def feed(self, text: str) -> list[str]:
        """Add text; return the lines it completed (resolved, without line endings)."""
        end = text.rfind("\n")
        if end < 0:
            if text:
                self._parts.append(text)
                self._hinted = self._hinted or self._looks(text, len(text))
            return []
        hinted = self._hinted or self._looks(text, end)
        head, self._parts = self._parts, []
        rest = text[end + 1 :]
        self._carry, self._hinted = "", False
        if rest:
            self._parts.append(rest)
            self._hinted = self._looks(rest, len(rest))
        if not hinted:
            return []
        head.append(text[:end])
        return [resolve_line(line) for line in "".join(head).split("\n")]

    def _looks(self, text: str, end: int) -> bool:
        """Does ``only`` match in the line so far plus ``text[:end]``? Keeps the carry up to date.

        A long chunk is not copied: the seam (the carry and the chunk's first characters, where
        a hint cut by the boundary lies) and the whole chunk are searched apart; a hint after
        ``end`` only makes the completed lines go through ``split_log`` and ``is_boot_line``."""
        if self._only is None:
            return True
        if len(text) <= _SEARCH_WHOLE:
            found = self._only(self._carry + text[:end])
        else:
            found = self._only(self._carry + text[:HINT_SPAN]) or self._only(text)
        self._carry = (self._carry + text[max(0, end - HINT_SPAN) : end])[-HINT_SPAN:]
        return found


class Cleaned(NamedTuple):
    """Command output after cleaning."""

    output: str
    log_lines: tuple[str, ...]
    errors: tuple[str, ...]


def _lines_of(raw: str) -> list[str]:
    # each step only when its mark is there: `in` runs at memchr speed, a substitution copies
    if "\x1b" in raw:
        raw = ANSI_RE.sub("", raw)
    if PAGER_TEXT in raw:
        raw = PAGER_ERASE_RE.sub("", raw)
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n")
        if "\n\r" in raw:
            raw = raw.replace("\n\r", "\n")
    if not has_control(raw):  # the usual case: every line is clean
        return raw.split("\n")
    return [resolve_line(line) for line in raw.split("\n")]


def clean_lines(raw: str) -> tuple[list[str], list[str]]:
    """The lines a terminal shows for ``raw`` (pager prompts and their erasure removed), and the
    console log lines moved out of them (a log line that cut an output line in two is stitched)."""
    return _pull_logs(_lines_of(raw), "<" in raw)


def error_lines(lines: list[str]) -> tuple[str, ...]:
    """The lines where the device answered with an error instead of output."""
    return tuple(line.strip() for line in lines if ERROR_RE.match(line))


def _pull_logs(lines: list[str], maybe: bool) -> tuple[list[str], list[str]]:
    """Move log lines out; a log line that cut an output line in two is stitched back.

    ``maybe`` is False when the raw text has no ``<``: every log line has its <Severity:Component>.
    """
    kept: list[str] = []
    logs: list[str] = []
    if not maybe:
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
    plain = _plain_output(raw, command)
    return plain if plain is not None else clean_by_lines(raw, command)


def _plain_output(raw: str, command: str | None) -> Cleaned | None:
    """The usual output cleaned without splitting it into lines and joining them again: the
    echo, plain lines, the prompt. None when anything else is there (escapes, the pager, a
    ``<`` that may start a log line, a lone ``\\r``, a blank first line, no prompt at the end):
    :func:`clean_by_lines` cleans those, and gives the same result for this one.

    It works on the bytes CR LF joining gives, by positions, and decodes the output once: a
    long output is copied four times in all, not seven."""
    if "<" in raw or PAGER_TEXT in raw or not raw.isascii():
        return None
    text = joined_lines(raw.encode("ascii"))  # None for escapes, a lone CR, any other control character
    if text is None:
        return None
    cut = text.rfind(b"\n")
    if not is_prompt(text[cut + 1 :].decode("ascii")):
        return None
    stop = max(cut, 0)  # the output is text[start:stop]
    end = text.find(b"\n", 0, stop)
    first = text[: stop if end < 0 else end]
    if not first.strip():
        return None
    start, wanted = 0, (command or "").strip()
    if wanted and first.rstrip().endswith(wanted.encode()):
        start = stop if end < 0 else end + 1
    start, stop = _without_blank_ends(text, start, stop)
    output = str(memoryview(text)[start:stop], "ascii")
    errors = error_lines(output.split("\n")) if "Error:" in output or "%" in output else ()
    return Cleaned(output, (), errors)


def _without_blank_ends(text: bytes, start: int, stop: int) -> tuple[int, int]:
    """Where ``text[start:stop]`` begins and ends once its leading and trailing blank (or
    all-blank) lines are left out."""
    while True:
        end = text.find(b"\n", start, stop)
        if text[start : stop if end < 0 else end].strip():
            break
        if end < 0:
            return start, start
        start = end + 1
    while True:
        cut = text.rfind(b"\n", start, stop)
        if cut < 0 or text[cut + 1 : stop].strip():
            return start, stop
        stop = cut


def clean_by_lines(raw: str, command: str | None = None) -> Cleaned:
    """:func:`clean_output` line by line: what any output needs (public for the test that holds
    the quick way to the same results)."""
    lines = _lines_of(raw)
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and is_prompt(lines[-1]):
        lines.pop()
    lines, logs = _pull_logs(lines, "<" in raw)
    lines = _drop_echo(lines, command)
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    while len(lines) > start and not lines[-1].strip():
        lines.pop()
    output = "\n".join(lines[start:])
    # most outputs have no error mark at all: one search of the text, not a regex per line
    errors = error_lines(lines[start:]) if "Error:" in output or "%" in output else ()
    return Cleaned(output, tuple(logs), errors)
