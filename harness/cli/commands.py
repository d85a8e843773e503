"""The work behind each ``hil`` subcommand (argument parsing is in ``harness.cli``)."""

from __future__ import annotations

import importlib.util
from contextlib import contextmanager
from pathlib import Path

from drivers.errors import LoginFailed
from harness.cli import image as image_cli
from harness.cli.check import CHECK_FOLDER
from harness.cli.locks import driving
from harness.errors import HilError
from harness.lab.access import LabChassis
from harness.procedures.failover import relinquish_primary
from harness.reporting.junit import write_failover_junit
from harness.reporting.limits import missed_limits
from harness.testbed.schema import default_testbed, load_testbed

PYTEST_EXIT = {0: 0, 1: 1, 5: 1, 2: 130}  # 2: interrupted (SIGINT); anything else (usage, internal error) -> 2


def _testbed(args):
    return load_testbed(args.testbed) if args.testbed else default_testbed()


def default_plans() -> Path:
    """The plans installed with the harness (the ``testplans`` package), wherever the run starts;
    found without importing it, so pytest imports (and rewrites) it first."""
    spec = importlib.util.find_spec("testplans")
    assert spec is not None and spec.origin is not None, "the testplans package is installed with the harness"
    return Path(spec.origin).resolve().parent


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
        # pytest marks the plugin's own packages for assertion rewriting, and hil has imported them
        # already (not the plans: pytest imports, and rewrites, them at collection)
        *(f"-Wignore:{ALREADY_IMPORTED}{package}:pytest.PytestAssertRewriteWarning" for package in IMPORTED_BY_HIL),
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


#: pytest's warning about the plugin's packages, which ``hil run`` imported before pytest started
#: (pytest takes a -W message literally, as a prefix).
ALREADY_IMPORTED = "Module already imported so cannot be rewritten; "
IMPORTED_BY_HIL = ("harness", "drivers", "virtual_chassis")
#: Where ``hil virtual``'s emulator logs (what its dependencies print or warn included) unless told.
VIRTUAL_LOG = Path("reports") / "virtual.log"


def virtual(args) -> int:
    """``hil virtual``: run an emulator in the foreground; it prints how to reach it. With
    ``--export`` it is also registered as a labgrid place (:mod:`harness.lab.labgrid.export`)."""
    emulator_args = [a for a in args.emulator_args if a != "--"]
    emulator_args = ["--replay", *map(str, args.replay), *emulator_args] if args.replay else emulator_args
    if not {"--log", "-h", "--help"} & set(emulator_args):  # a person's terminal gets the banner, no noise
        emulator_args = ["--log", str(VIRTUAL_LOG), *emulator_args]
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
    """``hil check``: reach every endpoint of each chassis, show roles and sync state; the exit
    status a CI gates on (:mod:`harness.cli.check`)."""
    from harness.cli.check import check_one, report

    testbed = _testbed(args)
    names = [args.chassis] if args.chassis else list(testbed.chassis)
    say = (lambda line: None) if args.json else (lambda line: print(line, flush=True))
    results = []
    for name in names:
        with held(testbed.select(name), args) as (spec, power), driving(testbed, spec, CHECK_FOLDER, args.virtual):
            results.append(check_one(spec, args.virtual, args.timeout, power, say))
    return report(results, args.json)


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


def failover(args) -> int:
    """``hil failover``: the whole procedure on one chassis, steps to JUnit XML."""
    testbed = _testbed(args)
    with held(testbed.select(args.chassis), args) as (spec, power):
        with driving(testbed, spec, args.junit.parent, args.virtual):  # the folder and the chassis are its own
            return _failover(spec, power, args)


def _failover(spec, power, args) -> int:
    lab = LabChassis(spec, args.junit.parent, force_virtual=args.virtual, power=power)
    lab.chassis.timeline.listeners.append(_print_event)
    outcome, error = None, None
    try:
        outcome = relinquish_primary(lab.chassis, force=args.force)
        error = missed_limits(lab.chassis, spec.limits)  # the limits of every plan, by default
    except HilError as caught:
        error = caught
    finally:
        lab.close()
        write_failover_junit(args.junit, lab.chassis, outcome, error)
    if isinstance(error, LoginFailed):
        raise error  # one line and status 2, like an unreachable chassis (harness.cli.main)
    if error is not None and outcome is not None and outcome.completed:
        print(f"{spec.name}: {error}")
    print(f"{spec.name}: {outcome.conclusion if outcome else f'failed: {error}'}")
    print(f"JUnit XML: {args.junit}")
    return 0 if outcome is not None and outcome.completed and error is None else 1


def _print_event(event) -> None:
    ended = "; ".join(f"{label} {seconds:.1f} s" for label, seconds in event.ends)
    print(f"  {event.name} {event.detail}".rstrip() + (f" ({ended})" if ended else ""), flush=True)
