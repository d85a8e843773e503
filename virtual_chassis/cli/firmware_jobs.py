"""``download image`` and ``install image`` as jobs that take real (scaled) time on the loop.

The CLI session stays busy and prints the console's progress dots while the master fetches the
file over TFTP (in an executor thread: the loop keeps serving), relays it to the backup and
installs it. Durations are the clock's ``image_download``, ``image_relay`` and ``image_install``
(real seconds divided by the speed factor); a slow TFTP transfer takes as long as it takes.
Nothing changes on an MSM unless the image was fetched and passed every check.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
from pathlib import Path
from typing import Protocol

from ..model.config import Refusal
from ..model.firmware import Firmware
from ..model.images import INSTALL_FAILED, ImageInfo, ImageRefused, check_image
from ..model.msm import Msm
from .tftp_client import TftpFailed, fetch

DOT_EVERY = 2.0  # real seconds between two progress dots
MIN_DOT_INTERVAL = 0.02  # emulator seconds: at high speed factors dots come no faster
NO_MASTER = "No master MSM is available."
DOWNLOAD_FAILED = "Failed to download image - Error: {reason}"
INSTALLED = ("Image installed successfully", "This image will be used only after rebooting the switch!")
DOWNLOADED = "Image {file} downloaded successfully; install it with install image {file}"


class JobOutput(Protocol):
    """What a job needs from the CLI session that started it."""

    def start_job(self, job: ImageJob) -> None: ...
    def progress(self, text: str) -> None: ...
    def job_done(self, lines: list[str]) -> None: ...


class _Gone(Exception):
    """An MSM the job works on rebooted or lost power."""


class ImageJob:
    """One download (optionally installing) or install; ``targets`` are (MSM, partition) pairs."""

    def __init__(
        self,
        firmware: Firmware,
        out: JobOutput,
        targets: list[tuple[Msm, str]],
        file: str,
        install: bool,
        host: str | None = None,
        blksize: int | None = None,
    ):
        self.fw = firmware
        self.out = out
        self.clock = firmware.chassis.clock
        self.targets = targets
        self.file = Path(file).name
        self.path = file
        self.install = install
        self.host = host
        self.blksize = blksize
        self.cancelled = threading.Event()
        master = firmware.chassis.master()
        if master is None:  # the command ran on the master a moment ago; it may have gone since
            raise Refusal(NO_MASTER)
        self.master = master
        self._epochs = {m.name: m.epoch for m in [self.master, *(t for t, _ in targets)]}
        self._written: list[Path] = []
        self._line_open = False  # progress dots printed without their line end yet
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        """Claim the firmware (one job at a time) and run on the loop; refusals raise ``Refusal``."""
        self.fw.claim()
        self.out.start_job(self)
        self.task = self.clock.loop.create_task(self._run())

    def cancel(self) -> None:
        """Stop at once (the session closed): nothing is installed, partial files are removed."""
        self.cancelled.set()
        if self.task is not None:
            self.task.cancel()

    async def _run(self) -> None:
        lines, ok = [], False
        try:
            lines = await (self._download() if self.host else self._install_stored())
            ok = True
        except asyncio.CancelledError:
            return
        except TftpFailed as failed:
            lines = [DOWNLOAD_FAILED.format(reason=failed)]
        except ImageRefused as refused:
            lines = [f"Error: {refused}"] + ([f"Error: {INSTALL_FAILED}"] if self.install else [])
        except (_Gone, OSError) as gone:
            lines = [DOWNLOAD_FAILED.format(reason=gone) if self.host else f"Error: {INSTALL_FAILED} ({gone})"]
        finally:
            if not ok:
                self._remove_written()
            self.fw.release()
        if self._line_open:
            self.out.progress("\r\n")
        self.out.job_done(lines)

    # --- the two jobs ------------------------------------------------------------------------

    async def _download(self) -> list[str]:
        loop = self.clock.loop
        landing = self._note(self.fw.flash(self.master) / self.file)
        fetched = loop.run_in_executor(None, self._fetch, landing)
        fetched.add_done_callback(_retrieve)
        first = self.targets[0][0]
        await self._dots(f"Downloading to {first.name}", "image_download", fetched, end_line=first is self.master)
        fetched.result()  # a failed transfer is reported at once
        image = await loop.run_in_executor(None, self._check, landing)
        images = [image] * len(self.targets)
        for msm, _ in self.targets:
            if msm is not self.master:
                copy = self._note(self.fw.flash(msm) / self.file)
                relayed = loop.run_in_executor(None, shutil.copyfile, landing, copy)
                await self._dots("" if msm is first else f"Downloading to {msm.name}", "image_relay", relayed)
                relayed.result()
        if all(msm is not self.master for msm, _ in self.targets):
            landing.unlink(missing_ok=True)  # it only passed through the master
        if not self.install:
            return [DOWNLOADED.format(file=self.file)]
        return await self._install_all(images)

    async def _install_stored(self) -> list[str]:
        images = []
        for msm, _ in self.targets:
            checked = self.clock.loop.run_in_executor(None, check_image, self.fw.stored(msm, self.file))
            images.append(await checked)
            self._alive()
        return await self._install_all(images)

    async def _install_all(self, images: list[ImageInfo]) -> list[str]:
        for msm, partition in self.targets:
            self.out.progress(f"Installing to {partition} partition!\r\n")
            await self._dots(f"Installing to {msm.name}", "image_install")
        for (msm, partition), image in zip(self.targets, images, strict=True):  # all or nothing
            self.fw.install(msm, partition, image)
        return list(INSTALLED)

    # --- helpers -----------------------------------------------------------------------------

    def _fetch(self, landing: Path) -> int:
        """In an executor thread: the TFTP transfer (a download job always has a host)."""
        return fetch(self.host or "", self.path, landing, self.fw.tftp_port, self.cancelled, blksize=self.blksize)

    @staticmethod
    def _check(landing: Path) -> ImageInfo:
        """In an executor thread, once the whole file is there: the switch's image checks."""
        try:
            return check_image(landing)
        except ImageRefused:
            landing.unlink(missing_ok=True)
            raise

    async def _dots(self, label: str, duration: str, work: asyncio.Future | None = None, end_line: bool = True) -> None:
        """Print ``label`` and a dot now and then, for at least ``duration`` and until ``work`` is done."""
        loop = self.clock.loop
        if label:
            self.out.progress(label)
        self._line_open = True
        step = max(self.clock.scaled(DOT_EVERY), MIN_DOT_INTERVAL)
        end = loop.time() + self.clock.scaled(self.clock.duration(duration))
        while True:
            if work is not None and work.done():
                if work.cancelled() or work.exception() is not None:
                    break  # a failure is reported at once
                work = None
            left = end - loop.time()
            if work is None and left <= 0:
                break
            if work is not None:
                await asyncio.wait({work}, timeout=step)
            else:
                await asyncio.sleep(min(step, left))
            self.out.progress(".")
            self._alive()
        if end_line:
            self.out.progress("\r\n")
            self._line_open = False

    def _alive(self) -> None:
        """Stop when the master or a target MSM rebooted or lost power since the job began."""
        for msm in [self.master, *(t for t, _ in self.targets)]:
            if msm.epoch != self._epochs[msm.name] or not msm.powered:
                raise _Gone(f"{msm.name} went down during the transfer")

    def _note(self, path: Path) -> Path:
        self._written.append(path)
        return path

    def _remove_written(self) -> None:
        for path in self._written:
            path.unlink(missing_ok=True)


def _retrieve(future: asyncio.Future) -> None:
    """Take a finished transfer's outcome even when the job was cancelled and never looks."""
    if not future.cancelled():
        future.exception()
