"""SIGTERM and SIGHUP end a run the way Ctrl-C does.

A cancelled CI job sends SIGTERM; a closed terminal or SSH session sends SIGHUP. Both become
``KeyboardInterrupt`` in the main thread, so pytest and the ``hil`` commands take the path they
already take for Ctrl-C: fixtures torn down (emulators stopped, locks released, sessions
closed), transcripts closed, JUnit XML and the HTML report written with what ran.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

TERMINATING = (signal.SIGTERM, signal.SIGHUP)
_Handler = Callable[[int, FrameType | None], object] | int | None


def _interrupt(signum: int, frame: FrameType | None) -> None:
    name = signal.Signals(signum).name
    for sig in TERMINATING:  # a second signal while ending must not cut the reports short
        signal.signal(sig, signal.SIG_IGN)
    raise KeyboardInterrupt(f"{name} received: ending the run as Ctrl-C does")


def interrupt_on_termination() -> dict[int, _Handler]:
    """Route SIGTERM and SIGHUP to ``KeyboardInterrupt``; returns the previous handlers (for
    :func:`restore`). Does nothing outside the main thread (signals are only delivered there)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.signal(sig, _interrupt) for sig in TERMINATING}


def restore(previous: dict[int, _Handler]) -> None:
    """Put back the handlers :func:`interrupt_on_termination` replaced."""
    for sig, handler in previous.items():
        signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
