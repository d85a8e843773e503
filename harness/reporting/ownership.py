"""A reports folder belongs to one run at a time.

Two runs writing into one folder would share transcript files and overwrite each other's
reports (and once gave a false verdict). The run holds an exclusive ``flock`` on
``<folder>/.hil-run.lock`` (holding its pid) for its whole life; the kernel releases it when the
process ends in any way, so a killed run never leaves the folder locked. A second run stops at
once with one line naming the process that holds it (:mod:`harness.lockfiles`: the file is
``0600``, so no other user can take it).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from harness.errors import HilError
from harness.lockfiles import holder, open_private

LOCK_NAME = ".hil-run.lock"


class ReportsFolderBusy(HilError):
    """Another run is writing into this reports folder."""


class ReportsFolderUnusable(HilError):
    """The reports folder cannot take a run's reports: not a folder, read-only, or full."""


#: Free space a run needs at least in its reports folder (transcripts, report, junit.xml):
#: below it the run stops before any plan, instead of passing its plans and then losing the
#: reports to a full disk (a 25-line INTERNALERROR and a 0-byte junit.xml).
MIN_FREE = 16 << 20
_PROBE = 64 << 10


def check_usable(folder: Path) -> None:
    """Raise :class:`ReportsFolderUnusable` (one line, what to do) unless ``folder`` is (or can
    be made) a folder this run can write ``MIN_FREE`` bytes into; a 64 KiB file is written and
    removed to prove it (read-only mounts, quotas, a full disk)."""
    fix = "give the run another folder (hil run --reports DIR, pytest --hil-workdir DIR)"
    if folder.exists() and not folder.is_dir():
        raise ReportsFolderUnusable(f"reports folder {folder} is not a folder; {fix}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        space = os.statvfs(folder)
    except OSError as error:
        raise ReportsFolderUnusable(f"cannot create reports folder {folder} ({error.strerror}); {fix}") from None
    free = space.f_bavail * space.f_frsize
    if free < MIN_FREE:
        raise ReportsFolderUnusable(
            f"reports folder {folder} has {free // 1024} KiB free, a run needs {MIN_FREE >> 20} MiB; free some "
            f"space or {fix}"
        )
    probe = folder / f".hil-write-probe.{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, bytes(_PROBE))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        raise ReportsFolderUnusable(f"cannot write into reports folder {folder} ({error.strerror}); {fix}") from None
    finally:
        with contextlib.suppress(OSError):  # a read-only file system refuses even this
            probe.unlink(missing_ok=True)


class ReportsFolder:
    """``claim()`` the folder for this run (raises :class:`ReportsFolderBusy`); ``release()`` it.
    As a context manager it holds the folder for the ``with`` block."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self._fd: int | None = None

    def claim(self) -> ReportsFolder:
        check_usable(self.folder)
        path = self.folder / LOCK_NAME
        fd = open_private(path)  # 0600: nobody else can open it, so nobody else can lock it
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            written = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            held_by = holder(path) or f"pid {written}"  # the kernel's word over the file's
            raise ReportsFolderBusy(
                f"reports folder {self.folder} is in use by another run ({held_by}); wait for it "
                "to end, or give this run its own folder (hil run --reports DIR, pytest --hil-workdir DIR)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Give the folder up (idempotent); the lock file stays, unlocked."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __enter__(self) -> ReportsFolder:
        return self if self._fd is not None else self.claim()

    def __exit__(self, *exc: object) -> None:
        self.release()
