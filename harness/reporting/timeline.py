"""Timestamped step events of a procedure and the states each MSM and the management SSH went
through: the failover timeline of the report (table, picture, limits).

Every figure has one meaning everywhere (terminal, Timeline table, Limits, JUnit, soak, picture):
an event's *offset* is the lab seconds since the plan's first event; a *span* (:data:`SPANS`)
runs from the event that starts it to the one that ends it, and its length is the phase's
duration. Lab seconds are wall seconds on hardware; on a virtual chassis the emulator's own
clock stamps the events it saw (``Timeline.retimer``), so host overhead is not multiplied by the
speed factor; an event the emulator has no record of is placed between its neighbours that it
has, at the speed factor.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

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
POWER_RESTORED = "power restored"
MANAGEMENT_SSH_LOST = "management SSH lost"

_TAKEOVER_STARTS = (FAILOVER_SENT, MASTER_POWER_LOST)
_OLD_MASTER_DOWN = (OLD_MASTER_REBOOTING, POWER_RESTORED)

#: The phases of a failover, each from the event that starts it to the first event that ends
#: it: span name -> (events that start it, the event that ends it).
SPANS: dict[str, tuple[tuple[str, ...], str]] = {
    "takeover": (_TAKEOVER_STARTS, NEW_MASTER_ANSWERING),
    "SSH outage": ((MANAGEMENT_SSH_LOST,), MANAGEMENT_SSH_BACK),
    "old master boot": (_OLD_MASTER_DOWN, OLD_MASTER_AT_LOGIN),
    "old master back": (_OLD_MASTER_DOWN, BACKUP_IN_SYNC),
    "synchronize": ((SYNCHRONIZE_SENT,), BACKUP_IN_SYNC),
}


@dataclass(frozen=True)
class Event:
    """One thing that happened, stamped on wall-clock and monotonic time (and on the emulator's
    lab clock, ``lab``, when a virtual chassis recorded it)."""

    name: str
    wall: float
    mono: float
    detail: str = ""
    lab: float | None = None
    ends: tuple[tuple[str, float], ...] = ()  # (span label, lab seconds) of each phase it ends


#: Lanes of the timeline picture: each MSM and the management SSH session.
SSH_LANE = "SSH"
SSH_UP, SSH_DOWN = "up", "down"
#: MSM states as the picture shows them (``show switch``'s INIT is a booting MSM, a blank column
#: an MSM powered off or removed).
MASTER, BACKUP, IN_SYNC, BOOTING, DOWN, FAIL = "MASTER", "BACKUP", "In Sync", "booting", "DOWN", "FAIL"
#: An MSM whose console showed ``login:`` after a boot: no longer booting, whatever a slower
#: ``show switch`` still said.
AT_LOGIN = "at login"


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
class Span:
    """One phase that happened: from ``start`` to ``end`` (indexes into ``Timeline.events``),
    ``seconds`` long in lab seconds; ``label`` numbers a repeated one (``takeover #2``)."""

    name: str
    label: str
    start: int
    end: int
    seconds: float


@dataclass(frozen=True)
class Phase:
    """An event at its offset (lab seconds since the first event), with the spans it ends."""

    name: str
    offset: float
    detail: str
    ends: tuple[Span, ...] = ()

    def ended(self) -> str:
        """``takeover 12.0 s; ...``: the durations this event ends, or an empty string."""
        return "; ".join(f"{s.label} {s.seconds:.1f} s" for s in self.ends)


@dataclass
class Timeline:
    """Events in the order they happened; listeners see each one as it is marked."""

    events: list[Event] = field(default_factory=list)
    listeners: list[Callable[[Event], None]] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    lab_per_second: float = 1.0  # 1 on hardware, the speed factor on a virtual chassis
    retimer: Callable[[Timeline], None] | None = None  # stamps events with the emulator's clock
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def mark(self, name: str, detail: str = "") -> Event:
        """Record an event now and tell every listener."""
        return self._add(Event(name, time.time(), time.monotonic(), detail))

    def _add(self, event: Event) -> Event:
        with self.lock:  # phases are marked from several watcher threads at once
            at = bisect.bisect(self.events, event.mono, key=lambda e: e.mono)
            self.events.insert(at, event)
            if any(event.name == end for _, end in SPANS.values()):
                if self.retimer is not None:
                    self.retimer(self)  # the emulator's clock for the duration this event ends
                at = next(i for i, e in enumerate(self.events) if e.mono == event.mono and e.name == event.name)
                ends = tuple((s.label, s.seconds) for s in self.spans() if s.end == at)
                event = self.events[at] = replace(self.events[at], ends=ends)
        for listener in self.listeners:
            listener(event)
        return event

    def settle(self) -> None:
        """Stamp every event with the emulator's clock once more (a virtual chassis's plan ended)."""
        if self.retimer is not None:
            self.retimer(self)

    def retime(self, lab: dict[int, float]) -> None:
        """Stamp ``events[i]`` with the emulator's lab time ``lab[i]``."""
        with self.lock:
            for i, seconds in lab.items():
                self.events[i] = replace(self.events[i], lab=seconds)

    def lab(self, mono: float) -> float:
        """Lab seconds (on the timeline's own scale) of monotonic time ``mono``: between two
        events the emulator stamped, in proportion; elsewhere at :attr:`lab_per_second`."""
        anchors = [(e.mono, e.lab) for e in self.events if e.lab is not None]
        if not anchors:
            return mono * self.lab_per_second
        i = bisect.bisect(anchors, mono, key=lambda a: a[0])
        if i == 0:
            return anchors[0][1] - (anchors[0][0] - mono) * self.lab_per_second
        if i == len(anchors):
            return anchors[-1][1] + (mono - anchors[-1][0]) * self.lab_per_second
        (m0, l0), (m1, l1) = anchors[i - 1], anchors[i]
        return l0 + (mono - m0) * max(l1 - l0, 0.0) / (m1 - m0) if m1 > m0 else l0

    def at(self, event: Event) -> float:
        """Absolute lab seconds of ``event`` (its emulator stamp when it has one)."""
        return event.lab if event.lab is not None else self.lab(event.mono)

    def offset(self, mono: float) -> float:
        """Lab seconds from the first event to monotonic time ``mono``."""
        return self.lab(mono) - self.at(self.events[0]) if self.events else 0.0

    def spans(self) -> list[Span]:
        """Each phase of :data:`SPANS` that happened, in the order it ended; every occurrence
        (an upgrade fails over twice), a start whose end never came left out."""
        found = []
        events = self.events
        for name, (starts, end) in SPANS.items():
            count = 0
            for i, event in enumerate(events):
                if event.name not in starts:
                    continue
                stop = next((j for j in range(i + 1, len(events)) if events[j].name == end), None)
                restart = next((j for j in range(i + 1, len(events)) if events[j].name in starts), None)
                if stop is None or (restart is not None and restart < stop):
                    continue
                count += 1
                label = name if count == 1 else f"{name} #{count}"
                found.append(Span(name, label, i, stop, self.at(events[stop]) - self.at(event)))
        return sorted(found, key=lambda s: (s.end, s.start))

    def durations(self) -> dict[str, float]:
        """Span label -> lab seconds."""
        return {s.label: s.seconds for s in self.spans()}

    def observe(self, lane: str, state: str, mono: float | None = None) -> None:
        """Note that ``lane`` shows ``state`` now (or since monotonic ``mono``); only changes are
        kept. An MSM whose console showed ``login:`` is not drawn booting again until it goes
        down; the management SSH going down is the event ``management SSH lost``."""
        now = time.monotonic()
        at = now if mono is None else min(mono, now)
        earlier = [o for o in self.observations if o.lane == lane and o.mono <= at]
        if earlier and earlier[-1].state == state:
            return
        if state == BOOTING and any(o.state == AT_LOGIN for o in _since_down(earlier)):
            return  # a show switch sent before the login: its INIT is older than the console
        seen = Observation(lane, state, time.time() - (now - at), at)
        self.observations.insert(bisect.bisect(self.observations, at, key=lambda o: o.mono), seen)
        if lane == SSH_LANE and state == SSH_DOWN:
            self._add(Event(MANAGEMENT_SSH_LOST, seen.wall, at))

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
        """Each event with its offset from the first event (lab seconds) and the spans it ends."""
        if not self.events:
            return []
        spans = self.spans()
        start = self.at(self.events[0])
        return [
            Phase(e.name, self.at(e) - start, e.detail, tuple(s for s in spans if s.end == i))
            for i, e in enumerate(self.events)
        ]

    def between(self, first: str, last: str) -> float | None:
        """Lab seconds from the event ``first`` to the event ``last``, when both happened."""
        a, b = self.find(first), self.find(last)
        return None if a is None or b is None else self.at(b) - self.at(a)


def _since_down(observations: list[Observation]) -> list[Observation]:
    """The observations of one lane since it last went DOWN."""
    downs = [i for i, o in enumerate(observations) if o.state == DOWN]
    return observations[downs[-1] + 1 :] if downs else observations
