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
    """``Sun Feb  8 01:54:20 2015``: the day of the month padded with a blank (UTC)."""
    return time.strftime("%a %b %e %H:%M:%S %Y", time.gmtime(t))


def uptime(seconds: float) -> str:
    """``23 hours 54 minutes 50 seconds``; days only from the first day on (``1 day``, ``3 days``
    [INF: the singular])."""
    s = max(0, int(seconds))
    days = s // 86400
    lead = f"{days} day{'s' if days > 1 else ''} " if days else ""
    return f"{lead}{s % 86400 // 3600} hours {s % 3600 // 60} minutes {s % 60} seconds"


def _label(label: str, value: str = "") -> str:
    return f"{label:<18}{value}"


def _columns(label: str, a: str, b: str) -> str:
    return f"{label:<18}{a:<24}     {b:<24}"


def show_switch(chassis: Chassis, here: Msm, detail: bool = False) -> list[str]:
    """``show switch`` (``detail``: with :func:`detail_rows`) as run on the MSM ``here``."""
    now = chassis.clock.wall()
    a, b = chassis.msms["MSM-A"], chassis.msms["MSM-B"]
    lines = [
        _label("SysName:", here.running.sysname),
        _label("SysLocation:"),
        _label("SysContact:", SYS_CONTACT),
        _label("System MAC:", chassis.mac),
        _label("System Type:", chassis.hardware.model),
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
    if detail:
        lines += ["", *detail_rows(chassis, (a, b))]
    lines += ["", _label("Config Selected:", here.config_selected), _label("Config Booted:", here.config_booted), ""]
    saved = here.flash.get(here.config_selected)
    if saved is not None:
        lines += [
            _label(here.config_selected, f"Created by XCM8800 version {saved.version}"),
            _label("", f"{saved.size} bytes saved on {device_time(saved.saved_at)}"),
        ]
    return lines


def detail_rows(chassis: Chassis, msms: tuple[Msm, Msm]) -> list[str]:
    """What ``show switch detail`` adds to ``show switch``, one row per MSM column.

    [INF] No capture of ``show switch detail`` was found; these rows (the election figures of
    ``show node`` and the checkpoint phase) are our plausible choice, kept in this one place.
    """

    def cells(value) -> list[str]:
        return [value(m) if m.powered else "" for m in msms]

    rep = chassis.replication
    return [
        _columns("Node Priority:", *cells(lambda m: str(_priority(chassis, m)))),
        _columns("Sw Health:", *cells(lambda m: "49")),
        _columns("Hw Health:", *cells(lambda m: "7")),
        _columns("Checkpoint:", *cells(lambda m: rep.phase.value if rep and m is rep.backup else "")),
    ]


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


def _component(name: str, value: str = "") -> str:
    """``Slot-1       : <value>``; an empty slot is the name, the colon and nothing after it."""
    return f"{name:<13}: {value}".rstrip()


def show_version(chassis: Chassis, here: Msm) -> list[str]:
    """Chassis, I/O slots, MSMs, PSU controllers and PSUs of its model (an empty slot or bay
    prints a blank value, as real ExtremeXOS switches do), then the image."""
    master, hardware = chassis.master(), chassis.hardware
    io_img = (master or here).booted_version
    lines = [_component("Chassis", PART["Chassis"])]
    for slot in range(1, hardware.io_slots + 1):
        module = hardware.io_modules.get(slot)
        lines.append(_component(f"Slot-{slot}", f"{module} BootROM: {BOOTROM}    IMG: {io_img}" if module else ""))
    for msm in chassis.msms.values():
        value = f"{PART[msm.name]} BootROM: {BOOTROM}    IMG: {msm.booted_version}" if msm.powered else ""
        lines.append(_component(msm.name, value))
    lines += [_component("PSUCTRL-1", PART["PSUCTRL-1"]), _component("PSUCTRL-2")]
    lines += [_component(f"PSU-{bay}", hardware.psus.get(bay, "")) for bay in range(1, hardware.psu_bays + 1)]
    lines += [
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


def recovery_warning(slots: tuple[int, ...]) -> list[str]:
    """The startup screen's warning when system recovery shut I/O modules down (NETGEAR manual);
    the prompt then starts with ``! ``."""
    if not slots:
        return []
    return [
        f"The I/O modules in the following slots are shut down: {','.join(map(str, slots))}",
        'Use the "clear sys-recovery-level" command to restore I/O modules',
        "",
    ]


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
