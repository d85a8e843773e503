"""A plan's part of the merged transcript, as the HTML report shows it.

Repeated polls are collapsed: a ``show`` command whose output (less its clock lines and prompt
counter) is the same as the last time that source ran it is left out, and one line, where the
repeats began, says how often (``show switch x37, unchanged``). Each phase note gets an anchor the timeline picture links to.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from drivers.transcript import NOTE, SENT
from harness.reporting.merged import PHASE_SOURCE

_LINE = re.compile(r"^(?P<stamp>\S+ \S+) \+\s*(?P<offset>[\d.]+) (?P<source>\S+)\s+(?P<dir>[|>#]) ?(?P<text>.*)$")
#: Lines that differ between two polls of an unchanged device: clocks and the prompt's counter.
_VOLATILE = re.compile(r"^(Current Time|System UpTime|Boot Time):|^\S+\.\d+ [#>] ?$|^\S+ # \S.*$")
_RUN_NOTE = re.compile(r"^run '(?P<command>[^']*)'")


@dataclass
class _Entry:
    line: str
    hidden: bool = False
    anchor: str | None = None


@dataclass
class _Block:
    """One command of one source: its lines, from the ``run`` note or the sent line on."""

    command: str
    entries: list[_Entry] = field(default_factory=list)
    output: list[str] = field(default_factory=list)

    def key(self) -> tuple[str, tuple[str, ...]]:
        return self.command, tuple(text for text in self.output if not _VOLATILE.match(text))


@dataclass
class _Source:
    block: _Block | None = None


@dataclass
class _Polls:
    """One command of one source: its last output and how often it came again unchanged."""

    last_key: tuple | None = None
    summary: _Entry | None = None
    repeats: int = 0


class Excerpt:
    """Lines of the merged transcript, polls collapsed, phases anchored ``<prefix>-phase-<n>``."""

    def __init__(self, lines: list[str], prefix: str):
        self.prefix = prefix
        self.entries: list[_Entry] = []
        self.phase_anchors: list[str] = []
        self._sources: dict[str, _Source] = {}
        self._polls: dict[tuple[str, str], _Polls] = {}
        for line in lines:
            self._add(line)
        for name in list(self._sources):
            self._finish(name)

    def _add(self, line: str) -> None:
        entry = _Entry(line)
        self.entries.append(entry)
        found = _LINE.match(line)
        if found is None:
            return
        source, direction, text = found["source"], found["dir"], found["text"]
        if source == PHASE_SOURCE:
            entry.anchor = f"{self.prefix}-phase-{len(self.phase_anchors)}"
            self.phase_anchors.append(entry.anchor)
            return
        state = self._sources.setdefault(source, _Source())
        run = _RUN_NOTE.match(text) if direction == NOTE else None
        starts = run is not None or (direction == SENT and (state.block is None or _sent(state.block)))
        if starts:
            self._finish(source)
            state.block = _Block(run["command"] if run else text.strip())
        if state.block is None:
            return
        state.block.entries.append(entry)
        if direction == "|":
            state.block.output.append(text)
        elif direction == SENT:
            state.block.output.append(f"> {text}")

    def _finish(self, source: str) -> None:
        state = self._sources[source]
        block, state.block = state.block, None
        if block is None:
            return
        polls = self._polls.setdefault((source, block.command), _Polls())
        key = block.key()
        if key == polls.last_key and block.command.startswith("show "):
            for entry in block.entries:
                entry.hidden = True
            if polls.summary is None:
                polls.summary = _Entry("")
                self.entries.insert(self.entries.index(block.entries[0]), polls.summary)
            polls.repeats += 1
            polls.summary.line = f"{' ' * 34}{source:<5} ~ {block.command} x{polls.repeats}, unchanged"
            return
        polls.last_key, polls.summary, polls.repeats = key, None, 0

    def html(self) -> str:
        """The excerpt as ``<pre>`` text with anchored phase lines."""
        out = []
        for entry in self.entries:
            if entry.hidden:
                continue
            text = html.escape(entry.line)
            if entry.anchor:
                text = f"<b id='{entry.anchor}'>{text}</b>"
            out.append(text)
        return "\n".join(out)

    @property
    def shown(self) -> int:
        return sum(not e.hidden for e in self.entries)


def _sent(block: _Block) -> bool:
    """True once the block's command line was sent: the next sent line starts another block."""
    return any(text.startswith("> ") for text in block.output)
