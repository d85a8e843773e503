"""``hil``: run the plans, start a virtual chassis, preflight a testbed, fail over, soak, build images.

Exit status: 0 success, 1 a plan failed, 2 bad usage, a broken testbed file or an unusable
chassis (unreachable, login refused), 3 (hil check) reachable but not in sync, 130 interrupted
(Ctrl-C, SIGTERM or SIGHUP): the reports hold what ran until then.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.cli.quiet import dependency_warnings_to_log

dependency_warnings_to_log()  # before any dependency is imported: its warnings go to a log, not here

from drivers.errors import LoginFailed  # noqa: E402 (after the line above, by design)
from harness import signals  # noqa: E402
from harness.errors import HilError, InUse, TestbedError  # noqa: E402

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    argv = sys.argv[1:] if argv is None else argv
    if not argv:  # bare `hil`: what it can do
        parser.print_help()
        return EXIT_OK
    if argv[0] == "virtual":  # what hil does not know is the emulator's, --help included
        args, rest = parser.parse_known_args(argv)
        args.emulator_args = [a for a in rest if a != "--"]
    else:
        args = parser.parse_args(argv)
    previous = signals.interrupt_on_termination()  # SIGTERM/SIGHUP end a command as Ctrl-C does
    try:
        return args.handler(args)
    except (TestbedError, LoginFailed, InUse) as error:  # a refused login or a held chassis: unusable
        print(f"hil: {error}", file=sys.stderr)
        return EXIT_USAGE
    except HilError as error:
        print(f"hil: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("hil: interrupted", file=sys.stderr)
        return 130
    finally:
        signals.restore(previous)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hil",
        description=__doc__.splitlines()[0].replace("``", ""),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    from harness.cli import commands as c
    from harness.cli import image as image_cli
    from harness.cli import replay as replay_cli
    from harness.cli import soak as soak_cli

    run = sub.add_parser(
        "run",
        help="run the test plans; reports into reports/",
        description=RUN_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _testbed_options(run)
    run.add_argument("--plans", type=Path, help="folder of plans (default: the project's testplans/)")
    run.add_argument(
        "--reports",
        type=Path,
        default=Path("reports"),
        help="report folder, cleared of the previous run's report.html, junit.xml, transcripts/, tftp/ (default: reports)",
    )
    run.add_argument(
        "--require-hardware",
        action="store_true",
        help="fail instead of running on a fallback when a named real chassis is unreachable",
    )
    pool = run.add_argument_group("chassis pool (several chassis of the testbed at once)")
    pool.add_argument(
        "-n",
        "--numprocesses",
        metavar="N",
        help="pytest-xdist workers, each on its own chassis of the testbed (or 'auto')",
    )
    pool.add_argument(
        "--lock-dir", type=Path, help="chassis locks; share it between hosts (default: ~/.cache/xcm8800-hil/locks)"
    )
    pool.add_argument(
        "--pool-wait", metavar="SECONDS", type=float, help="how long a worker waits for a free chassis (default 600)"
    )
    pool.add_argument(
        "--pool-full", choices=("wait", "skip"), help="when every chassis is taken: wait (default) or skip"
    )
    pool.add_argument(
        "--lg-tags", metavar="KEY=VALUE[,...]", help="take free labgrid places with these tags, one per worker"
    )
    pool.add_argument("--lg-wait", metavar="SECONDS", type=float, help="how long to wait for a taken labgrid place")
    run.add_argument("pytest_args", nargs=argparse.REMAINDER, help="more pytest arguments, after --")
    image_cli.add_run_options(run)
    run.set_defaults(handler=c.run)
    virtual = sub.add_parser(
        "virtual",
        help="start a virtual chassis and print how to reach it (hil virtual --help: its options)",
        add_help=False,  # --help goes to the emulator, which lists its own options
    )
    virtual.add_argument(
        "--export",
        action="store_true",
        help="register it as a labgrid place on the coordinator (--lg-coordinator or LG_COORDINATOR)",
    )
    virtual.add_argument("--lg-coordinator", metavar="HOST[:PORT]", help="labgrid coordinator for --export")
    virtual.add_argument("--place", help="the place's name for --export (default: the chassis's name)")
    virtual.add_argument("--lg-tags", metavar="KEY=VALUE[,...]", help="tags of the exported place")
    virtual.add_argument(
        "--replay",
        nargs="+",
        default=[],
        metavar="FILE",
        help="serve recordings (reports/recordings/*.jsonl) as a device on the usual endpoints",
    )
    virtual.set_defaults(handler=c.virtual)
    from harness.cli.check import DESCRIPTION as CHECK_DESCRIPTION

    check = sub.add_parser(
        "check",
        help="reach every endpoint of a testbed; show roles and sync state (exit 0 in sync, 3 not, 2 unusable)",
        description=CHECK_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _testbed_options(check)
    check.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long each endpoint may take to connect, log in and answer (default 30)",
    )
    check.add_argument("--json", action="store_true", help="one JSON object (status, exit, each chassis) on stdout")
    check.set_defaults(handler=c.check)
    failover = sub.add_parser("failover", help="the manual's sync-and-failover procedure, outside pytest")
    _testbed_options(failover)
    failover.add_argument("--force", action="store_true", help="run msm-failover force")
    failover.add_argument(
        "--junit",
        type=Path,
        default=Path("reports/failover-junit.xml"),
        help="JUnit XML of the steps (default: reports/failover-junit.xml)",
    )
    failover.set_defaults(handler=c.failover)
    image_cli.add_image_command(sub)
    replay_cli.add_replay_commands(sub)
    soak_cli.add_soak_command(sub, _testbed_options)
    return parser


RUN_DESCRIPTION = """\
Run the test plans (pytest over testplans/) on the chassis of a testbed, or on one virtual
chassis when no testbed is given. Prints each phase with the time since the run began and a
heartbeat during long waits; leaves report.html (timeline picture, steps, transcript per plan),
junit.xml and transcripts/ (one merged log per chassis) in the reports folder.

Exit status: 0 every plan passed, 1 a plan failed, 2 bad usage, a broken testbed or an
unreachable chassis, 130 interrupted."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xcm8800-hil")
    except PackageNotFoundError:
        return "(not installed)"


def _testbed_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--testbed", type=Path, help="testbed YAML (default: one virtual chassis)")
    parser.add_argument("--chassis", help="chassis name in the testbed (default: all for check, else the first)")
    parser.add_argument("--virtual", action="store_true", help="use a virtual chassis instead of a real one")
    parser.add_argument(
        "--lg-coordinator", metavar="HOST[:PORT]", help="labgrid coordinator of the places (default: LG_COORDINATOR)"
    )
