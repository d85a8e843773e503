"""Unplanned failover: the master loses power while the backup is In Sync.

1. ``show switch``: MASTER and BACKUP (In Sync).
2. The master loses power. Nobody types a command: the backup becomes master by itself.
   The takeover time (power lost -> new master answering on its console) is measured.
3. Power comes back: the old master boots, joins as backup and is checkpointed to In Sync.
"""

import pytest

from harness.lab.chassis import SSH
from harness.procedures.unplanned import (
    MASTER_POWER_LOST,
    POWER_RESTORED,
    power_guard,
    power_loss_of_master,
    restore_power,
)
from harness.reporting import timeline as ev
from testplans.plan_helpers import vlans_on

TAKEOVER_PHASES = [
    MASTER_POWER_LOST,
    ev.NEW_MASTER_ANSWERING,
    ev.MANAGEMENT_SSH_BACK,
    POWER_RESTORED,
    ev.OLD_MASTER_AT_LOGIN,
    ev.BACKUP_IN_SYNC,
]


@pytest.mark.msm_power
def test_power_loss_of_the_master_the_backup_takes_over_by_itself(chassis, vlan, record_property):
    """The in-sync backup takes over on its own; the old master returns as BACKUP (In Sync).
    Runs wherever each MSM's power can be switched: a virtual chassis, or a labgrid place with
    power-MSM-A and power-MSM-B; the power comes back on whatever happens."""
    console_mark = chassis.transcript_mark(chassis.learn_roles().backup)

    with power_guard(chassis) as cut:
        takeover = power_loss_of_master(chassis, cut)

        record_property("takeover time (s)", f"{takeover.seconds:.3f}")
        print(
            f"takeover by {takeover.new_master} after the power loss of {takeover.old_master}: {takeover.seconds:.3f} s"
        )
        status = chassis.learn_roles()
        assert status.master == takeover.new_master and status.msm(takeover.old_master).present is False
        assert "is now the master" in chassis.transcript_since(takeover.new_master, console_mark), (
            "the new master's console did not log the takeover"
        )
        assert vlans_on(chassis, SSH).get(vlan[0]) == vlan[1], "the VLAN made before the power loss is gone"

        after = restore_power(chassis, takeover.old_master)

    assert after.in_sync and (after.master, after.backup) == (takeover.new_master, takeover.old_master)
    assert after.identical_software, after.status.describe()
    assert [n for n in chassis.timeline.names() if n in TAKEOVER_PHASES] == TAKEOVER_PHASES
    assert (
        0 <= takeover.seconds <= chassis.timeline.between(MASTER_POWER_LOST, ev.BACKUP_IN_SYNC)
    )  # lab s: 0 on an emulator
