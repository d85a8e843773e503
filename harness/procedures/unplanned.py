"""An unplanned failover: the master loses power and the backup takes over by itself.

Nobody types ``run msm-failover``: a backup that is ``In Sync`` becomes master on its own when
the master goes away. :func:`power_loss_of_master` cuts the master's power through the virtual
chassis's ``control.power`` (the emulator's control channel, or a labgrid place's power resources)
and follows the takeover; :func:`restore_power` brings the old master back and follows it to
``BACKUP (In Sync)``. :func:`power_guard` powers on, whatever happens, every MSM whose power it saw
cut. The takeover time runs from the power loss to the new master answering on its console.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from harness.errors import ChassisUnavailable, NotInSync
from harness.lab.chassis import SSH, Chassis
from harness.procedures.failover import management_back, new_master_answers, old_master_at_login
from harness.procedures.sync import SyncVerdict, backup_in_sync, check_sync, wait_for_status
from harness.reporting import timeline as ev

MASTER_POWER_LOST = ev.MASTER_POWER_LOST
POWER_RESTORED = ev.POWER_RESTORED


@dataclass(frozen=True)
class Takeover:
    """Who took over from whom, and how long it took (lab seconds, power loss to new master)."""

    old_master: str
    new_master: str
    seconds: float


@contextmanager
def power_guard(chassis: Chassis) -> Iterator[set[str]]:
    """A block that may cut MSM power: the MSMs it cut (:func:`power_loss_of_master` adds them) are
    powered on again when it ends, however it ends."""
    cut: set[str] = set()
    try:
        yield cut
    finally:
        for msm in sorted(cut):
            chassis.control.power(msm, "on")  # on an MSM already on: nothing happens


def power_loss_of_master(chassis: Chassis, cut: set[str] | None = None) -> Takeover:
    """Cut the master's power with the backup in sync; follow the backup taking over by itself.
    ``cut`` (from :func:`power_guard`) gets the MSM before its power goes."""
    if chassis.control is None:
        raise ChassisUnavailable(
            f"chassis {chassis.name}: cutting the master's power needs a power control (a virtual "
            "chassis's control channel, or a labgrid place with power-MSM-A and power-MSM-B)"
        )
    verdict = check_sync(chassis)
    if not verdict.in_sync:
        raise NotInSync(f"{verdict.cause}: {verdict.detail}; a takeover by the backup needs it In Sync")
    old, new = verdict.master, verdict.backup
    for where in (old, new, SSH):
        chassis.session(where)  # logged in before the power goes
    if cut is not None:
        cut.add(old)
    chassis.timeline.mark(MASTER_POWER_LOST, old)
    chassis.control.power(old, "off")
    new_master_answers(chassis, new)
    management_back(chassis, new)
    took = chassis.timeline.between(MASTER_POWER_LOST, ev.NEW_MASTER_ANSWERING)
    if took is None:  # new_master_answers marks it; without the mark there is no takeover to time
        raise ChassisUnavailable(f"chassis {chassis.name}: {new} never answered as master after the power loss")
    return Takeover(old, new, took)


def restore_power(chassis: Chassis, msm: str) -> SyncVerdict:
    """Power ``msm`` on again; follow its boot to ``login:`` and to ``BACKUP (In Sync)``."""
    chassis.timeline.mark(POWER_RESTORED, msm)
    chassis.control.power(msm, "on")
    old_master_at_login(chassis, msm)
    wait_for_status(
        chassis,
        backup_in_sync(msm),
        chassis.deadline("in_sync"),
        f"{msm} back as BACKUP (In Sync) after power was restored",
        phase=ev.BACKUP_IN_SYNC,
    )
    chassis.timeline.mark(ev.BACKUP_IN_SYNC, msm)
    return check_sync(chassis)
