"""Replicating data between nodes: configuration sync, bulk checkpoint, dynamic checkpoint.

The manual monitors it with ``show checkpoint-data {<process>}``: the plans that change VLANs
read the ``vlan`` process's own row."""

from harness.lab.chassis import SSH
from harness.parsers import parse_show_checkpoint_data
from harness.procedures.checkpoint import behind
from harness.procedures.failover import failover
from harness.procedures.sync import backup_in_sync, check_sync, wait_for_status
from testplans.plan_helpers import checkpoint_of, vlans_on


def test_configuration_sync_relays_running_and_saved_configuration(chassis, vlan):
    """A change on the master is in the backup's running configuration; save reaches both MSMs.
    The test VLAN is deleted (and that deletion relayed) before the save: a plan never saves
    the configuration it made."""
    verdict = check_sync(chassis)
    assert vlans_on(chassis, verdict.backup).get(vlan[0]) == vlan[1]
    record = checkpoint_of(chassis, SSH, "vlan")
    assert (record.percent, record.status) == (100, "OK"), record
    chassis.run(SSH, f"delete vlan {vlan[0]}", check=True)
    assert vlan[0] not in vlans_on(chassis, verdict.backup), "the deletion did not reach the backup"
    saved = chassis.run(SSH, "save configuration primary", check=True)
    assert "backup MSM" in saved.output and "done!" in saved.output, saved.output
    assert not saved.prompt.unsaved, "the prompt still shows * after save"
    master_config = chassis.run(verdict.master, "show configuration", check=True).output
    backup_config = chassis.run(verdict.backup, "show configuration", check=True).output
    assert master_config == backup_config


def test_bulk_checkpoint_complete_for_every_process(chassis):
    """In Sync means every application finished its bulk checkpoint (an idle one, with nothing
    to checkpoint, stays at 0 % with status OK)."""
    records = parse_show_checkpoint_data(chassis.run(SSH, "show checkpoint-data", check=True).output)
    assert records, "show checkpoint-data listed no process"
    assert {r.status for r in records} == {"OK"}
    assert behind(records) is None, f"{behind(records)} has bulk checkpoint work left"
    for record in records:
        one = parse_show_checkpoint_data(chassis.run(SSH, f"show checkpoint-data {record.process}", check=True).output)
        assert [(r.process, r.percent) for r in one] == [(record.process, record.percent)]


def test_bulk_checkpoint_runs_in_dependency_order(chassis):
    """After the backup reboots, applications checkpoint one at a time in dependency order."""
    backup = check_sync(chassis).backup
    chassis.run(SSH, f"reboot msm {backup[-1]}", check=True)
    wait_for_status(
        chassis,
        lambda s: not backup_in_sync(backup)(s),
        chassis.deadline("command"),
        f"{backup} leaving sync for its reboot",
    )
    seen = []

    def observe(status):
        records = parse_show_checkpoint_data(chassis.run(SSH, "show checkpoint-data").output)
        seen.append([r.percent for r in records if r.total])  # idle processes have nothing to order
        return backup_in_sync(backup)(status)

    wait_for_status(chassis, observe, chassis.deadline("in_sync"), f"{backup} In Sync again")
    for percents in seen:
        assert percents == sorted(percents, reverse=True), f"a process finished before one it depends on: {percents}"
    assert seen[-1] == [100] * len(seen[-1])


def test_dynamic_checkpoint_change_on_master_survives_failover(chassis, vlan):
    """A change made after bulk checkpoint is relayed at once and is there after failover."""
    verdict = check_sync(chassis)
    before = checkpoint_of(chassis, SSH, "vlan")
    chassis.run(SSH, f"configure vlan {vlan[0]} tag {vlan[1] + 500}", check=True)
    assert vlans_on(chassis, verdict.backup).get(vlan[0]) == vlan[1] + 500
    after = checkpoint_of(chassis, SSH, "vlan")
    assert after.percent == 100 and after.tx > before.tx, f"the vlan change was not checkpointed: {before} -> {after}"
    outcome = failover(chassis)
    assert outcome.new_master == verdict.backup
    assert vlans_on(chassis, SSH).get(vlan[0]) == vlan[1] + 500
