"""``python -m virtual_chassis --replay FILE...``: serve recordings until SIGTERM or SIGINT.

Prints one JSON line of endpoints on stdout once everything listens (as the emulator does,
without a control channel: a recorded device has no power or faults), a hint for people on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from typing import TYPE_CHECKING, TextIO

from ..cli.login import Accounts
from ..noise import quiet_dependencies
from .recorded import NotARecording, escaped, load

if TYPE_CHECKING:  # the server imports asyncssh: loaded only once the recordings are read
    from .server import ReplayDevice


def main(args: argparse.Namespace) -> int:
    """Serve ``args.replay`` with the account, bind address and ports of ``args``. The recordings
    are read first (a bad one is one line on stderr), then dependencies are quieted
    (:mod:`virtual_chassis.noise`) and the servers load."""
    try:
        tracks = load(args.replay)
    except NotARecording as bad:
        print(f"virtual_chassis: {bad}", file=sys.stderr)
        return 2
    out, _log = quiet_dependencies(args.log)
    from .server import ReplayDevice  # noqa: F811 (the run-time import of the TYPE_CHECKING name)

    accounts = Accounts(args.username, args.password)
    ports = (args.console_port_a, args.console_port_b, args.ssh_port)
    try:
        device = ReplayDevice(tracks, accounts, args.bind, args.speed, _report)
        asyncio.run(_serve(device, ports, out, args.from_parent))
    except OSError as failure:
        print(f"virtual_chassis: cannot open an endpoint ({failure}); choose other ports or use 0", file=sys.stderr)
        return 1
    return 0


def _report(line: str) -> None:
    """Where a run left the recording, for people: one line on stderr."""
    print(f"virtual_chassis: {escaped(line, 400)}", file=sys.stderr, flush=True)


async def _serve(device: ReplayDevice, ports: tuple[int, int, int], out: TextIO, from_parent: bool = False) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if from_parent:  # the starting process's pipe: its end (the harness ended, even killed) stops us
        stdin = sys.stdin.fileno()

        def parent_gone() -> None:
            if not os.read(stdin, 4096):
                loop.remove_reader(stdin)
                stop.set()

        loop.add_reader(stdin, parent_gone)
    endpoints = await device.start(ports)
    try:
        out.write(json.dumps(endpoints) + "\n")
        out.flush()
        recorded = ", ".join(f"{name} ({count} answers)" for name, count in endpoints["replay"].items())
        ssh = endpoints["ssh"]
        print(
            f"replaying {endpoints['name']}: {recorded}; Ctrl-C stops it.\n"
            f"  management SSH : ssh -p {ssh['port']} {endpoints['username']}@{ssh['host']}\n"
            + "".join(f"  {msm} console: {c['tcp']}   or   {c['pty']}\n" for msm, c in endpoints["consoles"].items()),
            file=sys.stderr,
            end="",
            flush=True,
        )
        await stop.wait()
    finally:
        await device.stop()
