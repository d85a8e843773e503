"""An XCM8800 CLI session over any transport: login, commands, pager, dialogs, reboots.

The session waits with ``transport.read(timeout=remaining)`` only, never a fixed sleep, and
every wait is bounded by a :class:`~drivers.deadline.Deadline`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from drivers.cleaning import clean_output, split_log
from drivers.deadline import Deadline
from drivers.dialogs import DEFAULT_DIALOGS, LOGOUT_KEEP_SAVED, Answers, Dialog, find_dialog, with_answers
from drivers.errors import (
    CommandError,
    ConnectionFailed,
    ConnectionLost,
    DeviceRebooted,
    HilError,
    HostKeyChanged,
    OutputLimit,
    Timeout,
)
from drivers.inbox import Inbox
from drivers.login import LoginMachine
from drivers.owner import OneThread
from drivers.prompt import Prompt, at_pager, find_boot_start, find_login, find_prompt, is_boot_line
from drivers.secret import Secret, mask_text
from drivers.transcript import Transcript
from drivers.transports.base import Transport

#: Refuse to answer more questions than this in one command (a device asking in a loop).
MAX_ANSWERS = 16
#: At most this many reads are drained between commands (a console that never stops talking).
_MAX_DRAIN_READS = 256
#: A console command's deadline grows by the line time of what it printed (8N1: 10 bits a byte),
#: up to this many seconds: a big output at 9600 baud is not cut off, an endless one still is.
MAX_LINE_TIME = 3600.0
#: Seconds between two heartbeats of a command that is still running.
HEARTBEAT_EVERY = 10.0
#: How long a console must stay quiet at a fresh prompt, after a command timed out, before the
#: next command is sent (what came meanwhile is thrown away).
QUIET_SECONDS = 0.5
#: The most a session takes from the device without reaching a prompt (a command's output, a
#: login's text, what arrives between commands), in bytes: past it the command is cut off.
#: 64 MiB is ~60 times the configuration of a full chassis; a device printing without end
#: (~100 MB/s on a fast link) is stopped within a second instead of at the deadline.
DEFAULT_MAX_OUTPUT = 64 << 20
_LOGOUT_RE = re.compile(r"^\s*(?:exit|logout|quit)\s*$")


@dataclass(frozen=True)
class CommandResult:
    """What one command produced."""

    command: str
    output: str
    prompt: Prompt | None
    elapsed: float
    failed: bool
    error: str | None
    log_lines: tuple[str, ...] = ()
    rebooted: bool = False

    @property
    def ok(self) -> bool:
        """True when no error line was seen."""
        return not self.failed


class CliSession:
    """One CLI session (console or SSH) to one MSM; see :meth:`connect` and :meth:`run`."""

    nudge_after = 2.0
    """Seconds of silence after which ``\\r`` is sent while looking for a login or prompt."""

    def __init__(
        self,
        transport: Transport,
        username: str = "admin",
        password: str | Secret = "",
        transcript: Transcript | None = None,
        dialogs: Iterable[Dialog] = DEFAULT_DIALOGS,
        on_log: Callable[[str], None] | None = None,
        max_output: int = DEFAULT_MAX_OUTPUT,
    ):
        self.transport = transport
        self.max_output = max_output
        """Bytes the device may print without reaching a prompt before it is cut off."""
        self.username = username
        self._password = Secret.of(password)
        self.dialogs = tuple(dialogs)
        self.on_log = on_log
        self.heartbeat: Callable[[str], None] | None = None
        """Told every :data:`HEARTBEAT_EVERY` s how a long command is doing (bytes so far)."""
        self.before_retry: Callable[[], None] | None = None
        """Called before each new attempt of :meth:`reconnect`; it may raise to stop retrying
        (the harness raises when the far end is known to be gone, e.g. a dead emulator)."""
        self.prompt: Prompt | None = None
        self.logged_in = False
        self.booting = False
        self.relogins = 0
        """How often :meth:`run` logged in again because the MSM rebooted or the link dropped
        while the session was idle (each time is noted in the transcript)."""
        self._in_use = False
        self._user = OneThread(self.transport.name)
        self._desynced = False  # a command timed out: its output may still be coming
        self._inbox = Inbox()
        if transcript is not None:
            transport.transcript = transcript
        self.transcript = getattr(transport, "transcript", None)
        if self.transcript is not None:
            self.transcript.add_secret(self._password)

    @property
    def name(self) -> str:
        return self.transport.name

    # -- connecting -------------------------------------------------------------------------

    def connect(self, deadline: Deadline | float = 60.0) -> Prompt:
        """Open the transport, log in (or adopt a logged-in prompt) and disable paging."""
        with self._user.holding("connect"):
            return self._start(Deadline.of(deadline), nudge_first=True)

    def wait_for_login(self, deadline: Deadline | float = 600.0) -> Prompt:
        """After a reboot: wait for the boot to end at ``login:``, then log in again.

        On a console nothing is sent while boot text is running. Over SSH this reconnects
        (the management address answers again once a master exists).
        """
        deadline = Deadline.of(deadline)
        if self.transport.kind == "ssh":
            return self.reconnect(deadline)
        with self._user.holding("wait for login"):
            return self._start(deadline, nudge_first=False)

    def reconnect(self, deadline: Deadline | float = 120.0) -> Prompt:
        """Close and connect again, retrying refused or dropped connections until the deadline."""
        deadline = Deadline.of(deadline)
        backoff, cause = 0.05, None
        while True:
            self._note("reconnect")
            self._drop()
            try:
                return self.connect(deadline)
            except HostKeyChanged:
                raise
            except (ConnectionFailed, ConnectionLost, DeviceRebooted) as exc:
                if cause is None or not deadline.expired:
                    cause = exc  # an attempt cut short by the deadline says less than the one before
                if deadline.expired:
                    raise ConnectionFailed(
                        f"{self.name}: could not reconnect within {deadline.seconds:g}s; last error: {cause}"
                    ) from cause
                time.sleep(min(backoff, deadline.remaining()))  # pacing between attempts, within the deadline
                backoff = min(backoff * 2, 1.0)
                if self.before_retry is not None:
                    self.before_retry()

    def _start(self, deadline: Deadline, nudge_first: bool) -> Prompt:
        self._note(f"connect to {self.name}")
        self._in_use = True
        if not self.transport.is_open:
            self._inbox.reset()
            self.transport.open(deadline)
        try:
            machine = LoginMachine(_SessionLine(self), deadline, nudge_first=nudge_first)
            self._set_prompt(machine.run())
            self._inbox.take()
            self.run("disable clipaging", timeout=deadline)
        except BaseException as failed:
            # a failed login lets go of the link at once: a terminal server port that takes one
            # client (ser2net's default) is free for the next try or the next plan
            self._note(f"login failed ({type(failed).__name__}): closing {self.name}")
            self._drop()
            raise
        assert self.prompt is not None
        return self.prompt

    def _set_prompt(self, prompt: Prompt) -> None:
        self.prompt = prompt
        self.logged_in = True
        self.booting = False

    def _drop(self) -> None:
        """Close the link and forget what it showed (a reopened console flushes stale input)."""
        self.transport.close()
        self._inbox.reset()
        self.logged_in = self.booting = self._desynced = False

    def close(self, timeout: float = 5.0) -> None:
        """Log out politely on a console (answering the save question ``n``), then close."""
        try:
            if self.logged_in and self.transport.is_open and self.transport.kind == "console":
                self._send_logout(timeout)
        except HilError as exc:  # closing must not fail: the link is dropped anyway
            self._note(f"logout on close failed: {exc}")
        finally:
            self._in_use = False
            self._drop()

    def _send_logout(self, timeout: float) -> None:
        if self._ready():  # still logged in: not rebooted or logged out meanwhile
            self.run("exit", timeout=timeout, answers=(LOGOUT_KEEP_SAVED,))

    def __enter__(self) -> CliSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- commands ---------------------------------------------------------------------------

    def run(
        self,
        command: str,
        timeout: Deadline | float = 30.0,
        answers: Answers | None = None,
        expect_reboot: bool = False,
        check: bool = False,
    ) -> CommandResult:
        """Send ``command``, answer dialogs and the pager, wait for the prompt, clean the output.

        ``answers`` take precedence over the session's dialog table. A reboot or a dropped SSH
        connection while the command runs gives ``rebooted=True`` with ``expect_reboot``, else
        :class:`DeviceRebooted`. ``check=True`` raises :class:`CommandError` on an error line.
        If the session ended while idle (the MSM rebooted, a failover closed the SSH link, or
        an earlier command rebooted it), it logs in again first, within the same deadline.
        """
        if "\n" in command or "\r" in command:
            raise ValueError(f"one command line per run(), got {command!r}")
        deadline = Deadline.of(timeout)
        with self._user.holding(repr(command)):
            if self.transcript is None:
                return self._run(command, deadline, answers, expect_reboot, check)
            with self.transcript.batch():  # records kept, written when a wait lasts or soon after
                return self._run(command, deadline, answers, expect_reboot, check)

    def _run(
        self, command: str, deadline: Deadline, answers: Answers | None, expect_reboot: bool, check: bool
    ) -> CommandResult:
        if self._desynced:
            self._resync(deadline)  # a command timed out on this console: its output goes first
        if not self._ready():
            self._log_in_again(deadline)
        self._note(f"run {command!r} (timeout {deadline.seconds:g}s)")
        started = time.monotonic()
        self._send(command + "\r")
        outcome = self._await(command, deadline, with_answers(answers, self.dialogs))
        result = self._result(command, outcome, time.monotonic() - started)
        error = f", {result.error}" if result.failed else ""
        self._note(f"{command!r}: {outcome} after {result.elapsed:.3f}s{error}")
        if result.rebooted and not expect_reboot:
            raise DeviceRebooted(
                f"{self.name}: the MSM rebooted or dropped the session while running {command!r}; "
                "pass expect_reboot=True if that is intended, then wait_for_login() or reconnect()"
            )
        if check and result.failed:
            raise CommandError(f"{self.name}: {command!r} failed: {result.error}", result)
        return result

    def _await(self, command: str, deadline: Deadline, table: tuple[Dialog, ...]) -> str:
        """Read until the command ends; returns how: ``prompt``, ``prompt, then a reboot``,
        ``rebooted``, ``closed`` (SSH) or ``login``.

        On a console the deadline grows by the line time of what the command printed (a big
        output at 9600 baud); a command that still times out is interrupted and the session
        brought back to a fresh prompt, or dropped to be reopened, before anything else runs on
        it: nothing of its output reaches another command."""
        handled, answered = 0, 0
        started = beat = time.monotonic()
        baud = getattr(self.transport, "baudrate", 0) if self.transport.kind == "console" else 0
        while True:
            tail = self._inbox.tail  # prompts, questions and the pager end the text: never a rescan
            prompt = find_prompt(tail) if tail else None
            if prompt is not None and self._ends(command, prompt):
                self._set_prompt(prompt)
                return "prompt"
            if self.booting:
                before = self._inbox.text[: self._boot_start()].rstrip("\r\n")
                prompt = find_prompt(before)
                if prompt is not None and self._ends(command, prompt, before):
                    self.prompt = prompt
                    return "prompt, then a reboot"  # the command had finished
                return "rebooted"
            if self._inbox.size > handled:
                handled = self._inbox.size
                if at_pager(tail):
                    self._send(" ")
                    continue
                question = find_dialog(tail, table)
                if question is not None:
                    answered += 1
                    self._answer(command, question, answered)
                    continue
                if find_login(tail) in ("login", "pending-aaa"):
                    return "login"  # logged out (exit) or the MSM came back from a reboot
            line_time = min(self._inbox.size * 10 / baud, MAX_LINE_TIME) if baud else 0.0
            left = _left(deadline, line_time)
            if left <= 0:
                tail = self._tail()
                self._interrupt(command)
                raise Timeout(
                    f"{self.name}: no prompt after {command!r} within {deadline.seconds + line_time:.0f}s "
                    f"({deadline.seconds:g}s and the line time of its output); last output: {tail!r}. "
                    "Give the command a longer timeout, or check the console: the CLI may be stuck in a question"
                )
            now = time.monotonic()
            if self.heartbeat is not None and now - beat >= HEARTBEAT_EVERY:
                beat = now
                self.heartbeat(f"{command!r} still running after {now - started:.0f}s, {self._inbox.size} bytes so far")
            try:
                self._receive(min(left, HEARTBEAT_EVERY))
            except ConnectionLost:
                if self.transport.kind != "ssh":
                    raise
                return "closed"

    def _interrupt(self, command: str) -> None:
        """``command`` timed out: Ctrl-C on a console (its output is thrown away before the next
        command, :meth:`_resync`); an SSH session is closed (the next command reconnects)."""
        self._note(f"{command!r} timed out: interrupting it; its output is not given to another command")
        try:
            if self.transport.kind == "console":
                self._send("\x03")
                self._desynced = True
                return
        except HilError as lost:
            self._note(f"interrupting {command!r} failed: {lost}")
        self._drop()

    def _resync(self, deadline: Deadline) -> None:
        """Before the next command after a timeout: read until the line is quiet at a fresh
        prompt and throw it all away; when that does not come within ``deadline``, drop the
        link, so the command logs in anew (the login reads past what is still coming)."""
        self._desynced = False
        quiet_since = time.monotonic()
        try:
            while _left(deadline, 0.0) > 0:
                if self._receive(min(QUIET_SECONDS, _left(deadline, 0.0))):
                    quiet_since = time.monotonic()
                    continue
                prompt = find_prompt(self._inbox.tail) if self._inbox.tail else None
                if prompt is not None and not self.booting and time.monotonic() - quiet_since >= QUIET_SECONDS:
                    self._inbox.take()
                    self._set_prompt(prompt)
                    self._note("back at a fresh prompt after the timed-out command")
                    return
        except HilError as lost:
            self._note(f"resync after the timed-out command failed: {lost}")
        self._note("no fresh prompt after the timed-out command: reopening the link")
        self._drop()

    def _ends(self, command: str, prompt: Prompt, text: str | None = None) -> bool:
        """Is ``prompt`` the one after ``command``, not a stale one from an earlier empty line?

        It is when the command's echo came before it (in ``text``, by default all received)
        or the per-session counter moved on.
        """
        wanted = command.strip()
        if not wanted or self.prompt is None or prompt.counter != self.prompt.counter:
            return True
        return wanted in (self._inbox.text if text is None else text)

    def _answer(self, command: str, question: Dialog, count: int) -> None:
        if count > MAX_ANSWERS:
            raise CommandError(
                f"{self.name}: {command!r} asked more than {MAX_ANSWERS} questions "
                f"(last: {question.description}); answer it explicitly with answers="
            )
        self._note(f"answer {question.answer!r}: {question.description}")
        self._send(question.answer + "\r")

    def _result(self, command: str, outcome: str, elapsed: float) -> CommandResult:
        logout = _LOGOUT_RE.match(command) is not None
        rebooted = outcome == "rebooted" or (outcome in ("closed", "login") and not logout)
        if outcome != "prompt":
            self.logged_in = False
        if outcome not in ("prompt", "prompt, then a reboot"):
            self.prompt = None
        # boot text stays in the inbox: wait_for_login() or the next run() logs in after it
        raw = self._inbox.take(self._boot_start() if self.booting else None)
        cleaned = clean_output(raw, command)
        return CommandResult(
            command=command,
            output=cleaned.output,
            prompt=self.prompt,
            elapsed=elapsed,
            failed=bool(cleaned.errors),
            error=cleaned.errors[0] if cleaned.errors else None,
            log_lines=cleaned.log_lines,
            rebooted=rebooted,
        )

    def _boot_start(self) -> int:
        """Where boot text begins in the inbox: it stays there for :meth:`wait_for_login`."""
        start = find_boot_start(self._inbox.text)
        return len(self._inbox.text) if start is None else start

    def _ready(self) -> bool:
        """Consume what arrived while idle (log lines still reported).

        False when the session ended meanwhile: the MSM rebooted (boot text or ``login:`` on
        the console), the link dropped, or an earlier command ended it.
        """
        if not self._in_use:
            raise ConnectionLost(f"{self.name}: not connected (never, or closed); call connect() first")
        if not self.logged_in:
            return False
        try:
            for _ in range(_MAX_DRAIN_READS):
                if not self._receive(0):
                    break
        except ConnectionLost:
            self.logged_in = False
            return False
        tail = self._inbox.tail
        if self.booting or (tail and find_login(tail) is not None and find_prompt(tail) is None):
            self.logged_in = False
            return False
        self._inbox.take()
        return True

    def wait_for_output(self, timeout: float) -> bool:
        """Between commands: wait up to ``timeout`` s for the device to print something (a log
        line, boot text) or drop the link; True when it did.

        What arrived stays for the next :meth:`run`, which sees a reboot or a logout in it, and
        log lines go to ``on_log`` as usual. A caller polling for a state change waits here
        instead of sleeping, so it reacts as soon as the console reports the change.
        """
        if not (self._in_use and self.logged_in and self.transport.is_open):
            return False
        try:
            return self._receive(timeout)
        except ConnectionLost:
            self.logged_in = False
            return True

    def _log_in_again(self, deadline: Deadline) -> None:
        """Before a command: log in again on a console, reconnect over SSH, within ``deadline``."""
        self.relogins += 1
        self._note("the session ended since the last command (reboot, failover or logout): logging in again")
        if self.transport.kind == "ssh":
            self.reconnect(deadline)
        else:
            self._start(deadline, nudge_first=True)

    # -- bytes ------------------------------------------------------------------------------

    def _receive(self, timeout: float) -> bool:
        """Wait up to ``timeout`` for data; True when some arrived."""
        data = self.transport.read(max(0.0, timeout))
        if not data:
            return False
        for line in self._inbox.add(data):
            self._on_line(line)
        if self._inbox.received > self.max_output:
            self._cut_off()
        return True

    def _cut_off(self) -> None:
        """The device printed more than :attr:`max_output` without a prompt: drop the link
        (nothing more is read, so memory and the transcript stop growing) and fail."""
        received, tail = self._inbox.received, self._tail(120)
        self._note(f"cut off: {received} bytes without a prompt (limit {self.max_output}); closing {self.name}")
        self._drop()
        raise OutputLimit(
            f"{self.name}: the device printed {received} bytes without reaching a prompt (limit "
            f"{self.max_output}); cut off. Last output: {tail!r}. If the output is really that long, "
            "raise max_output in the testbed; otherwise check what the device is printing"
        )

    def _on_line(self, line: str) -> None:
        _, log = split_log(line)
        if log is not None:
            if self.on_log is not None:
                self.on_log(log)
        elif is_boot_line(line):
            self.booting = True

    def _send(self, text: str | Secret) -> None:
        self.transport.write(text if isinstance(text, Secret) else text.encode())

    def _note(self, text: str) -> None:
        if self.transcript is not None:
            self.transcript.note(text)

    def _tail(self, size: int = 200) -> str:
        """The last ``size`` characters received, secrets masked (for error messages)."""
        return mask_text(self._inbox.recent, (self._password,))[-size:]


def _left(deadline: Deadline, extra: float) -> float:
    """Seconds left of ``deadline`` stretched by ``extra`` (0 once an abortable one is aborted)."""
    event = getattr(deadline, "event", None)
    if event is not None and event.is_set():
        return 0.0
    return max(0.0, deadline.at + extra - time.monotonic())


class _SessionLine:
    """A session as the login machine sees it (:class:`~drivers.login.LoginLine`)."""

    def __init__(self, session: CliSession) -> None:
        self._session = session
        self.name = session.name
        self.username = session.username
        self.password = session._password
        self.console = session.transport.kind == "console"
        self.nudge_after = session.nudge_after

    @property
    def booting(self) -> bool:
        return self._session.booting

    @booting.setter
    def booting(self, value: bool) -> None:
        self._session.booting = value

    @property
    def text(self) -> str:
        return self._session._inbox.tail  # what the login machine looks for ends the text

    def take(self) -> None:
        self._session._inbox.take()

    def send(self, text: str | Secret) -> None:
        self._session._send(text)

    def receive(self, timeout: float) -> bool:
        return self._session._receive(timeout)

    def tail(self) -> str:
        return self._session._tail()
