"""Step 1's checkpoint rules: which process is behind, and when a bulk checkpoint is stalled.

A process is behind while it has bulk work left: fewer records sent than its total, or a
percentage strictly between 0 and 100. An idle process (nothing to checkpoint: 0 % with status
OK) is healthy, as real systems show. A checkpoint is stalled when the device says so (a status
other than OK) or when its progress stops moving over time; never because a percentage reads
below 100. Pure functions of parsed ``show checkpoint-data`` records, and a clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from harness.parsers import CheckpointRecord

HEALTHY = "OK"


def behind(records: list[CheckpointRecord]) -> CheckpointRecord | None:
    """The first process (listed in dependency order) with bulk checkpoint work left, or None."""
    return next((r for r in records if r.sent < r.total or 0 < r.percent < 100), None)


def troubled(records: list[CheckpointRecord]) -> CheckpointRecord | None:
    """The first process whose status is not OK: the device itself says it is in trouble."""
    return next((r for r in records if r.status.upper() != HEALTHY), None)


def overall(records: list[CheckpointRecord]) -> float:
    """The bulk checkpoint's percentage over the processes that have something to checkpoint
    (idle ones, 0 % with nothing sent or due, do not hold it down); 100 when none has."""
    working = [r.percent for r in records if r.total or r.sent or r.percent]
    return sum(working) / len(working) if working else 100.0


def progress(records: list[CheckpointRecord]) -> tuple[tuple[str, int, int], ...]:
    """What moves while a bulk checkpoint runs: each process's percentage and records sent."""
    return tuple((r.process, r.percent, r.sent) for r in records)


def lag(records: list[CheckpointRecord]) -> str:
    """Where the bulk checkpoint stands, in a verdict's words."""
    bad = troubled(records)
    if bad is not None:
        return f"checkpoint of {bad.process} reports {bad.status} at {bad.percent} %"
    late = behind(records)
    if late is None:
        return "bulk checkpoint complete but the backup is not yet In Sync"
    return f"checkpoint of {late.process} at {late.percent} %"


class StallWatch:
    """Fed the records of successive polls, it says when the bulk checkpoint is stalled.

    Stalled: a process's status is not OK (at once), or nothing in :func:`progress` moved for
    ``window`` seconds (the reason names the process behind and where it stands).
    """

    def __init__(self, window: float, clock: Callable[[], float] = time.monotonic):
        self.window = window
        self.clock = clock
        self._last: tuple | None = None
        self._since = 0.0

    def see(self, records: list[CheckpointRecord]) -> str | None:
        """The reason the checkpoint is stalled, or None while it is moving (or not yet judged)."""
        bad = troubled(records)
        if bad is not None:
            return f"checkpoint of {bad.process} stalled: the device reports {bad.status} at {bad.percent} %"
        now, seen = self.clock(), progress(records)
        if seen != self._last:
            self._last, self._since = seen, now
            return None
        if now - self._since < self.window:
            return None
        late = behind(records)
        if late is None:
            return f"no checkpoint progress for {self.window:g} s with every process done, yet not In Sync"
        return f"checkpoint of {late.process} stalled at {late.percent} %"
