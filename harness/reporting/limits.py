"""Per-phase duration limits (``limits:`` of a testbed chassis, in lab seconds) and their check.

A limit names a span of the failover timeline, from the event that starts it to the first event
that ends it::

    limits: {takeover: 30, old master back: 600}

On a virtual chassis the measured wall time is multiplied by the speed factor, so a limit means
the same on hardware and in the emulator. Every occurrence of a span in a plan is checked (an
upgrade fails over twice).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.reporting import timeline as ev
from harness.reporting.timeline import Timeline

_FAILOVER_STARTS = (ev.FAILOVER_SENT, ev.MASTER_POWER_LOST)

#: span name -> (events that start it, the event that ends it)
SPANS: dict[str, tuple[tuple[str, ...], str]] = {
    "takeover": (_FAILOVER_STARTS, ev.NEW_MASTER_ANSWERING),
    "management SSH back": (_FAILOVER_STARTS, ev.MANAGEMENT_SSH_BACK),
    "old master at login": (_FAILOVER_STARTS, ev.OLD_MASTER_AT_LOGIN),
    "old master back": (_FAILOVER_STARTS, ev.BACKUP_IN_SYNC),
    "synchronize": ((ev.SYNCHRONIZE_SENT,), ev.BACKUP_IN_SYNC),
}


@dataclass(frozen=True)
class LimitResult:
    """One span measured against its limit, in lab seconds."""

    name: str
    limit: float
    took: float

    @property
    def met(self) -> bool:
        return self.took <= self.limit

    def __str__(self) -> str:
        verdict = "met" if self.met else "MISSED"
        return f"{self.name}: {self.took:.1f} s of {self.limit:g} s allowed: {verdict}"


def spans(timeline: Timeline, lab_per_second: float = 1.0) -> list[tuple[str, float]]:
    """Each span that happened, with its length in lab seconds, in the order it ended."""
    found = []
    events = timeline.events
    for name, (starts, end) in SPANS.items():
        count = 0
        for i, event in enumerate(events):
            if event.name not in starts:
                continue
            after = events[i + 1 :]
            stop = next((e for e in after if e.name == end), None)
            restart = next((e for e in after if e.name in starts), None)
            if stop is None or (restart is not None and restart.mono < stop.mono):
                continue
            count += 1
            label = name if count == 1 else f"{name} #{count}"
            found.append((stop.mono, label, (stop.mono - event.mono) * lab_per_second))
    return [(label, took) for _, label, took in sorted(found)]


def check_limits(timeline: Timeline, limits: dict[str, float], lab_per_second: float = 1.0) -> list[LimitResult]:
    """Every span of the timeline that has a limit, measured against it."""
    return [
        LimitResult(label, limits[label.split(" #")[0]], took)
        for label, took in spans(timeline, lab_per_second)
        if label.split(" #")[0] in limits
    ]
