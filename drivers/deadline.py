"""Deadlines passed down the call chain instead of signals or fixed sleeps."""

from __future__ import annotations

import threading
import time


class Deadline:
    """A point in monotonic time; ``remaining()`` never goes below zero."""

    __slots__ = ("at", "seconds")

    def __init__(self, seconds: float):
        self.seconds = float(seconds)
        self.at = time.monotonic() + self.seconds

    @classmethod
    def of(cls, value: Deadline | float | int) -> Deadline:
        """Accept either a Deadline or a number of seconds from now."""
        return value if isinstance(value, Deadline) else cls(value)

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.at

    def __repr__(self) -> str:
        return f"Deadline({self.seconds:g}s, {self.remaining():.3f}s left)"


class AbortableDeadline(Deadline):
    """A deadline that also ends as soon as ``event`` is set (another phase failed, the run is
    ending): every wait that takes a Deadline then stops within one read, with no signal."""

    __slots__ = ("event",)

    def __init__(self, seconds: float, event: threading.Event):
        super().__init__(seconds)
        self.event = event

    @classmethod
    def within(cls, deadline: Deadline, event: threading.Event) -> AbortableDeadline:
        """``deadline`` (its length and end kept) ended early by ``event``."""
        abortable = cls(deadline.seconds, event)
        abortable.at = deadline.at
        return abortable

    def remaining(self) -> float:
        return 0.0 if self.event.is_set() else super().remaining()

    @property
    def expired(self) -> bool:
        return self.event.is_set() or time.monotonic() >= self.at
