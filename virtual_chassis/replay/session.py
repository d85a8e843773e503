"""One session on a replayed device: the recorded path, followed in order.

Bytes in through :meth:`ReplaySession.feed`, bytes out through ``write``, delays through
``schedule(seconds, callback)`` (the event loop's ``call_later``). The n-th command of the
session gets the n-th recorded answer, after the recorded time divided by the speed factor,
then what the device printed afterwards (log lines, boot text) and the session's end (the SSH
connection closed, the console back at ``login:``). A command other than the next recorded
one gets the device's syntax error and the :class:`Cursor` says where the run left the
recording. A ``show`` repeated past its recorded answers (a poll that goes on longer than the
recorded one) gets the last answer again: the device stays as last recorded. ``exit``/
``logout``/``quit`` off the path ends the session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..cli.lineedit import CANCEL, Line, LineEditor
from .track import CLOSED, REBOOTED, Step, Track, command_key

INVALID = "%% Invalid input detected at '^' marker."
#: Settings the drivers and third-party clients send on connect; answered with nothing when they
#: are not the next recorded command (a hand-made recording may have paged by hand).
QUIET_SETTINGS = ("disable clipaging", "disable cli prompting")
LOGOUT = ("exit", "logout", "quit")
DEFAULT_PROMPT = "XCM8810.1 # "

Schedule = Callable[[float, Callable[[], None]], object]


@dataclass
class Cursor:
    """Where a session is on its recorded path (shared by its connections, kept across reboots)."""

    track: Track
    report: Callable[[str], None] = lambda line: None
    position: int = 0

    def next_step(self) -> Step | None:
        return self.track.steps[self.position] if self.position < len(self.track.steps) else None

    def prompt(self) -> str:
        """The prompt the device shows now: the one the next recorded command was typed at."""
        step = self.next_step()
        if step is not None and step.prompt_before:
            return step.prompt_before
        last = self.track.steps[self.position - 1] if self.position else None
        return (last.prompt if last and last.prompt else "") or self.track.first_prompt or DEFAULT_PROMPT

    def take(self, command: str) -> Step | None:
        """The next step when ``command`` is its command (the cursor moves on); the last step
        again when ``command`` repeats its ``show`` past the recorded ones (a poll that goes on:
        the device stays as last recorded); else None."""
        step = self.next_step()
        if step is not None and step.command == command:
            self.position += 1
            return step
        last = self.track.steps[self.position - 1] if self.position else None
        if last is not None and last.command == command and command.startswith("show ") and last.prompt:
            return last
        return None

    def left(self, command: str) -> str:
        """Say (once a line) where the run left the recording; returns that line."""
        step = self.next_step()
        count = len(self.track.steps)
        if step is None:
            where, expected = f"its end (after step {count} of {count})", "nothing"
        else:
            where = f"step {self.position + 1} of {count} ({self.track.path} line {step.line})"
            expected = repr(step.command)
        line = f"{self.track.session}: the run left the recording at {where}: expected {expected}, got {command!r}"
        self.report(line)
        return line


class ReplaySession:
    """Answers from ``cursor``; ``interactive=False`` (an SSH exec request) prints no banner or
    prompt and answers from the first recorded answer of the command, wherever it is."""

    def __init__(
        self,
        cursor: Cursor,
        write: Callable[[bytes], None],
        schedule: Schedule,
        on_exit: Callable[[], None] = lambda: None,
        on_reboot: Callable[[], None] = lambda: None,
        echo: bool = True,
        interactive: bool = True,
        speed: float = 1.0,
    ):
        self.cursor = cursor
        self._write = write
        self._schedule = schedule
        self._on_exit = on_exit
        self._on_reboot = on_reboot
        self.interactive = interactive
        self.speed = speed
        self.editor = LineEditor(write, echo=echo, newline=echo or interactive)
        self.prompt = cursor.prompt()
        self.closed = False
        self._busy = False
        self._typed: list[str] = []  # lines typed while an answer was on its way
        self._after: list[tuple[float, str]] = []  # text printed after the last answer, still to come
        self._end: Callable[[], None] | None = None  # how the session ends after the last answer

    def start(self) -> None:
        """The recorded banner, then the prompt the next recorded command was typed at."""
        if self.interactive:
            self._send(self.cursor.track.banner + self.prompt)

    def feed(self, data: bytes) -> None:
        for byte in data:
            if self.closed:
                return
            result = self.editor.key(byte)
            if result is CANCEL:
                self._send(("\r\n" if self.editor.newline else "") + self._shown_prompt())
            elif isinstance(result, Line):
                self._typed.append(result.text)
        self._next_line()

    def command(self, text: str) -> None:
        """Answer one command line (an SSH exec request: from any recorded answer of it)."""
        key = command_key(text)
        if self.interactive:
            self._typed.append(text)
            self._next_line()
            return
        step = next((s for s in self.cursor.track.steps if s.command == key), None)
        self._send(step.output if step else "^\r\n" + INVALID + "\r\n")

    def _next_line(self) -> None:
        while self._typed and not self._busy and not self.closed:
            self._line(self._typed.pop(0))

    def _line(self, text: str) -> None:
        if self._end is not None:  # the recording ended the session before any other command
            self._ended()
            return
        key = command_key(text)
        if not key:
            self._send(self._shown_prompt())
            return
        step = self.cursor.take(key)
        if step is not None:
            self._busy = True
            self._schedule(step.delay / self.speed, lambda: self._answer(step))
        elif key in QUIET_SETTINGS:
            self._send(self._shown_prompt())
        elif key in LOGOUT:
            self.close()
        else:
            where = self.cursor.left(key)
            offset = len(self.prompt) if self.interactive else 0
            self._send(" " * offset + "^\r\n" + INVALID + f"\r\n% replay: {where}\r\n" + self._shown_prompt())

    def _answer(self, step: Step) -> None:
        if self.closed:
            return
        self._busy = False
        self.prompt = step.prompt or self.prompt
        self._send(step.output + (self._shown_prompt() if step.prompt else ""))
        self._after = list(step.after)
        for delay, _ in step.after:
            self._schedule(delay / self.speed, self._next_piece)
        self._end = {CLOSED: self.close, REBOOTED: self._rebooted}.get(step.end)
        if self._end is not None:
            self._schedule(step.end_delay / self.speed, self._ended)
        self._next_line()

    def _next_piece(self) -> None:
        if self._after:
            self._send(self._after.pop(0)[1])

    def _ended(self) -> None:
        """The recorded end of the session: what was printed before it, then the end itself."""
        end, self._end = self._end, None
        while self._after:
            self._next_piece()
        if end is not None:
            end()

    def _rebooted(self) -> None:
        if not self.closed:
            self.closed = True
            self._on_reboot()

    def close(self) -> None:
        """The session ends (logout, or the recorded device closed the connection)."""
        if not self.closed:
            self.closed = True
            self._on_exit()

    def _shown_prompt(self) -> str:
        return self.prompt if self.interactive else ""

    def _send(self, text: str) -> None:
        if not self.closed and text:
            self._write(text.encode("utf-8", "replace"))
