"""Benchmark 4: the manual's sync-and-failover procedure at the default speed factor, and how
long after each state change in the emulator (its event log) the harness noticed it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bench.common import Row, limit_row, ms, timed
from harness.lab.access import LabChassis
from harness.procedures.failover import relinquish_primary
from harness.procedures.sync import wait_for_status
from harness.reporting import timeline as ev
from harness.reporting.timeline import Timeline
from harness.testbed.schema import VirtualOptions, virtual_spec

PROCEDURE_LIMIT = 5.0  # seconds at the default speed factor
EMULATOR_DEFAULT_SPEED = 100.0  # python -m virtual_chassis without --speed (plan runs use more)
LAG_LIMIT = 0.100  # seconds from a state change to the harness noticing it
OLDER_RELEASE = "12.3.4.2"  # another major.minor: the backup needs synchronize
#: Timeline event -> the emulator state change it reports (on the MSM named in its detail).
NOTICES = {
    ev.OLD_MASTER_REBOOTING: "DOWN",
    ev.NEW_MASTER_ANSWERING: "MASTER",
    ev.MANAGEMENT_SSH_BACK: "MASTER",
    ev.OLD_MASTER_AT_LOGIN: "STANDBY",
    ev.BACKUP_IN_SYNC: "BACKUP (In Sync)",
    ev.BACKUP_REBOOTING: "DOWN",
}


@dataclass(frozen=True)
class Lag:
    """A timeline event, the emulator change it reports and how much later it was noticed."""

    event: str
    msm: str
    offset: float  # seconds from the start of the timeline
    change: str
    lag: float | None  # None: no such change in the emulator's log


def detection_lags(timeline: Timeline, changes: list[dict]) -> list[Lag]:
    """For each event of ``timeline``: the last change of the emulator's event log
    (``{"t", "msm", "to"}``) it reports, before it, and the time between the two (events that
    report no state change get ``lag`` None and ``change`` "")."""
    lags, start = [], timeline.events[0].wall if timeline.events else 0.0
    for event in timeline.events:
        state = NOTICES.get(event.name)
        before = [
            c for c in changes if state and c["msm"] == event.detail and c["to"] == state and c["t"] <= event.wall
        ]
        lag = event.wall - before[-1]["t"] if before else None
        change = f"{event.detail} -> {state}" if state else ""
        lags.append(Lag(event.name, event.detail, event.wall - start, change, lag))
    return lags


#: The note a session writes in its transcript for each command it sends.
_COMMAND_NOTE = re.compile(r"^\S+ # run '(?P<command>[^']*)'", re.M)
SESSIONS = ("ssh", "MSM-A", "MSM-B")


@dataclass(frozen=True)
class Sent:
    """Commands the harness sent during a run, counted in the sessions' transcripts."""

    commands: int
    show_switch: int


def _sent_since(chassis, marks: dict[str, int]) -> Sent:
    names = [
        m["command"]
        for where, mark in marks.items()
        for m in _COMMAND_NOTE.finditer(chassis.transcript_since(where, mark))
    ]
    return Sent(len(names), sum(1 for name in names if name == "show switch"))


def _run(lab: LabChassis) -> tuple[float, list[Lag], Timeline, Sent]:
    chassis = lab.chassis
    chassis.timeline, chassis.steps = Timeline(), []
    marks = {where: chassis.transcript_mark(where) for where in SESSIONS}
    seconds, outcome = timed(lambda: relinquish_primary(chassis))
    if not outcome.completed:
        raise RuntimeError(f"the procedure did not complete: {outcome.conclusion}")
    sent = _sent_since(chassis, marks)
    return seconds, detection_lags(chassis.timeline, chassis.control.events()), chassis.timeline, sent


def _incompatible_backup(lab: LabChassis) -> None:
    """Load another release onto the backup and wait until it is back (not part of the timing)."""
    chassis = lab.chassis
    backup = chassis.learn_roles().backup
    chassis.control.set_version(backup, OLDER_RELEASE)
    wait_for_status(
        chassis,
        lambda s: s.msm(backup).state == "BACKUP" and s.msm(backup).booted_version == OLDER_RELEASE,
        chassis.deadline("boot"),
        f"{backup} booting {OLDER_RELEASE}",
    )


def procedure_rows(work: Path) -> tuple[list[Row], str]:
    """Rows for the in-sync and the synchronize branch; a Markdown timeline of each."""
    lab = LabChassis(virtual_spec("bench-procedure", VirtualOptions(speed=EMULATOR_DEFAULT_SPEED)), work)
    rows, timelines = [], []
    try:
        lab.ensure_baseline()
        for branch, prepare in (
            ("in sync -> failover", None),
            ("incompatible -> synchronize -> failover", _incompatible_backup),
        ):
            if prepare:
                prepare(lab)
            seconds, lags, timeline, sent = _run(lab)
            rows.append(limit_row("4", f"procedure, {branch}: wall time", seconds, PROCEDURE_LIMIT))
            rows.append(count_row("4", f"procedure, {branch}: commands sent (all sessions; show switch of them)", sent))
            for lag in (lag for lag in lags if lag.change):
                rows.append(
                    limit_row(
                        "4",
                        f"{branch}: lag, {lag.event} ({lag.change})",
                        lag.lag if lag.lag is not None else float("nan"),
                        LAG_LIMIT,
                        fmt=ms,
                    )
                )
            timelines.append(timeline_table(branch, timeline, lags))
    finally:
        lab.close()
    return rows, "\n\n".join(timelines)


def timeline_table(branch: str, timeline: Timeline, lags: list[Lag]) -> str:
    """The timeline of one run with the lag of each event that reports a state change."""
    lines = [f"Timeline, {branch}:", "", "| at | event | detail | emulator change | lag |", "|---|---|---|---|---|"]
    for phase, lag in zip(timeline.phases(), lags, strict=False):
        lines.append(
            f"| {phase.offset:.3f} s | {phase.name} | {phase.detail} | {lag.change} | "
            f"{ms(lag.lag) if lag.change else ''} |"
        )
    return "\n".join(lines)


def count_row(section: str, measure: str, sent: Sent) -> Row:
    """Commands sent, with how many were ``show switch`` polls (no target: fewer is better)."""
    return Row(section, measure, f"{sent.commands} ({sent.show_switch})", "—", "—", "—", "—", "")
