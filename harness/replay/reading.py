"""Put each recorded command's output through the parser the plans use for it.

:data:`PARSERS` is the one table of command -> parser. A command matches a row when it has as
many words and each word starts the row's word (the device takes ``sh sw`` for ``show switch``);
``*`` matches any one word (a process name).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.errors import ParseError
from harness.parsers import (
    parse_show_checkpoint_data,
    parse_show_node,
    parse_show_switch,
    parse_show_version,
    parse_show_vlan,
)
from harness.replay.splitting import Exchange, shown

Parser = Callable[[str], Any]

#: command words -> the parser the plans and procedures use for its output
PARSERS: tuple[tuple[tuple[str, ...], Parser], ...] = (
    (("show", "switch"), parse_show_switch),
    (("show", "switch", "detail"), parse_show_switch),
    (("show", "node"), parse_show_node),
    (("show", "checkpoint-data"), parse_show_checkpoint_data),
    (("show", "checkpoint-data", "*"), parse_show_checkpoint_data),
    (("show", "version"), parse_show_version),
    (("show", "vlan"), parse_show_vlan),
)

OK, UNREADABLE, DEVICE_ERROR, CUT_OFF, NO_PARSER = "ok", "unreadable", "device error", "cut off", "no parser"


def parser_for(command: str) -> Parser | None:
    """The parser for ``command`` (abbreviated words allowed), or None when the plans parse
    nothing of its output; an abbreviation that fits two commands fits none (as on the device)."""
    words = command.split()
    found = [
        parser
        for key, parser in PARSERS
        if len(key) == len(words) and all(k == "*" or k.startswith(w) for k, w in zip(key, words, strict=True))
    ]
    return found[0] if len({id(p) for p in found}) == 1 else None


@dataclass(frozen=True)
class Reading:
    """What became of one exchange: ``status`` is one of ok, unreadable, device error, cut off,
    no parser; ``detail`` says what was wrong; ``value`` is the parsed record when ok."""

    exchange: Exchange
    status: str
    detail: str = ""
    value: Any = None

    @property
    def failed(self) -> bool:
        """True when a parser could not read the output (what a lab must look at)."""
        return self.status == UNREADABLE

    def describe(self) -> str:
        """``ok``, or the status with what was wrong."""
        return self.status if not self.detail else f"{self.status}: {self.detail}"


def read_output(exchange: Exchange) -> Reading:
    """Parse one exchange's output with its parser from :data:`PARSERS`."""
    parser = parser_for(exchange.command)
    if parser is None:
        return Reading(exchange, NO_PARSER)
    if exchange.prompt is None:
        return Reading(exchange, CUT_OFF, f"no prompt after the output: {exchange.cut or 'the recording ends'}")
    cleaned = exchange.cleaned
    if cleaned.errors:
        return Reading(exchange, DEVICE_ERROR, f"the device answered '{shown(cleaned.errors[0])}'")
    return parse(exchange, parser, cleaned.output)


def parse(exchange: Exchange, parser: Parser, output: str) -> Reading:
    """``parser`` over ``output``: ok with the record, or unreadable with the line quoted."""
    try:
        return Reading(exchange, OK, value=parser(output))
    except ParseError as error:
        where = f" at line '{shown(error.line)}'" if error.line.strip() else ""
        return Reading(exchange, UNREADABLE, f"{error.reason}{where}")
