"""The work behind each ``hil`` subcommand (argument parsing is in ``harness.cli``)."""

from __future__ import annotations

from pathlib import Path

from harness.cli import image as image_cli
from harness.errors import HilError
from harness.lab.access import LabChassis, unreachable
from harness.lab.chassis import MSMS, SSH
from harness.procedures.failover import relinquish_primary
from harness.procedures.sync import check_sync
from harness.reporting.junit import write_failover_junit
from harness.testbed.schema import default_testbed, load_testbed

PYTEST_EXIT = {0: 0, 1: 1, 5: 1, 2: 130}  # 2: interrupted (SIGINT); anything else (usage, internal error) -> 2


def _testbed(args):
    return load_testbed(args.testbed) if args.testbed else default_testbed()


def default_plans() -> Path:
    """The plans installed with the harness (the ``testplans`` package), wherever the run starts."""
    import testplans

    return Path(testplans.__file__).resolve().parent


def run(args) -> int:
    """``hil run``: pytest over the plans with the HTML report, JUnit XML and transcripts."""
    import pytest

    _testbed(args)  # a broken testbed file stops here with status 2
    reports = args.reports
    reports.mkdir(parents=True, exist_ok=True)
    argv = [
        str(args.plans or default_plans()),
        "-v",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:hypothesispytest",  # the plans use no Hypothesis; its plugin costs ~1 s to import
        f"--html={reports / 'report.html'}",
        "--self-contained-html",
        f"--junitxml={reports / 'junit.xml'}",
        "-o",
        "junit_family=xunit1",
        f"--hil-workdir={reports}",
    ]
    argv += [f"--testbed={args.testbed}"] if args.testbed else []
    argv += [f"--chassis={args.chassis}"] if args.chassis else []
    argv += ["--virtual"] if args.virtual else []
    argv += image_cli.run_arguments(args)
    argv += ["-n", args.numprocesses] if args.numprocesses else []
    argv += [a for a in args.pytest_args if a != "--"]
    return PYTEST_EXIT.get(int(pytest.main(argv)), 2)


def virtual(args) -> int:
    """``hil virtual``: run an emulator in the foreground; it prints how to reach it."""
    from virtual_chassis.api import main as emulator

    return emulator([a for a in args.emulator_args if a != "--"])


def check(args) -> int:
    """``hil check``: reach every endpoint of each chassis, show roles and sync state."""
    testbed = _testbed(args)
    names = [args.chassis] if args.chassis else list(testbed.chassis)
    failures = 0
    for name in names:
        spec = testbed.select(name)
        failures += _check_one(spec, args.virtual)
    return 1 if failures else 0


def _check_one(spec, force_virtual: bool) -> int:
    print(f"chassis {spec.name} ({'virtual' if force_virtual else spec.type})")
    if spec.type == "real" and not force_virtual:
        problem = unreachable(spec)
        if problem:
            print(f"  UNREACHABLE  {problem} (fallback: {spec.fallback})")
            return 1
    failures = 0
    lab = LabChassis(spec, Path("reports") / "check", force_virtual=force_virtual)
    try:
        for where in (SSH, *MSMS):
            try:
                status = lab.chassis.show_switch(where)
                print(f"  ok    {where:<6} {lab.chassis.describe(status)}")
            except HilError as error:
                failures += 1
                print(f"  FAIL  {where:<6} {error}")
        if not failures:
            print(f"  verdict: {check_sync(lab.chassis)}")
    finally:
        lab.close()
    return failures


def failover(args) -> int:
    """``hil failover``: the whole procedure on one chassis, steps to JUnit XML."""
    spec = _testbed(args).select(args.chassis)
    lab = LabChassis(spec, args.junit.parent, force_virtual=args.virtual)
    lab.chassis.timeline.listeners.append(lambda e: print(f"  {e.name} {e.detail}", flush=True))
    outcome, error = None, None
    try:
        outcome = relinquish_primary(lab.chassis, force=args.force)
    except HilError as caught:
        error = caught
    finally:
        lab.close()
        write_failover_junit(args.junit, lab.chassis, outcome, error)
    print(f"{spec.name}: {outcome.conclusion if outcome else f'failed: {error}'}")
    print(f"JUnit XML: {args.junit}")
    return 0 if outcome is not None and outcome.completed else 1
