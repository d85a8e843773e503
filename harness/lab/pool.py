"""The chassis pool: several chassis in a testbed, one per pytest-xdist worker, never two at once.

Each worker (or a run without xdist) takes the first free chassis of the testbed, starting at
its own position so that workers spread out, by taking that chassis's lock: a file lock
(:mod:`filelock`, ``flock`` underneath) in the lock directory. The operating system drops the
lock when the process ends, however it ends, so a crashed worker never leaves a chassis taken.

* A real chassis is locked by its identity, in the lock directory itself: the address and
  port OpenSSH really goes to (``ssh -G``: ``localhost`` and ``127.0.0.1`` are one chassis, an
  alias of ``~/.ssh/config`` is its ``HostName``) plus the jump path (two chassis with the same
  private address behind different jump hosts are two). Two workers or two runs on one host
  never drive it at once, whatever the testbed file calls it (between hosts a labgrid
  coordinator does that: :mod:`harness.lab.labgrid`).
* A virtual chassis is started by the worker that takes it; its lock belongs to the run (the
  xdist run id), so other runs on the same host start emulators of their own.
* With no testbed each worker gets a virtual chassis of its own (``virtual-gw0``, ...).

When every chassis is taken a worker waits, saying so, up to ``wait`` seconds (then its plans
fail with the names of the holders), or skips its plans at once (``when_full="skip"``).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock
from filelock import Timeout as LockTaken

from drivers.deadline import Deadline
from drivers.errors import ConnectionFailed
from drivers.transports.ssh_config import resolve
from harness.errors import ChassisUnavailable, HilError
from harness.lockfiles import PRIVATE, holder, make_private
from harness.testbed.schema import ChassisSpec, Testbed, virtual_spec

DEFAULT_LOCK_DIR = Path("~/.cache/xcm8800-hil/locks").expanduser()
DEFAULT_WAIT = 600.0  # seconds a worker waits for a free chassis
WHEN_FULL = ("wait", "skip")
RETRY = 0.5  # seconds between attempts while every chassis is taken
RUNS = "runs"  # lock directory subfolder for the locks of one run
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class PoolFull(HilError):
    """Every chassis of the pool is taken and the pool is set to skip (``when_full="skip"``)."""


@dataclass(frozen=True)
class PoolSettings:
    """Where the locks are and what a worker does when every chassis is taken."""

    lock_dir: Path = DEFAULT_LOCK_DIR
    wait: float = DEFAULT_WAIT
    when_full: str = "wait"


@dataclass(frozen=True)
class Worker:
    """Who takes a chassis: an xdist worker (``gw0``...) or the only process of a run."""

    name: str  # "" without xdist
    index: int
    run_id: str

    @classmethod
    def from_environment(cls, run_id: str | None = None, environ=os.environ) -> Worker:
        """This process as pytest-xdist names it (``PYTEST_XDIST_WORKER``); ``run_id`` shared
        by the workers of one run (a new one when None)."""
        name = environ.get("PYTEST_XDIST_WORKER", "")
        index = int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else 0
        return cls(name, index, run_id or uuid.uuid4().hex)

    @property
    def label(self) -> str:
        return f"worker {self.name}" if self.name else "this run"


class Claim:
    """A chassis taken from the pool; ``release()`` gives it back (the lock is dropped)."""

    def __init__(self, spec: ChassisSpec, lock: FileLock, holder: Path):
        self.spec = spec
        self.lock = lock
        self.holder = holder

    @property
    def lock_path(self) -> Path:
        return Path(self.lock.lock_file)

    def release(self) -> None:
        """Give the chassis back; idempotent."""
        if self.lock.is_locked:
            self.holder.unlink(missing_ok=True)
            self.lock.release()


class ChassisPool:
    """The chassis one worker may take; see the module docstring."""

    def __init__(self, testbed: Testbed, settings: PoolSettings, worker: Worker, chassis: str | None = None):
        if settings.when_full not in WHEN_FULL:
            raise ValueError(f"when_full must be one of {WHEN_FULL}, not {settings.when_full!r}")
        self.settings = settings
        self.worker = worker
        self.specs = self._specs(testbed, chassis)
        self._identities: dict[str, str] = {}

    def _specs(self, testbed: Testbed, chassis: str | None) -> list[ChassisSpec]:
        """The candidates in the order this worker tries them (its own position first)."""
        if chassis is not None:
            return [testbed.select(chassis)]
        if testbed.path is None:  # no testbed: a virtual chassis each
            return [virtual_spec(f"virtual-{self.worker.name}" if self.worker.name else "virtual")]
        specs = list(testbed.chassis.values())
        start = self.worker.index % len(specs)
        return specs[start:] + specs[:start]

    def lock_path(self, spec: ChassisSpec) -> Path:
        """The lock file of a chassis: per management address (real), per run (virtual)."""
        if spec.labgrid is not None:  # the coordinator keeps one run per place; this lock one per run
            name = f"labgrid-{spec.labgrid.place}"
            return (
                self.settings.lock_dir / RUNS / _UNSAFE.sub("_", self.worker.run_id) / f"{_UNSAFE.sub('_', name)}.lock"
            )
        if spec.type == "real":
            identity = self.identity(spec)
            digest = hashlib.sha256(identity.encode()).hexdigest()[:12]  # the whole way, however long
            return self.settings.lock_dir / f"real-{_UNSAFE.sub('_', identity)[:80]}-{digest}.lock"
        run = self.settings.lock_dir / RUNS / _UNSAFE.sub("_", self.worker.run_id)
        return run / f"virtual-{_UNSAFE.sub('_', spec.name)}.lock"

    def identity(self, spec: ChassisSpec) -> str:
        """The chassis's identity as OpenSSH resolves its management address (see the module)."""
        if spec.name not in self._identities:
            assert spec.management is not None  # a real chassis always has one
            try:
                target = resolve(spec.management.host, spec.management.port, spec.ssh_options)
            except ConnectionFailed as failed:
                raise ChassisUnavailable(f"chassis {spec.name}: {failed}") from None
            self._identities[spec.name] = target.identity()
        return self._identities[spec.name]

    def claim(self, say: Callable[[str], None] = print) -> Claim:
        """Take the first free chassis; wait or skip when every one is taken (see the module)."""
        deadline, said = Deadline(self.settings.wait), False
        while True:
            for spec in self.specs:
                claim = self._try(spec)
                if claim is not None:
                    if said:
                        say(f"{self.worker.label}: took chassis {spec.name}")
                    return claim
            holders = self.holders()
            if self.settings.when_full == "skip":
                raise PoolFull(
                    f"{self.worker.label}: every chassis of the pool is taken ({holders}); "
                    "skipping (--pool-full skip); add chassis to the testbed or run fewer workers"
                )
            if deadline.expired:
                raise ChassisUnavailable(
                    f"{self.worker.label}: no chassis of the pool became free within "
                    f"{self.settings.wait:g} s ({holders}); wait for those runs, add chassis to the "
                    "testbed, run fewer workers (-n) or raise --pool-wait"
                )
            if not said:
                say(
                    f"{self.worker.label}: every chassis is taken ({holders}); waiting up to "
                    f"{self.settings.wait:g} s for one (--pool-wait)"
                )
                said = True
            time.sleep(min(RETRY, deadline.remaining()))  # pacing between attempts

    def _try(self, spec: ChassisSpec) -> Claim | None:
        path = self.lock_path(spec)
        path.parent.mkdir(parents=True, exist_ok=True)
        make_private(path)  # one of ours from before: others may no longer open (and lock) it
        lock = FileLock(path, timeout=0, mode=PRIVATE)
        try:
            lock.acquire()
        except (LockTaken, PermissionError):  # PermissionError: another user's lock file in a shared folder
            return None
        holder = path.with_suffix(".holder")
        written = path.with_suffix(f".holder.{os.getpid()}")
        written.write_text(
            f"{spec.name} taken by {self.worker.label} (pid {os.getpid()} on "
            f"{socket.gethostname()}) at {time.strftime('%H:%M:%S')}\n"
        )
        written.replace(holder)  # readers see the whole line or none
        return Claim(spec, lock, holder)

    def holders(self) -> str:
        """Who holds each chassis, as their holder files say."""
        said = []
        for spec in self.specs:
            path = self.lock_path(spec)
            try:
                line = path.with_suffix(".holder").read_text().strip()
            except OSError:  # taken a moment ago: the line is not there yet
                line = ""
            held_by = holder(path)  # the kernel's word: a holder line may be stale or missing
            if held_by is None or (line and f"(pid {held_by.split(',')[0][4:]} " in line):
                said.append(line or f"{spec.name} taken")
            else:
                said.append(f"{spec.name} taken by {held_by}")
        return "; ".join(said)


def remove_run_locks(settings: PoolSettings, run_id: str) -> None:
    """After a run (every worker done): remove the folder of its virtual chassis locks."""
    shutil.rmtree(settings.lock_dir / RUNS / _UNSAFE.sub("_", run_id), ignore_errors=True)
