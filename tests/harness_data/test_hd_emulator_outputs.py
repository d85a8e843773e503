"""The emulator's rendered outputs parse to the chassis model's state (contract drift check)."""

from __future__ import annotations

import asyncio
import re

import pytest

from harness.parsers import (
    parse_show_checkpoint_data,
    parse_show_node,
    parse_show_switch,
    parse_show_version,
    parse_show_vlan,
)
from virtual_chassis.cli import outputs
from virtual_chassis.model.chassis import Chassis
from virtual_chassis.model.clock import Clock


@pytest.fixture
def chassis():
    loop = asyncio.new_event_loop()
    try:
        yield Chassis(Clock(loop, speed=1000.0), versions=("12.4.2.8", "12.3.1.2"))
    finally:
        loop.close()


def wire(lines: list[str]) -> str:
    return "\r\n".join(lines) + "\r\n"


def test_powered_up_chassis_seen_from_the_backup_console(chassis):
    a, b = chassis.msms["MSM-A"], chassis.msms["MSM-B"]
    status = parse_show_switch(wire(outputs.show_switch(chassis, b)))
    assert (status.master, status.backup, status.current) == ("MSM-A", "MSM-B", "MSM-B")
    assert status.msm("MSM-B").in_sync == chassis.in_sync(b)
    assert status.msm("MSM-B").booted_version == b.booted_version == "12.3.1.2"
    assert [n.node for n in parse_show_node(wire(outputs.show_node(chassis)))] == ["MSM-A",
                                                                                   "MSM-B"]
    assert parse_show_node(wire(outputs.show_node_detail(chassis))) == parse_show_node(
        wire(outputs.show_node(chassis)))
    records = parse_show_checkpoint_data(wire(outputs.show_checkpoint_data(chassis)))
    assert [r.process for r in records] == [p.name for p in chassis.checkpoint_progress()]
    one = parse_show_checkpoint_data(wire(outputs.show_checkpoint_data(chassis, "vlan")))
    assert [r.process for r in one] == ["vlan"]
    info = parse_show_version(wire(outputs.show_version(chassis, a)))
    assert info.image_version == "12.4.2.8" and info.components["MSM-B"].img == "12.3.1.2"
    assert {v.name for v in parse_show_vlan(wire(outputs.show_vlan(a)))} == set(
        a.running.vlans)


def test_backup_powered_off(chassis):
    chassis.power("MSM-B", "off")
    a = chassis.msms["MSM-A"]
    status = parse_show_switch(wire(outputs.show_switch(chassis, a)))
    assert status.master == "MSM-A" and not status.msm("MSM-B").present
    assert [n.node for n in parse_show_node(wire(outputs.show_node(chassis)))] == ["MSM-A"]
    assert parse_show_version(wire(outputs.show_version(chassis, a))).components["MSM-B"].empty


def test_the_emulator_prints_the_real_shapes(chassis):
    """Blank empty slots, I/O slots, PSU descriptions, idle 0 % rows, a detail that says more."""
    a = chassis.msms["MSM-A"]
    info = parse_show_version(wire(outputs.show_version(chassis, a)))
    assert info.components["Slot-1"].img == "12.4.2.8" and info.components["Slot-2"].empty
    assert info.components["PSU-1"].text.startswith("Internal Power Supply") and info.components["PSU-3"].empty
    records = parse_show_checkpoint_data(wire(outputs.show_checkpoint_data(chassis)))
    idle = [r for r in records if r.total == 0]
    assert idle and {(r.percent, r.status) for r in idle} == {(0, "OK")}
    plain = parse_show_switch(wire(outputs.show_switch(chassis, a)))
    detail = parse_show_switch(wire(outputs.show_switch(chassis, a, detail=True)))
    assert detail.msms == plain.msms and plain.msm("B").other == {}
    assert set(detail.msm("B").other) == {"Node Priority", "Sw Health", "Hw Health", "Checkpoint"}
    assert detail.msm("B").other["Checkpoint"] == "incompatible"  # 12.3 under a 12.4 master
    assert re.fullmatch(r"\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}", plain.fields["Current Time"])
