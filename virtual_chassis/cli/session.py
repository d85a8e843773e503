"""One CLI session on one MSM: prompt, line input, pager, dialogs, errors.

Pure logic: bytes in through :meth:`CliSession.feed`, bytes out through ``write``. The same
class serves a console line (after its login dialog) and a management SSH channel.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model.chassis import Chassis, Msm, NodeState
from . import commands, firmware_commands, outputs
from .grammar import SyntaxProblem, completions, help_lines, parse
from .lineedit import CANCEL, MAX_LINE, Line, LineEditor

PAGE_LINES = 24
PAGER = "Press <SPACE> to continue or <Q> to quit:"
INVALID = "%% Invalid input detected at '^' marker."
INCOMPLETE = "%% Incomplete command"
HANDLERS = {**commands.HANDLERS, **firmware_commands.HANDLERS}


class CliSession:
    """A logged-in session of ``username`` (privilege ``admin`` or ``user``) on MSM ``msm_name``.

    ``interactive=False`` (SSH exec requests) prints no banner, prompt or pager.
    """

    def __init__(
        self,
        chassis: Chassis,
        msm_name: str,
        username: str,
        privilege: str,
        write: Callable[[bytes], None],
        on_exit: Callable[[], None] = lambda: None,
        echo: bool = True,
        interactive: bool = True,
    ):
        self.chassis = chassis
        self.msm_name = msm_name
        self.username = username
        self.privilege = privilege
        self._write = write
        self._on_exit = on_exit
        self.interactive = interactive
        # without echo (SSH without a pty) a finished line still ends the prompt line
        self.editor = LineEditor(write, echo=echo, newline=echo or interactive, assist=self)
        self.counter = 1
        self.paging = interactive
        self.prompting = True  # ``disable cli prompting`` turns the questions off for this session
        self.mode = "line"  # line | busy | dialog | pager | closed
        self._shown_prompt = ""
        self._pending: list[str] = []
        self._question = ""
        self._answer: Callable[[str], None] | None = None
        self._exiting = False
        self._pager_rest: list[str] = []
        self._pager_after_cr = False
        self._job = None  # a download/install running in the background
        self.after_job: Callable[[], None] | None = None

    # --- state ------------------------------------------------------------------------------

    @property
    def msm(self) -> Msm:
        return self.chassis.msms[self.msm_name]

    @property
    def is_master(self) -> bool:
        return self.msm.powered and self.msm.state is NodeState.MASTER

    @property
    def closed(self) -> bool:
        return self.mode == "closed"

    @property
    def idle(self) -> bool:
        """Waiting for a command (not in a dialog, the pager or closed)."""
        return self.mode == "line"

    def prompt(self) -> str:
        running = self.msm.running
        mark = "#" if self.privilege == "admin" else ">"
        recovery = "! " if self.msm.shutdown_slots else ""
        return f"{'* ' if running.unsaved else ''}{recovery}{running.sysname}.{self.counter} {mark} "

    # --- what the line editor asks for ?, TAB and the history -------------------------------

    def active(self) -> bool:
        return self.mode == "line" and self.interactive

    def completions(self, text: str) -> list[str]:
        return completions(text)

    def help_for(self, text: str) -> list[str]:
        return help_lines(text)

    def shown_prompt(self) -> str:
        return self._shown_prompt

    # --- output helpers used by command handlers --------------------------------------------

    def say(self, lines: list[str]) -> None:
        self._pending.extend(lines)

    def error(self, text: str) -> None:
        self._pending.append(f"Error: {text}")

    def ask(self, question: str, answer: Callable[[str], None]) -> None:
        """Ask ``question``; after ``disable cli prompting`` the answer is yes without asking."""
        if not self.prompting:
            answer("y")
            return
        self._question, self._answer = question, answer

    def exit(self) -> None:
        self._exiting = True

    def start_job(self, job) -> None:
        """The command goes on in the background (``job.cancel()`` stops it); the session stays
        busy until :meth:`job_done`."""
        self._job = job

    def progress(self, text: str) -> None:
        """Output of a running job (progress dots) as it comes."""
        self._send(text)

    def job_done(self, lines: list[str]) -> None:
        """The background job ended: print its last lines, then the prompt."""
        self._job = None
        if self.closed:
            return
        self._pending.extend(lines)
        self._finish()
        if self.after_job is not None:
            self.after_job()

    def _send(self, text: str) -> None:
        if not self.closed:
            self._write(text.encode("ascii", "replace"))

    def _lines(self, lines: list[str]) -> None:
        self._send("".join(line + "\r\n" for line in lines))

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Print the banner and the first prompt."""
        if self.interactive:
            self._lines([*outputs.BANNER, *outputs.recovery_warning(self.msm.shutdown_slots)])
            self._show_prompt()

    def close(self) -> None:
        """End the session without printing anything (reboot, power loss, dropped SSH)."""
        self.mode = "closed"
        if self._job is not None:
            self._job.cancel()

    def _show_prompt(self) -> None:
        self.mode = "line"
        if self.interactive:
            self._shown_prompt = self.prompt()
            self._send(self._shown_prompt)

    def insert_line(self, text: str) -> None:
        """Print an asynchronous line (a console log message) without breaking the input.

        The prompt or question is shown again only when something was typed after it: a
        program that already answered what it saw must not see the same question twice.
        """
        typed = self.editor.redisplay().decode()
        if self.mode in ("line", "dialog") and self.interactive:
            again = (self._shown_prompt if self.mode == "line" else self._question) + typed if typed else ""
            self._send(f"\r\n{text}\r\n{again}")
        elif self.mode == "pager":
            self._send(f"\r{' ' * len(PAGER)}\r{text}\r\n{PAGER}")
        else:
            self._lines([text])

    # --- input ------------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        for byte in data:
            if self.mode == "pager":
                self._pager_key(byte)
            elif self.mode in ("line", "dialog"):
                result = self.editor.key(byte)
                if result is not None:
                    self._input(result)
            else:
                return

    def _input(self, result) -> None:
        if self.mode == "dialog":
            answer, self._answer = self._answer, None
            self.mode = "busy"
            if result is not CANCEL and answer is not None:
                answer(result.text)
            else:
                self._send("\r\n")
            self._finish()
        elif result is CANCEL:
            self._send("\r\n" if self.editor.newline else "")
            self._show_prompt()
        else:
            self._command(result)

    def _command(self, line: Line) -> None:
        if not line.text.strip():
            self._show_prompt()
            return
        self.counter += 1
        self.mode = "busy"
        if line.overflow:
            self.error(f"Line too long: at most {MAX_LINE} characters are accepted; nothing was executed.")
        else:
            self._execute(line.text)
        self._finish()

    def _execute(self, text: str) -> None:
        parsed = parse(text)
        if parsed is None:  # a blank line: nothing to run
            return
        if isinstance(parsed, SyntaxProblem):
            self.say(self._syntax_error(parsed))
            return
        refusal = commands.check_access(self, parsed)
        if refusal:
            self.error(refusal)
            return
        HANDLERS[parsed.handler](self, parsed)

    def _syntax_error(self, problem: SyntaxProblem) -> list[str]:
        if problem.kind == "incomplete":
            return [INCOMPLETE]
        if problem.kind == "ambiguous":
            return [f'%% Ambiguous command: "{problem.word}"']
        offset = len(self._shown_prompt) if self.interactive else 0
        return [" " * (offset + problem.position) + "^", INVALID]

    def _finish(self) -> None:
        """After a command or an answer: print its output, then a dialog, exit or prompt."""
        if self.closed:
            return
        pending, self._pending = self._pending, []
        if self._answer is not None:
            self._lines(pending)
            self.mode = "dialog"
            self._send(self._question)
        elif self._job is not None:
            self._lines(pending)  # the job prints the rest, then job_done()
        elif self._exiting:
            self._lines(pending)
            self.mode = "closed"
            self._on_exit()
        else:
            self._page(pending)

    # --- pager ------------------------------------------------------------------------------

    def _page(self, lines: list[str]) -> None:
        if not self.paging or len(lines) <= PAGE_LINES:
            self._lines(lines)
            self._show_prompt()
            return
        self._lines(lines[:PAGE_LINES])
        self._pager_rest = lines[PAGE_LINES:]
        self.mode = "pager"
        self._send(PAGER)

    def _pager_key(self, byte: int) -> None:
        after_cr, self._pager_after_cr = self._pager_after_cr, byte == 0x0D
        if byte == 0x0A and after_cr:
            return
        erase = f"\r{' ' * len(PAGER)}\r"
        if byte in (ord("q"), ord("Q"), 0x03):
            self._send(erase)
            self._pager_rest = []
            self._show_prompt()
        elif byte in (ord(" "), 0x0D, 0x0A):
            count = PAGE_LINES if byte == ord(" ") else 1
            rest, self._pager_rest = self._pager_rest, []
            self._send(erase)
            self._page_more(rest, count)

    def _page_more(self, rest: list[str], count: int) -> None:
        self._lines(rest[:count])
        if len(rest) > count:
            self._pager_rest = rest[count:]
            self._send(PAGER)
        else:
            self._show_prompt()
