"""The work behind each ``hil`` subcommand (argument parsing is in ``harness.cli``)."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from harness.cli import image as image_cli
from harness.cli.locks import driving
from harness.errors import HilError
from harness.lab.access import LabChassis, unreachable
from harness.lab.chassis import MSMS, SSH
from harness.procedures.failover import relinquish_primary
from harness.procedures.sync import check_sync
from harness.reporting.junit import write_failover_junit
from harness.testbed.schema import default_testbed, load_testbed

CHECK_FOLDER = Path("reports") / "check"
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

    testbed = _testbed(args)  # a broken testbed file stops here with status 2
    if args.chassis:
        testbed.select(args.chassis)  # so does a chassis it does not name
    argv = [
        str(args.plans or default_plans()),
        "-v",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:labgrid",  # labgrid's own pytest plugin (its log formats, its options) is not used by the plans
        "-p",
        "no:hypothesispytest",  # the plans use no Hypothesis; its plugin costs ~1 s to import
        f"--hil-workdir={args.reports}",  # the plugin writes report.html and junit.xml there
    ]
    argv += [f"--testbed={args.testbed}"] if args.testbed else []
    argv += [f"--chassis={args.chassis}"] if args.chassis else []
    argv += ["--virtual"] if args.virtual else []
    argv += [f"--lg-coordinator={args.lg_coordinator}"] if args.lg_coordinator else []
    argv += [f"--lg-tags={args.lg_tags}"] if args.lg_tags else []
    argv += [f"--lg-wait={args.lg_wait:g}"] if args.lg_wait is not None else []
    argv += ["--require-hardware"] if args.require_hardware else []
    argv += image_cli.run_arguments(args)
    argv += ["-n", args.numprocesses] if args.numprocesses else []
    for option in ("lock_dir", "pool_wait", "pool_full"):
        value = getattr(args, option)
        argv += [f"--{option.replace('_', '-')}={value}"] if value is not None else []
    argv += [a for a in args.pytest_args if a != "--"]
    return PYTEST_EXIT.get(int(pytest.main(argv)), 2)


def virtual(args) -> int:
    """``hil virtual``: run an emulator in the foreground; it prints how to reach it. With
    ``--export`` it is also registered as a labgrid place (:mod:`harness.lab.labgrid.export`)."""
    emulator_args = [a for a in args.emulator_args if a != "--"]
    emulator_args = ["--replay", *map(str, args.replay), *emulator_args] if args.replay else emulator_args
    if args.export:
        from harness.lab.labgrid.export import export_virtual

        return export_virtual(args.lg_coordinator, args.place, args.lg_tags, emulator_args)
    from virtual_chassis.api import main as emulator

    if {"-h", "--help"} & set(emulator_args):
        print(
            "hil virtual [--replay FILE...] [--export [--lg-coordinator HOST[:PORT]] [--place NAME] "
            "[--lg-tags KEY=VALUE,...]] [OPTIONS]\n"
            "start a virtual chassis in the foreground (Ctrl-C stops it); --replay serves recordings instead, "
            "--export also registers it as a labgrid place; the emulator's OPTIONS:\n",
            flush=True,
        )
    return emulator(emulator_args)


def check(args) -> int:
    """``hil check``: reach every endpoint of each chassis, show roles and sync state."""
    testbed = _testbed(args)
    names = [args.chassis] if args.chassis else list(testbed.chassis)
    failures = 0
    for name in names:
        with held(testbed.select(name), args) as (spec, power), driving(testbed, spec, CHECK_FOLDER, args.virtual):
            failures += _check_one(spec, args.virtual, args.timeout, power)
    return 1 if failures else 0


@contextmanager
def held(spec, args):
    """``(spec, power)`` of a testbed chassis; a labgrid place is acquired meanwhile (and released)."""
    if spec.labgrid is None or args.virtual:
        yield spec, None
        return
    from harness.lab.labgrid import coordinator_address
    from harness.lab.labgrid.claim import DEFAULT_WAIT, hold_place

    address = coordinator_address(args.lg_coordinator)
    if address is None:
        raise HilError(
            f"chassis {spec.name} is a labgrid place: name its coordinator with --lg-coordinator or LG_COORDINATOR"
        )
    claim = hold_place(address, spec, DEFAULT_WAIT, lambda line: print(line, flush=True))
    try:
        yield claim.spec, claim.power
    finally:
        claim.release()


def _check_one(spec, force_virtual: bool, timeout: float = 30.0, power=None) -> int:
    print(f"chassis {spec.name} ({'virtual' if force_virtual else spec.type})")
    if spec.type == "real" and not force_virtual:
        problem = unreachable(spec)
        if problem:
            print(f"  UNREACHABLE  {problem} (fallback: {spec.fallback})")
            return 1
    failures = 0
    lab = LabChassis(spec, CHECK_FOLDER, force_virtual=force_virtual, power=power)
    # a console that accepts and never answers fails within the timeout, saying what it waited for
    lab.chassis.access = replace(lab.chassis.access, max_deadline=timeout)
    print(f"  each endpoint gets {timeout:g} s to connect, log in and answer (--timeout)", flush=True)
    try:
        for where in (SSH, *MSMS):
            try:
                status = lab.chassis.show_switch(where)
                print(f"  ok    {where:<6} {status.describe()}")
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
    testbed = _testbed(args)
    with held(testbed.select(args.chassis), args) as (spec, power):
        with driving(testbed, spec, args.junit.parent, args.virtual):  # the folder and the chassis are its own
            return _failover(spec, power, args)


def _failover(spec, power, args) -> int:
    lab = LabChassis(spec, args.junit.parent, force_virtual=args.virtual, power=power)
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
