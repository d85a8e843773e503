"""Benchmark 7: the offline plan run (``hil run``, every plan on the embedded virtual chassis)
and the project's test suite (the README's command), timed wall clock as a user runs them."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT, Row, limit_row

OFFLINE_LIMIT = 15.0  # seconds
SUITE_LIMIT = 120.0  # seconds
#: The README's test command (Quick start, step 2), run from the project's folder.
SUITE = ("-m", "pytest", "-n", "auto")


def _timed_run(argv: list[str], cwd: Path, timeout: float) -> tuple[float, subprocess.CompletedProcess]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    started = time.perf_counter()
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, preexec_fn=_default_sigint
    )
    return time.perf_counter() - started, done


def _default_sigint() -> None:
    """In the child: SIGINT acts again. A bench started in the background of a shell inherits
    SIGINT ignored and would pass that on, and the suite's test of Ctrl-C on ``hil run`` fails."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _last_line(done: subprocess.CompletedProcess) -> str:
    lines = done.stdout.strip().splitlines()
    return lines[-1].strip("= ") if lines else "no output"


def offline_rows(work: Path, runs: int = 3) -> list[Row]:
    """``hil run`` ``runs`` times, each in a fresh folder: the median wall time."""
    seconds, summary = [], ""
    for number in range(runs):
        folder = work / f"offline-{number}"
        folder.mkdir(parents=True)
        took, done = _timed_run([sys.executable, "-m", "harness.cli", "run"], folder, 600)
        if done.returncode != 0:
            raise RuntimeError(f"hil run failed ({_last_line(done)}); see {folder / 'reports'}")
        seconds.append(took)
        summary = _last_line(done)
    measure = f"hil run, all plans, offline: wall time, median of {runs} ({summary})"
    return [limit_row("7", measure, statistics.median(seconds), OFFLINE_LIMIT)]


def suite_rows() -> list[Row]:
    """The README's test command once, from the project's folder, and the load beside it: the
    machine's 1-minute load average before the run (others' work) and after it (with ours)."""
    before = os.getloadavg()[0]
    took, done = _timed_run([sys.executable, *SUITE], ROOT, 1800)
    after = os.getloadavg()[0]
    failed = [line.split(" - ")[0] for line in done.stdout.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    outcome = _last_line(done) if done.returncode == 0 else f"{_last_line(done)}: {'; '.join(failed)}"
    load = f"load {before:.1f} before, {after:.1f} at the end, {os.cpu_count()} cores"
    measure = f"test suite, `python {' '.join(SUITE)}`: wall time ({outcome}; {load})"
    return [limit_row("7", measure, took, SUITE_LIMIT)]
