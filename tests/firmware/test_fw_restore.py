"""After the firmware plans the chassis goes back to the release it started on: from a partition
both MSMs still hold, or installed again from a built image; otherwise the message names the
release it was left on. Performed on a virtual chassis (real reboots, real TFTP)."""

import pytest

from harness.firmware.restore import releases, restore_release
from harness.firmware.setup import FirmwareLab, resolve
from harness.lab.access import LabChassis
from harness.procedures.upgrade import firmware_state
from harness.testbed.schema import VirtualOptions, virtual_spec


@pytest.fixture
def served(tmp_path):
    """A fast virtual chassis (both MSMs on 12.4.2.8, 12.4.1.5 in secondary) and the TFTP server."""
    lab = LabChassis(virtual_spec(options=VirtualOptions(speed=2000)), tmp_path)
    lab.ensure_baseline()
    firmware = FirmwareLab(resolve(lab.spec, True), tmp_path / "tftp", lab.chassis.control, tmp_path / "cache").start()
    yield lab.chassis, firmware
    firmware.stop()
    lab.close()


def test_nothing_changed_means_nothing_to_restore(served):
    chassis, firmware = served
    assert restore_release(chassis, releases(firmware_state(chassis)), firmware.image_of) is None


def test_a_release_both_msms_hold_is_selected_and_booted(served):
    chassis, _ = served
    restored = restore_release(chassis, {"MSM-A": "12.4.1.5", "MSM-B": "12.4.1.5"})
    assert restored is not None and restored.back, restored
    assert restored.message == "put back on 12.4.1.5 (the firmware plans had left it on 12.4.2.8)"
    assert releases(firmware_state(chassis)) == {"MSM-A": "12.4.1.5", "MSM-B": "12.4.1.5"}


def test_a_release_no_partition_holds_is_installed_from_a_built_image(served):
    chassis, firmware = served
    restored = restore_release(chassis, {"MSM-A": "12.4.0.3", "MSM-B": "12.4.0.3"}, firmware.image_of)
    assert restored is not None and restored.back, restored
    assert releases(firmware_state(chassis)) == {"MSM-A": "12.4.0.3", "MSM-B": "12.4.0.3"}
    assert (firmware.folder / "xcm8800-12.4.0.3.xos").is_symlink(), "the built image is a link into the cache"


def test_without_an_image_the_message_names_the_release_it_was_left_on(served):
    chassis, _ = served
    before = firmware_state(chassis)
    restored = restore_release(chassis, {"MSM-A": "12.4.0.3", "MSM-B": "12.4.0.3"}, image_of=lambda version: None)
    assert restored is not None and not restored.back
    assert restored.message == (
        "left on 12.4.2.8 (started on 12.4.0.3): no partition holds 12.4.0.3 on both MSMs; install it by hand"
    )
    assert firmware_state(chassis).changes_since(before) == [], "a restore it cannot do changes nothing"


def test_both_partitions_and_the_selected_image_are_put_back(served):
    """An upgrade left another release in each MSM's secondary partition and MSM-A selecting it:
    both partitions and the selection are put back (the booted release never changed, so the
    release-only restore saw nothing to do)."""
    from harness.firmware.restore import restore_chassis
    from harness.procedures.upgrade import install, select_image

    chassis, firmware = served
    started = firmware_state(chassis)
    assert install(chassis, firmware.image_of("12.4.3.1"), partition="secondary").accepted
    select_image(chassis, "secondary", "MSM-A")
    assert restore_release(chassis, releases(started), firmware.image_of) is None  # what the old restore did
    restored = restore_chassis(chassis, started, firmware.image_of)
    assert restored is not None and restored.back, restored
    now = firmware_state(chassis)
    for slot in ("MSM-A", "MSM-B"):
        was = started.msm(slot)
        assert (now.msm(slot).primary, now.msm(slot).secondary, now.msm(slot).selected) == (
            was.primary, was.secondary, was.selected), now.describe()


def test_a_partition_without_an_image_is_what_the_chassis_is_left_with(served):
    from harness.firmware.restore import restore_chassis
    from harness.procedures.upgrade import install

    chassis, firmware = served
    started = firmware_state(chassis)
    assert install(chassis, firmware.image_of("12.4.3.1"), partition="secondary").accepted
    restored = restore_chassis(chassis, started, image_of=lambda version: None)
    assert restored is not None and not restored.back
    assert "secondary holding 12.4.3.1 (it held 12.4.1.5): no image of it" in restored.message, restored.message
