"""Step 2's condition, the other way: a backup on a release that cannot synchronize. The
emulator refuses ``synchronize`` with one ``Error:`` line; the procedure ends with a verdict
naming both releases, quoting the device and saying what to do, and no failover."""

import re
from dataclasses import replace

from harness.lab.access import LabChassis
from harness.procedures.failover import failover, relinquish_primary
from harness.procedures.sync import SYNCHRONIZE_REFUSED, check_sync, wait_for_status
from harness.testbed.schema import VirtualOptions, virtual_spec


def test_the_verdict_names_both_releases_quotes_the_device_and_says_what_to_do(tmp_path):
    lab = LabChassis(virtual_spec("vsync", VirtualOptions(speed=200.0)), tmp_path)
    chassis = lab.chassis
    chassis.access = replace(chassis.access, min_deadline=3.0)
    try:
        lab.ensure_baseline()
        old = chassis.control.release_without_sync("MSM-B", "10.2.1.1")["version"]
        wait_for_status(chassis, lambda s: s.msm("MSM-B").booted_version == old, chassis.deadline("boot"), "old")
        wait_for_status(chassis, lambda s: s.backup == "MSM-B", chassis.deadline("boot"), "MSM-B back as BACKUP")
        outcome = relinquish_primary(chassis)
        after = check_sync(chassis)
    finally:
        lab.close()
    assert outcome.verdict.cause == SYNCHRONIZE_REFUSED and not outcome.completed
    assert re.fullmatch(
        r"not in sync: synchronize refused: MSM-A runs 12\.4\.2\.8, MSM-B runs 10\.2\.1\.1; MSM-A answered "
        r"'Error: MSM-B runs 10\.2\.1\.1, which does not support synchronize \(release 11\.5 or later needed\)\.'; "
        r"load a release that supports synchronize onto MSM-B \('download image', then 'use image' and reboot "
        r"it\), then run step 2 \(synchronize\) again; failover not attempted",
        outcome.conclusion,
    ), outcome.conclusion
    assert [s.name for s in outcome.steps] == ["show switch: are the nodes in sync", "synchronize"]
    assert (after.master, after.status.msm("MSM-B").booted_version) == ("MSM-A", old)


def test_a_master_on_the_old_release_is_the_msm_the_verdict_names(tmp_path):
    """The other way round: the master runs the release that cannot synchronize (the backup on
    it was failed over to with ``force``); the verdict names the master, not the backup."""
    lab = LabChassis(virtual_spec("vsync2", VirtualOptions(speed=200.0)), tmp_path)
    chassis = lab.chassis
    chassis.access = replace(chassis.access, min_deadline=3.0)
    try:
        lab.ensure_baseline()
        old = chassis.control.release_without_sync("MSM-B", "10.2.1.1")["version"]
        wait_for_status(chassis, lambda s: s.msm("MSM-B").booted_version == old, chassis.deadline("boot"), "old")
        wait_for_status(chassis, lambda s: s.backup == "MSM-B", chassis.deadline("boot"), "MSM-B back as BACKUP")
        failover(chassis, force=True, until_in_sync=False)  # MSM-B, on 10.2, is master now
        outcome = relinquish_primary(chassis)
    finally:
        lab.close()
    assert outcome.verdict.cause == SYNCHRONIZE_REFUSED and outcome.verdict.master == "MSM-B"
    assert "MSM-B runs 10.2.1.1, MSM-A runs 12.4.2.8; MSM-B answered" in outcome.conclusion, outcome.conclusion
    assert "load a release that supports synchronize onto MSM-B (the master)" in outcome.conclusion
    assert "onto MSM-A" not in outcome.conclusion
