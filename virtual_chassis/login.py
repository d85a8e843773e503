"""Accounts and the console login dialog (``login: `` / ``password: ``)."""

from __future__ import annotations

import hmac
from typing import Callable

from .lineedit import CANCEL, Line, LineEditor

ADMIN, USER = "admin", "user"


class Accounts:
    """The management accounts: one administrator (default ``admin``) and read-only ``user``.

    Both have an empty password by default, as on a factory-fresh XCM8800.
    """

    def __init__(self, username: str = ADMIN, password: str = ""):
        if not username or any(c.isspace() for c in username):
            raise ValueError("the username must be a non-empty word")
        self.username = username
        self._passwords = {USER: "", username: password}
        self._privilege = {USER: "user", username: "admin"}

    def check(self, username: str, password: str) -> str | None:
        """The privilege (``admin`` or ``user``) for good credentials, else None."""
        expected = self._passwords.get(username)
        if expected is None:
            hmac.compare_digest(password.encode(), b"-")  # same work for unknown users
            return None
        if not hmac.compare_digest(password.encode(), expected.encode()):
            return None
        return self._privilege[username]


class LoginDialog:
    """Reads a username (echoed) and a password (not echoed) from a console line.

    Calls ``on_login(username, privilege)`` on success; prints ``Login incorrect`` and asks
    again on failure.
    """

    def __init__(self, accounts: Accounts, write: Callable[[bytes], None],
                 on_login: Callable[[str, str], None]):
        self.accounts = accounts
        self._write = write
        self._on_login = on_login
        self.editor = LineEditor(write)
        self.username: str | None = None

    @property
    def question(self) -> bytes:
        return b"password: " if self.username is not None else b"login: "

    def start(self) -> None:
        self._write(b"\r\n" + self.question)

    def feed(self, data: bytes) -> bytes:
        """Consume input; after a successful login returns the bytes that followed it."""
        for i, byte in enumerate(data):
            result = self.editor.key(byte)
            if result is CANCEL:
                self.username = None
                self.editor.hidden = False
                self._write(b"\r\n" + self.question)
            elif isinstance(result, Line):
                if self._line(result):
                    return data[i + 1:]
        return b""

    def _line(self, line: Line) -> bool:
        if self.username is None:
            name = line.text.strip()
            if name and not line.overflow:
                self.username = name
                self.editor.hidden = True
            self._write(self.question)
            return False
        username, self.username = self.username, None
        self.editor.hidden = False
        privilege = None if line.overflow else self.accounts.check(username, line.text)
        if privilege is None:
            self._write(b"Login incorrect\r\n" + self.question)
            return False
        self._on_login(username, privilege)
        return True

    def redisplay(self) -> bytes:
        """After a log line: the question again, only when a user name was being typed."""
        typed = self.editor.redisplay()
        return self.question + typed if typed else b""
