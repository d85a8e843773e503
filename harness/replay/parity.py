"""Hold a recording against the emulator: send its commands to a virtual chassis brought to the
recorded state and compare the parsed results field by field.

The recordings of one run (its SSH and console sessions) are merged in lab time. The virtual
chassis starts with the recorded versions per MSM (``Primary ver``) and SysName, read from the
first readable ``show switch``; when MSM-B was master there, the emulator fails over first. A
recording of another model or release is said in one line, and nothing is compared.

Then every command goes to the emulator in the recorded order, on its session: a command that
changes the chassis (``create vlan``, ``save``, ``run msm-failover``, ``synchronize``,
``reboot``, ``download image``) is sent; an action the harness took through the control channel
(power, faults: the ``control`` recording) is taken on the emulator's; when the run served
images over TFTP, the images it served (``tftp/<chassis>`` beside its ``recordings``) are served
again. A command the plans parse is asked until the emulator shows the state the recording
shows (within the lab's in-sync deadline, scaled), or the state the recording shows next for it
(a transient state the emulator went through between two asks), then compared.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.errors import HilError
from harness.firmware.tftp import TftpServer
from harness.lab.access import LabChassis
from harness.lab.chassis import CONTROL, MSMS, SSH, Chassis
from harness.parsers import SwitchStatus
from harness.procedures.failover import failover
from harness.procedures.upgrade import INSTALL_NOW
from harness.replay.reading import CUT_OFF, OK, Reading, parse, parser_for, read_output
from harness.replay.recordings import Action, Recorded, shown
from harness.testbed.firmware import LOOPBACK
from harness.testbed.schema import VirtualOptions, virtual_spec

#: Fields that differ between any two chassis, or between two looks at one: times and dates,
#: uptime, MAC addresses, boot counts. Matched against the field's dotted name, in one place.
IGNORED_FIELDS = re.compile(r"time|uptime|date|\bmac\b|boot count|\.cfg$", re.IGNORECASE)
#: The models and the release family the emulator models (the reference: XCM8806/XCM8810, 12.x).
MODELS = ("XCM8806", "XCM8810")
RELEASE_MAJOR = "12"
#: Commands that manage the session, not the chassis: never sent by parity.
SESSION_COMMANDS = ("disable", "exit", "logout", "quit")
#: The lab deadline (``LAB_TIMEOUTS``) of a state change by its first words, as the plans send it;
#: any other gets ``command``. A download is answered as the harness answers it (install: yes).
DEADLINES = {"download": "download", "synchronize": "synchronize", "run msm-failover": "failover"}
#: The emulator's speed for parity: slow enough that each state the recording shows (a node
#: INIT for a moment, a bulk checkpoint at 0 %) lasts several asks; never faster than the run
#: recorded (a recording made at speed 1000 is replayed at 50, one of hardware at 50).
PARITY_SPEED = 50.0
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


def virtual_options(status: SwitchStatus, time_scale: float = 1.0) -> VirtualOptions:
    """Emulator options for the recorded SysName and the primary version of each MSM, at
    :data:`PARITY_SPEED` or the recorded run's speed (``1 / time_scale``) when that is slower."""
    versions = {slot: m.primary_version for slot, m in status.msms.items() if m.present and m.primary_version}
    return VirtualOptions(speed=min(PARITY_SPEED, 1.0 / time_scale), versions=versions, sysname=status.sysname)


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


Step = tuple[str, Reading | Action]  # (session, a command's reading) or ("control", an action)


def timeline(recordings: list[Recorded]) -> list[Step]:
    """Every exchange and control action of the recordings of one run as (session, reading)
    or ("control", action), in lab time order."""
    merged: list[tuple[float, int, str, Reading | Action]] = []
    for recorded in recordings:
        where = recorded.header.session if recorded.header.session in (SSH, *MSMS) else SSH
        try:
            start = datetime.datetime.fromisoformat(recorded.header.started).timestamp()
        except ValueError:
            start = 0.0
        merged += [(start + e.at, index, where, read_output(e)) for index, e in enumerate(recorded.exchanges)]
        merged += [(start + a.at, index, CONTROL, a) for index, a in enumerate(recorded.actions, len(merged))]
    return [(where, step) for _, _, where, step in sorted(merged, key=lambda item: item[:2])]


def compare(recordings: list[Recorded], workdir: Path, say: Callable[[str], None]) -> int:
    """Replay the recordings of one run on a fresh virtual chassis; tell ``say`` each command's
    result. Returns the number of commands that differ (or could not be compared)."""
    steps = timeline(recordings)
    status = recorded_state([step for _, step in steps if isinstance(step, Reading)])
    if status is None:
        say("  no readable 'show switch' in the recording: the recorded state is unknown, nothing compared")
        return 1
    other = other_device(status)
    if other is not None:
        say(f"  the recording is of {other}; nothing compared")
        return 1
    spec = virtual_spec("parity", virtual_options(status, min(r.header.time_scale for r in recordings)))
    lab = LabChassis(spec, workdir)
    served = Served(recordings[0].path.parent.parent / "tftp" / recordings[0].header.chassis)
    try:
        _bring_to(lab.chassis, status, say)
        following = _next_readings(steps)
        return sum(
            _act(lab.chassis, step, served, say)
            if isinstance(step, Action)
            else _replay_one(lab.chassis, where, step, following.get(id(step), ([], 0)), say)
            for where, step in steps
        )
    finally:
        served.stop()
        lab.close()


Later = tuple[list[Reading], int]  # readable answers of one command, latest first; the first n follow


def _next_readings(steps: list[Step]) -> dict[int, Later]:
    """For each reading, the readable answers of the same command (on any session: all show the
    one chassis) that follow it before the harness changed the chassis again (a state-changing
    command or a control action): the states the device went through by itself after the
    recorded one. One list per command and stretch, linear in the recording."""
    following: dict[str, list[Reading]] = {}
    found: dict[int, Later] = {}
    for _, step in reversed(steps):
        if isinstance(step, Action) or (parser_for(step.exchange.command) is None and _changes(step.exchange.command)):
            following = {}  # before a change: its later states are not this stretch's
            continue
        group = following.setdefault(step.exchange.command, [])
        found[id(step)] = (group, len(group))
        if step.status == OK:
            group.append(step)
    return found


def _changes(command: str) -> bool:
    """A command parity sends: it changes the chassis (not a ``show``, not the session's own)."""
    return bool(command.split()) and command.split()[0] not in SESSION_COMMANDS and is_state_change(command)


class Served:
    """The images a run served over TFTP (its ``tftp/<chassis>`` folder), served again to the
    emulator when the recording shows the run serving them."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.server: TftpServer | None = None

    def start(self) -> str | None:
        """Serve the folder (once); None, or why it cannot be served."""
        if not self.folder.is_dir():
            return f"the images the run served are not beside its recordings ({shown(str(self.folder))})"
        if self.server is None:
            self.server = TftpServer(self.folder, LOOPBACK, 0)
            self.server.start()
        return None

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def _act(chassis: Chassis, action: Action, served: Served, say: Callable[[str], None]) -> int:
    """Take a recorded control action on the emulator; 1 when it refuses one the run took."""
    name = f"  {CONTROL:<6} {action.describe():<32}"
    control = chassis.control
    assert control is not None  # a virtual chassis always has its control channel
    try:
        if action.op == "tftp":
            why = served.start()
            if why is not None:
                say(f"{name} not comparable: {why}; the run's downloads cannot succeed here")
                return 0
            assert served.server is not None
            control.tftp(served.server.port)
            say(f"{name} taken: the run's images served again from {shown(str(served.folder), 80)}")
            return 0
        method = getattr(type(control.wrapped), action.op, None)
        if callable(method):
            getattr(control, action.op)(**action.args)
        else:
            control.request(action.op, **action.args)
    except (HilError, TypeError) as error:
        say(f"{name} 1 difference: the emulator refused the action the run took: {shown(str(error))}")
        return 1
    say(f"{name} taken (a control action)")
    return 0


def _bring_to(chassis: Chassis, status: SwitchStatus, say: Callable[[str], None]) -> None:
    roles = chassis.learn_roles()
    versions = ", ".join(f"{slot} {m.primary_version}" for slot, m in sorted(status.msms.items()) if m.present)
    say(f"  virtual chassis {shown(status.sysname, 40)}: {shown(versions)}; recorded master {status.master}")
    if status.master is not None and roles.master != status.master:
        say(f"  failing over the virtual chassis so that {status.master} is master, as recorded")
        failover(chassis)
        chassis.learn_roles()


def _replay_one(chassis: Chassis, where: str, reading: Reading, following: Later, say) -> int:
    command = reading.exchange.command
    shown_command = f"{where:<6} {shown(command, 60):<32}"
    if parser_for(command) is None:
        if not _changes(command):
            return 0
        what = next((w for first, w in DEADLINES.items() if command.startswith(first)), "command")
        try:
            chassis.run(where, command, what=what, answers=(INSTALL_NOW,))
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
    return _wait_and_compare(chassis, where, reading, following, shown_command, say)


def _wait_and_compare(chassis: Chassis, where: str, reading: Reading, following: Later, name: str, say) -> int:
    """Ask the emulator until it shows the recorded state (within the lab's in-sync deadline,
    scaled), or has moved on to a state the recording shows after it for that command before
    the harness changed the chassis again; then compare."""
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
            group, count = following
            if any(not differences(later.value, emulated.value) for later in group[:count]):
                say(
                    f"  {name} passed: the emulator is already in a state the recording shows next, before the next change"
                )
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
