"""Firmware upgrade validation: a new XCM8800 release is served over TFTP, installed, booted and
verified on both MSMs before it reaches production chassis.

The images are the testbed's (``firmware:`` of the chassis, or ``--image``/``--image-version``)
on a real chassis; on a virtual chassis the harness builds them. The plans run in a lab's order:
bad images first (nothing may change), the hitless upgrade, a rollback, an upgrade of the master
followed by ``synchronize``, and last a release of another major.minor (not hitless).
"""

import pytest

from harness.firmware.setup import FirmwareNotConfigured
from harness.firmware.state import (
    BAD_IMAGE,
    CORRUPT,
    DOWNLOAD_FAILED,
    INSTALL_FAILED,
    MISSING,
    TRUNCATED,
    WRONG_PLATFORM,
)
from harness.lab.chassis import MSMS, SSH
from harness.parsers import compatible, parse_show_version
from harness.procedures.failover import relinquish_primary
from harness.procedures.sync import INCOMPATIBLE_SOFTWARE, check_sync
from harness.procedures.upgrade import (
    DOWNLOAD_SENT,
    IMAGE_INSTALLED,
    IMAGE_REFUSED,
    firmware_state,
    install,
    reboot_backup,
    rollback,
    select_image,
    upgrade_master_and_synchronize,
    upgrade_through_backup,
)
from testplans.plan_helpers import roles, vlans_on

#: The chassis goes back to the release it ran before these plans (or the summary says why not).
pytestmark = pytest.mark.usefixtures("release_restored")

#: What a switch may answer for each bad image (a real one may just say "Source image bad").
REASONS = {
    "corrupt": {CORRUPT, BAD_IMAGE, INSTALL_FAILED},
    "truncated": {TRUNCATED, BAD_IMAGE, INSTALL_FAILED},
    "wrong platform": {WRONG_PLATFORM, BAD_IMAGE, INSTALL_FAILED},
    "missing": {MISSING, DOWNLOAD_FAILED},
}


def assert_both_run(chassis, state, version):
    """Both MSMs booted ``version`` from the same partition, in sync, and say so in show version."""
    assert {state.msm(slot).booted_version for slot in MSMS} == {version}, state.describe()
    assert len({state.msm(slot).booted for slot in MSMS}) == 1, state.describe()
    assert state.master and state.backup and state.msm(state.backup).in_sync, state.describe()
    components = parse_show_version(chassis.run(SSH, "show version", check=True).output).components
    assert {slot: components[slot].img for slot in MSMS} == {slot: version for slot in MSMS}


@pytest.mark.parametrize("kind", list(REASONS))
def test_a_bad_image_is_refused_and_nothing_changes(chassis, firmware, kind, record_property):
    """Corrupt, truncated, wrong platform, missing on the server: refused with the reason; both
    MSMs keep their versions, selected images and sync state."""
    before = firmware_state(chassis)
    bad = firmware.bad(kind, firmware.release(before))

    verdict = install(chassis, bad)  # for every MSM that runs, installing at once

    record_property("verdict", str(verdict))
    assert not verdict.accepted, f"the {kind} image {bad.file} was installed"
    assert verdict.reason in REASONS[kind], f"{kind} image: {verdict}"
    assert firmware_state(chassis).changes_since(before) == []
    assert chassis.timeline.names()[-2:] == [DOWNLOAD_SENT, IMAGE_REFUSED]


def test_upgrade_through_the_backup_then_failover(chassis, firmware, vlan, record_property):
    """Install on the backup's inactive partition, select it, reboot only the backup, In Sync,
    fail over, the same on the new backup: both run the new release, configuration kept."""
    before = firmware_state(chassis)
    master, backup = roles(before)
    running = before.msm(master).booted_version
    release = firmware.release(before)

    outcome = upgrade_through_backup(chassis, release)

    record_property("hitless", "yes" if outcome.hitless else "no: " + "; ".join(outcome.notes))
    assert running and outcome.hitless == compatible(running, release.version)
    assert_both_run(chassis, outcome.after, release.version)
    assert roles(outcome.after) == (backup, master)
    assert outcome.after and outcome.after.msm(master).booted == before.msm(master).inactive
    assert vlans_on(chassis, SSH).get(vlan[0]) == vlan[1], "the VLAN made before the upgrade is gone"
    assert chassis.timeline.names().count(IMAGE_INSTALLED) == 2
    assert [step.name.split()[0] for step in chassis.steps] == [
        "show",
        "save",
        "download",
        "use",
        "reboot",
        "run",
        "download",
        "use",
        "reboot",
        "verify",
    ]


def test_rollback_to_the_previous_partition(chassis, firmware):
    """Select the previous partition on both MSMs and reboot: the old version runs again."""
    before = firmware_state(chassis)
    master, _ = roles(before)
    previous = before.msm(master).inactive

    outcome = rollback(chassis)

    after = outcome.after
    assert after is not None
    for slot in MSMS:
        assert after.msm(slot).booted == previous, after.describe()
    assert_both_run(chassis, after, before.msm(master).version_in(previous))
    if firmware.previous_version:
        assert outcome.version == firmware.previous_version, "the rollback did not bring back previous_version"


def test_upgrade_the_master_then_synchronize(chassis, firmware):
    """Install on the master's inactive partition, select it, synchronize (the backup receives
    both images and configurations), reboot: both run the new release, in sync."""
    before = firmware_state(chassis)
    release = firmware.release(before)
    running = before.msm(roles(before)[0]).booted_version
    if running and not compatible(running, release.version):
        pytest.skip(
            f"{release.version} is another major.minor: the backup could not come back in sync "
            "after synchronize; the not-hitless plan covers that release"
        )

    outcome = upgrade_master_and_synchronize(chassis, release)

    assert_both_run(chassis, outcome.after, release.version)
    after = outcome.after
    assert after is not None
    master, backup = (after.msm(slot) for slot in roles(after))
    assert (backup.primary, backup.secondary) == (master.primary, master.secondary)


def test_another_major_minor_is_not_hitless(chassis, firmware, vlan, record_property):
    """The backup cannot come back in sync on another major.minor: force the failover, say the
    upgrade was not hitless, and still end with both MSMs on the new release."""
    before = firmware_state(chassis)
    try:
        release = firmware.other_release(before)
    except FirmwareNotConfigured as why:
        pytest.skip(str(why))

    outcome = upgrade_through_backup(chassis, release)

    record_property("hitless", "yes" if outcome.hitless else "no: " + "; ".join(outcome.notes))
    assert not outcome.hitless and "not hitless" in outcome.notes[0], outcome.notes
    assert any(step.name.startswith("run failover force") for step in chassis.steps)
    assert_both_run(chassis, outcome.after, release.version)
    assert vlans_on(chassis, SSH).get(vlan[0]) == vlan[1], "the saved VLAN is gone after the upgrade"


def test_step2_synchronize_a_backup_on_another_major_minor(chassis, firmware):
    """Step 2 of the manual as its own plan, on hardware too: the backup boots the testbed's
    release of another major.minor (``other_image``), so the nodes are not in sync because of
    incompatible software; ``synchronize`` gives the backup the master's images and
    configurations, it comes back In Sync, and the failover completes."""
    before = firmware_state(chassis)
    master, backup = roles(before)
    try:
        release = firmware.other_release(before)
    except FirmwareNotConfigured as why:
        pytest.skip(str(why))
    partition = before.msm(backup).inactive
    assert install(chassis, release, msm=backup, partition=partition).accepted
    select_image(chassis, partition, backup)
    reboot_backup(chassis, backup, partition, release.version, in_sync=False)
    verdict = check_sync(chassis)
    assert verdict.cause == INCOMPATIBLE_SOFTWARE, str(verdict)

    outcome = relinquish_primary(chassis)

    assert outcome.synchronized and outcome.completed, outcome.conclusion
    assert [s.name for s in outcome.steps] == ["show switch: are the nodes in sync", "synchronize", "run failover"]
    after = firmware_state(chassis)
    assert {after.msm(slot).booted_version for slot in MSMS} == {before.msm(master).booted_version}, after.describe()
