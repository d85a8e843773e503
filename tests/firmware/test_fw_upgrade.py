"""End to end through the harness: ``python -m virtual_chassis`` fetches the harness's images
over TFTP, and every bad image gets a verdict naming its reason with both MSMs unchanged."""

import pytest

from harness.cli import main as hil
from harness.firmware.setup import FirmwareLab, resolve
from harness.firmware.state import ACTIVE_PARTITION, CORRUPT, MISSING, TRUNCATED, WRONG_PLATFORM
from harness.lab.access import LabChassis
from harness.procedures.upgrade import firmware_state, install
from harness.testbed.schema import VirtualOptions, virtual_spec
from virtual_chassis.model.images import check_image

pytest_plugins = ["pytester"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A fast virtual chassis and the harness's TFTP server, as the firmware fixture makes them."""
    workdir = tmp_path_factory.mktemp("fw")
    lab = LabChassis(virtual_spec(options=VirtualOptions(speed=2000)), workdir)
    firmware = FirmwareLab(resolve(lab.spec, True), workdir / "tftp", lab.chassis.control).start()
    yield lab.chassis, firmware
    firmware.stop()
    lab.close()


@pytest.mark.parametrize("kind, reason", [("corrupt", CORRUPT), ("truncated", TRUNCATED),
                                          ("wrong platform", WRONG_PLATFORM), ("missing", MISSING)])
def test_each_bad_image_is_refused_for_its_own_reason(served, kind, reason):
    chassis, firmware = served
    before = firmware_state(chassis)
    bad = firmware.bad(kind, firmware.release(before))
    verdict = install(chassis, bad)
    assert (verdict.accepted, verdict.reason) == (False, reason), str(verdict)
    assert firmware_state(chassis).changes_since(before) == []


def test_the_active_partition_is_refused_through_the_harness(served):
    chassis, firmware = served
    before = firmware_state(chassis)
    backup = before.backup
    assert backup is not None, "the virtual chassis has a backup MSM"
    booted = before.msm(backup).booted
    verdict = install(chassis, firmware.release(before), backup, booted)
    assert verdict.reason == ACTIVE_PARTITION and firmware_state(chassis).changes_since(before) == []


def test_a_good_image_crosses_tftp_and_lands_in_the_inactive_partition(served):
    chassis, firmware = served
    before = firmware_state(chassis)
    release = firmware.release(before)
    backup = before.backup
    assert backup is not None, "the virtual chassis has a backup MSM"
    verdict = install(chassis, release, backup)
    after = firmware_state(chassis)
    assert verdict.accepted, str(verdict)
    assert after.changes_since(before) == [
        f"{backup} {before.msm(backup).inactive}: "
        f"{before.msm(backup).version_in(before.msm(backup).inactive)} -> {release.version}"]


def test_hil_image_build_writes_an_image_the_emulator_accepts(tmp_path, capsys):
    assert hil(["image", "build", "--version", "12.4.3.9", "--size", "4K", "-o", str(tmp_path / "a.xos")]) == 0
    assert check_image(tmp_path / "a.xos").version == "12.4.3.9"
    assert "XCM8800 image, version 12.4.3.9" in capsys.readouterr().out
    assert hil(["image", "build", "--version", "12.4", "-o", str(tmp_path / "b.xos")]) == 1
    assert "is not a.b.c.d" in capsys.readouterr().err


def test_image_options_must_come_together(pytester):
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--image=x.xos")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--image and --image-version go together*"])
