"""Output formats of the device output contract, the login dialog and the control channel."""

import json
import re

import pytest

from tests.virtual_chassis.vc_helpers import Bench
from virtual_chassis.cli import outputs
from virtual_chassis.cli.lineedit import CANCEL, Line, LineEditor
from virtual_chassis.cli.login import Accounts, LoginDialog
from virtual_chassis.endpoints.control import ControlServer
from virtual_chassis.model.clock import Durations
from virtual_chassis.model.config import RunningConfig


@pytest.fixture
def bench():
    b = Bench()
    yield b
    b.close()


def test_show_switch_geometry(bench):
    lines = outputs.show_switch(bench.chassis, bench.chassis.msm("A"))
    by_label = {line[:18].strip(): line for line in lines if line[:18].strip()}
    assert by_label["SysName:"] == "SysName:          XCM8810"
    assert by_label["SysLocation:"] == "SysLocation:      "
    for label in ("Slot:", "Current State:", "Image Selected:", "Image Booted:", "Primary ver:", "Secondary ver:"):
        assert len(by_label[label]) == 71, label
    assert by_label["Slot:"][18:47].rstrip() == "MSM-A *" and by_label["Slot:"][47:].rstrip() == "MSM-B"
    assert by_label["Current State:"][18:42].rstrip() == "MASTER"
    assert by_label["Current State:"][47:].rstrip() == "BACKUP (In Sync)"
    assert "                  ------------------------     ------------------------" in lines
    assert re.fullmatch(r"primary\.cfg       Created by XCM8800 version 12\.4\.2\.8", lines[-2])
    assert re.fullmatch(r" {18}\d+ bytes saved on \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}", lines[-1])
    assert re.fullmatch(r"System UpTime:    \d+ hours \d+ minutes \d+ seconds", by_label["System UpTime:"])


def test_show_switch_powered_off_msm_is_an_empty_column(bench):
    bench.chassis.power("B", "off")
    lines = outputs.show_switch(bench.chassis, bench.chassis.msm("A"))
    for line in lines:
        if line.startswith(("Current State:", "Image Selected:", "Primary ver:")):
            assert line[47:].strip() == ""


def test_show_node_and_detail(bench):
    assert outputs.show_node(bench.chassis) == [
        "Node        State       Priority    SwHealth    HwHealth",
        "MSM-A       MASTER      0           49          7",
        "MSM-B       BACKUP      0           49          7"]
    bench.chassis.power("B", "off")
    assert len(outputs.show_node(bench.chassis)) == 2
    assert outputs.show_node_detail(bench.chassis) == [
        "Node MSM-A information:", "    Node State:     MASTER", "    Node Priority:  0",
        "    Sw Health:      49", "    Hw Health:      7"]


def test_show_checkpoint_data_rows_match_the_contract(bench):
    lines = outputs.show_checkpoint_data(bench.chassis)
    assert lines[0] == "Process          Tx     Rx  Errors   Sent  Total     % Chkpt    Debug-info"
    assert lines[1] == "-" * 76
    assert lines[2] == "devmgr         3812   1731       0      3      3  100% ON  OK   1 (00008853)"
    assert "cfgmgr           82     82       0      1      1  100% ON  OK   1 (000018D3)" in lines
    assert outputs.show_checkpoint_data(bench.chassis, "CFGMGR")[2].startswith("cfgmgr ")
    with pytest.raises(LookupError):
        outputs.show_checkpoint_data(bench.chassis, "nosuch")
    bench.chassis.power("B", "off")
    assert all("    0% ON" in line for line in outputs.show_checkpoint_data(bench.chassis)[2:])


def test_show_version(bench):
    lines = outputs.show_version(bench.chassis, bench.chassis.msm("A"))
    assert lines[0] == "Chassis      : 800129-00-01 0905G-00123 Rev 1.0"
    assert "MSM-A        : 800130-00-02 0906G-00456 Rev 2.0 BootROM: 1.0.1.3    IMG: 12.4.2.8" in lines
    assert lines[1] == "Slot-1       : 800134-00-07 0801G-00103 Rev 7.0 BootROM: 1.0.1.3    IMG: 12.4.2.8"
    assert lines[2] == "Slot-2       :"  # an empty slot: a blank value, as real switches print it
    assert "PSU-1        : Internal Power Supply PS 2336 0904G-00222" in lines and "PSU-3        :" in lines
    assert "Image   : XCM8800 version 12.4.2.8 v1242b8 by release-manager" in lines
    bench.chassis.power("B", "off")
    assert "MSM-B        :" in outputs.show_version(bench.chassis, bench.chassis.msm("A"))


@pytest.mark.parametrize("seconds, shown", [
    (86090, "23 hours 54 minutes 50 seconds"),
    (86400 + 61, "1 day 0 hours 1 minutes 1 seconds"),
    (3 * 86400 + 7200, "3 days 2 hours 0 minutes 0 seconds"),
])
def test_uptime_in_the_devices_words(seconds, shown):
    assert outputs.uptime(seconds) == shown


def test_dates_pad_the_day_with_a_blank():
    assert outputs.device_time(1423360460) == "Sun Feb  8 01:54:20 2015"


def test_show_vlan_table(bench):
    bench.chassis.configure("A", lambda c: c.create_vlan("lab10"))
    bench.chassis.configure("A", lambda c: c.set_vlan_tag("lab10", 10))
    lines = outputs.show_vlan(bench.chassis.msm("A"))
    assert lines[1] == "Name            VID  Protocol Addr       Flags                         Proto  Ports  Virtual"
    assert lines[5:8] == [
        "Default         1    ------------------------------------------------  ANY    0 /0   VR-Default",
        "Mgmt            4095 ------------------------------------------------  ANY    1 /1   VR-Mgmt",
        "lab10           10   ------------------------------------------------  ANY    0 /0   VR-Default"]
    assert lines[-1] == "Total number of VLAN(s) : 3"


def test_untagged_vlans_get_internal_vids_downwards_and_survive_a_save():
    config = RunningConfig("XCM8810")
    config.create_vlan("a")
    config.create_vlan("b")
    assert (config.vlans["a"].vid, config.vlans["b"].vid) == (4093, 4092)
    config.set_vlan_tag("a", 20)
    config.set_priority("A", 5)
    loaded = RunningConfig.parse(config.render(), "other")
    assert loaded.vlans["a"].vid == 20 and loaded.vlans["b"].vid == 4092
    assert loaded.priorities == {"A": 5, "B": 0} and loaded.sysname == "XCM8810"


def test_log_line_shape():
    line = outputs.log_line(1795603201.234, "Noti", "DM.Notice", "MSM-A", "Node MSM-B changed state from INIT to BACKUP")
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d\.\d\d <Noti:DM\.Notice> MSM-A: Node MSM-B changed state "
                        r"from INIT to BACKUP", line)


def test_line_editor_line_endings():
    out = bytearray()
    editor = LineEditor(out.extend)
    results = [editor.key(b) for b in b"ab\r\ncd\ref\ngh\n\r"]
    lines = [r.text for r in results if isinstance(r, Line)]
    assert lines == ["ab", "cd", "ef", "gh", ""]
    assert [editor.key(b) for b in b"x\x03"][-1] is CANCEL and editor.text == ""


def test_login_dialog():
    out = bytearray()
    logins = []
    dialog = LoginDialog(Accounts("admin", "s3cret"), out.extend, lambda u, p: logins.append((u, p)))
    dialog.start()
    assert dialog.feed(b"admin\rwrong\r") == b""
    assert out.decode() == "\r\nlogin: admin\r\npassword: \r\nLogin incorrect\r\nlogin: "
    out.clear()
    assert dialog.feed(b"admin\rs3cret\rshow node\r") == b"show node\r"
    assert b"s3cret" not in out and logins == [("admin", "admin")]
    dialog = LoginDialog(Accounts(), out.extend, lambda u, p: logins.append((u, p)))
    dialog.feed(b"user\r\r")
    assert logins[-1] == ("user", "user")


def test_accounts():
    accounts = Accounts("lab", "pw")
    assert accounts.check("lab", "pw") == "admin" and accounts.check("lab", "") is None
    assert accounts.check("admin", "") is None and accounts.check("user", "") is None
    assert accounts.check("user", "pw") == "user", "read-only user needs the admin's password when one is set"
    assert Accounts("lab", "pw", user_password="ro").check("user", "ro") == "user"
    assert Accounts().check("user", "") == "user", "factory-fresh: both empty"
    for bad in ("two words", "x" * 33, "tab\tname"):
        with pytest.raises(ValueError):
            Accounts(bad)


def test_durations_overrides():
    assert Durations().with_overrides({"boot": 3}).boot == 3.0
    with pytest.raises(ValueError, match="unknown duration"):
        Durations().with_overrides({"boott": 3})


def test_control_requires_the_token_and_changes_nothing_without_it(bench):
    control = ControlServer(bench.chassis, "t0ken", "XCM8810")
    for request in ({"op": "power", "msm": "B", "action": "off"},
                    {"op": "power", "msm": "B", "action": "off", "token": "wrong"}):
        answer = control.handle(json.dumps(request))
        assert answer["ok"] is False and "token" in answer["error"]
    assert bench.chassis.msm("B").powered
    assert control.handle(b"not json")["ok"] is False
    assert control.handle(json.dumps({"token": "t0ken", "op": "fly"}))["ok"] is False
    bad = control.handle(json.dumps({"token": "t0ken", "op": "set_version", "msm": "B", "version": "x"}))
    assert bad["ok"] is False and "Invalid version" in bad["error"]


def test_control_ops(bench):
    control = ControlServer(bench.chassis, "t0ken", "XCM8810")

    def ask(op, **args):
        return control.handle(json.dumps({"token": "t0ken", "op": op, **args}))

    status = ask("status")
    assert status["ok"] and status["master"] == "MSM-A" and status["name"] == "XCM8810"
    assert status["msms"]["MSM-B"] == {
        "powered": True, "state": "BACKUP", "display": "BACKUP (In Sync)", "in_sync": True,
        "booted": "primary", "selected": "primary", "booted_version": "12.4.2.8",
        "primary": "12.4.2.8", "secondary": "12.4.1.5"}
    assert ask("backup_down") == {"ok": True, "msm": "MSM-B"}
    assert ask("status")["msms"]["MSM-B"]["powered"] is False
    assert ask("backup_down")["ok"] is False
    since = bench.chassis.events[-1]["t"]
    assert ask("power", msm="MSM-B", action="on")["ok"]
    events = ask("events", since=since)["events"]
    assert [(e["msm"], e["to"]) for e in events] == [("MSM-B", "INIT")]
    assert ask("set_version", msm="B", version="12.4.3.1", reboot=False)["ok"]
    assert bench.chassis.msm("B").images["primary"] == "12.4.3.1"


def test_login_redisplay_only_while_a_name_is_typed():
    out = bytearray()
    dialog = LoginDialog(Accounts(), out.extend, lambda u, p: None)
    assert dialog.redisplay() == b""
    dialog.feed(b"adm")
    assert dialog.redisplay() == b"login: adm"
    dialog.feed(b"in\r")
    assert dialog.redisplay() == b""  # password: nothing is shown again


def test_virtual_chassis_starts_and_stops_cleanly_in_process():
    import asyncio
    import os
    import socket

    from virtual_chassis.endpoints.server import ChassisOptions, VirtualChassis

    async def run():
        vc = VirtualChassis(ChassisOptions(name="lab", speed=1000), asyncio.get_running_loop())
        endpoints = await vc.start()
        fds = [c.master_fd for c in vc.consoles.values()]
        ports = [endpoints["ssh"]["port"], endpoints["control"]["port"],
                 *(c.port for c in vc.consoles.values())]
        assert endpoints["name"] == "lab" and all(os.path.exists(c["pty"]) for c in endpoints["consoles"].values())
        await vc.stop()
        await vc.stop()  # idempotent
        return fds, ports

    fds, ports = asyncio.run(run())
    for fd in fds:
        with pytest.raises(OSError):
            os.fstat(fd)
    for port in ports:
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
