"""What dependencies print or warn stays out of the emulator's JSON line and off a person's terminal.

A new release of a dependency may warn at import time (cryptography deprecating DSA inside
asyncssh printed ten lines before the banner) or print on stdout. :func:`quiet_dependencies`,
called before anything but the standard library is imported, makes

* the JSON line(s) go to a private copy of the original stdout, which nothing else can reach:
  file descriptor 1 and ``sys.stdout`` then point at the log, so even C code printing lands there;
* every warning go to the log once, as one line (a category and message already logged is not
  repeated, from whichever line of whichever module it comes).

The log is the emulator's own log: ``--log FILE`` when given, else stderr (which the harness
redirects into ``reports/virtual-<chassis>.log``).
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import TextIO


def quiet_dependencies(log_path: Path | None) -> tuple[TextIO, TextIO]:
    """Route dependency noise to the log; ``(endpoints, log)``: where the JSON lines and the log go.

    Called in a process whose stdout is not a file descriptor (a test calling ``main``), only the
    warnings are routed: there is no descriptor to keep apart."""
    sys.stdout.flush()
    log = _open_log(log_path)
    _log_warnings_once(log)
    try:
        stdout = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return sys.stdout, log
    endpoints = os.fdopen(os.dup(stdout), "w", buffering=1, encoding="utf-8", closefd=True)
    os.dup2(log.fileno(), stdout)
    sys.stdout = log
    return endpoints, log


def _open_log(path: Path | None) -> TextIO:
    if path is None:
        return sys.stderr
    path.parent.mkdir(parents=True, exist_ok=True)
    return open(path, "a", buffering=1, encoding="utf-8", errors="replace")  # noqa: SIM115 (the process's log)


def _log_warnings_once(log: TextIO) -> None:
    seen: set[tuple[type, str]] = set()

    def show(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001 (warnings' own signature)
        key = (category, str(message))
        if key in seen:
            return
        seen.add(key)
        log.write(f"virtual_chassis: warning from {Path(filename).name}:{lineno}: {category.__name__}: {message}\n")

    warnings.showwarning = show
