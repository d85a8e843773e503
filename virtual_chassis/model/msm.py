"""One management module (MSM) of the chassis, the node states and the change notices."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from .config import Refusal, RunningConfig, SavedConfig

_VERSION = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


class NodeState(str, Enum):  # noqa: UP042 - a StrEnum would change str() of a member, which outputs may show
    INIT = "INIT"
    STANDBY = "STANDBY"
    MASTER = "MASTER"
    BACKUP = "BACKUP"
    DOWN = "DOWN"
    FAIL = "FAIL"


@dataclass
class Notice:
    """A change endpoints may care about.

    kinds: ``state`` (msm, old, new, what), ``log`` (msm=origin, severity, component, text,
    consoles), ``rebooting``, ``booting`` (partition, version), ``ready`` (login may start),
    ``power_off``, ``master`` (old, new), ``faults_cleared`` (msm None).
    """

    kind: str
    msm: str | None = None
    data: dict = field(default_factory=dict)


@dataclass
class Msm:
    """One management module: images, flash, running configuration, node state."""

    slot: str
    images: dict[str, str]
    flash: dict[str, SavedConfig]
    running: RunningConfig
    booted_version: str
    image_selected: str = "primary"
    image_booted: str = "primary"
    config_selected: str = "primary.cfg"
    config_booted: str = "primary.cfg"
    powered: bool = True
    state: NodeState = NodeState.DOWN
    boot_time: float = 0.0
    boot_count: int = 1
    epoch: int = 0
    sync_pending: bool = False
    boot_due: float = 0.0  # loop time the current boot was meant to start (election grouping)
    shutdown_slots: tuple[int, ...] = ()  # I/O slots system recovery shut down at boot: ``!`` prompt

    @property
    def name(self) -> str:
        return f"MSM-{self.slot}"


def release(version: str) -> tuple[int, ...]:
    """``12.4.2.8`` (or a release such as ``12.0``) as numbers that compare in release order."""
    return tuple(int(part) for part in version.split("."))


def check_version(version: str) -> str:
    if not _VERSION.match(version or ""):
        raise Refusal(f'Invalid version "{version}": use major.minor.patch.build, e.g. 12.4.2.8.')
    return version
