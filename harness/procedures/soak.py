"""Failover soak: the manual's whole procedure N times in a row, as HA acceptance runs it.

Each cycle is :func:`~harness.procedures.failover.relinquish_primary` on a fresh timeline; the
roles alternate by themselves (the old master comes back as the backup and is the next cycle's
new master). Per cycle each phase's duration (takeover, SSH outage, old master boot, old master
back: from the event that starts it to the one that ends it, in the timeline's lab seconds, the
same figures as ``hil run``) is read from the timeline and checked against the same limits as
the plans (defaults, the testbed's ``limits:`` over them): a missed limit fails the cycle; a
failed cycle's transcript excerpt is written at once to ``cycle-NNN.log``. After a failed cycle
the chassis must come back to MASTER + BACKUP (In Sync) by itself within the lab's in-sync
time, else the soak stops there (fail closed) with the reason. Ctrl-C (``KeyboardInterrupt``)
records the cycle in progress as interrupted and ends the soak with what was measured.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import ChassisUnavailable, EmulatorCrashed, HilError
from harness.lab.chassis import Chassis
from harness.procedures.failover import relinquish_primary
from harness.procedures.sync import wait_for_status
from harness.reporting.limits import check_limits, limits_with
from harness.reporting.report import PlanRecord
from harness.reporting.timeline import Timeline

#: The phases a soak measures (spans of :data:`~harness.reporting.timeline.SPANS`).
PHASES = ("takeover", "SSH outage", "old master boot", "old master back")
#: How reports name them.
LABELS = {phase: phase for phase in PHASES}
PASSED, FAILED, INTERRUPTED = "passed", "failed", "interrupted"


@dataclass
class SoakCycle:
    """One run of the procedure: who was master before and after, phase times, verdict."""

    number: int
    started: float  # wall-clock time the cycle began
    old_master: str | None
    new_master: str | None = None
    durations: dict[str, float] = field(default_factory=dict)  # phase -> lab seconds, start to end
    verdict: str = ""
    outcome: str = INTERRUPTED  # PASSED, FAILED or INTERRUPTED
    elapsed: float = 0.0
    log: Path | None = None  # the failed cycle's transcript excerpt

    @property
    def passed(self) -> bool:
        return self.outcome == PASSED

    @property
    def name(self) -> str:
        return f"cycle-{self.number:03d}"


@dataclass(frozen=True)
class PhaseStats:
    """The distribution of one phase over the cycles that reached it."""

    phase: str
    count: int
    p50: float
    p95: float
    max: float


@dataclass
class SoakResult:
    """Everything a soak measured; ``stopped`` says why it ended before ``asked`` cycles."""

    chassis: str
    backend: str
    asked: int
    cycles: list[SoakCycle] = field(default_factory=list)
    stopped: str | None = None
    speed: float = 1.0  # lab seconds per wall second: 1 on hardware, the emulator's speed factor

    def speed_note(self) -> str:
        """How the figures were timed, for every report of the soak."""
        if self.speed == 1.0:
            return "times in seconds (wall clock of a real chassis)"
        return f"times in lab seconds (virtual chassis at speed {self.speed:g}: the emulator's clock)"

    @property
    def failed(self) -> list[SoakCycle]:
        return [c for c in self.cycles if c.outcome == FAILED]

    @property
    def passed(self) -> bool:
        """Every asked cycle ran and passed."""
        return self.stopped is None and len(self.cycles) == self.asked and not self.failed

    def statistics(self) -> list[PhaseStats]:
        """p50 / p95 / max of each phase, over every cycle that measured it."""
        return [
            phase_statistics(phase, [c.durations[phase] for c in self.cycles if phase in c.durations])
            for phase in PHASES
        ]

    def summary(self) -> str:
        """One line: cycles run and failed, and why it stopped early if it did."""
        text = f"{len(self.cycles)} of {self.asked} cycles run, {len(self.failed)} failed"
        if self.failed:
            text += f" ({', '.join(str(c.number) for c in self.failed)})"
        return text + (f"; stopped: {self.stopped}" if self.stopped else "")


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0..100), linear between the closest ranks (numpy's default,
    Hyndman and Fan type 7): p50 of 1, 2, 3, 4 is 2.5; NaN for no values."""
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} is not within 0..100")
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def phase_statistics(phase: str, values: Sequence[float]) -> PhaseStats:
    """p50, p95 and max of ``values`` (NaN when there are none)."""
    return PhaseStats(
        phase, len(values), percentile(values, 50), percentile(values, 95), max(values) if values else math.nan
    )


class Soak:
    """Runs the cycles of one soak on one chassis; ``result`` holds what was measured so far."""

    def __init__(
        self,
        chassis: Chassis,
        cycles: int,
        folder: Path,
        listeners: Iterable[Callable] = (),
        limits: dict[str, float] | None = None,
    ):
        if cycles < 1:
            raise ValueError(f"a soak needs at least 1 cycle, not {cycles}")
        self.chassis = chassis
        self.folder = Path(folder)
        self.listeners = list(listeners)
        self.limits = limits_with(limits)
        self.result = SoakResult(chassis.name, chassis.access.backend, cycles, speed=1.0 / chassis.access.time_scale)

    def run(self, after_cycle: Callable[[SoakCycle], None] | None = None) -> SoakResult:
        """Every cycle until ``asked`` or an unusable chassis; ``after_cycle`` sees each one.
        Ctrl-C between two cycles (while ``after_cycle`` writes the reports, say) is recorded too."""
        try:
            for number in range(len(self.result.cycles) + 1, self.result.asked + 1):
                if self.result.stopped:
                    break
                cycle = self.run_cycle(number)
                if after_cycle is not None:
                    after_cycle(cycle)
        except KeyboardInterrupt:
            count = len(self.result.cycles)
            self.result.stopped = self.result.stopped or f"interrupted (Ctrl-C) after cycle {count}"
            raise
        return self.result

    def run_cycle(self, number: int) -> SoakCycle:
        """One whole procedure; on failure its transcript is kept apart and the chassis checked."""
        chassis = self.chassis
        chassis.begin_plan(*self.listeners)
        record = PlanRecord.begin(chassis)
        cycle = SoakCycle(number, time.time(), chassis.master)
        self.result.cycles.append(cycle)
        t0 = time.monotonic()
        unusable = None
        try:
            outcome = relinquish_primary(chassis)
            cycle.outcome = PASSED if outcome.completed else FAILED
            cycle.verdict = outcome.conclusion
            cycle.new_master = outcome.failover.new_master if outcome.failover else None
        except (EmulatorCrashed, ChassisUnavailable) as error:
            cycle.outcome, cycle.verdict, unusable = FAILED, str(error), str(error)
        except HilError as error:
            cycle.outcome, cycle.verdict = FAILED, str(error)
        except KeyboardInterrupt:
            cycle.verdict = "interrupted (Ctrl-C)"
            self.result.stopped = f"interrupted (Ctrl-C) during cycle {number}"
            raise
        finally:
            cycle.elapsed = time.monotonic() - t0
            chassis.timeline.settle()
            cycle.durations = measured(chassis.timeline)
            missed = [r for r in check_limits(chassis.timeline, self.limits) if not r.met]
            if missed and cycle.outcome == PASSED:
                cycle.outcome = FAILED
                cycle.verdict = "phase limits missed (lab seconds): " + "; ".join(map(str, missed))
            if cycle.outcome != PASSED:
                cycle.log = self._keep_transcript(cycle, record)
        if cycle.outcome == FAILED:
            unusable = unusable or self.unusable()
            if unusable:
                self.result.stopped = f"chassis {chassis.name} no longer usable after cycle {number}: {unusable}"
        return cycle

    def unusable(self) -> str | None:
        """Why the chassis cannot run another cycle (no MASTER + BACKUP (In Sync) within the lab's
        in-sync time, an MSM in FAIL, the emulator gone), or None."""
        chassis = self.chassis
        try:
            wait_for_status(
                chassis,
                in_service,
                chassis.deadline("in_sync"),
                "a MASTER and a BACKUP (In Sync) again after the failed cycle",
                give_up=in_fail,
            )
        except HilError as error:
            return str(error)
        return None

    def _keep_transcript(self, cycle: SoakCycle, record: PlanRecord) -> Path:
        """Write the cycle's verdict, timeline and its part of the merged transcript to ``cycle-NNN.log``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{cycle.name}.log"
        lines = [f"{cycle.name} on {self.chassis.name}: {cycle.outcome}: {cycle.verdict}", "", "timeline:"]
        lines += [
            f"  {p.offset:9.3f} s  {p.name} {p.detail}{'  (' + p.ended() + ')' if p.ends else ''}"
            for p in self.chassis.timeline.phases()
        ]
        lines += ["", "transcript (MSM-A, MSM-B and SSH in time order):", *self.chassis.merged.since(record.mark)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


def measured(timeline: Timeline) -> dict[str, float]:
    """Lab seconds of each phase of :data:`PHASES` the cycle went through (its first occurrence)."""
    found: dict[str, float] = {}
    for span in timeline.spans():
        if span.name in PHASES:
            found.setdefault(span.name, span.seconds)
    return found


def in_service(status) -> bool:
    """A MASTER and a BACKUP (In Sync): the chassis can run a cycle."""
    backup = status.msm(status.backup) if status.backup else None
    return status.master is not None and backup is not None and backup.in_sync


def in_fail(status) -> str | None:
    """A give-up test: an MSM in FAIL must be rebooted or replaced by a person."""
    failed = [m.slot for m in status.msms.values() if m.state == "FAIL"]
    return f"{', '.join(failed)} in FAIL (reboot or replace it)" if failed else None
