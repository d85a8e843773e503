"""The ``replay:`` entry of a testbed chassis of ``type: replay``: recordings served as the chassis.

::

    chassis:
      failover-12.4.2.8:
        type: replay
        replay:
          recordings: [lab1-ssh.jsonl, lab1-MSM-A.jsonl, lab1-MSM-B.jsonl]   # relative to this file
          speed: 1          # optional: recorded times are divided by it (default 1)

The harness starts the replayed device itself (``hil virtual --replay``) and reaches it as it
reaches hardware: OpenSSH and raw-TCP consoles, no power or fault control. Its deadlines are
scaled as the recordings were (``time_scale`` in their header: a recording of a virtual chassis
at speed 100 took 1/100 s for a lab second), divided by ``speed``. ``hil replay --testbed-out``
writes such a testbed from a run's recordings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KEYS = ("recordings", "speed")


@dataclass(frozen=True)
class ReplayOptions:
    """What a replayed chassis serves: its recordings, and how fast."""

    recordings: tuple[Path, ...]
    speed: float = 1.0

    @property
    def time_scale(self) -> float:
        """Seconds of this replay per lab second: the recordings' own scale over the speed."""
        return recorded_time_scale(self.recordings[0]) / self.speed


def recorded_time_scale(path: Path) -> float:
    """The ``time_scale`` of a recording's header (1.0 when absent or unreadable: hardware)."""
    try:
        with path.open("rb") as file:
            header = json.loads(file.readline(65536) or b"{}")
        scale = header.get("time_scale", 1.0) if isinstance(header, dict) else 1.0
    except (OSError, ValueError, RecursionError):
        return 1.0
    return float(scale) if isinstance(scale, int | float) and 0 < scale <= 1 else 1.0


def read_replay(reader, node: Any, key: str) -> ReplayOptions:
    """Check and build the ``replay`` entry; ``reader`` is the testbed's reader."""
    fix = "write it like {recordings: [lab1-ssh.jsonl, lab1-MSM-A.jsonl, lab1-MSM-B.jsonl], speed: 1}"
    if node is None:
        reader.fail(key, "a replay chassis needs its recordings", fix)
    node = reader.mapping(node, key, fix)
    reader.keys(node, key, KEYS)
    files = node.get("recordings")
    if not isinstance(files, list) or not files or not all(isinstance(f, str) and f for f in files):
        reader.fail(f"{key}.recordings", "expected a list of recording files", fix)
    base = reader.path.parent if reader.path else Path.cwd()
    paths = tuple(p if p.is_absolute() else base / p for p in (Path(reader.expand(f, key)) for f in files))
    for path in paths:
        if not path.is_file():
            reader.fail(f"{key}.recordings", f"{path} is not a file", "give recordings from reports/recordings/")
    speed = reader.number(node, "speed", key, 1.0, False, 0.01, 10000)
    return ReplayOptions(paths, speed)
