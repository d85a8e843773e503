"""``show version`` and XCM8800 version strings (``12.4.2.8``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.errors import ParseError
from harness.parsers._text import Template, echo_pattern, output_lines

COMMAND = "show version"
_ECHO = echo_pattern("version")
_TABLE = Template("extreme_exos_show_version.textfsm")
_VERSION = re.compile(r"([0-9]{1,9})\.([0-9]{1,9})\.([0-9]{1,9})\.([0-9]{1,9})")
_IMAGE_VERSION = re.compile(r"\bversion\s+(\d+\.\d+\.\d+\.\d+)")


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
    """A hardware component line (``Chassis``, ``Slot-3``, ``MSM-A``, ``PSU-1``, ``Switch``).

    ``text`` is the value as printed; ``""`` is an empty slot. Part, serial, rev, BootROM and
    IMG are filled when the value reads ``<part> <serial> Rev <r> [BootROM: <b>] [IMG: <v>]``;
    a value in another form (a PSU's ``Internal Power Supply ...``) is kept in ``text`` only.
    """

    name: str
    text: str = ""
    part: str | None = None
    serial: str | None = None
    rev: str | None = None
    bootrom: str | None = None
    img: str | None = None

    @property
    def empty(self) -> bool:
        """True for a slot printed with a blank value (nothing installed, or powered off)."""
        return self.text == ""


@dataclass(frozen=True)
class VersionInfo:
    """``show version``: ``image_version`` is the version the MSM of this session runs.

    ``image`` is the whole ``Image :`` value (with its ``on <date>`` line); ``other`` holds every
    other key of the software block (``BootROM``, ``Diagnostics``, ``Certified Version``,
    ``Build Tools Version``, ...), a blank value as ``""``.
    """

    image_version: str
    components: dict[str, Component]
    image: str = ""
    other: dict[str, str] = field(default_factory=dict)

    def img(self, name: str) -> str:
        """The version component ``name`` (``MSM-B``, ``Slot-1``) runs; ParseError quoting its line
        when it is not listed or shows no ``IMG:``."""
        component = self.components.get(name)
        if component is None:
            raise ParseError(COMMAND, "", f"no '{name} :' line (the procedure needs its version)")
        if component.img is None:
            raise ParseError(COMMAND, f"{name} : {component.text}", f"no 'IMG: <version>' for {name}")
        return component.img


def parse_show_version(text: str) -> VersionInfo:
    """Parse ``show version``: component lines, then the ``Image`` line and the software keys.

    Required: the ``Image : ... version <v>`` line. Empty slots (blank value), PSU lines and
    unknown keys are kept, never an error.
    """
    lines = output_lines(text, COMMAND, _ECHO)
    rows = _TABLE.parse(lines, COMMAND)
    images = [row["IMAGE"] for row in rows if row["IMAGE"]]
    if not images:
        raise ParseError(COMMAND, lines[-1], "no 'Image : ... version' line (truncated?)")
    found = _IMAGE_VERSION.search(images[0])
    if found is None:
        raise ParseError(COMMAND, f"Image : {images[0]}", "the Image line names no version like 12.4.2.8")
    components: dict[str, Component] = {}
    for row in rows:
        if row["NAME"]:
            if row["NAME"] in components:
                raise ParseError(COMMAND, row["NAME"], "the component is listed twice")
            components[row["NAME"]] = _component(row)
    if not components:
        raise ParseError(COMMAND, lines[0], "no component lines before the image line")
    image, other = _software(rows)
    return VersionInfo(image_version=found[1], components=components, image=image, other=other)


def _software(rows: list[dict[str, str]]) -> tuple[str, dict[str, str]]:
    """The Image value and the other keys; an indented line continues the key above it."""
    image, other, last = "", {}, ""
    for row in rows:
        if row["IMAGE"]:
            image, last = row["IMAGE"], ""
        elif row["KEY"]:
            if row["KEY"] in other:
                raise ParseError(COMMAND, row["KEY"], "the key is listed twice")
            other[row["KEY"]], last = row["VALUE"], row["KEY"]
        elif row["VALUE"] and last:
            other[last] = f"{other[last]} {row['VALUE']}".strip()
        elif row["VALUE"]:
            image = f"{image} {row['VALUE']}"
    return image, other


def _component(row: dict[str, str]) -> Component:
    return Component(
        row["NAME"],
        text=row["TEXT"],
        part=row["PART"] or None,
        serial=row["SERIAL"] or None,
        rev=row["REV"] or None,
        bootrom=row["BOOTROM"] or None,
        img=row["IMG"] or None,
    )
