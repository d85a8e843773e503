"""Line input as a serial console or an SSH pty delivers it, one byte at a time.

Printable characters are echoed, BS/DEL erase, Ctrl-U clears, Ctrl-C cancels, ``\\r``, ``\\n``
or ``\\r\\n`` end a line (``\\r\\n`` counts once). Telnet IAC sequences, ANSI escape sequences
and any other control or non-ASCII byte are swallowed, so garbage never reaches the command
interpreter. Lines are capped at ``max_len`` characters.

At a command prompt (an :class:`Assist` that is active) ``?`` lists what may come next, TAB
completes the word being typed (or lists the choices), and the up and down arrows
(``ESC [ A`` / ``ESC [ B``, or ``ESC O A`` / ``ESC O B``) walk the command history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

MAX_LINE = 512
HISTORY = 64  # commands kept for the arrow keys
BACKSPACE, DELETE, CTRL_C, CTRL_U, ESC, IAC, TAB, BELL = 0x08, 0x7F, 0x03, 0x15, 0x1B, 0xFF, 0x09, b"\x07"
_UP, _DOWN = (b"\x1b[A", b"\x1bOA"), (b"\x1b[B", b"\x1bOB")


class Assist(Protocol):
    """What the editor asks the session for ``?``, TAB and the history."""

    def active(self) -> bool:
        """True at a command prompt (not in a dialog or at a password)."""
        ...

    def completions(self, text: str) -> list[str]:
        """Keywords completing the last word of ``text``."""
        ...

    def help_for(self, text: str) -> list[str]:
        """The lines ``?`` prints after ``text``."""
        ...

    def shown_prompt(self) -> str:
        """The prompt to print again under a list."""
        ...


_IAC_OPTION = range(251, 255)  # WILL WONT DO DONT take one option byte
_IAC_SB, _IAC_SE = 250, 240


@dataclass(frozen=True)
class Line:
    """A finished line; ``overflow`` when more than ``max_len`` characters were typed."""

    text: str
    overflow: bool = False


CANCEL = object()


class LineEditor:
    """Turns bytes into :class:`Line` results (or ``CANCEL`` for Ctrl-C) and echoes them."""

    def __init__(
        self,
        write: Callable[[bytes], None],
        echo: bool = True,
        max_len: int = MAX_LINE,
        newline: bool | None = None,
        assist: Assist | None = None,
    ):
        self._write = write
        self.echo = echo
        self.newline = echo if newline is None else newline  # end a finished line with CR LF
        self.hidden = False  # password entry: nothing is echoed
        self.max_len = max_len
        self.buffer = bytearray()
        self.overflow = False
        self._after_cr = False
        self._skip: Callable[[int], Any] | None = None  # state of an escape or telnet sequence being swallowed
        self._sequence = bytearray()  # the escape sequence so far (arrow keys are acted on)
        self.assist = assist
        self.history: list[str] = []
        self._recalled: int | None = None  # index into history while walking it

    @property
    def text(self) -> str:
        return self.buffer.decode("ascii")

    def _echo(self, data: bytes) -> None:
        if self.echo and not self.hidden:
            self._write(data)

    def key(self, byte: int):
        """Feed one byte; returns a :class:`Line`, ``CANCEL`` or None."""
        after_cr, self._after_cr = self._after_cr, False
        if self._skip is not None:
            self._sequence.append(byte)
            self._skip = self._skip(byte)
            if self._skip is None and self._sequence[:1] == bytes([ESC]):
                self._arrow(bytes(self._sequence))
            return None
        if byte in (0x0D, 0x0A):
            if byte == 0x0A and after_cr:
                return None
            self._after_cr = byte == 0x0D
            return self._finish()
        if byte == CTRL_C:
            self.reset()
            return CANCEL
        self._edit(byte)
        return None

    def _assisting(self) -> bool:
        return self.assist is not None and self.echo and not self.hidden and self.assist.active()

    def _edit(self, byte: int) -> None:
        if byte == ord("?") and self._assisting():
            self._list(self.assist.help_for(self.text))  # type: ignore[union-attr]
        elif byte == TAB and self._assisting():
            self._complete()
        elif 0x20 <= byte < 0x7F:
            self._insert(bytes([byte]))
        elif byte in (BACKSPACE, DELETE):
            if self.buffer:
                self.buffer.pop()
                self._echo(b"\b \b")
        elif byte == CTRL_U:
            self._echo(b"\b \b" * len(self.buffer))
            self.buffer.clear()
        elif byte in (ESC, IAC):
            self._sequence = bytearray([byte])
            self._skip = _escape if byte == ESC else _telnet

    def _insert(self, text: bytes) -> None:
        for byte in text:
            if len(self.buffer) >= self.max_len:
                self.overflow = True
                return
            self.buffer.append(byte)
            self._echo(bytes([byte]))

    def _list(self, lines: list[str]) -> None:
        """Print ``lines`` under the input, then the prompt and the line typed so far again."""
        shown = "".join(f"{line}\r\n" for line in lines)
        prompt = self.assist.shown_prompt() if self.assist else ""
        self._write(f"\r\n{shown}{prompt}".encode("ascii", "replace") + bytes(self.buffer))

    def _complete(self) -> None:
        """TAB: complete the word being typed, as far as the choices agree; list them when that
        adds nothing; ring the bell when nothing fits."""
        text = self.text
        partial = "" if not text or text[-1] == " " else text.split()[-1]
        choices = self.assist.completions(text) if self.assist else []
        if not choices:
            self._write(BELL)
            return
        common = choices[0] if len(choices) == 1 else _common_prefix(choices)
        if len(common) > len(partial) or len(choices) == 1:
            self._insert((common[len(partial) :] + (" " if len(choices) == 1 else "")).encode("ascii"))
        else:
            self._list(["  " + "  ".join(choices)])

    def _arrow(self, sequence: bytes) -> None:
        """Up and down walk the history at a command prompt; other sequences are swallowed."""
        if not self.history or not self._assisting() or sequence not in (*_UP, *_DOWN):
            return
        last = len(self.history)
        at = last if self._recalled is None else self._recalled
        at = max(0, at - 1) if sequence in _UP else min(last, at + 1)
        self._recalled = at
        self._echo(b"\b \b" * len(self.buffer))
        self.buffer.clear()
        self._insert((self.history[at] if at < last else "").encode("ascii"))

    def _finish(self) -> Line:
        self._newline()
        line = Line(self.text, self.overflow)
        if line.text.strip() and self._assisting():
            if not self.history or self.history[-1] != line.text:
                self.history = [*self.history, line.text][-HISTORY:]
        self._recalled = None
        self.reset()
        return line

    def _newline(self) -> None:
        if self.newline:
            self._write(b"\r\n")

    def reset(self) -> None:
        self.buffer.clear()
        self.overflow = False

    def continue_from(self, other: LineEditor) -> None:
        """Take over from another editor (a ``\\n`` after its ``\\r`` still counts once)."""
        self._after_cr = other._after_cr

    def redisplay(self) -> bytes:
        """What to print after a prompt to show the line typed so far."""
        return b"" if self.hidden or not self.echo else bytes(self.buffer)


def _common_prefix(words: list[str]) -> str:
    first, last = min(words), max(words)
    size = next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), min(len(first), len(last)))
    return first[:size]


# Each swallowing state returns the next state, or None when the sequence is over. Sequences
# are bounded (``budget``), so garbage that opens one and never closes it cannot deafen a line.
SEQUENCE_LIMIT = 64


def _escape(byte: int):
    """After ESC: swallow ``ESC [ params final`` or ``ESC O x`` or a single ``ESC x``."""
    if byte == ord("["):
        return _csi(SEQUENCE_LIMIT)
    if byte == ord("O"):
        return lambda _b: None
    return None


def _csi(budget: int):
    def state(byte: int):
        return None if 0x40 <= byte <= 0x7E or budget <= 1 else _csi(budget - 1)

    return state


def _telnet(byte: int):
    if byte in _IAC_OPTION:
        return lambda _b: None
    if byte == _IAC_SB:
        return _telnet_sb(SEQUENCE_LIMIT, False)
    return None


def _telnet_sb(budget: int, after_iac: bool):
    def state(byte: int):
        if (after_iac and byte == _IAC_SE) or budget <= 1:
            return None
        return _telnet_sb(budget - 1, byte == IAC)

    return state
