"""Command outputs, exactly in the formats of the device output contract.

Pure functions of the chassis model: each returns a list of lines without line endings.
"""

from __future__ import annotations

import time

from ..model.chassis import Chassis
from ..model.config import SYS_CONTACT
from ..model.journal import log_line
from ..model.msm import Msm

__all__ = [
    "BANNER",
    "boot_text",
    "log_line",
    "show_checkpoint_data",
    "show_configuration",
    "show_node",
    "show_node_detail",
    "show_switch",
    "show_version",
    "show_vlan",
]

BOOTROM = "1.0.1.3"
PART = {
    "Chassis": "800129-00-01 0905G-00123 Rev 1.0",
    "MSM-A": "800130-00-02 0906G-00456 Rev 2.0",
    "MSM-B": "800130-00-02 0906G-00789 Rev 2.0",
    "PSUCTRL-1": "450117-00-03 0904G-00111 Rev 3.0",
    "PSU-1": "PS 2336 0904G-00222 Rev 1.0",
}
VLAN_RULE = "-" * 95
VLAN_HEADER = (
    VLAN_RULE,
    "Name            VID  Protocol Addr       Flags                         Proto  Ports  Virtual",
    "                                                                              Active router",
    "                                                                              /Total",
    VLAN_RULE,
)
CHECKPOINT_HEADER = (
    "Process          Tx     Rx  Errors   Sent  Total     % Chkpt    Debug-info",
    "-" * 76,
)


def device_time(t: float) -> str:
    """``Wed Nov 25 10:36:43 2026`` (the chassis runs on UTC)."""
    return time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime(t))


def uptime(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 86400} days {s % 86400 // 3600} hours {s % 3600 // 60} minutes {s % 60} seconds"


def _label(label: str, value: str = "") -> str:
    return f"{label:<18}{value}"


def _columns(label: str, a: str, b: str) -> str:
    return f"{label:<18}{a:<24}     {b:<24}"


def show_switch(chassis: Chassis, here: Msm) -> list[str]:
    """``show switch`` (and ``show switch detail``) as run on the MSM ``here``."""
    now = chassis.clock.wall()
    a, b = chassis.msms["MSM-A"], chassis.msms["MSM-B"]
    lines = [
        _label("SysName:", here.running.sysname),
        _label("SysLocation:"),
        _label("SysContact:", SYS_CONTACT),
        _label("System MAC:", chassis.mac),
        _label("System Type:", "XCM8810"),
        "",
        _label("SysHealth check:", "Enabled (Normal)"),
        _label("Recovery Mode:", "All"),
        _label("System Watchdog:", "Enabled"),
        "",
        _label("Current Time:", device_time(now)),
        _label("Timezone:", "[Auto DST Disabled] GMT Offset: 0 minutes, name is UTC."),
        _label("Boot Time:", device_time(here.boot_time)),
        _label("Boot Count:", str(here.boot_count)),
        _label("Next Reboot:", "None scheduled"),
        _label("System UpTime:", uptime(now - here.boot_time)),
        "",
        _columns("Slot:", a.name + (" *" if here is a else ""), b.name + (" *" if here is b else "")),
        _columns("", "-" * 24, "-" * 24),
        _columns("Current State:", chassis.display_state(a), chassis.display_state(b)),
        "",
    ]
    rows = (
        ("Image Selected:", lambda m: m.image_selected),
        ("Image Booted:", lambda m: m.image_booted),
        ("Primary ver:", lambda m: m.images["primary"]),
        ("Secondary ver:", lambda m: m.images["secondary"]),
    )
    for label, value in rows:
        lines.append(_columns(label, *(value(m) if m.powered else "" for m in (a, b))))
    lines += ["", _label("Config Selected:", here.config_selected), _label("Config Booted:", here.config_booted), ""]
    saved = here.flash.get(here.config_selected)
    if saved is not None:
        lines += [
            _label(here.config_selected, f"Created by XCM8800 version {saved.version}"),
            _label("", f"{saved.size} bytes saved on {device_time(saved.saved_at)}"),
        ]
    return lines


def show_node(chassis: Chassis) -> list[str]:
    lines = [f"{'Node':<12}{'State':<12}{'Priority':<12}{'SwHealth':<12}HwHealth"]
    for msm in _powered(chassis):
        lines.append(f"{msm.name:<12}{msm.state.value:<12}{_priority(chassis, msm):<12}{49:<12}7")
    return lines


def show_node_detail(chassis: Chassis) -> list[str]:
    lines: list[str] = []
    for msm in _powered(chassis):
        if lines:
            lines.append("")
        lines += [
            f"Node {msm.name} information:",
            f"    Node State:     {msm.state.value}",
            f"    Node Priority:  {_priority(chassis, msm)}",
            "    Sw Health:      49",
            "    Hw Health:      7",
        ]
    return lines


def _powered(chassis: Chassis) -> list[Msm]:
    return [m for m in chassis.msms.values() if m.powered]


def _priority(chassis: Chassis, msm: Msm) -> int:
    return msm.running.priorities.get(msm.slot, 0)


def show_checkpoint_data(chassis: Chassis, process: str | None = None) -> list[str]:
    """Rows in dependency order; raises ``LookupError`` with the device's message for a bad name."""
    rows = chassis.checkpoint_progress()
    if process is not None:
        rows = [r for r in rows if r.name.lower() == process.lower()]
        if not rows:
            raise LookupError(f"Process {process} not found.")
    return [
        *CHECKPOINT_HEADER,
        *(
            f"{r.name:<12}{r.tx:>7}{r.rx:>7}{r.errors:>8}{r.sent:>7}{r.total:>7}{r.pct:>5}% ON  OK   1 ({r.debug:08X})"
            for r in rows
        ),
    ]


def branch(version: str) -> str:
    """``12.4.2.8`` -> ``v1242b8`` (the build branch tag of ``show version``)."""
    major, minor, patch, build = version.split(".")
    return f"v{major}{minor}{patch}b{build}"


def show_version(chassis: Chassis, here: Msm) -> list[str]:
    lines = [f"{'Chassis':<13}: {PART['Chassis']}"]
    for msm in chassis.msms.values():
        if msm.powered:
            lines.append(f"{msm.name:<13}: {PART[msm.name]} BootROM: {BOOTROM}    IMG: {msm.booted_version}")
        else:
            lines.append(f"{msm.name:<13}: Empty")
    lines += [
        f"{'PSUCTRL-1':<13}: {PART['PSUCTRL-1']}",
        f"{'PSU-1':<13}: {PART['PSU-1']}",
        "",
        f"Image   : XCM8800 version {here.booted_version} {branch(here.booted_version)} by release-manager",
        "          on Thu Mar 10 18:02:41 PST 2011",
        f"BootROM : {BOOTROM}",
        "Diagnostics : 5.2",
    ]
    return lines


def show_vlan(here: Msm) -> list[str]:
    lines = list(VLAN_HEADER)
    vlans = here.running.vlans
    for name in sorted(vlans):
        ports, router = ("1 /1", "VR-Mgmt") if name == "Mgmt" else ("0 /0", "VR-Default")
        lines.append(f"{name:<16}{vlans[name].vid:<5}{'-' * 48}  {'ANY':<7}{ports:<7}{router}")
    lines += [VLAN_RULE, f"Total number of VLAN(s) : {len(vlans)}"]
    return lines


def show_configuration(here: Msm) -> list[str]:
    return here.running.render().splitlines()


BANNER = (
    "",
    "XCM8800",
    "Copyright (C) 2011 NETGEAR, Inc. All rights reserved.",
    "=" * 78,
    "",
    "Press the <tab> or '?' key at any time for completions.",
    "Remember to save your configuration changes.",
    "",
)


def boot_text(partition: str, version: str) -> list[str]:
    """What an MSM console prints from BootROM to image load."""
    return [
        f"NETGEAR XCM8800 BootROM {BOOTROM}",
        "Copyright (C) 2011 NETGEAR, Inc.",
        "CPU: MPC8548E, 1 GB DRAM, 1 GB compact flash",
        f"Starting {partition} image {version} ...",
        "Loading XCM8800 ...",
        "Starting services ...",
    ]
