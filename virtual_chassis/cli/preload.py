"""A large configuration for a virtual chassis (``--config-lines N``), as a busy lab switch has.

The lines belong to modules the emulator does not model (port settings, static FDB entries):
they are saved, replicated and printed by ``show configuration`` like any other, and survive
reboots and failovers verbatim.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from ..model.chassis import Chassis
from ..model.config import SavedConfig

PORTS = range(1, 49)  # 48 ports each


def _module(name: str) -> list[str]:
    return ["#", f"# Module {name} configuration.", "#"]


def _lines(io_slots: range) -> Iterator[str]:
    yield from _module("hal")
    for slot in io_slots:
        for port in PORTS:
            yield f'configure ports {slot}:{port} display-string "rack{slot:02d}-port{port:02d}"'
            yield f"configure ports {slot}:{port} auto on speed 1000 duplex full"
    yield from _module("fdb")
    for number in range(1 << 24):
        slot, port = io_slots[number % len(io_slots)], PORTS[number // len(io_slots) % len(PORTS)]
        mac = f"00:04:96:{number >> 16 & 0xFF:02x}:{number >> 8 & 0xFF:02x}:{number & 0xFF:02x}"
        yield f'create fdb {mac} vlan "Default" port {slot}:{port}'


def other_modules(count: int, io_slots: int = 8) -> tuple[str, ...]:
    """``count`` lines of port and static FDB configuration over ``io_slots`` I/O slots, the same
    for the same count."""
    return tuple(islice(_lines(range(1, io_slots + 1)), max(0, count)))


def preload(chassis: Chassis, total_lines: int) -> None:
    """Give every MSM a running and saved configuration of ``total_lines`` lines (at least the
    lines the emulator models)."""
    for msm in chassis.msms.values():
        base = len(msm.running.render().splitlines())
        msm.running.other_modules = other_modules(total_lines - base, chassis.hardware.io_slots)
        msm.flash[msm.config_selected] = SavedConfig(msm.running.render(), chassis.clock.wall(), msm.booted_version)
