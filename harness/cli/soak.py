"""``hil soak --cycles N``: the failover soak outside pytest (argument parsing and wiring only;
the cycles are :mod:`harness.procedures.soak`, the reports :mod:`harness.reporting.soak_report`)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from harness.cli.locks import driving
from harness.errors import HilError
from harness.lab.access import LabChassis
from harness.procedures.soak import LABELS, PHASES, Soak, SoakCycle, SoakResult
from harness.reporting.soak_report import write_soak_reports
from harness.testbed.schema import default_testbed, load_testbed

SHORT = {phase: phase for phase in PHASES}


def add_soak_command(sub, testbed_options) -> None:
    """``hil soak --cycles N [--reports DIR]`` plus the testbed options."""
    soak = sub.add_parser("soak", help="fail over N times in a row; phase-time percentiles, JUnit per cycle")
    testbed_options(soak)
    soak.add_argument("--cycles", type=_cycles, required=True, metavar="N", help="how many failovers (1 or more)")
    soak.add_argument(
        "--reports",
        type=Path,
        default=Path("reports/soak"),
        help="folder for report.html, distribution.svg, junit.xml, cycle-NNN.log (default: reports/soak)",
    )
    soak.set_defaults(handler=soak_command)


def _cycles(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of cycles (1 or more)")
    return value


def soak_command(args: argparse.Namespace) -> int:
    """Open the chassis, bring it to baseline, run the cycles; reports after every cycle and at
    the end, also when interrupted (Ctrl-C) or stopped early."""
    testbed = load_testbed(args.testbed) if args.testbed else default_testbed()
    spec = testbed.select(args.chassis)
    folder: Path = args.reports
    with driving(testbed, spec, folder, args.virtual):  # a run's chassis and reports are not the soak's
        return _soak(spec, folder, args)


def _soak(spec, folder: Path, args: argparse.Namespace) -> int:
    lab = LabChassis(spec, folder, force_virtual=args.virtual)
    started = time.monotonic()
    soak = Soak(lab.chassis, args.cycles, folder, listeners=[_event_printer(started)], limits=spec.limits)
    print(
        f"soak of {args.cycles} cycles on {spec.name} ({lab.chassis.access.backend}); "
        f"{soak.result.speed_note()}; reports in {folder}/"
    )
    try:
        try:
            lab.ensure_baseline()
        except HilError as error:  # fail closed: not one cycle on a chassis not in sync
            soak.result.stopped = f"chassis {spec.name} not usable before cycle 1: {error}"
        if not soak.result.stopped:
            soak.run(after_cycle=lambda cycle: _after_cycle(soak.result, cycle, folder, started))
    finally:
        paths = write_soak_reports(soak.result, folder)
        lab.close()
        _summary(soak.result, paths)
    return 0 if soak.result.passed else 1


def _event_printer(started: float):
    def show(event) -> None:
        print(f"  [{_clock(started)}] {event.name} {event.detail}".rstrip(), flush=True)

    return show


def _after_cycle(result: SoakResult, cycle: SoakCycle, folder: Path, started: float) -> None:
    times = "  ".join(f"{SHORT[p]} {cycle.durations[p]:.1f} s" for p in PHASES if p in cycle.durations)
    line = f"cycle {cycle.number:03d}/{result.asked:03d} [{_clock(started)}] {cycle.outcome.upper()}  {times}"
    print(line if cycle.passed else f"{line}\n    {cycle.verdict}\n    transcript: {cycle.log}", flush=True)
    write_soak_reports(result, folder)


def _summary(result: SoakResult, paths: dict[str, Path]) -> None:
    print(f"soak on {result.chassis}: {result.summary()}; {result.speed_note()}")
    for s in result.statistics():
        if s.count:
            print(
                f"  {LABELS[s.phase]:<24} p50 {s.p50:8.2f} s   p95 {s.p95:8.2f} s   max {s.max:8.2f} s   ({s.count} cycles)"
            )
    print(f"report: {paths['report']}   JUnit XML: {paths['junit']}", flush=True)


def _clock(started: float) -> str:
    seconds = int(time.monotonic() - started)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
