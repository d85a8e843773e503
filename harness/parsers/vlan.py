"""``show vlan``: the VLANs by name and VID."""

from __future__ import annotations

from dataclasses import dataclass

from harness.errors import ParseError
from harness.parsers._text import Template, echo_pattern, integer, output_lines

COMMAND = "show vlan"
_ECHO = echo_pattern("vlan")
_TABLE = Template("extreme_exos_show_vlan.textfsm")


@dataclass(frozen=True)
class Vlan:
    """A VLAN; ``vid`` is the tag, or the internal VID of an untagged VLAN."""

    name: str
    vid: int


def parse_show_vlan(text: str) -> list[Vlan]:
    """Parse the VLAN table; the row count must match ``Total number of VLAN(s)`` (or, in the
    newer form with ``Untagged ports auto-move:`` first, its ``(N displayed)``)."""
    lines = output_lines(text, COMMAND, _ECHO)
    rows = _TABLE.parse(lines, COMMAND)
    totals = [(row["TOTAL"], row["DISPLAYED"]) for row in rows if row["TOTAL"]]
    vlans = [Vlan(row["NAME"], integer(row["VID"], COMMAND)) for row in rows if row["NAME"]]
    if not totals:
        raise ParseError(COMMAND, lines[-1], "no 'Total number of VLAN(s)' line at the end (truncated output?)")
    total, displayed = totals[0]
    shown = integer(displayed or total, COMMAND)
    if shown != len(vlans):
        what = f"{displayed} displayed" if displayed else f"the total says {total}"
        raise ParseError(COMMAND, lines[-1], f"{len(vlans)} VLAN rows but {what} (truncated?)")
    seen: set[str] = set()
    for vlan in vlans:
        if vlan.name in seen:
            raise ParseError(COMMAND, vlan.name, "the VLAN is listed twice")
        seen.add(vlan.name)
    return vlans
