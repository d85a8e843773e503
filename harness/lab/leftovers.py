"""What a killed run leaves behind, and children that end with their parent.

A run stopped by SIGKILL runs no cleanup: its emulators' flash folders (``xcm8800-hil-flash-
<pid>-*`` in the temporary folder) and its lock folder (``<lock dir>/runs/<run id>/``) stayed
for ever. :func:`clear_leftovers` removes those whose run is gone (its pid is dead; no lock in
the folder is held and it is a minute old) and says what it removed; the next run calls it.

:func:`dies_with_parent` is a ``preexec_fn`` that has the kernel send SIGTERM to a child when
the process that started it dies (``PR_SET_PDEATHSIG``): ``hil virtual`` killed with SIGKILL
left its emulator and its labgrid exporter running.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

FLASH_PREFIX = "xcm8800-hil-flash-"
#: A lock folder younger than this may belong to a run that is taking its first lock.
SETTLE = 60.0
_PR_SET_PDEATHSIG = 1


def flash_folder() -> Path:
    """A new flash folder for an emulator of this process (its pid is in the name)."""
    return Path(tempfile.mkdtemp(prefix=f"{FLASH_PREFIX}{os.getpid()}-"))


def dies_with_parent() -> None:
    """In the child, before exec: SIGTERM when the parent dies (Linux); at once if it already has."""
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return  # not Linux: the child's own watch (a closed pipe) is the only one
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)


def clear_leftovers(lock_dir: Path, runs: str = "runs") -> list[str]:
    """Remove the flash folders and lock folders of runs that are gone; one line each."""
    cleared = []
    for folder in Path(tempfile.gettempdir()).glob(f"{FLASH_PREFIX}*"):
        pid, dash, _ = folder.name[len(FLASH_PREFIX) :].partition("-")  # <pid>-<random>: ours only
        if dash and pid.isdigit() and folder.is_dir() and _mine(folder) and not pid_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            cleared.append(f"removed the flash folder {folder} of a killed run (pid {pid})")
    for folder in (lock_dir / runs).glob("*") if (lock_dir / runs).is_dir() else ():
        if folder.is_dir() and _mine(folder) and time.time() - folder.stat().st_mtime > SETTLE and not _held(folder):
            shutil.rmtree(folder, ignore_errors=True)
            cleared.append(f"removed the lock folder {folder} of a killed run")
    return cleared


def _mine(path: Path) -> bool:
    try:
        return path.stat().st_uid == os.getuid()
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    """True while a process ``pid`` exists (another user's counts: it cannot be signalled)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _held(folder: Path) -> bool:
    """Is any lock file in ``folder`` held (by a run still going)?"""
    for lock in folder.glob("*.lock"):
        try:
            fd = os.open(lock, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # closing drops a lock taken here
    return False
