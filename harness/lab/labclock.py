"""Lab time on a virtual chassis: the emulator's own clock for each event it recorded.

The emulator's event log stamps every state change with ``lab``, its clock in real-chassis
seconds (a timer fires at its due lab time however late the host runs it). A harness event is
matched to the emulator's record of the same change, so a phase's duration is the chassis's,
not the harness's polling multiplied by the speed factor:

- an event the harness *causes* (it marks it, then acts: ``failover sent``) is the first
  matching change at or after its mark;
- an event the harness *notices* (``new master answering``) is the last matching change at or
  before its mark.

An event with no matching change keeps the speed factor between its matched neighbours.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from harness.errors import HilError
from harness.reporting import timeline as ev
from harness.reporting.timeline import Event, Timeline

Change = dict  # one record of the emulator's ``events``: t, lab, msm, from, to, what
Test = Callable[[Change], bool]

#: A little slack for two clocks read a few microseconds apart on one host.
SLACK = 0.01


def _to(*states: str) -> Test:
    return lambda c: c.get("to") in states


def _from_master(change: Change) -> bool:
    return change.get("from") == "MASTER" and change.get("to") != "MASTER"


#: harness event -> (caused by the harness, names its MSM in the detail, the change's test)
RULES: dict[str, tuple[bool, bool, Test]] = {
    ev.FAILOVER_SENT: (True, True, _from_master),
    ev.MASTER_POWER_LOST: (True, True, _to("DOWN")),
    ev.SYNCHRONIZE_SENT: (True, False, lambda c: c.get("to") == "DOWN" and c.get("what") == "synchronize"),
    ev.POWER_RESTORED: (True, True, _to("INIT")),
    ev.OLD_MASTER_REBOOTING: (False, True, _to("DOWN")),
    ev.BACKUP_REBOOTING: (False, True, _to("DOWN")),
    ev.NEW_MASTER_ANSWERING: (False, True, _to("MASTER")),
    ev.MANAGEMENT_SSH_BACK: (False, True, _to("MASTER")),
    ev.MANAGEMENT_SSH_LOST: (False, False, _from_master),
    ev.OLD_MASTER_AT_LOGIN: (False, True, _to("STANDBY")),
    ev.BACKUP_IN_SYNC: (False, True, _to("BACKUP (In Sync)")),
}


def lab_times(events: Sequence[Event], changes: Sequence[Change]) -> dict[int, float]:
    """Index of each event in ``events`` -> the ``lab`` time of the change it matches."""
    if not events:
        return {}
    since = events[0].wall - SLACK
    changes = [c for c in changes if "lab" in c and c.get("t", 0.0) >= since]
    found = {}
    for i, event in enumerate(events):
        change = match(event, changes)
        if change is not None:
            found[i] = float(change["lab"])
    return found


def match(event: Event, changes: Sequence[Change]) -> Change | None:
    """The emulator's record of ``event``, or None."""
    rule = RULES.get(event.name)
    if rule is None:
        return None
    caused, named, test = rule
    msm = event.detail.split()[-1] if named and event.detail else None
    fits = [c for c in changes if test(c) and (msm is None or c.get("msm") == msm)]
    if caused:
        return next((c for c in fits if c["t"] >= event.wall - SLACK), None)
    return next((c for c in reversed(fits) if c["t"] <= event.wall + SLACK), None)


def retimer(control) -> Callable[[Timeline], None]:
    """A ``Timeline.retimer`` reading the emulator's event log through its control channel."""

    def retime(timeline: Timeline) -> None:
        if not timeline.events:
            return
        try:
            changes = control.events(since=timeline.events[0].wall - 1.0)
        except HilError:
            return  # an emulator that no longer answers: the speed factor stands in
        with timeline.lock:  # the indexes stay those of the events matched
            timeline.retime(lab_times(timeline.events, changes))

    return retime
