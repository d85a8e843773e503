"""Received text a session has not consumed yet; complete lines that may be log lines or boot
text are reported as they arrive."""

from __future__ import annotations

import codecs

from drivers.cleaning import LineSplitter
from drivers.prompt import EVENT_HINT_RE

#: How much recently received text is kept for error messages.
RECENT = 1024


class Inbox:
    """Decodes received bytes (UTF-8, chunk boundaries anywhere) into ``text`` until taken."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget everything (a new link)."""
        self.text = ""
        self.recent = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._splitter = LineSplitter(only=EVENT_HINT_RE)

    def add(self, data: bytes) -> list[str]:
        """Append ``data``; return the clean lines it completed when they may hold a log line or
        boot text (none otherwise)."""
        chunk = self._decoder.decode(data)
        self.text += chunk
        self.recent = (self.recent + chunk)[-RECENT:]
        return self._splitter.feed(chunk)

    def take(self, upto: int | None = None) -> str:
        """Remove and return the text up to ``upto`` (all of it by default)."""
        end = len(self.text) if upto is None else upto
        taken, self.text = self.text[:end], self.text[end:]
        return taken
