"""Hold a recording against the emulator: send its commands to a virtual chassis brought to the
recorded state and compare the parsed results field by field.

The recordings of one run (its SSH and console sessions) are merged in lab time. The virtual
chassis starts with the recorded versions per MSM (``Primary ver``) and SysName, read from the
first readable ``show switch``; when MSM-B was master there, the emulator fails over first. A
recording of another model or release is said in one line, and nothing is compared.

Then every command goes to the emulator in the recorded order, on its session: a command that
changes the chassis (``create vlan``, ``save``, ``run msm-failover``, ``synchronize``,
``reboot``) is sent; a command the plans parse is asked until the emulator shows the state the
recording shows (within the lab's in-sync deadline, scaled), or a state the recording shows
later for it (a transient state the emulator went through between two asks), then compared.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.errors import HilError
from harness.lab.access import LabChassis
from harness.lab.chassis import MSMS, SSH, Chassis
from harness.parsers import SwitchStatus
from harness.procedures.failover import failover
from harness.replay.reading import CUT_OFF, OK, Reading, parse, parser_for, read_output
from harness.replay.recordings import Recorded, shown
from harness.testbed.schema import VirtualOptions, virtual_spec

#: Fields that differ between any two chassis, or between two looks at one: times and dates,
#: uptime, MAC addresses, boot counts. Matched against the field's dotted name, in one place.
IGNORED_FIELDS = re.compile(r"time|uptime|date|\bmac\b|boot count|\.cfg$", re.IGNORECASE)
#: The models and the release family the emulator models (the reference: XCM8806/XCM8810, 12.x).
MODELS = ("XCM8806", "XCM8810")
RELEASE_MAJOR = "12"
#: Commands that manage the session, not the chassis: never sent by parity.
SESSION_COMMANDS = ("disable", "exit", "logout", "quit")
POLL = 0.2  # seconds between two asks while waiting for the recorded state
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


def other_device(status: SwitchStatus) -> str | None:
    """Why a recording is not of the device the emulator models (one line), or None."""
    versions = sorted({m.primary_version for m in status.msms.values() if m.present and m.primary_version})
    release = versions[0] if versions else "an unknown release"
    if status.system_type and status.system_type not in MODELS:
        return f"a {status.system_type} running {release}: the emulator models {' and '.join(MODELS)}"
    foreign = [v for v in versions if v.split(".")[0] != RELEASE_MAJOR]
    if foreign:
        return f"release {foreign[0]}: the emulator models XCM8800 release {RELEASE_MAJOR}.x"
    return None


def timeline(recordings: list[Recorded]) -> list[tuple[str, Reading]]:
    """Every exchange of the recordings of one run as (session, reading), in lab time order."""
    merged = []
    for recorded in recordings:
        where = recorded.header.session if recorded.header.session in (SSH, *MSMS) else SSH
        try:
            start = datetime.datetime.fromisoformat(recorded.header.started).timestamp()
        except ValueError:
            start = 0.0
        merged += [(start + e.at, index, where, read_output(e)) for index, e in enumerate(recorded.exchanges)]
    return [(where, reading) for _, _, where, reading in sorted(merged, key=lambda item: item[:2])]


def compare(recordings: list[Recorded], workdir: Path, say: Callable[[str], None]) -> int:
    """Replay the recordings of one run on a fresh virtual chassis; tell ``say`` each command's
    result. Returns the number of commands that differ (or could not be compared)."""
    steps = timeline(recordings)
    status = recorded_state([reading for _, reading in steps])
    if status is None:
        say("  no readable 'show switch' in the recording: the recorded state is unknown, nothing compared")
        return 1
    other = other_device(status)
    if other is not None:
        say(f"  the recording is of {other}; nothing compared")
        return 1
    spec = virtual_spec("parity", virtual_options(status))
    lab = LabChassis(spec, workdir)
    try:
        _bring_to(lab.chassis, status, say)
        later = _later_readings(steps)
        return sum(_replay_one(lab.chassis, where, reading, later[id(reading)], say) for where, reading in steps)
    finally:
        lab.close()


Later = tuple[list[Reading], int]  # the readings of one command, and where the later ones start


def _later_readings(steps: list[tuple[str, Reading]]) -> dict[int, Later]:
    """For each reading, where the readable ones of the same command after it are (on any
    session: all show the one chassis); one list per command, linear in the recording."""
    groups: dict[str, list[Reading]] = {}
    later: dict[int, Later] = {}
    for _, reading in steps:
        group = groups.setdefault(reading.exchange.command, [])
        if reading.status == OK:
            group.append(reading)
        later[id(reading)] = (group, len(group))
    return later


def _bring_to(chassis: Chassis, status: SwitchStatus, say: Callable[[str], None]) -> None:
    roles = chassis.learn_roles()
    versions = ", ".join(f"{slot} {m.primary_version}" for slot, m in sorted(status.msms.items()) if m.present)
    say(f"  virtual chassis {shown(status.sysname, 40)}: {shown(versions)}; recorded master {status.master}")
    if status.master is not None and roles.master != status.master:
        say(f"  failing over the virtual chassis so that {status.master} is master, as recorded")
        failover(chassis)
        chassis.learn_roles()


def _replay_one(chassis: Chassis, where: str, reading: Reading, later: Later, say) -> int:
    command = reading.exchange.command
    shown_command = f"{where:<6} {shown(command, 60):<32}"
    if parser_for(command) is None:
        if command.split()[0] in SESSION_COMMANDS or not is_state_change(command):
            return 0
        try:
            chassis.run(where, command)
            say(f"  {shown_command} sent (it changes the chassis)")
        except HilError as error:  # a failover or reboot ends the session: the next command logs in again
            say(f"  {shown_command} sent; the session ended ({type(error).__name__})")
        return 0
    if reading.status == CUT_OFF:
        say(f"  {shown_command} not compared: the recording's answer was {reading.describe()}")
        return 0
    if reading.status != OK:
        say(f"  {shown_command} not compared: the recording is {reading.describe()}")
        return 1
    return _wait_and_compare(chassis, where, reading, later, shown_command, say)


def _wait_and_compare(chassis: Chassis, where: str, reading: Reading, later: Later, name: str, say) -> int:
    """Ask the emulator until it shows the recorded state (within the lab's in-sync deadline,
    scaled), or has moved on to a state the recording shows later; then compare."""
    deadline = chassis.deadline("in_sync")
    parser = parser_for(reading.exchange.command)
    assert parser is not None
    found: list[str] = ["the emulator never answered"]
    while True:
        try:
            emulated = parse(reading.exchange, parser, chassis.run(where, reading.exchange.command).output)
        except HilError as error:
            emulated, found = None, [f"the emulator's session failed: {shown(str(error))}"]
        if emulated is not None and emulated.status == OK:
            found = differences(reading.value, emulated.value)
            if not found:
                say(f"  {name} same")
                return 0
            if any(not differences(r.value, emulated.value) for r in itertools.islice(*later, None)):
                say(f"  {name} passed: the emulator is already in a state the recording shows next")
                return 0
        elif emulated is not None:
            found = [f"the emulator's output is {emulated.describe()}"]
        if deadline.expired:
            break
        time.sleep(min(POLL, max(deadline.remaining(), 0.0)))
    say(f"  {name} {len(found)} difference(s) after waiting {deadline.seconds:g} s for the recorded state")
    for line in found:
        say(f"      {line}")
    return 1


def is_state_change(command: str) -> bool:
    """A command that changes the chassis (configuration, save, failover, synchronize, reboot):
    every command but ``show`` and the session's own (paging, logout)."""
    return not command.startswith("sh")
