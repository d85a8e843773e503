"""Live progress of one chassis on the terminal: what happened, with the time since the run began.

::

    +  42.1 s  lab-8810-1  MSM-B booting
    +  52.3 s  lab-8810-1  waiting 10 s of 1800 s for MSM-B back as BACKUP (In Sync) after synchronize; last seen: bulk checkpoint of fdb at 62 %

Every long wait (boot, synchronize, download, checkpoint) gives a heartbeat at least every
:data:`HEARTBEAT_LAB` lab seconds naming what it waits for and the last state seen; on a fast
virtual chassis at most one a wall second (:data:`HEARTBEAT_MIN_WALL`), so the lines stay
readable. On a terminal, downloads and synchronize also get a progress bar (tqdm: small, no
dependencies of its own, made for exactly this).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

HEARTBEAT_LAB = 10.0
HEARTBEAT_MIN_WALL = 1.0

Say = Callable[[str], None]


class Progress:
    """Progress lines of chassis ``name``; silent until given ``say``."""

    def __init__(self, name: str, lab_per_second: float = 1.0, started: float | None = None):
        self.name = name
        self.lab_per_second = lab_per_second
        self.started = time.monotonic() if started is None else started
        self.say: Say | None = None
        self.bars = False  # True: draw progress bars on the terminal (sys.__stderr__)
        self._beats: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def interval(self) -> float:
        """Wall seconds between two heartbeats of one wait."""
        return max(HEARTBEAT_LAB / self.lab_per_second, HEARTBEAT_MIN_WALL)

    def line(self, text: str) -> None:
        """``+  42.1 s  <chassis>  <text>``."""
        if self.say is not None:
            self.say(f"+{time.monotonic() - self.started:7.1f} s  {self.name}  {text}")

    def event(self, event) -> None:
        """A timeline event as a progress line (a timeline listener), with the duration of each
        phase it ends, in the timeline's lab seconds (``ends``: set by the timeline)."""
        ended = "; ".join(f"{label} {seconds:.1f} s" for label, seconds in getattr(event, "ends", ()))
        self.line(f"{event.name} {event.detail}".rstrip() + (f" ({ended})" if ended else ""))

    def heartbeat(self, what: str, since: float, deadline: float, last: Callable[[], str]) -> None:
        """Say how long ``what`` has been waited for (since monotonic ``since``) and ``last()``,
        when the previous heartbeat of ``what`` is an interval ago."""
        now = time.monotonic()
        with self._lock:
            previous = self._beats.get(what, since)
            if now - previous < self.interval:
                return
            self._beats[what] = now
        waited = (now - since) * self.lab_per_second
        self.line(f"waiting {waited:.0f} s of {deadline * self.lab_per_second:.0f} s for {what}; last seen: {last()}")

    def done(self, what: str) -> None:
        """The wait for ``what`` ended: its next wait starts its heartbeats afresh."""
        with self._lock:
            self._beats.pop(what, None)

    @contextmanager
    def waiting(self, what: str, deadline: float, last: Callable[[], str], bar: bool = False) -> Iterator[None]:
        """Heartbeats (and a bar of lab seconds against the deadline) while the block runs: for
        waits that do not poll, a boot to ``login:`` or a download."""
        stop, since = threading.Event(), time.monotonic()
        meter = self.bar(what, deadline * self.lab_per_second, "lab s") if bar else None

        def beat() -> None:
            while not stop.wait(min(self.interval, 0.2) if meter else self.interval):
                if meter is not None:
                    meter.show((time.monotonic() - since) * self.lab_per_second)
                self.heartbeat(what, since, deadline, last)

        ticker = threading.Thread(target=beat, name=f"heartbeat {what}", daemon=True)
        ticker.start()
        try:
            yield
        finally:
            stop.set()
            ticker.join()
            self.done(what)
            if meter is not None:
                meter.close()

    def bar(self, what: str, total: float, unit: str) -> Bar | None:
        """A progress bar on the terminal, or None when not on one."""
        if not self.bars:
            return None
        return Bar(f"{self.name} {what}", total, unit)


class Bar:
    """A tqdm bar on the terminal (``/dev/tty``, past pytest's capturing), moved to an absolute value."""

    def __init__(self, label: str, total: float, unit: str, stream: TextIO | None = None):
        from tqdm import tqdm

        self._stream = stream if stream is not None else open("/dev/tty", "w")  # noqa: SIM115 - closed in close()
        self._own = stream is None
        self._bar = tqdm(
            total=round(total), desc=label[:60], unit=unit, file=self._stream, leave=False, mininterval=0, miniters=1
        )

    def show(self, value: float) -> None:
        value = min(round(value), self._bar.total)
        self._bar.update(value - self._bar.n)

    def close(self) -> None:
        self._bar.close()
        if self._own:
            self._stream.close()


def on_terminal(stdout_is_a_terminal: bool) -> bool:
    """True when progress bars can be drawn: the run's output goes to a terminal it can draw on."""
    if not stdout_is_a_terminal:
        return False
    try:
        open("/dev/tty", "w").close()
    except OSError:
        return False
    return True
