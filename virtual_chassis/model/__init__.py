"""The emulator's state, no I/O: the chassis and its two MSMs (nodes, election, boots and
power, replication), faults, image partitions and files, configuration, and the clock."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .chassis import MASTER_ONLY, NO_BACKUP, Chassis
    from .clock import Clock, Durations
    from .config import Refusal, RunningConfig, SavedConfig
    from .faults import FAULT_OPS, Faults
    from .images import ImageInfo, ImageRefused, build_image, check_image
    from .msm import Msm, NodeState, Notice, check_version
    from .replication import PROCESSES, Replication

#: public name -> the module of this package that defines it; loaded on first use, so importing
#: one module of the package (``virtual_chassis.model.images``) does not load the others
_WHERE = {
    "Chassis": "chassis",
    "MASTER_ONLY": "chassis",
    "NO_BACKUP": "chassis",
    "Clock": "clock",
    "Durations": "clock",
    "Refusal": "config",
    "RunningConfig": "config",
    "SavedConfig": "config",
    "FAULT_OPS": "faults",
    "Faults": "faults",
    "ImageInfo": "images",
    "ImageRefused": "images",
    "build_image": "images",
    "check_image": "images",
    "Msm": "msm",
    "NodeState": "msm",
    "Notice": "msm",
    "check_version": "msm",
    "PROCESSES": "replication",
    "Replication": "replication",
}
__all__ = [
    "Chassis",
    "Clock",
    "Durations",
    "FAULT_OPS",
    "Faults",
    "ImageInfo",
    "ImageRefused",
    "MASTER_ONLY",
    "Msm",
    "NO_BACKUP",
    "NodeState",
    "Notice",
    "PROCESSES",
    "Refusal",
    "Replication",
    "RunningConfig",
    "SavedConfig",
    "build_image",
    "check_image",
    "check_version",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
