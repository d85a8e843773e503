"""Reboots, boots, power off and on of one MSM, and the backup taking over when the master
goes away. Boot and shutdown take the clock's durations; faults may hold an MSM down, slow its
boot or make its takeover fail."""

from __future__ import annotations

from collections.abc import Callable

from .config import RunningConfig
from .election import Election
from .faults import Faults
from .msm import Msm, NodeState
from .nodes import Nodes
from .replication import copy_saved_configs


class Boots:
    """An MSM's way down and up again: shutdown, BootROM and image load, login, election."""

    def __init__(self, nodes: Nodes, election: Election, faults: Faults, default_sysname: str):
        self.nodes = nodes
        self.election = election
        self.faults = faults
        self.default_sysname = default_sysname

    def reboot(self, msm: Msm, what: str) -> None:
        nodes, clock = self.nodes, self.nodes.clock
        msm.epoch += 1
        nodes.drop_replication(msm)
        nodes.journal.notify("rebooting", msm.name)
        nodes.set_state(msm, NodeState.DOWN, what)
        msm.boot_due = clock.now() + clock.scaled(clock.duration("shutdown"))
        if not self.faults.stays_down(msm, what):
            nodes.after("shutdown", self.start_boot, msm)

    def start_boot(self, msm: Msm) -> None:
        msm.epoch += 1
        msm.image_booted = msm.image_selected
        msm.booted_version = msm.images[msm.image_booted]
        self.nodes.set_state(msm, NodeState.INIT, "boot")
        self.nodes.journal.notify("booting", msm.name, partition=msm.image_booted, version=msm.booted_version)
        self.nodes.after(self.faults.boot_seconds(msm) or "boot", self._boot_done, msm)

    def _boot_done(self, msm: Msm) -> None:
        saved = msm.flash.get(msm.config_selected)
        msm.running = (
            RunningConfig.parse(saved.content, self.default_sysname)
            if saved
            else RunningConfig(sysname=self.default_sysname)
        )
        msm.config_booted = msm.config_selected
        msm.boot_time, msm.boot_count = self.nodes.clock.wall(), msm.boot_count + 1
        msm.shutdown_slots = self.faults.failed_slots(msm)
        if msm.shutdown_slots:
            slots = ",".join(map(str, msm.shutdown_slots))
            self.nodes.log(msm, "Crit", "DM.Critical", f"The I/O modules in the following slots are shut down: {slots}")
        self.nodes.journal.notify("ready", msm.name)
        if msm.sync_pending:
            self.nodes.after("image_copy", self._sync_copy, msm)
            return
        self.nodes.set_state(msm, NodeState.STANDBY, "boot complete")
        self.election.schedule()

    def _sync_copy(self, msm: Msm) -> None:
        """``synchronize``, after the backup's first reboot: copy images and configurations."""
        msm.sync_pending = False
        master = self.nodes.master()
        if master is not None:
            msm.images = dict(master.images)
            msm.image_selected = master.image_selected
            copy_saved_configs(master, msm)
            self.nodes.log(
                msm, "Info", "DM.Info", f"{msm.name} received both images and configurations from {master.name}"
            )
        self.reboot(msm, "synchronize")

    def power_off(self, msm: Msm, what: str = "power off") -> None:
        msm.epoch += 1
        msm.sync_pending = False
        self.nodes.drop_replication(msm)
        self.nodes.journal.notify("power_off", msm.name)
        self.nodes.set_state(msm, NodeState.DOWN, what)
        msm.powered = False

    def power_on(self, msm: Msm) -> None:
        msm.powered = True
        msm.boot_due = self.nodes.clock.now()
        self.start_boot(msm)

    def take_over(self, new: Msm, what: str) -> None:
        """The backup becomes master (or FAIL, under a fault)."""
        if not self.faults.takes_over(new):
            self.nodes.set_state(new, NodeState.FAIL, what)
            self.nodes.log(
                new,
                "Crit",
                "NM.NodeStateFail",
                f"Node {new.name} changed state to FAIL (Process Failure) while taking over ({what})",
            )
            return
        self.nodes.set_state(new, NodeState.MASTER, what)
        self.nodes.log(new, "Warn", "DM.Warning", f"{new.name} is now the master ({what})")

    def lose_master(self, master: Msm, how: Callable[[Msm, str], None], what: str) -> None:
        """The master goes away: an in-sync backup takes over, any other backup reboots."""
        backup = self.nodes.backup()
        synced = backup is not None and self.nodes.in_sync(backup)
        how(master, what)
        if backup is not None and synced:
            self.take_over(backup, f"failover after {what}")
        elif backup is not None:
            self.reboot(backup, "master lost before the backup was in sync")
