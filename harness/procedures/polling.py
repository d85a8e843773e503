"""How often ``show switch`` is polled while waiting for a state: each one costs a real MSM's
CPU (the command walks every slot), so long phases are polled less and less often.

Intervals are lab seconds: the first wait after a poll is :data:`POLL_FLOOR`; each poll that
sees the same state waits :data:`POLL_GROWTH` times longer, up to :data:`POLL_CEILING`; a poll
that sees the state move starts again at the floor (a new phase has begun). Something the
device prints between polls (the log line of a change, a dropped link) brings the next poll
forward, but never closer than the floor to the one before. On a virtual chassis the lab
seconds are divided by its speed factor, with :data:`MIN_REAL_INTERVAL` as a floor.
"""

from __future__ import annotations

import time

#: Lab seconds from one poll to the next at first, and after the state moved.
POLL_FLOOR = 2.0
#: Lab seconds between polls at most (a boot of 600 s is polled ~45 times, not 300).
POLL_CEILING = 15.0
#: How much longer each wait is than the one before while the state stays the same.
POLL_GROWTH = 1.5
#: Real seconds between two polls at least, whatever the speed factor (a busy 2-core machine).
MIN_REAL_INTERVAL = 0.05


class PollPacer:
    """The waits between the polls of one ``wait_for_status``."""

    def __init__(self, time_scale: float = 1.0) -> None:
        scale = min(1.0, time_scale)
        self.floor = max(MIN_REAL_INTERVAL, POLL_FLOOR * scale)
        self.ceiling = max(self.floor, POLL_CEILING * scale)
        self.interval = self.floor
        self.polls = 0
        self._seen: str | None = None
        self._last = time.monotonic()

    def polled(self, seen: str) -> float:
        """Note a poll that saw ``seen`` (a description of the state); returns how long to wait
        for the next one at most."""
        self.polls += 1
        if self._seen is not None and seen == self._seen:
            self.interval = min(self.ceiling, self.interval * POLL_GROWTH)
        else:
            self.interval = self.floor
        self._seen, self._last = seen, time.monotonic()
        return self.interval

    def until_floor(self) -> float:
        """Seconds until the next poll is allowed (after the device printed something)."""
        return max(0.0, self._last + self.floor - time.monotonic())
