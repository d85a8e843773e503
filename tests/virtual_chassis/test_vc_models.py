"""The emulator models both chassis of the family: an XCM8806 differs from an XCM8810 only in
what ``virtual_chassis/hardware.py`` says (System Type, I/O slots, power supply bays)."""

from __future__ import annotations

import subprocess
import sys

from tests.virtual_chassis.vc_helpers import Bench, Emulator
from virtual_chassis.cli import outputs
from virtual_chassis.cli.preload import other_modules
from virtual_chassis.hardware import MODELS


def _components(lines: list[str], prefix: str) -> list[str]:
    return [line.split(":")[0].strip() for line in lines if line.startswith(prefix)]


def test_an_xcm8806_shows_its_type_four_io_slots_and_three_psu_bays():
    bench = Bench(hardware=MODELS["XCM8806"], sysname="XCM8806")
    try:
        a = bench.chassis.msm("A")
        switch = outputs.show_switch(bench.chassis, a)
        version = outputs.show_version(bench.chassis, a)
    finally:
        bench.close()
    assert "System Type:      XCM8806" in switch and "SysName:          XCM8806" in switch
    assert _components(version, "Slot-") == ["Slot-1", "Slot-2", "Slot-3", "Slot-4"]
    assert _components(version, "PSU-") == ["PSU-1", "PSU-2", "PSU-3"]
    assert "MSM-A" in _components(version, "MSM-") and "MSM-B" in _components(version, "MSM-")


def test_the_default_is_the_xcm8810_with_eight_io_slots():
    bench = Bench()
    try:
        version = outputs.show_version(bench.chassis, bench.chassis.msm("A"))
        assert "System Type:      XCM8810" in outputs.show_switch(bench.chassis, bench.chassis.msm("A"))
    finally:
        bench.close()
    assert len(_components(version, "Slot-")) == 8 and len(_components(version, "PSU-")) == 6


def test_a_preloaded_configuration_names_only_the_models_slots():
    ports = {line.split()[2].split(":")[0] for line in other_modules(400, io_slots=4) if "configure ports" in line}
    assert ports == {"1", "2", "3", "4"}


def test_model_option_names_the_chassis_and_refuses_an_unknown_model():
    with Emulator("--model", "XCM8806", "--speed", "1000") as emulator:
        assert emulator.endpoints["name"] == "XCM8806"
    done = subprocess.run([sys.executable, "-m", "virtual_chassis", "--model", "XCM8800"], capture_output=True,
                          text=True, timeout=20)
    assert done.returncode == 2 and "invalid choice: 'XCM8800'" in done.stderr and done.stdout == ""
