"""The harness's one door into the emulator: how to start it, its control channel, its image files.

``harness/`` imports this module and nothing else of ``virtual_chassis`` (the emulator and the
harness stay independent implementations of the device's rules). It loads only the standalone
control protocol and the image format, never the model, the CLI or the servers.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys

from .model.images import PLATFORM, build_image
from .protocol import ControlClient, ControlError

__all__ = ["MODULE", "PLATFORM", "ControlClient", "ControlError", "build_image", "command", "main"]

#: ``python -m MODULE`` runs an emulator; it prints one JSON line of endpoints per chassis.
MODULE = "virtual_chassis"


def command(*args: str) -> list[str]:
    """The command line that starts an emulator with ``args`` (``--speed 10``, ...) in a child."""
    return [sys.executable, "-m", MODULE, *args]


def _dies_with_parent() -> None:
    """In the child, before exec: SIGTERM when ``hil virtual`` dies, even by SIGKILL (Linux's
    ``PR_SET_PDEATHSIG``; the child shares the terminal's stdin, so no closed pipe tells it)."""
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)


def main(argv: list[str] | None = None) -> int:
    """Run an emulator in the foreground (``hil virtual``) until SIGINT or SIGTERM; its exit status.

    The emulator runs as a child process sharing this process's stdin, stdout and stderr (so the
    harness never loads the emulator's model, CLI or servers); SIGINT and SIGTERM are passed on.
    """
    child = subprocess.Popen(command(*(sys.argv[1:] if argv is None else argv)), preexec_fn=_dies_with_parent)

    def forward(signum: int, frame: object) -> None:
        child.send_signal(signal.SIGTERM if signum == signal.SIGHUP else signum)  # a closed terminal ends it

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        return child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
