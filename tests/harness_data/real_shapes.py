"""Output in the shapes real ExtremeXOS-family switches print (issue 12), written from the
issue's description of public captures: a dual-MSM BlackDiamond 8800, a stack running as master
and backup, Summit switches without a backup. Names, serials and dates are ours; the shapes
(blank empty slots, PSU description lines, extra software keys, idle 0 % processes, the
single-node OPERATIONAL form, Slot-N columns and prompts, padded dates) are theirs.
"""

from __future__ import annotations


def _label(text: str, value: str = "") -> str:
    return f"{text:<18}{value}"


def _row(label: str, a: str, b: str) -> str:
    return f"{label:<18}{a:<24}     {b:<24}"


def _header(sysname: str, system_type: str, uptime: str) -> list[str]:
    return [
        _label("SysName:", sysname),
        _label("SysLocation:"),
        _label("SysContact:", "support@extremenetworks.com, +1 888 257 3000"),
        _label("System MAC:", "00:04:96:97:E9:E5"),
        _label("System Type:", system_type),
        "",
        _label("SysHealth check:", "Enabled (Normal)"),
        _label("Recovery Mode:", "All"),
        _label("System Watchdog:", "Enabled"),
        "",
        _label("Current Time:", "Sun Feb  8 01:54:20 2015"),
        _label("Timezone:", "[Auto DST Disabled] GMT Offset: 0 minutes, name is UTC."),
        _label("Boot Time:", "Sat Feb  7 01:59:30 2015"),
        _label("Boot Count:", "33"),
        _label("Next Reboot:", "None scheduled"),
        _label("System UpTime:", uptime),
        "",
    ]


def _two_nodes(a: str, b: str, states: tuple[str, str], versions: tuple[str, str], patch: str = "") -> list[str]:
    lines = [
        _row("Slot:", a, b),
        _row("", "-" * 24, "-" * 24),
        _row("Current State:", *states),
        "",
        _row("Image Selected:", "primary", "primary"),
        _row("Image Booted:", "primary", "primary"),
        _row("Primary ver:", versions[0], versions[0]),
    ]
    if patch:
        lines.append(_row("", patch, patch))
    lines += [_row("Secondary ver:", versions[1], versions[1]), ""]
    return lines


def _saved(os_name: str, version: str) -> list[str]:
    return [
        _label("Config Selected:", "primary.cfg"),
        _label("Config Booted:", "primary.cfg"),
        "",
        _label("primary.cfg", f"Created by {os_name} version {version}"),
        _label("", "997394 bytes saved on Fri Jan 30 13:47:32 2015"),
    ]


def text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


#: ``show switch`` on a dual-MSM BlackDiamond 8800 (MSM-A master, MSM-B backup in sync).
BD8800_SHOW_SWITCH = text(
    _header("BD-8810", "BD-8810", "40 days 2 hours 13 minutes 29 seconds")
    + _two_nodes("MSM-A *", "MSM-B", ("MASTER", "BACKUP (In Sync)"), ("12.4.2.17", "12.3.3.6"))
    + _saved("ExtremeXOS", "12.4.2.17")
)

#: ``show switch`` on a two-node stack: Slot-1 master, Slot-2 backup, a patch line per version.
STACK_SHOW_SWITCH = text(
    _header("X440-Stack", "X440-24p (Stack)", "23 hours 54 minutes 50 seconds")
    + _two_nodes("Slot-1 *", "Slot-2", ("MASTER", "BACKUP (In Sync)"), ("16.2.5.4", "16.1.3.6"), "patch1-7")
    + _saved("ExtremeXOS", "16.2.5.4")
)

#: ``show switch`` on a Summit without a backup: no Slot row, one value per row.
SUMMIT_SHOW_SWITCH = text(
    _header("X460-48t", "X460-48t", "3 days 4 hours 5 minutes 6 seconds")
    + [
        _label("Current State:", "OPERATIONAL"),
        _label("Image Selected:", "secondary"),
        _label("Image Booted:", "secondary"),
        _label("Primary ver:", "15.3.1.4"),
        _label("Secondary ver:", "15.6.4.2"),
        _label("", "patch1-5"),
        "",
    ]
    + _saved("ExtremeXOS", "15.6.4.2")
)

#: ``show version`` on a BlackDiamond 8800 chassis: I/O slots (most empty), MSMs, PSUs.
BD8800_SHOW_VERSION = """\
Chassis      : 800129-00-04 0807G-00334 Rev 4.0
Slot-1       : 800134-00-07 0801G-00103 Rev 7.0 BootROM: 1.0.3.1    IMG: 12.4.2.17
Slot-2       :
Slot-3       : 800135-00-04 0812G-00377 Rev 4.0 BootROM: 1.0.3.1    IMG: 12.4.2.17
Slot-4       :
Slot-5       :
Slot-6       :
Slot-7       :
Slot-8       :
MSM-A        : 800130-00-09 0805G-00212 Rev 9.0 BootROM: 1.0.3.2    IMG: 12.4.2.17
MSM-B        : 800130-00-09 0805G-00213 Rev 9.0 BootROM: 1.0.3.2    IMG: 12.4.2.17
PSUCTRL-1    : 450117-00-03 0804G-00111 Rev 3.0
PSUCTRL-2    :
PSU-1        : PS 2336 0804G-00222 Rev 1.0
PSU-2        :

Image   : ExtremeXOS version 12.4.2.17 v1242b17 by release-manager
          on Wed Jun 23 19:52:28 PDT 2010
BootROM : 1.0.3.2
Diagnostics : 5.2
"""

#: ``show version`` on a Summit stack: Slot-N lines, empty slots, PSU descriptions, newer keys.
STACK_SHOW_VERSION = """\
Slot-1      : 800546-00-04 1317G-00812 Rev 4.0 BootROM: 2.0.1.7    IMG: 16.2.5.4 patch1-7
Slot-2      : 800546-00-04 1317G-00829 Rev 4.0 BootROM: 2.0.1.7    IMG: 16.2.5.4 patch1-7
Slot-3      :
Slot-4      :
PSU-1       : Internal Power Supply 800436-00-01 1219A-40005
PSU-2       :

Image   : ExtremeXOS version 16.2.5.4 16.2.5.4-patch1-7 by release-manager
          on Mon Nov 27 12:00:14 EST 2017
BootROM : 2.0.1.7
Diagnostics : 5.7
Certified Version : EXOS Linux  3.18.48,  FIPS fips-ecp-2.0.16
Build Tools Version : 5.1
"""

#: ``show version`` on a Summit without a backup: a ``Switch`` line, a blank Diagnostics.
SUMMIT_SHOW_VERSION = """\
Switch      : 800402-00-06 1117G-00524 Rev 6.0 BootROM: 1.0.5.7    IMG: 15.6.4.2
PSU-1       : Internal Power Supply 800402-00-06 1117G-00524
PSU-2       :

Image   : ExtremeXOS version 15.6.4.2 v1564b2-patch1-5 by release-manager
          on Tue Apr 18 17:49:10 EDT 2017
BootROM : 1.0.5.7
Diagnostics :
"""

_CHECKPOINT_HEADER = (
    "Process          Tx     Rx  Errors   Sent  Total     % Chkpt    Debug-info\n"
    "----------------------------------------------------------------------------\n"
)

#: ``show checkpoint-data`` on a healthy, in-sync system: idle processes stay at 0 % OK.
CHECKPOINT_IN_SYNC = _CHECKPOINT_HEADER + (
    "devmgr         3812   1731       0      3      3  100% ON  OK   1 (00008853)\n"
    "dirser            0      0       0      0      0    0% ON  OK   1 (000008D3)\n"
    "ems               0      0       0      0      0    0% ON  OK   1 (000008D3)\n"
    "cfgmgr           82     82       0      1      1  100% ON  OK   1 (000018D3)\n"
    "vlan           1047      1       0      0      0  100% ON  OK   1 (000008D3)\n"
    "fdb               0      0       0      0      0    0% ON  OK   1 (000008D3)\n"
)

#: ``show checkpoint-data vlan``: one process.
CHECKPOINT_ONE = _CHECKPOINT_HEADER + "vlan           1047      1       0      0      0  100% ON  OK   1 (000008D3)\n"


def checkpoint_bulk(fdb_percent: int, fdb_sent: int, status: str = "OK") -> str:
    """A bulk checkpoint under way: devmgr done, dirser idle, fdb at ``fdb_percent``, acl waiting."""
    return _CHECKPOINT_HEADER + (
        "devmgr         3812   1731       0      3      3  100% ON  OK   1 (00008853)\n"
        "dirser            0      0       0      0      0    0% ON  OK   1 (000008D3)\n"
        f"fdb             515    257       0 {fdb_sent:>6}      6 {fdb_percent:>4}% ON  {status}   1 (00004F10)\n"
        "acl               0      0       0      0      2    0% ON  OK   1 (00002AC1)\n"
    )


#: Prompts of a stack (``Slot-N`` first) and of a chassis booted with slots shut down (``!``).
STACK_PROMPTS = ("Slot-1 X440.1 # ", "* Slot-1 X440-Stack.12 # ", "Slot-2 X440.3 > ")
RECOVERY_PROMPT = "! XCM8810.1 # "


def on_the_wire(output: str, command: str, prompt: str = "Slot-1 X440.3 # ", after: str = "Slot-1 X440.4 # ") -> str:
    """``output`` as a session captures it: prompt and echo, ``\\r\\n``, the next prompt."""
    return f"{prompt}{command}\n{output}{after}".replace("\n", "\r\n")
