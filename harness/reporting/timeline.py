"""Timestamped step events of a procedure and the states each MSM and the management SSH went
through: the failover timeline of the report (table, picture, limits)."""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from drivers.prompt import is_boot_line, may_hold_event
from drivers.transcript import RECEIVED

#: Event names the procedures emit, in the manual's words.
FAILOVER_SENT = "failover sent"
OLD_MASTER_REBOOTING = "old master rebooting"
NEW_MASTER_ANSWERING = "new master answering"
MANAGEMENT_SSH_BACK = "management SSH back"
OLD_MASTER_AT_LOGIN = "old master at login"
BACKUP_IN_SYNC = "backup In Sync"
SYNCHRONIZE_SENT = "synchronize sent"
BACKUP_REBOOTING = "backup rebooting"
MASTER_POWER_LOST = "master power lost"


@dataclass(frozen=True)
class Event:
    """One thing that happened, stamped on wall-clock and monotonic time."""

    name: str
    wall: float
    mono: float
    detail: str = ""


#: Lanes of the timeline picture: each MSM and the management SSH session.
SSH_LANE = "SSH"
SSH_UP, SSH_DOWN = "up", "down"
#: MSM states as the picture shows them (``show switch``'s INIT is a booting MSM, a blank column
#: an MSM powered off or removed).
MASTER, BACKUP, IN_SYNC, BOOTING, DOWN, FAIL = "MASTER", "BACKUP", "In Sync", "booting", "DOWN", "FAIL"


def msm_state(state: str, in_sync: bool) -> str:
    """The picture's word for one MSM column of ``show switch``."""
    if not state:
        return DOWN
    if state == "BACKUP" and in_sync:
        return IN_SYNC
    return BOOTING if state == "INIT" else state


@dataclass(frozen=True)
class Observation:
    """A lane (an MSM or ``SSH``) seen in a new state."""

    lane: str
    state: str
    wall: float
    mono: float


class BootWatch:
    """A transcript tap on an MSM console: its reboot and boot text puts the MSM on the timeline
    as DOWN (``Rebooting ...``) and booting (BootROM banner, image start) when it is printed,
    also while nothing polls ``show switch``."""

    def __init__(self, msm: str, timeline: Callable[[], Timeline]):
        self.msm = msm
        self.timeline = timeline  # the chassis's current timeline (a new one per plan)

    def record(self, direction: str, text: str, when: float) -> None:
        if direction != RECEIVED or not may_hold_event(text):
            return
        mono = time.monotonic() - (time.time() - when)  # once: the chunk's lines share one time
        for line in text.splitlines():
            line = line.strip("\r")
            if is_boot_line(line):
                self.timeline().observe(self.msm, DOWN if line.startswith("Rebooting") else BOOTING, mono)


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
    observations: list[Observation] = field(default_factory=list)

    def mark(self, name: str, detail: str = "") -> Event:
        """Record an event now and tell every listener."""
        event = Event(name, time.time(), time.monotonic(), detail)
        self.events.append(event)
        for listener in self.listeners:
            listener(event)
        return event

    def observe(self, lane: str, state: str, mono: float | None = None) -> None:
        """Note that ``lane`` shows ``state`` now (or since monotonic ``mono``); only changes are kept."""
        now = time.monotonic()
        at = now if mono is None else min(mono, now)
        earlier = [o for o in self.observations if o.lane == lane and o.mono <= at]
        if earlier and earlier[-1].state == state:
            return
        seen = Observation(lane, state, time.time() - (now - at), at)
        self.observations.insert(bisect.bisect(self.observations, at, key=lambda o: o.mono), seen)

    def observe_msms(self, msms) -> None:
        """Note each MSM's state from a parsed ``show switch`` (``SwitchStatus.msms``)."""
        for slot, msm in sorted(msms.items()):
            self.observe(slot, msm_state(msm.state, msm.in_sync))

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
