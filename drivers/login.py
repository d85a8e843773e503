"""Getting from whatever a console or SSH shell shows to a logged-in CLI prompt.

Handles ``login:``/``password:``, ``Login incorrect``, ``(pending-AAA) login:`` (wait and
retry), an already logged-in prompt, boot text (wait silently for ``login:``), a pager or a
question left over from an earlier session, and garbage (``Timeout`` at the deadline).
"""

from __future__ import annotations

import time
from typing import Protocol

from drivers.deadline import Deadline
from drivers.dialogs import DEFAULT_DIALOGS, find_dialog
from drivers.errors import LoginFailed, Timeout
from drivers.prompt import Prompt, at_pager, find_login, find_prompt
from drivers.secret import Secret


class LoginLine(Protocol):
    """What the login machine needs of a session: its received text, a way to send, the
    credentials. :class:`~drivers.session.CliSession` hands one over; nothing else of it is used."""

    name: str
    username: str
    password: Secret
    console: bool
    nudge_after: float
    booting: bool

    @property
    def text(self) -> str:
        """The end of the received text not consumed yet (where prompts and questions are)."""

    def take(self) -> None:
        """Consume all received text."""

    def send(self, text: str | Secret) -> None:
        """Send ``text`` as typed."""

    def receive(self, timeout: float) -> bool:
        """Wait up to ``timeout`` for more text; True when some arrived."""

    def tail(self) -> str:
        """The last received text, secrets masked, for messages."""


class LoginMachine:
    """One login attempt on a :class:`LoginLine`, bounded by a deadline."""

    def __init__(self, session: LoginLine, deadline: Deadline, nudge_first: bool):
        self.session = session
        self.deadline = deadline
        self.nudge_first = nudge_first
        self.sent_user = False
        self.sent_password = False

    def run(self) -> Prompt:
        """Return the prompt once logged in; LoginFailed or Timeout otherwise."""
        session = self.session
        text = session.text
        if self.nudge_first and session.console and not session.booting and not self._known(text):
            session.send("\r")
        last_activity = time.monotonic()
        while True:
            text = session.text
            prompt = find_prompt(text)
            if prompt is not None:
                return prompt
            if self._step(text):
                last_activity = time.monotonic()
                continue
            if self.deadline.expired:
                raise Timeout(self._timeout_message())
            quiet_until = last_activity + session.nudge_after
            if session.receive(min(self.deadline.remaining(), max(0.0, quiet_until - time.monotonic()))):
                last_activity = time.monotonic()
            elif time.monotonic() >= quiet_until and not session.booting:
                session.send("\r")
                last_activity = time.monotonic()

    @staticmethod
    def _known(text: str) -> bool:
        return find_prompt(text) is not None or find_login(text) is not None

    def _step(self, text: str) -> bool:
        """React to what the buffer ends with; True when something was sent."""
        session = self.session
        kind = find_login(text)
        if kind is not None:
            session.booting = False
        if kind == "login":
            if self.sent_password:
                raise LoginFailed(
                    f"{session.name}: login incorrect for user {session.username!r}; "
                    "check the user name and password in the testbed"
                )
            self._reply(session.username)
            self.sent_user = True
        elif kind == "password":
            if self.sent_user and not self.sent_password:
                self._reply(session.password)
                self.sent_password = True
            else:
                self._reply("")  # a password prompt nobody asked for: abandon it
        elif kind is None and at_pager(text):
            self._reply("q", enter=False)
        elif kind is None and find_dialog(text, DEFAULT_DIALOGS) is not None:
            self._reply("")  # a question left open: <cr> is the safe "no / cancel"
        else:
            return False  # nothing to answer, or (pending-AAA) login: wait for AAA
        return True

    def _reply(self, text: str | Secret, enter: bool = True) -> None:
        self.session.take()
        self.session.send(text + ("\r" if enter else ""))

    def _timeout_message(self) -> str:
        session = self.session
        if session.booting:
            expected = "the boot to end at 'login:'"
        elif self.sent_password:
            expected = "a prompt like 'XCM8810.1 # ' after the password"
        else:
            expected = "'login:', 'password:' or a prompt like 'XCM8810.1 # '"
        return (
            f"{session.name}: waited {self.deadline.seconds:g}s for {expected}; last seen: "
            f"{session.tail()!r}. Check the console URL and speed, and that the MSM is powered and booted"
        )
