"""``python -m virtual_chassis``: run one or more virtual NETGEAR 8800 chassis.

Prints one JSON line per chassis on stdout once everything listens, then serves until SIGTERM
or SIGINT. Human-oriented messages go to stderr. The password may come from the environment
variable ``XCM_VIRTUAL_PASSWORD`` so it need not appear on a command line; a parent process
gives it on a pipe instead (``--from-parent``: the first line of stdin), and the emulator stops
when that pipe closes, so it never outlives the process that started it. The SSH host key of
each chassis is kept per chassis name (``--host-key-dir``), so clients see the same key on every
start.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import re
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .cli.login import Accounts
from .hardware import DEFAULT_MODEL, MODELS
from .model.chassis import SYNC_MIN_RELEASE, check_version
from .model.clock import Durations
from .model.config import Refusal, RunningConfig
from .noise import quiet_dependencies

if TYPE_CHECKING:  # the servers import asyncssh: only after quiet_dependencies (main)
    from .endpoints.server import ChassisOptions, VirtualChassis

PASSWORD_ENV = "XCM_VIRTUAL_PASSWORD"
HOST_KEY_DIR = Path.home() / ".cache" / "xcm8800-hil" / "virtual-keys"
BAUD_RATES = (0, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)


def _duration(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    if name not in Durations.names():
        raise argparse.ArgumentTypeError(f"unknown duration {name!r}; known: {', '.join(Durations.names())}")
    try:
        return name, float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected NAME=SECONDS") from None


def _version(text: str) -> str:
    try:
        return check_version(text)
    except Refusal as bad:
        raise argparse.ArgumentTypeError(str(bad)) from None


def _sysname(text: str) -> str:
    """A SysName the switch itself accepts (it also names the host key file)."""
    try:
        RunningConfig(sysname="XCM8810").set_sysname(text)
    except Refusal as bad:
        raise argparse.ArgumentTypeError(str(bad)) from None
    return text


def _username(text: str) -> str:
    try:
        Accounts(text)
    except ValueError as bad:
        raise argparse.ArgumentTypeError(str(bad)) from None
    return text


def _release(text: str) -> str:
    if not re.fullmatch(r"\d+(?:\.\d+){0,3}", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a release like 12.0 or 12.4.2.8")
    return text


def _speed(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("the speed factor must be positive")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m virtual_chassis", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--model", choices=sorted(MODELS), default=DEFAULT_MODEL, help=f"the chassis (default {DEFAULT_MODEL})"
    )
    p.add_argument("--name", type=_sysname, default=None, help="SysName (default: the model's name)")
    p.add_argument("--speed", type=_speed, default=100.0, help="speed factor: real durations are divided by it")
    p.add_argument("--ssh-port", type=int, default=0, help="management SSH port (0 = a free port)")
    p.add_argument("--console-port-a", type=int, default=0, help="TCP port of the MSM-A console (0 = free)")
    p.add_argument("--console-port-b", type=int, default=0, help="TCP port of the MSM-B console (0 = free)")
    p.add_argument("--version-a", type=_version, default="12.4.2.8", help="booted primary version of MSM-A")
    p.add_argument("--version-b", type=_version, default="12.4.2.8", help="booted primary version of MSM-B")
    p.add_argument("--secondary-version", type=_version, default="12.4.1.5", help="secondary partition version")
    p.add_argument("--username", type=_username, default="admin", help="administrator account (default admin)")
    p.add_argument("--password", default=None, help=f"administrator password (default: ${PASSWORD_ENV}, else empty)")
    p.add_argument("--count", type=int, default=1, help="number of independent chassis (names get -1..-N)")
    p.add_argument(
        "--bind",
        default="127.0.0.1",
        help="address every endpoint listens on (default loopback; others are warned about)",
    )
    p.add_argument(
        "--from-parent",
        action="store_true",
        help="stdin is a pipe from the starting process: its first line is the password, and the "
        "emulator stops when the pipe closes",
    )
    p.add_argument(
        "--host-key-dir",
        type=Path,
        default=HOST_KEY_DIR,
        help=f"where each chassis's SSH host key is kept, one file per name (default {HOST_KEY_DIR})",
    )
    p.add_argument("--flash-dir", type=Path, default=None, help="where downloaded images go (default: a temp folder)")
    p.add_argument(
        "--duration",
        type=_duration,
        action="append",
        default=[],
        metavar="NAME=SECONDS",
        help=f"override a real duration ({', '.join(Durations.names())})",
    )
    p.add_argument(
        "--telnet",
        action="store_true",
        help="console TCP ports negotiate server echo, for people using telnet "
        "(pyserial socket:// clients want the default raw ports)",
    )
    p.add_argument(
        "--tftp-port",
        type=int,
        default=69,
        help="UDP port of the TFTP servers download image fetches from (default 69)",
    )
    p.add_argument(
        "--config-lines",
        type=int,
        default=0,
        metavar="N",
        help="preload a configuration of N lines (port and FDB settings), as a busy switch has",
    )
    p.add_argument(
        "--baud",
        type=int,
        default=0,
        choices=BAUD_RATES,
        metavar="RATE",
        help="console output at this line rate, 8N1 (e.g. 9600 or 115200; default: unpaced)",
    )
    p.add_argument(
        "--replay",
        nargs="+",
        metavar="FILE",
        help="serve recordings (reports/recordings/*.jsonl) as a device instead of emulating one",
    )
    p.add_argument(
        "--log",
        type=Path,
        default=None,
        metavar="FILE",
        help="the emulator's log: its own messages and whatever its dependencies print or warn "
        "(default: stderr, beside the banner)",
    )
    p.add_argument(
        "--sync-min-release",
        type=_release,
        default=SYNC_MIN_RELEASE,
        metavar="RELEASE",
        help=f"lowest release that can synchronize; older ones refuse it (default {SYNC_MIN_RELEASE})",
    )
    args = p.parse_args(argv)
    args.name = args.name or args.model
    if args.count < 1:
        p.error("--count must be at least 1")
    if args.count > 1 and (args.ssh_port or args.console_port_a or args.console_port_b):
        p.error("fixed ports cannot be shared by several chassis: use port 0 with --count")
    if args.from_parent:
        args.password = _read_line(sys.stdin.fileno())
    elif args.password is None:
        args.password = os.environ.get(PASSWORD_ENV, "")
    return args


def _read_line(fd: int) -> str:
    """One line from ``fd`` byte by byte (a buffered read would swallow what follows it)."""
    line = b""
    while not line.endswith(b"\n"):
        byte = os.read(fd, 1)
        if not byte:
            break
        line += byte
    return line.rstrip(b"\r\n").decode("utf-8", "surrogateescape")


def chassis_options(args: argparse.Namespace) -> list[ChassisOptions]:
    from .endpoints.server import ChassisOptions

    durations = Durations().with_overrides(dict(args.duration))
    options = []
    for i in range(args.count):
        name = args.name if args.count == 1 else f"{args.name}-{i + 1}"
        options.append(
            ChassisOptions(
                name=name,
                model=args.model,
                speed=args.speed,
                ssh_port=args.ssh_port,
                console_ports=(args.console_port_a, args.console_port_b),
                versions=(args.version_a, args.version_b),
                secondary=args.secondary_version,
                username=args.username,
                password=args.password,
                bind=args.bind,
                mac=f"00:04:96:52:{0xA4 + i // 256:02X}:{i % 256:02X}",
                durations=durations,
                telnet=args.telnet,
                tftp_port=args.tftp_port,
                config_lines=args.config_lines,
                baud=args.baud,
                sync_min_release=args.sync_min_release,
                host_key=args.host_key_dir / name if args.host_key_dir else None,
                flash_dir=args.flash_dir,
            )
        )
    return options


async def serve(options: list[ChassisOptions], out: TextIO, log: TextIO, parent: int | None = None) -> None:
    """Serve until SIGTERM, SIGINT, SIGHUP or (``parent``: a descriptor) that pipe's end; the
    JSON line of each chassis goes to ``out``, what the emulator logs to ``log``."""
    from .endpoints.server import VirtualChassis

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    if parent is not None:
        loop.add_reader(parent, _watch_parent, parent, stop, log)
    _warn_if_exposed(options)
    running: list[VirtualChassis] = []
    try:
        for option in options:
            chassis = VirtualChassis(option, loop)
            running.append(chassis)
            endpoints = await chassis.start()
            _describe(endpoints, None if log is sys.stderr else log.name)
        for chassis in running:
            out.write(json.dumps(chassis.endpoints) + "\n")
        out.flush()
        await stop.wait()
        print("virtual_chassis: stopping", file=log)
    finally:
        for chassis in running:
            await chassis.stop()


def _watch_parent(fd: int, stop: asyncio.Event, log: TextIO) -> None:
    """The parent's pipe is readable: at its end (the parent exited or died) stop."""
    try:
        ended = not os.read(fd, 4096)
    except OSError:
        ended = True
    if ended:
        asyncio.get_running_loop().remove_reader(fd)
        print("virtual_chassis: the process that started it ended; stopping", file=log)
        stop.set()


def _warn_if_exposed(options: list[ChassisOptions]) -> None:
    """A warning on stderr when the endpoints are reachable from other hosts."""
    bind = options[0].bind if options else "127.0.0.1"
    try:
        loopback = bind == "localhost" or ipaddress.ip_address(bind).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        print(
            f"virtual_chassis: WARNING: listening on {bind}, not loopback: other hosts can reach the "
            "consoles and SSH (the password protects them; the control channel its token). "
            "Use --bind 127.0.0.1 unless you mean it.",
            file=sys.stderr,
            flush=True,
        )


def _describe(e: dict, log: str | None) -> None:
    """Tell a person, on stderr, the plain commands that reach this chassis."""
    ssh, control = e["ssh"], e["control"]
    lines = [
        f"virtual chassis {e['name']} is up; Ctrl-C stops it.",
        f"  management SSH : ssh -p {ssh['port']} {e['username']}@{ssh['host']}",
    ]
    for msm, where in sorted(e["consoles"].items()):
        host, port = where["tcp"].removeprefix("socket://").rsplit(":", 1)
        lines.append(
            f"  {msm} console: {sys.executable} -m serial.tools.miniterm socket://{host}:{port}"
            f"   (or the pty: ... miniterm {where['pty']})"
        )
    lines.append(f"  control channel: {control['host']}:{control['port']} (token on the JSON line)")
    lines += [f"  log            : {log}"] if log else []
    print("\n".join(lines), file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.replay:  # it reads the recordings first, then quiets its dependencies
        from .replay.serve import main as replay

        return replay(args)
    out, log = quiet_dependencies(args.log)
    try:
        options = chassis_options(args)
    except ValueError as bad:
        print(f"virtual_chassis: {bad}", file=sys.stderr)
        return 2
    try:
        asyncio.run(serve(options, out, log, sys.stdin.fileno() if args.from_parent else None))
    except OSError as failure:
        print(f"virtual_chassis: cannot open an endpoint ({failure}); choose other ports or use 0", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
