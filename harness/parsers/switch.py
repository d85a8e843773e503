"""``show switch`` / ``show switch detail``: who is master, who is backup, and in sync.

The per-MSM rows (``Slot``, ``Current State``, images, versions) are fixed-width columns. Their
start offsets come from the dash runs of the underline row under ``Slot:``; without an
underline they come from the slot names, else from the contract geometry (18, 47). A column
whose cells are all blank is an MSM that is powered off or removed (``state == ""``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.errors import ParseError
from harness.parsers._text import echo_pattern, output_lines

COMMAND = "show switch"
MSM_NAMES = ("MSM-A", "MSM-B")
_ECHO = echo_pattern("switch")
_CONTRACT_STARTS = (18, 47)
_LABEL = re.compile(r"^(?P<label>[A-Za-z][\w ./()-]*?)\s*:(?:\s+|$)(?P<value>.*)$")
_CONFIG_FILE = re.compile(r"^\S+\.cfg(?:\s|$)")
_UNDERLINE = re.compile(r"^\s+-+(?:\s+-+)*$")
_DASH_RUN = re.compile(r"-+")
_SLOT_NAME = re.compile(r"MSM-[A-Z]|Slot-\d+")
_STATE = re.compile(r"(?P<state>[A-Z][A-Z_]*)(?:\s*\((?P<qualifier>[^()]*)\))?")
_IN_SYNC = re.compile(r"In ?Sync", re.IGNORECASE)
_COLUMN_ROWS = ("Slot", "Current State", "Image Selected", "Image Booted", "Primary ver", "Secondary ver")
_REQUIRED = ("SysName", "Config Selected", "Config Booted")  # System Type is optional


def other_msm(msm: str) -> str:
    """The MSM in the other slot: ``MSM-B`` for ``MSM-A`` and the reverse."""
    return MSM_NAMES[1 - MSM_NAMES.index(msm)]


@dataclass(frozen=True)
class MsmStatus:
    """One MSM column. ``state`` is the bare word (``BACKUP``); ``""`` = absent or off."""

    slot: str
    state: str
    in_sync: bool = False
    current: bool = False
    image_selected: str | None = None
    image_booted: str | None = None
    primary_version: str | None = None
    secondary_version: str | None = None

    @property
    def present(self) -> bool:
        """False for an MSM that is powered off or removed (empty column)."""
        return self.state != ""

    @property
    def booted_version(self) -> str | None:
        """The version of the partition the MSM booted from (``Image Booted``)."""
        return {"primary": self.primary_version, "secondary": self.secondary_version}.get(self.image_booted or "")


@dataclass(frozen=True)
class SwitchStatus:
    """``show switch`` as seen from one session; ``fields`` holds every single-value label.

    ``system_type`` is "" when the output has no ``System Type`` line.
    """

    sysname: str
    system_type: str
    msms: dict[str, MsmStatus]
    config_selected: str
    config_booted: str
    fields: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def master(self) -> str | None:
        """Slot name of the MASTER MSM, or None."""
        return self._slot_in("MASTER")

    @property
    def backup(self) -> str | None:
        """Slot name of the BACKUP MSM (in sync or not), or None."""
        return self._slot_in("BACKUP")

    @property
    def current(self) -> str | None:
        """Slot name of the MSM this session runs on (the one marked ``*``), or None."""
        return next((m.slot for m in self.msms.values() if m.current), None)

    def msm(self, slot: str | None) -> MsmStatus | None:
        """The MSM in ``slot`` (``"MSM-B"``, ``"B"``, ``"msm-b"``), None for no such slot.

        MSM-A and MSM-B always exist: one not shown reads ``state == ""`` (absent).
        """
        if not isinstance(slot, str) or not slot.strip():
            return None
        name = slot.strip().upper()
        name = name if name.startswith(("MSM-", "SLOT-")) else f"MSM-{name}"
        name = name.replace("SLOT-", "Slot-")
        if name in self.msms:
            return self.msms[name]
        return MsmStatus(name, "") if name in MSM_NAMES else None

    def _slot_in(self, state: str) -> str | None:
        return next((m.slot for m in self.msms.values() if m.state == state), None)


def parse_show_switch(text: str) -> SwitchStatus:
    """Parse ``show switch`` or ``show switch detail`` into a :class:`SwitchStatus`."""
    lines = output_lines(text, COMMAND, _ECHO)
    singles, rows, underline = _collect(lines)
    missing = [label for label in _COLUMN_ROWS + _REQUIRED if label not in rows and label not in singles]
    if missing:
        raise ParseError(COMMAND, lines[-1], f"no {', '.join(missing)} line (truncated, or not show switch output)")
    if not singles["SysName"]:
        raise ParseError(COMMAND, "SysName:", "the SysName is empty")
    starts = _column_starts(underline, rows["Slot"])
    msms = _msm_columns(rows, starts)
    return SwitchStatus(
        sysname=singles["SysName"],
        system_type=singles.get("System Type", ""),
        msms=msms,
        config_selected=singles["Config Selected"],
        config_booted=singles["Config Booted"],
        fields=singles,
    )


def _collect(lines: list[str]) -> tuple[dict[str, str], dict[str, str], str | None]:
    """Sort lines into single-value labels, per-MSM rows and the underline row."""
    singles: dict[str, str] = {}
    rows: dict[str, str] = {}
    underline = None
    for line in lines:
        if _UNDERLINE.match(line):
            if "Slot" not in rows or underline is not None:
                raise ParseError(COMMAND, line, "an underline row that is not under 'Slot:'")
            underline = line
            continue
        if line[0].isspace() or _CONFIG_FILE.match(line):
            continue  # continuation of the row above, or the saved-configuration block
        labelled = _LABEL.match(line)
        if labelled is None:
            raise ParseError(COMMAND, line, "not a 'Label: value' line")
        label = " ".join(labelled["label"].split())
        if label in singles or label in rows:
            raise ParseError(COMMAND, line, f"'{label}' appears twice (two outputs run together?)")
        if label in _COLUMN_ROWS:
            rows[label] = line
        else:
            singles[label] = labelled["value"].strip()
    return singles, rows, underline


def _column_starts(underline: str | None, slot_line: str) -> list[int]:
    """Start offsets of the MSM columns: underline runs, plus slot names outside them."""
    names = [m.start() for m in _SLOT_NAME.finditer(slot_line)]
    if underline is None:
        return names or list(_CONTRACT_STARTS)
    runs = [(m.start(), m.end()) for m in _DASH_RUN.finditer(underline)]
    extra = [pos for pos in names if not any(lo <= pos < hi for lo, hi in runs)]
    return sorted({lo for lo, _ in runs} | set(extra))


def _cells(line: str, starts: list[int]) -> list[str]:
    """The stripped text of each column of ``line`` (blank past the end of a short line)."""
    ends = starts[1:] + [len(line)]
    return [line[lo:hi].strip() for lo, hi in zip(starts, ends, strict=True)]


def _msm_columns(rows: dict[str, str], starts: list[int]) -> dict[str, MsmStatus]:
    """One MsmStatus per column; MSM-A/MSM-B not shown at all are added as absent."""
    cells = {label: _cells(line, starts) for label, line in rows.items()}
    msms: dict[str, MsmStatus] = {}
    for index, slot_cell in enumerate(cells["Slot"]):
        column = {label: values[index] for label, values in cells.items()}
        status = _msm(_slot_name(slot_cell, index, msms), column)
        if status.slot in msms:
            raise ParseError(COMMAND, rows["Slot"], f"slot {status.slot} appears twice")
        msms[status.slot] = status
    if sum(status.current for status in msms.values()) > 1:
        raise ParseError(COMMAND, rows["Slot"], "more than one slot is marked '*'")
    if all(name.startswith("MSM-") for name in msms):
        for name in MSM_NAMES:
            msms.setdefault(name, MsmStatus(name, ""))
    return dict(sorted(msms.items()))


def _slot_name(cell: str, index: int, seen: dict[str, MsmStatus]) -> str:
    """The slot name of a column; a blank one is the MSM of that position (A, then B)."""
    name = cell.replace("*", "").strip()
    if name:
        if not _SLOT_NAME.fullmatch(name):
            raise ParseError(COMMAND, cell, f"{name!r} is not a slot name like MSM-A")
        return name
    if index < len(MSM_NAMES) and MSM_NAMES[index] not in seen:
        return MSM_NAMES[index]
    raise ParseError(COMMAND, cell, "a column without a slot name")


def _msm(slot: str, column: dict[str, str]) -> MsmStatus:
    """An MsmStatus from the cells of one column."""
    state_cell = column["Current State"]
    state, in_sync = "", False
    if state_cell:
        found = _STATE.fullmatch(state_cell)
        if found is None:
            raise ParseError(COMMAND, state_cell, f"{state_cell!r} is not a node state")
        state = found["state"]
        in_sync = bool(found["qualifier"] and _IN_SYNC.fullmatch(found["qualifier"].strip()))
    return MsmStatus(
        slot=slot,
        state=state,
        in_sync=in_sync,
        current="*" in column["Slot"],
        image_selected=column["Image Selected"] or None,
        image_booted=column["Image Booted"] or None,
        primary_version=column["Primary ver"] or None,
        secondary_version=column["Secondary ver"] or None,
    )
