"""``show version`` and XCM8800 version strings (``12.4.2.8``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.errors import ParseError
from harness.parsers._text import Template, echo_pattern, output_lines

COMMAND = "show version"
_ECHO = echo_pattern("version")
_TABLE = Template("extreme_exos_show_version.textfsm")
_VERSION = re.compile(r"([0-9]{1,9})\.([0-9]{1,9})\.([0-9]{1,9})\.([0-9]{1,9})")


@dataclass(frozen=True, order=True)
class Version:
    """A software version ``major.minor.patch.build``; ordered numerically."""

    major: int
    minor: int
    patch: int
    build: int

    @classmethod
    def parse(cls, text: object) -> Version:
        """``Version`` from ``"12.4.2.8"``; anything else raises :class:`ParseError`."""
        found = _VERSION.fullmatch(text.strip()) if isinstance(text, str) else None
        if found is None:
            raise ParseError("version string", str(text), "expected four numbers separated by dots, like 12.4.2.8")
        return cls(*(int(part) for part in found.groups()))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}.{self.build}"


def compatible(v1: Version | str, v2: Version | str) -> bool:
    """True when both versions share major.minor (the same XCM8800 release train)."""
    a = v1 if isinstance(v1, Version) else Version.parse(v1)
    b = v2 if isinstance(v2, Version) else Version.parse(v2)
    return (a.major, a.minor) == (b.major, b.minor)


@dataclass(frozen=True)
class Component:
    """A hardware component line; an ``Empty`` slot has every field but ``name`` None."""

    name: str
    part: str | None = None
    serial: str | None = None
    rev: str | None = None
    bootrom: str | None = None
    img: str | None = None

    @property
    def empty(self) -> bool:
        """True for a slot that reads ``Empty`` (MSM powered off or removed)."""
        return self.part is None


@dataclass(frozen=True)
class VersionInfo:
    """``image_version`` is the version the MSM of this session runs."""

    image_version: str
    components: dict[str, Component]


def parse_show_version(text: str) -> VersionInfo:
    """Parse ``show version``: component lines, then the ``Image`` block."""
    lines = output_lines(text, COMMAND, _ECHO)
    rows = _TABLE.parse(lines, COMMAND)
    images = [row["IMAGE_VERSION"] for row in rows if row["IMAGE_VERSION"]]
    if not images:
        raise ParseError(COMMAND, lines[-1], "no 'Image : ... version' line (truncated?)")
    components: dict[str, Component] = {}
    for row in rows:
        if not row["NAME"]:
            continue
        if row["NAME"] in components:
            raise ParseError(COMMAND, row["NAME"], "the component is listed twice")
        components[row["NAME"]] = _component(row)
    if not components:
        raise ParseError(COMMAND, lines[0], "no component lines before the image line")
    return VersionInfo(image_version=images[0], components=components)


def _component(row: dict[str, str]) -> Component:
    if row["EMPTY"]:
        return Component(row["NAME"])
    return Component(
        row["NAME"],
        part=row["PART"],
        serial=row["SERIAL"],
        rev=row["REV"],
        bootrom=row["BOOTROM"] or None,
        img=row["IMG"] or None,
    )
