"""NETGEAR 8800 user manual, "relinquishing primary status", verified branch by branch.

1. ``show switch {detail}`` on the primary or the backup node: MASTER and BACKUP (In Sync).
2. Not in sync because of incompatible software: ``synchronize``, then wait for In Sync.
3. In sync: ``run failover {force}``; the backup becomes master, the old master reboots.
"""

import pytest

from harness.lab.chassis import MSMS, SSH
from harness.parsers import parse_show_node, parse_show_switch
from harness.procedures.failover import relinquish_primary
from harness.procedures.sync import (
    BACKUP_DOWN,
    INCOMPATIBLE_SOFTWARE,
    SYNCHRONIZE_REFUSED,
    backup_in_sync,
    check_sync,
    wait_for_status,
)
from harness.reporting import timeline as ev
from testplans.plan_helpers import vlans_on

FAILOVER_PHASES = [
    ev.FAILOVER_SENT,
    ev.OLD_MASTER_REBOOTING,
    ev.NEW_MASTER_ANSWERING,
    ev.MANAGEMENT_SSH_BACK,
    ev.OLD_MASTER_AT_LOGIN,
    ev.BACKUP_IN_SYNC,
]
OLDER_RELEASE = "12.3.4.2"  # another major.minor: the backup cannot checkpoint from 12.4


@pytest.mark.parametrize("detail", [False, True], ids=["show switch", "show switch detail"])
@pytest.mark.parametrize("where", [SSH, *MSMS])
def test_step1_show_switch_confirms_the_nodes_are_in_sync(chassis, where, detail):
    """Step 1, ``show switch {detail}``, works on the master, on the backup and over management
    SSH alike, in both forms."""
    verdict = check_sync(chassis, where, detail=detail)
    assert verdict.in_sync, str(verdict)
    assert verdict.identical_software, verdict.status.describe()
    if where != SSH:
        assert verdict.status.msm(where).current, f"the * does not mark {where} on its own console"
    nodes = {n.node: n.state for n in parse_show_node(chassis.run(where, "show node", check=True).output)}
    assert nodes == {verdict.master: "MASTER", verdict.backup: "BACKUP"}
    if detail:  # the detail form says at least what the short one says
        short, seen = chassis.show_switch(where), verdict.status
        assert [_essentials(short, slot) for slot in MSMS] == [_essentials(seen, slot) for slot in MSMS]
        assert (short.sysname, short.config_selected) == (seen.sysname, seen.config_selected)


def _essentials(status, slot):
    """What step 1 reads of one MSM: state, In Sync, current marker, images and versions."""
    m = status.msm(slot)
    return (m.state, m.in_sync, m.current, m.image_booted, m.primary_version, m.secondary_version)


def test_step3_in_sync_then_failover(chassis, vlan):
    """In sync: the backup becomes master, the old master reboots and returns as BACKUP (In Sync)."""
    before = check_sync(chassis)
    console_mark = chassis.transcript_mark(before.master)

    outcome = relinquish_primary(chassis)

    assert outcome.completed, outcome.conclusion
    assert not outcome.synchronized
    failover = outcome.failover
    assert failover is not None and (failover.old_master, failover.new_master) == (before.master, before.backup)
    status = chassis.learn_roles()
    assert (status.master, status.backup) == (before.backup, before.master)
    assert status.msm(before.master).in_sync, status.describe()
    assert failover.verdict_after.identical_software
    old_console = chassis.transcript_since(before.master, console_mark)
    assert "Rebooting" in old_console, "the old master's console did not show the reboot"
    assert "login:" in old_console.split("Rebooting")[-1], "no fresh login: after the reboot"
    assert vlans_on(chassis, SSH).get(vlan[0]) == vlan[1], "the VLAN made before failover is gone"
    assert parse_show_switch(chassis.run(SSH, "show switch").output).msm(before.backup).current, (
        "management SSH does not reach the new master"
    )
    assert [n for n in chassis.timeline.names() if n in FAILOVER_PHASES][0] == ev.FAILOVER_SENT
    assert set(FAILOVER_PHASES) <= set(chassis.timeline.names())


@pytest.mark.virtual_only
def test_step2_incompatible_software_then_synchronize_then_failover(chassis):
    """Not in sync because the backup runs another release: synchronize, In Sync, failover."""
    backup = check_sync(chassis).backup
    chassis.control.set_version(backup, OLDER_RELEASE)
    wait_for_status(
        chassis,
        lambda s: s.msm(backup).state == "BACKUP" and s.msm(backup).booted_version == OLDER_RELEASE,
        chassis.deadline("boot"),
        f"{backup} booting {OLDER_RELEASE}",
    )
    verdict = check_sync(chassis)
    assert not verdict.in_sync and verdict.cause == INCOMPATIBLE_SOFTWARE, str(verdict)
    assert str(verdict).startswith("not in sync: incompatible software")

    outcome = relinquish_primary(chassis)

    assert outcome.synchronized and outcome.completed, outcome.conclusion
    assert [s.name for s in outcome.steps] == ["show switch: are the nodes in sync", "synchronize", "run failover"]
    assert outcome.failover is not None and outcome.failover.verdict_after.identical_software
    assert OLDER_RELEASE not in chassis.learn_roles().describe()


@pytest.fixture
def backup_without_sync(chassis):
    """The backup booted on a release too old to synchronize (through the control channel);
    afterwards back on the master's release, whatever earlier plans left it on."""
    before = check_sync(chassis)
    master_release = before.status.msm(before.master).booted_version
    old = chassis.control.release_without_sync(before.backup)["version"]
    try:
        wait_for_status(
            chassis,
            lambda s: s.msm(before.backup).state == "BACKUP" and s.msm(before.backup).booted_version == old,
            chassis.deadline("boot"),
            f"{before.backup} booting {old}",
        )
        yield before, master_release, old
    finally:
        chassis.control.set_version(before.backup, master_release)
        wait_for_status(chassis, backup_in_sync(before.backup), chassis.deadline("in_sync"), f"{before.backup} In Sync")


@pytest.mark.virtual_only
def test_step2_not_for_a_backup_whose_release_cannot_synchronize(chassis, backup_without_sync):
    """Step 2 applies only when both nodes run a release that supports synchronization: the
    master refuses ``synchronize``, the verdict names both releases and what to do, and no
    failover is attempted."""
    before, master_release, old = backup_without_sync

    outcome = relinquish_primary(chassis)

    assert not outcome.completed and not outcome.synchronized and outcome.failover is None
    assert outcome.verdict.cause == SYNCHRONIZE_REFUSED, outcome.conclusion
    for words in (f"{before.master} runs {master_release}", f"{before.backup} runs {old}", "Error: "):
        assert words in outcome.conclusion, outcome.conclusion
    for words in ("download image", "use image", "step 2", "failover not attempted"):
        assert words in outcome.conclusion, outcome.conclusion
    assert outcome.steps[-1].name == "synchronize" and outcome.steps[-1].outcome.startswith("failed")
    assert ev.FAILOVER_SENT not in chassis.timeline.names()
    after = chassis.learn_roles()
    assert (after.master, after.msm(before.backup).booted_version) == (before.master, old), (
        "synchronize changed something"
    )


@pytest.mark.virtual_only
def test_backup_down_is_not_in_sync_and_no_failover_is_attempted(chassis):
    """The backup is down: the verdict says so and the master keeps its role."""
    master = check_sync(chassis).master
    chassis.control.backup_down()

    outcome = relinquish_primary(chassis)

    assert not outcome.completed and outcome.failover is None
    assert outcome.conclusion.startswith("not in sync: backup down"), outcome.conclusion
    assert outcome.verdict.cause == BACKUP_DOWN
    assert ev.FAILOVER_SENT not in chassis.timeline.names()
    assert chassis.learn_roles().master == master
