"""``show checkpoint-data {<process>}``: bulk/dynamic checkpoint progress per process."""

from __future__ import annotations

from dataclasses import dataclass

from harness.errors import ParseError
from harness.parsers._text import Template, echo_pattern, integer, output_lines, unique

COMMAND = "show checkpoint-data"
_ECHO = echo_pattern("checkpoint-data")
_TABLE = Template("extreme_exos_show_checkpoint_data.textfsm")


@dataclass(frozen=True)
class CheckpointRecord:
    """One process row; ``percent`` is ``% Chkpt`` (0..100), ``status`` the device's word (``OK``),
    ``debug`` e.g. ``1 (00008853)`` or ``""``.

    An idle process (nothing to checkpoint: ``Total`` 0) reads 0 % with status OK and is healthy.
    """

    process: str
    tx: int
    rx: int
    errors: int
    sent: int
    total: int
    percent: int
    flag: str
    status: str
    debug: str


def parse_show_checkpoint_data(text: str) -> list[CheckpointRecord]:
    """Parse the checkpoint table (all processes, or the one named in the command)."""
    lines = output_lines(text, COMMAND, _ECHO)
    rows = _TABLE.parse(lines, COMMAND)
    if not rows:
        raise ParseError(COMMAND, lines[-1], "the table has no rows (truncated output?)")
    return unique([_record(row) for row in rows], "process", COMMAND)


def _record(row: dict[str, str]) -> CheckpointRecord:
    numbers = {key: integer(row[key], COMMAND) for key in ("TX", "RX", "ERRORS", "SENT", "TOTAL", "PERCENT")}
    if numbers["PERCENT"] > 100:
        raise ParseError(COMMAND, row["PROCESS"], f"{numbers['PERCENT']}% is over 100%")
    return CheckpointRecord(
        process=row["PROCESS"],
        tx=numbers["TX"],
        rx=numbers["RX"],
        errors=numbers["ERRORS"],
        sent=numbers["SENT"],
        total=numbers["TOTAL"],
        percent=numbers["PERCENT"],
        flag=row["FLAG"],
        status=row["STATUS"],
        debug=" ".join(row["DEBUG"].split()),
    )
