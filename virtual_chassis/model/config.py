"""Running configuration and saved configuration files of one MSM.

The running configuration is state (sysName, VLANs, node priorities, unsaved flag); a saved
file is its rendering as CLI commands, the way EXOS stores it, and is parsed back at boot.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

SYS_CONTACT = "support@netgear.com, +1 888 NETGEAR"
BUILTIN_VLANS = {"Default": 1, "Mgmt": 4095}
FIRST_INTERNAL_VID = 4093
CONFIG_FILES = ("primary.cfg", "secondary.cfg")
#: Modules whose configuration the emulator interprets; any other module's lines are kept verbatim.
MODELLED_MODULES = ("devmgr", "vlan")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,31}$")
_MODULE_HEADER = re.compile(r"^# Module (\S+) configuration\.$")


class Refusal(Exception):
    """The device refuses a command; ``str()`` is the text after ``Error: ``."""


@dataclass
class Vlan:
    vid: int
    tagged: bool


@dataclass
class SavedConfig:
    """One configuration file on an MSM's flash."""

    content: str
    saved_at: float
    version: str

    @property
    def size(self) -> int:
        return len(self.content.encode())


def config_file(word: str | None, default: str) -> str:
    """``primary`` -> ``primary.cfg``; ``None`` -> ``default``."""
    if word is None:
        return default
    return word if word.endswith(".cfg") else f"{word.lower()}.cfg"


@dataclass
class RunningConfig:
    """The active configuration of one MSM (the master's is the chassis configuration)."""

    sysname: str
    vlans: dict[str, Vlan] = field(
        default_factory=lambda: {name: Vlan(vid, True) for name, vid in BUILTIN_VLANS.items()}
    )
    priorities: dict[str, int] = field(default_factory=lambda: {"A": 0, "B": 0})
    unsaved: bool = False
    other_modules: tuple[str, ...] = ()
    """Lines of modules the emulator does not model (ports, fdb, acl...), kept as they are."""

    def copy(self) -> RunningConfig:
        return copy.deepcopy(self)

    # --- changes (each raises Refusal with the device's wording) ---------------------------

    def set_sysname(self, name: str) -> None:
        if not _NAME.match(name):
            raise Refusal(
                f'Invalid SysName "{name}": use 1 to 32 letters, digits, "-", "_" or ".", starting with a letter.'
            )
        self.sysname = name

    def create_vlan(self, name: str) -> None:
        if not _NAME.match(name):
            raise Refusal(
                f'Invalid VLAN name "{name}": use 1 to 32 letters, digits, "-", "_" or ".", starting with a letter.'
            )
        if self.find_vlan(name):
            raise Refusal(f'VLAN "{name}" already exists.')
        self.vlans[name] = Vlan(self._free_internal_vid(), False)

    def set_vlan_tag(self, name: str, tag: int) -> None:
        vlan = self._existing(name)
        if not 1 <= tag <= 4094:
            raise Refusal(f"Invalid VLAN tag {tag}: the tag must be between 1 and 4094.")
        for other, v in self.vlans.items():
            if other != name and v.vid == tag:
                raise Refusal(f'Tag {tag} is already used by VLAN "{other}".')
        if name in BUILTIN_VLANS:
            raise Refusal(f'The tag of VLAN "{name}" cannot be changed.')
        vlan.vid, vlan.tagged = tag, True

    def delete_vlan(self, name: str) -> None:
        self._existing(name)
        if name in BUILTIN_VLANS:
            raise Refusal(f'VLAN "{name}" is a system VLAN and cannot be deleted.')
        del self.vlans[name]

    def set_priority(self, slot: str, priority: int) -> None:
        if not 1 <= priority <= 100:
            raise Refusal(f"Invalid node priority {priority}: the priority must be between 1 and 100.")
        self.priorities[slot] = priority

    def find_vlan(self, name: str) -> str | None:
        """The VLAN's stored name (names are case-insensitive), or None."""
        for existing in self.vlans:
            if existing.lower() == name.lower():
                return existing
        return None

    def _existing(self, name: str) -> Vlan:
        found = self.find_vlan(name)
        if found is None:
            raise Refusal(f'VLAN "{name}" does not exist.')
        if found != name:
            raise Refusal(f'VLAN "{name}" does not exist (did you mean "{found}"?).')
        return self.vlans[found]

    def _free_internal_vid(self) -> int:
        used = {v.vid for v in self.vlans.values()}
        vid = FIRST_INTERNAL_VID
        while vid in used:
            vid -= 1
        return vid

    # --- files ------------------------------------------------------------------------------

    def render(self) -> str:
        """The configuration as the commands that recreate it (``show configuration``)."""
        lines = [
            "#",
            "# Module devmgr configuration.",
            "#",
            f'configure snmp sysName "{self.sysname}"',
            f'configure snmp sysContact "{SYS_CONTACT}"',
        ]
        for slot in sorted(self.priorities):
            if self.priorities[slot]:
                lines.append(f"configure node slot {slot} priority {self.priorities[slot]}")
        lines += ["#", "# Module vlan configuration.", "#"]
        for name in sorted(self.vlans):
            if name not in BUILTIN_VLANS:
                lines.append(f'create vlan "{name}"')
        for name in sorted(self.vlans):
            vlan = self.vlans[name]
            if name not in BUILTIN_VLANS and vlan.tagged:
                lines.append(f"configure vlan {name} tag {vlan.vid}")
        lines += self.other_modules
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str, default_sysname: str) -> RunningConfig:
        """Load a saved file; unknown lines of modelled modules are ignored the way a boot would
        skip them, the sections of other modules are kept as they are."""
        config = cls(sysname=default_sysname)
        lines = text.splitlines()
        start = _first_other_module(lines)
        config.other_modules = tuple(lines[start:])
        for line in lines[:start]:
            words = line.replace('"', " ").split()
            try:
                _apply_saved_line(config, words)
            except (Refusal, ValueError):
                continue
        return config


def _first_other_module(lines: list[str]) -> int:
    """Where the first section of a module the emulator does not model begins (its ``#`` line)."""
    for index, line in enumerate(lines):
        found = _MODULE_HEADER.match(line)
        if found and found[1] not in MODELLED_MODULES:
            return index - 1 if index and lines[index - 1] == "#" else index
    return len(lines)


def _apply_saved_line(config: RunningConfig, words: list[str]) -> None:
    if words[:3] == ["configure", "snmp", "sysName"] and len(words) == 4:
        config.set_sysname(words[3])
    elif words[:2] == ["create", "vlan"] and len(words) == 3:
        config.create_vlan(words[2])
    elif words[:2] == ["configure", "vlan"] and len(words) == 5 and words[3] == "tag":
        config.set_vlan_tag(words[2], int(words[4]))
    elif words[:3] == ["configure", "node", "slot"] and len(words) == 6:
        config.set_priority(words[3].upper(), int(words[5]))
