"""After the firmware plans: the chassis back on the release it ran before them, or why not.

The release is brought back the way a lab would: when both MSMs still hold it in one partition,
that partition is selected and both reboot; when the harness can serve an image of it (it builds
the images for a virtual chassis) it is installed on both MSMs first. Otherwise nothing is
touched and the message names the release the chassis was left on.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.firmware.state import FirmwareState
from harness.lab.chassis import MSMS, Chassis
from harness.procedures.upgrade import firmware_state, install, reboot_chassis, select_image


@dataclass(frozen=True)
class Restored:
    """What the chassis runs after the restore, and whether that is the release it started on."""

    back: bool
    message: str


def releases(state: FirmwareState) -> dict[str, str | None]:
    """Each MSM's booted version."""
    return {slot: state.msm(slot).booted_version for slot in MSMS}


def restore_release(chassis: Chassis, started: dict[str, str | None], image_of=None) -> Restored | None:
    """Put both MSMs back on ``started`` (their booted versions before the plans); None when
    nothing changed. ``image_of(version)`` gives an :class:`ImageSource` of a release, or None
    when the harness cannot serve one."""
    state = firmware_state(chassis)
    now = releases(state)
    if now == started:
        return None
    wanted = set(started.values())
    left = f"left on {_describe(now)} (started on {_describe(started)})"
    release = wanted.pop() if len(wanted) == 1 else None
    if release is None:
        return Restored(False, f"{left}: the MSMs ran different releases; put them back by hand")
    partition = _common_partition(state, release)
    if partition is None and image_of is not None and (source := image_of(release)) is not None:
        verdict = install(chassis, source)
        if not verdict.accepted:
            return Restored(False, f"{left}: installing {release} again was refused ({verdict})")
        state = firmware_state(chassis)
        partition = _common_partition(state, release)
    if partition is None:
        return Restored(False, f"{left}: no partition holds {release} on both MSMs; install it by hand")
    for slot in MSMS:
        select_image(chassis, partition, slot)
    after = releases(reboot_chassis(chassis, {slot: (partition, release) for slot in MSMS}))
    if after != started:
        return Restored(False, f"left on {_describe(after)} after trying to restore {release}")
    return Restored(True, f"put back on {release} (the firmware plans had left it on {_describe(now)})")


def _common_partition(state: FirmwareState, release: str) -> str | None:
    """The partition that holds ``release`` on both MSMs, preferring each MSM's inactive one."""
    for partition in ("primary", "secondary"):
        if all(state.msm(slot).version_in(partition) == release for slot in MSMS):
            return partition
    return None


def _describe(versions: dict[str, str | None]) -> str:
    if len(set(versions.values())) == 1:
        return str(next(iter(versions.values())))
    return ", ".join(f"{slot} {version}" for slot, version in versions.items())


def restore_chassis(chassis: Chassis, started: FirmwareState, image_of=None) -> Restored | None:
    """Put the chassis back as the firmware plans found it: the release it booted
    (:func:`restore_release`), what each MSM's other partition held (installed again from
    ``image_of``), the partition it booted from (selected, and the chassis rebooted) and the image
    each had selected. None when nothing changed; ``back`` False with what it is left with when
    something could not be put back."""
    booted = restore_release(chassis, releases(started), image_of)
    if booted is not None and not booted.back:
        return booted
    changed = booted is not None
    for _ in range(2):  # the partition it booted from can be put back once it boots the other one
        failed = _reinstall(chassis, started, image_of)
        if isinstance(failed, Restored):
            return failed
        changed = changed or failed
        if not _boot_from_where_it_did(chassis, started, firmware_state(chassis)):
            break
        changed = True
    for slot in MSMS:
        selected = started.msm(slot).selected
        if selected and firmware_state(chassis).msm(slot).selected != selected:
            select_image(chassis, selected, slot)
            changed = True
    images = ("selected", "booted", "primary", "secondary")  # roles may have swapped: not an image
    after = [c for c in firmware_state(chassis).changes_since(started) if c.split()[1].rstrip(":") in images]
    if after:
        return Restored(False, f"left with {'; '.join(after)} after the restore")
    if not changed:
        return None
    return Restored(True, booted.message if booted is not None else "partitions and selected images put back")


def _reinstall(chassis: Chassis, started: FirmwareState, image_of) -> Restored | bool:
    """Install again what each MSM's partitions held, where it is not booted from; True when it
    installed something, a :class:`Restored` naming what could not be put back."""
    state, installed = firmware_state(chassis), False
    for slot in MSMS:
        was, now = started.msm(slot), state.msm(slot)
        for partition in ("primary", "secondary"):
            wanted = was.version_in(partition)
            if now.version_in(partition) == wanted or wanted is None or partition == now.booted:
                continue
            source = image_of(wanted) if image_of is not None else None
            if source is None:
                return Restored(False, _left(slot, partition, now.version_in(partition), wanted, "no image of it"))
            verdict = install(chassis, source, msm=slot, partition=partition)
            if not verdict.accepted:
                return Restored(False, _left(slot, partition, now.version_in(partition), wanted, str(verdict)))
            installed = True
    return installed


def _boot_from_where_it_did(chassis: Chassis, started: FirmwareState, state: FirmwareState) -> bool:
    """The same release booted from the other partition (an upgrade and a rollback move it): when
    the partition each MSM booted from still holds that release, select it and reboot, so the
    other one can be put back. True when it rebooted."""
    was = {slot: started.msm(slot) for slot in MSMS}
    if all(state.msm(slot).booted == was[slot].booted for slot in MSMS):
        return False
    if any(
        not was[slot].booted or state.msm(slot).version_in(was[slot].booted or "") != was[slot].booted_version
        for slot in MSMS
    ):
        return False
    for slot in MSMS:
        select_image(chassis, was[slot].booted or "", slot)
    reboot_chassis(chassis, {slot: (was[slot].booted or "", was[slot].booted_version or "") for slot in MSMS})
    return True


def _left(slot: str, partition: str, now: str | None, wanted: str, why: str) -> str:
    return (
        f"left with {slot} {partition} holding {now} (it held {wanted}): {why}; name the image of {wanted} "
        "in the testbed (firmware: {start_image, start_version}) or install it by hand"
    )
