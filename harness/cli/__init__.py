"""``hil``: run the plans, start a virtual chassis, preflight a testbed, fail over, build images.

Exit status: 0 success, 1 a plan or check failed, 2 bad usage or a broken testbed file,
130 interrupted (Ctrl-C, SIGTERM or SIGHUP): the reports hold what ran until then.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness import signals
from harness.errors import HilError, TestbedError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    previous = signals.interrupt_on_termination()  # SIGTERM/SIGHUP end a command as Ctrl-C does
    try:
        return args.handler(args)
    except TestbedError as error:
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
    parser = argparse.ArgumentParser(prog="hil", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    from harness.cli import commands as c
    from harness.cli import image as image_cli

    run = sub.add_parser("run", help="run the test plans; reports into reports/")
    _testbed_options(run)
    run.add_argument("--plans", type=Path, help="folder of plans (default: the project's testplans/)")
    run.add_argument("--reports", type=Path, default=Path("reports"), help="report folder (default: reports)")
    run.add_argument(
        "-n",
        "--numprocesses",
        metavar="N",
        help="pytest-xdist workers, each on its own chassis of the testbed (or 'auto')",
    )
    run.add_argument("pytest_args", nargs=argparse.REMAINDER, help="more pytest arguments, after --")
    image_cli.add_run_options(run)
    run.set_defaults(handler=c.run)
    virtual = sub.add_parser("virtual", help="start a virtual chassis and print how to reach it")
    virtual.add_argument(
        "emulator_args", nargs=argparse.REMAINDER, help="options of python -m virtual_chassis (e.g. --speed 10)"
    )
    virtual.set_defaults(handler=c.virtual)
    check = sub.add_parser("check", help="reach every endpoint of a testbed; show roles and sync state")
    _testbed_options(check)
    check.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long each endpoint may take to connect, log in and answer (default 30)",
    )
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
    return parser


def _testbed_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--testbed", type=Path, help="testbed YAML (default: one virtual chassis)")
    parser.add_argument("--chassis", help="chassis name in the testbed (default: all for check, else the first)")
    parser.add_argument("--virtual", action="store_true", help="use a virtual chassis instead of a real one")
