"""Chassis model: election, replication phases, failover, synchronize, reboots, power."""

import pytest

from tests.virtual_chassis.vc_helpers import Bench
from virtual_chassis.model.chassis import MASTER_ONLY, NO_BACKUP, NOT_IN_SYNC, Chassis
from virtual_chassis.model.clock import Clock, Durations
from virtual_chassis.model.config import Refusal
from virtual_chassis.model.election import election_rank as _election_rank
from virtual_chassis.model.replication import IDLE, PROCESSES, Phase, Replication

OLD = "11.6.1.3"


def _replication(chassis: Chassis) -> Replication:
    """The replication the test expects under way to a backup (fails the test when there is none)."""
    rep = chassis.replication
    assert rep is not None, "no replication to a backup under way"
    return rep


@pytest.fixture
def bench():
    b = Bench()
    yield b
    b.close()


def test_chassis_starts_with_a_master_and_an_in_sync_backup(bench):
    assert (bench.state("A"), bench.state("B")) == ("MASTER", "BACKUP (In Sync)")
    rows = bench.chassis.checkpoint_progress()
    assert all(row.pct == 100 for row in rows if row.name not in IDLE)
    assert {(row.pct, row.total) for row in rows if row.name in IDLE} == {(0, 0)}  # idle: 0 %, healthy
    assert bench.chassis.master().name == "MSM-A"


def test_incompatible_backup_stays_bare_backup_with_nothing_checkpointed():
    b = Bench(versions=("12.4.2.8", OLD))
    try:
        b.run_for(30)
        assert (b.state("A"), b.state("B")) == ("MASTER", "BACKUP")
        assert [row.pct for row in b.chassis.checkpoint_progress()] == [0] * len(PROCESSES)
        assert _replication(b.chassis).phase is Phase.INCOMPATIBLE
    finally:
        b.close()


def test_same_major_minor_is_compatible():
    b = Bench(versions=("12.4.2.8", "12.4.1.5"))
    try:
        assert b.state("B") == "BACKUP (In Sync)"
    finally:
        b.close()


def test_failover_swaps_roles_and_old_master_reboots_into_backup(bench):
    new = bench.chassis.failover("MSM-A")
    assert new.name == "MSM-B"
    assert (bench.state("A"), bench.state("B")) == ("DOWN", "MASTER")
    bench.wait_states("BACKUP (In Sync)", "MASTER")
    assert [(old, to) for old, to, _ in bench.events("A")][-5:] == [
        ("MASTER", "DOWN"), ("DOWN", "INIT"), ("INIT", "STANDBY"), ("STANDBY", "BACKUP"),
        ("BACKUP", "BACKUP (In Sync)")]
    kinds = [n.kind for n in bench.notices if n.msm == "MSM-A"]
    assert kinds.index("rebooting") < kinds.index("booting") < kinds.index("ready")


def test_failover_only_on_master(bench):
    with pytest.raises(Refusal, match=MASTER_ONLY):
        bench.chassis.failover("MSM-B")


def test_failover_refused_unless_in_sync_and_forced_failover_uses_the_backups_own_config():
    b = Bench(versions=("12.4.2.8", OLD))
    try:
        b.chassis.configure("A", lambda c: c.create_vlan("lab10"))
        with pytest.raises(Refusal) as refused:
            b.chassis.failover("A")
        assert str(refused.value) == NOT_IN_SYNC
        assert b.state("A") == "MASTER"
        b.chassis.failover("A", force=True)
        assert b.state("B") == "MASTER"
        assert "lab10" not in b.chassis.msm("B").running.vlans  # never replicated
    finally:
        b.close()


def test_failover_without_backup_is_refused(bench):
    bench.chassis.power("B", "off")
    with pytest.raises(Refusal, match=NO_BACKUP):
        bench.chassis.failover("A", force=True)
    with pytest.raises(Refusal, match=NO_BACKUP):
        bench.chassis.synchronize("A")


def test_dynamic_checkpoint_relays_changes_so_the_new_master_has_them(bench):
    bench.chassis.configure("A", lambda c: c.create_vlan("lab10"))
    bench.chassis.configure("A", lambda c: c.set_vlan_tag("lab10", 10))
    backup = bench.chassis.msm("B")
    assert backup.running.vlans["lab10"].vid == 10 and backup.running.unsaved
    assert bench.chassis.checkpoint_progress()[PROCESSES.index("cfgmgr")].tx > 82
    bench.chassis.failover("A")
    assert bench.chassis.master().running.vlans["lab10"].vid == 10


def test_bulk_checkpoint_runs_process_by_process_in_dependency_order():
    b = Bench(speed=100, durations=Durations(shutdown=0.1, boot=0.5, election=0.1, config_sync=0.5,
                                             checkpoint_per_process=0.3))
    samples = []

    def sample():
        rep = b.chassis.replication
        if rep is not None:
            samples.append((rep.phase, [row.pct for row in rep.progress() if row.name not in IDLE]))
        b.loop.call_later(0.0005, sample)

    try:
        b.chassis.reboot_msm("B")
        b.loop.call_soon(sample)
        b.wait_states("MASTER", "BACKUP (In Sync)", timeout=10)
        phases = [phase for phase, _ in samples]
        assert Phase.CONFIG_SYNC in phases and Phase.BULK in phases and phases[-1] is not Phase.CONFIG_SYNC
        for phase, pcts in samples:
            if phase is Phase.CONFIG_SYNC:
                assert set(pcts) == {0}
            assert pcts == sorted(pcts, reverse=True), "a process finished before one it depends on"
        partial = [pcts for phase, pcts in samples if phase is Phase.BULK and 0 < max(pcts) < 100]
        assert partial, "never saw a bulk checkpoint in progress"
        current = [next(i for i, p in enumerate(pcts) if p < 100) for phase, pcts in samples
                   if phase is Phase.BULK]
        assert current == sorted(current) and len(set(current)) > (len(PROCESSES) - len(IDLE)) // 2
    finally:
        b.close()


def test_config_sync_copies_saved_files_then_running_config(bench):
    bench.chassis.configure("A", lambda c: c.create_vlan("saved1"))
    bench.chassis.save_config("A")
    bench.chassis.power("B", "off")
    bench.chassis.configure("A", lambda c: c.create_vlan("unsaved1"))
    bench.chassis.power("B", "on")
    bench.wait_states("MASTER", "BACKUP (In Sync)")
    backup = bench.chassis.msm("B")
    assert "saved1" in backup.flash["primary.cfg"].content
    assert "unsaved1" not in backup.flash["primary.cfg"].content
    assert "unsaved1" in backup.running.vlans


def test_synchronize_makes_the_backup_a_copy_of_the_master():
    b = Bench(versions=("12.4.2.8", OLD))
    try:
        b.chassis.msm("A").images["secondary"] = "12.4.2.5"
        b.chassis.configure("A", lambda c: c.create_vlan("lab20"))
        b.chassis.save_config("A")
        b.chassis.synchronize("A")
        assert b.state("B") == "DOWN"
        b.wait_states("MASTER", "BACKUP (In Sync)")
        backup = b.chassis.msm("B")
        assert backup.images == {"primary": "12.4.2.8", "secondary": "12.4.2.5"}
        assert backup.booted_version == "12.4.2.8"
        assert "lab20" in backup.flash["primary.cfg"].content
        assert [what for _, to, what in b.events("B") if to == "DOWN"] == ["synchronize", "synchronize"]
    finally:
        b.close()


def test_priority_decides_the_election_and_unset_loses():
    assert _election_rank(_with_priority("A", 0)) > _election_rank(_with_priority("B", 100))
    assert _election_rank(_with_priority("A", 50)) > _election_rank(_with_priority("B", 20))
    assert _election_rank(_with_priority("A", 0)) < _election_rank(_with_priority("B", 0))
    assert _election_rank(_with_priority("A", 7)) < _election_rank(_with_priority("B", 7))


def _with_priority(slot, priority):
    b = Bench()
    try:
        msm = b.chassis.msm(slot)
        msm.running.priorities[slot] = priority
        return msm
    finally:
        b.close()


def test_reboot_elects_by_saved_priority_then_msm_a(bench):
    bench.chassis.configure("A", lambda c: c.set_priority("B", 10))
    bench.chassis.save_config("A")
    bench.chassis.reboot_chassis()
    assert (bench.state("A"), bench.state("B")) == ("DOWN", "DOWN")
    assert bench.chassis.master() is None
    bench.wait_states("BACKUP (In Sync)", "MASTER")
    bench.chassis.configure("B", lambda c: c.set_priority("B", 100))
    bench.chassis.configure("B", lambda c: c.set_priority("A", 100))
    bench.chassis.save_config("B")
    bench.chassis.reboot_chassis()
    bench.wait_states("MASTER", "BACKUP (In Sync)")


def test_power_loss_of_master_with_in_sync_backup_is_an_unplanned_failover(bench):
    bench.chassis.power("A", "off")
    assert (bench.state("A"), bench.state("B")) == ("OFF", "MASTER")
    assert bench.chassis.checkpoint_progress()[0].pct == 0
    bench.chassis.power("A", "on")
    assert bench.state("A") == "INIT"
    bench.wait_states("BACKUP (In Sync)", "MASTER")


def test_power_loss_of_master_before_backup_in_sync_reboots_the_backup():
    bench = Bench(durations=Durations(config_sync=3000))  # a long window before In Sync
    try:
        _lose_master_before_sync(bench)
    finally:
        bench.close()


def _lose_master_before_sync(bench):
    bench.chassis.power("B", "cycle")
    bench.wait(lambda: bench.chassis.msm("B").state.value == "BACKUP", what="B joins as backup")
    assert bench.state("B") == "BACKUP"
    bench.chassis.power("A", "off")
    assert bench.state("B") == "DOWN"
    assert bench.chassis.master() is None
    bench.wait_states("OFF", "MASTER")
    assert ("BACKUP", "DOWN", "master lost before the backup was in sync") in bench.events("B")


def test_reboot_msm_of_backup_and_of_master(bench):
    bench.chassis.reboot_msm("B")
    assert bench.state("B") == "DOWN" and bench.state("A") == "MASTER"
    bench.wait_states("MASTER", "BACKUP (In Sync)")
    bench.chassis.reboot_msm("A")
    assert (bench.state("A"), bench.state("B")) == ("DOWN", "MASTER")
    bench.wait_states("BACKUP (In Sync)", "MASTER")


def test_set_version_reboots_into_the_new_image(bench):
    bench.chassis.set_version("MSM-B", OLD)
    bench.wait_states("MASTER", "BACKUP")
    bench.run_for(30)
    assert bench.state("B") == "BACKUP"
    assert bench.chassis.msm("B").booted_version == OLD
    bench.chassis.set_version("B", "12.4.2.8", partition="secondary", reboot=False)
    assert bench.chassis.msm("B").images == {"primary": OLD, "secondary": "12.4.2.8"}
    with pytest.raises(Refusal, match="Invalid version"):
        bench.chassis.set_version("B", "twelve")


def test_stale_timers_do_nothing_after_power_off(bench):
    bench.chassis.reboot_msm("B")
    bench.chassis.power("B", "off")
    bench.run_for(200)
    assert bench.state("B") == "OFF"
    assert bench.chassis.backup() is None


def test_backup_down_and_power_actions(bench):
    assert bench.chassis.backup_down().name == "MSM-B"
    with pytest.raises(Refusal, match=NO_BACKUP):
        bench.chassis.backup_down()
    with pytest.raises(Refusal, match="Unknown power action"):
        bench.chassis.power("B", "explode")
    with pytest.raises(Refusal, match="Unknown MSM"):
        bench.chassis.power("C", "on")


def test_save_and_use_configuration(bench):
    with pytest.raises(Refusal, match="secondary.cfg does not exist"):
        bench.chassis.use_config("A", "secondary")
    name, replicated = bench.chassis.save_config("A", "secondary")
    assert (name, replicated) == ("secondary.cfg", True)
    assert bench.chassis.use_config("A", "secondary") == "secondary.cfg"
    assert bench.chassis.msm("B").config_selected == "secondary.cfg"
    bench.chassis.reboot_msm("B")
    bench.wait_states("MASTER", "BACKUP (In Sync)")
    assert bench.chassis.msm("B").config_booted == "secondary.cfg"


def test_event_log_is_bounded_and_filtered_by_time():
    import asyncio
    loop = asyncio.new_event_loop()
    try:
        chassis = Chassis(Clock(loop, 10000), event_limit=5)
        for _ in range(5):
            chassis.power("B", "cycle")
        assert len(chassis.events) == 5
        last = chassis.events[-1]["t"]
        assert chassis.events_since(last) == []
        assert set(chassis.events_since(0)[0]) == {"t", "lab", "msm", "from", "to", "what"}
    finally:
        loop.close()


def test_master_change_is_announced_once_per_change(bench):
    bench.chassis.failover("A")
    masters = [n.data for n in bench.notices if n.kind == "master"]
    assert masters == [{"old": "MSM-A", "new": "MSM-B"}]
    bench.chassis.power("B", "off")
    bench.chassis.power("A", "off")
    assert [n.data["new"] for n in bench.notices if n.kind == "master"][-1] is None


def test_election_waits_for_a_peer_whose_boot_ran_late():
    """At high speed factors the loop may run one MSM's boot late; they still elect together."""
    bench = Bench(speed=1000)  # slow enough that "late" is well beyond the loop's own jitter
    try:
        _elect_with_late_peer(bench)
    finally:
        bench.close()


def _elect_with_late_peer(bench):
    chassis, clock = bench.chassis, bench.clock
    chassis.configure("A", lambda c: c.set_priority("B", 10))
    chassis.save_config("A")
    chassis.reboot_chassis()
    b = chassis.msm("B")
    b.epoch += 1  # B's own shutdown timer is void: run its boot "late" instead, as jitter would
    late = clock.scaled(clock.duration("shutdown") + 5 * clock.duration("election"))
    bench.loop.call_later(late, chassis._start_boot, b)
    bench.wait(lambda: chassis.msm("A").state.value == "STANDBY" and b.state.value == "INIT",
               what="A up while B still boots")
    bench.wait_states("BACKUP (In Sync)", "MASTER")


def test_config_sync_sends_saved_files_first_and_running_config_second():
    bench = Bench(durations=Durations(config_sync=4000))  # 0.2 s per half at this speed
    try:
        chassis = bench.chassis
        chassis.power("B", "off")
        chassis.configure("A", lambda c: c.create_vlan("saved2"))
        chassis.save_config("A")
        chassis.configure("A", lambda c: c.create_vlan("running2"))
        chassis.power("B", "on")
        bench.wait(lambda: chassis.msm("B").state.value == "BACKUP", what="B joins as backup")
        backup = chassis.msm("B")
        assert "saved2" not in backup.flash["primary.cfg"].content
        bench.run_for(3000)  # past the first half, before the end
        assert _replication(chassis).phase is Phase.CONFIG_SYNC
        assert "saved2" in backup.flash["primary.cfg"].content and "running2" not in backup.running.vlans
        bench.wait(lambda: _replication(chassis).running_relayed, what="running configuration sent")
        assert "running2" in backup.running.vlans
    finally:
        bench.close()


def test_a_vlan_change_is_checkpointed_by_the_vlan_process_too(bench):
    tx = {r.name: r.tx for r in bench.chassis.checkpoint_progress()}
    bench.chassis.configure("A", lambda c: c.create_vlan("lab11"), "vlan")
    after = {r.name: r.tx for r in bench.chassis.checkpoint_progress()}
    assert (after["vlan"], after["cfgmgr"], after["fdb"]) == (tx["vlan"] + 1, tx["cfgmgr"] + 1, tx["fdb"])
