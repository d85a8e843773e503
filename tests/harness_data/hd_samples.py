"""Device output samples for the parser tests, built to the device output contract.

``show_switch()`` lays the text out with the contract geometry (18-char labels, 24-char
columns at 18 and 47, trailing blanks); keyword arguments give the variants.
"""

from __future__ import annotations

PROCESSES = (
    "devmgr", "dirser", "ems", "nodemgr", "snmpSubagent", "snmpMaster", "cli", "edp", "cfgmgr",
    "elrp", "vlan", "aaa", "fdb", "msgsrv", "eaps", "stp", "esrp", "polMgr", "mcmgr", "acl",
    "netLogin", "ospf", "netTools", "telnetd", "rtmgr", "vrrp",
)

LOG_A = "11/25/2026 10:40:01.23 <Noti:DM.Notice> MSM-A: Node MSM-B changed state from INIT to BACKUP"
LOG_B = "11/25/2026 10:40:09.71 <Info:DM.Info> MSM-A: Backup MSM-B is in sync with the master"


def _label(text: str) -> str:
    return f"{text:<18}"


def _row(label: str, a: str, b: str) -> str:
    return f"{_label(label)}{a:<24}     {b:<24}"


def show_switch(
    a_state="MASTER", b_state="BACKUP (In Sync)", current="A", a_present=True, b_present=True,
    versions=("12.4.2.8", "12.4.1.5"), b_versions=None, sysname="XCM8810", slot_names=True,
) -> str:
    """``show switch`` text with ``\\n`` line ends and the emulator's trailing blanks."""
    b_versions = b_versions or versions
    col = {"A": dict(state=a_state, ver=versions, present=a_present),
           "B": dict(state=b_state, ver=b_versions, present=b_present)}

    def cell(slot: str, value: str) -> str:
        return value if col[slot]["present"] else ""

    def slot_cell(slot: str) -> str:
        name = f"MSM-{slot}" + (" *" if current == slot else "")
        return name if (col[slot]["present"] or slot_names) else ""

    lines = [
        _label("SysName:") + sysname,
        _label("SysLocation:"),
        _label("SysContact:") + "support@netgear.com, +1 888 NETGEAR",
        _label("System MAC:") + "00:04:96:52:A4:00",
        _label("System Type:") + "XCM8810",
        "",
        _label("SysHealth check:") + "Enabled (Normal)",
        _label("Recovery Mode:") + "All",
        _label("System Watchdog:") + "Enabled",
        "",
        _label("Current Time:") + "Wed Nov 25 10:36:43 2026",
        _label("Timezone:") + "[Auto DST Disabled] GMT Offset: 0 minutes, name is UTC.",
        _label("Boot Time:") + "Wed Nov 25 10:30:00 2026",
        _label("Boot Count:") + "12",
        _label("Next Reboot:") + "None scheduled",
        _label("System UpTime:") + "0 days 0 hours 6 minutes 43 seconds",
        "",
        _row("Slot:", slot_cell("A"), slot_cell("B")),
        _row("", "-" * 24, "-" * 24),
        _row("Current State:", cell("A", a_state), cell("B", b_state)),
        "",
        _row("Image Selected:", cell("A", "primary"), cell("B", "primary")),
        _row("Image Booted:", cell("A", "primary"), cell("B", "primary")),
        _row("Primary ver:", cell("A", col["A"]["ver"][0]), cell("B", col["B"]["ver"][0])),
        _row("Secondary ver:", cell("A", col["A"]["ver"][1]), cell("B", col["B"]["ver"][1])),
        "",
        _label("Config Selected:") + "primary.cfg",
        _label("Config Booted:") + "primary.cfg",
        "",
        _label("primary.cfg") + "Created by XCM8800 version 12.4.2.8",
        _label("") + "2153 bytes saved on Wed Nov 25 10:30:00 2026",
    ]
    return "\n".join(lines) + "\n"


SHOW_SWITCH = show_switch()

SHOW_NODE = (
    "Node        State       Priority    SwHealth    HwHealth\n"
    "MSM-A       MASTER      0           49          7\n"
    "MSM-B       BACKUP      0           49          7\n"
)

# The NETGEAR CLI manual's sample, p.117, as the page text renders it (blanks collapsed).
SHOW_NODE_MANUAL = (
    "Node State Priority SwHealth HwHealth\n"
    "MSM-A MASTER 0 49 7\n"
    "MSM-B BACKUP 0 49 7\n"
)

SHOW_NODE_DETAIL = (
    "Node MSM-A information:\n"
    "    Node State:     MASTER\n"
    "    Node Priority:  0\n"
    "    Sw Health:      49\n"
    "    Hw Health:      7\n"
    "\n"
    "Node MSM-B information:\n"
    "    Node State:     BACKUP\n"
    "    Node Priority:  0\n"
    "    Sw Health:      49\n"
    "    Hw Health:      7\n"
)

CHECKPOINT_HEADER = (
    "Process          Tx     Rx  Errors   Sent  Total     % Chkpt    Debug-info\n"
    "----------------------------------------------------------------------------\n"
)


def checkpoint_row(name, tx=0, rx=0, errors=0, sent=0, total=0, pct=100, n=1, debug=0x8D3):
    """One row, formatted exactly as the contract's f-string."""
    flag, status = "ON", "OK"
    return (f"{name:<12}{tx:>7}{rx:>7}{errors:>8}{sent:>7}{total:>7}{pct:>5}% {flag}  {status}"
            f"   {n} ({debug:08X})\n")


def show_checkpoint_data(pct=100, processes=PROCESSES) -> str:
    """The full table with every process at ``pct``."""
    return CHECKPOINT_HEADER + "".join(
        checkpoint_row(name, tx=10 * i, rx=i, sent=1, total=1, pct=pct)
        for i, name in enumerate(processes))


CHECKPOINT_CONTRACT = (
    CHECKPOINT_HEADER
    + "devmgr         3812   1731       0      3      3  100% ON  OK   1 (00008853)\n"
    + "cfgmgr           82     82       0      1      1  100% ON  OK   1 (000018D3)\n"
)

SHOW_VERSION = (
    "Chassis      : 800129-00-01 0905G-00123 Rev 1.0\n"
    "MSM-A        : 800130-00-02 0906G-00456 Rev 2.0 BootROM: 1.0.1.3    IMG: 12.4.2.8\n"
    "MSM-B        : 800130-00-02 0906G-00789 Rev 2.0 BootROM: 1.0.1.3    IMG: 12.4.2.8\n"
    "PSUCTRL-1    : 450117-00-03 0904G-00111 Rev 3.0\n"
    "PSU-1        : PS 2336 0904G-00222 Rev 1.0\n"
    "\n"
    "Image   : XCM8800 version 12.4.2.8 v1242b8 by release-manager\n"
    "          on Thu Mar 10 18:02:41 PST 2011\n"
    "BootROM : 1.0.1.3\n"
    "Diagnostics : 5.2\n"
)

_VLAN_RULE = "-" * 95
SHOW_VLAN = (
    f"{_VLAN_RULE}\n"
    "Name            VID  Protocol Addr       Flags                         Proto  Ports  Virtual\n"
    "                                                                              Active router\n"
    "                                                                              /Total\n"
    f"{_VLAN_RULE}\n"
    "Default         1    ------------------------------------------------  ANY    0 /0   VR-Default\n"
    "Mgmt            4095 ------------------------------------------------  ANY    1 /1   VR-Mgmt\n"
    "lab10           10   ------------------------------------------------  ANY    0 /0   VR-Default\n"
    f"{_VLAN_RULE}\n"
    "Total number of VLAN(s) : 3\n"
)


def on_the_wire(output: str, command: str, n: int = 3, sysname: str = "XCM8810") -> str:
    """``output`` as a console shows it: echo after the prompt, ``\\r\\n``, next prompt."""
    text = f"{sysname}.{n} # {command}\n{output}{sysname}.{n + 1} # "
    return text.replace("\n", "\r\n")


def with_logs(output: str, every: int = 3) -> str:
    """``output`` with console log lines inserted after every ``every``-th line."""
    lines = output.splitlines(keepends=True)
    result = []
    for index, line in enumerate(lines, 1):
        result.append(line)
        if index % every == 0:
            result.append((LOG_A if index % 2 else LOG_B) + "\n")
    return "".join(result)


def without_trailing_blanks(output: str) -> str:
    return "".join(line.rstrip() + "\n" for line in output.splitlines())
