"""Cut one session's traffic into exchanges at the device's prompts and at the session's ends.

A line sent while the device waits at its prompt is a command; what it prints from then to the
next prompt is its output. A line sent at anything else (a pager, a ``(y/N)`` question) belongs
to the output. The session ends where the traffic says so, whatever tool recorded it:

- OpenSSH's own lines: ``Connection to HOST closed.``, ``Disconnected from HOST port N``,
  ``Received disconnect from ...``, ``Connection closed by ...``, ``kex_exchange_identification``;
- a console reset: the reboot and boot text (``Rebooting ...``, the BootROM banner);
- a new login: something sent at ``login:`` or a password prompt (``user@host's password:``);
- the end of the recording (or another session's header).

An output that a prompt ended before the end is whole; one that the end cut is ``cut off``,
with the reason (:attr:`Exchange.cut`). Linear in the traffic however it is cut: the text of
one exchange is joined once, and prompts and logins are searched in a bounded tail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drivers.cleaning import Cleaned, clean_output
from drivers.prompt import find_boot_start, find_login, find_prompt

#: What OpenSSH prints when the connection ends or cannot be made again.
SSH_END_RE = re.compile(
    r"Connection to \S+ closed(?: by remote host)?\."
    r"|Received disconnect from \S+"
    r"|Disconnected from \S+ port \d+"
    r"|Connection (?:closed|reset) by \S+"
    r"|kex_exchange_identification: "
    r"|client_loop: send disconnect"
)
#: OpenSSH's password prompt (``admin@10.0.0.1's password: ``), a whole last line.
SSH_PASSWORD_RE = re.compile(r"\S+@\S+'s password: ?")
_BOOT_HINTS = ("Rebooting", "BootROM ", "Starting ", "Loading XCM8800")
#: How much of the received text is kept for finding a prompt or a login at its end.
TAIL = 4096
#: How much of the previous chunk is searched again (a marker cut by a chunk boundary).
CARRY = 80
#: Undecodable bytes as the transcript writes them (``\\x98``): line noise, as the session saw it.
_NOISE_RE = re.compile(r"\\x[89a-f][0-9a-f]")

SSH_ENDED, CONSOLE_RESET, NEW_LOGIN, RECORDING_ENDS = (
    "the session ended",
    "the console reset",
    "a new login began",
    "the recording ends",
)


@dataclass(frozen=True)
class Exchange:
    """One command and what the device printed for it.

    ``raw`` is the received text from the command's echo to the prompt that ended it (that
    prompt included); ``prompt`` is that prompt, or None when the output was cut off, and then
    ``cut`` says by what (``the session ended: 'Connection to 10.0.0.1 closed.'``).
    """

    command: str
    raw: str
    prompt: str | None
    cut: str = ""
    at: float = 0.0  # when the command was sent (the recording's ``t``)

    @property
    def cleaned(self) -> Cleaned:
        """The output as the session would have returned it (echo, prompt, pager, logs removed)."""
        return clean_output(self.raw, self.command)


def shown(text: str, limit: int = 120) -> str:
    """``text`` as it may be printed: control characters and escape sequences written escaped
    (``\\x1b``), cut after ``limit`` characters saying how many more there were."""
    cut = "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text[:limit]
    )
    return cut + (f"... ({len(text) - limit} more characters)" if len(text) > limit else "")


class Splitter:
    """Feed one session's traffic in order; :attr:`exchanges` fills as commands end."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.last_line = ""  # the last line the device printed
        self._parts: list[str] = []  # received since the command was sent (or since the last end)
        self._size = 0
        self._tail = ""  # the last TAIL characters of it
        self._command: str | None = None  # the command whose output is being received
        self._typing: str | None = None  # a line being sent at a prompt, until its line end
        self._now = self._sent_at = 0.0  # the time of the latest piece, and of the command

    def feed(self, direction: str, data: str, when: float = 0.0) -> None:
        """One recorded piece of traffic: ``received`` or ``sent`` (notes are not the device's)."""
        self._now = when
        if direction == "received":
            self._received(_NOISE_RE.sub("\ufffd", data) if "\\x" in data else data)
        elif direction == "sent":
            self._sent(data)

    def finish(self) -> None:
        """The session ended (end of file, or another session's header follows)."""
        at_login = find_login(self._tail) is not None
        self._end(None if at_login else _prompt_at_end(self._tail), RECORDING_ENDS)
        self._typing = None

    def _received(self, data: str) -> None:
        carry = self._tail[-CARRY:]
        self._parts.append(data)
        self._size += len(data)
        self._tail = (self._tail + data)[-TAIL:] if len(data) < TAIL else data[-TAIL:]
        lines = [line for line in data.replace("\r", "\n").split("\n") if line.strip()]
        self.last_line = lines[-1] if lines else self.last_line
        found = _session_end(carry + data) if self._command is not None else None
        if found is not None:
            where, reason = found
            self._end_at(self._size - len(data) - len(carry) + where, reason)

    def _sent(self, data: str) -> None:
        if self._typing is None:
            if find_prompt(self._tail) is None:
                login = _login_start(self._tail)
                if login is not None:  # a new session: what was pending is cut off
                    self._end_at(self._size - len(self._tail) + login, NEW_LOGIN)
                return  # else an answer to a pager or a question: part of the output
            self._end(_prompt_at_end(self._tail), "")
            self._typing = ""
        self._typing += data
        for end in ("\r", "\n"):
            if end in self._typing:
                line = self._typing.split(end, 1)[0]
                self._typing = None
                command = "".join(char for char in line if char.isprintable()).strip()
                self._command = command or None
                self._sent_at = self._now
                return

    def _end_at(self, position: int, reason: str) -> None:
        """The session ended at ``position`` of the text received since the command."""
        text = "".join(self._parts)
        before, after = text[:position], text[position:]
        marker = after[:200].replace("\r", "\n").split("\n", 1)[0].strip()
        self._parts = [before]
        self._end(_prompt_at_end(before), f"{reason}: '{shown(marker)}'" if marker else reason)
        self._parts, self._size, self._tail = [after], len(after), after[-TAIL:]
        self._typing = None

    def _end(self, prompt: str | None, reason: str) -> None:
        """The current command's output ends here: at ``prompt``, or cut off by ``reason``."""
        if self._command is not None:
            raw = "".join(self._parts)
            if prompt is not None:  # what the console printed after the prompt is not output
                raw = raw[: raw.rfind(prompt) + len(prompt)]
            self.exchanges.append(Exchange(self._command, raw, prompt, "" if prompt else reason, self._sent_at))
        self._command = None
        self._parts, self._size, self._tail = [], 0, ""


def _prompt_at_end(text: str) -> str | None:
    """The prompt ``text`` ends with (log lines and line ends after it allowed), or None."""
    prompt = find_prompt(text) or find_prompt(text.rstrip("\r\n"))
    return prompt.text if prompt is not None else None


def _session_end(text: str) -> tuple[int, str] | None:
    """Where in ``text`` the session ends (OpenSSH's last words or the console's boot text)."""
    found: list[tuple[int, str]] = []
    if "onnect" in text or "kex_" in text or "client_loop" in text:
        match = SSH_END_RE.search(text)
        if match is not None:
            found.append((match.start(), SSH_ENDED))
    if any(hint in text for hint in _BOOT_HINTS):
        start = find_boot_start(text)
        if start is not None:
            found.append((start, CONSOLE_RESET))
    return min(found) if found else None


def _login_start(tail: str) -> int | None:
    """Where the login or password prompt at the end of ``tail`` begins, or None."""
    start = max(tail.rfind("\n"), tail.rfind("\r")) + 1
    if find_login(tail) is not None:
        body = tail.rstrip(" ")
        return max(body.rfind("\n"), body.rfind("\r")) + 1
    last = tail[start:]
    return start if "password" in last and SSH_PASSWORD_RE.fullmatch(last) else None
