"""What a ``hil`` command holds while it drives a chassis or writes a reports folder: the same
locks as ``hil run`` (:mod:`harness.lab.pool`, :mod:`harness.reporting.ownership`).

A soak and a run on one chassis at once gave each other false failures, and the soak
overwrote the run's ``junit.xml``, report and transcripts. ``hil check``, ``hil soak`` and
``hil failover`` take the reports folder's lock and the chassis's pool lock (a real chassis,
by the identity OpenSSH resolves; a virtual chassis is the command's own emulator) and stop
at once, in one line naming the holder, when either is taken.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from harness.errors import ChassisUnavailable, InUse
from harness.lab.pool import DEFAULT_LOCK_DIR, ChassisPool, PoolSettings, Worker
from harness.reporting.ownership import ReportsFolder, ReportsFolderBusy, ReportsFolderUnusable
from harness.testbed.schema import ChassisSpec, Testbed


@contextmanager
def driving(testbed: Testbed, spec: ChassisSpec, folder: Path | None, virtual: bool) -> Iterator[None]:
    """Hold ``folder`` (None: no reports folder) and ``spec``'s chassis for the ``with`` block."""
    with ExitStack() as held:
        try:
            if folder is not None:
                held.enter_context(ReportsFolder(folder))
            if spec.type == "real" and not virtual:
                settings = PoolSettings(DEFAULT_LOCK_DIR, wait=0.0)
                claim = ChassisPool(testbed, settings, Worker.from_environment(), spec.name).claim(
                    say=lambda line: None
                )
                held.callback(claim.release)
        except (ReportsFolderBusy, ReportsFolderUnusable) as busy:
            raise InUse(str(busy)) from None
        except ChassisUnavailable as taken:  # the pool's line names who holds it
            raise InUse(f"chassis {spec.name} is in use by another run: {taken}") from None
        yield
