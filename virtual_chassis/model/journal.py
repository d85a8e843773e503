"""The chassis's event log and change notices: who listens, what happened when, and the form
of a log line as the device prints it."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any

from .msm import Notice

Listener = Callable[[Notice], None]


class Journal:
    """State changes kept for ``events`` (at most ``limit``) and notices sent to listeners."""

    def __init__(self, limit: int = 1000):
        self.events: deque[dict] = deque(maxlen=limit)
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def notify(self, kind: str, msm: str | None = None, **data: Any) -> None:
        notice = Notice(kind, msm, data)
        for listener in list(self._listeners):
            listener(notice)

    def record(self, event: dict) -> None:
        self.events.append(event)

    def since(self, t: float = 0.0) -> list[dict]:
        return [dict(e) for e in self.events if e["t"] > t]


def log_line(t: float, severity: str, component: str, origin: str, text: str) -> str:
    """``MM/DD/YYYY hh:mm:ss.cc <Sev:Component> MSM-X: text``."""
    stamp = time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime(t))
    return f"{stamp}.{int(t * 100) % 100:02d} <{severity}:{component}> {origin}: {text}"
