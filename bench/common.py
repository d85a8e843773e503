"""What every benchmark uses: an emulator child process, figures from samples, table rows."""

from __future__ import annotations

import json
import os
import selectors
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from drivers.deadline import Deadline
from harness.lab.virtual import stop_child

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
PROMPT = rb"(?:^|[\r\n])(?:\* )?(?:! )?[\w\-.~()]+\.\d+ [#>] \Z"


class Emulator:
    """``python -m virtual_chassis ARGS`` as a child; ``chassis`` holds one JSON line per chassis."""

    def __init__(self, *args: str, count: int = 1, deadline: float = 120.0):
        command = [sys.executable, "-m", "virtual_chassis", *args]
        command += ["--count", str(count)] if count > 1 else []
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            self.chassis = [json.loads(line) for line in self._lines(count, Deadline(deadline))]
        except BaseException:
            self.stop()
            raise

    def _lines(self, count: int, deadline: Deadline) -> list[str]:
        assert self.process.stdout is not None  # a pipe, asked for at the start
        buffer, fd = b"", self.process.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while buffer.count(b"\n") < count:
                if deadline.expired or not selector.select(deadline.remaining()):
                    raise RuntimeError(f"the emulator printed no endpoints within {deadline.seconds:g} s")
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise RuntimeError("the emulator exited before printing its endpoints")
                buffer += chunk
        return buffer.decode().splitlines()[:count]

    @property
    def endpoints(self) -> dict:
        """The first (or only) chassis."""
        return self.chassis[0]

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        stop_child(self.process, 10.0)
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass(frozen=True)
class Figures:
    """Median and 95th percentile of timing samples, in seconds."""

    median: float
    p95: float
    count: int

    @classmethod
    def of(cls, samples: list[float]) -> Figures:
        ordered = sorted(samples)
        return cls(statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)], len(ordered))


#: Before round trips are timed: time for sessions closed after the login figures to go away,
#: then this many untimed commands (the same for every client compared).
SETTLE, WARM_UP = 0.5, 20


@contextmanager
def emulator_apart(emulator: Emulator) -> Iterator[str]:
    """The emulator on the last CPU, this process (the clients, and the ssh clients it starts)
    on the others, as a real MSM answers from its own CPU; yields what was done, for the table.

    A diagnostic (``python -m bench --pin-emulator``): by default the kernel may wake the
    emulator on the CPU of the client that just sent it a command."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        raise SystemExit("--pin-emulator needs at least 2 CPUs")
    os.sched_setaffinity(emulator.pid, {cpus[-1]})
    os.sched_setaffinity(0, set(cpus[:-1]))
    try:
        yield f"emulator pinned to CPU {cpus[-1]}, clients to CPU {', '.join(map(str, cpus[:-1]))}"
    finally:
        os.sched_setaffinity(0, set(cpus))


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Seconds ``action()`` took, and what it returned."""
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def repeat(action, times: int) -> Figures:
    """Figures of ``times`` runs of ``action()``."""
    return Figures.of([timed(action)[0] for _ in range(times)])


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.2f} ms"


def sec(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.3f} s"


@dataclass(frozen=True)
class Row:
    """One line of the result table."""

    section: str
    measure: str
    ours: str
    floor: str = "—"
    ratio: str = "—"
    other: str = "—"
    target: str = "—"
    met: str = ""


def ratio_row(
    section: str, measure: str, ours: float, floor: float, limit: float | None, other: float | None = None, fmt=ms
) -> Row:
    """A row comparing ours with the floor; ``limit`` is the target ratio (None: no target)."""
    ratio = ours / floor if floor else float("inf")
    target = f"<= {limit:g}x" if limit else "—"
    met = "" if limit is None else ("yes" if ratio <= limit else "NO")
    return Row(
        section, measure, fmt(ours), fmt(floor), f"{ratio:.2f}x", fmt(other) if other is not None else "—", target, met
    )


def limit_row(
    section: str, measure: str, value: float, limit: float | None, fmt=sec, floor: str = "—", other: str = "—"
) -> Row:
    """A row with an absolute target (``value <= limit``)."""
    met = "" if limit is None else ("yes" if value <= limit else "NO")
    return Row(section, measure, fmt(value), floor, "—", other, f"<= {fmt(limit)}" if limit else "—", met)


HEADER = ("#", "measure", "ours", "raw floor", "ours / floor", "Netmiko / other", "target", "met")


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for r in rows:
        lines.append(
            f"| {r.section} | {r.measure} | {r.ours} | {r.floor} | {r.ratio} | {r.other} | {r.target} | {r.met} |"
        )
    return "\n".join(lines)
