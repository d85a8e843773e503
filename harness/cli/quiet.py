"""What the hil command's dependencies warn goes to a log file, not to the person's terminal.

A dependency's new release may warn when it is imported (a deprecation inside a library hil
uses); the person at the terminal can do nothing about it, and a parser of hil's one-line
errors must not see it. :func:`dependency_warnings_to_log`, called before hil imports anything
but the standard library, writes each such warning once to :data:`WARNINGS_LOG`. Warnings
raised from the project's own packages are still shown: those are ours to hear.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from pathlib import Path

#: Where the project's packages are installed (a checkout, or site-packages).
_ROOT = Path(__file__).resolve().parents[2]
OURS = tuple(_ROOT / package for package in ("harness", "drivers", "virtual_chassis", "testplans"))
WARNINGS_LOG = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "xcm8800-hil" / "warnings.log"


def _ours(filename: str) -> bool:
    path = Path(filename).resolve()
    return any(path.is_relative_to(package) for package in OURS)


def dependency_warnings_to_log(log: Path = WARNINGS_LOG) -> None:
    """Route warnings raised outside the project's packages to ``log``, each message once."""
    shown = warnings.showwarning
    seen: set[tuple[type, str]] = set()

    def route(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001 (warnings' signature)
        if _ours(filename):
            shown(message, category, filename, lineno, file, line)
        elif (category, str(message)) not in seen:
            seen.add((category, str(message)))
            with contextlib.suppress(OSError), open(log, "a", encoding="utf-8") as out:  # no log: dropped
                out.write(f"hil: warning from {filename}:{lineno}: {category.__name__}: {message}\n")

    log.parent.mkdir(parents=True, exist_ok=True)
    warnings.showwarning = route
