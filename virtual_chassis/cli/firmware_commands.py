"""CLI handlers of the image commands: ``download image``, ``install image``, ``use image``.

Same conventions as :mod:`.commands`: a handler gets the session and the parsed command, prints
with ``s.say()``, refuses with ``s.error()``, asks with ``s.ask()``. Downloads and installs run
as :class:`~.firmware_jobs.ImageJob` while the session shows progress dots.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model.config import Refusal
from ..model.firmware import BUSY, PARTITIONS
from ..model.msm import Msm
from .commands import _attempt, no, yes
from .firmware_jobs import ImageJob
from .grammar import Command
from .ports import Session

INSTALL_QUESTION = "Do you want to install image after downloading? (y - yes, n - no, <cr> - cancel) "
MIN_BLOCK, MAX_BLOCK = 8, 65464  # RFC 2348 block sizes
BAD_BLOCK = f"Invalid block-size {{size}}: use {MIN_BLOCK} to {MAX_BLOCK} bytes."


def _targets(s: Session, c: Command) -> list[tuple[Msm, str]]:
    """(MSM, partition) for each MSM the command acts on; raises ``Refusal``."""
    firmware = s.chassis.firmware
    partition = next((word for word in c.keywords if word in PARTITIONS), None)
    msms = firmware.targets(s.msm.name, c.args.get("slot"))
    return [(msm, firmware.install_partition(msm, partition)) for msm in msms]


def _block_size(c: Command) -> int | None:
    if "blocksize" not in c.args:
        return None
    size = int(c.args["blocksize"])
    if not MIN_BLOCK <= size <= MAX_BLOCK:
        raise Refusal(BAD_BLOCK.format(size=size))
    return size


def download_image(s: Session, c: Command) -> None:
    """Ask whether to install, then fetch over TFTP (through the master) and maybe install."""
    firmware = s.chassis.firmware

    def check() -> None:
        firmware.check_vr(c.args.get("vr"))
        _block_size(c)
        _targets(s, c)
        if firmware.busy:
            raise Refusal(BUSY)

    def answer(text: str) -> None:
        if yes(text) or no(text):
            _attempt(
                s,
                lambda: ImageJob(
                    firmware,
                    s,
                    _targets(s, c),
                    c.args["file"],
                    install=yes(text),
                    host=c.args["host"],
                    blksize=_block_size(c),
                ).start(),
            )

    try:
        check()
    except Refusal as refusal:
        s.error(str(refusal))
        return
    s.ask(INSTALL_QUESTION, answer)


def install_image(s: Session, c: Command) -> None:
    """Install a file downloaded earlier onto the inactive (or named) partition."""

    def start() -> None:
        targets = _targets(s, c)
        for msm, _ in targets:
            s.chassis.firmware.stored(msm, c.args["file"])
        ImageJob(s.chassis.firmware, s, targets, c.args["file"], install=True).start()

    _attempt(s, start)


def use_image(s: Session, c: Command) -> None:
    """Select the partition each MSM boots from next time."""
    partition = next(word for word in c.keywords if word in PARTITIONS)
    _attempt(s, lambda: s.chassis.firmware.use_image(s.msm.name, partition, c.args.get("slot")))


HANDLERS: dict[str, Callable[[Session, Command], None]] = {
    "download_image": download_image,
    "install_image": install_image,
    "use_image": use_image,
}
