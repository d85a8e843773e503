"""One session on a replayed device: recorded answers to recorded commands.

Pure logic like the emulator's CLI session: bytes in through :meth:`ReplaySession.feed`, bytes
out through ``write``. A command answers with its next recorded output (the last one again once
they are used up) and the prompt recorded after it; a command never recorded gets the device's
syntax error; ``exit``/``logout``/``quit`` ends the session.
"""

from __future__ import annotations

from collections.abc import Callable

from ..cli.lineedit import CANCEL, Line, LineEditor
from .recorded import Answer, Script, command_key

INVALID = "%% Invalid input detected at '^' marker."
#: Settings the drivers and third-party clients send on connect; answered with nothing when the
#: recording does not have them (a hand-made recording may have paged by hand).
QUIET_SETTINGS = ("disable clipaging", "disable cli prompting")
LOGOUT = ("exit", "logout", "quit")
DEFAULT_PROMPT = "XCM8810.1 # "


class ReplaySession:
    """Answers from ``script``; ``interactive=False`` (an SSH exec request) prints no banner or prompt."""

    def __init__(
        self,
        script: Script,
        write: Callable[[bytes], None],
        on_exit: Callable[[], None] = lambda: None,
        echo: bool = True,
        interactive: bool = True,
    ):
        self.script = script
        self._write = write
        self._on_exit = on_exit
        self.interactive = interactive
        self.editor = LineEditor(write, echo=echo, newline=echo or interactive)
        self.prompt = script.first_prompt or DEFAULT_PROMPT
        self.closed = False
        self._used: dict[str, int] = {}

    def start(self) -> None:
        """The recorded banner, then the first recorded prompt."""
        if self.interactive:
            self._send(self.script.banner + self.prompt)

    def feed(self, data: bytes) -> None:
        for byte in data:
            if self.closed:
                return
            result = self.editor.key(byte)
            if result is CANCEL:
                self._send(("\r\n" if self.editor.newline else "") + self._shown_prompt())
            elif isinstance(result, Line):
                self.command(result.text)

    def command(self, text: str) -> None:
        """Answer one command line."""
        key = command_key(text)
        if not key:
            self._send(self._shown_prompt())
            return
        if key in LOGOUT and key not in self.script.answers:
            self.closed = True
            self._on_exit()
            return
        answer = self._answer(key)
        if answer is None:
            offset = len(self.prompt) if self.interactive else 0
            answer = Answer(" " * offset + "^\r\n" + INVALID + "\r\n", self.prompt)
        self.prompt = answer.prompt
        self._send(answer.output + self._shown_prompt())

    def _answer(self, key: str) -> Answer | None:
        answers = self.script.answers.get(key)
        if not answers:
            return Answer("", self.prompt) if key in QUIET_SETTINGS else None
        index = self._used.get(key, 0)
        self._used[key] = index + 1
        return answers[min(index, len(answers) - 1)]

    def _shown_prompt(self) -> str:
        return self.prompt if self.interactive else ""

    def _send(self, text: str) -> None:
        if not self.closed and text:
            self._write(text.encode("utf-8", "replace"))
