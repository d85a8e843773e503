"""``show node`` and ``show node detail``: the election state of each MSM."""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.errors import ParseError
from harness.parsers._text import Template, echo_pattern, integer, output_lines, unique

COMMAND = "show node"
_ECHO = echo_pattern("node")
_TABLE = Template("extreme_exos_show_node.textfsm")
_DETAIL = Template("extreme_exos_show_node_detail.textfsm")
_DETAIL_HEADER = re.compile(r"^Node\s+\S+\s+information:\s*$")


@dataclass(frozen=True)
class NodeRecord:
    """One node (MSM) as ``show node`` lists it; ``state`` is the bare state word."""

    node: str
    state: str
    priority: int
    sw_health: int
    hw_health: int


def parse_show_node(text: str) -> list[NodeRecord]:
    """Parse ``show node`` (table) or ``show node detail`` (one block per node).

    Tolerates any column widths, including the single spaces of the manual's sample. A
    powered-off or removed MSM is simply not listed.
    """
    lines = output_lines(text, COMMAND, _ECHO)
    detail = any(_DETAIL_HEADER.match(line) for line in lines)
    rows = (_DETAIL if detail else _TABLE).parse(lines, COMMAND)
    if not rows:
        raise ParseError(COMMAND, lines[-1], "no node is listed (truncated output?)")
    return unique([_record(row) for row in rows], "node", COMMAND)


def _record(row: dict[str, str]) -> NodeRecord:
    """A NodeRecord from a template row; a block missing a field is an error."""
    missing = [name for name, value in row.items() if not value]
    if missing:
        raise ParseError(
            COMMAND,
            f"Node {row['NODE']} information:",
            f"the block lacks {', '.join(m.lower() for m in missing)} (truncated output?)",
        )
    return NodeRecord(
        node=row["NODE"],
        state=row["STATE"],
        priority=integer(row["PRIORITY"], COMMAND),
        sw_health=integer(row["SW_HEALTH"], COMMAND),
        hw_health=integer(row["HW_HEALTH"], COMMAND),
    )
