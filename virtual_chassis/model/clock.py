"""Emulated time: real chassis durations divided by a speed factor.

A real XCM8800 takes about 90 s to boot. With the default speed factor of 100 the emulator
boots in 0.9 s, so offline runs take seconds while the plans keep their lab timeouts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Durations:
    """How long things take on a real chassis, in real seconds (before the speed factor)."""

    shutdown: float = 5.0
    boot: float = 90.0
    election: float = 2.0
    config_sync: float = 5.0
    checkpoint_per_process: float = 0.5
    image_copy: float = 60.0
    image_download: float = 120.0  # TFTP transfer of a full-size image to the master
    image_relay: float = 30.0  # master -> backup copy of a downloaded image
    image_install: float = 150.0  # writing an image into a partition

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def with_overrides(self, overrides: dict[str, float]) -> Durations:
        """A copy with some durations replaced; unknown names raise ``ValueError``."""
        unknown = set(overrides) - set(self.names())
        if unknown:
            raise ValueError(f"unknown duration(s) {sorted(unknown)}; known: {', '.join(self.names())}")
        if any(float(v) < 0 for v in overrides.values()):
            raise ValueError("durations must not be negative")
        return replace(self, **{k: float(v) for k, v in overrides.items()})


class Clock:
    """Schedules callbacks on an asyncio loop after real durations divided by ``speed``."""

    def __init__(self, loop: asyncio.AbstractEventLoop, speed: float = 100.0, durations: Durations | None = None):
        if speed <= 0:
            raise ValueError(f"speed factor must be positive, got {speed!r}")
        self.loop = loop
        self.speed = float(speed)
        self.durations = durations or Durations()
        self._handles: set[asyncio.TimerHandle] = set()
        self._anchor = (loop.time(), 0.0)  # (loop time, lab seconds) of the last timer that fired
        self._frozen: float | None = None  # the lab time of the step the loop is running now

    def scaled(self, real_seconds: float) -> float:
        """Emulator seconds for ``real_seconds`` of a real chassis."""
        return real_seconds / self.speed

    def duration(self, name: str) -> float:
        """The real duration called ``name`` (see :class:`Durations`)."""
        return getattr(self.durations, name)

    def after(self, real_seconds: float, callback: Callable[..., None], *args) -> asyncio.TimerHandle:
        """Run ``callback(*args)`` after ``real_seconds`` of chassis time."""
        handle: asyncio.TimerHandle | None = None
        due = self.lab() + real_seconds

        def fire() -> None:
            self._handles.discard(handle)
            self._anchor = (self.loop.time(), due)  # a late timer does not make the chassis slow
            self._freeze(due)
            callback(*args)

        handle = self.loop.call_later(self.scaled(real_seconds), fire)
        self._handles.add(handle)
        return handle

    def now(self) -> float:
        """Monotonic loop time in emulator seconds (for progress figures)."""
        return self.loop.time()

    def lab(self) -> float:
        """Lab seconds since the chassis started: what a real chassis's clock would show. A timer
        fires at exactly its due lab time however late the host runs it, so the lab time
        between a cause and its scheduled effects is the real chassis's duration; between
        timers it runs at the speed factor; within one step it stands still."""
        if self._frozen is None:
            loop_time, lab = self._anchor
            self._freeze(lab + (self.loop.time() - loop_time) * self.speed)
        assert self._frozen is not None
        return self._frozen

    def _freeze(self, lab: float) -> None:
        """One step of the chassis (a timer, a command) happens at one lab instant: the clock
        stands still until the loop's next iteration, so the host's own work within the step
        (logging, writing to consoles) is not multiplied by the speed factor."""
        if self._frozen is None:
            self.loop.call_soon(self._thaw)
        self._frozen = lab

    def _thaw(self) -> None:
        self._frozen = None

    @staticmethod
    def wall() -> float:
        """Wall-clock time (what the device shows as Current Time)."""
        return time.time()

    def close(self) -> None:
        """Cancel every pending callback (used when the chassis stops)."""
        for handle in list(self._handles):
            handle.cancel()
        self._handles.clear()
