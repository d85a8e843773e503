"""The emulator's servers: MSM consoles (pty, TCP, pacing), management SSH, the control channel,
the TFTP client of ``download image``, and one chassis with all of them (``VirtualChassis``)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .console import ConsoleLine
    from .control import ControlServer
    from .pacing import PacedOutput, wire_time
    from .server import ChassisOptions, VirtualChassis
    from .ssh import ManagementSsh
    from .tftp import TftpFailed, fetch

#: public name -> the module of this package that defines it; loaded on first use, so importing
#: one module of the package (``virtual_chassis.endpoints.tftp``) does not load the others
_WHERE = {
    "ConsoleLine": "console",
    "ControlServer": "control",
    "PacedOutput": "pacing",
    "wire_time": "pacing",
    "ChassisOptions": "server",
    "VirtualChassis": "server",
    "ManagementSsh": "ssh",
    "TftpFailed": "tftp",
    "fetch": "tftp",
}
__all__ = [
    "ChassisOptions",
    "ConsoleLine",
    "ControlServer",
    "ManagementSsh",
    "PacedOutput",
    "TftpFailed",
    "VirtualChassis",
    "fetch",
    "wire_time",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
