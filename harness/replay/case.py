"""A run's recordings made a regression case: a folder with the recordings and a testbed whose
one chassis (``type: replay``) serves them, so ``hil run --testbed DIR/testbed.yaml`` runs the
plans against what the lab recorded."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from harness.errors import HilError
from harness.replay.recordings import Recorded

TESTBED = "testbed.yaml"


def write_case(recordings: list[Recorded], folder: Path) -> Path:
    """Copy ``recordings`` into ``folder`` and write its testbed; returns the testbed's path.

    One recording per session (``ssh``, ``MSM-A``, ``MSM-B``) of one chassis: the replay follows
    each session's commands in order, so two recordings of one session would be two paths."""
    chassis = {r.header.chassis for r in recordings}
    if len(chassis) != 1:
        raise HilError(f"recordings of {len(chassis)} chassis ({', '.join(sorted(chassis))}): give those of one")
    sessions = [r.header.session for r in recordings]
    if len(set(sessions)) != len(sessions):
        raise HilError(f"two recordings of one session ({', '.join(sorted(sessions))}): give one file per session")
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for recorded in recordings:
        name = f"{recorded.header.chassis}-{recorded.header.session}.jsonl"  # checked names: no / or ..
        if recorded.path.resolve() != (folder / name).resolve():
            shutil.copyfile(recorded.path, folder / name)
        names.append(name)
    document = {"chassis": {chassis.pop(): {"type": "replay", "replay": {"recordings": sorted(names)}}}}
    testbed = folder / TESTBED
    testbed.write_text(
        "# A regression case made by `hil replay --testbed-out` from a run's recordings:\n"
        "# `hil run --testbed <this file>` runs the plans against the recorded chassis.\n"
        + yaml.safe_dump(document, sort_keys=False),
        encoding="utf-8",
    )
    return testbed
