"""Received text a session has not consumed yet; complete lines that may be log lines or boot
text are reported as they arrive.

The work per received chunk is linear in the chunk, however much arrived before it and
however it is cut: chunks are kept as they came and joined once, when a command's output is
taken; prompts, questions and the pager are looked for in :attr:`Inbox.tail` only.
"""

from __future__ import annotations

import codecs

from drivers.cleaning import LineSplitter
from drivers.prompt import may_hold_event

#: How much recently received text is kept for error messages.
RECENT = 1024
#: How much of the end of the text :attr:`Inbox.tail` holds at least: a prompt, question or
#: pager prompt with log lines printed after it.
TAIL_KEEP = 4096
#: Marks a tail cut inside a line: a search sees no line start there (not a line break, not
#: a character of a prompt, login or question).
CUT = "\x00"


class Inbox:
    """Decodes received bytes (UTF-8, chunk boundaries anywhere) until taken."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget everything (a new link)."""
        self._parts: list[str] = []
        self._tail = ""
        self.size = 0
        """Characters received and not taken yet."""
        self.received = 0
        """Bytes received since the text was last taken whole (what the output limit counts)."""
        self.recent = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._splitter = LineSplitter(only=may_hold_event)

    @property
    def text(self) -> str:
        """All the text not taken yet (joined once, then kept joined)."""
        if len(self._parts) > 1:
            self._parts = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""

    @property
    def tail(self) -> str:
        """The end of :attr:`text`, at least :data:`TAIL_KEEP` characters of it; where it was
        cut inside a line it starts with :data:`CUT`. What prompt searches read."""
        return self._tail

    def add(self, data: bytes) -> list[str]:
        """Append ``data``; return the clean lines it completed when they may hold a log line or
        boot text (none otherwise)."""
        self.received += len(data)
        chunk = self._decoder.decode(data)
        if not chunk:
            return []
        self._parts.append(chunk)
        self.size += len(chunk)
        self._set_tail(self._tail + chunk if len(chunk) < TAIL_KEEP else chunk, self.size)
        self.recent = (self.recent[-RECENT:] + chunk[-RECENT:])[-RECENT:]
        return self._splitter.feed(chunk)

    def _set_tail(self, tail: str, size: int) -> None:
        """Keep ``tail`` (the last characters of ``size`` not taken), trimmed when it is twice
        what is needed: each character is copied a bounded number of times."""
        if len(tail) > 2 * TAIL_KEEP or (len(tail) < size and tail[:1] != CUT):
            tail = CUT + tail[-TAIL_KEEP:]
        self._tail = tail

    def take(self, upto: int | None = None) -> str:
        """Remove and return the text up to ``upto`` (all of it by default)."""
        text = self.text
        end = len(text) if upto is None else upto
        taken, rest = text[:end], text[end:]
        self._parts = [rest] if rest else []
        self.size = len(rest)
        self.received = len(rest)  # what stays (boot text) counts again, by its characters
        self._tail = ""
        self._set_tail(rest[-2 * TAIL_KEEP :], self.size)
        return taken
