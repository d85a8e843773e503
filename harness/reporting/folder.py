"""The reports folder holds one run: what a run owns there is cleared when the next one starts.

Only these entries are removed, never anything else a person put in the folder. Images built
for a virtual chassis live in a cache outside it (:data:`IMAGE_CACHE`), so they are built once.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

#: What a run writes into its reports folder and clears at its start.
RUN_OUTPUTS = ("transcripts", "recordings", "tftp", "report.html", "junit.xml")
#: ... and by name pattern: the emulators' own logs (one per virtual chassis of the run).
RUN_OUTPUT_PATTERNS = ("virtual-*.log",)
IMAGE_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "xcm8800-hil" / "images"


def clear_run_outputs(folder: Path) -> list[str]:
    """Remove the previous run's outputs from ``folder``; the names removed."""
    removed = []
    names = [*RUN_OUTPUTS, *(p.name for pattern in RUN_OUTPUT_PATTERNS for p in sorted(Path(folder).glob(pattern)))]
    for name in names:
        path = Path(folder) / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        else:
            continue
        removed.append(name)
    return removed
