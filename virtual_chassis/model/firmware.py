"""Images on the MSMs of the virtual chassis: which MSM a command targets, where an image may be
installed, what ``use image`` selects, and the files ``download image`` left on each MSM's flash.

The long-running parts (TFTP transfer, copy to the backup, install) are in :mod:`.firmware_jobs`;
this module holds the state and the rules, as the real switch applies them:

* a new image goes to the inactive partition; installing to the booted one is refused;
* without ``msm <A|B>`` a command applies to every MSM that runs (master and backup);
* a download for the backup passes through the master.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Protocol

from .clock import Clock
from .config import Refusal
from .images import ImageInfo
from .msm import Msm, NodeState

PARTITIONS = ("primary", "secondary")
VIRTUAL_ROUTERS = ("VR-Mgmt", "VR-Default")
BUSY = "a save or download is in progress - please try again later"
ACTIVE = (
    "Cannot install to the active partition ({partition}) of {msm}: a new image goes to "
    "the inactive partition ({inactive})."
)
NOT_RUNNING = "{msm} is not available (state {state}); it must run as MASTER or BACKUP."
NO_VR = 'Virtual router "{vr}" does not exist: use VR-Mgmt or VR-Default.'
NO_FILE = "File {file} not found on {msm}: download it first with download image."


def inactive(msm: Msm) -> str:
    """The partition the MSM did not boot from."""
    return PARTITIONS[1 - PARTITIONS.index(msm.image_booted)]


class FirmwareChassis(Protocol):
    """What the image rules need of the chassis: who is master and backup, the log, the clock."""

    clock: Clock

    def msm(self, name: str) -> Msm: ...
    def master(self) -> Msm | None: ...
    def backup(self) -> Msm | None: ...
    def require_master(self, on: str) -> Msm: ...
    def log(self, subject: Msm, severity: str, component: str, text: str) -> None: ...


class Firmware:
    """Image state of one chassis; ``tftp_port`` is where the TFTP servers it reaches listen."""

    def __init__(self, chassis: FirmwareChassis, tftp_port: int = 69):
        self.chassis = chassis
        self.tftp_port = tftp_port
        self.busy = False  # a download or install is running
        self._flash: tempfile.TemporaryDirectory | None = None  # made by the first download
        self.flash_dir: Path | None = None  # where that folder is made (None: the system's temp)

    def close(self) -> None:
        """Remove the downloaded files (the emulator stops)."""
        if self._flash is not None:
            self._flash.cleanup()

    # --- rules --------------------------------------------------------------------------------

    def check_vr(self, vr: str | None) -> str:
        vr = vr or VIRTUAL_ROUTERS[0]
        match = next((v for v in VIRTUAL_ROUTERS if v.lower() == vr.lower()), None)
        if match is None:
            raise Refusal(NO_VR.format(vr=vr))
        return match

    def targets(self, on: str, slot: str | None) -> list[Msm]:
        """The MSMs a command from ``on`` (the master) acts on: ``msm <slot>``, else all that run."""
        master = self.chassis.require_master(on)
        if slot is None:
            backup = self.chassis.backup()
            return [master] + ([backup] if backup is not None else [])
        msm = self.chassis.msm(slot)
        if not msm.powered or msm.state not in (NodeState.MASTER, NodeState.BACKUP):
            raise Refusal(NOT_RUNNING.format(msm=msm.name, state=msm.state.value if msm.powered else "off"))
        return [msm]

    def install_partition(self, msm: Msm, partition: str | None) -> str:
        """The partition an image goes to on ``msm``; the active one is refused."""
        if partition is None:
            return inactive(msm)
        if partition == msm.image_booted:
            raise Refusal(ACTIVE.format(partition=partition, msm=msm.name, inactive=inactive(msm)))
        return partition

    def claim(self) -> None:
        """Start a download or install: one at a time."""
        if self.busy:
            raise Refusal(BUSY)
        self.busy = True

    def release(self) -> None:
        self.busy = False

    # --- state changes ------------------------------------------------------------------------

    def install(self, msm: Msm, partition: str, image: ImageInfo) -> None:
        """Write a checked image into a partition of ``msm`` (it runs after the next boot)."""
        msm.images[partition] = image.version
        self.chassis.log(
            msm, "Info", "DM.Info", f"Installed image {image.version} to the {partition} partition of {msm.name}"
        )

    def use_image(self, on: str, partition: str, slot: str | None) -> list[Msm]:
        """``use image {partition} <primary|secondary> {msm <slot>}``: the image of the next boot."""
        targets = self.targets(on, slot)
        for msm in targets:
            msm.image_selected = partition
        return targets

    # --- the files on each MSM's flash --------------------------------------------------------

    def flash(self, msm: Msm) -> Path:
        """The folder holding ``msm``'s downloaded files."""
        if self._flash is None:
            self._flash = tempfile.TemporaryDirectory(prefix="xcm8800-flash-", dir=self.flash_dir)
        folder = Path(self._flash.name) / msm.name
        folder.mkdir(exist_ok=True)
        return folder

    def stored(self, msm: Msm, file: str) -> Path:
        """A file downloaded to ``msm`` earlier; refused when there is none of that name."""
        path = self.flash(msm) / Path(file).name
        if not path.is_file():
            raise Refusal(NO_FILE.format(file=file, msm=msm.name))
        return path
