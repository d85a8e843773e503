"""Lock files only their owner can use, and who really holds one.

A lock file others can open is a lock others can take: ``flock`` works on a descriptor opened
for reading, so a world-readable ``.hil-run.lock`` or pool lock let any local user block every
run, and the message then named the pid the file held, not the holder. Lock files are created
``0600`` (an older one of ours is made so), a lock file another user owns is refused with one
line, and the holder is read from the kernel's own table (``/proc/locks``).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import stat
from pathlib import Path

from harness.errors import HilError

PRIVATE = 0o600


class LockNotYours(HilError):
    """A lock file belongs to another user (who could hold or fake it)."""


def open_private(path: Path) -> int:
    """Open (or create, ``0600``) the lock file ``path`` of this user; :class:`LockNotYours`
    when another user owns it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, PRIVATE)
    info = os.fstat(fd)
    if info.st_uid != os.getuid():
        os.close(fd)
        raise LockNotYours(
            f"lock file {path} belongs to user {_user(info.st_uid)}, who can hold it against every run; "
            "remove it, or use a folder only you can write"
        )
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.fchmod(fd, PRIVATE)  # one of ours from before: others may no longer open it
    return fd


def make_private(path: Path) -> None:
    """Make an existing lock file of this user ``0600`` (a no-op for another user's, or a file
    gone meanwhile)."""
    with contextlib.suppress(OSError):
        info = path.stat()
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
            path.chmod(PRIVATE)


def holder(path: Path) -> str | None:
    """Who holds a ``flock`` on ``path``, from ``/proc/locks`` (``pid N, user U: command``),
    or None when nobody does (or the table cannot be read)."""
    try:
        info = path.stat()
        table = Path("/proc/locks").read_text()
    except OSError:
        return None
    inode = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    for line in table.splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[1] == "FLOCK" and fields[5] == inode:
            return _process(int(fields[4]))
    return None


def _process(pid: int) -> str:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        user = _user(os.stat(f"/proc/{pid}").st_uid)
    except OSError:
        return f"pid {pid}"
    return f"pid {pid}, user {user}: {command[:80]}"


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)
