"""One recorded session as the path a replay follows: its commands in order, each with what the
device answered, how long it took, what it printed afterwards, and how the session ended.

A line sent while the device waited at its prompt is a command; its answer runs to the first
prompt after it. What follows (log lines, a console's boot text) is served afterwards at its
recorded delay. The session ends where the traffic says so: OpenSSH's last words (``Connection
to ... closed.``) mean the device closed the connection; boot text or ``login:`` on a console
mean the MSM rebooted. An answer such an end cut short is served cut short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: A prompt at the very end of received text: ``* XCM8810.12 # ``, ``Slot-1 NAME.3 > ``.
PROMPT_AT_END = re.compile(r"(?:^|(?<=[\r\n]))((?:\* )?(?:! )?(?:Slot-\d+ )?[\w\-.~()]+\.\d+ [#>] )\Z")
#: A prompt anywhere (the first one after a command ends its answer).
PROMPT = re.compile(r"(?:^|(?<=[\r\n]))(?:\* )?(?:! )?(?:Slot-\d+ )?[\w\-.~()]+\.\d+ [#>] ")
#: A console log line (printed whenever it happens, also after a prompt).
LOG_LINE = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}\.\d{2} <[A-Za-z]+:[^>\s]+> .*")
TAIL = 4096
#: OpenSSH's words when the device closed the connection (the client prints them, not the device).
SSH_END = re.compile(
    r"Connection to \S+ closed|Received disconnect from \S+|Disconnected from \S+ port \d+"
    r"|Connection (?:closed|reset) by \S+|kex_exchange_identification: "
)
#: The first line of a console's reboot or boot text.
BOOT = re.compile(r"(?:^|(?<=[\r\n]))(?:Rebooting\b|.*\bBootROM \d|Starting \S+ image\b|Loading XCM8800\b)", re.M)
#: A login question: the console's ``login:``, a password prompt (OpenSSH's ``user@host's password:``).
LOGIN = re.compile(r"(?:^|(?<=[\r\n]))(?:\(pending-AAA\) )?login: ?|(?:^|(?<=[\r\n]))\S*[Pp]assword: ?")
_PAGER = re.compile(r"Press <SPACE> to continue or <Q> to quit:[ \t]*(?:\r[ \t]*\r)?")
_PASSWORD_LINE = re.compile(r"[Pp]assword: ?$")

CLOSED, REBOOTED = "closed", "rebooted"


@dataclass(frozen=True)
class Step:
    """One recorded command and everything that came of it.

    ``output`` is the answer (``\\r\\n`` lines, echo and prompt removed); ``prompt`` the prompt
    after it, None when the answer was cut off; ``delay`` seconds from the command to the end
    of the answer; ``after`` (delay from the answer, text) printed afterwards; ``end`` is
    ``closed`` (the device closed the SSH connection) or ``rebooted`` (the console booted and
    asked ``login:``) after ``end_delay`` seconds; ``line`` is the command's line in its file.
    """

    command: str
    prompt_before: str
    output: str
    prompt: str | None
    delay: float
    after: tuple[tuple[float, str], ...] = ()
    end: str = ""
    end_delay: float = 0.0
    line: int = 0


@dataclass
class Track:
    """Every step of one recorded session, in order."""

    chassis: str
    session: str
    path: str = ""
    banner: str = ""
    first_prompt: str = ""
    steps: list[Step] = field(default_factory=list)

    def commands(self) -> int:
        return len(self.steps)


def command_key(line: str) -> str:
    """How a typed command is compared: words separated by one blank."""
    return " ".join(line.split())


Event = tuple[float, str, str, int]  # (t, dir, data, line number)


def add_steps(events: list[Event], track: Track) -> None:
    """Split one session's traffic into steps at the end of ``track``."""
    pending: list[tuple[float, str]] = []
    command: tuple[str, float, int] | None = None  # (command, when sent, its line)
    before, typing, tail = "", None, ""
    for when, direction, data, number in events:
        if direction == "received":
            pending.append((when, data))
            tail = (tail + data)[-TAIL:]
            continue
        if direction != "sent":
            continue
        if typing is None:
            prompt = at_prompt(tail)
            if prompt is None:
                continue  # an answer to the pager, a question or login: part of the output
            if command is not None:
                track.steps.append(_step(command, before, pending, track.session))
            elif not track.first_prompt:
                track.banner = _banner("".join(text for _, text in pending))
                track.first_prompt = prompt
            before, pending, typing, tail = prompt, [], "", ""
        typing += data
        if "\r" in typing or "\n" in typing:
            line = re.split(r"[\r\n]", typing, maxsplit=1)[0]
            key = command_key("".join(c for c in line if c.isprintable()))
            command, typing = ((key, when, number) if key else None), None
    if command is not None:
        track.steps.append(_step(command, before, pending, track.session))


def at_prompt(text: str) -> str | None:
    """The prompt ``text`` ends with (console log lines after it allowed), or None."""
    stripped = False
    while True:
        body = text.rstrip("\r\n")
        start = max(body.rfind("\n"), body.rfind("\r")) + 1
        if body == text or not LOG_LINE.fullmatch(body, start):
            break
        text, stripped = body[:start], True
    prompt = PROMPT_AT_END.search(text.rstrip("\r\n") if stripped else text)
    return prompt.group(1) if prompt else None


def _step(command: tuple[str, float, int], before: str, pending: list[tuple[float, str]], session: str) -> Step:
    key, sent, number = command
    text = "".join(data for _, data in pending)
    ends = [m.start() for m in (SSH_END.search(text), BOOT.search(text), _login(text)) if m is not None]
    cut = min(ends, default=len(text))
    prompt = PROMPT.search(text, 0, cut)
    stop = prompt.end() if prompt else cut
    answered = _time_at(pending, max(stop - 1, 0), sent)
    output = _output(text[: prompt.start() if prompt else stop], key)
    end, end_at = _end(text, stop, session)
    after = _timed(pending, stop, end_at if end else _after_stop(text, stop), answered)
    end_delay = _time_at(pending, end_at, sent) - answered if end else 0.0
    prompt_text = prompt.group(0) if prompt else None
    return Step(key, before, output, prompt_text, answered - sent, after, end, max(end_delay, 0.0), number)


def _login(text: str, start: int = 0) -> re.Match[str] | None:
    return LOGIN.search(text, start)


def _end(text: str, stop: int, session: str) -> tuple[str, int]:
    """How the session ended after the answer (``closed``, ``rebooted`` or ``""``) and where:
    for a reboot, where ``login:`` was asked (the boot text before it is served as text)."""
    ssh = SSH_END.search(text, stop)
    login = _login(text, stop)
    if ssh is not None and (login is None or ssh.start() < login.start()):
        return CLOSED, ssh.start()
    if session != "ssh" and (
        BOOT.search(text, stop) is not None or (login and login.group(0).startswith(("login", "(")))
    ):
        return (REBOOTED, login.start()) if login is not None else (REBOOTED, len(text))
    return "", len(text)


def _after_stop(text: str, stop: int) -> int:
    """Where the text served after an answer stops: at a new login (it belongs to that login)."""
    login = _login(text, stop)
    return login.start() if login is not None else len(text)


def _time_at(pending: list[tuple[float, str]], position: int, default: float) -> float:
    """When the received piece holding ``position`` of the joined text arrived."""
    offset = 0
    for when, data in pending:
        offset += len(data)
        if position < offset:
            return when
    return pending[-1][0] if pending else default


def _timed(pending: list[tuple[float, str]], start: int, stop: int, origin: float) -> tuple[tuple[float, str], ...]:
    """The received pieces between ``start`` and ``stop`` with their delays from ``origin``."""
    pieces, offset = [], 0
    for when, data in pending:
        first, last = max(start, offset), min(stop, offset + len(data))
        if first < last:
            pieces.append((max(when - origin, 0.0), data[first - offset : last - offset]))
        offset += len(data)
    return tuple(pieces)


def _lines(text: str) -> list[str]:
    text = _PAGER.sub("", text).replace("\r\n", "\n").replace("\n\r", "\n")
    return [line.rstrip("\r") for line in text.split("\n")]


def _output(raw: str, command: str) -> str:
    lines = _lines(raw)
    for index, line in enumerate(lines):  # the echo: the first line that is not blank
        if line.strip():
            if command_key(line).endswith(command):
                del lines[index]
            break
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return "".join(line + "\r\n" for line in lines)


def _banner(before_prompt: str) -> str:
    text = before_prompt
    prompt = PROMPT_AT_END.search(text)
    lines = _lines(text[: prompt.start()] if prompt else text)
    last_login = max((i for i, line in enumerate(lines) if _PASSWORD_LINE.search(line)), default=-1)
    lines = lines[last_login + 1 :]
    while lines and not lines[-1].strip():
        lines.pop()
    return "".join(line + "\r\n" for line in lines)
