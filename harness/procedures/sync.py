"""Step 1 of the manual: is the backup in sync with the master, and if not, why not."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from drivers.deadline import AbortableDeadline, Deadline
from drivers.errors import ConnectionFailed, ConnectionLost, DeviceRebooted, HostKeyChanged, Timeout
from harness.errors import ChassisUnavailable, HilError, ParseError, PhaseTimeout, ProcedureFailed
from harness.lab.chassis import SSH, Chassis
from harness.parsers import (
    MSM_NAMES,
    CheckpointRecord,
    SwitchStatus,
    compatible,
    other_msm,
    parse_show_checkpoint_data,
)
from harness.procedures import checkpoint
from harness.procedures.polling import PollPacer
from harness.reporting.timeline import SSH_DOWN, SSH_LANE

BACKUP_DOWN = "backup down"
INCOMPATIBLE_SOFTWARE = "incompatible software"
CHECKPOINTING_NOT_DONE = "checkpointing not done"
CHECKPOINT_STALLED = "checkpoint stalled"
NO_BACKUP = "no backup"
SYNCHRONIZE_REFUSED = "synchronize refused"  # step 2 answered with an error (a release that cannot)
NOT_DUAL_MSM = "not a dual-MSM chassis"  # a stack (Slot-1, Slot-2) or any other shape of show switch
NO_MASTER = "no master"

#: A test on a parsed ``show switch``: the reason to stop waiting, or None to go on.
GiveUp = Callable[[SwitchStatus], "str | None"]


class GaveUp(ProcedureFailed):
    """``wait_for_status`` stopped before its deadline because its ``give_up`` test said why."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason

    def __reduce__(self):
        return (type(self), (str(self), self.reason))


@dataclass(frozen=True)
class SyncVerdict:
    """The answer to the manual's step 1, with the reason when the nodes are not in sync."""

    in_sync: bool
    cause: str | None  # BACKUP_DOWN, INCOMPATIBLE_SOFTWARE, CHECKPOINTING_NOT_DONE, CHECKPOINT_STALLED,
    # NO_BACKUP, SYNCHRONIZE_REFUSED
    detail: str
    master: str
    backup: str
    status: SwitchStatus

    @property
    def identical_software(self) -> bool:
        m, b = self.status.msm(self.master), self.status.msm(self.backup)
        return b is not None and (m.primary_version, m.secondary_version, m.booted_version) == (
            b.primary_version,
            b.secondary_version,
            b.booted_version,
        )

    def __str__(self) -> str:
        if self.in_sync:
            return f"in sync: {self.master} MASTER, {self.backup} BACKUP (In Sync)"
        if self.cause == CHECKPOINT_STALLED:
            return f"not in sync: {self.detail}"  # "checkpoint of <process> stalled at <n> %"
        return f"not in sync: {self.cause}: {self.detail}"


def check_sync(chassis: Chassis, where: str = SSH, detail: bool = False) -> SyncVerdict:
    """Read ``show switch`` (``show switch detail`` with ``detail``; and ``show checkpoint-data``
    when needed) and judge the sync state."""
    return judge(chassis.learn_roles(where, detail), lambda: checkpoint_lag(chassis, where))


def judge(status: SwitchStatus, lag: Callable[[], str]) -> SyncVerdict:
    """The verdict for any parsed ``show switch``, never an exception; ``lag`` names a stalled
    process."""
    if status.single_node:
        node = status.master or ""
        detail = f"{node or 'the switch'} is a single node (Current State: OPERATIONAL), nothing to synchronize with"
        return SyncVerdict(False, NO_BACKUP, detail, node, "", status)
    others = sorted(set(status.msms) - set(MSM_NAMES))
    if others:
        detail = (
            f"show switch lists {', '.join(sorted(status.msms))} ({status.describe()}), not the two MSMs MSM-A "
            "and MSM-B of an 8800 chassis; point the testbed at the chassis's management address"
        )
        return SyncVerdict(False, NOT_DUAL_MSM, detail, status.master or "", status.backup or "", status)
    master = status.master
    if master is None:
        detail = f"no MSM reports MASTER ({status.describe() or 'no MSM listed'}); the sync state cannot be judged"
        return SyncVerdict(False, NO_MASTER, detail, "", "", status)
    backup = other_msm(master)
    b, m = status.msm(backup), status.msm(master)
    if b.state != "BACKUP":
        return SyncVerdict(
            False, BACKUP_DOWN, f"{backup} is {b.state or 'absent or powered off'}", master, backup, status
        )
    if b.in_sync:
        return SyncVerdict(True, None, "", master, backup, status)
    if not (m.booted_version and b.booted_version and compatible(m.booted_version, b.booted_version)):
        detail = (
            f"{master} runs {m.booted_version}, {backup} runs {b.booted_version} "
            "(different major.minor: no checkpointing)"
        )
        return SyncVerdict(False, INCOMPATIBLE_SOFTWARE, detail, master, backup, status)
    return SyncVerdict(False, CHECKPOINTING_NOT_DONE, lag(), master, backup, status)


def checkpoint_records(chassis: Chassis, where: str = SSH) -> list[CheckpointRecord]:
    """``show checkpoint-data`` on ``where``, parsed."""
    return parse_show_checkpoint_data(chassis.run(where, "show checkpoint-data", check=True).output)


def first_unfinished(chassis: Chassis, where: str = SSH) -> tuple[str, int] | None:
    """(process, percent) of the first process with bulk checkpoint work left, or None.

    An idle process (0 % with status OK, nothing to send) is not unfinished.
    """
    late = checkpoint.behind(checkpoint_records(chassis, where))
    return (late.process, late.percent) if late else None


def checkpoint_lag(chassis: Chassis, where: str = SSH) -> str:
    """Name the process the bulk checkpoint waits for (or one the device reports in trouble)."""
    return checkpoint.lag(checkpoint_records(chassis, where))


def checkpoint_progress(chassis: Chassis, bar=None, where: str = SSH) -> Callable[[], str]:
    """A heartbeat's detail: how far the bulk checkpoint is (``bulk checkpoint 62 %, fdb at 40 %``);
    moves ``bar`` (a :class:`harness.reporting.progress.Bar`) to the overall percentage."""

    def detail() -> str:
        try:
            records = parse_show_checkpoint_data(chassis.run(where, "show checkpoint-data", check=True).output)
        except HilError as error:
            return f"no checkpoint data ({type(error).__name__})"
        if not records:
            return "no checkpoint data"
        percent = checkpoint.overall(records)
        if bar is not None:
            bar.show(percent)
        late = checkpoint.behind(records)
        return f"bulk checkpoint {percent:.0f} %" + (f", {late.process} at {late.percent} %" if late else "")

    return detail


def stalled_checkpoint(chassis: Chassis, window: float, where: str = SSH) -> GiveUp:
    """A give-up test: the device reports a process in trouble, or the bulk checkpoint's progress
    has not moved for ``window`` s (see :class:`harness.procedures.checkpoint.StallWatch`)."""
    watch = checkpoint.StallWatch(window)

    def check(status: SwitchStatus) -> str | None:
        return watch.see(checkpoint_records(chassis, where))

    return check


def lasting(condition: GiveUp, window: float) -> GiveUp:
    """A give-up test: ``condition``'s reason once it has held at every poll for ``window`` s."""
    since: list[float] = []

    def check(status: SwitchStatus) -> str | None:
        reason = condition(status)
        if reason is None:
            since.clear()
            return None
        since[:] = since or [time.monotonic()]
        return f"{reason} for {window:g} s" if time.monotonic() - since[0] >= window else None

    return check


def wait_for_status(
    chassis: Chassis,
    done: Callable[[SwitchStatus], bool],
    deadline,
    what: str,
    where: str = SSH,
    give_up: GiveUp | None = None,
    phase: str | None = None,
    abort: threading.Event | None = None,
    listen: str | None = None,
    detail: Callable[[], str] | None = None,
) -> SwitchStatus:
    """Poll ``show switch`` on ``where`` until ``done(status)``; reconnect across drops; fail at
    the deadline.

    Polls are paced by :class:`~harness.procedures.polling.PollPacer`: further apart while the
    state stays the same (each ``show switch`` costs a real MSM's CPU). Between polls it
    listens to the session ``listen`` (default ``where``): what that console prints (the log
    line of a state change) or an SSH link dropping brings the next poll forward, so a change
    is noticed when it is reported. Raises ``Timeout`` naming ``what`` and the last state seen (``PhaseTimeout`` naming the
    ``phase`` too when one is given), ``GaveUp`` as soon as ``give_up(status)`` gives a reason,
    and ``ProcedureFailed`` when ``abort`` is set (another phase already failed). While it waits,
    ``chassis.progress`` gets a heartbeat with the last state seen (and ``detail()``, e.g. how
    far the bulk checkpoint is).
    """
    try:
        return _poll(chassis, done, deadline, what, where, give_up, phase, abort, listen, detail)
    finally:
        chassis.progress.done(what)


def _poll(chassis, done, deadline, what, where, give_up, phase, abort, listen, detail) -> SwitchStatus:
    last, during, since = "nothing yet", f" (phase '{phase}')" if phase else "", time.monotonic()
    deadline = Deadline.of(deadline)
    pacer = PollPacer(chassis.access.time_scale)
    while True:
        try:  # one poll never runs past the phase's deadline, nor past an abort
            status = chassis.show_switch(where, within=AbortableDeadline.within(deadline, abort) if abort else deadline)
            if done(status):
                return status
            last = status.describe()
            reason = give_up(status) if give_up else None
        except HostKeyChanged:
            raise
        except (ConnectionLost, ConnectionFailed, DeviceRebooted, ParseError, ChassisUnavailable, Timeout) as error:
            last, reason = f"{type(error).__name__}: {error}", None
            if where == SSH and not isinstance(error, ParseError):
                chassis.timeline.observe(SSH_LANE, SSH_DOWN)
        if reason:
            raise GaveUp(
                f"chassis {chassis.name}: gave up waiting for {what}{during} (deadline "
                f"{deadline.seconds:g} s): {reason}; last seen: {last}",
                reason,
            )
        if abort is not None and abort.is_set():
            raise ProcedureFailed(f"chassis {chassis.name}: stopped waiting for {what}: another phase failed")
        wait = pacer.polled(last)
        if deadline.remaining() <= pacer.floor:
            late: type[Timeout] = PhaseTimeout if phase else Timeout
            raise late(
                f"chassis {chassis.name}: {what} did not happen within "
                f"{deadline.seconds:g} s{during}; last seen: {last}"
            )
        chassis.progress.heartbeat(
            what, since, deadline.seconds, lambda shown=last: f"{shown}; {detail()}" if detail else shown
        )
        wait = min(wait, deadline.remaining() - pacer.floor)  # one more poll before the deadline
        if chassis.wait_for_output(listen or where, wait):
            time.sleep(pacer.until_floor())  # pacing: never two polls closer than the floor


def backup_in_sync(backup: str) -> Callable[[SwitchStatus], bool]:
    """A predicate: ``backup`` shows ``BACKUP (In Sync)``."""

    def done(status: SwitchStatus) -> bool:
        msm = status.msm(backup)
        return msm is not None and msm.state == "BACKUP" and msm.in_sync

    return done
