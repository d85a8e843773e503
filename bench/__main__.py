"""``python -m bench``: run the benchmarks and print their figures as one Markdown table.

They assert nothing: each row says whether its target was met. ``--only 1,3`` runs some of
them; ``--samples`` sets how many ``show switch`` round trips are timed (default 200).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from bench.commands import console_rows, ssh_rows
from bench.common import Emulator, emulator_apart, table
from bench.intake import intake_rows
from bench.paced import paced_rows
from bench.procedure import procedure_rows
from bench.runs import offline_rows, suite_rows
from bench.scale import chassis_rows, pool_rows

SECTIONS = {
    "1": "SSH round trip: CliSession vs raw asyncssh vs Netmiko extreme_exos",
    "2": "console round trip: CliSession vs a raw pyserial read loop (pty, socket://)",
    "3": "paced console: fetch time vs wire time",
    "4": "sync-and-failover procedure at the default speed factor, detection lag",
    "5": "scale: chassis per process, the pool with pytest -n 4",
    "6": "intake: output that does not reach a prompt, 10 MB and a 1 MB line",
    "7": "the offline plan run (hil run) and the test suite, wall time",
}


def _say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; load average {load}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="1,2,3,4,5,6,7", help="which benchmarks, e.g. 1,2 (default: all)")
    parser.add_argument("--samples", type=int, default=200, help="show switch round trips timed (default 200)")
    parser.add_argument("--repeats", type=int, default=5, help="logins and large fetches timed (default 5)")
    parser.add_argument("--no-netmiko", action="store_true", help="leave Netmiko out of benchmark 1")
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    parser.add_argument(
        "--pin-emulator",
        action="store_true",
        help="benchmarks 1 and 2: the emulator on its own CPU, the clients on the others (a diagnostic)",
    )
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(sorted(unknown))}; choose from 1-7")
    work = Path(tempfile.mkdtemp(prefix="xcm-bench-"))
    before = _machine()
    rows, extra = [], []
    for section in chosen:
        _say(f"{section}. {SECTIONS[section]}")
        if section in ("1", "2"):
            with Emulator("--speed", "100", "--config-lines", "5000") as emulator, ExitStack() as pinned:
                if args.pin_emulator:
                    extra.append(f"Benchmark {section}: {pinned.enter_context(emulator_apart(emulator))}.")
                rows += (
                    ssh_rows(emulator, work, args.samples, args.repeats, not args.no_netmiko)
                    if section == "1"
                    else console_rows(emulator, work, args.samples, args.repeats)
                )
        elif section == "3":
            rows += paced_rows(work)
        elif section == "4":
            found, timelines = procedure_rows(work)
            rows += found
            extra.append(timelines)
        elif section == "5":
            for count in (1, 8, 32):
                rows += chassis_rows(count)
            rows += pool_rows(work)
        elif section == "6":
            rows += intake_rows(work)
        else:
            rows += offline_rows(work) + suite_rows()
    report = "\n\n".join([f"Machine: {before} (at the start); {_machine()} (at the end)", table(rows), *extra])
    print(report)
    if args.out:
        args.out.write_text(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
