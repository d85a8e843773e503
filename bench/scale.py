"""Benchmark 5: many virtual chassis in one emulator process (memory and CPU, idle and while
each fails over), and the failover plan over a pool of chassis with ``pytest -n 4``."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import asyncssh

from bench.common import ROOT, Emulator, Row, limit_row, sec, timed
from drivers.deadline import Deadline
from virtual_chassis.api import ControlClient

RSS_LIMIT = 1 << 30  # 32 chassis in one process
POOL_LIMIT = 2.0  # -n 4 over 4 chassis, x a single-chassis run
IDLE_WINDOW = 3.0  # seconds of idle CPU measured
FAILOVER_PLAN = ("testplans/test_sync_failover.py", "test_step3_in_sync_then_failover")
_TICK = os.sysconf("SC_CLK_TCK")


def rss(pid: int) -> int:
    """Resident memory of a process, in bytes."""
    return _status(pid, "VmRSS")


def peak_rss(pid: int) -> int:
    return _status(pid, "VmHWM")


def _status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(key)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


async def _fail_over(endpoints: dict) -> None:
    ssh = endpoints["ssh"]
    async with asyncssh.connect(
        ssh["host"], ssh["port"], username=endpoints["username"], password="", known_hosts=None
    ) as conn:
        await conn.run("run msm-failover")


def _all_back_in_sync(chassis: list[dict], deadline: Deadline) -> None:
    controls = [ControlClient(c["control"]["host"], c["control"]["port"], c["control"]["token"]) for c in chassis]
    pending = list(controls)
    while pending:
        if deadline.expired:
            raise TimeoutError(f"{len(pending)} chassis not back in sync within {deadline.seconds:g} s")
        pending = [c for c in pending if not _failed_over_and_in_sync(c.status())]
        time.sleep(0.02)  # pacing of this measurement loop


def _failed_over_and_in_sync(status: dict) -> bool:
    return status["master"] == "MSM-B" and status["msms"]["MSM-A"]["display"] == "BACKUP (In Sync)"


def chassis_rows(count: int) -> list[Row]:
    """RSS and CPU of one emulator process with ``count`` chassis, idle and failing over."""
    with Emulator("--speed", "100", count=count, deadline=300) as emulator:
        pid = emulator.pid
        time.sleep(1.0)  # let start-up settle before measuring idle
        idle_rss, cpu0 = rss(pid), cpu_seconds(pid)
        time.sleep(IDLE_WINDOW)
        idle_cpu = (cpu_seconds(pid) - cpu0) / IDLE_WINDOW
        cpu0, started = cpu_seconds(pid), time.perf_counter()

        async def all_fail_over() -> None:
            await asyncio.gather(*(_fail_over(c) for c in emulator.chassis))

        asyncio.run(all_fail_over())
        _all_back_in_sync(emulator.chassis, Deadline(120))
        busy = time.perf_counter() - started
        busy_cpu = (cpu_seconds(pid) - cpu0) / busy
        peak = peak_rss(pid)
    section, what = "5", f"{count} chassis in one process"
    return [
        limit_row(section, f"{what}: RSS idle", idle_rss, RSS_LIMIT if count == 32 else None, fmt=_mib),
        limit_row(
            section,
            f"{what}: peak RSS (after every chassis failed over)",
            peak,
            RSS_LIMIT if count == 32 else None,
            fmt=_mib,
        ),
        limit_row(section, f"{what}: CPU idle (share of one core)", idle_cpu, None, fmt=_percent),
        limit_row(section, f"{what}: CPU while all fail over at once", busy_cpu, None, fmt=_percent),
        limit_row(section, f"{what}: all failed over and back In Sync", busy, None),
    ]


def _mib(size: float | None) -> str:
    return "—" if size is None else f"{size / (1 << 20):.0f} MiB"


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f} %"


def _testbed(path: Path, count: int, speed: float) -> Path:
    path.write_text(
        "chassis:\n"
        + "".join(f"  vc{n}:\n    type: virtual\n    virtual: {{speed: {speed:g}}}\n" for n in range(1, count + 1))
    )
    return path


#: Hypothesis (a test extra of this repository, not installed for users) loads its pytest plugin
#: into every process: 0.9 s of CPU each, 1.2 s of the 1.8 s a worker needs to start here.
WITHOUT_DEV_PLUGINS = ("-p", "no:hypothesispytest")


def _pytest(work: Path, name: str, testbed: Path, plans: int, workers: int, *options: str) -> float:
    """Wall time of one pytest run of the failover plan, ``plans`` times, on ``workers`` workers."""
    path, plan = FAILOVER_PLAN  # a file given N times runs N times (node ids would not)
    command = [
        sys.executable,
        "-m",
        "pytest",
        *[path] * plans,
        "--keep-duplicates",
        "-k",
        plan,
        "-q",
        "-p",
        "no:cacheprovider",
        f"--testbed={testbed}",
        f"--hil-workdir={work / name}",
        f"--lock-dir={work / 'locks'}",
        *options,
    ]
    command += ["-n", str(workers)] if workers > 1 else ["-p", "no:xdist"]
    seconds, done = timed(lambda: subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600))
    if done.returncode != 0 or not re.search(rf"\b{plans} passed\b", done.stdout):
        raise RuntimeError(f"{name}: pytest did not pass {plans} plans:\n{done.stdout[-3000:]}")
    return seconds


#: (label, pytest options, speed factor, also run x4 on one chassis)
POOL_RUNS = (
    ("", WITHOUT_DEV_PLUGINS, 100.0, True),
    (", hypothesis plugin loaded", (), 100.0, True),
    (", speed factor 10", WITHOUT_DEV_PLUGINS, 10.0, False),
)


def pool_rows(work: Path) -> list[Row]:
    """The failover plan once on one chassis, 4 times on one chassis, 4 times with -n 4 over 4
    chassis: as users run it; with the dev-only hypothesis plugin loaded in every process; with
    plans that last longer (speed factor 10), so that start-up weighs less."""
    rows = []
    for how, options, speed, serially in POOL_RUNS:
        one = _testbed(work / "one.yaml", 1, speed)
        four = _testbed(work / "four.yaml", 4, speed)
        single = _pytest(work, "single", one, 1, 1, *options)
        rows.append(limit_row("5", f"failover plan x1, one chassis{how}", single, None))
        compared = "—"
        if serially:
            serial = _pytest(work, "serial", one, 4, 1, *options)
            rows.append(
                limit_row(
                    "5",
                    f"failover plan x4 one after another, one chassis{how}",
                    serial,
                    None,
                    other=f"{serial / single:.2f}x the single run",
                )
            )
        pooled = _pytest(work, "pooled", four, 4, 4, *options)
        if serially:
            compared = f"{pooled / serial:.2f}x the x4 run on one chassis"
        rows.append(
            Row(
                "5",
                f"failover plan x4, pytest -n 4 over a pool of 4 chassis{how} (floor: x1)",
                sec(pooled),
                sec(single),
                f"{pooled / single:.2f}x",
                compared,
                f"<= {POOL_LIMIT:g}x",
                "yes" if pooled <= POOL_LIMIT * single else "NO",
            )
        )
    return rows
