"""Replication (checkpointing) from the master to one backup, as a state machine.

Phases, as the EXOS Concepts Guide describes them: configuration synchronisation (saved files,
then the running configuration), bulk checkpoint (one process at a time in dependency order,
``% Chkpt`` 0 -> 100 each), then In Sync and dynamic checkpoint (every later change is relayed
at once). A backup whose booted software has another major.minor than the master's is not
checkpointed at all: it stays a bare ``BACKUP`` with 0 % everywhere.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .clock import Clock
    from .msm import Msm

# name, Tx and Rx messages of a full bulk checkpoint, records (Total), debug word
PROCESS_TABLE: tuple[tuple[str, int, int, int, int], ...] = (
    ("devmgr", 3812, 1731, 3, 0x8853),
    ("dirser", 0, 0, 0, 0x1A03),
    ("ems", 96, 48, 2, 0x1B11),
    ("nodemgr", 412, 206, 2, 0x2C40),
    ("snmpSubagent", 58, 58, 1, 0x0F12),
    ("snmpMaster", 40, 40, 1, 0x0F13),
    ("cli", 12, 12, 1, 0x0A01),
    ("edp", 18, 18, 1, 0x1E02),
    ("cfgmgr", 82, 82, 1, 0x18D3),
    ("elrp", 0, 0, 0, 0x0E01),
    ("vlan", 644, 322, 4, 0x3A21),
    ("aaa", 36, 36, 1, 0x0AA1),
    ("fdb", 1288, 644, 6, 0x4F10),
    ("msgsrv", 10, 10, 1, 0x0D31),
    ("eaps", 22, 22, 1, 0x1EA5),
    ("stp", 128, 64, 2, 0x2571),
    ("esrp", 0, 0, 0, 0x1E5B),
    ("polMgr", 30, 30, 1, 0x0B0A),
    ("mcmgr", 76, 38, 1, 0x1C3C),
    ("acl", 204, 102, 2, 0x2AC1),
    ("netLogin", 16, 16, 1, 0x1D16),
    ("ospf", 98, 49, 2, 0x20F5),
    ("netTools", 8, 8, 1, 0x0C08),
    ("telnetd", 0, 0, 0, 0x0C23),
    ("rtmgr", 310, 155, 3, 0x3B07),
    ("vrrp", 20, 20, 1, 0x1F0D),
)
PROCESSES = tuple(row[0] for row in PROCESS_TABLE)
#: Processes with nothing to checkpoint (Total 0): they read ``0% ON  OK`` on a healthy system,
#: in sync or not, as real systems show, and the bulk checkpoint passes them at once.
IDLE = frozenset(row[0] for row in PROCESS_TABLE if row[3] == 0)


class Phase(str, Enum):  # noqa: UP042 - a StrEnum would change str() of a member, which outputs may show
    INCOMPATIBLE = "incompatible"
    CONFIG_SYNC = "config sync"
    BULK = "bulk checkpoint"
    IN_SYNC = "in sync"


@dataclass(frozen=True)
class ProcessProgress:
    """One row of ``show checkpoint-data``."""

    name: str
    tx: int
    rx: int
    errors: int
    sent: int
    total: int
    pct: int
    debug: int


def same_release(a: str, b: str) -> bool:
    """True when two versions share major.minor (checkpointing is possible)."""
    return a.split(".")[:2] == b.split(".")[:2]


def copy_saved_configs(source: Msm, target: Msm) -> None:
    """Copy the saved files and the configuration selection to another MSM."""
    target.flash = copy.deepcopy(source.flash)
    target.config_selected = source.config_selected


class Replication:
    """Checkpointing of ``master`` to ``backup``; drop it with :meth:`cancel`."""

    def __init__(
        self,
        clock: Clock,
        master: Msm,
        backup: Msm,
        on_in_sync: Callable[[Replication], None],
        stall: Callable[[str], int | None] = lambda process: None,
    ):
        self.clock = clock
        self.stall = stall  # where a process's bulk checkpoint stops (a fault), or None
        self.stalled: int | None = None
        self.master = master
        self.backup = backup
        self.on_in_sync = on_in_sync
        self.compatible = same_release(master.booted_version, backup.booted_version)
        self.phase = Phase.CONFIG_SYNC if self.compatible else Phase.INCOMPATIBLE
        self.index = 0
        self.step_started = clock.now()
        self.dynamic: dict[str, int] = {name: 0 for name in PROCESSES}
        self.cancelled = False

    @property
    def in_sync(self) -> bool:
        return self.phase is Phase.IN_SYNC

    @property
    def running_relayed(self) -> bool:
        """The running configuration has been transferred (dynamic relay is on)."""
        return self.phase in (Phase.BULK, Phase.IN_SYNC)

    def start(self) -> None:
        """Begin configuration synchronisation (nothing happens when incompatible).

        The first half of ``config_sync`` copies the saved files, the second half the running
        configuration; then the bulk checkpoint starts.
        """
        if self.phase is Phase.CONFIG_SYNC:
            self.clock.after(self.clock.duration("config_sync") / 2, self._saved_synced)

    def start_in_sync(self) -> None:
        """Begin already in sync (a chassis that powered up together)."""
        if self.compatible:
            self._copy_config()
            self.phase, self.index = Phase.IN_SYNC, len(PROCESSES)

    def cancel(self) -> None:
        self.cancelled = True

    def _saved_synced(self) -> None:
        if self.cancelled:
            return
        copy_saved_configs(self.master, self.backup)
        self.clock.after(self.clock.duration("config_sync") / 2, self._config_synced)

    def _config_synced(self) -> None:
        if self.cancelled:
            return
        self._copy_config()
        self.phase, self.index = Phase.BULK, 0
        self._start_process()

    def _copy_config(self) -> None:
        copy_saved_configs(self.master, self.backup)
        self.backup.running = self.master.running.copy()

    def _start_process(self) -> None:
        while PROCESSES[self.index] in IDLE:
            self.index += 1  # nothing to checkpoint (the last process is never idle)
        self.step_started = self.clock.now()
        self.stalled = self.stall(PROCESSES[self.index])
        if self.stalled is not None:
            return  # this process never finishes: bulk never completes
        self.clock.after(self.clock.duration("checkpoint_per_process"), self._process_done)

    def resume(self) -> None:
        """Let a stalled bulk checkpoint go on (its stall fault was cleared)."""
        if self.stalled is not None and not self.cancelled:
            self._start_process()

    def _process_done(self) -> None:
        if self.cancelled:
            return
        self.index += 1
        if self.index < len(PROCESSES):
            self._start_process()
            return
        self.phase = Phase.IN_SYNC
        self.on_in_sync(self)

    # --- dynamic checkpoint -----------------------------------------------------------------

    def relay_running(self, process: str | None = None) -> None:
        """Relay a change of the master's running configuration (once it was transferred); the
        application that owns the change (``vlan``) checkpoints its state too [INF]."""
        if self.running_relayed and not self.cancelled:
            self.backup.running = self.master.running.copy()
            self.dynamic["cfgmgr"] += 1
            if process in self.dynamic and process != "cfgmgr":
                self.dynamic[process] += 1

    def relay_saved(self) -> None:
        """Relay saved files and the configuration selection (save, use configuration)."""
        if self.compatible and not self.cancelled:
            copy_saved_configs(self.master, self.backup)
            self.dynamic["cfgmgr"] += 1

    # --- show checkpoint-data ---------------------------------------------------------------

    def percent(self, position: int) -> int:
        """``% Chkpt`` of the process at ``position`` in dependency order (0 for an idle one)."""
        if PROCESSES[position] in IDLE:
            return 0
        if self.phase is Phase.IN_SYNC or (self.phase is Phase.BULK and position < self.index):
            return 100
        if self.phase is Phase.BULK and position == self.index and self.stalled is not None:
            return self.stalled
        if self.phase is Phase.BULK and position == self.index:
            step = self.clock.scaled(self.clock.duration("checkpoint_per_process")) or 1e-9
            return min(99, int((self.clock.now() - self.step_started) / step * 100))
        return 0

    def progress(self) -> list[ProcessProgress]:
        return [_row(row, self.percent(i), self.dynamic[row[0]]) for i, row in enumerate(PROCESS_TABLE)]


def idle_progress() -> list[ProcessProgress]:
    """All rows at 0 %: there is no backup to checkpoint to."""
    return [_row(row, 0, 0) for row in PROCESS_TABLE]


def _row(row: tuple[str, int, int, int, int], pct: int, dynamic: int) -> ProcessProgress:
    name, tx, rx, total, debug = row
    done = pct / 100
    return ProcessProgress(
        name, round(tx * done) + dynamic, round(rx * done) + dynamic, 0, round(total * done), total, pct, debug
    )
