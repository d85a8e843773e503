"""Step 1 of the manual: is the backup in sync with the master, and if not, why not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from drivers.errors import ConnectionLost, DeviceRebooted, Timeout
from harness.chassis import MSMS, SSH, Chassis
from harness.errors import ChassisUnavailable, ParseError
from harness.parsers import SwitchStatus, compatible, parse_show_checkpoint_data

BACKUP_DOWN = "backup down"
INCOMPATIBLE_SOFTWARE = "incompatible software"
CHECKPOINTING_NOT_DONE = "checkpointing not done"


@dataclass(frozen=True)
class SyncVerdict:
    """The answer to the manual's step 1, with the reason when the nodes are not in sync."""

    in_sync: bool
    cause: str | None          # BACKUP_DOWN, INCOMPATIBLE_SOFTWARE or CHECKPOINTING_NOT_DONE
    detail: str
    master: str
    backup: str
    status: SwitchStatus

    @property
    def identical_software(self) -> bool:
        m, b = self.status.msm(self.master), self.status.msm(self.backup)
        return b is not None and (m.primary_version, m.secondary_version, m.booted_version) == (
            b.primary_version, b.secondary_version, b.booted_version)

    def __str__(self) -> str:
        if self.in_sync:
            return f"in sync: {self.master} MASTER, {self.backup} BACKUP (In Sync)"
        return f"not in sync: {self.cause}: {self.detail}"


def check_sync(chassis: Chassis, where: str = SSH) -> SyncVerdict:
    """Read ``show switch`` (and ``show checkpoint-data`` when needed) and judge the sync state."""
    return judge(chassis.learn_roles(where), lambda: checkpoint_lag(chassis, where))


def judge(status: SwitchStatus, lag: Callable[[], str]) -> SyncVerdict:
    """The verdict for a parsed ``show switch`` that has a master; ``lag`` names a stalled process."""
    master = status.master
    backup = MSMS[1 - MSMS.index(master)]
    b, m = status.msm(backup), status.msm(master)
    if b is None or b.state != "BACKUP":
        state = b.state if b is not None and b.state else "absent or powered off"
        return SyncVerdict(False, BACKUP_DOWN, f"{backup} is {state}", master, backup, status)
    if b.in_sync:
        return SyncVerdict(True, None, "", master, backup, status)
    if not compatible(m.booted_version, b.booted_version):
        detail = (f"{master} runs {m.booted_version}, {backup} runs {b.booted_version} "
                  "(different major.minor: no checkpointing)")
        return SyncVerdict(False, INCOMPATIBLE_SOFTWARE, detail, master, backup, status)
    return SyncVerdict(False, CHECKPOINTING_NOT_DONE, lag(), master, backup, status)


def checkpoint_lag(chassis: Chassis, where: str = SSH) -> str:
    """Name the first process whose bulk checkpoint is not complete, in dependency order."""
    records = parse_show_checkpoint_data(chassis.run(where, "show checkpoint-data", check=True).output)
    for record in records:
        if record.percent < 100:
            return f"checkpoint of {record.process} at {record.percent} %"
    return "bulk checkpoint complete but the backup is not yet In Sync"


def wait_for_status(chassis: Chassis, done: Callable[[SwitchStatus], bool], deadline, what: str,
                    where: str = SSH, listen: str | None = None) -> SwitchStatus:
    """Poll ``show switch`` on ``where`` until ``done(status)``; reconnect across drops; fail at
    the deadline.

    Between polls it listens to the session ``listen`` (default ``where``): what that console
    prints (the log line of a state change) or an SSH link dropping starts the next poll at
    once, so a change is noticed when it is reported, not at the next poll interval. Raises
    ``Timeout`` naming ``what`` and the last state seen.
    """
    last = "nothing yet"
    while True:
        try:
            status = chassis.show_switch(where)
            if done(status):
                return status
            last = chassis.describe(status)
        except (ConnectionLost, DeviceRebooted, ParseError, ChassisUnavailable, Timeout) as error:
            last = f"{type(error).__name__}: {error}"
        if deadline.remaining() <= chassis.poll_interval:
            raise Timeout(f"chassis {chassis.name}: {what} did not happen within "
                          f"{deadline.seconds:g} s; last seen: {last}")
        chassis.wait_for_output(listen or where, chassis.poll_interval)


def backup_in_sync(backup: str) -> Callable[[SwitchStatus], bool]:
    """A predicate: ``backup`` shows ``BACKUP (In Sync)``."""
    def done(status: SwitchStatus) -> bool:
        msm = status.msm(backup)
        return msm is not None and msm.state == "BACKUP" and msm.in_sync
    return done
