"""Timestamped step events of a procedure: the failover timeline of the report."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

#: Event names the procedures emit, in the manual's words.
FAILOVER_SENT = "failover sent"
OLD_MASTER_REBOOTING = "old master rebooting"
NEW_MASTER_ANSWERING = "new master answering"
MANAGEMENT_SSH_BACK = "management SSH back"
OLD_MASTER_AT_LOGIN = "old master at login"
BACKUP_IN_SYNC = "backup In Sync"
SYNCHRONIZE_SENT = "synchronize sent"
BACKUP_REBOOTING = "backup rebooting"


@dataclass(frozen=True)
class Event:
    """One thing that happened, stamped on wall-clock and monotonic time."""

    name: str
    wall: float
    mono: float
    detail: str = ""


@dataclass(frozen=True)
class Phase:
    """The span from the timeline's start (or the previous event) to an event."""

    name: str
    offset: float
    duration: float
    detail: str


@dataclass
class Timeline:
    """Events in the order they happened; listeners see each one as it is marked."""

    events: list[Event] = field(default_factory=list)
    listeners: list[Callable[[Event], None]] = field(default_factory=list)

    def mark(self, name: str, detail: str = "") -> Event:
        """Record an event now and tell every listener."""
        event = Event(name, time.time(), time.monotonic(), detail)
        self.events.append(event)
        for listener in self.listeners:
            listener(event)
        return event

    def names(self) -> list[str]:
        return [event.name for event in self.events]

    def find(self, name: str) -> Event | None:
        """The last event of that name, or None."""
        return next((e for e in reversed(self.events) if e.name == name), None)

    def phases(self) -> list[Phase]:
        """Each event with its offset from the first event and the time since the one before."""
        if not self.events:
            return []
        start, previous, phases = self.events[0].mono, self.events[0].mono, []
        for event in self.events:
            phases.append(Phase(event.name, event.mono - start, event.mono - previous, event.detail))
            previous = event.mono
        return phases

    def between(self, first: str, last: str) -> float | None:
        """Seconds from the event ``first`` to the event ``last``, when both happened."""
        a, b = self.find(first), self.find(last)
        return None if a is None or b is None else b.mono - a.mono
