"""``hil replay`` over recordings edited into shapes real ExtremeXOS-family switches print.

:data:`READ_OK` holds the real shapes replay must read; :data:`UNREADABLE` outputs that lack what
the procedure needs, where replay must REPORT the line.
"""

from __future__ import annotations

import pytest

from tests.replay.rp_helpers import run_hil, write_recording

SHOW_VERSION_EMPTY_SLOTS_AND_PSU = """\
Chassis      : XCM8810 800288-00-01 0915G-00176 Rev 1.0
Slot-1       : 8848T 800295-00-03 0914G-00300 Rev 3.0 BootROM: 1.0.1.3 IMG: 12.4.2.8
Slot-2       :
MSM-A        : XCM8800 800296-00-03 0915G-00201 Rev 3.0 BootROM: 1.0.1.3 IMG: 12.4.2.8
MSM-B        : XCM8800 800296-00-03 0915G-00202 Rev 3.0 BootROM: 1.0.1.3 IMG: 12.4.2.8
PSU-1        : Internal Power Supply 800125-00-02 0915X-00111 Rev 2.0

Image   : ExtremeXOS version 12.4.2.8 v1242b8 by release-manager
          on Fri Dec 4 15:56:53 PST 2009
BootROM : 1.0.1.3
Diagnostics : 5.2
"""

#: the same switch's inventory, cut before the power supplies: no image line at all
SHOW_VERSION_WITHOUT_IMAGE = SHOW_VERSION_EMPTY_SLOTS_AND_PSU.split("PSU-1")[0]

SHOW_SWITCH_WITHOUT_BACKUP = """\
SysName:          stack1
SysLocation:
System MAC:       00:04:96:52:A4:00
System Type:      X460-48t

Current State:    OPERATIONAL
Image Selected:   primary
Image Booted:     primary
Primary ver:      15.3.1.4
Secondary ver:    15.3.1.4

Config Selected:  primary.cfg
Config Booted:    primary.cfg
"""

SHOW_SWITCH_STACK_SLOTS = """\
SysName:          stack1
System Type:      X460-48t (Stack)

Slot:             Slot-1 *                     Slot-2
                  ------------------------     ------------------------
Current State:    MASTER                       BACKUP (In Sync)

Image Selected:   primary                      primary
Image Booted:     primary                      primary
Primary ver:      15.3.1.4                     15.3.1.4
Secondary ver:    15.1.2.12                    15.1.2.12

Config Selected:  primary.cfg
Config Booted:    primary.cfg
"""

SHOW_CHECKPOINT_IDLE = """\
Process          Tx     Rx  Errors   Sent  Total     % Chkpt    Debug-info
----------------------------------------------------------------------------
devmgr         3812   1731       0      3      3  100% ON  OK   1 (00008853)
dirser            0      0       0      0      0    0% ON  OK   1 (000008D3)
vlan           1047      1       0      0      0  100% ON  OK   1 (000008D3)
"""

STACK_PROMPT = "Slot-1 stack1.{n} # "

#: (case, command, recorded output, prompt, the line replay quotes): shapes main's parsers or
#: prompt recognition cannot read; replay reports them (exit 1). ``None`` as the line: the
#: recording yields no command at all (the prompt is not recognised).
READ_OK = [
    ("show version: blank empty slot, PSU lines", "show version", SHOW_VERSION_EMPTY_SLOTS_AND_PSU, None),
    ("show switch: no backup, no slot rows", "show switch", SHOW_SWITCH_WITHOUT_BACKUP, None),
    ("stack-style prompt Slot-1 NAME.N #", "show switch", SHOW_SWITCH_STACK_SLOTS, STACK_PROMPT),
    ("show switch: stack slot names", "show switch", SHOW_SWITCH_STACK_SLOTS, None),
    ("show checkpoint-data: idle process at 0 %", "show checkpoint-data", SHOW_CHECKPOINT_IDLE, None),
]

UNREADABLE = [
    ("show version without its Image line", "show version", SHOW_VERSION_WITHOUT_IMAGE, "'MSM-B"),
]


@pytest.mark.parametrize(("case", "command", "output", "quoted"), UNREADABLE)
def test_replay_reports_what_it_cannot_read(tmp_path, capsys, case, command, output, quoted):
    path = write_recording(tmp_path / "real.jsonl", [(command, output)])
    status, out, _ = run_hil(capsys, "replay", str(path))
    assert status == 1, out
    row = next(line for line in out.splitlines() if command in line)
    assert "unreadable: " in row and quoted in row, row


@pytest.mark.parametrize(("case", "command", "output", "prompt"), READ_OK)
def test_replay_reads_real_shapes(tmp_path, capsys, case, command, output, prompt):
    extra = {"prompt": prompt} if prompt else {}
    path = write_recording(tmp_path / "real.jsonl", [("disable clipaging", ""), (command, output)], **extra)
    status, out, _ = run_hil(capsys, "replay", str(path))
    assert status == 0, out
    assert out.splitlines()[2].split()[1:] == [*command.split(), "ok"]


def test_replay_says_device_errors_and_cut_off_outputs_apart(tmp_path, capsys):
    path = write_recording(
        tmp_path / "r.jsonl", [("show vlan", "Error: the VLAN table is busy"), ("sh sw", SHOW_SWITCH_STACK_SLOTS)]
    )
    with path.open("a") as f:
        f.write(
            '{"t": 9, "dir": "sent", "data": "show node\\r"}\n{"t": 9.1, "dir": "received", "data": "show node\\r\\nNode  "}\n'
        )
    status, out, _ = run_hil(capsys, "replay", str(path))
    assert status == 0, out  # the parsers are not at fault for either
    assert "show vlan                        device error: the device answered 'Error: the VLAN table is busy'" in out
    assert "sh sw                            ok" in out  # abbreviated as people type it
    assert "show node                        cut off: no prompt after the output" in out
