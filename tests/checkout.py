"""The suite leaves the checkout as it found it: no tracked file deleted or changed, nothing new
but what git is told to ignore for good reason (byte code, the venv, the packaging metadata of
an editable install) and what a run writes into ``reports/``.

:func:`snapshot` reads ``git status`` once; :func:`changes` says, one line each, what differs
between two snapshots. tests/conftest.py takes one before and one after the suite and fails
the run on any change.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

#: Paths the suite may create: byte code (conftest compiles the project once), the installs'
#: own metadata and tool caches made by the commands before the suite, and run outputs.
EXPECTED = ("__pycache__/", ".venv/", ".egg-info/", ".mypy_cache/", ".ruff_cache/")
REPORTS = "reports/"


def snapshot(root: Path) -> dict[str, str] | None:
    """``{path: status}`` of everything git sees changed, untracked or ignored below ``root`` (a
    new folder as one entry); None where ``root`` is not a git checkout (an unpacked sdist, say)."""
    try:
        done = subprocess.run(["git", "status", "--porcelain=v1", "-z", "--ignored", "--untracked-files=normal"],
                              cwd=root, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    entries = [e for e in done.stdout.decode("utf-8", "surrogateescape").split("\0") if e]
    return {entry[3:]: entry[:2] for entry in entries}


def _expected(path: str, status: str) -> bool:
    if status == "!!" and any(part in f"/{path}" for part in EXPECTED):
        return True
    return path.startswith(REPORTS) and path != REPORTS + "README.md"


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """What the suite changed in the checkout, one line each (empty: left as found)."""
    found = []
    for path, status in sorted(after.items()):
        if before.get(path) != status and not _expected(path, status):
            what = {"??": "new", "!!": "new (ignored)", " D": "deleted", " M": "changed"}.get(status, status)
            found.append(f"{path}: {what}")
    found += [f"{path}: no longer {before[path]!r}" for path in sorted(set(before) - set(after))
              if not _expected(path, before[path])]
    return found
