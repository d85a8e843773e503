"""The manual's procedure, "relinquishing primary status", and its two actions.

1. ``check_sync`` (``show switch``): in sync, or why not.
2. Not in sync because of incompatible software: ``synchronize`` on the master, wait for the
   backup to come back ``In Sync``.
3. In sync: ``run msm-failover`` (``run failover`` on software that only knows the new
   spelling); the backup becomes master, the old master reboots and returns as backup.
Every step is timed and every phase of a failover is stamped on the chassis's timeline.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from drivers.errors import Timeout
from harness import timeline as ev
from harness.chassis import SSH, Chassis
from harness.errors import NotInSync, ProcedureFailed
from harness.sync import (
    BACKUP_DOWN, CHECKPOINTING_NOT_DONE, INCOMPATIBLE_SOFTWARE, SyncVerdict, backup_in_sync,
    check_sync, wait_for_status,
)

FAILOVER_SPELLINGS = ("run msm-failover", "run failover")


@dataclass(frozen=True)
class Step:
    """One step of a procedure as the report's step table shows it."""

    name: str
    started: float
    duration: float
    outcome: str


@dataclass
class ProcedureOutcome:
    """What the whole procedure did and concluded."""

    verdict: SyncVerdict
    steps: list[Step] = field(default_factory=list)
    failover: "FailoverOutcome | None" = None
    synchronized: bool = False
    completed: bool = False
    conclusion: str = ""


@dataclass(frozen=True)
class FailoverOutcome:
    """The roles before and after, and what each console showed."""

    old_master: str
    new_master: str
    command: str
    verdict_after: SyncVerdict


class StepRecorder:
    """Times steps into a list of :class:`Step`."""

    def __init__(self, steps: list[Step]):
        self.steps = steps

    def run(self, name: str, action, describe=str):
        started, t0 = time.time(), time.monotonic()
        try:
            result = action()
        except Exception as error:
            self.steps.append(Step(name, started, time.monotonic() - t0, f"failed: {error}"))
            raise
        self.steps.append(Step(name, started, time.monotonic() - t0, describe(result)))
        return result


def synchronize(chassis: Chassis) -> SyncVerdict:
    """Run ``synchronize`` on the master and wait until the backup is back ``In Sync``."""
    verdict = check_sync(chassis)
    if verdict.cause == BACKUP_DOWN:
        raise NotInSync(f"{verdict.cause}: {verdict.detail}")
    chassis.timeline.mark(ev.SYNCHRONIZE_SENT, f"on {verdict.master}")
    result = chassis.run(SSH, "synchronize", what="command")
    if result.failed:
        raise ProcedureFailed(f"synchronize refused by {verdict.master}: {result.error}")
    backup = verdict.backup
    master = verdict.master                   # its console logs each change of the backup
    wait_for_status(chassis, lambda s: not backup_in_sync(backup)(s), chassis.deadline("backup_reboot_starts"),
                    f"{backup} leaving sync for its synchronize reboot", listen=master)
    chassis.timeline.mark(ev.BACKUP_REBOOTING, backup)
    wait_for_status(chassis, backup_in_sync(backup), chassis.deadline("synchronize"),
                    f"{backup} back as BACKUP (In Sync) after synchronize", listen=master)
    chassis.timeline.mark(ev.BACKUP_IN_SYNC, backup)
    after = check_sync(chassis)
    if not after.identical_software:
        raise ProcedureFailed(f"after synchronize {backup} does not run the master's images: "
                              f"{chassis.describe(after.status)}")
    return after


def failover(chassis: Chassis, force: bool = False) -> FailoverOutcome:
    """Fail over from the master to the backup and follow every phase to ``In Sync``."""
    verdict = check_sync(chassis)
    if not verdict.in_sync and not force:
        raise NotInSync(f"{verdict.cause}: {verdict.detail}; failover not attempted")
    old, new = verdict.master, verdict.backup
    for where in (old, new, SSH):
        chassis.session(where)          # all three logged in before anything moves
    command = _send_failover(chassis, old, force)
    with ThreadPoolExecutor(max_workers=3) as pool:   # each phase is noticed when it happens
        watchers = [pool.submit(_new_master_answers, chassis, new),
                    pool.submit(_management_back, chassis, new),
                    pool.submit(_old_master_at_login, chassis, old)]
        for watcher in watchers:
            watcher.result()
    wait_for_status(chassis, backup_in_sync(old), chassis.deadline("in_sync"),
                    f"{old} back as BACKUP (In Sync)", listen=new)   # its console logs the change
    chassis.timeline.mark(ev.BACKUP_IN_SYNC, old)
    after = check_sync(chassis)
    if after.master != new:
        raise ProcedureFailed(f"after failover {after.master} is MASTER, expected {new}")
    return FailoverOutcome(old, new, command, after)


def _send_failover(chassis: Chassis, old: str, force: bool) -> str:
    """Send the failover on the old master's console; return the spelling the device took."""
    suffix = " force" if force else ""
    for spelling in FAILOVER_SPELLINGS:
        chassis.timeline.mark(ev.FAILOVER_SENT, f"{spelling}{suffix} on {old}")
        result = chassis.run(old, spelling + suffix, what="failover", expect_reboot=True)
        if result.rebooted:
            chassis.timeline.mark(ev.OLD_MASTER_REBOOTING, old)
            return spelling + suffix
        if not (result.error or "").startswith("%"):
            raise ProcedureFailed(f"{spelling}{suffix} refused by {old}: {result.error or result.output.strip()}")
    raise ProcedureFailed(f"{old} knows neither {' nor '.join(FAILOVER_SPELLINGS)}")


def _new_master_answers(chassis: Chassis, new: str) -> None:
    wait_for_status(chassis, lambda s: s.master == new, chassis.deadline("failover"),
                    f"{new} answering as MASTER on its console", where=new)
    chassis.timeline.mark(ev.NEW_MASTER_ANSWERING, new)


def _management_back(chassis: Chassis, new: str) -> None:
    wait_for_status(chassis, lambda s: s.master == new, chassis.deadline("failover"),
                    f"management SSH reaching {new}")
    chassis.timeline.mark(ev.MANAGEMENT_SSH_BACK, new)


def _old_master_at_login(chassis: Chassis, old: str) -> None:
    chassis.wait_for_login(old)
    chassis.timeline.mark(ev.OLD_MASTER_AT_LOGIN, old)


def relinquish_primary(chassis: Chassis, force: bool = False) -> ProcedureOutcome:
    """The whole manual procedure with every branch; never fails over a chassis not in sync."""
    steps = StepRecorder(chassis.steps)
    verdict = steps.run("show switch: are the nodes in sync", lambda: check_sync(chassis))
    outcome = ProcedureOutcome(verdict, steps.steps)
    if verdict.cause == CHECKPOINTING_NOT_DONE:
        verdict = steps.run("wait for the bulk checkpoint", lambda: _await_checkpoint(chassis, verdict))
    if verdict.cause == INCOMPATIBLE_SOFTWARE:
        verdict = steps.run("synchronize", lambda: synchronize(chassis))
        outcome.synchronized = True
    outcome.verdict = verdict
    if not verdict.in_sync:
        outcome.conclusion = f"{verdict}; failover not attempted"
        return outcome
    outcome.failover = steps.run(
        "run failover", lambda: failover(chassis, force),
        lambda f: f"{f.command}: {f.new_master} MASTER, {f.old_master} BACKUP (In Sync)")
    outcome.completed = True
    outcome.conclusion = f"failover done: {outcome.failover.new_master} is MASTER, " \
                         f"{outcome.failover.old_master} is BACKUP (In Sync)"
    return outcome


def _await_checkpoint(chassis: Chassis, verdict: SyncVerdict) -> SyncVerdict:
    """Bulk checkpointing may still be running: give it the lab time, then judge again."""
    try:
        wait_for_status(chassis, backup_in_sync(verdict.backup), chassis.deadline("in_sync"),
                        f"{verdict.backup} completing its bulk checkpoint")
    except Timeout:
        pass                            # the verdict below names the process that stalled
    return check_sync(chassis)
