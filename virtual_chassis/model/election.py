"""Election of the master among the MSMs in STANDBY, and the start of checkpointing to the
MSM that becomes backup."""

from __future__ import annotations

from collections.abc import Callable

from .msm import Msm, NodeState
from .nodes import Nodes
from .replication import Replication


class Election:
    """Elects a master once booted MSMs wait in STANDBY; the others become backups."""

    def __init__(self, nodes: Nodes, stall_percent: Callable[[str], int | None]):
        self.nodes = nodes
        self.stall_percent = stall_percent  # a fault: where a bulk checkpoint stops
        self._pending = False

    def schedule(self) -> None:
        """Hold an election after the ``election`` duration (one at a time)."""
        if self._pending:
            return
        self._pending = True

        def elect() -> None:
            self._pending = False
            self._elect()
            self.nodes.settle()

        clock = self.nodes.clock
        clock.after(clock.duration("election"), elect)

    def _elect(self) -> None:
        nodes = self.nodes
        standby = [m for m in nodes.msms.values() if m.powered and m.state is NodeState.STANDBY]
        if nodes.master() is None and standby and self._peer_still_booting(standby):
            return  # its boot_done schedules the election again
        if nodes.master() is None and standby:
            winner = min(standby, key=election_rank)
            nodes.set_state(winner, NodeState.MASTER, "election")
            standby.remove(winner)
        for msm in standby:
            self._become_backup(msm)

    def _peer_still_booting(self, standby: list[Msm]) -> bool:
        """An MSM that started booting together with the candidates takes part in the election.

        Boots are grouped by when they were meant to start, not by when the loop ran them, so
        the outcome does not depend on scheduling jitter at high speed factors.
        """
        clock = self.nodes.clock
        window = clock.scaled(clock.duration("election"))
        first = min(m.boot_due for m in standby)
        return any(
            m.powered and m.state is NodeState.INIT and not m.sync_pending and abs(m.boot_due - first) <= window
            for m in self.nodes.msms.values()
        )

    def _become_backup(self, msm: Msm) -> None:
        master = self.nodes.master()
        if master is None:  # pragma: no cover - an election always leaves one
            return
        self.nodes.set_state(msm, NodeState.BACKUP, "election")
        rep = self.checkpoint(master, msm)
        rep.start()
        if not rep.compatible:
            self.nodes.log(
                msm,
                "Warn",
                "DM.Warning",
                f"Backup {msm.name} runs XCM8800 {msm.booted_version}, incompatible with "
                f"{master.booted_version} on the master; checkpointing is disabled",
            )

    def checkpoint(self, master: Msm, backup: Msm) -> Replication:
        """A new replication from ``master`` to ``backup``, the chassis's current one."""
        rep = Replication(self.nodes.clock, master, backup, self._in_sync, self.stall_percent)
        self.nodes.replication = rep
        return rep

    def _in_sync(self, rep: Replication) -> None:
        if rep is not self.nodes.replication:
            return
        self.nodes.event(rep.backup, "BACKUP", "BACKUP (In Sync)", "bulk checkpoint complete")
        self.nodes.log(rep.backup, "Info", "DM.Info", f"Backup {rep.backup.name} is in sync with the master")

    def in_sync_now(self, rep: Replication) -> None:
        """A replication that began in sync (power-up) announces it like a finished bulk checkpoint."""
        self._in_sync(rep)


def election_rank(msm: Msm) -> tuple[int, int, str]:
    """Lower wins: any set priority (1..100, lower first) beats unset (0); then MSM-A."""
    priority = msm.running.priorities.get(msm.slot, 0)
    return (0, priority, msm.slot) if priority else (1, 0, msm.slot)
