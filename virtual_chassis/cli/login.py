"""Accounts and the console login dialog (``login: `` / ``password: ``)."""

from __future__ import annotations

import hmac
from collections.abc import Callable

from .lineedit import CANCEL, Line, LineEditor

ADMIN, USER = "admin", "user"
PENDING_LOGIN = b"(pending-AAA) login: "
AAA_FAILED = b"Failed to connect to authentication service (AAA is not available yet)\r\n"
AAA_AVAILABLE = b"Authentication Service (AAA) on the master node is now available for login."


class Accounts:
    """The management accounts: one administrator (default ``admin``) and read-only ``user``.

    Both have an empty password by default, as on a factory-fresh XCM8800. When the
    administrator has a password, ``user`` needs it too (``user_password`` gives it its own),
    so a password on the emulator protects every way in.
    """

    def __init__(
        self,
        username: str = ADMIN,
        password: str = "",
        refuse: Callable[[], bool] = lambda: False,
        user_password: str | None = None,
    ):
        if not username or any(c.isspace() or not c.isprintable() for c in username) or len(username) > 32:
            raise ValueError("the username must be one word of up to 32 printable characters")
        self.username = username
        self._passwords = {USER: password if user_password is None else user_password, username: password}
        self._privilege = {USER: "user", username: "admin"}
        self.refuse = refuse  # True while every login must fail (the wrong-credentials fault)

    def check(self, username: str, password: str) -> str | None:
        """The privilege (``admin`` or ``user``) for good credentials, else None."""
        expected = self._passwords.get(username)
        if expected is None:
            hmac.compare_digest(password.encode(), b"-")  # same work for unknown users
            return None
        if not hmac.compare_digest(password.encode(), expected.encode()) or self.refuse():
            return None
        return self._privilege[username]


class LoginDialog:
    """Reads a username (echoed) and a password (not echoed) from a console line.

    Calls ``on_login(username, privilege)`` on success; prints ``Login incorrect`` and asks
    again on failure. While AAA is still starting (``pending_aaa``) the question is
    ``(pending-AAA) login: `` and every login fails until :meth:`aaa_available`.
    """

    def __init__(
        self,
        accounts: Accounts,
        write: Callable[[bytes], None],
        on_login: Callable[[str, str], None],
        pending_aaa: bool = False,
    ):
        self.accounts = accounts
        self.pending_aaa = pending_aaa
        self._write = write
        self._on_login = on_login
        self.editor = LineEditor(write)
        self.username: str | None = None

    @property
    def question(self) -> bytes:
        if self.username is not None:
            return b"password: "
        return PENDING_LOGIN if self.pending_aaa else b"login: "

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
                    return data[i + 1 :]
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
        if self.pending_aaa:
            self._write(AAA_FAILED + b"Login incorrect\r\n" + self.question)
            return False
        if privilege is None:
            self._write(b"Login incorrect\r\n" + self.question)
            return False
        self._on_login(username, privilege)
        return True

    def aaa_available(self) -> None:
        """AAA has started: say so and ask ``login:`` afresh."""
        if not self.pending_aaa:
            return
        self.pending_aaa, self.username, self.editor.hidden = False, None, False
        self.editor.reset()
        self._write(b"\r\n" + AAA_AVAILABLE + b"\r\n" + self.question)

    def redisplay(self) -> bytes:
        """After a log line: the question again, only when a user name was being typed."""
        typed = self.editor.redisplay()
        return self.question + typed if typed else b""
