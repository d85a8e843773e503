"""The manual's procedure, "relinquishing primary status", and its two actions.

1. ``check_sync`` (``show switch``): in sync, or why not.
2. Not in sync because of incompatible software: ``synchronize`` on the master, wait for the
   backup to come back ``In Sync``. A master that refuses it (a node on a release that cannot
   synchronize) ends the procedure with a verdict naming both releases and what to do.
3. In sync: ``run msm-failover`` (``run failover`` on software that only knows the new
   spelling); the backup becomes master, the old master reboots and returns as backup.
Every step is timed and every phase of a failover is stamped on the chassis's timeline.
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from drivers.deadline import AbortableDeadline
from drivers.errors import ConnectionFailed, ConnectionLost, Timeout
from harness.errors import NotInSync, PhaseTimeout, ProcedureFailed
from harness.lab.chassis import SSH, Chassis
from harness.procedures.sync import (
    BACKUP_DOWN,
    CHECKPOINT_STALLED,
    CHECKPOINTING_NOT_DONE,
    INCOMPATIBLE_SOFTWARE,
    SYNCHRONIZE_REFUSED,
    GaveUp,
    SyncVerdict,
    backup_in_sync,
    check_sync,
    checkpoint_progress,
    lasting,
    stalled_checkpoint,
    wait_for_status,
)
from harness.reporting import timeline as ev

FAILOVER_SPELLINGS = ("run msm-failover", "run failover")


@dataclass(frozen=True)
class Step:
    """One step of a procedure as the report's step table shows it."""

    name: str
    started: float
    duration: float  # wall seconds; reports show lab seconds (:meth:`lab_seconds`)
    outcome: str
    mono: float | None = None  # monotonic time it began

    def lab_seconds(self, timeline) -> float:
        """Its length on the timeline's lab clock (the emulator's on a virtual chassis), so a
        step's figure means what the phases' figures mean."""
        if self.mono is None:
            return self.duration * timeline.lab_per_second
        return timeline.lab(self.mono + self.duration) - timeline.lab(self.mono)


@dataclass
class ProcedureOutcome:
    """What the whole procedure did and concluded."""

    verdict: SyncVerdict
    steps: list[Step] = field(default_factory=list)
    failover: FailoverOutcome | None = None
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


class SynchronizeRefused(ProcedureFailed):
    """The master answered ``synchronize`` with an error; ``answer`` is the device's line."""

    def __init__(self, master: str, answer: str):
        super().__init__(f"synchronize refused by {master}: {answer}")
        self.master, self.answer = master, answer

    def __reduce__(self):
        return (type(self), (self.master, self.answer))


class StepRecorder:
    """Times steps into a list of :class:`Step`."""

    def __init__(self, steps: list[Step]):
        self.steps = steps

    def run(self, name: str, action, describe=str):
        started, t0 = time.time(), time.monotonic()
        try:
            result = action()
        except Exception as error:
            self.steps.append(Step(name, started, time.monotonic() - t0, f"failed: {error}", t0))
            raise
        self.steps.append(Step(name, started, time.monotonic() - t0, describe(result), t0))
        return result


def synchronize(chassis: Chassis, identical: bool = True) -> SyncVerdict:
    """Run ``synchronize`` on the master and wait until the backup is back ``In Sync``.

    ``identical``: the backup must then boot the master's version too (False when the master
    selected a new image it has not booted yet: the backup boots that one).
    """
    verdict = check_sync(chassis)
    if verdict.cause == BACKUP_DOWN:
        raise NotInSync(f"{verdict.cause}: {verdict.detail}")
    chassis.timeline.mark(ev.SYNCHRONIZE_SENT, f"on {verdict.master}")
    result = chassis.run(SSH, "synchronize", what="command")
    if result.failed:
        raise SynchronizeRefused(verdict.master, result.error or result.output.strip())
    backup = verdict.backup
    master = verdict.master  # its console logs each change of the backup
    wait_for_status(
        chassis,
        lambda s: not backup_in_sync(backup)(s),
        chassis.deadline("backup_reboot_starts"),
        f"{backup} leaving sync for its synchronize reboot",
        listen=master,
    )
    chassis.timeline.mark(ev.BACKUP_REBOOTING, backup)
    absent = lasting(
        lambda s: None if s.msm(backup).present else f"{backup} absent (removed or powered off)",
        chassis.window("backup_absent"),
    )
    bar = chassis.progress.bar("synchronize: bulk checkpoint", 100, "%")
    try:
        wait_for_status(
            chassis,
            backup_in_sync(backup),
            chassis.deadline("synchronize"),
            f"{backup} back as BACKUP (In Sync) after synchronize",
            give_up=absent,
            phase=ev.BACKUP_IN_SYNC,
            listen=master,
            detail=checkpoint_progress(chassis, bar),
        )
    except GaveUp as error:
        raise ProcedureFailed(
            f"{error}; synchronize failed: seat and power {backup}, then run synchronize again"
        ) from None
    finally:
        if bar is not None:
            bar.close()
    chassis.timeline.mark(ev.BACKUP_IN_SYNC, backup)
    after = check_sync(chassis)
    if identical and not after.identical_software:
        raise ProcedureFailed(f"after synchronize {backup} does not run the master's images: {after.status.describe()}")
    return after


def failover(chassis: Chassis, force: bool = False, until_in_sync: bool = True) -> FailoverOutcome:
    """Fail over from the master to the backup and follow every phase to ``In Sync``.

    ``until_in_sync=False``: the old master comes back as a bare ``BACKUP`` (it runs a release
    the new master cannot checkpoint to, after ``force``); wait for that instead.
    """
    verdict = check_sync(chassis)
    if not verdict.in_sync and not force:
        raise NotInSync(f"{verdict.cause}: {verdict.detail}; failover not attempted")
    old, new = verdict.master, verdict.backup
    for where in (old, new, SSH):
        chassis.session(where)  # all three logged in before anything moves
    command = _send_failover(chassis, old, force)
    _watch_phases(
        chassis,
        (new_master_answers, chassis, new),
        (management_back, chassis, new),
        (old_master_at_login, chassis, old),
    )
    if until_in_sync:
        wait_for_status(
            chassis,
            backup_in_sync(old),
            chassis.deadline("in_sync"),
            f"{old} back as BACKUP (In Sync)",
            listen=new,  # its console logs the change
            detail=checkpoint_progress(chassis),
        )
        chassis.timeline.mark(ev.BACKUP_IN_SYNC, old)
    else:
        wait_for_status(chassis, lambda s: s.backup == old, chassis.deadline("in_sync"), f"{old} back as BACKUP")
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


def _watch_phases(chassis: Chassis, *watchers) -> None:
    """Run each ``(function, *args)`` watcher at once, so each phase is noticed when it happens.

    The first failure is raised; the other watchers are told to stop (``abort``) and waited
    for, so nothing outlives the procedure, also when the run is interrupted.
    """
    abort = threading.Event()
    pool = ThreadPoolExecutor(max_workers=len(watchers))
    try:
        futures = [pool.submit(fn, *args, abort=abort) for fn, *args in watchers]
        wait(futures, return_when=FIRST_EXCEPTION)
        failed = [error for f in futures if f.done() and (error := f.exception()) is not None]
        if failed:
            raise failed[0]
    finally:
        abort.set()
        pool.shutdown(wait=True)


def new_master_answers(chassis: Chassis, new: str, abort: threading.Event | None = None) -> None:
    """Wait on ``new``'s console until it answers as MASTER; give up at once if it is in FAIL."""

    def failed(status) -> str | None:
        msm = status.msm(new)
        return (
            (
                f"{new} is in FAIL instead of MASTER: it failed while taking over; its console "
                "log says why, reboot or replace it"
            )
            if msm is not None and msm.state == "FAIL"
            else None
        )

    wait_for_status(
        chassis,
        lambda s: s.master == new,
        chassis.deadline("failover"),
        f"{new} answering as MASTER on its console",
        where=new,
        give_up=failed,
        phase=ev.NEW_MASTER_ANSWERING,
        abort=abort,
    )
    chassis.timeline.mark(ev.NEW_MASTER_ANSWERING, new)


def management_back(chassis: Chassis, new: str, abort: threading.Event | None = None) -> None:
    """Wait until management SSH reaches ``new`` as MASTER."""
    wait_for_status(
        chassis,
        lambda s: s.master == new,
        chassis.deadline("failover"),
        f"management SSH reaching {new}",
        phase=ev.MANAGEMENT_SSH_BACK,
        abort=abort,
    )
    chassis.timeline.mark(ev.MANAGEMENT_SSH_BACK, new)


def old_master_at_login(chassis: Chassis, old: str, abort: threading.Event | None = None) -> None:
    """Wait on ``old``'s console for the boot to end at ``login:`` and log in again; stop
    within a read when ``abort`` is set (another phase failed, or the run is interrupted)."""
    deadline = chassis.deadline("boot")
    try:
        chassis.wait_for_login(old, AbortableDeadline.within(deadline, abort) if abort else deadline)
    except (Timeout, ConnectionLost, ConnectionFailed) as error:
        if abort is not None and abort.is_set():
            raise ProcedureFailed(
                f"chassis {chassis.name}: stopped waiting for {old} at login: another phase failed"
            ) from None
        if not isinstance(error, Timeout):
            raise
        raise PhaseTimeout(
            f"chassis {chassis.name}: {old} did not come back to login: within the "
            f"{deadline.seconds:g} s boot deadline (phase '{ev.OLD_MASTER_AT_LOGIN}'); "
            f"{error}"
        ) from None
    chassis.timeline.observe(old, ev.AT_LOGIN)  # its lane: booted, whatever show switch says later
    chassis.timeline.mark(ev.OLD_MASTER_AT_LOGIN, old)


def relinquish_primary(chassis: Chassis, force: bool = False) -> ProcedureOutcome:
    """The whole manual procedure with every branch; never fails over a chassis not in sync."""
    steps = StepRecorder(chassis.steps)
    verdict = steps.run("show switch: are the nodes in sync", lambda: check_sync(chassis))
    outcome = ProcedureOutcome(verdict, steps.steps)
    if verdict.cause == CHECKPOINTING_NOT_DONE:
        verdict = steps.run("wait for the bulk checkpoint", lambda: _await_checkpoint(chassis, verdict))
    if verdict.cause == INCOMPATIBLE_SOFTWARE:
        try:
            verdict = steps.run("synchronize", lambda: synchronize(chassis))
            outcome.synchronized = True
        except SynchronizeRefused as refused:
            verdict = cannot_synchronize(verdict, refused.answer)
    outcome.verdict = verdict
    if not verdict.in_sync:
        outcome.conclusion = f"{verdict}; failover not attempted"
        return outcome
    outcome.failover = steps.run(
        "run failover",
        lambda: failover(chassis, force),
        lambda f: f"{f.command}: {f.new_master} MASTER, {f.old_master} BACKUP (In Sync)",
    )
    outcome.completed = True
    outcome.conclusion = (
        f"failover done: {outcome.failover.new_master} is MASTER, {outcome.failover.old_master} is BACKUP (In Sync)"
    )
    return outcome


def cannot_synchronize(verdict: SyncVerdict, answer: str) -> SyncVerdict:
    """Step 2 is not for these nodes: the master refused ``synchronize`` (the manual's condition:
    both nodes must run a release that supports it). The verdict names both releases, quotes the
    device's answer and says what to do on the MSM the answer names, master or backup; the
    harness never guesses it from version numbers."""
    runs = {
        slot: getattr(verdict.status.msm(slot), "booted_version", None) for slot in (verdict.master, verdict.backup)
    }
    releases = ", ".join(f"{slot} runs {version or 'an unknown release'}" for slot, version in runs.items())
    named = [slot for slot in runs if re.search(rf"\b{re.escape(slot)}\b", answer)]
    onto = (
        f"onto {named[0]}{' (the master)' if named[0] == verdict.master else ''}"
        if len(named) == 1
        else "onto the MSM whose release does not support it (the answer does not say which)"
    )
    detail = (
        f"{releases}; {verdict.master} answered {answer!r}; load a release that supports synchronize "
        f"{onto} ('download image', then 'use image' and reboot it), then run step 2 (synchronize) again"
    )
    return SyncVerdict(False, SYNCHRONIZE_REFUSED, detail, verdict.master, verdict.backup, verdict.status)


def _await_checkpoint(chassis: Chassis, verdict: SyncVerdict) -> SyncVerdict:
    """Bulk checkpointing may still be running: give it the lab time, then judge again.

    A process whose percentage does not move for the stall window is stalled: the verdict
    says so at once instead of waiting out the deadline.
    """
    try:
        wait_for_status(
            chassis,
            backup_in_sync(verdict.backup),
            chassis.deadline("in_sync"),
            f"{verdict.backup} completing its bulk checkpoint",
            give_up=stalled_checkpoint(chassis, chassis.window("checkpoint_stall")),
            detail=checkpoint_progress(chassis),
        )
    except GaveUp as stalled:
        return SyncVerdict(False, CHECKPOINT_STALLED, stalled.reason, verdict.master, verdict.backup, verdict.status)
    except Timeout:
        pass  # the verdict below names the process that is behind
    return check_sync(chassis)
