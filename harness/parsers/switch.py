"""``show switch`` / ``show switch detail``: who is master, who is backup, and in sync.

The per-MSM rows (``Slot``, ``Current State``, images, versions, and any other row between
``Slot:`` and the configuration lines) are fixed-width columns. Their start offsets come from
the dash runs of the underline row under ``Slot:``; without an underline they come from the
slot names (``MSM-A``, or ``Slot-1`` on a stack), else from the contract geometry (18, 47). A
column whose cells are all blank is an MSM that is powered off or removed (``state == ""``).

A system without a backup (a single-node switch) prints no ``Slot:`` row and one value per row
(``Current State:    OPERATIONAL``): that reads as one node, :attr:`SwitchStatus.single_node`.

Required are the rows the procedure needs: current state, images booted and selected, primary
and secondary versions (and ``Slot`` in the two-column form). Every other ``Label: value`` line
is kept (``fields``, per MSM ``other``), a blank value as ``""``; an indented line continues the
line above it (a version's ``patch1-7``, the saved-configuration block).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.device import MSMS
from harness.errors import ParseError
from harness.parsers._text import echo_pattern, output_lines

COMMAND = "show switch"
MSM_NAMES = MSMS
SINGLE_NODE = "Switch"  # the name of the one node of a system printed without a Slot: row
_ECHO = echo_pattern("switch")
_CONTRACT_STARTS = (18, 47)
#: A label's blanks are taken only when a label character follows, and possessively: a lazy
#: label before ``\s*:`` backtracked quadratically on a long run of blanks (1 s for 20 KB).
_LABEL = re.compile(r"^(?P<label>[A-Za-z](?:[\w./()-]| ++(?=[\w./()-]))*+)\s*:(?:\s+|$)(?P<value>.*)$")
_CONFIG_FILE = re.compile(r"^(?P<label>\S+\.cfg)\s+(?P<value>\S.*)$")
_UNDERLINE = re.compile(r"^\s+-+(?:\s+-+)*$")
_DASH_RUN = re.compile(r"-+")
_SLOT_NAME = re.compile(r"MSM-[A-Z]|Slot-\d+")
_STATE = re.compile(r"(?P<state>[A-Z][A-Z_]*)(?:\s*\((?P<qualifier>[^()]*)\))?")
_IN_SYNC = re.compile(r"In ?Sync", re.IGNORECASE)
_NEEDED_ROWS = ("Current State", "Image Selected", "Image Booted", "Primary ver", "Secondary ver")
_COLUMN_ROWS = ("Slot", *_NEEDED_ROWS)
_ROWS_END = ("Config Selected", "Config Booted")  # single-value lines after the per-MSM rows


def other_msm(msm: str) -> str:
    """The MSM in the other slot: ``MSM-B`` for ``MSM-A`` and the reverse."""
    return MSM_NAMES[1 - MSM_NAMES.index(msm)]


@dataclass(frozen=True)
class MsmStatus:
    """One MSM column. ``state`` is the bare word (``BACKUP``); ``""`` = absent or off.

    ``primary_patch``/``secondary_patch`` are the lines printed under a version (``patch1-7``);
    ``other`` holds any further per-MSM row (``show switch detail``) by its label.
    """

    slot: str
    state: str
    in_sync: bool = False
    current: bool = False
    image_selected: str | None = None
    image_booted: str | None = None
    primary_version: str | None = None
    secondary_version: str | None = None
    primary_patch: str | None = None
    secondary_patch: str | None = None
    other: dict[str, str] = field(default_factory=dict, compare=False)

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
    """``show switch`` as seen from one session; ``fields`` holds every single-value label
    (the ``other`` mapping of this record), a blank value as ``""``.

    ``sysname``, ``system_type``, ``config_selected`` and ``config_booted`` are ``""`` when the
    output has no such line. ``single_node`` is True for the form without a ``Slot:`` row
    (``Current State: OPERATIONAL``): one node, no backup, kept under the name ``Switch``.
    """

    sysname: str
    system_type: str
    msms: dict[str, MsmStatus]
    config_selected: str
    config_booted: str
    fields: dict[str, str] = field(default_factory=dict, repr=False)
    single_node: bool = False

    @property
    def master(self) -> str | None:
        """Slot name of the MASTER MSM (the one node of a single-node system), or None."""
        return SINGLE_NODE if self.single_node else self._slot_in("MASTER")

    @property
    def backup(self) -> str | None:
        """Slot name of the BACKUP MSM (in sync or not), or None (always None on a single node)."""
        return self._slot_in("BACKUP")

    @property
    def current(self) -> str | None:
        """Slot name of the MSM this session runs on (the one marked ``*``), or None."""
        return next((m.slot for m in self.msms.values() if m.current), None)

    def msm(self, slot: str | None) -> MsmStatus:
        """The MSM in ``slot`` (``"MSM-B"``, ``"B"``, ``"msm-b"``, ``"Slot-1"``).

        A slot the output does not show (MSM-B of a switch without a backup, a removed MSM, a
        name that is no slot) reads as absent: ``state == ""``, ``present`` False.
        """
        name = (slot or "").strip()
        if name in self.msms:
            return self.msms[name]
        name = name.upper()
        name = name if name.startswith(("MSM-", "SLOT-")) else f"MSM-{name}"
        name = name.replace("SLOT-", "Slot-")
        return self.msms.get(name) or MsmStatus(name, "")

    def describe(self) -> str:
        """One line for messages: ``MSM-A MASTER, MSM-B BACKUP (In Sync)``."""
        return ", ".join(
            f"{slot} {m.state or 'absent'}{' (In Sync)' if m.in_sync else ''}" for slot, m in sorted(self.msms.items())
        )

    def _slot_in(self, state: str) -> str | None:
        return next((m.slot for m in self.msms.values() if m.state == state), None)


def parse_show_switch(text: str | bytes) -> SwitchStatus:
    """Parse ``show switch`` or ``show switch detail`` (text, or bytes as a session received them)
    into a :class:`SwitchStatus`."""
    lines = output_lines(text, COMMAND, _ECHO)
    singles, rows, underline = _collect(lines)
    single_node = "Slot" not in rows
    needed = _NEEDED_ROWS if single_node else _COLUMN_ROWS
    missing = [label for label in needed if label not in rows]
    if missing:
        raise ParseError(COMMAND, lines[-1], f"no {', '.join(missing)} line (truncated, or not show switch output)")
    if single_node:
        msms = {SINGLE_NODE: _msm(SINGLE_NODE, _single_column(rows), True)}
    else:
        msms = _msm_columns(rows, _column_starts(underline, rows["Slot"][0]))
    return SwitchStatus(
        sysname=singles.get("SysName", ""),
        system_type=singles.get("System Type", ""),
        msms=msms,
        config_selected=singles.get("Config Selected", ""),
        config_booted=singles.get("Config Booted", ""),
        fields=singles,
        single_node=single_node,
    )


def _collect(lines: list[str]) -> tuple[dict[str, str], dict[str, list[str]], str | None]:
    """Sort lines into single-value labels, per-MSM rows (with their continuation lines) and
    the underline row. Per-MSM rows run from ``Slot:`` (or ``Current State:``) to the
    configuration lines."""
    singles: dict[str, str] = {}
    rows: dict[str, list[str]] = {}
    underline, region, last = None, "before", ""
    for line in lines:
        if _UNDERLINE.match(line):
            if "Slot" not in rows or underline is not None:
                raise ParseError(COMMAND, line, "an underline row that is not under 'Slot:'")
            underline = line
            continue
        if line[0].isspace():
            _continue(line, last, singles, rows)
            continue
        labelled = _LABEL.match(line) or _CONFIG_FILE.match(line)
        if labelled is None:
            raise ParseError(COMMAND, line, "not a 'Label: value' line")
        label = " ".join(labelled["label"].split())
        if label in singles or label in rows:
            raise ParseError(COMMAND, line, f"'{label}' appears twice (two outputs run together?)")
        if region == "before" and label in ("Slot", "Current State"):
            region = "rows"
        elif region == "rows" and label in _ROWS_END:
            region = "after"
        if region == "rows":
            rows[label] = [line]
        else:
            singles[label] = labelled["value"].strip()
        last = label
    return singles, rows, underline


def _continue(line: str, last: str, singles: dict[str, str], rows: dict[str, list[str]]) -> None:
    """An indented line: more of the row or value above it."""
    if last in rows:
        rows[last].append(line)
    elif last in singles:
        singles[last] = f"{singles[last]} {line.strip()}".strip()
    else:
        raise ParseError(COMMAND, line, "an indented line with no labelled line above it")


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


def _single_column(rows: dict[str, list[str]]) -> dict[str, list[str]]:
    """The one column of the single-node form: each row's value and continuation lines."""
    column = {}
    for label, (first, *more) in rows.items():
        found = _LABEL.match(first)
        column[label] = [found["value"].strip() if found else "", *(line.strip() for line in more)]
    return column


def _msm_columns(rows: dict[str, list[str]], starts: list[int]) -> dict[str, MsmStatus]:
    """One MsmStatus per column; MSM-A/MSM-B not shown at all are added as absent."""
    cells = {label: [_cells(line, starts) for line in lines] for label, lines in rows.items()}
    msms: dict[str, MsmStatus] = {}
    for index, slot_cell in enumerate(cells["Slot"][0]):
        column = {label: [values[index] for values in lines] for label, lines in cells.items()}
        status = _msm(_slot_name(slot_cell, index, msms), column, "*" in slot_cell)
        if status.slot in msms:
            raise ParseError(COMMAND, rows["Slot"][0], f"slot {status.slot} appears twice")
        msms[status.slot] = status
    if sum(status.current for status in msms.values()) > 1:
        raise ParseError(COMMAND, rows["Slot"][0], "more than one slot is marked '*'")
    if all(name.startswith("MSM-") for name in msms):
        for name in MSM_NAMES:
            msms.setdefault(name, MsmStatus(name, ""))
    return dict(sorted(msms.items()))


def _slot_name(cell: str, index: int, seen: dict[str, MsmStatus]) -> str:
    """The slot name of a column; a blank one is the MSM of that position (A, then B)."""
    name = cell.replace("*", "").strip()
    if name:
        if not _SLOT_NAME.fullmatch(name):
            raise ParseError(COMMAND, cell, f"{name!r} is not a slot name like MSM-A or Slot-1")
        return name
    if index < len(MSM_NAMES) and MSM_NAMES[index] not in seen:
        return MSM_NAMES[index]
    raise ParseError(COMMAND, cell, "a column without a slot name")


def _msm(slot: str, column: dict[str, list[str]], current: bool) -> MsmStatus:
    """An MsmStatus from the cells of one column (each row: its cell, then continuation cells)."""
    state_cell = column["Current State"][0]
    state, in_sync = "", False
    if state_cell:
        found = _STATE.fullmatch(state_cell)
        if found is None:
            raise ParseError(COMMAND, state_cell, f"{state_cell!r} is not a node state")
        state = found["state"]
        in_sync = bool(found["qualifier"] and _IN_SYNC.fullmatch(found["qualifier"].strip()))
    more = {label: " ".join(c for c in cells[1:] if c) for label, cells in column.items()}
    other = {label: " ".join(c for c in cells if c) for label, cells in column.items() if label not in _COLUMN_ROWS}
    return MsmStatus(
        slot=slot,
        state=state,
        in_sync=in_sync,
        current=current,
        image_selected=column["Image Selected"][0] or None,
        image_booted=column["Image Booted"][0] or None,
        primary_version=column["Primary ver"][0] or None,
        secondary_version=column["Secondary ver"][0] or None,
        primary_patch=more["Primary ver"] or None,
        secondary_patch=more["Secondary ver"] or None,
        other=other,
    )
