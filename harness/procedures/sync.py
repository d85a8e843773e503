"""Step 1 of the manual: is the backup in sync with the master, and if not, why not."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from drivers.errors import ConnectionLost, DeviceRebooted, Timeout
from harness.errors import ChassisUnavailable, ParseError, PhaseTimeout, ProcedureFailed
from harness.lab.chassis import SSH, Chassis
from harness.parsers import SwitchStatus, compatible, other_msm, parse_show_checkpoint_data
from harness.procedures.polling import PollPacer

BACKUP_DOWN = "backup down"
INCOMPATIBLE_SOFTWARE = "incompatible software"
CHECKPOINTING_NOT_DONE = "checkpointing not done"
CHECKPOINT_STALLED = "checkpoint stalled"

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
    cause: str | None  # BACKUP_DOWN, INCOMPATIBLE_SOFTWARE, CHECKPOINTING_NOT_DONE, CHECKPOINT_STALLED
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


def check_sync(chassis: Chassis, where: str = SSH) -> SyncVerdict:
    """Read ``show switch`` (and ``show checkpoint-data`` when needed) and judge the sync state."""
    return judge(chassis.learn_roles(where), lambda: checkpoint_lag(chassis, where))


def judge(status: SwitchStatus, lag: Callable[[], str]) -> SyncVerdict:
    """The verdict for a parsed ``show switch`` that has a master; ``lag`` names a stalled process."""
    master = status.master
    backup = other_msm(master)
    b, m = status.msm(backup), status.msm(master)
    if b is None or b.state != "BACKUP":
        state = b.state if b is not None and b.state else "absent or powered off"
        return SyncVerdict(False, BACKUP_DOWN, f"{backup} is {state}", master, backup, status)
    if b.in_sync:
        return SyncVerdict(True, None, "", master, backup, status)
    if not compatible(m.booted_version, b.booted_version):
        detail = (
            f"{master} runs {m.booted_version}, {backup} runs {b.booted_version} "
            "(different major.minor: no checkpointing)"
        )
        return SyncVerdict(False, INCOMPATIBLE_SOFTWARE, detail, master, backup, status)
    return SyncVerdict(False, CHECKPOINTING_NOT_DONE, lag(), master, backup, status)


def first_unfinished(chassis: Chassis, where: str = SSH) -> tuple[str, int] | None:
    """(process, percent) of the first process whose bulk checkpoint is not complete, or None."""
    records = parse_show_checkpoint_data(chassis.run(where, "show checkpoint-data", check=True).output)
    return next(((r.process, r.percent) for r in records if r.percent < 100), None)


def checkpoint_lag(chassis: Chassis, where: str = SSH) -> str:
    """Name the first process whose bulk checkpoint is not complete, in dependency order."""
    lag = first_unfinished(chassis, where)
    if lag is None:
        return "bulk checkpoint complete but the backup is not yet In Sync"
    return f"checkpoint of {lag[0]} at {lag[1]} %"


def stalled_checkpoint(chassis: Chassis, window: float, where: str = SSH) -> GiveUp:
    """A give-up test: the first unfinished process's percentage has not moved for ``window`` s."""
    seen: list = [None, time.monotonic()]  # (process, percent), since when

    def check(status: SwitchStatus) -> str | None:
        lag, now = first_unfinished(chassis, where), time.monotonic()
        if lag != seen[0]:
            seen[:] = [lag, now]
        elif lag is not None and now - seen[1] >= window:
            return f"checkpoint of {lag[0]} stalled at {lag[1]} %"
        return None

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
) -> SwitchStatus:
    """Poll ``show switch`` on ``where`` until ``done(status)``; reconnect across drops; fail at
    the deadline.

    Polls are paced by :class:`~harness.procedures.polling.PollPacer`: further apart while the
    state stays the same (each ``show switch`` costs a real MSM's CPU). Between polls it
    listens to the session ``listen`` (default ``where``): what that console prints (the log
    line of a state change) or an SSH link dropping brings the next poll forward, so a change
    is noticed when it is reported. Raises ``Timeout`` naming ``what`` and the last state seen (``PhaseTimeout`` naming the
    ``phase`` too when one is given), ``GaveUp`` as soon as ``give_up(status)`` gives a reason,
    and ``ProcedureFailed`` when ``abort`` is set (another phase already failed).
    """
    last, during = "nothing yet", f" (phase '{phase}')" if phase else ""
    pacer = PollPacer(chassis.access.time_scale)
    while True:
        try:
            status = chassis.show_switch(where)
            if done(status):
                return status
            last = chassis.describe(status)
            reason = give_up(status) if give_up else None
        except (ConnectionLost, DeviceRebooted, ParseError, ChassisUnavailable, Timeout) as error:
            last, reason = f"{type(error).__name__}: {error}", None
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
            error = PhaseTimeout if phase else Timeout
            raise error(
                f"chassis {chassis.name}: {what} did not happen within "
                f"{deadline.seconds:g} s{during}; last seen: {last}"
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
