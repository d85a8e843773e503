"""Line input as a serial console or an SSH pty delivers it, one byte at a time.

Printable characters are echoed, BS/DEL erase, Ctrl-U clears, Ctrl-C cancels, ``\\r``, ``\\n``
or ``\\r\\n`` end a line (``\\r\\n`` counts once). Telnet IAC sequences, ANSI escape sequences
(arrow keys) and any other control or non-ASCII byte are swallowed, so garbage never reaches
the command interpreter. Lines are capped at ``max_len`` characters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_LINE = 512
BACKSPACE, DELETE, CTRL_C, CTRL_U, ESC, IAC = 0x08, 0x7F, 0x03, 0x15, 0x1B, 0xFF
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
        self, write: Callable[[bytes], None], echo: bool = True, max_len: int = MAX_LINE, newline: bool | None = None
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
            self._skip = self._skip(byte)
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

    def _edit(self, byte: int) -> None:
        if 0x20 <= byte < 0x7F:
            if len(self.buffer) >= self.max_len:
                self.overflow = True
                return
            self.buffer.append(byte)
            self._echo(bytes([byte]))
        elif byte in (BACKSPACE, DELETE):
            if self.buffer:
                self.buffer.pop()
                self._echo(b"\b \b")
        elif byte == CTRL_U:
            self._echo(b"\b \b" * len(self.buffer))
            self.buffer.clear()
        elif byte == ESC:
            self._skip = _escape
        elif byte == IAC:
            self._skip = _telnet

    def _finish(self) -> Line:
        self._newline()
        line = Line(self.text, self.overflow)
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
