"""Hold a recording against the emulator: send its commands to a virtual chassis brought to the
recorded state and compare the parsed results field by field.

The virtual chassis starts with the recorded versions per MSM (``Primary ver``) and SysName,
read from the recording's first readable ``show switch``; when MSM-B was master there, the
emulator fails over first. Only the commands of :data:`harness.replay.reading.PARSERS` are sent
(they change nothing); others (``reboot``, ``run msm-failover``, ...) are listed, not sent.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.lab.access import LabChassis
from harness.lab.chassis import MSMS, SSH, Chassis
from harness.parsers import SwitchStatus
from harness.procedures.failover import failover
from harness.replay.reading import OK, Reading, parse, parser_for, read_output
from harness.replay.recordings import Recorded, shown
from harness.testbed.schema import VirtualOptions, virtual_spec

#: Fields that differ between any two chassis, or between two looks at one: times and dates,
#: uptime, MAC addresses, boot counts. Matched against the field's dotted name, in one place.
IGNORED_FIELDS = re.compile(r"time|uptime|date|\bmac\b|boot count|\.cfg$", re.IGNORECASE)
IGNORED_DESCRIPTION = "times and dates, uptime, MAC addresses, boot count, when a configuration file was saved"


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A parsed record as ``{"msms.MSM-A.state": "MASTER", ...}``; list items are keyed by
    their first field (node, process, VLAN name) so a reordered table is not a difference."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple) and all(dataclasses.is_dataclass(item) for item in value):
        value = {str(getattr(item, dataclasses.fields(item)[0].name)): item for item in value}
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


def differences(recorded: Any, emulated: Any) -> list[str]:
    """Each field whose value differs (fields in :data:`IGNORED_FIELDS` left out), one line each."""
    ours, theirs = flatten(recorded), flatten(emulated)
    lines = []
    for key in sorted(set(ours) | set(theirs)):
        if IGNORED_FIELDS.search(key):
            continue
        mine, other = ours.get(key, "(absent)"), theirs.get(key, "(absent)")
        if mine != other:
            lines.append(f"{shown(key, 60)}: recorded {shown(repr(mine))}, emulator {shown(repr(other))}")
    return lines


def recorded_state(readings: list[Reading]) -> SwitchStatus | None:
    """The first readable ``show switch`` of the recording (roles and versions), or None."""
    for reading in readings:
        if reading.status == OK and isinstance(reading.value, SwitchStatus):
            return reading.value
    return None


def virtual_options(status: SwitchStatus) -> VirtualOptions:
    """Emulator options for the recorded SysName and the primary version of each MSM."""
    versions = {slot: m.primary_version for slot, m in status.msms.items() if m.present and m.primary_version}
    return VirtualOptions(versions=versions, sysname=status.sysname)


def compare(recorded: Recorded, workdir: Path, say: Callable[[str], None]) -> int:
    """Replay ``recorded`` on a fresh virtual chassis; tell ``say`` each command's result.

    Returns the number of commands that differ (or could not be compared).
    """
    readings = [read_output(exchange) for exchange in recorded.exchanges]
    status = recorded_state(readings)
    if status is None:
        say("  no readable 'show switch' in the recording: the recorded state is unknown, nothing compared")
        return 1
    spec = virtual_spec(f"parity-{recorded.header.chassis}", virtual_options(status))
    lab = LabChassis(spec, workdir)
    try:
        _bring_to(lab.chassis, status, say)
        where = recorded.header.session if recorded.header.session in (SSH, *MSMS) else SSH
        return sum(_compare_one(lab.chassis, where, reading, say) for reading in readings)
    finally:
        lab.close()


def _bring_to(chassis: Chassis, status: SwitchStatus, say: Callable[[str], None]) -> None:
    roles = chassis.learn_roles()
    versions = ", ".join(f"{slot} {m.primary_version}" for slot, m in sorted(status.msms.items()) if m.present)
    say(f"  virtual chassis {shown(status.sysname, 40)}: {shown(versions)}; recorded master {status.master}")
    if status.master is not None and roles.master != status.master:
        say(f"  failing over the virtual chassis so that {status.master} is master, as recorded")
        failover(chassis)
        chassis.learn_roles()


def _compare_one(chassis: Chassis, where: str, reading: Reading, say: Callable[[str], None]) -> int:
    command = reading.exchange.command
    parser = parser_for(command)
    if parser is None:
        say(f"  {shown(command, 60):<32} not sent (the plans parse nothing of it; it may change the chassis)")
        return 0
    if reading.status != OK:
        say(f"  {command:<32} not compared: the recording is {reading.describe()}")
        return 1
    emulated = parse(reading.exchange, parser, chassis.run(where, command).output)
    if emulated.status != OK:
        say(f"  {command:<32} the emulator's output is {emulated.describe()}")
        return 1
    found = differences(reading.value, emulated.value)
    say(f"  {command:<32} {'same' if not found else f'{len(found)} difference(s)'}")
    for line in found:
        say(f"      {line}")
    return 1 if found else 0
