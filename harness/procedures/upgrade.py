"""Firmware upgrade procedures on both MSMs, the way the NETGEAR 8800 manual and Extreme's hitless
upgrade outline give them (device reference §7):

* :func:`upgrade_through_backup`: install the new image on the inactive partition of the
  backup, select it, reboot only the backup, wait for ``BACKUP (In Sync)``, fail over, do the
  same on the new backup. A release of another major.minor cannot come back in sync: the
  procedure says so, uses ``run failover force`` and records that the upgrade was not hitless.
* :func:`upgrade_master_and_synchronize`: install on the master, select it, ``synchronize``,
  reboot both.
* :func:`rollback`: select the previous partition on both MSMs, reboot, the old version runs.
* :func:`install`: one ``download image`` (install right after) and the switch's verdict; a
  refused image must leave both MSMs as they were.

Every download, install, reboot and sync is a timed step (``chassis.steps``) and stamps the
timeline as it goes, so the terminal (``-v``) and the reports show progress and durations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from drivers.dialogs import dialog
from harness.errors import NotInSync, ProcedureFailed
from harness.firmware.state import FirmwareState, ImageVerdict, refusal
from harness.lab.chassis import MSMS, SSH, Chassis
from harness.parsers import SwitchStatus, compatible
from harness.procedures.failover import StepRecorder, failover, synchronize
from harness.procedures.sync import INCOMPATIBLE_SOFTWARE, SyncVerdict, check_sync, wait_for_status
from harness.reporting.timeline import SSH_LANE

INSTALL_NOW = dialog(
    r"Do you want to install image after downloading\? \(y - yes, n - no, <cr> - cancel\)",
    "y",
    "download image: install right after the download",
)
DOWNLOAD_SENT = "download sent"
IMAGE_INSTALLED = "image installed"
IMAGE_REFUSED = "image refused"
IMAGE_SELECTED = "image selected"
REBOOT_SENT = "reboot sent"


@dataclass(frozen=True)
class ImageSource:
    """An image on the harness's TFTP server: where the switch fetches it, the version it carries."""

    host: str
    file: str
    version: str
    vr: str = "VR-Mgmt"
    served: Callable[[], None] | None = field(default=None, compare=False, repr=False)
    """Raises when the server of the image stopped (a failed download is then not the image's)."""

    def download(self, partition: str | None = None, msm: str | None = None) -> str:
        """``download image <host> <file> vr <vr> {partition} {msm <slot>}``."""
        words = ["download image", self.host, self.file, "vr", self.vr]
        words += [partition] if partition else []
        words += ["msm", msm[-1]] if msm else []
        return " ".join(words)


@dataclass
class UpgradeOutcome:
    """What an upgrade (or rollback) started from, ended with, and whether traffic kept flowing."""

    version: str
    before: FirmwareState
    after: FirmwareState | None = None
    hitless: bool = True
    notes: list[str] = field(default_factory=list)


class ImageRefused(ProcedureFailed):
    """The switch refused an image the procedure needed; ``verdict`` names the reason."""

    def __init__(self, source: ImageSource, verdict: ImageVerdict):
        self.verdict = verdict
        super().__init__(
            f"the switch refused {source.file} ({source.version}): {verdict}; check that "
            "the file on the TFTP server is the release named in the testbed"
        )


def firmware_state(chassis: Chassis) -> FirmwareState:
    """Both MSMs' images and roles, from ``show switch`` (roles learned anew)."""
    return FirmwareState.of(chassis.learn_roles())


def install(
    chassis: Chassis, source: ImageSource, msm: str | None = None, partition: str | None = None
) -> ImageVerdict:
    """``download image`` on the master for ``msm`` (None: every MSM that runs), installing at once.

    Accepted means the switch printed no refusal and ``show switch`` shows the version in the
    partition (given, else each MSM's inactive one).
    """
    before = firmware_state(chassis)
    targets = [msm] if msm else [slot for slot in (before.master, before.backup) if slot]
    chassis.timeline.mark(DOWNLOAD_SENT, f"{source.file} ({source.version}) for {', '.join(targets)}")
    waited = chassis.deadline("download")
    last = lambda: chassis.merged.last_line(SSH_LANE)  # noqa: E731 - what the download printed last
    with chassis.progress.waiting(f"download image {source.file}", waited.seconds, last, bar=True):
        result = chassis.run(SSH, source.download(partition, msm), what="download", answers=(INSTALL_NOW,))
    verdict = refusal(f"{result.output}\n{result.error or ''}")
    if verdict is not None and source.served is not None:
        source.served()  # a TFTP server that died is its own verdict, not the image's refusal
    if verdict is None and result.error and result.error.startswith("%"):
        raise ProcedureFailed(f"the switch does not know {source.download(partition, msm)!r}: {result.error}")
    if verdict is None:
        after, wrong = firmware_state(chassis), []
        for slot in targets:
            where = partition or before.msm(slot).inactive
            if after.msm(slot).version_in(where) != source.version:
                wrong.append(f"{slot} {where} holds {after.msm(slot).version_in(where)}")
        verdict = ImageVerdict(not wrong, "not installed" if wrong else None, "; ".join(wrong))
    chassis.timeline.mark(IMAGE_INSTALLED if verdict.accepted else IMAGE_REFUSED, str(verdict))
    return verdict


def select_image(chassis: Chassis, partition: str, msm: str) -> None:
    """``use image <partition> msm <slot>``, checked in ``show switch``."""
    chassis.run(SSH, f"use image {partition} msm {msm[-1]}", check=True)
    selected = firmware_state(chassis).msm(msm).selected
    if selected != partition:
        raise ProcedureFailed(f"use image {partition} on {msm}: show switch says Image Selected {selected}")
    chassis.timeline.mark(IMAGE_SELECTED, f"{msm} {partition}")


def reboot_backup(chassis: Chassis, msm: str, partition: str, version: str, in_sync: bool) -> FirmwareState:
    """``reboot msm <slot>`` of the backup; wait until it is BACKUP again, running ``version``."""
    before = firmware_state(chassis)
    chassis.timeline.mark(REBOOT_SENT, f"reboot msm {msm[-1]}")
    chassis.run(SSH, f"reboot msm {msm[-1]}", check=True)  # its console logs in again when next used
    back = _running(msm, partition, version, in_sync)
    wait_for_status(
        chassis,
        _watching(chassis, before, (msm,), back),
        chassis.deadline("reboot"),
        f"{msm} back as BACKUP{' (In Sync)' if in_sync else ''} running {version} from {partition}",
    )
    return firmware_state(chassis)


def reboot_chassis(chassis: Chassis, expected: dict[str, tuple[str, str]]) -> FirmwareState:
    """``reboot`` (both MSMs); wait for each console's login, then MASTER + BACKUP (In Sync)
    with every MSM running ``expected[slot] = (partition, version)``."""
    before = firmware_state(chassis)
    for slot in MSMS:
        chassis.session(slot)  # its console follows the boot to the new login
    chassis.timeline.mark(REBOOT_SENT, "reboot (both MSMs)")
    result = chassis.run(SSH, "reboot", what="command", expect_reboot=True)
    if not result.rebooted:
        raise ProcedureFailed(f"reboot was refused: {result.error or result.output.strip()}")
    for slot in MSMS:
        chassis.wait_for_login(slot)
        chassis.timeline.mark(f"{slot} at login", "after the reboot")
    done = _both_running(expected)
    wait_for_status(
        chassis,
        _watching(chassis, before, MSMS, done),
        chassis.deadline("reboot"),
        "both MSMs back, MASTER and BACKUP (In Sync), running the selected images",
    )
    return firmware_state(chassis)


# --- the procedures ---------------------------------------------------------------------------


def upgrade_through_backup(chassis: Chassis, source: ImageSource) -> UpgradeOutcome:
    """The hitless sequence through the backup and failover (not hitless for another major.minor)."""
    steps = StepRecorder(chassis.steps)
    start = steps.run("show switch: starting state", lambda: _in_sync(chassis), str)
    running = start.status.msm(start.master).booted_version
    outcome = UpgradeOutcome(
        source.version, FirmwareState.of(start.status), hitless=compatible(running, source.version)
    )
    steps.run(
        "save configuration (a rebooting backup loads its flash)",
        lambda: chassis.run(SSH, "save configuration", check=True),
        lambda r: r.output.strip()[-60:],
    )
    _upgrade_backup(chassis, steps, source, start.backup, outcome.hitless)
    force = not outcome.hitless
    if force:
        why = check_sync(chassis)
        if why.cause != INCOMPATIBLE_SOFTWARE:
            raise ProcedureFailed(f"{start.backup} runs {source.version} but is {why}")
        outcome.notes.append(
            f"{start.backup} runs {source.version} and cannot come back in sync with "
            f"{running} on {start.master}: run failover force; the upgrade is not hitless"
        )
    steps.run(
        "run failover" + (" force (not hitless)" if force else ""),
        lambda: failover(chassis, force=force, until_in_sync=not force),
        lambda f: f"{f.command}: {f.new_master} MASTER",
    )
    _upgrade_backup(chassis, steps, source, start.master, True)
    outcome.after = steps.run("verify both MSMs", lambda: _verify_both(chassis, source.version), FirmwareState.describe)
    return outcome


def upgrade_master_and_synchronize(chassis: Chassis, source: ImageSource) -> UpgradeOutcome:
    """Install on the master, select it, ``synchronize`` (the backup gets both images), reboot."""
    steps = StepRecorder(chassis.steps)
    start = steps.run("show switch: starting state", lambda: _in_sync(chassis), str)
    before = FirmwareState.of(start.status)
    master, partition = start.master, before.msm(start.master).inactive
    _install_step(chassis, steps, source, master, partition)
    _select_step(steps, chassis, partition, master)
    steps.run("synchronize", lambda: synchronize(chassis, identical=False), str)
    synced = firmware_state(chassis)
    if synced.msm(start.backup).version_in(partition) != source.version:
        raise ProcedureFailed(f"after synchronize {start.backup} lacks {source.version}: {synced.describe()}")
    expected = {slot: (partition, source.version) for slot in MSMS}
    steps.run("reboot both MSMs", lambda: reboot_chassis(chassis, expected), FirmwareState.describe)
    outcome = UpgradeOutcome(source.version, before)
    outcome.after = steps.run("verify both MSMs", lambda: _verify_both(chassis, source.version), FirmwareState.describe)
    return outcome


def rollback(chassis: Chassis) -> UpgradeOutcome:
    """Select the previous (inactive) partition on both MSMs, reboot, run the old version."""
    steps = StepRecorder(chassis.steps)
    start = steps.run("show switch: starting state", lambda: _in_sync(chassis), str)
    before = FirmwareState.of(start.status)
    partitions = {before.msm(slot).inactive for slot in MSMS}
    if len(partitions) != 1:
        raise ProcedureFailed(
            f"the MSMs booted from different partitions ({before.describe()}); "
            "there is no one previous partition to roll back to"
        )
    partition = partitions.pop()
    expected = {slot: (partition, _version_in(before, slot, partition)) for slot in MSMS}
    for slot in MSMS:
        _select_step(steps, chassis, partition, slot)
    steps.run("reboot both MSMs", lambda: reboot_chassis(chassis, expected), FirmwareState.describe)
    outcome = UpgradeOutcome(expected[start.master][1], before)
    outcome.after = firmware_state(chassis)
    return outcome


# --- pieces -----------------------------------------------------------------------------------


def _in_sync(chassis: Chassis) -> SyncVerdict:
    verdict = check_sync(chassis)
    if not verdict.in_sync:
        raise NotInSync(f"{verdict.cause}: {verdict.detail}; an upgrade starts from MASTER and BACKUP (In Sync)")
    return verdict


def _install_step(chassis: Chassis, steps: StepRecorder, source: ImageSource, msm: str, partition: str) -> None:
    def action() -> ImageVerdict:
        verdict = install(chassis, source, msm, partition)
        if not verdict.accepted:
            raise ImageRefused(source, verdict)
        return verdict

    steps.run(f"download and install {source.version} on {msm} ({partition})", action)


def _version_in(state: FirmwareState, msm: str, partition: str) -> str:
    """The version installed on ``msm``'s ``partition``; a partition without one cannot be rolled back to."""
    version = state.msm(msm).version_in(partition)
    if not version:
        raise ProcedureFailed(
            f"{msm} has no image on its {partition} partition ({state.describe()}); nothing to roll back to"
        )
    return version


def _select_step(steps: StepRecorder, chassis: Chassis, partition: str, msm: str) -> None:
    steps.run(
        f"use image {partition} on {msm}",
        lambda: select_image(chassis, partition, msm),
        lambda _: f"Image Selected {partition}",
    )


def _upgrade_backup(chassis: Chassis, steps: StepRecorder, source: ImageSource, backup: str, in_sync: bool) -> None:
    partition = firmware_state(chassis).msm(backup).inactive
    _install_step(chassis, steps, source, backup, partition)
    _select_step(steps, chassis, partition, backup)
    steps.run(
        f"reboot {backup} until BACKUP{' (In Sync)' if in_sync else ''}",
        lambda: reboot_backup(chassis, backup, partition, source.version, in_sync),
        FirmwareState.describe,
    )


def _verify_both(chassis: Chassis, version: str) -> FirmwareState:
    verdict = check_sync(chassis)
    state = FirmwareState.of(verdict.status)
    booted = {state.msm(slot).booted for slot in MSMS}
    versions = {state.msm(slot).booted_version for slot in MSMS}
    if not verdict.in_sync or versions != {version} or len(booted) != 1:
        raise ProcedureFailed(
            f"expected both MSMs in sync, running {version} from the same partition; {verdict}; {state.describe()}"
        )
    return state


def _running(msm: str, partition: str, version: str, in_sync: bool):
    def done(status: SwitchStatus) -> bool:
        m = status.msm(msm)
        return (
            m.state == "BACKUP"
            and m.image_booted == partition
            and m.booted_version == version
            and (m.in_sync or not in_sync)
        )

    return done


def _both_running(expected: dict[str, tuple[str, str]]):
    def done(status: SwitchStatus) -> bool:
        if status.master is None or status.backup is None or not status.msm(status.backup).in_sync:
            return False
        return all(
            (status.msm(slot).image_booted, status.msm(slot).booted_version) == want for slot, want in expected.items()
        )

    return done


def _watching(chassis: Chassis, before: FirmwareState, slots, done):
    """``done``, marking the timeline each time one of ``slots`` shows another state (progress)."""
    seen = {slot: _shown(before.msm(slot).state, before.msm(slot).in_sync) for slot in slots}

    def check(status: SwitchStatus) -> bool:
        for slot in slots:
            m = status.msm(slot)
            shown = _shown(m.state, m.in_sync)
            if seen[slot] != shown:
                seen[slot] = shown
                chassis.timeline.mark(f"{slot} {shown}", f"booted {m.image_booted} {m.booted_version}")
        return done(status)

    return check


def _shown(state: str, in_sync: bool) -> str:
    return f"{state}{' (In Sync)' if in_sync else ''}" if state else "absent"
