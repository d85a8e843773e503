"""SSH transport: the system OpenSSH client on a pty, read with pexpect.

Using the real client keeps users' ``~/.ssh/config``, keys, agents and jump hosts working.
Host keys are trusted on first use into a harness-owned known_hosts file
(``StrictHostKeyChecking=accept-new``, never ``no``). ``open()`` answers OpenSSH's password
prompt for the switch (password or keyboard-interactive) and turns its failures into clear
errors. It answers the switch only: through a jump host (``ProxyJump``, ``ProxyCommand``, as
``ssh -G`` resolves them) a prompt must name the switch's ``user@host``; a jump host asking for
a password, or OpenSSH asking for a key's passphrase, ends the connect with one line saying to
give the jump host a key or an agent. The switch's password never goes anywhere else.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path

import pexpect

from drivers.deadline import Deadline
from drivers.errors import ConnectionFailed, ConnectionLost, HostKeyChanged, LoginFailed
from drivers.secret import Secret, mask_text
from drivers.transcript import Transcript
from drivers.transports.base import READ_PIECE, WRITE_TIMEOUT, read_more, wait_readable, write_fd
from drivers.transports.ptychild import PtyChild
from drivers.transports.ssh_config import SshTarget, resolve

#: Where host keys are pinned when the caller names no file: the harness's own, never ~/.ssh.
DEFAULT_KNOWN_HOSTS = Path.home() / ".cache" / "xcm8800-hil" / "known_hosts"
#: Quiet time after which output that came without a password prompt is taken as the shell's.
_SETTLE = 0.3
#: Words of a question for a secret: a password (of anyone) or a key's passphrase.
_SECRET_WORDS = ("password", "passphrase", "passcode")
#: The most of the received text a connect looks at (OpenSSH's messages and the last line are
#: all it needs): what a banner or a jump host prints costs the same per chunk however long.
_WINDOW = 16384
#: The most of the last line taken as a question (the end of it is where the question is).
_QUESTION_SPAN = 1024
_DENIED_RE = re.compile(r"Permission denied|Too many authentication failures")
_VERIFICATION_FAILED = "Host key verification failed"
_HOST_KEY_CHANGED_RE = re.compile(rf"REMOTE HOST IDENTIFICATION HAS CHANGED|{_VERIFICATION_FAILED}")
_OFFENDING_RE = re.compile(r"Offending \S+ key in (?P<file>\S+):(?P<line>\d+)")
_CONNECT_FAILED_RE = re.compile(
    r"(?m)^(?:ssh: .*|kex_exchange_identification: .*|Connection (?:closed|reset) by .*"
    r"|.*Connection refused.*|.*Connection timed out.*|.*No route to host.*"
    r"|.*Could not resolve hostname.*|.*Operation timed out.*|banner exchange: .*)$"
)
#: Lines OpenSSH itself prints before the remote side speaks.
_CLIENT_NOISE_RE = re.compile(r"(?m)^(?:Warning: Permanently added .*|.*password:\s*)$")


def secret_question(text: str) -> str | None:
    """The last line of ``text`` (its last ``_QUESTION_SPAN`` characters) when it asks for a
    secret: it names a password, passphrase or passcode and ends with ``:`` (blanks after it).

    Plain string work on the last line, no regex: a pattern that looks for a word anywhere
    before a colon backtracks on a long line (65 s for a 10 KB banner-like line)."""
    body = text.rstrip()
    if not body.endswith(":"):
        return None
    line = body[max(body.rfind("\n"), body.rfind("\r")) + 1 :][-_QUESTION_SPAN:]
    lowered = line.lower()
    return line if any(word in lowered for word in _SECRET_WORDS) else None


def is_password_question(line: str) -> bool:
    """OpenSSH's password prompt: the line ends ``password:`` or ``password for <anything>:``."""
    body = line.rstrip()[:-1].lower()  # without the colon (secret_question found it)
    if body.endswith("password"):
        return True
    start = body.rfind("password for ")
    return start >= 0 and ":" not in body[start:]


class SshTransport:
    """Management SSH transport to the master MSM; see the module docstring."""

    kind = "ssh"

    def __init__(
        self,
        host: str,
        port: int = 22,
        username: str = "admin",
        password: str | Secret = "",
        known_hosts: Path | str | None = None,
        ssh_options: Sequence[str] = (),
        transcript: Transcript | None = None,
    ):
        self.host = host
        self.port = int(port)
        self.username = username
        self._password = Secret.of(password)
        self.known_hosts = Path(known_hosts) if known_hosts is not None else DEFAULT_KNOWN_HOSTS
        self.ssh_options = tuple(ssh_options)
        self.transcript = transcript
        self.name = f"ssh {username}@{host}:{self.port}"
        self._child: PtyChild | None = None
        self._target: SshTarget | None = None  # where ssh really goes (ssh -G), found on first open
        self._pending = b""
        if transcript is not None:
            transcript.add_secret(self._password)

    @property
    def is_open(self) -> bool:
        return self._child is not None

    def command(self, connect_timeout: float = 10.0) -> list[str]:
        """The ssh command line (without the password, which is typed at the prompt)."""
        options = {
            "UserKnownHostsFile": str(self.known_hosts),
            "StrictHostKeyChecking": "accept-new",
            "NumberOfPasswordPrompts": "1",
            "ConnectTimeout": str(max(1, math.ceil(connect_timeout))),
            "ServerAliveInterval": "5",
            "ServerAliveCountMax": "3",
        }
        args = ["-tt", "-e", "none", "-p", str(self.port), "-l", self.username]
        for key, value in options.items():
            args += ["-o", f"{key}={value}"]
        args += list(self.ssh_options)
        return ["ssh", *args, self.host]

    def open(self, deadline: Deadline | float = 30.0) -> None:
        """Start ssh and authenticate; LoginFailed, HostKeyChanged or ConnectionFailed on failure."""
        if self.is_open:
            return
        deadline = Deadline.of(deadline)
        if self.transcript is not None:
            self.transcript.add_secret(self._password)
        if self._target is None:
            self._target = resolve(self.host, self.port, self.ssh_options)
        self.known_hosts.parent.mkdir(parents=True, exist_ok=True)
        argv = self.command(deadline.remaining())
        if self.transcript is not None:
            self.transcript.note(f"{self.name}: {' '.join(argv)}")
        try:  # no fork of this (threaded) interpreter: see drivers.transports.ptychild
            child = PtyChild(argv, rows=24, cols=200, maxread=READ_PIECE)
        except (pexpect.ExceptionPexpect, OSError) as exc:
            raise ConnectionFailed(
                f"cannot start the OpenSSH client for {self.name}: {exc}; install openssh-client"
            ) from None
        self._child = child
        try:
            self._authenticate(deadline)
        except BaseException:
            self.close()
            raise

    def _authenticate(self, deadline: Deadline) -> None:
        """Read until the remote shell speaks, answering OpenSSH's password prompt on the way.

        Output before any password prompt may be a pre-login banner (the prompt follows) or
        the shell of a key-based login: it counts once the line stays quiet for ``_SETTLE``.
        """
        seen, answered, wait = b"", False, deadline.remaining()
        while True:
            if deadline.expired:
                raise ConnectionFailed(
                    f"{self.name}: no answer within {deadline.seconds:g}s "
                    f"(last seen: {self._tail(seen)!r}); check the address, port and network"
                )
            try:
                data = self._read_raw(min(wait, deadline.remaining()))
            except ConnectionLost:
                self._raise_for(seen.decode("utf-8", "replace"), closed=True)
            seen = (seen + data)[-_WINDOW:]
            text = seen.decode("utf-8", "replace")
            self._raise_for(text, closed=False)
            asked = secret_question(text)
            if asked and not self._for_the_switch(asked):
                raise ConnectionFailed(self._not_the_switch(asked))
            if asked and is_password_question(asked):
                if answered:
                    raise LoginFailed(
                        f"{self.name}: password refused for user {self.username!r}; check the credentials"
                    )
                self._send_password()
                answered, seen = True, b""
            elif self._remote_spoke(text):
                if answered or not data:
                    self._pending = seen
                    return
                wait = _SETTLE
                continue
            wait = deadline.remaining()

    def _for_the_switch(self, prompt: str) -> bool:
        """Is this question the switch's own login? Through a jump host it must name the
        switch's ``user@host`` (as OpenSSH prompts, ``admin@10.1.2.3's password:``); a key's
        passphrase is never the switch's password."""
        if re.search(r"(?i)passphrase|passcode", prompt):
            return False
        target = self._target
        if target is None or not target.via_proxy:
            return True  # nobody else is in the way: OpenSSH is talking to the switch
        names = {self.host.lower(), target.hostname.lower()}
        return any(f"{self.username.lower()}@{name}" in prompt.lower() for name in names)

    def _not_the_switch(self, prompt: str) -> str:
        shown = mask_text(prompt.strip(), (self._password,))[-120:]
        target = self._target
        way = f" (reached via {target.proxy_jump or 'a ProxyCommand'})" if target and target.via_proxy else ""
        return (
            f"{self.name}{way}: OpenSSH asks {shown!r}, which is not the switch's login, and the harness "
            "types the switch's password only to the switch; give the jump host a key or an agent "
            "(a key without passphrase in ~/.ssh/config, or ssh-add it to ssh-agent)"
        )

    def _send_password(self) -> None:
        self.write(self._password + "\r")

    @staticmethod
    def _remote_spoke(text: str) -> bool:
        """True once anything arrived besides OpenSSH's own messages and line breaks."""
        return bool(_CLIENT_NOISE_RE.sub("", text).strip())

    def _raise_for(self, text: str, closed: bool) -> None:
        if _HOST_KEY_CHANGED_RE.search(text):
            if closed or _VERIFICATION_FAILED in text:  # the "Offending key" line comes before it
                raise HostKeyChanged(self._host_key_message(text))
            return
        if _DENIED_RE.search(text):
            raise LoginFailed(
                f"{self.name}: login refused for user {self.username!r} on {self.host}:{self.port}; "
                "check the user name and password in the testbed"
            )
        failure = _CONNECT_FAILED_RE.search(text)
        if failure or closed:
            reason = failure.group(0).strip() if failure else f"connection closed ({self._tail(text.encode())!r})"
            raise ConnectionFailed(
                f"{self.name}: {reason}; check that the switch (or virtual chassis) is up, "
                "the address and port are right and a master MSM is serving SSH"
            )

    def _host_key_message(self, text: str) -> str:
        alias = next((o.split("=", 1)[1] for o in self.ssh_options if o.lower().startswith("hostkeyalias=")), None)
        host = alias.lower() if alias else self.host  # the key is pinned under the alias when there is one
        entry = host if self.port == 22 or alias else f"[{host}]:{self.port}"
        offending = _OFFENDING_RE.search(text)
        where = (
            f"line {offending['line']} of {offending['file']}"
            if offending
            else f"the entry for {entry} in {self.known_hosts}"
        )
        return (
            f"{self.name}: the host key differs from the one recorded in {self.known_hosts}; if the "
            f"switch was replaced or re-keyed, remove {where} (ssh-keygen -R '{entry}' "
            f"-f {self.known_hosts}) and connect again, otherwise stop: someone may be in the middle"
        )

    def _read_raw(self, timeout: float) -> bytes:
        child = self._require_open()
        if timeout > 0 and not wait_readable(child.child_fd, timeout, self.transcript):
            return b""
        try:
            data = child.read_nonblocking(READ_PIECE, timeout=0)
        except (pexpect.TIMEOUT, BlockingIOError):  # nothing after all (the pty is non-blocking)
            return b""
        except (pexpect.EOF, OSError, ValueError):
            self.close()
            raise ConnectionLost(f"{self.name}: connection closed by the remote side; reconnect") from None
        data = read_more(child.child_fd, data)  # a long output: a few large chunks
        if self.transcript is not None:
            self.transcript.received(data)
        return data

    def read(self, timeout: float) -> bytes:
        """What arrived within ``timeout`` seconds; ConnectionLost when ssh ended."""
        if self._pending:
            data, self._pending = self._pending, b""
            return data
        return self._read_raw(timeout)

    def write(self, data: bytes | Secret, timeout: float = WRITE_TIMEOUT) -> None:
        """Send ``data`` to the remote shell within ``timeout`` s; ConnectionLost if ssh has
        ended or takes nothing. Whatever the write raises is replaced (``from None``): the
        frames below it may hold the password."""
        child = self._require_open()
        try:
            written = write_fd(child.child_fd, data, Deadline(timeout))
        except Exception as exc:  # noqa: BLE001 - any failure of the OS write is a lost link
            self.close()
            raise ConnectionLost(f"{self.name}: cannot send ({type(exc).__name__}: {exc}); reconnect") from None
        finally:  # recorded after the write, while the device works on it (also when it failed)
            if self.transcript is not None:
                self.transcript.sent(data)
        if not written:
            self.close()
            raise ConnectionLost(f"{self.name}: the ssh client took nothing within {timeout:g}s; reconnect")

    def close(self) -> None:
        """Stop the ssh client (fast, idempotent)."""
        child, self._child = self._child, None
        self._pending = b""
        if child is not None:
            try:
                child.close(force=True)
            except (pexpect.ExceptionPexpect, OSError):
                pass

    def _require_open(self) -> PtyChild:
        if self._child is None:
            raise ConnectionLost(f"{self.name} is not open; call open() first")
        return self._child

    def _tail(self, data: bytes, size: int = 200) -> str:
        return mask_text(data.decode("utf-8", "replace"), (self._password,))[-size:]

    def __repr__(self) -> str:
        return f"SshTransport({self.host!r}, {self.port})"
